"""Time and peak memory to export and to import a full sync bundle of a large demo vault.

    .venv/bin/fieldapp --vault /tmp/sync-big demo --records 200000     # once, a few minutes
    .venv/bin/python benchmarks/sync_bundle.py --vault /tmp/sync-big

The demo vault is copied (it is left as it was); a headquarters vault is created beside the copy,
the two enrol each other, then the export and the import each run in a fresh process, which
prints its wall and CPU time and the peak resident memory sampled while it works. CPU time is
the figure to compare on a shared machine; wall time is what a user waits on an idle laptop.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldapp.demo import DEMO_PASSPHRASE, DEMO_USER  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402
from fieldapp.sync.site import HEADQUARTERS, Site  # noqa: E402

HQ_PASSPHRASE = "benchmark-passphrase"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class RssSampler(threading.Thread):
    """The largest resident size seen while a phase runs. ru_maxrss alone would report the
    unlock: age's scrypt for the passphrase slot briefly takes a few hundred MiB."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self._done = 0, threading.Event()

    def run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._done.wait(0.02):
            with open("/proc/self/statm") as handle:
                self.peak = max(self.peak, int(handle.read().split()[1]) * page)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak / 2**20


def setup(work: Path, source: Path) -> None:
    shutil.copytree(source, work / "field", ignore=shutil.ignore_patterns("fieldapp.lock"))
    hq, _recovery = Vault.create(work / "hq", "Headquarters", "HQ", DEMO_USER, HQ_PASSPHRASE)
    with hq:
        hq_site = Site(hq)
        hq_site.set_role(HEADQUARTERS)
        hq_card = hq_site.card()
        with Vault(work / "field").unlock(DEMO_USER, DEMO_PASSPHRASE) as field:
            field_site = Site(field)
            field_site.enrol(hq_card)
            hq_site.enrol(field_site.card())


def child(phase: str, work: Path) -> None:
    from fieldapp.sync.bundle import export_bundle
    from fieldapp.sync.importer import import_bundle

    if phase == "export":
        session = Vault(work / "field").unlock(DEMO_USER, DEMO_PASSPHRASE)
    else:
        session = Vault(work / "hq").unlock(DEMO_USER, HQ_PASSPHRASE)
    with session:
        sampler = RssSampler()
        sampler.start()
        started, cpu = time.perf_counter(), time.process_time()
        if phase == "export":
            (work / "out").mkdir(exist_ok=True)
            result = export_bundle(session, "Headquarters", work / "out", full=True)
            records, size = result.total, result.path.stat().st_size
        else:
            path = next((work / "out").glob("*.fieldbundle"))
            result = import_bundle(session, path)
            records = sum(counts["new"] + counts["updated"] + counts["unchanged"] for counts in result.counts.values())
            size = path.stat().st_size
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        phase_peak = sampler.stop()
    print(json.dumps({"phase": phase, "records": records, "seconds": seconds, "cpu": cpu, "bytes": size,
                      "phase_peak_mib": phase_peak, "process_peak_mib": peak_mib()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path, default=Path("/tmp/sync-big"), help="demo vault to export from")
    parser.add_argument("--phase", choices=["export", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args.phase, args.work)
        return
    if not Vault(args.vault).exists():
        sys.exit(f"No demo vault at {args.vault}; make one with: .venv/bin/fieldapp --vault {args.vault} "
                 "demo --records 200000")
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as folder:
        work = Path(folder)
        setup(work, args.vault)
        for phase in ("export", "import"):
            output = subprocess.run([sys.executable, __file__, "--phase", phase, "--work", str(work)],
                                    check=True, capture_output=True, text=True).stdout
            figures = json.loads(output.strip().splitlines()[-1])
            print(f"{phase:6}  {figures['records']:>7} records  {figures['seconds']:6.1f} s wall  "
                  f"{figures['cpu']:6.1f} s CPU  {figures['records'] / figures['cpu']:>6.0f} records/CPU-s  "
                  f"bundle {figures['bytes'] / 2**20:5.1f} MiB  peak RSS {figures['phase_peak_mib']:5.1f} MiB "
                  f"(process, unlock included: {figures['process_peak_mib']:.0f} MiB)", flush=True)


if __name__ == "__main__":
    main()
