"""Power-cut safety: a process doing real work on a vault is killed with SIGKILL at random moments;
the vault must then open with the passphrase and the recovery key, pass `verify`, hold every save
that had returned, hold an interrupted import wholly or not at all, and show no half-written
export, backup or key slot under a final name.

CI runs about 120 kill points in a couple of minutes; FIELDAPP_SOAK=N runs N times as many
(FIELDAPP_SOAK=1: twenty times). FIELDAPP_CRASH_SEED replays one run. The passphrase (two scrypt
runs, ~2 s) is checked on a sample of kill points, the recovery key on every one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import shutil
import tarfile
from datetime import timedelta
from pathlib import Path

import pyrage
import pytest

from fieldapp.store.backup import restore_backup, write_backup
from fieldapp.store.staging import remove_restore_leftovers
from fieldapp.store.vault import Vault, remove_stale_temp_files
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.conftest import PASSPHRASE, PCODES, USER
from tests.crash_harness import CrashWorker, check_opens, final_name_leftovers, kill_points, reopen
from tests.sync_support import BASE, alert, enrol_both, make_site, referral, service, training

SEED = int(os.environ.get("FIELDAPP_CRASH_SEED", "0") or 0) or random.SystemRandom().randrange(1, 10**9)
PASSPHRASE_SAMPLE = 4  # kill points per scenario whose vault is also opened with the passphrase


@pytest.fixture(scope="module")
def worker():
    server = CrashWorker()
    yield server
    server.close()


@pytest.fixture
def rng(request):
    # One stream per test, reproducible from the seed printed on failure.
    return random.Random(f"{SEED}-{request.node.name}")


def sample(count: int, rng: random.Random) -> set[int]:
    """The kill points also checked with the passphrase: the first, the last and a few between."""
    picks = {0, count - 1} | set(rng.sample(range(count), min(count, PASSPHRASE_SAMPLE - 2)))
    return picks


def one_shot_delay(rng: random.Random, duration: float) -> float:
    """Anywhere in the step half of the time; otherwise in its last half, where it writes and commits."""
    if rng.random() < 0.5:
        return rng.uniform(0.0, duration * 1.25)
    return rng.uniform(duration * 0.5, duration * 1.25)


def base_command(path: Path, recovery_key: str, **extra) -> dict:
    return {"vault": str(path), "recovery_key": recovery_key, "user": USER, **extra}


def assert_vault_sound(path: Path, recovery_key: str, passphrase: str | None, context: str) -> None:
    problems = check_opens(path, recovery_key, USER, passphrase)
    assert problems == [], f"{context}: verify found {problems} (seed {SEED})"


# -- record saves ------------------------------------------------------------------------------
def test_every_save_that_returned_survives_a_kill(worker, vault_copy, rng):
    path, recovery_key = vault_copy
    created: dict[str, set[str]] = {"referral": set(), "alert": set(), "service": set(), "training": set()}
    versions: dict[str, int] = {}
    deleted: set[str] = set()
    count = kill_points(40)
    passphrase_checks = sample(count, rng)
    returned = 0
    for point in range(count):
        run = worker.run(base_command(path, recovery_key, scenario="saves", seed=rng.randrange(10**6)),
                         delay=rng.uniform(0.0, 0.4))
        for kind, record_id in run.words("created"):
            created[kind].add(record_id)
        for _kind, *ids in run.words("bulk"):
            created["training"].update(ids)
        for _kind, record_id, version in run.words("updated"):
            versions[record_id] = max(versions.get(record_id, 0), int(version))
        for _kind, record_id in run.words("deleted"):
            deleted.add(record_id)
        returned += len(run.lines) - 1
        context = f"kill point {point} after {run.killed_after:.3f} s"
        assert_vault_sound(path, recovery_key, PASSPHRASE if point in passphrase_checks else None, context)
        with reopen(path, recovery_key, USER) as session:
            repositories = {"referral": session.referrals, "alert": session.alerts, "service": session.services,
                            "training": session.trainings}
            for kind, ids in created.items():
                found = repositories[kind].get_many(sorted(ids)) if ids else {}
                missing = ids - set(found)
                assert not missing, f"{context}: saved {kind}s lost: {sorted(missing)[:3]} (seed {SEED})"
            notes = {r.id: r.notes for r in session.referrals.get_many(sorted(versions)).values()}
            for record_id, version in versions.items():
                # The update that had returned, or a later one that committed just before the kill.
                assert int(notes[record_id][1:]) >= version, f"{context}: update of {record_id} lost (seed {SEED})"
            for record_id in deleted:
                assert session.alerts.find(record_id).deleted, f"{context}: delete of {record_id} lost"
    assert returned > count, "the kills came before any save returned: the test would prove nothing"
    print(f"\ncrash/saves: {count} kill points, {returned} saves returned and all present, seed {SEED}")


# -- bundle import and export ------------------------------------------------------------------
@pytest.fixture(scope="module")
def sync_sites(template_vault, tmp_path_factory):
    """Beni (field office, ~1 000 records) and headquarters, enrolled both ways; one bundle Beni → HQ."""
    root = tmp_path_factory.mktemp("crash-sync")
    hq = make_site(template_vault, root / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, root / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    with beni.open() as session:
        moments = [BASE - timedelta(hours=n) for n in range(1, 301)]
        referrals = [referral("BNI", n, reported_at=m, incident_date=m.date()) for n, m in enumerate(moments, 1)]
        session.referrals.bulk_create(referrals)
        session.services.bulk_create([service(r.id) for r in referrals])
        session.alerts.bulk_create([alert(n) for n in range(300)])
        session.trainings.bulk_create([training(n) for n in range(100)])
        bundle = export_bundle(session, "HQ", root / "bundles").path
        identity = Site(session).age_identity
        beni_site = session.site_id
    return {"hq": hq, "beni": beni, "bundle": bundle, "beni_identity": identity, "beni_site": beni_site,
            "records": 1000}


def beni_records_in(session, beni_site: str) -> int:
    return sum(session.connection.execute(f"SELECT count(*) FROM {table} WHERE origin_site = ?",
                                          (beni_site,)).fetchone()[0]
               for table in ("referrals", "referral_services", "alerts", "trainings"))


def test_an_interrupted_import_is_wholly_in_or_wholly_absent(worker, sync_sites, tmp_path, rng):
    pristine = sync_sites["hq"]
    hq = pristine.copy(tmp_path / "hq")
    command = base_command(hq.path, hq.recovery_key, scenario="import", bundle=str(sync_sites["bundle"]))
    duration = worker.run(command, delay=None, start_mark="go").done_seconds  # calibration: runs to the end
    count = kill_points(25)
    passphrase_checks = sample(count, rng)
    outcomes = {"in": 0, "absent": 0}
    for point in range(count):
        if rng.random() < 0.7 or point == 0:
            # Mostly a vault without the bundle; otherwise the import runs again over the earlier outcome.
            shutil.rmtree(hq.path)
            hq = pristine.copy(hq.path)
        run = worker.run(command, delay=one_shot_delay(rng, duration), start_mark="go")
        context = f"import kill point {point} at {run.killed_after:.3f} of {duration:.3f} s"
        assert_vault_sound(hq.path, hq.recovery_key, PASSPHRASE if point in passphrase_checks else None, context)
        with reopen(hq.path, hq.recovery_key, USER) as session:
            records = beni_records_in(session, sync_sites["beni_site"])
            logged = session.connection.execute("SELECT count(*) FROM sync_received").fetchone()[0]
            audited = sum(1 for e in session.audit.entries(limit=1000) if e.action == "bundle_imported")
        assert (records, logged, audited) in ((0, 0, 0), (sync_sites["records"], 1, 1)), \
            f"{context}: {records} records, {logged} log rows, {audited} audit entries (seed {SEED})"
        if run.done:
            assert records, f"{context}: the import returned but its records are gone"
        outcomes["in" if records else "absent"] += 1
        # Follow the machine's load: a kill later than the calibrated time that still finds the import
        # unfinished means it now runs slower, so later kill points spread over its new duration.
        if run.done:
            duration = max(duration, run.done_seconds)
        elif not records and run.killed_after > duration:
            duration = run.killed_after * 1.25
    assert outcomes["in"] and outcomes["absent"], f"kills never split the import: {outcomes}"
    print(f"\ncrash/import: {count} kill points over a {duration:.2f} s import of {sync_sites['records']} "
          f"records: {outcomes['in']} wholly in, {outcomes['absent']} wholly absent, seed {SEED}")


def check_bundle_file(path: Path, identity) -> None:
    """A bundle under its final name must be whole: it decrypts and every member matches the manifest."""
    data = pyrage.decrypt(path.read_bytes(), [identity])
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    manifest = json.loads(members["manifest.json"])
    for member in manifest["members"]:
        assert hashlib.sha256(members[member["name"]]).hexdigest() == member["sha256"], path.name


def test_an_interrupted_export_leaves_no_partial_bundle(worker, sync_sites, tmp_path, rng):
    beni = sync_sites["beni"].copy(tmp_path / "beni")
    out = tmp_path / "out"
    out.mkdir()
    with reopen(beni.path, beni.recovery_key, USER) as session:
        earlier = {row[0] for row in session.connection.execute("SELECT file_name FROM sync_sent")}
    count = kill_points(20)
    passphrase_checks = sample(count, rng)
    exported = 0
    for point in range(count):
        run = worker.run(base_command(beni.path, beni.recovery_key, scenario="export", peer="HQ", out=str(out)),
                         delay=rng.uniform(0.0, 0.8))
        exported += len(run.words("exported"))
        context = f"export kill point {point} after {run.killed_after:.3f} s"
        assert_vault_sound(beni.path, beni.recovery_key, PASSPHRASE if point in passphrase_checks else None,
                           context)
        for name, in run.words("exported"):
            assert (out / name).is_file(), f"{context}: returned export {name} is missing"
        for bundle in final_name_leftovers(out, ".fieldbundle"):
            check_bundle_file(bundle, sync_sites["beni_identity"])
        with reopen(beni.path, beni.recovery_key, USER) as session:
            recorded = {row[0] for row in session.connection.execute("SELECT file_name FROM sync_sent")} - earlier
        for name in recorded:
            assert (out / name).is_file(), f"{context}: the vault records bundle {name} as sent, but it is not there"
    assert exported, "no export ever returned: the kills came too early to prove anything"
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    print(f"\ncrash/export: {count} kill points, {exported} exports returned, "
          f"{len(final_name_leftovers(out, '.fieldbundle'))} whole bundles, {len(leftovers)} hidden temp files "
          f"left by kills, seed {SEED}")


# -- passphrase change -------------------------------------------------------------------------
def test_a_killed_passphrase_change_leaves_a_slot_that_opens(worker, vault_copy, rng):
    path, recovery_key = vault_copy
    phrases = [PASSPHRASE, "second passphrase of amina", "third passphrase of amina"]
    current = 0
    count = kill_points(4)
    duration, changed = 0.0, 0
    for point in range(count):
        new = (current + 1) % len(phrases)
        command = {"scenario": "passphrase", "vault": str(path), "user": USER, "old": phrases[current],
                   "new": phrases[new]}
        # The first change runs to the end to measure it; later kills fall anywhere in it.
        delay = one_shot_delay(rng, duration) if duration else None
        run = worker.run(command, delay=delay, start_mark="go")
        if run.done:
            duration = duration or run.done_seconds
        context = f"passphrase kill point {point} after {run.killed_after:.3f} s"
        remove_stale_temp_files(path)  # what the app does on start
        assert not list((path / "keys").glob(".*")), f"{context}: a temp slot was left"
        # The slot holds the old passphrase or the new one; if the change returned, the new one.
        candidates = [new] if run.done else [current, new]
        opened = None
        for candidate in candidates:
            try:
                Vault(path).unlock(USER, phrases[candidate]).close()
            except Exception:  # noqa: BLE001 - the other candidate must then open it
                continue
            opened = candidate
            break
        assert opened is not None, f"{context}: neither the old nor the new passphrase opens the vault"
        changed += opened == new
        current = opened
        assert_vault_sound(path, recovery_key, None, context)
    print(f"\ncrash/passphrase: {count} kill points over a {duration:.2f} s change, {changed} changes "
          f"complete, the rest not begun, seed {SEED}")


# -- places import -----------------------------------------------------------------------------
def renamed_copy(source: Path, target: Path, suffix: str) -> None:
    with open(source, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    name_columns = [i for i, c in enumerate(header) if c.lower().startswith("admin") and "name_" in c.lower()]
    for row in rows[1:]:
        for i in name_columns:
            row[i] = row[i] + suffix
    with open(target, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def test_an_interrupted_places_import_is_all_or_nothing(worker, vault_copy, tmp_path, rng):
    path, recovery_key = vault_copy
    csv_a = PCODES / "CAF_pcodes.csv"
    csv_b = tmp_path / "CAF_renamed.csv"
    renamed_copy(csv_a, csv_b, " (b)")
    count = kill_points(20)
    passphrase_checks = sample(count, rng)
    imports, states = 0, {"none": 0, "a": 0, "b": 0}
    for point in range(count):
        command = base_command(path, recovery_key, scenario="places", csv_a=str(csv_a), csv_b=str(csv_b),
                               first=rng.choice("ab"))
        run = worker.run(command, delay=rng.uniform(0.0, 0.3))
        imports += len(run.words("places"))
        context = f"places kill point {point} after {run.killed_after:.3f} s"
        assert_vault_sound(path, recovery_key, PASSPHRASE if point in passphrase_checks else None, context)
        with reopen(path, recovery_key, USER) as session:
            names = [place.name("fr") for place in session.places.list()]
        renamed = sum(name.endswith(" (b)") for name in names)
        assert renamed in (0, len(names)), f"{context}: {renamed} of {len(names)} places renamed (seed {SEED})"
        states["none" if not names else ("b" if renamed else "a")] += 1
    assert imports, "no places import ever returned"
    print(f"\ncrash/places: {count} kill points, {imports} imports returned, end states {states}, seed {SEED}")


# -- backup ------------------------------------------------------------------------------------
def test_an_interrupted_backup_leaves_the_previous_backup_or_none(worker, vault_copy, tmp_path, rng):
    path, recovery_key = vault_copy
    with reopen(path, recovery_key, USER) as session:
        moments = [BASE - timedelta(minutes=n) for n in range(1, 2001)]
        session.referrals.bulk_create([referral("BNI", n, reported_at=m, incident_date=m.date(), notes="x" * 200)
                                       for n, m in enumerate(moments, 1)])
        session.alerts.bulk_create([alert(n) for n in range(2000)])
    target = tmp_path / "out" / "BNI-backup.fieldbackup"
    command = base_command(path, recovery_key, scenario="backup", target=str(target))
    duration = worker.run(command, delay=None, start_mark="go").done_seconds  # calibration: runs to the end
    count = kill_points(15)
    passphrase_checks = sample(count, rng)
    complete, snapshots_left = 1, 0
    for point in range(count):
        run = worker.run(command, delay=one_shot_delay(rng, duration), start_mark="go")
        complete += run.done
        context = f"backup kill point {point} at {run.killed_after:.3f} of {duration:.3f} s"
        assert_vault_sound(path, recovery_key, PASSPHRASE if point in passphrase_checks else None, context)
        # Under the final name: the backup of this run or of an earlier one, whole either way.
        assert final_name_leftovers(target.parent, ".fieldbackup") == [target], context
        restored = tmp_path / f"restored-{point}"
        summary = restore_backup(target, restored, recovery_key=recovery_key, user=USER)
        assert summary.counts["referrals"] == 2000, context
        shutil.rmtree(restored)
        leftovers = list(path.glob(".backup-*"))
        snapshots_left += len(leftovers)
        for folder in leftovers:  # an encrypted database snapshot the killed backup could not remove
            shutil.rmtree(folder)
    print(f"\ncrash/backup: {count} kill points over a {duration:.2f} s backup, {complete} backups complete, "
          f"the file under the final name restored every time; {snapshots_left} snapshot folders left in the "
          f"vault by kills, seed {SEED}")


# -- restore -----------------------------------------------------------------------------------
def test_an_interrupted_restore_leaves_no_vault_or_a_whole_one_and_its_leftovers_go(worker, vault_copy, tmp_path,
                                                                                  rng):
    path, recovery_key = vault_copy
    with reopen(path, recovery_key, USER) as session:
        moments = [BASE - timedelta(minutes=n) for n in range(1, 2001)]
        session.referrals.bulk_create([referral("BNI", n, reported_at=m, incident_date=m.date(), notes="x" * 200)
                                       for n, m in enumerate(moments, 1)])
        session.alerts.bulk_create([alert(n) for n in range(2000)])
        backup = write_backup(session, tmp_path / "out" / "BNI.fieldbackup").path
    target = tmp_path / "restores" / "vault"
    command = {"scenario": "restore", "backup": str(backup), "target": str(target), "key": recovery_key, "user": USER}
    duration = worker.run(command, delay=None, start_mark="go").done_seconds  # calibration: runs to the end
    shutil.rmtree(target)
    count = kill_points(10)
    whole = left = 0
    for point in range(count):
        run = worker.run(command, delay=one_shot_delay(rng, duration), start_mark="go")
        context = f"restore kill point {point} at {run.killed_after:.3f} of {duration:.3f} s"
        if target.exists():  # renamed into place: it had opened and verified
            whole += 1
            assert check_opens(target, recovery_key, USER) == [], context
            shutil.rmtree(target)
        else:
            assert not run.done, context
        staging = list(target.parent.glob(".vault.restoring-*"))
        assert len(staging) <= 1, context
        left += len(staging)
        if point % 2:  # the next restore removes it…
            summary = restore_backup(backup, target, recovery_key=recovery_key, user=USER)
            assert summary.counts["referrals"] == 2000, context
            shutil.rmtree(target)
        else:  # …and so does the next start of the app (fieldapp.gui.app.run)
            remove_restore_leftovers(target)
        assert not list(target.parent.glob(".vault.restoring-*")), context
    print(f"\ncrash/restore: {count} kill points over a {duration:.2f} s restore, {whole} whole vaults in place, "
          f"{left} staging folders left by kills and all removed, seed {SEED}")
