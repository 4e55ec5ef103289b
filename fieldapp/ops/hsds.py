"""The directory to and from Open Referral HSDS tables: export writes a folder of CSV tables;
import merges organizations into providers by a stable id, in one transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from fieldapp.documents import hsds
from fieldapp.documents.import_fields import fold, match_code
from fieldapp.domain import vocab
from fieldapp.domain.records import Provider
from fieldapp.domain.validation import is_uuid
from fieldapp.errors import ImportFileError, ValidationError
from fieldapp.fileio import atomic_write
from fieldapp.i18n import _
from fieldapp.ops.imports import ImportReport, Problem, DryRunDone
from fieldapp.store.outputs import iter_records, log_output


def export_hsds(session, folder: Path | str) -> int:
    folder = Path(folder)
    tables: dict[str, list[dict]] = {name: [] for name in hsds.TABLES}
    tables["taxonomy"].append({"id": hsds.TAXONOMY_ID, "name": hsds.TAXONOMY_NAME, "version": "1",
                               "description": "Sectors of the referral pathway (fieldapp, docs/DESIGN.md 2.2)"})
    for code in vocab.SECTOR.codes:
        tables["taxonomy_term"].append({"id": hsds.term_id(code), "code": code, "name": vocab.SECTOR.label_in("en", code),
                                        "description": vocab.SECTOR.label_in("fr", code), "taxonomy": hsds.TAXONOMY_NAME,
                                        "taxonomy_id": hsds.TAXONOMY_ID, "language": "en"})
    count = 0
    for batch in iter_records(session.providers):
        for provider in batch:
            count += 1
            _provider_rows(provider, tables)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        atomic_write(folder / f"{name}.csv", hsds.table_bytes(name, rows))
    log_output(session, "export", "provider", "", {"format": "hsds", "rows": count, "file": str(folder.resolve())})
    return count


def _provider_rows(provider: Provider, tables: dict[str, list[dict]]) -> None:
    pid = provider.id
    service, location = hsds.derived_id(pid, "service"), hsds.derived_id(pid, "location")
    tables["organization"].append({"id": pid, "name": provider.name})
    tables["service"].append({
        "id": service, "organization_id": pid, "name": provider.name, "status": "active" if provider.active else "inactive",
        "fees_description": "free" if provider.free_of_charge else "not free",
        "eligibility_description": provider.eligibility_notes,
        "assured_date": provider.last_verified.isoformat() if provider.last_verified else "",
        "last_modified": provider.updated_at.isoformat() if provider.updated_at else ""})
    tables["location"].append({"id": location, "location_type": "physical", "organization_id": pid,
                               "name": provider.name, "external_identifier": provider.location_pcode,
                               "external_identifier_type": hsds.PCODE_TYPE})
    tables["service_at_location"].append({"id": hsds.derived_id(pid, "sal"), "service_id": service,
                                          "location_id": location})
    if provider.address:
        tables["address"].append({"id": hsds.derived_id(pid, "address"), "location_id": location,
                                  "address_1": provider.address, "address_type": "physical", "country": ""})
    if provider.phones:
        tables["phone"].append({"id": hsds.derived_id(pid, "phone"), "organization_id": pid, "service_id": service,
                                "number": provider.phones, "type": "voice"})
    if provider.opening_hours:
        tables["schedule"].append({"id": hsds.derived_id(pid, "schedule"), "service_id": service,
                                   "description": provider.opening_hours})
    if provider.focal_point:
        tables["contact"].append({"id": hsds.derived_id(pid, "contact"), "organization_id": pid,
                                  "service_id": service, "name": provider.focal_point})
    if provider.languages:
        tables["language"].append({"id": hsds.derived_id(pid, "language"), "service_id": service,
                                   "name": provider.languages})
    for code in provider.sectors:
        tables["attribute"].append({"id": hsds.derived_id(pid, f"sector:{code}"), "link_id": service,
                                    "taxonomy_term_id": hsds.term_id(code), "link_type": "service_type",
                                    "link_entity": "service", "value": code})


def import_hsds(session, folder: Path | str, dry_run: bool = False) -> ImportReport:
    from fieldapp.store.imports import ImportStore

    folder = Path(folder)
    organizations = hsds.read_table(folder, "organization")
    if not (folder / "organization.csv").exists():
        raise ImportFileError(_("{folder} holds no organization.csv: it is not a folder of HSDS tables.").format(
            folder=folder))
    tables = {name: hsds.read_table(folder, name) for name in hsds.TABLES if name != "organization"}
    services = _group(tables["service"], "organization_id")
    locations = _group(tables["location"], "organization_id")
    terms = {row["id"]: row for row in tables["taxonomy_term"]}
    report = ImportReport("providers", folder.name, dry_run)
    store = ImportStore(session)
    codes, _names = store.place_names()
    try:
        with store.transaction():
            for line, organization in enumerate(organizations, start=2):
                _import_organization(session, store, report, line, organization, services, locations, tables,
                                     terms, codes)
            store.audit("import", "provider", {"file": folder.name, "format": "hsds", "created": report.created,
                                               "updated": report.updated, "unchanged": report.unchanged,
                                               "refused": report.refused})
            if dry_run:
                raise DryRunDone
    except DryRunDone:
        pass
    return report


def _group(rows: list[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.get(key, ""), []).append(row)
    return grouped


def _first(rows: list[dict], **match) -> dict:
    return next((row for row in rows if all(row.get(k) == v for k, v in match.items())), {})


def _import_organization(session, store, report, line, organization, services, locations, tables, terms, codes):
    org_id = organization.get("id", "")
    service = (services.get(org_id) or [{}])[0]
    location = (locations.get(org_id) or [{}])[0]
    sid, lid = service.get("id", ""), location.get("id", "")
    sectors, missing = [], []
    for attribute in tables["attribute"]:
        if attribute.get("link_id") not in (sid, org_id) or not attribute.get("taxonomy_term_id"):
            continue
        term = terms.get(attribute["taxonomy_term_id"], {})
        code = (term.get("code") if term.get("code") in vocab.SECTOR else None) or \
            match_code(vocab.SECTOR, term.get("name", "") or attribute.get("value", ""))
        if code and code not in sectors:
            sectors.append(code)
        elif not code:
            missing.append(term.get("name") or attribute.get("value", ""))
    pcode = location.get("external_identifier", "").upper() if location.get("external_identifier_type") in (
        hsds.PCODE_TYPE, "pcode", "p-code") else ""
    problems = []
    if missing:
        report.unmatched.setdefault("sectors", set()).update(missing)
        problems.append(Problem(line, "attribute", "; ".join(missing), _("matches no value of this list")))
    if pcode and codes and pcode not in codes:
        problems.append(Problem(line, "location.external_identifier", pcode, _("this P-code is not in the gazetteer")))
    assured = service.get("assured_date", "")
    values = dict(
        name=organization.get("name", ""), sectors=sectors, location_pcode=pcode,
        address=_first(tables["address"], location_id=lid).get("address_1", ""),
        phones=_first(tables["phone"], organization_id=org_id).get("number", "")
        or _first(tables["phone"], service_id=sid).get("number", ""),
        opening_hours=_first(tables["schedule"], service_id=sid).get("description", ""),
        focal_point=_first(tables["contact"], organization_id=org_id).get("name", ""),
        languages=_first(tables["language"], service_id=sid).get("name", ""),
        eligibility_notes=service.get("eligibility_description", ""),
        free_of_charge=fold(service.get("fees_description", "free")) in ("free", "gratuit", ""),
        active=service.get("status", "active") in ("active", ""),
    )
    try:
        values["last_verified"] = date.fromisoformat(assured[:10]) if assured else None
    except ValueError:
        problems.append(Problem(line, "service.assured_date", assured, _("not a date (use YYYY-MM-DD or DD/MM/YYYY)")))
    if problems:
        report.refused += 1
        report.problems.extend(problems)
        return
    row_hash = hashlib.sha256(json.dumps({k: str(v) for k, v in values.items()}, sort_keys=True).encode()).hexdigest()
    key = "hsds:" + org_id
    existing = session.providers.find(org_id)
    known = store.lookup("providers", key)
    if existing is None and known is not None:
        existing = session.providers.find(known[0])
    try:
        if existing is not None:
            if session.providers.update_in_transaction(replace(existing, **values)):
                report.updated += 1
            else:
                report.unchanged += 1
            record_id = existing.id
        else:
            record = Provider(**values)
            if is_uuid(org_id):
                record.id = org_id
            session.providers.insert_in_transaction(record)
            report.created += 1
            record_id = record.id
    except ValidationError as error:
        report.refused += 1
        report.problems.extend(Problem(line, name, "", message) for name, message in error.problems.items())
        return
    store.remember("providers", key, record_id, row_hash, report.file)
