"""Referral-pathway directory entry: a service provider with its sectors, contacts and the date
someone last checked the details."""

from __future__ import annotations

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
    RECORD = Provider

    def build(self, body: QWidget) -> None:
        left, right = self.two_grids(QVBoxLayout(body))
        self.name = left.add("name", N_("Name"), QLineEdit(), bound=True)
        self.place = left.add("location_pcode", N_("Place"), PlacePicker(self.context), bound=True)
        self.address = left.add("address", N_("Address"), QLineEdit(), bound=True)
        self.phones = left.add("phones", N_("Phones"), QLineEdit(), bound=True)
        self.opening_hours = left.add("opening_hours", N_("Opening hours"), QLineEdit(), bound=True)
        self.focal_point = left.add("focal_point", N_("Focal point"), QLineEdit(), bound=True)
        self.languages = left.add("languages", N_("Languages"), QLineEdit(), bound=True)
        self.free_of_charge = left.add("free_of_charge", N_("Free of charge"), QCheckBox(), bound=True)
        self.active = left.add("active", N_("Active"), QCheckBox(), bound=True)
        self.sectors = right.add("sectors", N_("Services offered"), VocabCheckList(vocab.SECTOR), bound=True)
        self.eligibility = right.add("eligibility_notes", N_("Who is eligible"), text_box(3), bound=True)
        verified_row = QWidget()
        row = QHBoxLayout(verified_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.last_verified = DateInput(optional=True)
        self.verified_today = QPushButton()
        self.verified_today.clicked.connect(lambda: self.last_verified.set_value(date.today()))
        row.addWidget(self.last_verified, 1)
        row.addWidget(self.verified_today)
        right.add("last_verified", N_("Details last verified"), verified_row, bound=True, value=self.last_verified)
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

    def clear_values(self) -> None:
        self.place.clear()
        self.sectors.set_codes([])
