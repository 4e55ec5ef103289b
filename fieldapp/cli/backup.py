"""`fieldapp backup` and `fieldapp restore`: one encrypted file with the whole vault, and back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldapp.cli.common import EXIT_OK, open_session, read_passphrase, read_text_file, say
from fieldapp.i18n import _, format_number


def _counts_line(counts: dict) -> str:
    return _("{referrals} referrals, {alerts} alerts, {trainings} trainings, {providers} providers").format(
        **{key: format_number(counts.get(key, 0)) for key in ("referrals", "alerts", "trainings", "providers")})


def cmd_backup(args: argparse.Namespace) -> int:
    from fieldapp.store.backup import write_backup

    with open_session(args) as session:
        summary = write_backup(session, Path(args.output))
    say(_("Backup of {site} written to {file} ({size} MB): {counts}.").format(
        site=summary.site_name, file=summary.path, size=format_number(round(summary.size / 1e6, 1)),
        counts=_counts_line(summary.counts)))
    say(_("It opens only with a user's passphrase or the recovery key; it may be kept on a shared drive."))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from fieldapp.store.backup import restore_backup

    recovery_key = passphrase = None
    if args.recovery_file:
        recovery_key = read_text_file(args.recovery_file).strip()
    else:
        passphrase = read_passphrase(_("Passphrase of a user of this backup: "))
    if sys.stderr.isatty():
        print(_("Checking and restoring {file}…").format(file=args.file), file=sys.stderr, flush=True)
    summary = restore_backup(Path(args.file), args.vault, passphrase=passphrase, recovery_key=recovery_key,
                             user=args.user)
    say(_("Restored {site} (backup of {date}) into {path}: {counts}. The vault verified.").format(
        site=summary.site_name, date=summary.created_at, path=summary.path, counts=_counts_line(summary.counts)))
    return EXIT_OK


def register(add) -> None:
    sub = add("backup", cmd_backup, _("write one encrypted backup file of the whole vault"))
    sub.add_argument("-o", "--output", required=True, help=_("backup file to write, outside the vault folder"))
    sub = add("restore", cmd_restore, _("restore a backup file into a new vault folder (given with --vault)"))
    sub.add_argument("file", help=_("the backup file"))
    sub.add_argument("--recovery-file", help=_("open with the recovery key in this file instead of a passphrase"))
