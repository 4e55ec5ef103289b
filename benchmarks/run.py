"""The benchmark suite: every operation of the app on a 200 000-record vault (200 000 referrals,
200 000 alerts, 20 000 trainings), beside the same work done with the bare libraries in the same
run, printed as medians and ratios and written to docs/PERFORMANCE.md with the machine it ran on.

    .venv/bin/python benchmarks/run.py            # or: bash dev.sh bench
    .venv/bin/python benchmarks/run.py --quick    # fewer runs, no memory-at-two-sizes step
    .venv/bin/python benchmarks/run.py --only gui # one part again; the others keep their last results
                                                  # (store, bundles, memory, gui, memsec)

The vaults are built once (a few minutes) and cached in ~/.cache/fieldapp-bench (see
vault_cache.py); each run works on copies under that folder, never in the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import bench_bundles  # noqa: E402
import bench_exports  # noqa: E402
import bench_gui  # noqa: E402
import bench_mara  # noqa: E402
import bench_memsec  # noqa: E402
import bench_store  # noqa: E402
from timing import Row, bare_connection, machine, raw_key, seconds_text  # noqa: E402
from vault_cache import cache_root, cached_mara_vault, cached_vault  # noqa: E402

DOC = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- benchmark results: start -->", "<!-- benchmark results: end -->"
PARTS = ("store", "bundles", "memory", "gui", "memsec", "data", "mara")
TITLES = {"store": "Store", "bundles": "Sync bundles", "memory": "Memory of export and import", "gui": "Desktop app",
          "memsec": "Cost of wiping freed memory", "data": "Spreadsheet exports and imports",
          "mara": "MARA: CRSV incidents and the quarterly report"}


def results_file():
    return cache_root() / "results.json"


def load_results() -> dict:
    try:
        return json.loads(results_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_part(part: str, rows: list[Row], facts: dict, seconds: float) -> None:
    """Kept between runs, so `--only gui` updates the GUI rows and keeps the others' last results."""
    results = load_results()
    results[part] = {"when": time.strftime("%Y-%m-%d %H:%M %Z"), "seconds": seconds, "facts": facts,
                     "rows": [asdict(row) for row in rows]}
    results_file().write_text(json.dumps(results, indent=1), encoding="utf-8")


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


def _written_parts(text: str) -> dict[str, str]:
    """Each part's heading and table as the document holds them now, by part name."""
    inside = text.split(START, 1)[1].split(END, 1)[0] if START in text and END in text else ""
    by_title = {f"**{title}**": part for part, title in TITLES.items()}
    found, current = {}, None
    for line in inside.splitlines():
        heading = next((part for title, part in by_title.items() if line.startswith(title + " (")), None)
        if heading:
            current = heading
            found[current] = [line]
        elif current and (line.startswith("|") or (not line and len(found[current]) == 1)):
            found[current].append(line)
        else:
            current = None
    return {part: "\n".join(block) for part, block in found.items()}


