"""Community Alert Network entry, built for speed: the receipt time is already now, sensible
defaults are set, and Tab walks the fields in the order a call is taken."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from fieldapp.domain import vocab
from fieldapp.domain.records import Alert, utc_now
from fieldapp.gui.forms.base import RecordForm, chain_tab_order, text_box
from fieldapp.gui.widgets.dates import DateTimeInput
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.widgets.places import PlacePicker
from fieldapp.gui.widgets.vocab import VocabCheckList, VocabCombo
from fieldapp.i18n import N_, _


class AlertForm(RecordForm):
    NEW_TITLE = N_("New alert")
    EDIT_TITLE = N_("Edit alert")
    RECORD = Alert

    def build(self, body: QWidget) -> None:
        left, right = self.two_grids(QVBoxLayout(body))

        received_row = QWidget()
        row = QHBoxLayout(received_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.received_at = DateTimeInput(optional=False)
        self.now_button = QPushButton()
        self.now_button.clicked.connect(self.received_at.set_now)
        row.addWidget(self.received_at, 1)
        row.addWidget(self.now_button)
        left.add("received_at", N_("Received at"), received_row, bound=True, value=self.received_at)
        self.channel = left.add("channel", N_("Channel"), VocabCombo(vocab.CHANNEL), bound=True)
        self.source_category = left.add("source_category", N_("Source"), VocabCombo(vocab.SOURCE_CATEGORY),
                                        bound=True)
        self.source_code = left.add("source_code", N_("Focal point code"), QLineEdit(), bound=True)
        self.place = left.add("location_pcode", N_("Place"), PlacePicker(self.context), bound=True)
        self.locality = left.add("locality", N_("Locality"), QLineEdit(), bound=True)
        self.severity = left.add("severity", N_("Severity"), VocabCombo(vocab.SEVERITY), bound=True)
        self.verification = left.add("verification", N_("Verification"), VocabCombo(vocab.VERIFICATION), bound=True)
        self.status = left.add("status", N_("Status"), VocabCombo(vocab.ALERT_STATUS), bound=True)

        self.threat_types = right.add("threat_types", N_("Threats"), VocabCheckList(vocab.THREAT_TYPE), bound=True)
        self.crsv_related = right.add("crsv_related", N_("CRSV"), QCheckBox(), bound=True)
        self.description = right.add("description", N_("What was reported"), text_box(3), bound=True)
        self.forwarded_to = right.add("forwarded_to", N_("Forwarded to"), VocabCheckList(vocab.FORWARDED_TO),
                                      bound=True)
        self.forwarded_at = right.add("forwarded_at", N_("Forwarded at"), DateTimeInput(optional=True), bound=True)
        self.response = right.add("response", N_("Response"), text_box(2), bound=True)
        self.responded_at = right.add("responded_at", N_("Response on site at"), DateTimeInput(optional=True),
                                      bound=True)

        self.severity.set_code("medium")
        self.verification.set_code("unverified")
        self.status.set_code("open")
        self.threat_types.changed.connect(self._threats_changed)
        self.forwarded_to.changed.connect(self._forwarded_changed)
        self.responded_at.changed.connect(self._responded_changed)
        # Reading order: the left column top to bottom, then the right one.
        chain_tab_order([self.received_at, self.now_button, self.channel, self.source_category, self.source_code,
                         self.place, self.locality, self.severity, self.verification, self.status,
                         self.threat_types, self.crsv_related, self.description, self.forwarded_to,
                         self.forwarded_at, self.response, self.responded_at])
        fit_to_screen(self, 980, 520)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.is_new:
            # The time is already filled in: the first thing to type is how the alert came.
            self.channel.setFocus()

    def retranslate_fields(self) -> None:
        self.now_button.setText(_("Now"))
        self.crsv_related.setText(_("Conflict-related sexual violence"))
        for widget in (self.channel, self.source_category, self.severity, self.verification, self.status,
                       self.threat_types, self.forwarded_to, self.received_at, self.forwarded_at,
                       self.responded_at, self.place):
            widget.retranslate()

    # -- live help (as the user types; a stored alert loads as it was: see RecordForm.load) ------
    def _threats_changed(self) -> None:
        if not self.loading and "sexual_violence" in self.threat_types.codes():
            self.crsv_related.setChecked(True)

    def _forwarded_changed(self) -> None:
        if not self.loading and self.forwarded_to.codes() and self.forwarded_at.value() is None:
            self.forwarded_at.set_value(utc_now())

    def _responded_changed(self) -> None:
        if not self.loading and self.responded_at.value() is not None and self.status.code() == "open":
            self.status.set_code("responded")

    # -- record <-> fields ---------------------------------------------------------------------
    def repository(self):
        return self.context.session.alerts

    def new_record(self) -> Alert:
        return Alert()

    def clear_values(self) -> None:
        self.place.clear()
        self.threat_types.set_codes([])
        self.forwarded_to.set_codes([])
