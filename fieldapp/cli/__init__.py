"""The `fieldapp` command line, over the same core as the GUI (docs/DESIGN.md 8): `main`, the parser, and
the desktop app when no command is named.

Each module of this package adds its commands with `register(add)`; the shared helpers are in
`common`. Only the entry point (`fieldapp/__main__.py`, `packaging/fieldapp_main.py`) imports this
package; tests/test_layers.py holds that rule. The command modules load only when the parser is
built, so the desktop app starts without them.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from fieldapp import __version__
from fieldapp.cli.common import EXIT_FAILURE, vault_path
from fieldapp.errors import FieldappError
from fieldapp.i18n import _, language_from_environment, set_language
from fieldapp.paths import default_vault_dir, remembered_language


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"fieldapp {__version__}")
    parser.add_argument("--vault", type=vault_path, default=None,
                        help=_("vault folder (default: {path})").format(path=default_vault_dir()))
    parser.add_argument("--user", default=os.environ.get("FIELDAPP_USER"),
                        help=_("user name (default: the only user of the vault)"))
    parser.add_argument("--debug", action="store_true", help=_("show tracebacks of unexpected errors"))


class _Probe(argparse.ArgumentParser):
    def error(self, message: str):
        raise ValueError(message)


def desktop_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The global options when `argv` names no command (the desktop app), else None.

    The app then starts without importing every command module (documents, sync, backups)."""
    if "-h" in argv or "--help" in argv:
        return None
    probe = _Probe(prog="fieldapp", add_help=False)
    _add_global_options(probe)
    try:
        args, rest = probe.parse_known_args(argv)
    except ValueError:
        return None  # the full parser says what is wrong
    return None if rest else args


def build_parser() -> argparse.ArgumentParser:
    # Here, not at the top: the desktop app never loads the commands (tests/gui/test_startup.py).
    from fieldapp.cli import backup, data, documents, periods, sync, vault

    parser = argparse.ArgumentParser(prog="fieldapp", description=_(
        "Offline, encrypted records of referrals, community alerts and trainings."))
    _add_global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Callable, help_text: str, user_option: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        # Also accepted after the command; SUPPRESS keeps a value given before it.
        sub.add_argument("--vault", type=vault_path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        if user_option:
            sub.add_argument("--user", default=argparse.SUPPRESS, help=_("user name"))
        return sub

    for module in (vault, sync, backup, documents, periods, data):  # the order of `fieldapp --help`
        module.register(add)
    return parser


def startup_language() -> str:
    """FIELDAPP_LANG, else the language last used on this computer (Windows sets no LANG), else LANG."""
    if os.environ.get("FIELDAPP_LANG"):
        return language_from_environment()
    return remembered_language() or language_from_environment()


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # nothing the app writes is for other accounts on a shared laptop
    set_language(startup_language())
    argv = sys.argv[1:] if argv is None else argv
    args = desktop_arguments(argv) or build_parser().parse_args(argv)
    if args.vault is None:
        args.vault = default_vault_dir()
    if not getattr(args, "handler", None):
        from fieldapp.gui.app import run  # no subcommand: the desktop app (Qt is imported only here)

        return run(args.vault, sys.argv[:1])
    from fieldapp.store.db import DatabaseError

    try:
        return args.handler(args)
    except FieldappError as error:
        print(f"fieldapp: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except DatabaseError as error:
        print(_("fieldapp: the database file is damaged or was tampered with ({detail}).").format(detail=error),
              file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(_("fieldapp: interrupted; nothing was changed by the unfinished step."), file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:
        print(_("fieldapp: {file}: {reason}").format(file=error.filename or "", reason=error.strerror or error),
              file=sys.stderr)
        return EXIT_FAILURE
    except Exception as error:  # noqa: BLE001 - last line of defence: one line, not a traceback
        if args.debug:
            raise
        print(_("fieldapp: unexpected error ({kind}: {detail}). Run again with --debug and report it.").format(
            kind=type(error).__name__, detail=error), file=sys.stderr)
        return EXIT_FAILURE
