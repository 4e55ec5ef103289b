"""Survivor referral form: no name, a generated survivor code, consent, the urgency windows
(PEP 72 h, emergency contraception 120 h) and the services the survivor is referred to."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from fieldapp.domain import services as rules
from fieldapp.domain import vocab
from fieldapp.domain import derived
from fieldapp.domain.derived import health_statuses, urgency
from fieldapp.domain.records import Referral
from fieldapp.gui.forms.base import RecordForm, chain_tab_order, text_box
from fieldapp.gui.forms.services import ServicesPanel
from fieldapp.gui.widgets.dates import DateInput, DateTimeInput
from fieldapp.gui.widgets.fields import optional_count
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.widgets.places import PlacePicker
from fieldapp.gui.widgets.vocab import VocabCombo
from fieldapp.i18n import N_, _, format_date, format_number
from fieldapp.ops import referrals as referral_ops

URGENT_STYLE = "background: #b00020; color: white; font-weight: bold; padding: 6px; border-radius: 3px;"
CLOSED_STYLE = "background: #eeeeee; color: #333333; padding: 6px; border-radius: 3px;"
UNKNOWN_STYLE = "background: #fff3cd; color: #5c4400; padding: 6px; border-radius: 3px;"
FUTURE_STYLE = "background: #fff3cd; color: #8a1c00; font-weight: bold; padding: 6px; border: 2px solid #b00020;"
NOTICE_STYLE = "background: #fff3cd; color: #5c4400; font-weight: bold; padding: 6px; border: 1px solid #c99a00;"
CHILD_AGES = ("0-11", "12-17")


class ReferralForm(RecordForm):
    NEW_TITLE = N_("New referral")
    EDIT_TITLE = N_("Edit referral")
    RECORD = Referral

    def build(self, body: QWidget) -> None:
        self.urgency_banner = QLabel(self)
        self.urgency_banner.setWordWrap(True)
        self.un_notice = QLabel(self)
        self.un_notice.setWordWrap(True)
        self.un_notice.setStyleSheet(NOTICE_STYLE)
        self.un_notice.hide()
        # Above the scrolling fields: the windows and the SEA notice stay in sight while typing.
        self.layout().insertWidget(0, self.un_notice)
        self.layout().insertWidget(0, self.urgency_banner)

        outer = QVBoxLayout(body)
        left, right = self.two_grids(outer)
        self.survivor_code = left.add("survivor_code", N_("Survivor code"), QLineEdit(), bound=True,
                                      read=lambda edit: edit.text().strip().upper())
        self.reported_at = left.add("reported_at", N_("Reported at"), DateTimeInput(optional=False), bound=True)
        self.incident_date = left.add("incident_date", N_("Incident date"), DateInput(optional=True), bound=True)
        self.precision = left.add("incident_date_precision", N_("Date is"), VocabCombo(vocab.DATE_PRECISION),
                                  bound=True)
        self.incident_type = left.add("incident_type", N_("Incident type"),
                                      VocabCombo(vocab.INCIDENT_TYPE, empty_label=N_("Choose…")), bound=True)
        self.crsv = left.add("crsv", N_("CRSV"), QCheckBox(), bound=True)
        self.place = left.add("location_pcode", N_("Place of incident"), PlacePicker(self.context), bound=True)
        self.locality = left.add("locality", N_("Locality"), QLineEdit(), bound=True)
        self.entry_point = left.add("entry_point", N_("Came through"), VocabCombo(vocab.ENTRY_POINT), bound=True)
        self.status = left.add("status", N_("Case status"), VocabCombo(vocab.REFERRAL_STATUS), bound=True)

        self.sex = right.add("sex", N_("Sex"), VocabCombo(vocab.SEX), bound=True)
        self.age_group = right.add("age_group", N_("Age"), VocabCombo(vocab.AGE_GROUP), bound=True)
        self.displacement = right.add("displacement", N_("Displacement"), VocabCombo(vocab.DISPLACEMENT), bound=True)
        self.disability = right.add("disability", N_("Disability"), VocabCombo(vocab.YES_NO_UNKNOWN), bound=True)
        self.perpetrator = right.add("perpetrator_category", N_("Perpetrator"),
                                     VocabCombo(vocab.PERPETRATOR_CATEGORY), bound=True)
        self.perpetrator_count = right.add("perpetrator_count", N_("Number of perpetrators"), QSpinBox(),
                                           bound=True, read=optional_count)
        self.perpetrator_count.setRange(0, 1000)
        self.perpetrator_count.setMaximumWidth(160)
        self.consent_referral = right.add("consent_referral", N_("Consent to referral"), QCheckBox(), bound=True)
        self.consent_reporting = right.add("consent_reporting", N_("Consent to statistics"), QCheckBox(),
                                           bound=True)
        self.consent_by = right.add("consent_by", N_("Consent given by"), VocabCombo(vocab.CONSENT_BY), bound=True)
        self.consent_at = right.add("consent_at", N_("Consent date"), DateInput(optional=True), bound=True)

        self.notes_label = QLabel()
        outer.addWidget(self.notes_label)
        # Full width under the two columns, a field of the referral all the same.
        self.notes = left.bind("notes", text_box(3))
        outer.addWidget(self.notes)
        self.services_box = QGroupBox()
        box_layout = QVBoxLayout(self.services_box)
        self.services = ServicesPanel(self.context, self.consent_referral.isChecked, self.services_box)
        box_layout.addWidget(self.services)
        outer.addWidget(self.services_box)

        self.precision.set_code("exact")
        self.status.set_code("open")
        self.incident_date.changed.connect(self._update_urgency)
        self.incident_type.code_changed.connect(self._update_urgency)
        self.status.code_changed.connect(self._update_urgency)
        self.services.changed.connect(self._update_urgency)
        self.precision.code_changed.connect(self._precision_changed)
        self.perpetrator.code_changed.connect(self._update_notice)
        self.age_group.code_changed.connect(self._age_changed)
        self.consent_referral.toggled.connect(self._consent_toggled)
        self.consent_reporting.toggled.connect(self._consent_toggled)
        # Reading order: the left column top to bottom, then the right one, then what is below.
        chain_tab_order([self.survivor_code, self.reported_at, self.incident_date, self.precision,
                         self.incident_type, self.crsv, self.place, self.locality, self.entry_point, self.status,
                         self.sex, self.age_group, self.displacement, self.disability, self.perpetrator,
                         self.perpetrator_count, self.consent_referral, self.consent_reporting, self.consent_by,
                         self.consent_at, self.notes, self.services.view, self.services.add_button])
        # Hours tick on while the form is open.
        self._clock = QTimer(self)
        self._clock.setInterval(60_000)
        self._clock.timeout.connect(self._update_urgency)
        self._clock.start()
        fit_to_screen(self, 1040, 760)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.is_new:
            self.incident_date.setFocus()

    def retranslate_fields(self) -> None:
        self.crsv.setText(_("Conflict-related sexual violence"))
        self.consent_referral.setText(_("The survivor agrees to be referred"))
        self.consent_reporting.setText(_("Non-identifying data may be counted in statistics"))
        self.perpetrator_count.setSpecialValueText(_("Unknown"))
        self.notes_label.setText(_("Notes (sensitive: never exported to spreadsheets)"))
        self.services_box.setTitle(_("Services"))
        for widget in (self.precision, self.incident_type, self.entry_point, self.status, self.sex,
                       self.age_group, self.displacement, self.disability, self.perpetrator, self.consent_by,
                       self.reported_at, self.incident_date, self.consent_at, self.place):
            widget.retranslate()
        self.services.retranslate()
        self._update_notice()
        self._update_urgency()

    # -- live help (as the user types; a stored referral loads as it was: see RecordForm.load) ---
    def _precision_changed(self, code: str) -> None:
        unknown = code == "unknown"
        if unknown and not self.loading:
            self.incident_date.set_value(None)
        self.incident_date.setEnabled(not unknown)
        self._update_urgency()

    def _age_changed(self, code: str) -> None:
        if code in CHILD_AGES and not self.loading:
            self.consent_by.set_code("caregiver")

    def _consent_toggled(self, checked: bool) -> None:
        if checked and self.consent_at.value() is None and not self.loading:
            self.consent_at.set_value(datetime.now().date())
        if self.consent_referral.isChecked():
            self.services.show_notice("")

    def _update_notice(self) -> None:
        shown = self.perpetrator.code() == "un_personnel"
        self.un_notice.setText(_(rules.UN_PERSONNEL_NOTICE) if shown else "")
        self.un_notice.setVisible(shown)

    def urgency_text(self) -> str:
        return self.urgency_banner.text()

    def _update_urgency(self) -> None:
        probe = Referral(incident_date=self.incident_date.value(), incident_date_precision=self.precision.code(),
                         incident_type=self.incident_type.code() or "", status=self.status.code() or "open")
        staged = health_statuses(draft.service for draft in self.services.model.drafts())
        state = urgency(probe, datetime.now(timezone.utc), staged)
        reason = state.quiet_reason
        quiet_texts = {
            derived.NOT_SEXUAL_VIOLENCE: _("PEP and emergency contraception windows apply after rape or sexual "
                                           "assault only."),
            derived.CASE_CLOSED: _("Case closed: no health care window to watch."),
            derived.HEALTH_CARE_RECEIVED: _("Health care accepted or received: the PEP and emergency contraception "
                                            "windows need no more action."),
        }
        if reason in quiet_texts:
            self._set_banner(quiet_texts[reason], CLOSED_STYLE)
        elif reason == derived.DATE_IN_FUTURE:
            self._set_banner(_("The incident date {date} is after today: check the day and the month.").format(
                date=format_date(probe.incident_date, "long")), FUTURE_STYLE)
        elif reason == derived.DATE_UNKNOWN:
            self._set_banner(_("Incident date unknown. If it was less than 72 hours ago, PEP is still possible; "
                               "less than 120 hours, emergency contraception."), UNKNOWN_STYLE)
        else:
            hours = format_number(int(state.hours_since))
            parts = [_("Incident {hours} hours ago.").format(hours=hours)]
            if state.pep_open:
                parts.append(_("PEP window OPEN: {left} h left.").format(left=format_number(int(state.pep_hours_left))))
            else:
                parts.append(_("PEP window (72 h) closed."))
            if state.ec_open:
                parts.append(_("Emergency contraception window OPEN: {left} h left.").format(
                    left=format_number(int(state.ec_hours_left))))
            else:
                parts.append(_("Emergency contraception window (120 h) closed."))
            self._set_banner(" ".join(parts), URGENT_STYLE if state.urgent else CLOSED_STYLE)

    def _set_banner(self, text: str, style: str) -> None:
        self.urgency_banner.setText(text)
        self.urgency_banner.setStyleSheet(style)

    # -- record <-> fields ---------------------------------------------------------------------
    def repository(self):
        return self.context.session.referrals

    def new_record(self) -> Referral:
        session = self.context.session
        code = session.referrals.next_survivor_code(session.office_code, datetime.now(timezone.utc).year)
        return Referral(survivor_code=code)

    def load_more(self, referral: Referral) -> None:
        self.services.load(referral.id)

    def is_dirty(self) -> bool:
        return super().is_dirty() or any(draft.unsaved for draft in self.services.model.drafts())

    def write(self, referral: Referral) -> list:
        """The referral and its staged services, saved or refused whole (one transaction)."""
        return referral_ops.save_referral(self.context.session, referral, self.services.staged())

    def show_problems(self, problems: dict[str, str]) -> None:
        # "services[1].status": that service is selected, the message (naming it) shown below the form.
        for name in problems:
            if name.startswith("services["):
                self.services.select_row(int(name[len("services["):name.index("]")]))
                break
        super().show_problems(problems)

    def clear_values(self) -> None:
        self._clock.stop()
        self.place.clear()
        self.services.clear()
        self.urgency_banner.clear()
