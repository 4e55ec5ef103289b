"""The benchmark's 200 000-record demo vault, built once and cached outside the repository.

Building it takes a few minutes (most of it generating and inserting 820 000 rows), so it is kept
in `~/.cache/fieldapp-bench/` (or FIELDAPP_BENCH_CACHE) with its recovery key, keyed by the record
count and a hash of the schema migrations (delete the folder to rebuild after a demo-data change). Benchmarks never write
to the cached vault: `working_copy()` gives each run its own copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fieldapp.demo import DEMO_PASSPHRASE, DEMO_USER, create_demo_vault  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402

RECOVERY_FILE = "recovery-key.txt"


def cache_root() -> Path:
    configured = os.environ.get("FIELDAPP_BENCH_CACHE")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "fieldapp-bench"


def _content_hash() -> str:
    # A new migration makes a new vault: timing a migration on the first unlock would skew the figures.
    digest = hashlib.sha256()
    for path in sorted((ROOT / "fieldapp" / "store" / "migrations").glob("*.sql")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


class CachedVault:
    def __init__(self, path: Path):
        self.path = path
        self.recovery_key = (path.parent / RECOVERY_FILE).read_text(encoding="ascii").strip()
        self.user, self.passphrase = DEMO_USER, DEMO_PASSPHRASE

    def working_copy(self, target: Path) -> Path:
        shutil.copytree(self.path, target, ignore=shutil.ignore_patterns("fieldapp.lock"))
        return target

    def open(self, path: Path | None = None):
        """Unlock (a copy, or the cache read-only use) with the fast X25519 recovery slot."""
        return Vault(path or self.path).unlock_with_recovery(self.recovery_key, self.user)


def cached_vault(records: int, log=print) -> CachedVault:
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        if time.monotonic() - last[0] > 10:
            last[0] = time.monotonic()
            log(f"  {stage}: {done}/{total}")

    def build(building: Path) -> str:
        session, recovery_key, _counts = create_demo_vault(building, records, DEMO_PASSPHRASE, progress)
        session.close()
        return recovery_key

    return _built_once(cache_root() / f"vault-{records}-{_content_hash()}",
                       f"a {records}-record demo vault", build, log)


def _built_once(folder: Path, what: str, build, log) -> CachedVault:
    """The vault cached in `folder`, built first by `build(building_folder) -> recovery key` if it
    is not there. Built under a temporary name, renamed when complete, so an interrupted build is
    never reused."""
    vault_path = folder / "vault"
    if (folder / RECOVERY_FILE).is_file() and Vault(vault_path).exists():
        return CachedVault(vault_path)
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted build
    folder.mkdir(parents=True)
    log(f"Building {what} in {folder} (once; a few minutes)…")
    started = time.monotonic()
    building = folder / "building"
    recovery_key = build(building)
    (building / "fieldapp.lock").unlink(missing_ok=True)
    building.rename(vault_path)
    (folder / RECOVERY_FILE).write_text(recovery_key + "\n", encoding="ascii")
    log(f"  built in {time.monotonic() - started:.0f} s")
    return CachedVault(vault_path)


def cached_mara_vault(incidents: int, log=print) -> CachedVault:
    """A vault of `incidents` demo CRSV incidents (docs/DESIGN.md 2.5), the parties and commitments of
    the demo and the DR Congo gazetteer, cached like the other one; rebuilt when the MARA demo data
    or the schema changes."""
    from datetime import date

    from fieldapp.demo_mara import fill_mara
    from fieldapp.domain.gazetteer import read_pcode_file
    from fieldapp.paths import resources_dir

    digest = hashlib.sha256((_content_hash() + (ROOT / "fieldapp" / "demo_mara.py").read_text("utf-8")).encode())

    def build(building: Path) -> str:
        session, recovery_key = Vault.create(building, "Bureau de Beni (démo)", "BNI", DEMO_USER, DEMO_PASSPHRASE)
        try:
            places = resources_dir() / "pcodes" / "COD_pcodes.csv"
            session.places.import_places(read_pcode_file(places), source=places.name)
            fill_mara(session, incidents, date.today())
        finally:
            session.close()
        return recovery_key

    return _built_once(cache_root() / f"mara-{incidents}-{digest.hexdigest()[:12]}",
                       f"a vault of {incidents} CRSV incidents", build, log)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    log(f"Building a vault of {incidents} CRSV incidents in {folder} (once)…")
    started = time.monotonic()
    building = folder / "building"
    session, recovery_key = Vault.create(building, "Bureau de Beni (démo)", "BNI", DEMO_USER, DEMO_PASSPHRASE)
    try:
        places = resources_dir() / "pcodes" / "COD_pcodes.csv"
        session.places.import_places(read_pcode_file(places), source=places.name)
        fill_mara(session, incidents, date.today())
    finally:
        session.close()
    (building / "fieldapp.lock").unlink(missing_ok=True)
    building.rename(vault_path)
    (folder / RECOVERY_FILE).write_text(recovery_key + "\n", encoding="ascii")
    log(f"  built in {time.monotonic() - started:.0f} s")
    return CachedVault(vault_path)


if __name__ == "__main__":  # python benchmarks/vault_cache.py [RECORDS]: build the cache ahead of time
    built = cached_vault(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
    print(built.path)
