"""Open Referral HSDS 3.0 tables for the referral-pathway directory (docs/DESIGN.md 9).

One provider is one organization, one service and one physical location, with its phones, its
opening hours (schedule), focal point (contact), languages and sectors: the sectors are the
terms of a taxonomy `fieldapp-sector`, linked to the service through `attribute`. The P-code
is the location's external identifier. Ids are stable: the organization's is the provider's
record id, the others are derived from it, so exporting twice writes the same ids.
"""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

TAXONOMY_ID = "6f1c2a4e-5b0d-4e8a-9c3f-7d2b1a0e9f11"
TAXONOMY_NAME = "fieldapp-sector"
PCODE_TYPE = "ocha_pcode"
NAMESPACE = uuid.UUID("0d6c9a52-3f1e-4b7a-8e2d-5c4b3a291807")

TABLES = {
    "organization": ["id", "name", "alternate_name", "description", "email", "website", "uri"],
    "service": ["id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email",
                "status", "fees_description", "eligibility_description", "assured_date", "last_modified"],
    "location": ["id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
                 "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type"],
    "service_at_location": ["id", "service_id", "location_id", "description"],
    "address": ["id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province",
                "postal_code", "country", "address_type"],
    "phone": ["id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
              "number", "extension", "type", "description"],
    "schedule": ["id", "service_id", "location_id", "service_at_location_id", "description"],
    "contact": ["id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title",
                "department", "email"],
    "language": ["id", "service_id", "location_id", "phone_id", "name", "code", "note"],
    "taxonomy": ["id", "name", "description", "uri", "version"],
    "taxonomy_term": ["id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id",
                      "term_uri"],
    "attribute": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "label"],
}


def derived_id(provider_id: str, what: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{provider_id}:{what}"))


def term_id(code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"sector:{code}"))


def table_bytes(name: str, rows: list[dict]) -> bytes:
    """One table as UTF-8 CSV (no BOM: HSDS tables are read by programs)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, TABLES[name], extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return out.getvalue().encode("utf-8")


def read_table(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{key.strip(): (value or "").strip() for key, value in row.items() if key} for row in csv.DictReader(handle)]
