"""What every benchmark shares: timing runs, the result rows of the table, the bare-library
connection the baselines use, and a description of the machine."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyrage
import sqlcipher3
from pyrage import x25519

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    """One line of the results table. Times in seconds; `limit` is the target ratio (app / baseline)
    and `ceiling` an absolute target in seconds for the app's median, when the issue sets one."""

    operation: str
    app: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    baseline_label: str = ""
    limit: float | None = None
    ceiling: float | None = None
    note: str = ""
    # For rows that are not a pair of timings (memory, frame times): the figure and its target.
    figure: str = ""
    target: str = ""
    met: bool | None = None

    @property
    def app_median(self) -> float | None:
        return statistics.median(self.app) if self.app else None

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    @property
    def ratio(self) -> float | None:
        if self.app_median is None or not self.baseline_median:
            return None
        return self.app_median / self.baseline_median

    @property
    def ok(self) -> bool | None:
        if self.met is not None:
            return self.met
        checks = []
        if self.limit is not None and self.ratio is not None:
            checks.append(self.ratio <= self.limit)
        if self.ceiling is not None and self.app_median is not None:
            checks.append(self.app_median <= self.ceiling)
        return all(checks) if checks else None

    def target_text(self) -> str:
        if self.target:
            return self.target
        parts = []
        if self.limit is not None:
            parts.append(f"≤ {self.limit:g}×")
        if self.ceiling is not None:
            parts.append(f"< {seconds_text(self.ceiling)}")
        return ", ".join(parts)


def seconds_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def alternate(app: Callable[[], object], baseline: Callable[[], object], runs: int, row: Row,
              setup: Callable[[], None] | None = None) -> None:
    """Run app and baseline in turn, `runs` times each, so drifts (cache, load) hit both alike."""
    for _ in range(runs):
        for function, times in ((app, row.app), (baseline, row.baseline)):
            if setup is not None:
                setup()
            times.append(timed(function)[0])


def raw_key(vault_path: Path, recovery_key: str) -> bytes:
    """The vault's database key, opened with the bare age library from the recovery slot."""
    slot = (vault_path / "keys" / "recovery.age").read_bytes()
    return pyrage.decrypt(slot, [x25519.Identity.from_str(recovery_key)])


def bare_connection(db_path: Path, key: bytes) -> sqlcipher3.Connection:
    """sqlcipher3 with the settings any careful program would use: WAL, synchronous FULL."""
    connection = sqlcipher3.connect(str(db_path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    connection.execute("PRAGMA cipher_memory_security = OFF")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    connection = sqlcipher3.connect(":memory:")
    cipher = connection.execute("PRAGMA cipher_version").fetchone()[0]
    sqlite = connection.execute("SELECT sqlite_version()").fetchone()[0]
    connection.close()
    try:
        import PySide6
        qt = PySide6.__version__
    except ImportError:
        qt = "—"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"CPU": f"{cpu}, {os.cpu_count()} logical cores", "Memory": memory,
            "System": f"{platform.system()} {platform.release()}", "Python": sys.version.split()[0],
            "SQLCipher": f"{cipher} (SQLite {sqlite})", "PySide6": qt, "pyrage": _version("pyrage"),
            "Load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()), "Commit": commit}


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    fork and exec, so a child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
