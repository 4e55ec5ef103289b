"""Driving tests/crash_worker.py: start a step in a forked child, SIGKILL it at a chosen moment,
and return what it reported before dying. Also the checks every killed vault must pass."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp.store.vault import Vault

WORKER = Path(__file__).with_name("crash_worker.py")
# FIELDAPP_SOAK=N runs N times the CI number of kill points (FIELDAPP_SOAK=1 means 20 times).
_SOAK = int(os.environ.get("FIELDAPP_SOAK", "0") or 0)
MULTIPLIER = (20 if _SOAK == 1 else _SOAK) if _SOAK else 1


def kill_points(ci: int) -> int:
    return ci * MULTIPLIER


@dataclass
class Run:
    """What one child reported before it was killed."""

    lines: list[str] = field(default_factory=list)
    killed_after: float = 0.0   # seconds after the start mark
    done_seconds: float | None = None

    def words(self, first: str) -> list[list[str]]:
        return [line.split()[1:] for line in self.lines if line.split()[0] == first]

    @property
    def done(self) -> bool:
        return self.done_seconds is not None


class CrashWorker:
    """The fork server and a thread that reads its stdout into a queue."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, str(WORKER), "serve"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=None, text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("eof")

    def _next(self, deadline: float) -> str | None:
        try:
            return self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def run(self, command: dict, delay: float | None, start_mark: str = "ready", timeout: float = 180.0) -> Run:
        """Start `command`; `delay` seconds after the child prints `start_mark`, SIGKILL it.
        With `delay` None, the child is killed as soon as it reports `done` (a calibration run)."""
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        run, pid, kill_at, killed = Run(), None, None, False
        limit = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if pid is not None and not killed and kill_at is not None and now >= kill_at:
                os.kill(pid, signal.SIGKILL)
                killed = True
                run.killed_after = now - (kill_at - delay)
            wait_until = kill_at if (kill_at is not None and not killed) else limit
            line = self._next(min(wait_until, limit))
            if line is None:
                if time.monotonic() >= limit:
                    if pid is not None:
                        os.kill(pid, signal.SIGKILL)
                        self._drain(pid)
                    raise AssertionError(f"crash worker timed out; it said: {run.lines[-5:]}")
                continue
            if line == "eof":
                raise AssertionError(f"crash worker ended; it said: {run.lines[-5:]}")
            head, _, rest = line.partition(" ")
            if head == "pid":
                pid = int(rest)
            elif head == "exit":
                if not killed:
                    raise AssertionError(f"the step ended by itself: {run.lines[-5:]}")
                return run
            elif head == "error":
                if pid is not None and not killed:
                    os.kill(pid, signal.SIGKILL)
                if pid is not None:
                    self._drain(pid)
                raise AssertionError(f"the step failed: {rest}")
            else:
                run.lines.append(line)  # possibly read after the kill, but written before it
                if head == start_mark and kill_at is None and delay is not None:
                    kill_at = time.monotonic() + delay
                if head == "done":
                    run.done_seconds = float(rest)
                    if delay is None:
                        kill_at, delay = time.monotonic(), 0.0

    def _drain(self, pid: int) -> None:
        """After a failure, read up to the child's `exit` so the next command starts clean."""
        deadline = time.monotonic() + 30
        while (line := self._next(deadline)) not in (None, "eof") and not line.startswith(f"exit {pid}"):
            pass

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def reopen(path: Path, recovery_key: str, user: str):
    """The killed vault must open with the recovery key (and a stale lock must not stop it)."""
    return Vault(path).unlock_with_recovery(recovery_key, user)


def check_opens(path: Path, recovery_key: str, user: str, passphrase: str | None = None) -> list[str]:
    """Open with the passphrase (when given) and the recovery key; return verify()'s problems."""
    if passphrase is not None:
        Vault(path).unlock(user, passphrase).close()
    with reopen(path, recovery_key, user) as session:
        return session.verify()


def final_name_leftovers(folder: Path, suffix: str) -> list[Path]:
    """Files under a final name (not a hidden .part temp file) in `folder`."""
    return sorted(p for p in folder.glob(f"*{suffix}") if not p.name.startswith("."))
