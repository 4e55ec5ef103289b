"""Referral-pathway directory entry: a service provider with its sectors, contacts and the date
someone last checked the details."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from fieldapp.domain import vocab
from fieldapp.domain.records import Provider
from fieldapp.gui.forms.base import RecordForm, chain_tab_order, text_box
from fieldapp.gui.widgets.dates import DateInput
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.widgets.places import PlacePicker
from fieldapp.gui.widgets.vocab import VocabCheckList
from fieldapp.i18n import N_, _


class ProviderForm(RecordForm):
    NEW_TITLE = N_("New service provider")
    EDIT_TITLE = N_("Edit service provider")

    def build(self, body: QWidget) -> None:
        left, right = self.two_grids(QVBoxLayout(body))
        self.name = left.add("name", N_("Name"), QLineEdit())
        self.place = left.add("location_pcode", N_("Place"), PlacePicker(self.context))
        self.address = left.add("address", N_("Address"), QLineEdit())
        self.phones = left.add("phones", N_("Phones"), QLineEdit())
        self.opening_hours = left.add("opening_hours", N_("Opening hours"), QLineEdit())
        self.focal_point = left.add("focal_point", N_("Focal point"), QLineEdit())
        self.languages = left.add("languages", N_("Languages"), QLineEdit())
        self.free_of_charge = left.add("free_of_charge", N_("Free of charge"), QCheckBox())
        self.active = left.add("active", N_("Active"), QCheckBox())
        self.sectors = right.add("sectors", N_("Services offered"), VocabCheckList(vocab.SECTOR))
        self.eligibility = right.add("eligibility_notes", N_("Who is eligible"), text_box(3))
        verified_row = QWidget()
        row = QHBoxLayout(verified_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.last_verified = DateInput(optional=True)
        self.verified_today = QPushButton()
        self.verified_today.clicked.connect(lambda: self.last_verified.set_value(date.today()))
        row.addWidget(self.last_verified, 1)
        row.addWidget(self.verified_today)
        right.add("last_verified", N_("Details last verified"), verified_row)
        self.free_of_charge.setChecked(True)
        self.active.setChecked(True)
        chain_tab_order([self.name, self.place, self.address, self.phones, self.opening_hours, self.focal_point,
                         self.languages, self.free_of_charge, self.active, self.sectors, self.eligibility,
                         self.last_verified, self.verified_today])
        fit_to_screen(self, 900, 520)

    def retranslate_fields(self) -> None:
        self.free_of_charge.setText(_("Services are free"))
        self.active.setText(_("Still offers services"))
        self.verified_today.setText(_("Verified today"))
        for widget in (self.sectors, self.last_verified, self.place):
            widget.retranslate()

    def repository(self):
        return self.context.session.providers

    def new_record(self) -> Provider:
        # Someone typing a provider in has just checked its details.
        return Provider(last_verified=date.today())

    def load(self, provider: Provider) -> None:
        self.name.setText(provider.name)
        self.place.set_pcode(provider.location_pcode)
        self.address.setText(provider.address)
        self.phones.setText(provider.phones)
        self.opening_hours.setText(provider.opening_hours)
        self.focal_point.setText(provider.focal_point)
        self.languages.setText(provider.languages)
        self.free_of_charge.setChecked(provider.free_of_charge)
        self.active.setChecked(provider.active)
        self.sectors.set_codes(provider.sectors)
        self.eligibility.setPlainText(provider.eligibility_notes)
        self.last_verified.set_value(provider.last_verified)

    def collect(self) -> Provider:
        provider = replace(self.record) if self.record is not None else Provider()
        provider.name = self.name.text().strip()
        provider.location_pcode = self.place.pcode()
        provider.address = self.address.text().strip()
        provider.phones = self.phones.text().strip()
        provider.opening_hours = self.opening_hours.text().strip()
        provider.focal_point = self.focal_point.text().strip()
        provider.languages = self.languages.text().strip()
        provider.free_of_charge = self.free_of_charge.isChecked()
        provider.active = self.active.isChecked()
        provider.sectors = self.sectors.codes()
        provider.eligibility_notes = self.eligibility.toPlainText().strip()
        provider.last_verified = self.last_verified.value()
        return provider

    def clear_values(self) -> None:
        self.place.clear()
        self.sectors.set_codes([])
