"""What a command shows when the user can fix the problem: one line on stderr and exit code 2."""

from __future__ import annotations

EXIT_USAGE = 2


class CommandError(Exception):
    """A problem the user can fix: printed as one line, exit code 2."""
