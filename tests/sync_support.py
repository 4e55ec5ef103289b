"""Helpers for the sync tests: sites made cheaply from the template vault, records, snapshots."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.conftest import USER
from fieldapp.domain.records import Alert, Provider, Referral, ReferralService, Training
from fieldapp.store.sync_store import SYNCED_TABLES, SyncStore
from fieldapp.store.vault import Vault
from fieldapp.sync.site import FIELD, HEADQUARTERS, Site

BASE = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)


class SiteVault:
    """A vault folder with its recovery key; `open()` unlocks it quickly (X25519 slot)."""

    def __init__(self, path: Path, recovery_key: str):
        self.path, self.recovery_key = path, recovery_key

    def open(self):
        return Vault(self.path).unlock_with_recovery(self.recovery_key, USER)

    def copy(self, target: Path) -> "SiteVault":
        shutil.copytree(self.path, target, ignore=shutil.ignore_patterns("fieldapp.lock"))
        return SiteVault(target, self.recovery_key)


def make_site(template, target: Path, name: str, office_code: str, role: str = FIELD) -> SiteVault:
    """A copy of the template vault with its own site id and keys."""
    source, recovery_key = template
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("fieldapp.lock"))
    site_vault = SiteVault(target, recovery_key)
    with site_vault.open() as session:
        site = Site(session)
        site.reset_identity(name, office_code)
    with site_vault.open() as session:
        if role == HEADQUARTERS:
            Site(session).set_role(HEADQUARTERS)
    return site_vault


def enrol_both(a: SiteVault, b: SiteVault) -> None:
    with a.open() as first, b.open() as second:
        Site(first).enrol(Site(second).card())
        Site(second).enrol(Site(first).card())


def referral(code: str, n: int, **overrides) -> Referral:
    values = dict(survivor_code=f"{code}-2026-{n:04d}", reported_at=BASE + timedelta(days=n),
                  incident_date=(BASE + timedelta(days=n - 1)).date(), incident_type="rape",
                  location_pcode="CD6109", locality="Mavivi", consent_referral=True, consent_reporting=True,
                  notes="seen at the health post")
    values.update(overrides)
    return Referral(**values)


def service(referral_id: str, **overrides) -> ReferralService:
    values = dict(referral_id=referral_id, sector="health", provider_text="HGR Beni")
    values.update(overrides)
    return ReferralService(**values)


def alert(n: int, **overrides) -> Alert:
    values = dict(received_at=BASE + timedelta(hours=n), threat_types=["armed_presence"], location_pcode="CD6109",
                  source_code=f"CAN-{n:03d}", description="armed men seen near the market")
    values.update(overrides)
    return Alert(**values)


def training(n: int, **overrides) -> Training:
    values = dict(title=f"CRSV prevention {n}", start_date=(BASE + timedelta(days=n)).date(),
                  audience="military_peacekeepers", topics=["crsv_prevention"], participants_female=5,
                  participants_male=20, location_pcode="CD6109")
    values.update(overrides)
    return Training(**values)


def provider(n: int, **overrides) -> Provider:
    values = dict(name=f"Centre de santé {n}", sectors=["health"], location_pcode="CD6109", phones="+243 000 000")
    values.update(overrides)
    return Provider(**values)


def snapshot(session) -> dict:
    """Every synced row and every stored version of other sites: what must match between vaults."""
    store = SyncStore(session.connection)
    content = {table: list(store.table_content(table)) for table in SYNCED_TABLES}
    content["sync_conflicts"] = store.all_versions()
    return content


def vault_state(session) -> dict:
    """Everything a failed import must leave as it was, sync logs and audit included."""
    state = snapshot(session)
    connection = session.connection
    for table in ("sync_received", "sync_peers", "sync_sent", "audit_log", "meta"):
        state[table] = connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    return state
