"""The dashboard's addresses."""

from django.urls import path

from roleplay_server.dashboard import views_assignments, views_library, views_member, views_people, views_team

app_name = "dashboard"
urlpatterns = [
    path("", views_team.home, name="home"),
    path("leaderboards/", views_team.leaderboards, name="leaderboards"),
    path("members/<int:member_id>/", views_member.member_page, name="member"),
    path("calls/<int:session_id>/", views_member.call_page, name="call"),
    path("calls/<int:session_id>/export.md", views_member.call_export, {"fmt": "md"}, name="call_markdown"),
    path("calls/<int:session_id>/export.json", views_member.call_export, {"fmt": "json"}, name="call_json"),
    path("people/", views_people.people, name="people"),
    path("personas/", views_library.personas, name="personas"),
    path("personas/new/", views_library.persona_edit, name="persona_new"),
    path("personas/<int:persona_id>/", views_library.persona_edit, name="persona_edit"),
    path("personas/<int:persona_id>/delete/", views_library.persona_delete, name="persona_delete"),
    path("limits/", views_library.limits, name="limits"),
    path("assignments/", views_assignments.assignment_list, name="assignments"),
    path("assignments/<int:assignment_id>/delete/", views_assignments.assignment_delete, name="assignment_delete"),
    path("devices/", views_people.devices, name="devices"),
    path("devices/<int:token_id>/revoke/", views_people.revoke_device, name="revoke_device"),
]
