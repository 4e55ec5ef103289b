"""Training log: who was trained, on what, and how many women took part."""

from __future__ import annotations

from fieldapp.domain import vocab
from fieldapp.domain.derived import score_gain, training_share_women, training_total
from fieldapp.gui.forms.training_form import TrainingForm
from fieldapp.gui.list_page import FilterSpec, ListPage, day, detail_table, yes_no
from fieldapp.gui.table_models import Column
from fieldapp.documents.common import format_points, format_score
from fieldapp.i18n import N_, _, format_number, format_percent, ngettext


def _share(training) -> str:
    share = training_share_women(training)
    return format_percent(share) if share is not None else ""


def _dates(training) -> str:
    if training.end_date and training.end_date != training.start_date:
        return _("{start} to {end}").format(start=day(training.start_date), end=day(training.end_date))
    return day(training.start_date)


class TrainingsPage(ListPage):
    TITLE = N_("Trainings")
    KIND = "training"
    FORM = TrainingForm
    DATE_TITLE = N_("Started")
    SEARCH_HINT = N_("Search title, venue, facilitators, notes")
    SORT, DESCENDING = "start_date", True
    FILTERS = (
        FilterSpec("audience", N_("All audiences"), vocab.AUDIENCE),
        FilterSpec("topic", N_("All topics"), vocab.TOPIC),
    )

    def repository(self, session):
        return session.trainings

    def make_columns(self) -> list[Column]:
        return [
            Column(N_("Start"), lambda t: day(t.start_date), sort="start_date"),
            Column(N_("Title"), lambda t: t.title, sort="title", max_chars=22),
            Column(N_("Audience"), lambda t: vocab.AUDIENCE.label(t.audience), sort="audience"),
            Column(N_("Place"), lambda t: self.places.label(t.location_pcode), sort="location_pcode"),
            Column(N_("Participants"), lambda t: format_number(training_total(t)), sort="participants",
                   align_right=True),
            Column(N_("Women"), _share, align_right=True),
        ]

    def count_text(self, count: int) -> str:
        return ngettext("{count} training", "{count} trainings", count).format(count=format_number(count))

    def describe(self, training) -> str:
        return _("the training “{title}” of {date}").format(title=training.title, date=day(training.start_date))

    def detail_html(self, training) -> str:
        gain = score_gain(training)
        total = training_total(training)
        return detail_table(training.title, [
            (_("Dates"), _dates(training)),
            (_("Place"), " — ".join(p for p in (self.places.label(training.location_pcode), training.venue) if p)),
            (_("Audience"), vocab.AUDIENCE.label(training.audience)),
            (_("Topics"), ", ".join(vocab.TOPIC.label(t) for t in training.topics)),
            (_("Facilitators"), training.facilitators),
            (_("Participants"), _("{total} ({women} women and girls, {men} men and boys, {other} not recorded)").format(
                total=format_number(total), women=format_number(training.participants_female),
                men=format_number(training.participants_male),
                other=format_number(training.participants_undisclosed))),
            (_("Share of women"), _share(training)),
            (_("Training of trainers"), yes_no(training.training_of_trainers)),
            (_("Pre-test average"), format_score(training.pre_test_avg) if training.pre_test_avg is not None else ""),
            (_("Post-test average"), format_score(training.post_test_avg) if training.post_test_avg is not None else ""),
            (_("Score gain"), format_points(gain) if gain is not None else ""),
            (_("Notes"), training.notes),
        ])
