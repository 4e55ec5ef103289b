"""Command line: `fieldapp sharing-stats --from --to [--area] --lang [--format] -o`."""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldapp.documents.common import LANGUAGE_SPECS
from fieldapp.documents.mara_commands import _date, _open, _say
from fieldapp.i18n import _


def cmd_sharing_stats(args: argparse.Namespace) -> int:
    from fieldapp.ops.sharing_stats import make_sharing_stats

    fmt = args.format or ("xlsx" if str(args.output).lower().endswith(".xlsx") else "pdf")
    with _open(args) as session:
        path = make_sharing_stats(session, args.date_from, args.date_to, args.area or "", args.lang, fmt,
                                  Path(args.output))
    _say(_("Information-sharing statistics written to {file}.").format(file=path))
    return 0


def register(add) -> None:
    sub = add("sharing-stats", cmd_sharing_stats, _("write the monthly GBV information-sharing statistics (consented "
                                                    "referrals only, figures under 5 hidden) to a PDF or XLSX file"))
    sub.add_argument("--from", dest="date_from", type=_date, metavar="DATE", required=True,
                     help=_("first day, e.g. 2026-01-01"))
    sub.add_argument("--to", dest="date_to", type=_date, metavar="DATE", required=True, help=_("last day, included"))
    sub.add_argument("--area", help=_("P-code of the area (default: all areas)"))
    sub.add_argument("--lang", choices=list(LANGUAGE_SPECS), default="en", help=_("en, fr or en+fr"))
    sub.add_argument("--format", choices=["pdf", "xlsx"], help=_("pdf or xlsx (default: from the file name)"))
    sub.add_argument("-o", "--output", required=True, help=_("file to write"))
