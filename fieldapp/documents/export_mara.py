"""Export columns of the MARA records (docs/DESIGN.md 2.5, 2.6) with HXL hashtags, core ones where HXL
has them (#event, #date, #loc, #adm1, #affected with +f/+m/+children/+adults, #org, #status).

Never an incident's notes, its reason for being kept out of the MARA reporting, or its links to
referrals and alerts (they never leave the office); never a party's or a commitment's notes.
Incidents kept out of the MARA reporting are not exported (counted as left out).
"""

from __future__ import annotations

from datetime import date

from fieldapp.documents.export_columns import YES_NO, Column, attr, date_attr, location_columns, stamps, yes_no
from fieldapp.domain import mara, vocab
from fieldapp.i18n import N_


def _parties(incident, lookups) -> str:
    return "; ".join(lookups.party(p)[0] if p != mara.UNIDENTIFIED else "unidentified"
                     for p in incident.perpetrator_parties)


INCIDENTS = [
    Column(N_("Record id"), "#meta+id", attr("id")),
    Column(N_("Incident code"), "#event+code", attr("incident_code")),
    Column(N_("Occurred on"), "#date+occurred", date_attr("occurred_on")),
    Column(N_("Date precision"), "#meta+date_precision+code", attr("occurred_precision"), vocab.DATE_PRECISION),
    Column(N_("Until (prolonged)"), "#date+end", date_attr("occurred_until")),
    Column(N_("Office learned on"), "#date+reported", date_attr("learned_on")),
    Column(N_("Days to knowledge"), "#meta+delay+days", lambda r, lk: mara.days_to_knowledge(r)),
    *location_columns(),
    Column(N_("Locality"), "#loc+name", attr("locality")),
    Column(N_("Violations"), "#event+type+code", attr("violation_types"), mara.VIOLATION_TYPE),
    Column(N_("Context"), "#event+context+code", attr("contexts"), mara.INCIDENT_CONTEXT),
    Column(N_("Girls"), "#affected+f+children", attr("victims_girls")),
    Column(N_("Boys"), "#affected+m+children", attr("victims_boys")),
    Column(N_("Women"), "#affected+f+adults", attr("victims_women")),
    Column(N_("Men"), "#affected+m+adults", attr("victims_men")),
    Column(N_("Sex or age unknown"), "#affected+unknown", attr("victims_unknown")),
    Column(N_("Victims"), "#affected+total", lambda r, lk: mara.total_victims(r)),
    Column(N_("Perpetrator parties"), "#org+perpetrator+name", _parties),
    Column(N_("Number of perpetrators"), "#meta+perpetrator+num", attr("perpetrator_count")),
    Column(N_("Sources"), "#meta+source+code", attr("sources"), mara.INCIDENT_SOURCE),
    Column(N_("Verification"), "#status+verification+code", attr("verification"), mara.INCIDENT_VERIFICATION),
    Column(N_("Actions taken"), "#description+actions", attr("actions_taken")),
    *stamps(),
]

PARTIES = [
    Column(N_("Record id"), "#org+id", attr("id")),
    Column(N_("Name"), "#org+name", attr("name")),
    Column(N_("Short name"), "#org+acronym", attr("short_name")),
    Column(N_("Type"), "#org+type+code", attr("party_type"), mara.PARTY_TYPE),
    Column(N_("Listed in the annex since"), "#date+year+listed", attr("listed_since")),
    *stamps(),
]


def _commitment(name: str):
    return lambda item, lookups: getattr(lookups.commitment(item.commitment_id), name, None)


COMMITMENTS = [
    Column(N_("Record id"), "#meta+id", attr("id")),
    Column(N_("Commitment id"), "#meta+commitment+id", attr("commitment_id")),
    Column(N_("Party"), "#org+name", lambda r, lk: lk.party(lk.party_of(r.commitment_id))[1]),
    Column(N_("Short name"), "#org+acronym", lambda r, lk: lk.party(lk.party_of(r.commitment_id))[0]),
    Column(N_("Kind"), "#meta+commitment+type+code", _commitment("kind"), mara.COMMITMENT_KIND),
    Column(N_("Title"), "#meta+commitment+name", _commitment("title")),
    Column(N_("Signed on"), "#date+signed", lambda r, lk: (lk.commitment(r.commitment_id).signed_on or None)
           and lk.commitment(r.commitment_id).signed_on.isoformat()),
    Column(N_("What was promised"), "#meta+item+description", attr("description")),
    Column(N_("Due on"), "#date+due", date_attr("due_on")),
    Column(N_("Status"), "#status+code", attr("status"), mara.ITEM_STATUS),
    Column(N_("Past due"), "#status+overdue+code", lambda r, lk: yes_no(mara.item_overdue(r, date.today())), YES_NO),
    Column(N_("Evidence"), "#meta+evidence", attr("evidence")),
    Column(N_("Last reviewed on"), "#date+reviewed", date_attr("reviewed_on")),
    *stamps(),
]
