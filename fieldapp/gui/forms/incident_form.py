"""The CRSV incident form (docs/DESIGN.md 2.5), built for typing an incident from a verification
mission's notes: dates, place, what happened, how many victims (the total shown as you type), by
whom, from which sources; then verification, sharing and the referrals and alerts it came from.
Tab walks down the left column, then the right one. Saving goes through ops.mara (one transaction).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QSpinBox, QVBoxLayout, QWidget)

from fieldapp.domain import mara, vocab
from fieldapp.domain.mara import Incident, IncidentLink
from fieldapp.gui.forms.base import RecordForm, chain_tab_order, text_box
from fieldapp.gui.widgets.dates import DateInput
from fieldapp.gui.widgets.fields import optional_count
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.widgets.places import PlacePicker
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.gui.widgets.vocab import VocabCheckList, VocabCombo
from fieldapp.i18n import N_, _, format_date, format_datetime, format_number, ngettext, pgettext
from fieldapp.ops import mara as mara_ops
from fieldapp.core.changes import ListQuery

CODE_ROLE = Qt.ItemDataRole.UserRole
LINK_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_MATCHES = 10


def _eat_return(watched, event) -> bool:
    return event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _CheckList(QListWidget):
    """Check boxes that Space toggles, no selection highlight (as VocabCheckList)."""

    changed = Signal()

    def __init__(self, rows: int, parent=None):
        super().__init__(parent)
        self.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(self.fontMetrics().height() * rows + 2 * self.frameWidth() + 12)
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def add_item(self, text: str, data, role=CODE_ROLE, checked: bool = False) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(role, data)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.addItem(item)
        if self.currentRow() < 0:
            self.setCurrentRow(0)
        return item

    def checked_data(self, role=CODE_ROLE) -> list:
        return [self.item(i).data(role) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]


class PartyPicker(QWidget):
    """Parties credibly suspected, or “Unidentified”: type part of a name to narrow the list, Enter
    ticks the first one shown, Down moves into the list where Space ticks."""

    changed = Signal()

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self._context = context
        self.filter = QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.list = _CheckList(6, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        self.filter.textChanged.connect(self._narrow)
        self.filter.installEventFilter(self)
        self.list.changed.connect(self.changed)
        self.setFocusProxy(self.filter)
        self.reload()

    def reload(self) -> None:
        chosen = set(self.codes())
        with signals_blocked(self.list):
            self.list.clear()
            self.list.add_item(pgettext(*mara.UNIDENTIFIED_LABEL), mara.UNIDENTIFIED, checked=mara.UNIDENTIFIED in chosen)
            if self._context.is_unlocked:
                for party in self._context.session.parties.all():
                    label = f"{party.short_name} — {party.name}" if party.short_name and party.short_name != party.name \
                        else party.name
                    self.list.add_item(label, party.id, checked=party.id in chosen)
        self._narrow(self.filter.text())

    def codes(self) -> list[str]:
        return self.list.checked_data()

    def set_codes(self, codes) -> None:
        wanted = set(codes or ())
        with signals_blocked(self.list):
            for i in range(self.list.count()):
                item = self.list.item(i)
                item.setCheckState(Qt.CheckState.Checked if item.data(CODE_ROLE) in wanted else Qt.CheckState.Unchecked)
        self.changed.emit()

    def retranslate(self) -> None:
        self.filter.setPlaceholderText(_("Type to find a party"))
        if self.list.count():
            self.list.item(0).setText(pgettext(*mara.UNIDENTIFIED_LABEL))

    def _narrow(self, text: str) -> None:
        needle = text.strip().casefold()
        first = -1
        for i in range(self.list.count()):
            item = self.list.item(i)
            hidden = bool(needle) and needle not in item.text().casefold()
            item.setHidden(hidden)
            if not hidden and first < 0:
                first = i
        if first >= 0:
            self.list.setCurrentRow(first)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if self.filter.text().strip() and item is not None and not item.isHidden():
                    item.setCheckState(Qt.CheckState.Checked)
                    self.filter.clear()
                return True  # never the dialog's Save
            if event.key() == Qt.Key.Key_Down:
                self.list.setFocus()
                return True
        return super().eventFilter(watched, event)


class LinkPicker(QWidget):
    """Links to referrals and alerts of this vault, found by code: type a survivor code or a focal
    point code and press Enter. An exact survivor code is ticked at once; other matches are listed
    to tick with Space. Unticked rows are not links."""

    changed = Signal()

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self._context = context
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.list = _CheckList(4, self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.search)
        layout.addWidget(self.status)
        layout.addWidget(self.list)
        self.status.hide()
        self.search.installEventFilter(self)
        self.list.changed.connect(self.changed)
        self.setFocusProxy(self.search)

    def links(self) -> list[IncidentLink]:
        return [IncidentLink(*pair) for pair in self.list.checked_data(LINK_ROLE)]

    def set_links(self, links) -> None:
        with signals_blocked(self.list):
            self.list.clear()
            for link in links or ():
                self._add(link.kind, link.target_id, checked=True)
        self.changed.emit()

    def clear(self) -> None:
        with signals_blocked(self.list):
            self.list.clear()
        self.search.clear()
        self.status.hide()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Survivor code or focal point code, then Enter"))
        for i in range(self.list.count()):
            kind, target = self.list.item(i).data(LINK_ROLE)
            self.list.item(i).setText(self._label(kind, target))

    def _label(self, kind: str, target_id: str) -> str:
        if not self._context.is_unlocked:
            return ""
        session = self._context.session
        if kind == "referral":
            referral = session.referrals.find(target_id)
            if referral is None:
                return _("Referral no longer in the vault")
            return _("Referral {code} of {day}").format(code=referral.survivor_code,
                                                      day=format_date(referral.reported_at.date()) if referral.reported_at else "")
        alert = session.alerts.find(target_id)
        if alert is None:
            return _("Alert no longer in the vault")
        received = format_datetime(alert.received_at, "short") if alert.received_at else ""
        if alert.source_code:
            return _("Alert of {when} from {code}").format(when=received, code=alert.source_code)
        return _("Alert of {when}").format(when=received)

    def _row_of(self, kind: str, target_id: str) -> int:
        for i in range(self.list.count()):
            if self.list.item(i).data(LINK_ROLE) == (kind, target_id):
                return i
        return -1

    def _add(self, kind: str, target_id: str, checked: bool) -> None:
        row = self._row_of(kind, target_id)
        if row >= 0:
            if checked:
                self.list.item(row).setCheckState(Qt.CheckState.Checked)
            return
        self.list.add_item(self._label(kind, target_id), (kind, target_id), role=LINK_ROLE, checked=checked)

    def find(self) -> None:
        """Look the typed code up among referrals (survivor code) and alerts (focal point code)."""
        text = self.search.text().strip()
        if not text or not self._context.is_unlocked:
            return
        session = self._context.session
        referrals = session.referrals.list(ListQuery(search=text, limit=MAX_MATCHES, sort="reported_at"))
        alerts = session.alerts.list(ListQuery(search=text, limit=MAX_MATCHES, sort="received_at"))
        exact = [r for r in referrals if r.survivor_code.casefold() == text.casefold()]
        for referral in exact:
            self._add("referral", referral.id, checked=True)
        others = [("referral", r.id) for r in referrals if r not in exact]
        others += [("alert", a.id) for a in alerts]
        if not exact:
            for kind, target in others:
                self._add(kind, target, checked=False)
        if exact:
            self._say(ngettext("Linked to referral {code}.", "Linked to referrals {code}.", len(exact)).format(
                code=", ".join(r.survivor_code for r in exact)))
            self.search.clear()
        elif others:
            self._say(ngettext("{count} possible match listed: tick it with Space.",
                               "{count} possible matches listed: tick the right ones with Space.",
                               len(others)).format(count=format_number(len(others))))
            self.list.setCurrentRow(self._row_of(*others[0]))
        else:
            self._say(_("No referral or alert matches “{text}”.").format(text=text))
        self.changed.emit()

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.find()
                return True  # never the dialog's Save
            if event.key() == Qt.Key.Key_Down and self.list.count():
                self.list.setFocus()
                return True
        return super().eventFilter(watched, event)


def _victim_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, mara.MAX_VICTIMS)
    box.setAccelerated(True)
    box.setMinimumWidth(box.fontMetrics().horizontalAdvance("00000") + 30)
    return box


class IncidentForm(RecordForm):
    NEW_TITLE = N_("New CRSV incident")
    EDIT_TITLE = N_("Edit CRSV incident")
    RECORD = Incident

    def __init__(self, context, record=None, parent=None, start: tuple[Incident, list[IncidentLink]] | None = None):
        # `start`: a new incident pre-filled from a referral or an alert, with its link.
        self._start = start
        super().__init__(context, record, parent)

    def build(self, body: QWidget) -> None:
        # Side by side when there is room, one under the other at 150 % scaling (no sideways scrolling).
        left, right = self.two_grids(QVBoxLayout(body))

        self.code = left.add("incident_code", N_("Incident code"), QLineEdit(), bound=True)
        self.occurred_on = left.add("occurred_on", N_("Occurred on"), DateInput(optional=True), bound=True)
        self.precision = left.add("occurred_precision", N_("Date precision"), VocabCombo(vocab.DATE_PRECISION),
                                  bound=True)
        self.occurred_until = left.add("occurred_until", N_("Until (prolonged)"), DateInput(optional=True), bound=True)
        self.learned_on = left.add("learned_on", N_("Office learned on"), DateInput(optional=False), bound=True)
        self.place = left.add("location_pcode", N_("Place"), PlacePicker(self.context), bound=True)
        self.locality = left.add("locality", N_("Locality"), QLineEdit(), bound=True)

        victims = QWidget()
        grid = QGridLayout(victims)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        self.victim_boxes: dict[str, QSpinBox] = {}
        self.victim_labels: dict[str, QLabel] = {}
        # Girls, boys, women on one row, men and sex or age unknown under them: narrow enough for
        # two columns on a 1024-pixel screen.
        for index, (name, _title) in enumerate(mara.VICTIM_LABELS):
            box = _victim_box()
            label = QLabel()
            label.setBuddy(box)
            row, column = 2 * (index // 3), index % 3
            grid.addWidget(label, row, column)
            grid.addWidget(box, row + 1, column)
            box.valueChanged.connect(self._show_total)
            left.bind(name, box)
            self.victim_boxes[name] = box
            self.victim_labels[name] = label
        self.total = QLabel()
        self.total.setStyleSheet("font-weight: bold;")
        grid.addWidget(self.total, 3, 2)
        left.add("victims_women", N_("Victims"), victims)
        self.parties = left.add("perpetrator_parties", N_("Perpetrator parties"), PartyPicker(self.context),
                                bound=True)
        self.perpetrator_count = QSpinBox()
        self.perpetrator_count.setRange(0, 10_000)
        self.perpetrator_count.setMaximumWidth(self.perpetrator_count.fontMetrics().horizontalAdvance("Inconnu") + 60)
        left.add("perpetrator_count", N_("Number of perpetrators"), self.perpetrator_count, bound=True,
                 read=optional_count)

        self.violation_types = right.add("violation_types", N_("Violations"), VocabCheckList(mara.VIOLATION_TYPE),
                                         bound=True)
        self.contexts = right.add("contexts", N_("Context"), VocabCheckList(mara.INCIDENT_CONTEXT), bound=True)
        self.sources = right.add("sources", N_("Sources"), VocabCheckList(mara.INCIDENT_SOURCE), bound=True)
        self.verification = right.add("verification", N_("Verification"), VocabCombo(mara.INCIDENT_VERIFICATION),
                                      bound=True)
        self.verification_on = right.add("verification_on", N_("Status changed on"), DateInput(optional=False))
        self.verification_note = right.add("verification_note", N_("How it was verified"), QLineEdit())
        self.share = right.add("share_with_mara", N_("MARA"), QCheckBox(), bound=True)
        self.share_reason = right.add("share_reason", N_("Why it is kept out"), QLineEdit(), bound=True)
        self.actions_taken = right.add("actions_taken", N_("Actions taken"), text_box(2), bound=True)
        self.notes = right.add("notes", N_("Notes (never exported)"), text_box(2), bound=True)
        self.links = right.add("links", N_("From referrals and alerts"), LinkPicker(self.context))

        self.verification.code_changed.connect(self._verification_changed)
        self.share.toggled.connect(self._share_changed)
        for edit in (self.code, self.locality, self.verification_note, self.share_reason):
            edit.installEventFilter(self)
        self._optional_dates = {field.edit: field for field in (self.occurred_on, self.occurred_until)}
        for edit in self._optional_dates:
            edit.installEventFilter(self)
        chain_tab_order([self.code, self.occurred_on, self.precision, self.occurred_until, self.learned_on,
                         self.place, self.locality, *self.victim_boxes.values(), self.parties.filter,
                         self.parties.list, self.perpetrator_count, self.violation_types, self.contexts,
                         self.sources, self.verification, self.verification_on, self.verification_note,
                         self.share, self.share_reason, self.actions_taken, self.notes, self.links.search,
                         self.links.list])
        fit_to_screen(self, 1000, 580)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.is_new:
            # The code and today's date are filled in: the first thing to type is when it happened.
            self.occurred_on.setFocus()

    def eventFilter(self, watched, event) -> bool:
        # An empty optional date field shows a dash that Tab cannot leave: move on for it.
        if (event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab
                and watched in self._optional_dates and getattr(self._optional_dates[watched], "is_empty", bool)()):
            self.focusNextChild()
            return True
        # Enter in a one-line field moves on instead of saving a half-typed incident.
        if _eat_return(watched, event) and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.focusNextChild()
            return True
        return super().eventFilter(watched, event)

    def retranslate_fields(self) -> None:
        for name, title in mara.VICTIM_LABELS:
            self.victim_labels[name].setText(_(title))
        self.perpetrator_count.setSpecialValueText(_("Unknown"))
        self.share.setText(_("Share with the MARA reporting"))
        self.share.setToolTip(_("Counted in the quarterly report and sent in sync bundles"))
        for widget in (self.occurred_on, self.precision, self.occurred_until, self.learned_on, self.place,
                       self.violation_types, self.contexts, self.sources, self.verification,
                       self.verification_on, self.parties, self.links):
            widget.retranslate()
        self._show_total()

    # -- live help -----------------------------------------------------------------------------
    def total_victims(self) -> int:
        return sum(box.value() for box in self.victim_boxes.values())

    def _show_total(self) -> None:
        total = self.total_victims()
        self.total.setText(ngettext("Total: {count} victim", "Total: {count} victims", total).format(
            count=format_number(total)))

    def _stored_verification(self) -> str:
        return self.record.verification if self.record is not None else "reported"

    def _verification_changed(self) -> None:
        changing = self.verification.code() != self._stored_verification()
        for grid in self.grids:
            if "verification_on" in grid.names():
                grid.label("verification_on").setVisible(changing)
                grid.label("verification_note").setVisible(changing)
        self.verification_on.setVisible(changing)
        self.verification_note.setVisible(changing)

    def _share_changed(self) -> None:
        keep_out = not self.share.isChecked()
        self.grids[1].label("share_reason").setVisible(keep_out)
        self.share_reason.setVisible(keep_out)

    # -- record <-> fields ---------------------------------------------------------------------
    def repository(self):
        return self.context.session.incidents

    def new_record(self) -> Incident:
        if self._start is not None:
            return self._start[0]
        return mara_ops.new_incident(self.context.session)

    def blank_record(self) -> Incident:
        if self.record is None and self._start is not None:
            return replace(self._start[0])
        return super().blank_record()

    def load_more(self, incident: Incident) -> None:
        self.verification_on.set_value(date.today())
        if self.record is not None and self.context.is_unlocked:
            self.links.set_links(self.context.session.incidents.links_of(incident.id))
        elif self._start is not None:
            self.links.set_links(self._start[1])
        self._verification_changed()
        self._share_changed()

    def collect_more(self, incident: Incident) -> Incident:
        if incident.share_with_mara:
            incident.share_reason = ""  # a reason to keep it out means nothing once it is shared
        return incident

    def _values(self) -> dict:
        values = super()._values()
        values["links"] = sorted((link.kind, link.target_id) for link in self.links.links())
        return values

    def write(self, incident: Incident) -> list:
        """The incident with its links and its verification change, in one operation."""
        changing = incident.verification != self._stored_verification()
        return mara_ops.save_incident(
            self.context.session, incident, self.links.links(),
            verification_on=self.verification_on.value() if changing else None,
            verification_note=self.verification_note.text().strip() if changing else "")

    def clear_values(self) -> None:
        self.place.clear()
        self.links.clear()
        for box in self.victim_boxes.values():
            box.setValue(0)