def write_doc(results: dict) -> None:
    latest = max(results.values(), key=lambda part: part["when"])
    lines = [START, "Written by `python benchmarks/run.py`; each part shows when it last ran.", "",
             "| machine | |", "|---|---|", *(f"| {key} | {value} |" for key, value in latest["facts"].items()), ""]
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n" + START + "\n" + END + "\n"
    written = _written_parts(text)
    for part in PARTS:
        if part not in results:
            # Measured on another machine or before the kept results were lost: keep its rows as written.
            if part in written:
                lines += [written[part], ""]
            continue
        found = results[part]
        load = found["facts"].get("Load average at start", "?")
        lines += [f"**{TITLES[part]}** ({found['when']}, {found['seconds'] / 60:.0f} min, load average at start "
                  f"{load}, commit {found['facts'].get('Commit', '?')})", "",
                  table([Row(**row) for row in found["rows"]]), ""]
    lines.append(END)
    block = "\n".join(lines)
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, skip memory at two sizes")
    parser.add_argument("--records", type=int, default=200_000, help="referrals and alerts in the vault")
    parser.add_argument("--incidents", type=int, default=100_000, help="CRSV incidents in the MARA part's vault")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only these parts (repeatable)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/PERFORMANCE.md alone")
    args = parser.parse_args()
    parts = args.only or [part for part in PARTS if not (args.quick and part == "memory")]
    runs = {"few": 2 if args.quick else 3, "many": 8 if args.quick else 25}
    facts = machine()
    log("Machine: " + "; ".join(f"{k}: {v}" for k, v in facts.items()))
    # The MARA part has a vault of its own: `--only mara` neither builds nor needs the big one.
    big = cached_vault(args.records, log) if set(parts) - {"mara"} else None
    work = cache_root() / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    everything: list[Row] = []
    for part in parts:
        started = time.monotonic()
        facts["Load average at start"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        log(f"{TITLES[part]}:")
        rows = PART_RUNNERS[part](big, work, runs, args)
        for row in rows:
            log(f"  {row.operation}: " + (row.figure or f"{seconds_text(row.app_median)} vs "
                                                       f"{seconds_text(row.baseline_median)}")
                + ("" if row.ok is None else (" (met)" if row.ok else " (MISSED)")))
        everything += rows
        if not args.no_write and args.records == 200_000 and args.incidents == 100_000:
            save_part(part, rows, dict(facts), time.monotonic() - started)
    log("")
    log(table(everything))
    if not args.no_write and args.records == 200_000 and args.incidents == 100_000:
        write_doc(load_results())
        log(f"Written to {DOC.relative_to(ROOT)}")
    shutil.rmtree(work, ignore_errors=True)


def run_store(big, work: Path, runs: dict, _args) -> list[Row]:
    vault = big.working_copy(work / "store")
    session = big.open(vault)
    bare = bare_connection(vault / "fieldapp.db", raw_key(vault, big.recovery_key))
    rows: list[Row] = []
    for step, count in ((bench_store.first_page, runs["many"]), (bench_store.search, runs["many"]),
                        (bench_store.period_report, runs["few"]), (bench_store.single_save, runs["many"] * 2),
                        (bench_store.bulk_insert, runs["few"])):
        made = step(session, bare, count)
        rows += made if isinstance(made, list) else [made]
    bare.close()
    session.close()
    shutil.rmtree(vault)
    return rows


def run_bundles(big, work: Path, runs: dict, _args) -> list[Row]:
    sites = bench_bundles.Sites(work / "bundles", {"large": (big.working_copy(work / "bundles" / "field"),
                                                             big.recovery_key)})
    export, imported, _bundle = bench_bundles.export_and_import(sites, "large", runs["few"], log)
    shutil.rmtree(work / "bundles")
    return [export, imported]


def run_memory(big, work: Path, _runs: dict, args) -> list[Row]:
    small = cached_vault(args.records // 4, log)
    folder = work / "memory"
    sites = bench_bundles.Sites(folder, {"small": (small.working_copy(folder / "field-small"), small.recovery_key),
                                         "large": (big.working_copy(folder / "field"), big.recovery_key)})
    row = bench_bundles.measure_memory(sites, log)
    shutil.rmtree(folder)
    return [row]


def run_gui(big, work: Path, _runs: dict, args) -> list[Row]:
    vault = big.working_copy(work / "gui")
    rows = bench_gui.measure(vault, big.user, big.passphrase, big.recovery_key, 3 if args.quick else 7, log)
    shutil.rmtree(vault)
    return rows


def run_memsec(big, work: Path, runs: dict, _args) -> list[Row]:
    vault = big.working_copy(work / "memsec")
    rows = bench_memsec.measure(vault, big.recovery_key, runs["many"], log)
    shutil.rmtree(vault)
    return rows


def run_data(big, work: Path, runs: dict, args) -> list[Row]:
    """CSV and XLSX exports of every consented referral beside csv / XlsxWriter, then the
    100 000-row spreadsheet import (benchmarks/bench_imports.py, in processes of its own)."""
    import subprocess

    vault = big.working_copy(work / "data")
    session = big.open(vault)
    bare = bare_connection(vault / "fieldapp.db", raw_key(vault, big.recovery_key))
    rows = bench_exports.measure(session, bare, runs["few"], work / "data-out")
    bare.close()
    session.close()
    shutil.rmtree(vault)
    shutil.rmtree(work / "data-out", ignore_errors=True)
    done = subprocess.run([sys.executable, str(BENCH / "bench_imports.py"), "--rows", "100000"], capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"bench_imports failed:\n{done.stderr[-3000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    app, baseline = found["app"], found["baseline"]
    rows.append(Row("Import 100 000 alert rows from a CSV (cp1252, `;`, French headers)", app=[app["seconds"]],
                    baseline=[baseline["seconds"]], baseline_label="csv module + sqlcipher3 executemany, one "
                    "transaction", note=f"peak {app['peak_mb']:.0f} MB against {baseline['peak_mb']:.0f} MB; "
                    f"the same file again, dry run: {app['reimport_dry_run_seconds']:.1f} s"))
    return rows


def run_mara(_big, work: Path, runs: dict, args) -> list[Row]:
    """The Incidents list and the MARA quarterly report on a vault of 100 000 incidents of its own
    (the 200 000-record vault holds a third as many), beside bare sqlcipher3 (bench_mara.py)."""
    mara_vault = cached_mara_vault(args.incidents, log)
    vault = mara_vault.working_copy(work / "mara")
    session = mara_vault.open(vault)
    bare = bare_connection(vault / "fieldapp.db", raw_key(vault, mara_vault.recovery_key))
    rows = bench_mara.first_pages(session, bare, runs["many"]) + bench_mara.quarterly_report(session, bare,
                                                                                              runs["few"] + 2)
    bare.close()
    session.close()
    shutil.rmtree(vault)
    return rows


PART_RUNNERS = {"store": run_store, "bundles": run_bundles, "memory": run_memory, "gui": run_gui,
                "memsec": run_memsec, "data": run_data, "mara": run_mara}


if __name__ == "__main__":
    main()
