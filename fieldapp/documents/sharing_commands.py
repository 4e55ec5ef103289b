"""Command line: `fieldapp sharing-stats --from --to [--area] --lang [--format] -o`."""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldapp.documents.mara_commands import add_period_document, open_session, output_format, say
from fieldapp.i18n import _


def cmd_sharing_stats(args: argparse.Namespace) -> int:
    from fieldapp.ops.sharing_stats import make_sharing_stats

    with open_session(args) as session:
        path = make_sharing_stats(session, args.date_from, args.date_to, args.area or "", args.lang,
                                  output_format(args), Path(args.output))
    say(_("Information-sharing statistics written to {file}.").format(file=path))
    return 0


def register(add) -> None:
    add_period_document(add, "sharing-stats", cmd_sharing_stats,
                        _("write the monthly GBV information-sharing statistics (consented referrals only, figures "
                          "under 5 hidden) to a PDF or XLSX file"))
