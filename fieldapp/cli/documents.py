"""The documents of the command line: pathway-sheet, referral-slip, report and export."""

from __future__ import annotations

import argparse
import sys

from fieldapp.cli.common import EXIT_OK, open_session, parse_date, say
from fieldapp.documents.common import LANGUAGE_SPECS, write_document
from fieldapp.i18n import _, language
from fieldapp.core.changes import ListQuery


def cmd_pathway_sheet(args: argparse.Namespace) -> int:
    from fieldapp.documents.pathway_sheet import build_pathway_sheet

    with open_session(args) as session:
        if args.contact is not None:
            session.set_office_contact(args.contact)
        pdf = build_pathway_sheet(session, args.area, args.lang)
        path = write_document(session, args.output, pdf, "pathway_sheet", args.area.upper(),
                              {"area": args.area.upper(), "language": args.lang})
    say(_("Referral-pathway sheet for {area} written to {file}.").format(area=args.area.upper(), file=path))
    return EXIT_OK


def cmd_referral_slip(args: argparse.Namespace) -> int:
    from fieldapp.documents.referral_slip import build_referral_slip
    from fieldapp.ops.find import find_referral

    with open_session(args) as session:
        referral = find_referral(session, args.referral)
        pdf = build_referral_slip(session, referral.id, args.lang or language(), args.service or None)
        path = write_document(session, args.output, pdf, "referral_slip", referral.id,
                              {"services": args.service or [], "language": args.lang or language()})
    say(_("Referral slip for {code} written to {file}.").format(code=referral.survivor_code, file=path))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from fieldapp.documents.report import build_report

    with open_session(args) as session:
        pdf = build_report(session, args.date_from, args.date_to, args.area or "", args.lang)
        path = write_document(session, args.output, pdf, "report", "", {
            "from": args.date_from.isoformat(), "to": args.date_to.isoformat(), "area": args.area or "",
            "language": args.lang})
    say(_("Report for {start} to {end} written to {file}.").format(
        start=args.date_from.isoformat(), end=args.date_to.isoformat(), file=path))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from fieldapp.documents.exports import export

    query = ListQuery(date_from=args.date_from, date_to=args.date_to, pcode_prefix=args.area or "")
    with open_session(args) as session:
        result = export(session, args.kind, args.output, args.format, args.lang, args.hxl, query)
    say(_("{rows} rows written to {file}.").format(rows=result.rows, file=result.path))
    if result.left_out:
        print(_("{count} records without consent to reporting were left out.").format(count=result.left_out),
              file=sys.stderr)
    return EXIT_OK


def register(add) -> None:
    from fieldapp.documents.exports import FORMATS, KINDS

    languages = list(LANGUAGE_SPECS)
    sub = add("pathway-sheet", cmd_pathway_sheet, _("print the referral-pathway sheet of an area to a PDF"))
    sub.add_argument("--area", required=True, help=_("P-code of the area (its sub-areas are included)"))
    sub.add_argument("--lang", choices=languages, default="en+fr", help=_("en, fr or en+fr (both side by side)"))
    sub.add_argument("--contact", help=_("the office's own phone and address, printed on sheets and slips "
                                         "(kept for next time)"))
    sub.add_argument("-o", "--output", required=True, help=_("PDF file to write"))

    sub = add("referral-slip", cmd_referral_slip, _("print a referral slip a survivor carries to a provider"))
    sub.add_argument("referral", metavar="REFERRAL_ID", help=_("referral id or survivor code"))
    sub.add_argument("--service", action="append", metavar="ID", help=_("only this service (repeatable)"))
    sub.add_argument("--lang", choices=languages, help=_("en, fr or en+fr (default: the interface language)"))
    sub.add_argument("-o", "--output", required=True, help=_("PDF file to write"))

    sub = add("report", cmd_report, _("write the period report (tables and charts) to a PDF"))
    sub.add_argument("--from", dest="date_from", type=parse_date, metavar="DATE", required=True, help=_("first day, e.g. 2026-01-01"))
    sub.add_argument("--to", dest="date_to", type=parse_date, metavar="DATE", required=True, help=_("last day, included"))
    sub.add_argument("--area", help=_("P-code of the area (default: all areas)"))
    sub.add_argument("--lang", choices=languages, default="en", help=_("en, fr or en+fr"))
    sub.add_argument("-o", "--output", required=True, help=_("PDF file to write"))

    sub = add("export", cmd_export, _("export records to a CSV or XLSX spreadsheet (no notes, consented "
                                      "referrals only)"))
    sub.add_argument("kind", choices=list(KINDS))
    sub.add_argument("--format", choices=list(FORMATS), default="csv")
    sub.add_argument("--lang", choices=languages, default="en", help=_("language of the headers and labels"))
    sub.add_argument("--hxl", action="store_true", help=_("add an HXL hashtag row under the header"))
    sub.add_argument("--from", dest="date_from", type=parse_date, metavar="DATE", help=_("first day, e.g. 2026-01-01"))
    sub.add_argument("--to", dest="date_to", type=parse_date, metavar="DATE", help=_("last day, included"))
    sub.add_argument("--area", help=_("P-code of the area"))
    sub.add_argument("-o", "--output", required=True, help=_("file to write"))
