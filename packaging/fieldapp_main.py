"""Entry point of the packaged app: the same `fieldapp` command line (the GUI when no subcommand)."""

import sys

from fieldapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
