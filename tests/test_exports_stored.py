"""Exports made from the stored values (no record per row) give the very file the records give, in
CSV and XLSX, for every kind, also when a date or a list is stored in an unusual but valid shape."""

from __future__ import annotations

import zipfile
from datetime import datetime, timezone

import pytest

from tests.documents_support import open_filled_vault
from fieldapp.documents import exports
from fieldapp.documents.exports import KINDS, export
from fieldapp.domain.records import Alert, Referral


@pytest.fixture(scope="module")
def session(template_vault, tmp_path_factory):
    opened = open_filled_vault(template_vault, tmp_path_factory.mktemp("stored"), records=60)
    yield opened
    opened.close()


def _by_records(monkeypatch, session, kind, path, fmt):
    """The same export through whole records, as before exports read stored values."""
    with monkeypatch.context() as patched:
        patched.setattr(exports, "stored_plan", lambda columns: None)
        return export(session, kind, path, fmt, "en+fr", hxl=True)


def _contents(path, fmt) -> dict[str, bytes]:
    if fmt == "csv":
        return {"csv": path.read_bytes()}
    with zipfile.ZipFile(path) as book:  # the workbook's properties hold the time it was written
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_stored_values_give_the_same_file_as_records(session, tmp_path, monkeypatch, kind, fmt):
    fast = export(session, kind, tmp_path / f"fast.{fmt}", fmt, "en+fr", hxl=True)
    slow = _by_records(monkeypatch, session, kind, tmp_path / f"slow.{fmt}", fmt)
    assert (fast.rows, fast.left_out) == (slow.rows, slow.left_out) and fast.rows > 0
    assert _contents(tmp_path / f"fast.{fmt}", fmt) == _contents(tmp_path / f"slow.{fmt}", fmt)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unusual_stored_dates_and_lists_are_written_as_the_records_give_them(session, tmp_path, monkeypatch, fmt):
    moment = datetime(2025, 3, 4, 10, 22, 33, tzinfo=timezone.utc)
    code = "BNI-2025-7001" if fmt == "csv" else "BNI-2025-7002"
    referral = Referral(survivor_code=code, reported_at=moment, incident_date=moment.date(),
                        incident_type="rape", sex="female", age_group="18-59", entry_point="self",
                        consent_referral=True, consent_reporting=True, location_pcode="CD6109")
    alert = Alert(received_at=moment, channel="radio", location_pcode="CD6109", threat_types=["abduction", "attack"])
    session.referrals.create(referral)
    session.alerts.create(alert)
    # Valid ISO 8601 texts other than the store's own shape (another offset, no milliseconds, a
    # space for the T, a decimal comma, microseconds), as an older version or a hand-repaired vault
    # may hold.
    session.connection.execute(
        "UPDATE referrals SET reported_at = '2025-03-04T11:22:33+01:00', created_at = '2025-03-04 10:22:33.123+00:00', "
        "updated_at = '2025-03-04T10:22:33,123+00:00', consent_at = '20250304' WHERE id = ?", (referral.id,))
    session.connection.execute(
        "UPDATE alerts SET threat_types = '[ \"attack\" ,\"abduction\"]', forwarded_to = '[]', "
        "forwarded_at = '2025-03-04T12:00:00Z', created_at = '2025-03-04T10:22:33.5+00:00', "
        "updated_at = '2025-03-04T10:22:33.123456+00:00' WHERE id = ?", (alert.id,))
    for kind in ("referrals", "alerts"):
        export(session, kind, tmp_path / f"fast.{fmt}", fmt, "en+fr", hxl=True)
        _by_records(monkeypatch, session, kind, tmp_path / f"slow.{fmt}", fmt)
        assert _contents(tmp_path / f"fast.{fmt}", fmt) == _contents(tmp_path / f"slow.{fmt}", fmt), kind
    if fmt == "csv":
        text = (tmp_path / "fast.csv").read_text(encoding="utf-8-sig")
        assert "2025-03-04T12:00:00+00:00" in text and "attack;abduction" in text
        export(session, "referrals", tmp_path / "r.csv", "csv", "en")
        row = next(line for line in (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
                   if code in line)
        # Read as the moment it is, written in UTC to the second.
        assert "2025-03-04T10:22:33+00:00" in row and "2025-03-04T10:22:33+01:00" not in row


def test_the_store_yields_chosen_stored_values_of_the_same_records_and_refuses_unknown_columns(session):
    from fieldapp.store.outputs import CONSENTED_REFERRAL, iter_records, iter_stored_rows

    records = [r for batch in iter_records(session.referrals, None, 7, CONSENTED_REFERRAL) for r in batch]
    batches = list(iter_stored_rows(session.referrals, ["survivor_code", "reported_at", "crsv"], None, 7,
                                    CONSENTED_REFERRAL))
    assert len(batches) > 2 and all(len(batch) <= 7 for batch in batches)
    rows = [row for batch in batches for row in batch]
    assert [row[0] for row in rows] == [r.survivor_code for r in records]
    assert [datetime.fromisoformat(row[1]) for row in rows] == [r.reported_at for r in records]
    assert {row[2] for row in rows} <= {0, 1} and all(r.consent_reporting for r in records)
    assert len(records) < session.referrals.count()  # some were held back for want of consent
    with pytest.raises(ValueError):
        next(iter_stored_rows(session.referrals, ["survivor_code", "notes; DROP TABLE referrals"]))
