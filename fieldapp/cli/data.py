"""Data coming in and going out (docs/DESIGN.md 9): `import` from spreadsheets, the GBVIMS Incident Recorder
workbook (`export-ir`, `import-ir`) and the Open Referral HSDS tables (`hsds`)."""

from __future__ import annotations

import argparse
import sys

from fieldapp.cli.common import EXIT_OK, CommandError, open_session, say
from fieldapp.i18n import _


def cmd_import(args: argparse.Namespace) -> int:
    from fieldapp.ops.imports import Mapping, analyse, kind_of, load_mapping, run_import
    from fieldapp.documents.spreadsheet import Workbook

    kind = kind_of(args.kind)
    mapping = load_mapping(args.mapping) if args.mapping else Mapping(kind.name)
    if args.mapping and mapping.kind != kind.name:
        raise CommandError(_("The mapping {file} is for {found}, not {kind}.").format(
            file=args.mapping, found=mapping.kind, kind=kind.name))
    if args.sheet:
        mapping.sheet = args.sheet
    analyse(Workbook(args.file), kind, mapping)  # a file that cannot be read fails before the vault opens

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total or '?'}", end="", file=sys.stderr, flush=True)

    with open_session(args) as session:
        report = run_import(session, kind.name, args.file, mapping, dry_run=args.dry_run, progress=progress,
                            refused_csv=args.refused)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for line in report.lines(limit=args.show):
        say(line)
    if args.refused and report.refused_rows:
        say(_("Refused rows written to {file}.").format(file=args.refused))
    return EXIT_OK


def cmd_export_ir(args: argparse.Namespace) -> int:
    from fieldapp.ops.incident_recorder import export_incident_recorder

    with open_session(args) as session:
        result = export_incident_recorder(session, args.output)
    say(_("{rows} referrals written to {file} in the Incident Recorder layout ({left_out} without consent to "
           "reporting left out).").format(rows=result.rows, file=result.path, left_out=result.left_out))
    return EXIT_OK


def cmd_import_ir(args: argparse.Namespace) -> int:
    from fieldapp.ops.incident_recorder import import_incident_recorder

    with open_session(args) as session:
        report = import_incident_recorder(session, args.file, dry_run=args.dry_run)
    for line in report.lines():
        say(line)
    return EXIT_OK


def cmd_hsds(args: argparse.Namespace) -> int:
    from fieldapp.ops.hsds import export_hsds, import_hsds

    with open_session(args) as session:
        if args.action == "export":
            count = export_hsds(session, args.folder)
            say(_("{count} providers written as HSDS tables to {folder}.").format(count=count, folder=args.folder))
            return EXIT_OK
        report = import_hsds(session, args.folder, dry_run=args.dry_run)
    for line in report.lines():
        say(line)
    return EXIT_OK


def register(add) -> None:
    from fieldapp.documents.import_fields import KINDS

    sub = add("import", cmd_import, _("import providers, alerts, trainings or referrals from a CSV or XLSX file"))
    sub.add_argument("kind", choices=sorted(KINDS))
    sub.add_argument("file")
    sub.add_argument("--mapping", help=_("a mapping saved by the import wizard (JSON)"))
    sub.add_argument("--sheet", help=_("the sheet of an XLSX workbook (default: the first)"))
    sub.add_argument("--dry-run", action="store_true", help=_("show what would change, write nothing"))
    sub.add_argument("--refused", help=_("write the refused rows, with the reason, to this CSV file"))
    sub.add_argument("--show", type=int, default=50, help=_("problems to list (default 50)"))

    sub = add("export-ir", cmd_export_ir, _("export referrals to a GBVIMS Incident Recorder workbook"))
    sub.add_argument("-o", "--output", required=True, help=_("the .xlsx file to write"))
    sub = add("import-ir", cmd_import_ir, _("import referrals from a GBVIMS Incident Recorder workbook"))
    sub.add_argument("file")
    sub.add_argument("--dry-run", action="store_true", help=_("show what would change, write nothing"))
    sub = add("hsds", cmd_hsds, _("export or import the directory as Open Referral HSDS tables"))
    sub.add_argument("action", choices=["export", "import"])
    sub.add_argument("folder", help=_("folder of the HSDS CSV tables"))
    sub.add_argument("--dry-run", action="store_true", help=_("show what would change, write nothing"))
