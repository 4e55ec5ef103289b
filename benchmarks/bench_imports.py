"""A 100 000-row spreadsheet import, beside the bare libraries doing the same work.

App: `fieldapp.ops.imports.run_import` of a CSV of 100 000 CAN alerts (French headers, `;`,
cp1252) into a new vault holding the DR Congo gazetteer: header and value matching, validation,
source keys, one transaction, audit. Baseline: the csv module reads the same file and sqlcipher3
inserts the same number of rows (same columns, values already in their stored form) with
executemany in one transaction, on a database keyed and set up as the vault's (WAL,
synchronous = FULL). Each runs in its own process so its peak memory (VmHWM) is its own.

    python benchmarks/bench_imports.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PCODES = ROOT / "resources"


def write_file(path: Path, rows: int) -> None:
    channels = ["Appel", "SMS", "Radio", "En personne"]
    threats = ["Attaque; Pillage", "Présence d'hommes armés", "Enlèvement", "Violences sexuelles"]
    places = ["CD6109", "CD6101", "Beni", "Goma"]
    import csv

    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Date de réception", "Canal", "Type de menace", "Localisation", "Gravité", "Code du relais",
                         "Localité"])
        for n in range(rows):
            day, minute = 1 + n % 28, n % 1440
            writer.writerow([f"{day:02d}/10/2025 {minute // 60:02d}:{minute % 60:02d}", channels[n % 4],
                             threats[n % 4], places[n % 4], "Élevée", f"RAN-{n % 97:03d}", f"Village {n % 311}"])


def peak_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_app(folder: Path, data: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from fieldapp.domain.gazetteer import read_pcode_file
    from fieldapp.ops.imports import run_import
    from fieldapp.store.vault import Vault

    # The vault is made by another process: its scrypt run would otherwise set this one's peak memory.
    session = Vault(folder / "vault").unlock_with_recovery((folder / "key.txt").read_text(), "bench")
    started = time.perf_counter()
    report = run_import(session, "alerts", data)
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    second = run_import(session, "alerts", data, dry_run=True)
    again = time.perf_counter() - again
    session.close()
    return {"seconds": seconds, "created": report.created, "refused": report.refused, "peak_mb": peak_mb(),
            "reimport_dry_run_seconds": again, "reimport_unchanged": second.unchanged}


def create_vault(folder: Path, data: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from fieldapp.domain.gazetteer import read_pcode_file
    from fieldapp.store.vault import Vault

    session, key = Vault.create(folder / "vault", "Bench", "BEN", "bench", "bench-passphrase-long")
    pcodes = next(PCODES.rglob("*pcodes*.csv"), None) or ROOT.parent / "shared/data/pcodes/COD_pcodes.csv"
    session.places.import_places(read_pcode_file(pcodes))
    session.close()
    (folder / "key.txt").write_text(key)
    return {}


def run_baseline(folder: Path, data: Path) -> dict:
    import csv
    import uuid

    import sqlcipher3

    connection = sqlcipher3.connect(str(folder / "bare.db"), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("CREATE TABLE alerts (id TEXT PRIMARY KEY, received_at TEXT, channel TEXT, threat_types TEXT,"
                       " location_pcode TEXT, severity TEXT, source_code TEXT, locality TEXT)")
    started = time.perf_counter()
    with data.open(encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        connection.execute("BEGIN IMMEDIATE")
        batch = []
        for row in reader:
            batch.append((str(uuid.uuid4()), *row))
            if len(batch) == 2000:
                connection.executemany("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
                batch = []
        connection.executemany("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    count = connection.execute("SELECT count(*) FROM alerts").fetchone()[0]
    connection.close()
    return {"seconds": seconds, "created": count, "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--part", choices=["create", "app", "baseline"])
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.part:
        folder = Path(args.folder)
        result = {"create": create_vault, "app": run_app, "baseline": run_baseline}[args.part](folder, folder / "alerts.csv")
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="fieldapp-bench-import-") as temp:
        folder = Path(temp)
        write_file(folder / "alerts.csv", args.rows)
        results = {}
        for part in ("create", "baseline", "app"):
            done = subprocess.run([sys.executable, __file__, "--part", part, "--folder", temp],
                                  capture_output=True, text=True, cwd=ROOT)
            if done.returncode:
                sys.exit(f"{part} failed:\n{done.stderr[-3000:]}")
            results[part] = json.loads(done.stdout.strip().splitlines()[-1])
    app, bare = results["app"], results["baseline"]
    print(f"| Import {args.rows:,} alert rows (CSV, cp1252, `;`) | {app['seconds']:.1f} s, peak {app['peak_mb']:.0f} MB "
          f"| {bare['seconds']:.1f} s, peak {bare['peak_mb']:.0f} MB | {app['seconds'] / bare['seconds']:.0f}× |")
    print(f"| Same file again, dry run ({app['reimport_unchanged']:,} unchanged) | {app['reimport_dry_run_seconds']:.1f} s | | |")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
