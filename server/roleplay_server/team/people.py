"""Making teams and members: shared by the command line, the dashboard's invite form and the tests."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from roleplay_server.team.models import Member, Role, Team


class PeopleError(ValueError):
    """A request that cannot be met (an email already taken, an unknown role)."""


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 150:
        raise PeopleError(f"not an email address: {email!r}")
    return email


@transaction.atomic
def add_member(
    team: Team,
    email: str,
    role: str = Role.TRAINEE,
    password: str | None = None,
    name: str = "",
    operator: bool = False,
) -> Member:
    """A new member; with no password the account cannot sign in until one is set (the invite link does it).
    `operator` makes the account a Django superuser (the admin site spans every team): only `init` gives it."""
    email = normalise_email(email)
    if role not in Role.values:
        raise PeopleError(f"unknown role {role!r} (trainee, coach or admin)")
    users = get_user_model()
    if users.objects.filter(username=email).exists():
        raise PeopleError(f"{email} already has an account")
    user = users(username=email, email=email, is_staff=operator, is_superuser=operator)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return Member.objects.create(user=user, team=team, role=role, display_name=name.strip()[:120])


def find_member(email: str) -> Member:
    member = Member.objects.select_related("team", "user").filter(user__username=normalise_email(email)).first()
    if member is None:
        raise PeopleError(f"no member with the email {email}")
    return member
