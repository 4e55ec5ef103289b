"""Atomic file writes: temp file beside the target, owner-only permissions, fsync, os.replace.

A reader (or a crash) never sees half a file under the final name; a failure leaves no temp file.
Also the free-space checks and the one message for a full disk, so that no out-of-space error is
ever reported as a damaged file (docs/DESIGN.md 5).
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator


@contextlib.contextmanager
def atomic_writer(path: Path | str, mode: int = 0o600) -> Iterator[BinaryIO]:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        os.chmod(temp_name, mode)
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    fsync_folder(target.parent)


def atomic_write(path: Path | str, data: bytes, mode: int = 0o600) -> None:
    with atomic_writer(path, mode) as handle:
        handle.write(data)


def fsync_folder(folder: Path) -> None:
    # The rename itself must reach the disk; Windows cannot open a folder for fsync.
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# -- a full disk -----------------------------------------------------------------------------------
_NO_SPACE = {errno.ENOSPC} | ({errno.EDQUOT} if hasattr(errno, "EDQUOT") else set())
# SQLite's SQLITE_FULL, as the sqlite3 and sqlcipher3 modules word it.
_SQLITE_FULL = "database or disk is full"


def is_out_of_space(error: BaseException | None) -> bool:
    """True for a write refused for want of space: an OSError (ENOSPC, EDQUOT) or SQLite's
    SQLITE_FULL, also when wrapped as the cause or context of another error."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OSError) and error.errno in _NO_SPACE:
            return True
        if _SQLITE_FULL in str(error):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def free_bytes(folder: Path | str) -> int:
    """Free space where `folder` is, or would be created (its nearest existing parent)."""
    place = Path(folder).absolute()
    while not place.exists() and place != place.parent:
        place = place.parent
    return shutil.disk_usage(place).free


def _megabytes(size: int) -> int:
    return max(1, math.ceil(size / 1_000_000))


def out_of_space_message(folder: Path | str, needed: int, at_least: bool = False) -> str:
    """The one message for a full disk: "Not enough space on FOLDER, N MB needed (M MB free)…"."""
    from fieldapp.i18n import _, format_number

    try:
        free = _megabytes(free_bytes(folder)) if free_bytes(folder) >= 1_000_000 else 0
    except OSError:
        free = 0
    template = (_("Not enough space on {place}, more than {needed} MB needed ({free} MB free); nothing was "
                  "changed.") if at_least else
                _("Not enough space on {place}, {needed} MB needed ({free} MB free); nothing was changed."))
    return template.format(place=Path(folder), needed=format_number(_megabytes(needed)), free=format_number(free))


def space_problem(folder: Path | str, needed: int) -> str | None:
    """The out-of-space message if `folder` has less than `needed` bytes free, else None."""
    try:
        free = free_bytes(folder)
    except OSError:
        return None  # cannot tell: the write itself will say
    return out_of_space_message(folder, needed) if free < needed else None
