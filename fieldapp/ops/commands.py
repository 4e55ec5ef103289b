"""Command-line access to data coming in and going out (DESIGN.md 9): `import`."""

from __future__ import annotations

import argparse
import sys

from fieldapp.i18n import _


def _open(args):
    from fieldapp.cli import open_session

    return open_session(args)


def _say(message: str) -> None:
    print(message, flush=True)


def cmd_import(args: argparse.Namespace) -> int:
    from fieldapp.ops.imports import Mapping, analyse, kind_of, load_mapping, run_import
    from fieldapp.documents.spreadsheet import Workbook

    kind = kind_of(args.kind)
    mapping = load_mapping(args.mapping) if args.mapping else Mapping(kind.name)
    if args.mapping and mapping.kind != kind.name:
        _say(_("The mapping {file} is for {found}, not {kind}.").format(file=args.mapping, found=mapping.kind,
                                                                          kind=kind.name))
        return 1
    if args.sheet:
        mapping.sheet = args.sheet
    analyse(Workbook(args.file), kind, mapping)  # a file that cannot be read fails before the vault opens

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total or '?'}", end="", file=sys.stderr, flush=True)

    with _open(args) as session:
        report = run_import(session, kind.name, args.file, mapping, dry_run=args.dry_run, progress=progress,
                            refused_csv=args.refused)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for line in report.lines(limit=args.show):
        _say(line)
    if args.refused and report.refused_rows:
        _say(_("Refused rows written to {file}.").format(file=args.refused))
    return 0


def cmd_export_ir(args: argparse.Namespace) -> int:
    from fieldapp.ops.incident_recorder import export_incident_recorder

    with _open(args) as session:
        result = export_incident_recorder(session, args.output)
    _say(_("{rows} referrals written to {file} in the Incident Recorder layout ({left_out} without consent to "
           "reporting left out).").format(rows=result.rows, file=result.path, left_out=result.left_out))
    return 0


def cmd_import_ir(args: argparse.Namespace) -> int:
    from fieldapp.ops.incident_recorder import import_incident_recorder

    with _open(args) as session:
        report = import_incident_recorder(session, args.file, dry_run=args.dry_run)
    for line in report.lines():
        _say(line)
    return 0


def cmd_hsds(args: argparse.Namespace) -> int:
    from fieldapp.ops.hsds import export_hsds, import_hsds

    with _open(args) as session:
        if args.action == "export":
            count = export_hsds(session, args.folder)
            _say(_("{count} providers written as HSDS tables to {folder}.").format(count=count, folder=args.folder))
            return 0
        report = import_hsds(session, args.folder, dry_run=args.dry_run)
    for line in report.lines():
        _say(line)
    return 0


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
