"""The sync commands of the command line: office cards, adding an office (enrolment), the
role, identity export, data files (bundles) out and in, the state of each office added, and conflict
review. The words are the Sync page's: office card, security code, data file."""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldapp.cli.common import EXIT_FAILURE, EXIT_OK, confirm, open_session, say, warn
from fieldapp.i18n import _, format_datetime, format_stamp
from fieldapp.ops.sync import FileImport, counts_line, import_bundles
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.importer import format_gaps
from fieldapp.sync.merge import keep_winner, restore_other
from fieldapp.sync.review import open_conflicts, peer_statuses
from fieldapp.sync.site import ROLES, Site, read_card


def cmd_site_card(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        card = Site(session).write_card(Path(args.output))
    say(_("Office card of {name} ({role}) written to {file}.").format(name=card.name, role=_(ROLES[card.role]),
                                                                       file=args.output))
    say(_("Security code to read aloud: {code}").format(code=card.fingerprint))
    return EXIT_OK


def cmd_enrol(args: argparse.Namespace) -> int:
    card = read_card(Path(args.card))  # checked before the vault is opened
    with open_session(args) as session:
        site = Site(session)
        say(_("Office: {name} ({code}), {role}").format(name=card.name, code=card.office_code or "—",
                                                         role=_(ROLES[card.role])))
        say(_("Site id: {id}").format(id=card.site_id))
        say(_("Security code: {code}").format(code=card.fingerprint))
        if site.keys_changed(card):
            say(_("Warning: this office was added already, with other keys. Add the new card only if that office "
                   "confirms that its keys changed."))
        confirm(_("Read the security code to each other by phone or radio. Is it the same? Add this office?"),
                 args.yes)
        site.enrol(card)
    say(_("{name} is added.").format(name=card.name))
    return EXIT_OK


def cmd_site_role(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        site = Site(session)
        if args.role:
            site.set_role(args.role)
        say(_("Role of {name}: {role}.").format(name=site.name, role=_(ROLES[site.role])))
    return EXIT_OK


def cmd_export_identity(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        say(_("This file opens every data file sent to or by this office. Keep it offline, in a safe place, "
               "apart from this laptop."))
        confirm(_("Write this office's key to {file}?").format(file=args.output), args.yes)
        Site(session).export_identity(Path(args.output))
    say(_("Key written to {file}; `age -d -i {file}` opens this office's data files.").format(file=args.output))
    return EXIT_OK


def cmd_export_bundle(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        result = export_bundle(session, args.to, Path(args.output), full=args.full)
    say(_("Data file {seq} for {site} written to {file} ({total} records).").format(
        seq=result.seq, site=result.peer_name, file=result.path, total=result.total))
    say("  " + counts_line(result.counts))
    return EXIT_OK


def _tell(item: FileImport) -> None:
    """Each file's lines as soon as it is merged; a refused file's on standard error."""
    for line in item.lines():
        if item.error is not None:
            warn(line)
        else:
            say(line)


def cmd_import_bundle(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        summary = import_bundles(session, [Path(name) for name in args.files], on_file=_tell)
    return EXIT_FAILURE if summary.refused else EXIT_OK


def cmd_sites(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        site = Site(session)
        say(_("This office: {name} ({role}), security code {code}").format(
            name=site.name, role=_(ROLES[site.role]), code=site.card().fingerprint))
        statuses = peer_statuses(session)
    if not statuses:
        say(_("No office added yet: exchange office cards, then `fieldapp enrol CARD`."))
    for status in statuses:
        sent = _("data file {seq} on {date}").format(seq=status.last_sent_seq, date=format_stamp(status.last_sent_at, "—")) \
            if status.last_sent_seq else _("none")
        received = _("data file {seq} on {date}").format(seq=status.last_received_seq,
                                                      date=format_stamp(status.last_received_at, "—")) \
            if status.last_received_seq else _("none")
        say(f"{status.name} ({status.role_label}) — " + _("last sent: {sent}; last received: {received}").format(
            sent=sent, received=received))
        if status.missing:
            say("  " + _("Not yet received: {numbers}").format(numbers=format_gaps(status.missing)))
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        if args.keep is not None:
            keep_winner(session, args.keep)
            say(_("Conflict {n}: the current version is kept.").format(n=args.keep))
            return EXIT_OK
        if args.restore is not None:
            restore_other(session, args.restore)
            say(_("Conflict {n}: the other version is restored.").format(n=args.restore))
            return EXIT_OK
        views = open_conflicts(session)
    if not views:
        say(_("No conflicts to review."))
    for view in views:
        say(_("#{n} {kind} {label}: kept the version of {current} ({current_time}); the other one is from "
               "{other} ({other_time})").format(
            n=view.seq, kind=view.type_label, label=view.label, current=view.current_site,
            current_time=format_datetime(view.current_time, "short") if view.current_time else "—",
            other=view.other_site, other_time=format_datetime(view.other_time, "short") if view.other_time else "—"))
        for name, current, other in view.fields:
            say("    " + _("{label}: {value}").format(label=name, value=f"{current!r} ← {other!r}"))
    if views:
        say(_("Review with `fieldapp conflicts --keep N` or `fieldapp conflicts --restore N`."))
    return EXIT_OK


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
