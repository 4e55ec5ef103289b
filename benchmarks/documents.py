"""How long the documents take on a big vault: the referral-pathway sheet of the whole demo
directory (its 40 providers, 39 of them active) in each language, a one-year period report, and
streamed exports. Prints seconds and peak memory; no assertion.

    .venv/bin/fieldapp --vault /tmp/docs-big demo --records 200000      # once, a few minutes
    .venv/bin/python benchmarks/documents.py /tmp/docs-big [passphrase]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from fieldapp.demo import DEMO_PASSPHRASE, DEMO_USER
from fieldapp.documents.exports import export
from fieldapp.documents.pathway_sheet import render, sheet_data
from fieldapp.documents.common import Languages
from fieldapp.documents.report import build_report
from fieldapp.core.changes import ListQuery
from fieldapp.store.vault import Vault


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<58} {time.perf_counter() - started:6.2f} s   (peak memory so far {peak:.0f} MiB)", flush=True)
    return result


def main() -> None:
    folder = Path(sys.argv[1])
    passphrase = sys.argv[2] if len(sys.argv) > 2 else DEMO_PASSPHRASE
    session = Vault(folder).unlock(DEMO_USER, passphrase)
    try:
        print(f"vault: {session.referrals.count()} referrals, {session.services.count()} services, "
              f"{session.alerts.count()} alerts, {session.trainings.count()} trainings")
        area = "CD"  # the whole country: every provider of the demo directory
        for spec in ("en", "fr", "en+fr"):
            languages = Languages(spec)
            data = sheet_data(session, area, languages)
            pdf, pages, size = timed(f"pathway sheet, {len(data.providers)} providers, {spec}",
                                     lambda: render(sheet_data(session, area, languages), languages))
            print(f"    {pages} page(s), body type {size} pt, {len(pdf) // 1024} KiB")
        today = date.today()
        year = (today - timedelta(days=364), today)
        for spec in ("en", "en+fr"):
            pdf = timed(f"one-year report (all areas), {spec}", lambda: build_report(session, *year, "", spec))
            print(f"    {len(pdf) // 1024} KiB")
        timed("one-year report, Nord-Kivu (CD61), fr", lambda: build_report(session, *year, "CD61", "fr"))
        timed("one-month report (all areas), en",
              lambda: build_report(session, today - timedelta(days=30), today, "", "en"))
        with tempfile.TemporaryDirectory() as scratch:
            for kind, fmt in (("referrals", "csv"), ("referrals", "xlsx"), ("services", "csv")):
                result = timed(f"export {kind} {fmt}, en+fr with HXL, one year",
                               lambda: export(session, kind, Path(scratch) / f"{kind}.{fmt}", fmt, "en+fr", True,
                                              ListQuery(date_from=year[0], date_to=year[1])))
                print(f"    {result.rows} rows")
    finally:
        session.close()


if __name__ == "__main__":
    main()
