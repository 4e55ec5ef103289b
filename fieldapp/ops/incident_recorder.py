"""Referrals to and from the GBVIMS Incident Recorder workbook (docs/DESIGN.md 9).

Export: only referrals with consent to reporting leave, with no notes, no locality and no
name; one audit entry. Import: one transaction; a row whose INCIDENT ID is one of our record
ids updates that referral, others are keyed by their INCIDENT ID, so importing twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime, time, timezone
from pathlib import Path

from fieldapp.documents import incident_recorder as ir
from fieldapp.documents.spreadsheet import Workbook, cell_text
from fieldapp.domain import services as service_rules
from fieldapp.domain.records import Referral, ReferralService, utc_now
from fieldapp.domain.validation import is_uuid
from fieldapp.documents.import_fields import fold, parse_date
from fieldapp.errors import ImportFileError, ValidationError
from fieldapp.fileio import atomic_writer
from fieldapp.i18n import _
from fieldapp.ops.imports import ImportReport, Problem, DryRunDone
from fieldapp.store.outputs import CONSENTED_REFERRAL, iter_records


@dataclass
class IrExport:
    path: Path
    rows: int
    left_out: int


def export_incident_recorder(session, path: Path | str) -> IrExport:
    import xlsxwriter

    target = Path(path)
    total = session.referrals.count()
    rows = 0
    districts: set[str] = set()
    counties: set[str] = set()
    with atomic_writer(target) as handle:
        book = xlsxwriter.Workbook(handle, {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        sheet = book.add_worksheet(ir.SHEET)
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, ir.COLUMNS, bold)
        for index, title in enumerate(ir.COLUMNS):
            sheet.set_column(index, index, len(title) + 5)
        for batch in iter_records(session.referrals, None, 500, CONSENTED_REFERRAL):
            for referral in batch:
                rows += 1
                values = _row(session, referral)
                counties.add(values["INCIDENT COUNTY"])
                districts.add(values["INCIDENT DISTRICT"])
                for column, title in enumerate(ir.COLUMNS):
                    value = values.get(title)
                    if value not in (None, ""):
                        sheet.write_string(rows, column, str(value)) if not isinstance(value, int) else \
                            sheet.write_number(rows, column, value)
        menu = book.add_worksheet(ir.MENU_SHEET)
        menu.write_row(0, 0, ["CASEWORKER CODE", "ETHNICITY", "INCIDENT LOCATION", "INCIDENT COUNTY",
                              "INCIDENT DISTRICT", "INCIDENT CAMP"], bold)
        for column, names in ((3, counties), (4, districts)):
            for row, name in enumerate(sorted(n for n in names if n)[:50], start=1):
                menu.write_string(row, column, name)
        book.close()
        from fieldapp.store.outputs import log_output

        log_output(session, "export", "referral", "", {"format": "incident_recorder", "rows": rows,
                                                       "left_out": total - rows, "file": str(target.resolve())})
    return IrExport(target, rows, total - rows)


def _row(session, referral: Referral) -> dict:
    path = {place.level: place for place in session.places.path(referral.location_pcode)} if referral.location_pcode else {}
    services = {}
    for service in session.services.for_referral(referral.id):
        value = ir.SERVICE_VALUE.get(service.status)
        if value and service.sector in ir.SERVICE_COLUMNS.values():
            services.setdefault(service.sector, value)
    values = {
        "INCIDENT ID": referral.id,
        "SURVIVOR CODE": referral.survivor_code,
        "DATE OF INTERVIEW": referral.reported_at.astimezone().strftime(ir.DATE_FORMAT) if referral.reported_at else "",
        "DATE OF INCIDENT": referral.incident_date.strftime(ir.DATE_FORMAT) if referral.incident_date else "",
        "SEX": ir.SEX.get(referral.sex, ""),
        "DISPLACEMENT STATUS AT REPORT": ir.DISPLACEMENT.get(referral.displacement, ""),
        "PERSON WITH DISABILITY?": ir.DISABILITY.get(referral.disability, ""),
        "INCIDENT COUNTY": path[1].name("en") if 1 in path else "",
        "INCIDENT DISTRICT": path[2].name("en") if 2 in path else "",
        "GBV TYPE": ir.GBV_TYPE.get(referral.incident_type, ""),
        "No. ALLEGED PRIMARY PERPETRATOR(S)": referral.perpetrator_count if referral.perpetrator_count else "",
        "ALLEGED PERPETRATOR OCCUPATION": _perpetrator_label(referral.perpetrator_category),
        "REFERRED TO YOU FROM?": ir.REFERRED_FROM.get(referral.entry_point, "Other"),
        "CONSENT GIVEN": "Yes",
        "REPORTING AGENCY CODE": session.office_code,
    }
    for title, sector in ir.SERVICE_COLUMNS.items():
        values[title] = services.get(sector, "")
    return values


def _perpetrator_label(code: str) -> str:
    from fieldapp.domain import vocab

    return "" if code == "unknown" else vocab.PERPETRATOR_CATEGORY.label_in("en", code)


# -- import -------------------------------------------------------------------------------------
def import_incident_recorder(session, path: Path | str, dry_run: bool = False) -> ImportReport:
    from fieldapp.domain import vocab
    from fieldapp.store.imports import ImportStore

    workbook = Workbook(path)
    if not workbook.is_xlsx or ir.SHEET not in workbook.sheet_names():
        raise ImportFileError(_("{file} is not an Incident Recorder workbook: it has no “{sheet}” sheet.").format(
            file=workbook.path.name, sheet=ir.SHEET))
    rows = workbook.rows(ir.SHEET)
    try:
        _line, header = next(rows)
    except StopIteration:
        raise ImportFileError(_("{file} holds no rows.").format(file=workbook.path.name)) from None
    index = {cell_text(title).strip().upper(): n for n, title in enumerate(header) if cell_text(title)}
    missing = [title for title in ("SURVIVOR CODE", "DATE OF INTERVIEW", "GBV TYPE") if title not in index]
    if missing:
        raise ImportFileError(_("{file}: the Incident Data sheet has no column {columns}.").format(
            file=workbook.path.name, columns=", ".join(missing)))
    report = ImportReport("referrals", workbook.path.name, dry_run)
    store = ImportStore(session)
    names = _place_names(store)
    perpetrators = {fold(vocab.PERPETRATOR_CATEGORY.label_in("en", c)): c for c in vocab.PERPETRATOR_CATEGORY.codes}
    try:
        with store.transaction():
            for line, cells in rows:
                def raw(title, cells=cells):
                    position = index.get(title.upper())
                    return cells[position] if position is not None and position < len(cells) else None

                def get(title, raw=raw):
                    return cell_text(raw(title))

                if not any(cell_text(c) for c in cells):
                    continue
                _import_row(session, store, report, line, get, raw, names, perpetrators)
            store.audit("import", "referral", {"file": workbook.path.name, "format": "incident_recorder",
                                               "created": report.created, "updated": report.updated,
                                               "unchanged": report.unchanged, "refused": report.refused})
            if dry_run:
                raise DryRunDone
    except DryRunDone:
        pass
    return report


def _place_names(store) -> dict[tuple[int, str], list[str]]:
    codes, names = store.place_names()
    found: dict[tuple[int, str], list[str]] = {}
    for pcode, name_en, name_fr in names:
        for name in {fold(name_en), fold(name_fr)} - {""}:
            found.setdefault((len(pcode), name), []).append(pcode)
    return found


def _resolve_place(names, county: str, district: str) -> str:
    for text in (district, county):
        if not text:
            continue
        candidates = [codes for (length, name), codes in names.items() if name == fold(text)]
        flat = sorted({code for group in candidates for code in group})
        if county and text == district and len(flat) > 1:
            parents = [code for group in ([c for (l, n), c in names.items() if n == fold(county)]) for code in group]
            flat = [code for code in flat if any(code.startswith(parent) for parent in parents)] or flat
        if len(flat) == 1:
            return flat[0]
    return ""


def _import_row(session, store, report, line, get, raw, names, perpetrators) -> None:
    problems = []

    def coded(title: str, table: dict[str, str], default: str) -> str:
        value = get(title)
        if not value:
            return default
        found = ir.reverse(table).get(value.casefold())
        if found is None:
            problems.append(Problem(line, title, value, _("not a value of the Incident Recorder")))
            report.unmatched.setdefault(title, set()).add(value)
            return default
        return found

    incident_type = coded("GBV TYPE", ir.GBV_TYPE, "")
    sex = coded("SEX", ir.SEX, "undisclosed")
    displacement = coded("DISPLACEMENT STATUS AT REPORT", ir.DISPLACEMENT, "unknown")
    disability = coded("PERSON WITH DISABILITY?", ir.DISABILITY, "unknown")
    entry_point = ir.FROM_REFERRED.get(get("REFERRED TO YOU FROM?").split(" & ")[0], "other") \
        if get("REFERRED TO YOU FROM?") else "other"
    perpetrator = perpetrators.get(fold(get("ALLEGED PERPETRATOR OCCUPATION")), "unknown")
    dates = {}
    for title in ("DATE OF INTERVIEW", "DATE OF INCIDENT"):
        if get(title):
            try:
                dates[title] = parse_date(raw(title) if not isinstance(raw(title), str) else get(title))
            except ValueError:
                problems.append(Problem(line, title, get(title), _("not a date (use YYYY-MM-DD or DD/MM/YYYY)")))
    count = get("No. ALLEGED PRIMARY PERPETRATOR(S)")
    services = {}
    for title, sector in ir.SERVICE_COLUMNS.items():
        value = get(title).split(" & ")[0]
        if value:
            status = ir.SERVICE_STATUS.get(value)
            if status is None:
                problems.append(Problem(line, title, value, _("not a value of the Incident Recorder")))
            elif status:
                services[sector] = status
    if problems:
        report.refused += 1
        report.problems.extend(problems)
        return
    reported = dates.get("DATE OF INTERVIEW")
    values = dict(
        survivor_code=get("SURVIVOR CODE"),
        reported_at=datetime.combine(reported, time(12, 0)).astimezone(timezone.utc) if reported else None,
        incident_date=dates.get("DATE OF INCIDENT"),
        incident_date_precision="exact" if dates.get("DATE OF INCIDENT") else "unknown",
        incident_type=incident_type, sex=sex, displacement=displacement, disability=disability,
        perpetrator_category=perpetrator, perpetrator_count=int(float(count)) if count else None,
        location_pcode=_resolve_place(names, get("INCIDENT COUNTY"), get("INCIDENT DISTRICT")),
        entry_point=entry_point,
        consent_reporting=get("CONSENT GIVEN").casefold() == "yes",
        consent_referral=any(status == "referred" for status in services.values()),
    )
    row_hash = hashlib.sha256(json.dumps({k: str(v) for k, v in values.items()} | {"services": services},
                                         sort_keys=True).encode()).hexdigest()
    incident_id = get("INCIDENT ID") or values["survivor_code"]
    existing = session.referrals.find(incident_id)
    known = store.lookup("referrals", "ir:" + incident_id)
    if existing is None and known is not None:
        existing = session.referrals.find(known[0])
    try:
        if existing is not None:
            if values["reported_at"] and existing.reported_at and existing.reported_at.date() == reported:
                values["reported_at"] = existing.reported_at  # the sheet holds the day only
            values["consent_by"] = existing.consent_by
            values["consent_referral"] = existing.consent_referral or values["consent_referral"]
            record = replace(existing, **values)
            changed = session.referrals.update_in_transaction(record)
            added = _add_services(session, record, services)
            if changed or added:
                report.updated += 1
            else:
                report.unchanged += 1
        else:
            record = Referral(**values)
            if is_uuid(incident_id):
                record.id = incident_id  # our own export: the same record in every vault, as bundles keep it
            session.referrals.insert_in_transaction(record)
            _add_services(session, record, services)
            report.created += 1
    except ValidationError as error:
        report.refused += 1
        report.problems.extend(Problem(line, name, "", message) for name, message in error.problems.items())
        return
    store.remember("referrals", "ir:" + incident_id, record.id, row_hash, report.file)


def _add_services(session, referral: Referral, statuses: dict[str, str]) -> int:
    """Services the sheet names that the referral does not have yet (never a second of a sector)."""
    have = {service.sector for service in session.services.for_referral(referral.id)}
    added = 0
    for sector, status in statuses.items():
        if sector in have:
            continue
        service = ReferralService(referral_id=referral.id, sector=sector)
        service_rules.apply_transition(service, referral, status, at=utc_now(), by=session.user)
        session.services.insert_in_transaction(service)
        added += 1
    return added
