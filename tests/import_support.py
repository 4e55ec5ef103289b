"""Helpers for import tests: a vault with the DR Congo gazetteer, and the dry run printed."""

from __future__ import annotations

from fieldapp.domain.gazetteer import read_pcode_file

from tests.conftest import PCODES


def with_gazetteer(session):
    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"), source="COD_pcodes.csv")
    return session


def show(report) -> None:
    """The dry run as a person reads it, in the test output (pytest -s, or on failure)."""
    print("\n".join(report.lines()))
