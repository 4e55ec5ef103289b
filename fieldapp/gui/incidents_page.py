"""CRSV incidents (MARA, docs/DESIGN.md 2.5): the list with its filters in SQL, a detail pane with the
verification history and the referrals and alerts an incident came from, and the action that
starts an incident from a referral or an alert."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from PySide6.QtWidgets import QComboBox, QPushButton

from fieldapp.domain import mara, vocab
from fieldapp.gui.forms.incident_form import IncidentForm
from fieldapp.gui.list_page import FilterSpec, ListPage, day, detail_table, when, yes_no
from fieldapp.gui.table_models import Column
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.i18n import N_, _, format_number, ngettext, pgettext
from fieldapp.ops import mara as mara_ops


def _today() -> date:
    return date.today()


class IncidentsPage(ListPage):
    TITLE = N_("Incidents")
    KIND = "incident"
    FORM = IncidentForm
    DATE_TITLE = N_("Occurred")
    SEARCH_HINT = N_("Search code, locality, party, actions")
    DETAIL_KINDS = ("party", "referral", "alert")
    SORT, DESCENDING = "occurred_on", True
    FILTERS = (
        FilterSpec("verification", N_("All verification states"), mara.INCIDENT_VERIFICATION),
        FilterSpec("violation_type", N_("All violations"), mara.VIOLATION_TYPE),
        FilterSpec("context", N_("All contexts"), mara.INCIDENT_CONTEXT),
    )

    def __init__(self, context, parent=None):
        self._party_names: dict[str, str] | None = None
        self._party_filter_filled = False
        super().__init__(context, parent)
        self.detail.anchorClicked.connect(self._link_clicked)

    # -- the party filter: the vault's own list of parties, so it is filled once unlocked --------
    def add_extra_filter_widgets(self, row) -> None:
        self.party_filter = QComboBox()
        self.party_filter.setObjectName("party_filter")
        self.party_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.party_filter.setMinimumContentsLength(16)
        self.party_filter.addItem("", "")
        self.party_filter.currentIndexChanged.connect(lambda _index: self.apply_filters())
        row.addWidget(self.party_filter)

    def extra_filters(self) -> dict:
        party = self.party_filter.currentData()
        return {"party": party} if party else {}

    def reset_extra_filters(self) -> None:
        with signals_blocked(self.party_filter):
            self.party_filter.setCurrentIndex(0)

    def _fill_party_filter(self) -> None:
        """All parties, then "Unidentified", then the parties by name; the choice is kept."""
        chosen = self.party_filter.currentData()
        with signals_blocked(self.party_filter):
            self.party_filter.clear()
            self.party_filter.addItem(_("All parties"), "")
            if self.context.is_unlocked:
                self.party_filter.addItem(pgettext(*mara.UNIDENTIFIED_LABEL), mara.UNIDENTIFIED)
                for party_id, name in sorted(self.party_names().items(), key=lambda item: item[1].casefold()):
                    self.party_filter.addItem(name, party_id)
                self._party_filter_filled = True
            index = self.party_filter.findData(chosen) if chosen else 0
            self.party_filter.setCurrentIndex(max(index, 0))

    def refresh(self, select_id: str | None = None) -> None:
        if not self._party_filter_filled and self.context.is_unlocked:
            self._fill_party_filter()
        super().refresh(select_id)

    def retranslate(self) -> None:
        self._fill_party_filter()
        super().retranslate()

    def repository(self, session):
        return session.incidents

    def party_names(self) -> dict[str, str]:
        if self._party_names is None:
            self._party_names = self.context.session.parties.names() if self.context.is_unlocked else {}
        return self._party_names

    @staticmethod
    def _victims_text(incident, victims: str) -> str:
        total = ngettext("{count} in all", "{count} in all", mara.total_victims(incident)).format(
            count=format_number(mara.total_victims(incident)))
        # Through the catalog: French puts a no-break space before the colon.
        return _("{label}: {value}").format(label=total, value=victims) if victims else total

    def parties_text(self, incident) -> str:
        names = self.party_names()
        return ", ".join(pgettext(*mara.UNIDENTIFIED_LABEL) if p == mara.UNIDENTIFIED else names.get(p, p)
                         for p in incident.perpetrator_parties)

    def make_columns(self) -> list[Column]:
        return [
            Column(N_("Code"), lambda i: i.incident_code, sort="incident_code"),
            Column(N_("Occurred"), lambda i: day(i.occurred_on), sort="occurred_on"),
            Column(N_("Verification"), lambda i: mara.INCIDENT_VERIFICATION.label(i.verification),
                   sort="verification", tone=lambda i: "warning" if mara.awaiting_too_long(i, _today()) else
                   ("muted" if i.verification in ("unfounded", "not_verifiable") else None), max_chars=18),
            Column(N_("Victims"), lambda i: format_number(mara.total_victims(i)), sort="victims", align_right=True,
                   max_chars=6),
            Column(N_("Violations"), lambda i: ", ".join(mara.VIOLATION_TYPE.label(v) for v in i.violation_types),
                   max_chars=20),
            Column(N_("Parties"), self.parties_text, max_chars=18),
            Column(N_("Place"), lambda i: self.places.label(i.location_pcode), sort="location_pcode"),
        ]

    def count_text(self, count: int) -> str:
        return ngettext("{count} incident", "{count} incidents", count).format(count=format_number(count))

    def describe(self, incident) -> str:
        return _("incident {code}").format(code=incident.incident_code)

    def clear(self) -> None:
        self._party_names = None
        self._party_filter_filled = False
        with signals_blocked(self.party_filter):
            self.party_filter.clear()
            self.party_filter.addItem(_("All parties"), "")
        super().clear()

    def on_records_changed(self, change) -> None:
        if change.kind == "party":
            self._party_names = None
            self._fill_party_filter()
            self.model.retranslate()
        super().on_records_changed(change)

    def detail_html(self, incident) -> str:
        if not isinstance(incident, mara.Incident):
            # The list holds only what it shows (store.mara.IncidentRow): the pane reads the record.
            incident = self.context.session.incidents.find(incident.id) if self.context.is_unlocked else None
            if incident is None or incident.deleted:
                return ""
        warning = ""
        if mara.awaiting_too_long(incident, _today()):
            days = (_today() - incident.learned_on).days
            warning = ngettext("Awaiting verification for {count} day.", "Awaiting verification for {count} days.",
                               days).format(count=format_number(days))
        occurred = day(incident.occurred_on)
        if incident.occurred_until:
            occurred = _("{first} to {last}").format(first=occurred, last=day(incident.occurred_until))
        if incident.occurred_precision != "exact":
            occurred = (occurred + " " if occurred else "") + f"({vocab.DATE_PRECISION.label(incident.occurred_precision)})"
        victims = ", ".join(f"{_(title)} {format_number(getattr(incident, name))}"
                            for name, title in mara.VICTIM_LABELS if getattr(incident, name))
        delay = mara.days_to_knowledge(incident)
        html = detail_table(incident.incident_code, [
            (_("Occurred"), occurred),
            (_("Office learned on"), day(incident.learned_on)),
            (_("Days to knowledge"), format_number(delay) if delay is not None else ""),
            (_("Place"), " — ".join(p for p in (self.places.label(incident.location_pcode), incident.locality) if p)),
            (_("Violations"), ", ".join(mara.VIOLATION_TYPE.label(v) for v in incident.violation_types)),
            (_("Context"), ", ".join(mara.INCIDENT_CONTEXT.label(c) for c in incident.contexts)),
            (_("Victims"), self._victims_text(incident, victims)),
            (_("Perpetrator parties"), self.parties_text(incident)),
            (_("Number of perpetrators"), format_number(incident.perpetrator_count)
             if incident.perpetrator_count else _("Unknown")),
            (_("Sources"), ", ".join(mara.INCIDENT_SOURCE.label(s) for s in incident.sources)),
            (_("Verification"), mara.INCIDENT_VERIFICATION.label(incident.verification)),
            (_("Shared with the MARA reporting"), yes_no(incident.share_with_mara)),
            (_("Why it is kept out"), incident.share_reason),
            (_("Actions taken"), incident.actions_taken),
            (_("Notes"), incident.notes),
        ], warning)
        if incident.verification_history:
            rows = []
            for step in incident.verification_history:
                line = _("{day}: {before} → {after}, by {user}").format(
                    day=day(date.fromisoformat(step["on"])), before=mara.INCIDENT_VERIFICATION.label(step["from"]),
                    after=mara.INCIDENT_VERIFICATION.label(step["to"]), user=step.get("by", ""))
                note = f" — {step['note']}" if step.get("note") else ""
                rows.append(f"<li>{escape(line + note)}</li>")
            html += "<h4>{title}</h4><ul>{rows}</ul>".format(title=escape(_("Verification history")), rows="".join(rows))
        html += self._links_html(incident)
        return html

    def _links_html(self, incident) -> str:
        session = self.context.session
        links = session.incidents.links_of(incident.id)
        if not links:
            return ""
        rows = []
        for link in links:
            if link.kind == "referral":
                referral = session.referrals.find(link.target_id)
                text = (_("Referral {code}").format(code=referral.survivor_code) if referral
                        else _("Referral no longer in the vault"))
            else:
                alert = session.alerts.find(link.target_id)
                text = (_("Alert of {when}").format(when=when(alert.received_at)) if alert
                        else _("Alert no longer in the vault"))
            rows.append(f"<li><a href='{link.kind}:{escape(link.target_id)}'>{escape(text)}</a></li>")
        return "<h4>{title}</h4><ul>{rows}</ul>".format(title=escape(_("Came from")), rows="".join(rows))

    def _link_clicked(self, url) -> None:
        kind, _sep, target = url.toString().partition(":")
        if kind in mara.LINK_KINDS and target:
            self.context.open_record_requested.emit(kind, target)

    # -- starting an incident from a referral or an alert --------------------------------------
    def new_from(self, kind: str, record_id: str) -> None:
        """Open the incident form pre-filled from a referral or an alert, linked to it."""
        if not self.context.is_unlocked or self.form is not None:
            return
        session = self.context.session
        start = (mara_ops.incident_from_referral(session, record_id) if kind == "referral"
                 else mara_ops.incident_from_alert(session, record_id))
        self.form = IncidentForm(self.context, None, self, start=start)
        self.form.finished.connect(self._form_closed)
        self.form.open()


def add_incident_action(page, kind: str) -> QPushButton:
    """A "New incident from this referral/alert" button beside a list page's New button. The form
    opens from the Incidents page (found through the window's open-record routing)."""
    button = QPushButton(page)
    page.action_row.insertWidget(page.action_row.indexOf(page.new_button), button)

    def label() -> None:
        # A short text: the list's action row must fit a 1024-pixel screen; the tooltip says the rest.
        button.setText(_("New incident…"))
        button.setToolTip(_("A CRSV incident from the selected referral, with its date, place and link filled in")
                          if kind == "referral" else
                          _("A CRSV incident from the selected alert, with its date, place and link filled in"))

    def enable() -> None:
        button.setEnabled(page.current_row() >= 0 and page.context.is_unlocked)

    def start() -> None:
        record_id = page.current_id()
        if record_id and page.context.is_unlocked:
            incidents_page_of(page).new_from(kind, record_id)

    button.clicked.connect(start)
    page.context.language_changed.connect(label)
    page.table.selectionModel().currentRowChanged.connect(lambda *_args: enable())
    page.context.locked.connect(enable)
    label()
    enable()
    page.incident_button = button
    return button


def incidents_page_of(page) -> IncidentsPage:
    """The window's Incidents page; a page shown on its own (tests, screenshots) gets a hidden one."""
    window = page.window()
    found = window.page_of_kind("incident") if hasattr(window, "page_of_kind") else None
    if found is None:
        found = getattr(page, "incidents_page", None)
        if found is None:
            found = page.incidents_page = IncidentsPage(page.context, page)
            found.hide()
    return found
