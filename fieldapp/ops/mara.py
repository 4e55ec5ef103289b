"""MARA use cases (docs/DESIGN.md 2.5-2.7) for the CLI and the GUI: save an incident with its links,
a party, a commitment with its items; start an incident from a referral or an alert. Qt-free.
"""

from __future__ import annotations

from datetime import date

from fieldapp.domain.mara import Commitment, CommitmentItem, Incident, IncidentLink, Party
from fieldapp.domain.records import utc_now
from fieldapp.core.changes import Change


def new_incident(session, today: date | None = None) -> Incident:
    """A blank incident with the office's next code, learned of today."""
    today = today or utc_now().date()
    return Incident(incident_code=session.incidents.next_incident_code(session.office_code or "OFF", today.year),
                    learned_on=today)


def incident_from_referral(session, referral_id: str, today: date | None = None) -> tuple[Incident, list[IncidentLink]]:
    """A new incident pre-filled from a referral: its date, its place, and the link back to it."""
    referral = session.referrals.get(referral_id)
    incident = new_incident(session, today)
    incident.occurred_on = referral.incident_date
    incident.occurred_precision = referral.incident_date_precision if referral.incident_date else "unknown"
    if referral.reported_at is not None:
        incident.learned_on = referral.reported_at.date()
    incident.location_pcode, incident.locality = referral.location_pcode, referral.locality
    if referral.incident_type == "rape":
        incident.violation_types = ["rape"]
    incident.sources = ["survivor"]
    return incident, [IncidentLink("referral", referral.id)]


def incident_from_alert(session, alert_id: str, today: date | None = None) -> tuple[Incident, list[IncidentLink]]:
    """A new incident pre-filled from a CAN alert: its date, its place, and the link back to it."""
    alert = session.alerts.get(alert_id)
    incident = new_incident(session, today)
    if alert.received_at is not None:
        incident.occurred_on = alert.received_at.date()
        incident.occurred_precision = "approximate"
        incident.learned_on = alert.received_at.date()
    incident.location_pcode, incident.locality = alert.location_pcode, alert.locality
    incident.sources = ["community_focal_point"] if alert.source_category == "community_focal_point" else []
    return incident, [IncidentLink("alert", alert.id)]


def save_incident(session, incident: Incident, links: list[IncidentLink] | None = None, *,
                  verification_on: date | None = None, verification_note: str = "") -> list[Change]:
    """Create or update an incident with its links, in one transaction (ValidationError if refused)."""
    return [session.incidents.save(incident, links, verification_on=verification_on,
                                   verification_note=verification_note)]


def save_party(session, party: Party) -> list[Change]:
    repository = session.parties
    exists = repository.find(party.id) is not None
    return [repository.update(party) if exists else repository.create(party)]


def save_commitment(session, commitment: Commitment, items: list[CommitmentItem],
                    removed_item_ids: list[str] = ()) -> list[Change]:
    """A commitment with its items, in one transaction."""
    return session.commitments.save(commitment, items, list(removed_item_ids))


REPORT_FORMATS = ("pdf", "xlsx")


def make_mara_report(session, date_from: date, date_to: date, area: str, language_spec: str, fmt: str, path,
                     progress=None):
    """Build the MARA quarterly report and write it where the user chose, with its audit entry.
    Returns the path written; DocumentError (nothing written) if the period, area or file is wrong."""
    from fieldapp.documents.common import DocumentError, write_document
    from fieldapp.documents.mara_report import build_mara_pdf, build_mara_xlsx
    from fieldapp.i18n import _

    if fmt not in REPORT_FORMATS:
        raise DocumentError(_("Unknown format {value}: use pdf or xlsx.").format(value=fmt))
    if fmt == "pdf":
        data = build_mara_pdf(session, date_from, date_to, area, language_spec, progress)
    else:
        data = build_mara_xlsx(session, date_from, date_to, area, language_spec)
    return write_document(session, path, data, "mara_report", "", {
        "from": date_from.isoformat(), "to": date_to.isoformat(), "area": area or "", "lang": language_spec,
        "format": fmt})
