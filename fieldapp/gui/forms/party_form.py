"""A party to conflict (docs/DESIGN.md 2.6): name, short name, type, year first listed in the annex;
and the note the party and commitment forms show on a record another site created."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from fieldapp.domain import mara
from fieldapp.domain.mara import Party
from fieldapp.gui.forms.base import RecordForm, chain_tab_order, text_box
from fieldapp.gui.widgets.fields import FieldGrid
from fieldapp.gui.widgets.vocab import VocabCombo
from fieldapp.i18n import N_, _
from fieldapp.ops.mara_origin import created_elsewhere_by, edits_stay_here_text

NOT_LISTED = mara.FIRST_ANNEX_YEAR - 1  # the spin box's minimum stands for "not listed"


class EditsStayHereNote(QLabel):
    """« Partie créée par … : vos modifications restent sur cet ordinateur ; … », shown only when
    this vault's edits of the record never leave it; follows the language."""

    def __init__(self, context, record, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.office = created_elsewhere_by(context.session, record) if context.is_unlocked else None
        self.setWordWrap(True)
        self.setStyleSheet("background: #fff4e5; color: #5d4037; border: 1px solid #f0c36d; padding: 6px;")
        self.setVisible(self.office is not None)
        context.language_changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(edits_stay_here_text(self.kind, self.office) if self.office is not None else "")


class PartyForm(RecordForm):
    NEW_TITLE = N_("New party to conflict")
    EDIT_TITLE = N_("Edit party to conflict")
    RECORD = Party

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        self.stays_here = EditsStayHereNote(self.context, self.record, "party", body)
        layout.addWidget(self.stays_here)
        grid = FieldGrid(body)
        layout.addWidget(grid)
        self.grids = [grid]
        self.name = grid.add("name", N_("Name"), QLineEdit(), bound=True)
        self.short_name = grid.add("short_name", N_("Short name"), QLineEdit(), bound=True)
        self.party_type = grid.add("party_type", N_("Type"), VocabCombo(mara.PARTY_TYPE), bound=True)
        self.listed_since = QSpinBox()
        self.listed_since.setRange(NOT_LISTED, mara.LATEST_YEAR)
        self.listed_since.setMaximumWidth(self.listed_since.fontMetrics().horizontalAdvance("Non listée") + 60)
        grid.add("listed_since", N_("Listed in the annex since"), self.listed_since, bound=True,
                 read=lambda box: None if box.value() == NOT_LISTED else box.value(),
                 write=lambda box, year: box.setValue(year or NOT_LISTED))
        self.notes = grid.add("notes", N_("Notes"), text_box(3), bound=True)
        chain_tab_order([self.name, self.short_name, self.party_type, self.listed_since, self.notes])
        self.resize(620, 360)

    def retranslate_fields(self) -> None:
        self.listed_since.setSpecialValueText(_("Not listed"))
        self.party_type.retranslate()

    def repository(self):
        return self.context.session.parties

    def new_record(self) -> Party:
        return Party()
