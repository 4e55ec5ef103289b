"""Documents for a period and an area, as PDF or XLSX: `fieldapp mara-report` and `fieldapp sharing-stats`
(--from --to [--area] --lang [--format] -o), one argument set and one format rule for both."""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldapp.cli.common import EXIT_OK, open_session, parse_date, say
from fieldapp.documents.common import LANGUAGE_SPECS
from fieldapp.i18n import _


def output_format(args: argparse.Namespace) -> str:
    """--format, or the output file's extension (xlsx or pdf)."""
    return args.format or ("xlsx" if str(args.output).lower().endswith(".xlsx") else "pdf")


def add_period_document(add, name: str, handler, summary: str) -> None:
    """A command writing a document for a period and an area, in a language, as PDF or XLSX."""
    sub = add(name, handler, summary)
    sub.add_argument("--from", dest="date_from", type=parse_date, metavar="DATE", required=True,
                     help=_("first day, e.g. 2026-01-01"))
    sub.add_argument("--to", dest="date_to", type=parse_date, metavar="DATE", required=True,
                     help=_("last day, included"))
    sub.add_argument("--area", help=_("P-code of the area (default: all areas)"))
    sub.add_argument("--lang", choices=list(LANGUAGE_SPECS), default="en", help=_("en, fr or en+fr"))
    sub.add_argument("--format", choices=["pdf", "xlsx"], help=_("pdf or xlsx (default: from the file name)"))
    sub.add_argument("-o", "--output", required=True, help=_("file to write"))


def cmd_mara_report(args: argparse.Namespace) -> int:
    from fieldapp.ops.mara import make_mara_report

    with open_session(args) as session:
        path = make_mara_report(session, args.date_from, args.date_to, args.area or "", args.lang,
                                output_format(args), Path(args.output))
    say(_("MARA report written to {file}.").format(file=path))
    return EXIT_OK


def cmd_sharing_stats(args: argparse.Namespace) -> int:
    from fieldapp.ops.sharing_stats import make_sharing_stats

    with open_session(args) as session:
        path = make_sharing_stats(session, args.date_from, args.date_to, args.area or "", args.lang,
                                  output_format(args), Path(args.output))
    say(_("Information-sharing statistics written to {file}.").format(file=path))
    return EXIT_OK


def register(add) -> None:
    add_period_document(add, "mara-report", cmd_mara_report,
                        _("write the MARA quarterly report (CRSV incidents, parties, commitments) to a PDF or XLSX "
                          "file"))
    add_period_document(add, "sharing-stats", cmd_sharing_stats,
                        _("write the monthly GBV information-sharing statistics (consented referrals only, figures "
                          "under 5 hidden) to a PDF or XLSX file"))
