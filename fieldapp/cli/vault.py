"""The vault's own commands: create one (or a demo), users and passphrases, recovery, quick delete,
places, statistics and verification."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.cli.common import (EXIT_FAILURE, EXIT_OK, CommandError, open_session, read_new_passphrase,
                                 read_passphrase, read_text_file, say, user_of, warn)
from fieldapp.errors import FieldappError
from fieldapp.i18n import _
from fieldapp.store.vault import Vault

if TYPE_CHECKING:
    from fieldapp.store.session import Session


def cmd_init(args: argparse.Namespace) -> int:
    passphrase = read_new_passphrase()
    session, recovery_key = Vault.create(args.vault, args.site, args.office_code, args.user, passphrase)
    with session:
        _hand_over_recovery_key(recovery_key, args.recovery_file)
        say(_("Vault created at {path} for site {site}.").format(path=args.vault, site=session.site_name))
    return EXIT_OK


def _hand_over_recovery_key(recovery_key: str, recovery_file: str | None) -> None:
    if recovery_file:
        from fieldapp.fileio import atomic_write

        atomic_write(Path(recovery_file), (recovery_key + "\n").encode("ascii"))
        say(_("Recovery key written to {file}. Print it or copy it to a safe place, then delete the file.").format(
            file=recovery_file))
    else:
        say(_("Recovery key (shown once; store it apart from this laptop):"))
        say(recovery_key)


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldapp.demo import DEMO_PASSPHRASE, create_demo_vault

    passphrase = os.environ.get("FIELDAPP_NEW_PASSPHRASE") or os.environ.get("FIELDAPP_PASSPHRASE") or DEMO_PASSPHRASE
    if Vault(args.vault).exists():
        raise CommandError(_("A vault already exists at {path}; demo data is only written to a new folder.").format(
            path=args.vault))
    started = time.monotonic()
    last_report = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty() and time.monotonic() - last_report[0] > 0.5:
            last_report[0] = time.monotonic()
            print("\r" + _("{label}: {value}").format(label=stage, value=f"{done}/{total}"), end="", file=sys.stderr,
                  flush=True)

    session, recovery_key, counts = create_demo_vault(args.vault, args.records, passphrase, progress)
    with session:
        if sys.stderr.isatty():
            print(file=sys.stderr)
        _hand_over_recovery_key(recovery_key, args.recovery_file)
        say(_("Demo vault created at {path} in {seconds:.1f} s (user “demo”, passphrase “{passphrase}”).").format(
            path=args.vault, seconds=time.monotonic() - started, passphrase=passphrase))
        print_stats(session, as_json=False)
    return EXIT_OK


def cmd_add_user(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        say(_("Passphrase of the new user {user}:").format(user=args.name))
        session.add_user(args.name, read_new_passphrase())
        say(_("User {user} added.").format(user=args.name))
    return EXIT_OK


def cmd_passwd(args: argparse.Namespace) -> int:
    vault = Vault(args.vault)
    vault.acquire()
    user = user_of(vault, args)
    old = read_passphrase(_("Current passphrase for {user}: ").format(user=user) if user
                          else _("Current passphrase: "))
    vault.change_passphrase(user, old, read_new_passphrase())
    say(_("Passphrase changed.") if not user else _("Passphrase of {user} changed.").format(user=user))
    return EXIT_OK


def read_shares_interactively() -> str:
    """Shares from standard input: a file piped in, or typed one by one in a terminal until enough."""
    from fieldapp.store.shares import describe_reading, read_shares

    if not sys.stdin.isatty():
        return sys.stdin.read()
    typed = ""
    while True:
        line = input(_("Share {n} (33 words; an empty line stops): ").format(n=len(read_shares(typed).shares) + 1))
        if not line.strip():
            return typed
        candidate = typed + "\n" + line
        try:
            reading = read_shares(candidate)
        except FieldappError as error:
            warn(str(error))
            continue
        typed = candidate
        say(describe_reading(reading))
        if reading.threshold and not reading.missing and not reading.partial_words:
            return typed


def cmd_recover(args: argparse.Namespace) -> int:
    vault = Vault(args.vault)
    vault.acquire()
    if args.shares:
        text = read_text_file(args.shares) if args.shares != "-" else read_shares_interactively()
        session = vault.unlock_with_shares(text, args.user)
        how = _("Vault opened with the recovery shares; {user} has a new passphrase.")
    else:
        session = vault.unlock_with_recovery(read_text_file(args.recovery_file).strip(), args.user)
        how = _("Vault opened with the recovery key; {user} has a new passphrase.")
    with session:
        session.set_passphrase(session.user, read_new_passphrase())
        say(how.format(user=session.user))
    return EXIT_OK


def cmd_recovery_shares(args: argparse.Namespace) -> int:
    """Split the recovery key into k-of-n shares, one printed sheet each (one PDF, a page a share)."""
    from fieldapp.documents.recovery_sheet import write_share_sheets
    from fieldapp.store.shares import split_recovery_key

    vault = Vault(args.vault)
    key, site_name, office_code = vault.check_recovery_key(read_text_file(args.recovery_file))
    shares = split_recovery_key(key, args.threshold, args.count)
    write_share_sheets(Path(args.output), shares, args.threshold, site_name, office_code)
    say(_("{count} share sheets written to {file}: any {k} of them open the vault. Print the file, give each "
          "sheet to a different person, then delete the file.").format(count=len(shares), file=args.output,
                                                                           k=args.threshold))
    return EXIT_OK


def cmd_quick_delete(args: argparse.Namespace) -> int:
    from fieldapp.store.quick_delete import describe

    vault = Vault(args.vault)
    if args.after_failures is not None:
        with open_session(args) as session:
            vault = session.vault
            vault.set_delete_after_failures(session, args.after_failures)
        say(_("The vault will be deleted after {n} wrong passphrases in a row.").format(n=args.after_failures)
            if args.after_failures else _("The vault will not be deleted after wrong passphrases."))
        return EXIT_OK
    if not args.yes:
        raise CommandError(_("Quick delete destroys this laptop's copy of the vault for good: add --yes to do it."))
    if not vault.has_remains():
        raise CommandError(_("There is no vault at {path}.").format(path=vault.path))
    vault.acquire_for_deletion()  # refused while the vault is open in another window or command
    if sys.stdin.isatty():
        try:
            for left in range(5, 0, -1):
                print("\r" + _("Deleting the vault in {n} s; Ctrl+C cancels.").format(n=left), end="", flush=True)
                time.sleep(1)
            print()
        except KeyboardInterrupt:
            print()
            say(_("Quick delete cancelled; nothing was deleted."))
            vault.release()
            return EXIT_FAILURE
    say(describe(vault.quick_delete()))
    return EXIT_OK


def cmd_import_places(args: argparse.Namespace) -> int:
    from fieldapp.domain.gazetteer import read_pcode_report
    from fieldapp.ops.places import import_line

    report = read_pcode_report(Path(args.csv))  # read and checked before the vault is touched
    for warning in report.warnings:
        say(warning)
    with open_session(args) as session:
        result = session.places.import_places(report.places, source=Path(args.csv).name)
        say(import_line(Path(args.csv).name, result))
    return EXIT_OK


def collect_stats(session: Session) -> dict:
    from fieldapp.core.changes import ListQuery

    def by_status(repository, column="status"):
        return dict(sorted(repository.count_by(column).items()))

    return {
        "site": session.site_name,
        "referrals": {"total": session.referrals.count(), "by_status": by_status(session.referrals)},
        "services": {"total": session.services.count(), "by_status": by_status(session.services)},
        "alerts": {"total": session.alerts.count(), "by_status": by_status(session.alerts)},
        "trainings": {"total": session.trainings.count()},
        "providers": {"total": session.providers.count(),
                      "active": session.providers.count(ListQuery(filters={"active": True}))},
        "places": {"total": session.places.count(),
                   "by_level": {f"admin{level}": n for level, n in session.places.count_by_level().items()}},
        "audit_entries": session.audit.count(),
    }


def print_stats(session: Session, as_json: bool) -> None:
    from fieldapp.domain import vocab

    stats = collect_stats(session)
    if as_json:
        say(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    say(_("Site: {site}").format(site=stats["site"]))
    rows = [
        (_("Referrals"), stats["referrals"], vocab.REFERRAL_STATUS),
        (_("Referral services"), stats["services"], vocab.SERVICE_STATUS),
        (_("Alerts"), stats["alerts"], vocab.ALERT_STATUS),
    ]
    def labelled(label: str, value) -> str:
        # One translatable pattern, so French gets its space before the colon.
        return _("{label}: {value}").format(label=label, value=value)

    for title, numbers, vocabulary in rows:
        detail = ", ".join(labelled(vocabulary.label(code), n) for code, n in numbers["by_status"].items())
        say("  " + labelled(title, numbers["total"]) + (f" ({detail})" if detail else ""))
    say("  " + labelled(_("Trainings"), stats["trainings"]["total"]))
    say("  " + _("Providers: {total} ({active} active)").format(**stats["providers"]))
    levels = ", ".join(labelled(name, n) for name, n in stats["places"]["by_level"].items())
    say("  " + labelled(_("Places"), stats["places"]["total"]) + (f" ({levels})" if levels else ""))
    say("  " + labelled(_("Audit entries"), stats["audit_entries"]))


def cmd_stats(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        print_stats(session, args.json)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        problems = session.verify()
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(_("Verification failed: {n} problem(s).").format(n=len(problems)), file=sys.stderr)
        return EXIT_FAILURE
    say(_("Vault verified: encrypted pages, database integrity and audit chain all hold."))
    return EXIT_OK


def register(add) -> None:
    sub = add("init", cmd_init, _("create a new vault"), user_option=False)
    sub.add_argument("--site", required=True, help=_("site name, e.g. “Beni field office”"))
    sub.add_argument("--office-code", required=True, help=_("2 to 8 capitals used in survivor codes, e.g. BNI"))
    sub.add_argument("--user", dest="user", required=True, help=_("first user of the vault"))
    sub.add_argument("--recovery-file", help=_("write the recovery key to this file instead of printing it"))

    sub = add("demo", cmd_demo, _("create a demo vault filled with synthetic records"))
    sub.add_argument("--records", type=int, default=500, help=_("referrals and alerts to create (default 500)"))
    sub.add_argument("--recovery-file", help=_("write the recovery key to this file instead of printing it"))

    sub = add("add-user", cmd_add_user, _("add a user with their own passphrase"))
    sub.add_argument("name")
    add("passwd", cmd_passwd, _("change your passphrase"))
    sub = add("recover", cmd_recover, _("open with the recovery key (or k of its shares) and set a new passphrase"),
              user_option=False)
    source = sub.add_mutually_exclusive_group(required=True)
    source.add_argument("--recovery-file", help=_("file holding the AGE-SECRET-KEY-1… line"))
    source.add_argument("--shares", metavar="FILE", help=_("file holding k of the recovery shares' words "
                                                           "(- : type them one by one)"))
    sub.add_argument("--user", dest="user", required=True, help=_("user whose passphrase is set"))
    sub = add("recovery-shares", cmd_recovery_shares, _("split the recovery key into shares, one sheet each"),
              user_option=False)
    sub.add_argument("--recovery-file", required=True, help=_("file holding the AGE-SECRET-KEY-1… line"))
    sub.add_argument("--threshold", "-k", type=int, required=True, help=_("how many shares open the vault"))
    sub.add_argument("--count", "-n", type=int, required=True, help=_("how many shares to make (at most 16)"))
    sub.add_argument("-o", "--output", required=True, help=_("PDF file of the sheets, one page a share"))
    sub = add("quick-delete", cmd_quick_delete, _("destroy this laptop's copy of the vault (key slots, then the "
                                                  "database)"))
    sub.add_argument("--yes", action="store_true", help=_("really delete (a 5-second countdown in a terminal)"))
    sub.add_argument("--after-failures", type=int, metavar="N", help=_(
        "instead: delete after N wrong passphrases in a row (0: never; needs your passphrase)"))
    sub = add("import-places", cmd_import_places, _("import an OCHA P-code CSV into the gazetteer"))
    sub.add_argument("csv")
    sub = add("stats", cmd_stats, _("count records, statuses and places"))
    sub.add_argument("--json", action="store_true", help=_("print JSON"))
    add("verify", cmd_verify, _("check encryption, database integrity and the audit chain"))
