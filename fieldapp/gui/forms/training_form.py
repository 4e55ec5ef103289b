"""Training log form: participants by sex, with the total and the share of women derived live."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from fieldapp.domain import vocab
from fieldapp.domain.derived import training_share_women, training_total
from fieldapp.domain.records import Training
from fieldapp.gui.forms.base import RecordForm, chain_tab_order, text_box
from fieldapp.gui.widgets.dates import DateInput
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.widgets.places import PlacePicker
from fieldapp.gui.widgets.vocab import VocabCheckList, VocabCombo
from fieldapp.i18n import N_, _, format_number, format_percent, ngettext


def _count_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 100_000)
    box.setGroupSeparatorShown(False)
    box.setMaximumWidth(120)
    return box


def _score_box() -> QSpinBox:
    # -1 is "no test": shown as a dash, so an empty score is never mistaken for 0.
    box = QSpinBox()
    box.setRange(-1, 100)
    box.setSpecialValueText("—")
    box.setValue(-1)
    box.setMaximumWidth(120)
    return box


def _read_score(box: QSpinBox) -> float | None:
    return None if box.value() < 0 else float(box.value())


def _write_score(box: QSpinBox, score: float | None) -> None:
    box.setValue(-1 if score is None else round(score))


class TrainingForm(RecordForm):
    NEW_TITLE = N_("New training")
    EDIT_TITLE = N_("Edit training")
    RECORD = Training

    def build(self, body: QWidget) -> None:
        left, right = self.two_grids(QVBoxLayout(body))
        self.title = left.add("title", N_("Title"), QLineEdit(), bound=True)
        self.start_date = left.add("start_date", N_("First day"), DateInput(optional=False), bound=True)
        self.end_date = left.add("end_date", N_("Last day"), DateInput(optional=True), bound=True)
        self.place = left.add("location_pcode", N_("Place"), PlacePicker(self.context), bound=True)
        self.venue = left.add("venue", N_("Venue"), QLineEdit(), bound=True)
        self.audience = left.add("audience", N_("Audience"), VocabCombo(vocab.AUDIENCE, empty_label=N_("Choose…")),
                                 bound=True)
        self.facilitators = left.add("facilitators", N_("Facilitators"), QLineEdit(), bound=True)
        self.training_of_trainers = left.add("training_of_trainers", N_("Training of trainers"), QCheckBox(),
                                             bound=True)
        self.notes = left.add("notes", N_("Notes"), text_box(3), bound=True)

        self.topics = right.add("topics", N_("Topics"), VocabCheckList(vocab.TOPIC), bound=True)
        self.female = right.add("participants_female", N_("Women and girls"), _count_box(), bound=True)
        self.male = right.add("participants_male", N_("Men and boys"), _count_box(), bound=True)
        self.undisclosed = right.add("participants_undisclosed", N_("Sex not recorded"), _count_box(), bound=True)
        self.totals = right.add_widget(QLabel())
        self.totals.setStyleSheet("font-weight: bold; padding: 4px 0;")
        self.pre_test = right.add("pre_test_avg", N_("Pre-test average (%)"), _score_box(), bound=True,
                                  read=_read_score, write=_write_score)
        self.post_test = right.add("post_test_avg", N_("Post-test average (%)"), _score_box(), bound=True,
                                   read=_read_score, write=_write_score)
        for box in (self.female, self.male, self.undisclosed):
            box.valueChanged.connect(self._update_totals)
        # Reading order: the left column top to bottom, then the right one.
        chain_tab_order([self.title, self.start_date, self.end_date, self.place, self.venue, self.audience,
                         self.facilitators, self.training_of_trainers, self.notes, self.topics, self.female,
                         self.male, self.undisclosed, self.pre_test, self.post_test])
        fit_to_screen(self, 940, 480)

    def retranslate_fields(self) -> None:
        self.training_of_trainers.setText(_("Participants will train others"))
        for widget in (self.audience, self.topics, self.start_date, self.end_date, self.place):
            widget.retranslate()
        self._update_totals()

    def _update_totals(self) -> None:
        probe = Training(participants_female=self.female.value(), participants_male=self.male.value(),
                         participants_undisclosed=self.undisclosed.value())
        total, share = training_total(probe), training_share_women(probe)
        text = ngettext("Total: {count} participant", "Total: {count} participants", total).format(
            count=format_number(total))
        if share is not None:
            text += " · " + _("{share} women").format(share=format_percent(share))
        self.totals.setText(text)

    def repository(self):
        return self.context.session.trainings

    def new_record(self) -> Training:
        return Training()

    def clear_values(self) -> None:
        self.place.clear()
        self.topics.set_codes([])
        for box in (self.female, self.male, self.undisclosed):
            box.setValue(0)
