"""`python -m desktop` runs the same entry point as the `roleplay` command."""

import sys

from desktop.cli.main import main

sys.exit(main())
