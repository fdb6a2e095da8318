"""The server's settings with a throwaway data folder and SQLite, whatever the calling shell has set."""

import os
import tempfile

os.environ["ROLEPLAY_SERVER_HOME"] = tempfile.mkdtemp(prefix="roleplay-server-test-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("ROLEPLAY_SERVER_SECRET_KEY", None)

from roleplay_server.settings import *  # noqa: E402,F403
