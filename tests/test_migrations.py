"""Schema versions: every released schema's fixture vault opens and upgrades with nothing lost."""

from __future__ import annotations

import shutil
from pathlib import Path

from fieldapp.store import db
from fieldapp.store.vault import Vault

FIXTURES = Path(__file__).parent / "fixtures"


def test_migrations_are_numbered_in_order():
    # Numbers are reserved per piece of work in parallel branches, so a gap may stay (0005 before 0004
    # is merged); what matters is one file per number, in increasing order, starting at 1.
    versions = [version for version, _name, _sql in db.migrations()]
    assert versions[0] == 1 and versions == sorted(set(versions))


def test_a_new_vault_has_the_latest_schema(session):
    assert session.schema_version() == db.latest_version()
    assert db.migrate(session.connection) == []  # running again changes nothing


def test_schema_1_fixture_vault_upgrades_and_keeps_every_record(tmp_path):
    source = FIXTURES / "vault-schema-0001"
    shutil.copytree(source, tmp_path / "vault")
    vault = Vault(tmp_path / "vault")
    # Opened by passphrase, as a user would after installing a new version.
    with vault.unlock("fixture", "fixture-passphrase") as session:
        assert session.schema_version() == db.latest_version()
        assert [r.survivor_code for r in session.referrals.list()] == ["FIX-2026-0001"]
        assert session.services.list()[0].status == "referred"
        assert session.alerts.count() == session.trainings.count() == session.providers.count() == 1
        assert session.places.count_by_level() == {0: 1, 1: 10, 2: 79}
        assert session.verify() == []
    recovery_key = (source / "RECOVERY-KEY.txt").read_text().strip()
    Vault(tmp_path / "vault").unlock_with_recovery(recovery_key, "fixture").close()
