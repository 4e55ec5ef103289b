"""Entry point of the packaged app: the same `fieldapp` command line (the GUI when no subcommand)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # First: in the frozen app, a key slot child (fieldapp/store/keyderive.py) is this same
    # executable started again; freeze_support() runs the child's work and exits there.
    multiprocessing.freeze_support()

    from fieldapp.cli import main

    sys.exit(main())
