"""Command line: `fieldapp mara-report --from --to [--area] --lang [--format] -o`, and the arguments it
shares with the other period documents (`sharing-stats`)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from fieldapp.documents.common import LANGUAGE_SPECS
from fieldapp.i18n import _


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a date like 2026-01-31.").format(value=value)) from None


def open_session(args):
    from fieldapp.cli import open_session as open_cli_session

    return open_cli_session(args)


def say(message: str) -> None:
    print(message, flush=True)


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
    return 0


def register(add) -> None:
    add_period_document(add, "mara-report", cmd_mara_report,
                        _("write the MARA quarterly report (CRSV incidents, parties, commitments) to a PDF or XLSX "
                          "file"))
