"""Sync bundles of the 200 000-record vault beside the same work with bare libraries, and the peak
memory of an export and an import at two vault sizes (each in a fresh process).

Export baseline: SELECT the same rows → JSON lines → gzip (level 1) → age-encrypt to the same two
recipients with pyrage → write and fsync. The app's bundle is not compressed; the baseline does
that extra step because the issue's baseline names it. Import baseline: decrypt the app's own
bundle with pyrage → read the tar → parse every line → executemany into a fresh copy of the same
headquarters vault, in one transaction.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import pyrage  # noqa: E402
from pyrage import x25519  # noqa: E402

from fieldapp.store.convert import column_kinds  # noqa: E402
from fieldapp.store.sync_store import SYNCED_TABLES  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402
from fieldapp.sync.bundle import export_bundle  # noqa: E402
from fieldapp.sync.importer import import_bundle  # noqa: E402
from fieldapp.sync.site import HEADQUARTERS, Site  # noqa: E402
from timing import Row, bare_connection, peak_rss_mib, raw_key, timed  # noqa: E402

HQ_USER, HQ_PASSPHRASE = "demo", "benchmark-passphrase"
TABLES = ("referrals", "referral_services", "alerts", "trainings")


class Sites:
    """The field vault(s) and a headquarters template that enrolled them, with recovery keys."""

    def __init__(self, work: Path, fields: dict[str, tuple[Path, str]]):
        self.work, self.fields = work, fields
        session, self.hq_key = Vault.create(work / "hq-template", "Headquarters", "HQ", HQ_USER, HQ_PASSPHRASE)
        with session:
            hq_site = Site(session)
            hq_site.set_role(HEADQUARTERS)
            for path, key in fields.values():
                with Vault(path).unlock_with_recovery(key, HQ_USER) as field:
                    Site(field).enrol(hq_site.card())
                    hq_site.enrol(Site(field).card())
        (work / "hq-template" / "fieldapp.lock").unlink(missing_ok=True)

    def fresh_hq(self, name: str) -> Path:
        target = self.work / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.work / "hq-template", target)
        return target


# -- the baselines -----------------------------------------------------------------------------
def export_baseline(db_path: Path, key: bytes, recipients: list[str], out: Path) -> int:
    bare = bare_connection(db_path, key)
    buffer = io.BytesIO()
    count = 0
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1) as packed:
        queries = {
            "referrals": "SELECT {cols} FROM referrals WHERE consent_reporting = 1",
            "referral_services": "SELECT {cols} FROM referral_services WHERE referral_id IN "
                                 "(SELECT id FROM referrals WHERE consent_reporting = 1)",
            "alerts": "SELECT {cols} FROM alerts", "trainings": "SELECT {cols} FROM trainings"}
        for table in TABLES:
            kinds = column_kinds(SYNCED_TABLES[table])
            names = [name for name, _kind in kinds]
            lists = [i for i, (_name, kind) in enumerate(kinds) if kind == "json"]
            for row in bare.execute(queries[table].format(cols=", ".join(names))):
                values = list(row)
                for i in lists:
                    values[i] = json.loads(values[i])
                packed.write((json.dumps(dict(zip(names, values)), ensure_ascii=False) + "\n").encode("utf-8"))
                count += 1
    encrypted = pyrage.encrypt(buffer.getvalue(), [x25519.Recipient.from_str(r) for r in recipients])
    with open(out, "wb") as handle:
        handle.write(encrypted)
        handle.flush()
        os.fsync(handle.fileno())
    bare.close()
    return count


def import_baseline(bundle: Path, identity: str, db_path: Path, key: bytes) -> int:
    plaintext = pyrage.decrypt(bundle.read_bytes(), [x25519.Identity.from_str(identity)])
    bare = bare_connection(db_path, key)
    count = 0
    with tarfile.open(fileobj=io.BytesIO(plaintext)) as archive:
        bare.execute("BEGIN IMMEDIATE")
        for member in archive.getmembers():
            table = member.name.removesuffix(".jsonl")
            if table not in SYNCED_TABLES:
                continue
            kinds = column_kinds(SYNCED_TABLES[table])
            names = [name for name, _kind in kinds]
            rows = []
            for line in archive.extractfile(member).read().splitlines():
                record = json.loads(line)
                rows.append([json.dumps(record[n], separators=(",", ":")) if k == "json" else
                             (int(record[n]) if k == "bool" else record[n]) for n, k in kinds])
            bare.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                             rows)
            count += len(rows)
        bare.execute("COMMIT")
    bare.close()
    return count


# -- in-process timing ---------------------------------------------------------------------------
def export_and_import(sites: Sites, field_name: str, runs: int, log) -> tuple[Row, Row, Path]:
    field_path, field_key = sites.fields[field_name]
    export = Row("Bundle export, full, to headquarters", baseline_label="SELECT → JSON lines → gzip → age → file",
                 limit=2.0)
    out = sites.work / "bundles"
    out.mkdir(exist_ok=True)
    with Vault(field_path).unlock_with_recovery(field_key, HQ_USER) as session:
        site = Site(session)
        recipients = [site.find_peer("HQ")["age_recipient"], str(site.age_identity.to_public())]
        key = raw_key(field_path, field_key)
        bundle = None
        for run in range(runs):
            seconds, result = timed(lambda: export_bundle(session, "HQ", out, full=True))
            export.app.append(seconds)
            if bundle is not None:
                bundle.unlink()
            bundle = result.path
            export.baseline.append(timed(lambda: export_baseline(field_path / "fieldapp.db", key, recipients,
                                                                  out / "baseline.age"))[0])
            log(f"    export run {run + 1}: app {export.app[-1]:.1f} s, baseline {export.baseline[-1]:.1f} s")
        export.note = f"{result.total} records, {bundle.stat().st_size / 2**20:.0f} MiB"
    imported = Row("Bundle import of the same bundle into headquarters",
                   baseline_label="age decrypt → parse → executemany", limit=3.0)
    with Vault(sites.work / "hq-template").unlock_with_recovery(sites.hq_key, HQ_USER) as hq:
        hq_identity = str(Site(hq).age_identity)
    hq_db_key = raw_key(sites.work / "hq-template", sites.hq_key)
    for run in range(runs):
        target = sites.fresh_hq("hq-run")
        with Vault(target).unlock_with_recovery(sites.hq_key, HQ_USER) as hq:
            imported.app.append(timed(lambda: import_bundle(hq, bundle))[0])
        target = sites.fresh_hq("hq-run")
        imported.baseline.append(timed(lambda: import_baseline(bundle, hq_identity, target / "fieldapp.db",
                                                               hq_db_key))[0])
        log(f"    import run {run + 1}: app {imported.app[-1]:.1f} s, baseline {imported.baseline[-1]:.1f} s")
    return export, imported, bundle


# -- peak memory, each phase in its own process --------------------------------------------------
def child(phase: str, vault: str, key: str, target: str) -> None:
    session = Vault(vault).unlock_with_recovery(key, HQ_USER)
    with session:
        before = peak_rss_mib()
        started = time.perf_counter()
        if phase == "export":
            result = export_bundle(session, "HQ", Path(target), full=True)
            records = result.total
        else:
            result = import_bundle(session, Path(target))
            records = sum(sum(counts.values()) - counts.get("conflicts", 0) for counts in result.counts.values())
        seconds = time.perf_counter() - started
    print(json.dumps({"records": records, "seconds": seconds, "peak_mib": peak_rss_mib(), "unlocked_mib": before}))


def measure_memory(sites: Sites, log) -> Row:
    """Export then import at each vault size; the peak must not grow with the bundle."""
    figures = {}
    for name, (path, key) in sites.fields.items():
        out = sites.work / f"memory-{name}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        phases = {}
        for phase in ("export", "import"):
            if phase == "export":
                vault, vault_key, target = path, key, out
            else:
                vault, vault_key, target = sites.fresh_hq(f"hq-memory-{name}"), sites.hq_key, next(out.glob("*.fieldbundle"))
            output = subprocess.run([sys.executable, __file__, phase, str(vault), vault_key, str(target)],
                                    check=True, capture_output=True, text=True).stdout
            phases[phase] = json.loads(output.strip().splitlines()[-1])
            log(f"    {phase} of {phases[phase]['records']} records: peak {phases[phase]['peak_mib']:.0f} MiB "
                f"(after unlock {phases[phase]['unlocked_mib']:.0f} MiB), {phases[phase]['seconds']:.1f} s")
        figures[name] = phases
    small, large = figures["small"], figures["large"]
    growth = {phase: large[phase]["peak_mib"] / small[phase]["peak_mib"] for phase in ("export", "import")}
    ratio = large["export"]["records"] / small["export"]["records"]
    text = ", ".join(f"{phase} {small[phase]['peak_mib']:.0f} → {large[phase]['peak_mib']:.0f} MiB"
                     for phase in ("export", "import"))
    return Row(f"Peak memory of export / import, bundle {ratio:.1f}× larger", figure=text,
               target="flat (< 1.25× for a 4× bundle)", met=all(g < 1.25 for g in growth.values()),
               note=f"{small['export']['records']} vs {large['export']['records']} records; each in a fresh process")


if __name__ == "__main__":  # a child process: PHASE VAULT RECOVERY_KEY TARGET
    child(*sys.argv[1:5])
