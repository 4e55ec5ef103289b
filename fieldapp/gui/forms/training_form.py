"""Training log form: participants by sex, with the total and the share of women derived live."""

from __future__ import annotations

from dataclasses import replace

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


class TrainingForm(RecordForm):
    NEW_TITLE = N_("New training")
    EDIT_TITLE = N_("Edit training")

    def build(self, body: QWidget) -> None:
        left, right = self.two_grids(QVBoxLayout(body))
        self.title = left.add("title", N_("Title"), QLineEdit())
        self.start_date = left.add("start_date", N_("First day"), DateInput(optional=False))
        self.end_date = left.add("end_date", N_("Last day"), DateInput(optional=True))
        self.place = left.add("location_pcode", N_("Place"), PlacePicker(self.context))
        self.venue = left.add("venue", N_("Venue"), QLineEdit())
        self.audience = left.add("audience", N_("Audience"), VocabCombo(vocab.AUDIENCE, empty_label=N_("Choose…")))
        self.facilitators = left.add("facilitators", N_("Facilitators"), QLineEdit())
        self.training_of_trainers = left.add("training_of_trainers", N_("Training of trainers"), QCheckBox())
        self.notes = left.add("notes", N_("Notes"), text_box(3))

        self.topics = right.add("topics", N_("Topics"), VocabCheckList(vocab.TOPIC))
        self.female = right.add("participants_female", N_("Women and girls"), _count_box())
        self.male = right.add("participants_male", N_("Men and boys"), _count_box())
        self.undisclosed = right.add("participants_undisclosed", N_("Sex not recorded"), _count_box())
        self.totals = right.add_widget(QLabel())
        self.totals.setStyleSheet("font-weight: bold; padding: 4px 0;")
        self.pre_test = right.add("pre_test_avg", N_("Pre-test average (%)"), _score_box())
        self.post_test = right.add("post_test_avg", N_("Post-test average (%)"), _score_box())
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

    def load(self, training: Training) -> None:
        self.title.setText(training.title)
        self.start_date.set_value(training.start_date)
        self.end_date.set_value(training.end_date)
        self.place.set_pcode(training.location_pcode)
        self.venue.setText(training.venue)
        self.audience.set_code(training.audience)
        self.topics.set_codes(training.topics)
        self.facilitators.setText(training.facilitators)
        self.female.setValue(training.participants_female)
        self.male.setValue(training.participants_male)
        self.undisclosed.setValue(training.participants_undisclosed)
        self.training_of_trainers.setChecked(training.training_of_trainers)
        self.pre_test.setValue(-1 if training.pre_test_avg is None else round(training.pre_test_avg))
        self.post_test.setValue(-1 if training.post_test_avg is None else round(training.post_test_avg))
        self.notes.setPlainText(training.notes)

    def collect(self) -> Training:
        training = replace(self.record) if self.record is not None else Training()
        training.title = self.title.text().strip()
        training.start_date = self.start_date.value()
        training.end_date = self.end_date.value()
        training.location_pcode = self.place.pcode()
        training.venue = self.venue.text().strip()
        training.audience = self.audience.code()
        training.topics = self.topics.codes()
        training.facilitators = self.facilitators.text().strip()
        training.participants_female = self.female.value()
        training.participants_male = self.male.value()
        training.participants_undisclosed = self.undisclosed.value()
        training.training_of_trainers = self.training_of_trainers.isChecked()
        training.pre_test_avg = None if self.pre_test.value() < 0 else float(self.pre_test.value())
        training.post_test_avg = None if self.post_test.value() < 0 else float(self.post_test.value())
        training.notes = self.notes.toPlainText().strip()
        return training

    def clear_values(self) -> None:
        self.place.clear()
        self.topics.set_codes([])
        for box in (self.female, self.male, self.undisclosed):
            box.setValue(0)
