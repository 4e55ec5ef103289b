"""One writer per vault: an OS file lock that dies with its process, so a crash leaves no stale lock."""

from __future__ import annotations

import json
import os
from pathlib import Path

from fieldapp.errors import VaultBusy
from fieldapp.i18n import _

if os.name == "nt":
    import msvcrt
else:
    import fcntl


class VaultLock:
    """Held from the moment a process opens a vault until it exits or releases it.

    The lock is the OS lock on the file, not the file's presence: a file left by a crashed
    process is unlocked, recognised as stale, and taken over (its pid is replaced by ours).
    """

    def __init__(self, path: Path):
        self.path = path
        self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> None:
        if self._handle is not None:
            return
        handle = open(self.path, "a+b")
        try:
            self._lock(handle)
        except OSError:
            holder = self._read_holder()
            handle.close()
            raise VaultBusy(_("This vault is already open in another fieldapp window or command "
                              "(process {pid} on {host}). Close it first.").format(
                pid=holder.get("pid", "?"), host=holder.get("host", "?"))) from None
        # A holder still named in the file is a process that ended without releasing it: ours replaces it.
        handle.seek(0)
        handle.truncate()
        import socket  # here rather than at the top: not needed to show the unlock screen

        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode())
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        handle.seek(0)
        handle.truncate()
        handle.flush()
        self._unlock(handle)
        handle.close()

    def _read_holder(self) -> dict:
        try:
            return json.loads(self.path.read_bytes() or b"{}")
        except (OSError, ValueError):
            return {}

    @staticmethod
    def _lock(handle) -> None:
        if os.name == "nt":
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    @staticmethod
    def _unlock(handle) -> None:
        if os.name == "nt":
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
