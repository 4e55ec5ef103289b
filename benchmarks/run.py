"""The benchmark suite: every operation of the app on a 200 000-record vault (200 000 referrals,
200 000 alerts, 20 000 trainings), beside the same work done with the bare libraries in the same
run, printed as medians and ratios and written to docs/PERFORMANCE.md with the machine it ran on.

    .venv/bin/python benchmarks/run.py            # or: bash dev.sh bench
    .venv/bin/python benchmarks/run.py --quick    # fewer runs, no memory-at-two-sizes step

The vaults are built once (a few minutes) and cached in ~/.cache/fieldapp-bench (see
vault_cache.py); each run works on copies under that folder, never in the repository.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import bench_bundles  # noqa: E402
import bench_gui  # noqa: E402
import bench_store  # noqa: E402
from timing import Row, bare_connection, machine, raw_key, seconds_text  # noqa: E402
from vault_cache import cache_root, cached_vault  # noqa: E402

DOC = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- benchmark results: start -->", "<!-- benchmark results: end -->"


def log(message: str) -> None:
    print(message, flush=True)


def table(rows: list[Row]) -> str:
    lines = ["| operation | fieldapp (median) | bare-library baseline (median) | ratio | target | met |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        if row.figure:
            app, baseline, ratio = row.figure, "—", "—"
        else:
            app = seconds_text(row.app_median) + f" ({len(row.app)} runs)"
            baseline = (f"{seconds_text(row.baseline_median)}: {row.baseline_label}" if row.baseline else "—")
            ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[row.ok]
        note = f" ({row.note})" if row.note else ""
        lines.append(f"| {row.operation}{note} | {app} | {baseline} | {ratio} | {row.target_text()} | {met} |")
    return "\n".join(lines)


def write_doc(rows: list[Row], facts: dict[str, str], seconds: float, command: str) -> None:
    block = "\n".join([
        START,
        f"Run of {time.strftime('%Y-%m-%d %H:%M %Z')}, `{command}`, {seconds / 60:.0f} minutes in all.",
        "",
        "| machine | |", "|---|---|", *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
        table(rows),
        END,
    ])
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n" + START + "\n" + END + "\n"
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, skip memory at two sizes")
    parser.add_argument("--records", type=int, default=200_000, help="referrals and alerts in the vault")
    parser.add_argument("--only", choices=["store", "bundles", "gui"], action="append", help="run only these parts")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/PERFORMANCE.md alone")
    args = parser.parse_args()
    parts = args.only or ["store", "bundles", "gui"]
    runs = {"few": 2 if args.quick else 3, "many": 8 if args.quick else 25}
    started = time.monotonic()
    facts = machine()
    log("Machine: " + "; ".join(f"{k}: {v}" for k, v in facts.items()))
    big = cached_vault(args.records, log)
    work = cache_root() / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log(f"Copying the {args.records}-record vault to {work}…")
    vault = big.working_copy(work / "field")
    rows: list[Row] = []

    if "store" in parts:
        log("Store:")
        session = big.open(vault)
        bare = bare_connection(vault / "fieldapp.db", raw_key(vault, big.recovery_key))
        for step, count in ((bench_store.first_page, runs["many"]), (bench_store.search, runs["many"]),
                            (bench_store.period_report, runs["few"]), (bench_store.single_save, runs["many"] * 2),
                            (bench_store.bulk_insert, runs["few"])):
            made = step(session, bare, count)
            for row in made if isinstance(made, list) else [made]:
                log(f"  {row.operation}: {seconds_text(row.app_median)} vs {seconds_text(row.baseline_median)}"
                    f" → {row.ratio:.2f} ({'met' if row.ok else 'MISSED'})")
                rows.append(row)
        bare.close()
        session.close()
        # The store steps added records: bundles and the GUI work on a clean copy again.
        shutil.rmtree(vault)
        vault = big.working_copy(work / "field")

    if "bundles" in parts:
        log("Bundles:")
        fields = {"large": (vault, big.recovery_key)}
        if not args.quick:
            small = cached_vault(args.records // 4, log)
            fields["small"] = (small.working_copy(work / "field-small"), small.recovery_key)
        sites = bench_bundles.Sites(work, fields)
        export, imported, _bundle = bench_bundles.export_and_import(sites, "large", runs["few"], log)
        rows += [export, imported]
        if not args.quick:
            log("  peak memory at two sizes:")
            rows.append(bench_bundles.measure_memory(sites, log))

    if "gui" in parts:
        log("GUI:")
        gui_vault = big.working_copy(work / "gui")
        rows += bench_gui.measure(gui_vault, big.user, big.passphrase, 3 if args.quick else 7, log)

    seconds = time.monotonic() - started
    log("")
    log(table(rows))
    if not args.no_write:
        command = "python benchmarks/run.py" + (" --quick" if args.quick else "") + \
                  "".join(f" --only {part}" for part in args.only or [])
        write_doc(rows, facts, seconds, command)
        log(f"Written to {DOC.relative_to(ROOT)}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
