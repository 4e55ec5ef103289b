"""Quick delete (docs/DESIGN.md 5, *suppression rapide*): make this laptop's copy of the vault unreadable
for good. Every key slot, the recovery slot included, is overwritten with random bytes, flushed
and removed; then the database, its write-ahead log and every other file of the vault go.

Without a slot the database is ciphertext under a random 256-bit key nobody holds any more, so
the slots are what must go first and for sure. The data lives on only in backups and bundles
already made (the paper recovery key opens a backup). Nothing is left to audit this in.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp.errors import VaultError
from fieldapp.i18n import _

VAULT_FILES = ("fieldapp.db", "fieldapp.db-wal", "fieldapp.db-shm", "fieldapp.db-journal", "unlock-attempts.json",
               "fieldapp.lock")


class VaultDeleted(VaultError):
    """Raised by an unlock that ended in the quick delete chosen for too many failures."""

    def __init__(self, message: str, report: "DeleteReport"):
        super().__init__(message)
        self.report = report


@dataclass
class DeleteReport:
    slots: int = 0
    database_bytes: int = 0
    other_files: int = 0
    left: list[str] = field(default_factory=list)  # files that could not be removed

    @property
    def complete(self) -> bool:
        return not self.left


def _overwrite_and_remove(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b", buffering=0) as handle:
        handle.write(secrets.token_bytes(max(size, 1)))
        os.fsync(handle.fileno())
    os.unlink(path)


def quick_delete(vault) -> DeleteReport:
    """Destroy the vault folder's contents (the caller has locked any open session).

    Takes the one-writer lock if nobody holds it; a vault open in another program is refused.
    Goes on past a file it cannot remove and lists it in the report."""
    path = Path(vault.path)
    if not path.is_dir():
        raise VaultError(_("There is no vault at {path}.").format(path=path))
    vault.acquire_for_deletion()
    report = DeleteReport()
    keys = path / "keys"
    if keys.is_dir():
        # The slots first, each overwritten before it goes: they alone make the database readable.
        for slot in sorted(keys.iterdir()):
            try:
                if slot.is_file():
                    counted_slot = slot.suffix == ".age"
                    _overwrite_and_remove(slot)
                    report.slots += counted_slot
                    report.other_files += not counted_slot
                else:
                    shutil.rmtree(slot)
            except OSError:
                report.left.append(str(slot))
        try:
            keys.rmdir()
        except OSError:
            report.left.append(str(keys))
    for name in VAULT_FILES:
        target = path / name
        if name == "fieldapp.lock":
            vault.release()  # Windows cannot remove a file that is held open
        if not target.exists():
            continue
        try:
            size = target.stat().st_size
            os.unlink(target)
            if name.startswith("fieldapp.db"):
                report.database_bytes += size
            else:
                report.other_files += 1
        except OSError:
            report.left.append(str(target))
    for leftover in path.glob(".backup-*"):  # a killed backup's snapshot, encrypted like the database
        shutil.rmtree(leftover, ignore_errors=True)
        if leftover.exists():
            report.left.append(str(leftover))
    try:
        path.rmdir()  # only if nothing else is in it: files a person put there are not ours to remove
    except OSError:
        pass
    return report


def describe(report: DeleteReport) -> str:
    """What was destroyed, and where the data still lives: shown after a quick delete."""
    from fieldapp.i18n import format_number, ngettext

    megabytes = format_number(round(report.database_bytes / 1_000_000, 1))
    text = ngettext("Deleted from this laptop: {n} key slot (the recovery slot included) and the database "
                    "({size} MB) with its journal.",
                    "Deleted from this laptop: {n} key slots (the recovery slot included) and the database "
                    "({size} MB) with its journal.", report.slots).format(n=report.slots, size=megabytes)
    text += " " + _("Nothing on this laptop can open these records any more. Backups and bundles already sent are "
                    "the only copies: a backup opens with the recovery key on paper or a passphrase of that time.")
    if report.left:
        text += " " + _("Could not remove: {files}.").format(files=", ".join(report.left))
    return text
