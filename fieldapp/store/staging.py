"""The hidden folder a restore fills before renaming it into place (store/backup.py), and the
removal of those left by restores that were killed. Apart from backup.py so that the app's
start-up clean-up does not load the backup code."""

from __future__ import annotations

import shutil
from pathlib import Path

from fieldapp.errors import VaultError
from fieldapp.store.lockfile import VaultLock

RESTORING = ".{name}.restoring-"
RESTORE_LOCK = ".restoring.lock"


def remove_restore_leftovers(target: Path | str) -> list[Path]:
    """Remove the hidden staging folders that restores into `target` left when they were killed.

    A restore holds an OS lock on a file in its staging folder while it runs (released by the OS
    when the process dies), so a folder whose lock can be taken is a dead restore's. Returns the
    folders removed."""
    target = Path(target)
    removed = []
    for leftover in target.parent.glob(RESTORING.format(name=target.name) + "*"):
        if not leftover.is_dir() or leftover.is_symlink():
            continue
        lock = VaultLock(leftover / RESTORE_LOCK)
        try:
            lock.acquire()
        except (OSError, VaultError):
            continue  # a restore still running
        lock.release()
        shutil.rmtree(leftover, ignore_errors=True)
        if not leftover.exists():
            removed.append(leftover)
    return removed
