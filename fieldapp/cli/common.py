"""What every command of the command line shares: opening a session, reading passphrases and files,
asking for confirmation, and saying what was done.

Every expected failure raises CommandError (or another FieldappError): `main` prints it in one line.
Passphrases come from FIELDAPP_PASSPHRASE / FIELDAPP_NEW_PASSPHRASE or are asked without echo."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.errors import FieldappError
from fieldapp.i18n import _
from fieldapp.paths import default_vault_dir
from fieldapp.store.vault import Vault

if TYPE_CHECKING:  # the database code loads with the first command, not for the desktop app
    from fieldapp.store.session import Session

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CommandError(FieldappError):
    pass


def say(message: str = "") -> None:
    """One line of what a command did, on standard output, shown at once (a long import is followed)."""
    print(message, flush=True)


def warn(message: str) -> None:
    """One line on standard error, prefixed like every message of the command line."""
    print(_("fieldapp: {warning}").format(warning=message), file=sys.stderr, flush=True)


def confirm(question: str, assume_yes: bool) -> None:
    """Go on only if the person at the terminal answers yes (or --yes was given); else nothing is done."""
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise CommandError(_("Confirmation needed: run in a terminal, or add --yes."))
    answer = input(question + " " + _("[y/N] ")).strip().casefold()
    if answer not in (_("y"), _("yes"), "y", "yes"):
        raise CommandError(_("Nothing was done."))


# -- passphrases and opening ---------------------------------------------------------------------
def read_passphrase(prompt: str) -> str:
    value = os.environ.get("FIELDAPP_PASSPHRASE")
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise CommandError(_("No passphrase: set FIELDAPP_PASSPHRASE or run in a terminal."))
    return getpass.getpass(prompt)


def read_new_passphrase() -> str:
    value = os.environ.get("FIELDAPP_NEW_PASSPHRASE")
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise CommandError(_("No new passphrase: set FIELDAPP_NEW_PASSPHRASE or run in a terminal."))
    first = getpass.getpass(_("New passphrase: "))
    if first != getpass.getpass(_("New passphrase again: ")):
        raise CommandError(_("The two passphrases differ."))
    return first


def user_of(vault: Vault, args: argparse.Namespace) -> str | None:
    """--user, or None when the vault has one user; refused when several people use it."""
    user = args.user or None
    if not user and vault.user_slot_count() > 1:
        raise CommandError(_("Several people use this vault: give your user name with --user (a locked vault "
                             "lists none)."))
    return user


def open_session(args: argparse.Namespace) -> Session:
    """Unlock with the passphrase of --user (or of the vault's only user). The vault is taken
    before the passphrase is asked, so a vault open elsewhere is refused whatever is typed."""
    vault = Vault(args.vault)
    vault.acquire()
    user = user_of(vault, args)
    passphrase = read_passphrase(_("Passphrase for {user}: ").format(user=user) if user else _("Passphrase: "))
    session = vault.unlock(user, passphrase)
    for warning in session.unlock_warnings:
        warn(warning)
    from fieldapp.core.hlc import clock_warnings  # docs/DESIGN.md 5: told at unlock, before anything is written

    for warning in clock_warnings(session.clock):
        print(_("fieldapp: warning: {message}").format(message=warning), file=sys.stderr, flush=True)
    return session


# -- arguments -----------------------------------------------------------------------------------
def vault_path(value: str | None) -> Path:
    return Path(value).expanduser() if value else default_vault_dir()


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a date like 2026-01-31.").format(value=value)) from None


def read_text_file(name: str) -> str:
    try:
        return Path(name).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise CommandError(_("Cannot read {file}: {reason}").format(file=name, reason=error.strerror)) from None
