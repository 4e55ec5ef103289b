"""The referral-pathway directory: providers by sector and place, with entries nobody has verified
for six months marked as stale (their phones and hours may no longer be right). An empty directory
says where it comes from: headquarters' data files, or providers added here."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QCheckBox, QLabel

from fieldapp.domain import vocab
from fieldapp.domain.vocab import Vocabulary
from fieldapp.gui.forms.provider_form import ProviderForm
from fieldapp.gui.list_page import FilterSpec, ListPage, day, detail_table, yes_no
from fieldapp.gui.table_models import Column
from fieldapp.i18n import N_, _, format_number, ngettext

STALE_AFTER = timedelta(days=183)  # six months
ACTIVE = Vocabulary("provider_active", (("active", N_("Active")), ("inactive", N_("Inactive"))))


def is_stale(provider, today: date | None = None) -> bool:
    today = today or date.today()
    return provider.last_verified is None or today - provider.last_verified > STALE_AFTER


def verified_text(provider) -> str:
    if provider.last_verified is None:
        return _("never verified")
    if is_stale(provider):
        return _("{date} (stale)").format(date=day(provider.last_verified))
    return day(provider.last_verified)


class DirectoryPage(ListPage):
    TITLE = N_("Directory")
    KIND = "provider"
    FORM = ProviderForm
    SEARCH_HINT = N_("Search name, address, focal point")
    SORT, DESCENDING = "name", False
    FILTERS = (
        FilterSpec("sector", N_("All services"), vocab.SECTOR),
        FilterSpec("active", N_("Active and inactive"), ACTIVE, convert=lambda code: code == "active"),
    )

    def repository(self, session):
        return session.providers

    def make_columns(self) -> list[Column]:
        return [
            Column(N_("Name"), lambda p: p.name, sort="name", max_chars=24,
                   tone=lambda p: "muted" if not p.active else None),
            Column(N_("Last verified"), verified_text, sort="last_verified",
                   tone=lambda p: "warning" if is_stale(p) else None),
            Column(N_("Services"), lambda p: ", ".join(vocab.SECTOR.label(s) for s in p.sectors)),
            Column(N_("Place"), lambda p: self.places.label(p.location_pcode), sort="location_pcode"),
            Column(N_("Phones"), lambda p: p.phones),
            Column(N_("Opening hours"), lambda p: p.opening_hours),
            Column(N_("Free"), lambda p: yes_no(p.free_of_charge)),
        ]

    def __init__(self, context, parent=None):
        self.empty_hint = QLabel()
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: #555;")
        self.empty_hint.hide()
        super().__init__(context, parent)
        self.layout().insertWidget(1, self.empty_hint)  # under the title row

    def refresh(self, select_id: str | None = None) -> None:
        super().refresh(select_id)
        self.empty_hint.setVisible(self.context.is_unlocked and not self.filtered() and self.model.rowCount() == 0)

    def clear(self) -> None:
        super().clear()
        self.empty_hint.hide()

    def add_extra_filter_widgets(self, row) -> None:
        self.stale_only = QCheckBox()
        self.stale_only.toggled.connect(lambda _checked: self.apply_filters())
        row.addWidget(self.stale_only)

    def extra_filters(self) -> dict:
        if self.stale_only.isChecked():
            return {"verified_before": (date.today() - STALE_AFTER).isoformat()}
        return {}

    def reset_extra_filters(self) -> None:
        self.stale_only.setChecked(False)

    def retranslate(self) -> None:
        self.stale_only.setText(_("Not verified for 6 months"))
        self.empty_hint.setText(_("The directory is empty. Headquarters sends it in a data file: open the file "
                                  "on the Sync page. You can also add the providers you know with “New…”."))
        super().retranslate()

    def count_text(self, count: int) -> str:
        return ngettext("{count} provider", "{count} providers", count).format(count=format_number(count))

    def describe(self, provider) -> str:
        return provider.name

    def detail_html(self, provider) -> str:
        warning = ""
        if is_stale(provider):
            warning = _("Not verified for more than 6 months: call to check before referring anyone.")
        if not provider.active:
            warning = (warning + " " if warning else "") + _("No longer offers services.")
        return detail_table(provider.name, [
            (_("Services offered"), ", ".join(vocab.SECTOR.label(s) for s in provider.sectors)),
            (_("Place"), self.places.label(provider.location_pcode)),
            (_("Address"), provider.address),
            (_("Phones"), provider.phones),
            (_("Opening hours"), provider.opening_hours),
            (_("Focal point"), provider.focal_point),
            (_("Free of charge"), yes_no(provider.free_of_charge)),
            (_("Languages"), provider.languages),
            (_("Who is eligible"), provider.eligibility_notes),
            (_("Details last verified"), verified_text(provider)),
        ], warning)
