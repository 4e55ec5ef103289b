"""Sync subcommands of the `fieldapp` command line: office cards, adding an office (enrolment), the
role, identity export, data files (bundles) out and in, the state of each office added, and conflict
review. The words are the Sync page's: office card, security code, data file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldapp.i18n import _, format_datetime, format_number
from fieldapp.sync.bundle import TABLE_LABELS, export_bundle
from fieldapp.sync.importer import format_gaps, import_bundle
from fieldapp.sync.merge import keep_winner, restore_other
from fieldapp.sync.review import open_conflicts, peer_statuses
from fieldapp.sync.site import ROLES, Site, SyncError, read_card


def _say(message: str = "") -> None:
    print(message, flush=True)


def _confirm(question: str, assume_yes: bool) -> None:
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise SyncError(_("Confirmation needed: run in a terminal, or add --yes."))
    answer = input(question + " " + _("[y/N] ")).strip().casefold()
    if answer not in (_("y"), _("yes"), "y", "yes"):
        raise SyncError(_("Nothing was done."))


def _open(args):
    from fieldapp.cli import open_session

    return open_session(args)


def cmd_site_card(args: argparse.Namespace) -> int:
    with _open(args) as session:
        card = Site(session).write_card(Path(args.output))
    _say(_("Office card of {name} ({role}) written to {file}.").format(name=card.name, role=_(ROLES[card.role]),
                                                                       file=args.output))
    _say(_("Security code to read aloud: {code}").format(code=card.fingerprint))
    return 0


def cmd_enrol(args: argparse.Namespace) -> int:
    card = read_card(Path(args.card))  # checked before the vault is opened
    with _open(args) as session:
        site = Site(session)
        _say(_("Office: {name} ({code}), {role}").format(name=card.name, code=card.office_code or "—",
                                                         role=_(ROLES[card.role])))
        _say(_("Site id: {id}").format(id=card.site_id))
        _say(_("Security code: {code}").format(code=card.fingerprint))
        if site.keys_changed(card):
            _say(_("Warning: this office was added already, with other keys. Add the new card only if that office "
                   "confirms that its keys changed."))
        _confirm(_("Read the security code to each other by phone or radio. Is it the same? Add this office?"),
                 args.yes)
        site.enrol(card)
    _say(_("{name} is added.").format(name=card.name))
    return 0


def cmd_site_role(args: argparse.Namespace) -> int:
    with _open(args) as session:
        site = Site(session)
        if args.role:
            site.set_role(args.role)
        _say(_("Role of {name}: {role}.").format(name=site.name, role=_(ROLES[site.role])))
    return 0


def cmd_export_identity(args: argparse.Namespace) -> int:
    with _open(args) as session:
        _say(_("This file opens every data file sent to or by this office. Keep it offline, in a safe place, "
               "apart from this laptop."))
        _confirm(_("Write this office's key to {file}?").format(file=args.output), args.yes)
        Site(session).export_identity(Path(args.output))
    _say(_("Key written to {file}; `age -d -i {file}` opens this office's data files.").format(file=args.output))
    return 0


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(_("{label}: {value}").format(label=_(TABLE_LABELS[table]), value=format_number(n))
                     for table, n in counts.items())


def cmd_export_bundle(args: argparse.Namespace) -> int:
    with _open(args) as session:
        result = export_bundle(session, args.to, Path(args.output), full=args.full)
    _say(_("Data file {seq} for {site} written to {file} ({total} records).").format(
        seq=result.seq, site=result.peer_name, file=result.path, total=result.total))
    _say("  " + _counts_line(result.counts))
    return 0


def cmd_import_bundle(args: argparse.Namespace) -> int:
    failures = 0
    with _open(args) as session:
        for name in args.files:
            try:
                result = import_bundle(session, Path(name))
            except SyncError as error:
                print(f"fieldapp: {error}", file=sys.stderr)
                failures += 1
                continue
            if result.already_imported:
                _say(_("{file}: already imported (data file {seq} from {site}); nothing changed.").format(
                    file=Path(name).name, seq=result.seq, site=result.sender_name))
            else:
                _say(_("{file}: data file {seq} from {site} imported.").format(
                    file=Path(name).name, seq=result.seq, site=result.sender_name))
                for table, counts in result.counts.items():
                    _say("  " + _("{kind}: {new} new, {updated} updated, {unchanged} unchanged, {conflicts} "
                                  "conflicts").format(kind=_(TABLE_LABELS[table]), **counts))
            if result.missing:
                _say("  " + result.gap_message())
    return 1 if failures else 0


def cmd_sites(args: argparse.Namespace) -> int:
    with _open(args) as session:
        site = Site(session)
        _say(_("This office: {name} ({role}), security code {code}").format(
            name=site.name, role=_(ROLES[site.role]), code=site.card().fingerprint))
        statuses = peer_statuses(session)
    if not statuses:
        _say(_("No office added yet: exchange office cards, then `fieldapp enrol CARD`."))
    for status in statuses:
        sent = _("data file {seq} on {date}").format(seq=status.last_sent_seq, date=_when(status.last_sent_at)) \
            if status.last_sent_seq else _("none")
        received = _("data file {seq} on {date}").format(seq=status.last_received_seq,
                                                      date=_when(status.last_received_at)) \
            if status.last_received_seq else _("none")
        _say(f"{status.name} ({status.role_label}) — " + _("last sent: {sent}; last received: {received}").format(
            sent=sent, received=received))
        if status.missing:
            _say("  " + _("Not yet received: {numbers}").format(numbers=format_gaps(status.missing)))
    return 0


def _when(text: str | None) -> str:
    from datetime import datetime

    try:
        return format_datetime(datetime.fromisoformat(text), "short") if text else "—"
    except ValueError:
        return text or "—"


def cmd_conflicts(args: argparse.Namespace) -> int:
    with _open(args) as session:
        if args.keep is not None:
            keep_winner(session, args.keep)
            _say(_("Conflict {n}: the current version is kept.").format(n=args.keep))
            return 0
        if args.restore is not None:
            restore_other(session, args.restore)
            _say(_("Conflict {n}: the other version is restored.").format(n=args.restore))
            return 0
        views = open_conflicts(session)
    if not views:
        _say(_("No conflicts to review."))
    for view in views:
        _say(_("#{n} {kind} {label}: kept the version of {current} ({current_time}); the other one is from "
               "{other} ({other_time})").format(
            n=view.seq, kind=view.type_label, label=view.label, current=view.current_site,
            current_time=format_datetime(view.current_time, "short") if view.current_time else "—",
            other=view.other_site, other_time=format_datetime(view.other_time, "short") if view.other_time else "—"))
        for name, current, other in view.fields:
            _say("    " + _("{label}: {value}").format(label=name, value=f"{current!r} ← {other!r}"))
    if views:
        _say(_("Review with `fieldapp conflicts --keep N` or `fieldapp conflicts --restore N`."))
    return 0


def register(add) -> None:
    sub = add("site-card", cmd_site_card, _("write this office's card (public) for other offices to add"))
    sub.add_argument("-o", "--output", required=True, help=_("card file to write"))
    sub = add("enrol", cmd_enrol, _("add another office from its card (after checking its security code)"))
    sub.add_argument("card")
    sub.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    sub = add("site-role", cmd_site_role, _("show or set whether this vault is a field office or headquarters"))
    sub.add_argument("role", nargs="?", choices=sorted(ROLES), help=_("field or headquarters"))
    sub = add("export-identity", cmd_export_identity,
              _("write the key that opens this office's data files with age, for disaster recovery"))
    sub.add_argument("-o", "--output", required=True, help=_("identity file to write"))
    sub.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    sub = add("export-bundle", cmd_export_bundle, _("write an encrypted data file (bundle) for an office added here"))
    sub.add_argument("--to", required=True, help=_("office name, office code or site id"))
    sub.add_argument("-o", "--output", required=True, help=_("folder to write the data file in"))
    sub.add_argument("--full", action="store_true", help=_("everything, not only what changed since the last bundle"))
    sub = add("import-bundle", cmd_import_bundle, _("check and merge data files (bundles), whatever their names"))
    sub.add_argument("files", nargs="+")
    add("sites", cmd_sites, _("list the offices added here, with their last data files and any gap"))
    sub = add("conflicts", cmd_conflicts, _("list conflicts of sync, or review one"))
    group = sub.add_mutually_exclusive_group()
    group.add_argument("--keep", type=int, metavar="N", help=_("keep the current version of conflict N"))
    group.add_argument("--restore", type=int, metavar="N", help=_("restore the other version of conflict N"))
