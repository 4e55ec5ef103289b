"""The process the crash-safety tests kill: it does real work on a vault and says what has returned.

`python tests/crash_worker.py serve` is a fork server: it imports fieldapp once, then reads one
JSON command per line on stdin and forks a child per command, so each kill point costs a fork
rather than a new interpreter. On stdout it writes `pid N` for each child and `exit N STATUS`
once the child is gone; the child writes its own lines to the same pipe with single os.write
calls (atomic on a pipe), only after the step they report has returned:

    ready                       the vault is open; the work starts now
    go                          a one-shot step (import, passphrase change, backup, restore) starts now
    done SECONDS                the one-shot step returned
    created KIND ID             a save returned (KIND: referral, alert, service, training)
    updated KIND ID VERSION     an update that wrote notes/description "v{VERSION}" returned
    deleted KIND ID             a delete returned
    bulk KIND ID ID …           a bulk_create returned
    exported NAME               an export returned
    places WHICH                a places import of file WHICH ("a" or "b") returned
    passphrase N                the change to passphrase number N returned
    error MESSAGE               anything unexpected (the test fails on it)

After `done` a child sleeps until it is killed, so the pid it reported is always the one killed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldapp.domain.gazetteer import read_pcode_file  # noqa: E402
from fieldapp.domain.records import Alert, Referral, ReferralService, Training  # noqa: E402
from fieldapp.store.backup import restore_backup, write_backup  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402
from fieldapp.sync.bundle import export_bundle  # noqa: E402
from fieldapp.sync.importer import import_bundle  # noqa: E402


def say(line: str) -> None:
    os.write(1, (line + "\n").encode("utf-8"))


def wait_to_be_killed() -> None:
    while True:
        time.sleep(60)


def open_session(command: dict):
    return Vault(command["vault"]).unlock_with_recovery(command["recovery_key"], command["user"])


# -- scenarios ---------------------------------------------------------------------------------
BASE = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def _referral(rng: random.Random, n: int, prefix: str) -> Referral:
    reported = BASE + timedelta(minutes=n)
    return Referral(survivor_code=f"{prefix}-2026-{n:06d}", reported_at=reported, incident_date=reported.date(),
                    incident_type=rng.choice(["rape", "sexual_assault", "physical_assault"]),
                    location_pcode="CD6109", locality="Mavivi", consent_referral=True, consent_reporting=True,
                    notes="v0")


def _alert(n: int) -> Alert:
    return Alert(received_at=BASE + timedelta(minutes=n), threat_types=["armed_presence"], location_pcode="CD6109",
                 source_code=f"CAN-{n % 1000:03d}", description="v0")


def saves(command: dict) -> None:
    """Single saves, updates, deletes and small bulk inserts, as fast as they go."""
    rng = random.Random(command["seed"])
    session = open_session(command)
    prefix = "CRS"
    # Codes stay unique across the runs of one vault: each run goes on from the highest one saved.
    start = int(session.referrals.next_survivor_code(prefix, 2026).rsplit("-", 1)[1])
    referrals: list[str] = []
    alerts: list[str] = []
    versions: dict[str, int] = {}
    say("ready")
    n = start
    while True:
        n += 1
        action = rng.random()
        if action < 0.35 or not referrals:
            record = _referral(rng, n, prefix)
            session.referrals.create(record)
            referrals.append(record.id)
            say(f"created referral {record.id}")
        elif action < 0.55:
            record = _alert(n)
            session.alerts.create(record)
            alerts.append(record.id)
            say(f"created alert {record.id}")
        elif action < 0.75:
            record_id = rng.choice(referrals)
            record = session.referrals.get(record_id)
            versions[record_id] = versions.get(record_id, 0) + 1
            record.notes = f"v{versions[record_id]}"
            session.referrals.update(record)
            say(f"updated referral {record_id} {versions[record_id]}")
        elif action < 0.85:
            service = ReferralService(referral_id=rng.choice(referrals), sector="health", provider_text="HGR")
            session.services.create(service)
            say(f"created service {service.id}")
        elif action < 0.92 and alerts:
            record_id = alerts.pop(rng.randrange(len(alerts)))
            session.alerts.delete(record_id)
            say(f"deleted alert {record_id}")
        else:
            batch = [Training(title=f"Training {n}-{i}", start_date=BASE.date(), audience="national_police",
                              topics=["crsv_prevention"], participants_female=3) for i in range(40)]
            session.trainings.bulk_create(batch)
            say("bulk training " + " ".join(t.id for t in batch))


def one_shot(command: dict, step) -> None:
    session = open_session(command) if command.get("recovery_key") else None
    say("ready")
    say("go")
    started = time.perf_counter()
    step(session)
    say(f"done {time.perf_counter() - started:.4f}")
    wait_to_be_killed()


def bundle_import(command: dict) -> None:
    one_shot(command, lambda session: import_bundle(session, Path(command["bundle"])))


def bundle_export(command: dict) -> None:
    session = open_session(command)
    say("ready")
    while True:
        result = export_bundle(session, command["peer"], Path(command["out"]), full=True)
        say(f"exported {result.path.name}")


def passphrase_change(command: dict) -> None:
    vault = Vault(command["vault"])
    one_shot(command, lambda _session: vault.change_passphrase(command["user"], command["old"], command["new"]))


def places(command: dict) -> None:
    files = {"a": read_pcode_file(Path(command["csv_a"])), "b": read_pcode_file(Path(command["csv_b"]))}
    session = open_session(command)
    say("ready")
    which = command.get("first", "a")
    while True:
        session.places.import_places(files[which], source=which)
        say(f"places {which}")
        which = "b" if which == "a" else "a"


def backup(command: dict) -> None:
    one_shot(command, lambda session: write_backup(session, Path(command["target"])))


def restore(command: dict) -> None:
    one_shot(command, lambda _session: restore_backup(Path(command["backup"]), Path(command["target"]),
                                                      recovery_key=command["key"], user=command["user"]))


SCENARIOS = {"saves": saves, "import": bundle_import, "export": bundle_export, "passphrase": passphrase_change,
             "places": places, "backup": backup, "restore": restore}


# -- the fork server ---------------------------------------------------------------------------
def run_child(command: dict) -> None:
    try:
        SCENARIOS[command["scenario"]](command)
    except BaseException as error:  # noqa: BLE001 - reported to the test, which fails on it
        detail = "".join(traceback.format_exception_only(type(error), error)).strip().replace("\n", " | ")
        say(f"error {detail}")
        sys.stderr.write(traceback.format_exc())
        os._exit(1)
    os._exit(0)


def serve() -> None:
    for raw in sys.stdin:
        if not raw.strip():
            continue
        command = json.loads(raw)
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            run_child(command)
        say(f"pid {pid}")
        _pid, status = os.waitpid(pid, 0)
        say(f"exit {pid} {status}")


if __name__ == "__main__":
    if sys.argv[1:] != ["serve"]:
        sys.exit("usage: crash_worker.py serve")
    serve()
