"""Command line: `fieldapp mara-report --from --to [--area] --lang [--format] -o`."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from fieldapp.documents.common import LANGUAGE_SPECS
from fieldapp.i18n import _


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a date like 2026-01-31.").format(value=value)) from None


def _open(args):
    from fieldapp.cli import open_session

    return open_session(args)


def _say(message: str) -> None:
    print(message, flush=True)


def cmd_mara_report(args: argparse.Namespace) -> int:
    from fieldapp.ops.mara import make_mara_report

    fmt = args.format or ("xlsx" if str(args.output).lower().endswith(".xlsx") else "pdf")
    with _open(args) as session:
        path = make_mara_report(session, args.date_from, args.date_to, args.area or "", args.lang, fmt,
                                Path(args.output))
    _say(_("MARA report written to {file}.").format(file=path))
    return 0


def register(add) -> None:
    sub = add("mara-report", cmd_mara_report, _("write the MARA quarterly report (CRSV incidents, parties, "
                                                "commitments) to a PDF or XLSX file"))
    sub.add_argument("--from", dest="date_from", type=_date, metavar="DATE", required=True,
                     help=_("first day, e.g. 2026-01-01"))
    sub.add_argument("--to", dest="date_to", type=_date, metavar="DATE", required=True, help=_("last day, included"))
    sub.add_argument("--area", help=_("P-code of the area (default: all areas)"))
    sub.add_argument("--lang", choices=list(LANGUAGE_SPECS), default="en", help=_("en, fr or en+fr"))
    sub.add_argument("--format", choices=["pdf", "xlsx"], help=_("pdf or xlsx (default: from the file name)"))
    sub.add_argument("-o", "--output", required=True, help=_("file to write"))
