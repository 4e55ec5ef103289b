"""Home's MARA items: incidents still awaiting verification more than 14 days after the office
learned of them, and commitment items past their due date. Each opens its record."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtGui import QBrush

from fieldapp.domain import mara
from fieldapp.i18n import _, format_date, format_number, ngettext

SHOWN = 50  # a longer list is a backlog for the Incidents page, not a to-do list


class MaraSections:
    """Two Home sections (home.Section) filled from the incident and commitment repositories."""

    KINDS = ("incident", "party", "commitment", "commitment_item")

    def __init__(self, section_class, red):
        self.incidents = section_class(5)
        self.items = section_class(5)
        self._red = red
        self._counts: tuple[int, int] | None = None

    @property
    def sections(self):
        return (self.incidents, self.items)

    def retranslate(self) -> None:
        self.incidents.tree.setHeaderLabels([_("Learned of on"), _("Waiting for"), _("Code"), _("Verification"),
                                             _("Place")])
        self.items.tree.setHeaderLabels([_("Due on"), _("Late by"), _("Party"), _("What was promised"),
                                         _("Status")])
        self.incidents.empty.setText(_("No incident has been awaiting verification for more than {days} days.").format(
            days=mara.AWAITING_VERIFICATION_DAYS))
        self.items.empty.setText(_("No commitment item is past its due date."))
        self._headings()

    def clear(self) -> None:
        self._counts = None
        for section in self.sections:
            section.clear()
        self._headings()

    def fill(self, session, today: date, place_label) -> None:
        before = today - timedelta(days=mara.AWAITING_VERIFICATION_DAYS)
        waiting = session.incidents.awaiting_verification(before, limit=SHOWN)
        waiting_total = session.incidents.count_awaiting_verification(before) if len(waiting) >= SHOWN else len(waiting)
        self.incidents.tree.clear()
        for incident in waiting:
            days = (today - incident.learned_on).days
            row = self.incidents.add([format_date(incident.learned_on),
                                      ngettext("{n} day", "{n} days", days).format(n=format_number(days)),
                                      incident.incident_code, mara.INCIDENT_VERIFICATION.label(incident.verification),
                                      place_label(incident.location_pcode)], "incident", incident.id)
            row.setForeground(1, QBrush(self._red))
        self.incidents.show_items(bool(waiting))

        overdue = session.commitment_items.overdue(today, limit=SHOWN)
        commitments = session.commitments.get_many(sorted({item.commitment_id for item in overdue}))
        names = session.parties.names()
        self.items.tree.clear()
        for item in overdue:
            late = (today - item.due_on).days
            commitment = commitments.get(item.commitment_id)
            party = names.get(commitment.party_id, "") if commitment else ""
            row = self.items.add([format_date(item.due_on),
                                  ngettext("{n} day", "{n} days", late).format(n=format_number(late)), party,
                                  item.description, mara.ITEM_STATUS.label(item.status)], "commitment_item", item.id)
            row.setForeground(1, QBrush(self._red))
        self.items.show_items(bool(overdue))
        self._counts = (waiting_total, len(overdue))
        self._headings()

    def _headings(self) -> None:
        waiting, overdue = self._counts if self._counts else (None, None)
        title = _("Incidents awaiting verification for more than {days} days").format(
            days=mara.AWAITING_VERIFICATION_DAYS)
        self.incidents.heading.setText(title if waiting is None else f"{title} ({format_number(waiting)})")
        title = _("Commitment items past due")
        self.items.heading.setText(title if overdue is None else f"{title} ({format_number(overdue)})")
