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
        left.add("received_at", N_("Received at"), received_row)
        self.channel = left.add("channel", N_("Channel"), VocabCombo(vocab.CHANNEL))
        self.source_category = left.add("source_category", N_("Source"), VocabCombo(vocab.SOURCE_CATEGORY))
        self.source_code = left.add("source_code", N_("Focal point code"), QLineEdit())
        self.place = left.add("location_pcode", N_("Place"), PlacePicker(self.context))
        self.locality = left.add("locality", N_("Locality"), QLineEdit())
        self.severity = left.add("severity", N_("Severity"), VocabCombo(vocab.SEVERITY))
        self.verification = left.add("verification", N_("Verification"), VocabCombo(vocab.VERIFICATION))
        self.status = left.add("status", N_("Status"), VocabCombo(vocab.ALERT_STATUS))

        self.threat_types = right.add("threat_types", N_("Threats"), VocabCheckList(vocab.THREAT_TYPE))
        self.crsv_related = right.add("crsv_related", N_("CRSV"), QCheckBox())
        self.description = right.add("description", N_("What was reported"), text_box(3))
        self.forwarded_to = right.add("forwarded_to", N_("Forwarded to"), VocabCheckList(vocab.FORWARDED_TO))
        self.forwarded_at = right.add("forwarded_at", N_("Forwarded at"), DateTimeInput(optional=True))
        self.response = right.add("response", N_("Response"), text_box(2))
        self.responded_at = right.add("responded_at", N_("Response on site at"), DateTimeInput(optional=True))

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

    # -- live help -----------------------------------------------------------------------------
    def _threats_changed(self) -> None:
        if "sexual_violence" in self.threat_types.codes():
            self.crsv_related.setChecked(True)

    def _forwarded_changed(self) -> None:
        if self.forwarded_to.codes() and self.forwarded_at.value() is None:
            self.forwarded_at.set_value(utc_now())

    def _responded_changed(self) -> None:
        if self.responded_at.value() is not None and self.status.code() == "open":
            self.status.set_code("responded")

    # -- record <-> fields ---------------------------------------------------------------------
    def repository(self):
        return self.context.session.alerts

    def new_record(self) -> Alert:
        return Alert()

    def load(self, alert: Alert) -> None:
        self.received_at.set_value(alert.received_at)
        self.channel.set_code(alert.channel)
        self.source_category.set_code(alert.source_category)
        self.source_code.setText(alert.source_code)
        self.place.set_pcode(alert.location_pcode)
        self.locality.setText(alert.locality)
        self.threat_types.set_codes(alert.threat_types)
        self.crsv_related.setChecked(alert.crsv_related)
        self.severity.set_code(alert.severity)
        self.description.setPlainText(alert.description)
        self.verification.set_code(alert.verification)
        self.forwarded_to.set_codes(alert.forwarded_to)
        self.forwarded_at.set_value(alert.forwarded_at)
        self.response.setPlainText(alert.response)
        self.responded_at.set_value(alert.responded_at)
        self.status.set_code(alert.status)

    def collect(self) -> Alert:
        from dataclasses import replace

        alert = replace(self.record) if self.record is not None else Alert()
        alert.received_at = self.received_at.value()
        alert.channel = self.channel.code()
        alert.source_category = self.source_category.code()
        alert.source_code = self.source_code.text().strip()
        alert.location_pcode = self.place.pcode()
        alert.locality = self.locality.text().strip()
        alert.threat_types = self.threat_types.codes()
        alert.crsv_related = self.crsv_related.isChecked()
        alert.severity = self.severity.code()
        alert.description = self.description.toPlainText().strip()
        alert.verification = self.verification.code()
        alert.forwarded_to = self.forwarded_to.codes()
        alert.forwarded_at = self.forwarded_at.value()
        alert.response = self.response.toPlainText().strip()
        alert.responded_at = self.responded_at.value()
        alert.status = self.status.code()
        return alert

    def clear_values(self) -> None:
        self.place.clear()
        self.threat_types.set_codes([])
        self.forwarded_to.set_codes([])
