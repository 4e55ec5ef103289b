"""Referrals list: survivor codes (never names), incident types, places, urgency at a glance."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from fieldapp.domain import vocab
from fieldapp.domain.derived import health_statuses, urgency
from fieldapp.domain.services import UN_PERSONNEL_NOTICE
from fieldapp.gui.forms.referral_form import ReferralForm
from fieldapp.gui.list_page import FilterSpec, ListPage, day, detail_table, when, yes_no
from fieldapp.gui.table_models import Column
from fieldapp.i18n import N_, _, format_number, ngettext


def urgency_text(state) -> str:
    if not state.urgent:
        return _("Date in the future?") if state.future else ""
    if state.pep_open:
        return _("PEP {hours} h left").format(hours=format_number(int(state.pep_hours_left)))
    return _("EC {hours} h left").format(hours=format_number(int(state.ec_hours_left)))


class ReferralsPage(ListPage):
    TITLE = N_("Referrals")
    KIND = "referral"
    FORM = ReferralForm
    DATE_TITLE = N_("Reported")
    SEARCH_HINT = N_("Search survivor code, locality, notes")
    DETAIL_KINDS = ("service",)
    SORT, DESCENDING = "reported_at", True
    FILTERS = (
        FilterSpec("status", N_("All statuses"), vocab.REFERRAL_STATUS),
        FilterSpec("incident_type", N_("All incident types"), vocab.INCIDENT_TYPE),
        FilterSpec("sector", N_("All services"), vocab.SECTOR),
    )

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        from fieldapp.gui.incidents_page import add_incident_action

        add_incident_action(self, "referral")

    def repository(self, session):
        return session.referrals

    def urgency_of(self, referral):
        """The domain's rule, with the referral's health services looked up only when it asks."""
        return urgency(referral, datetime.now(timezone.utc),
                       lambda: health_statuses(self.context.session.services.for_referral(referral.id)))

    def on_records_changed(self, change) -> None:
        super().on_records_changed(change)
        if change.kind == "service":
            self.model.retranslate()  # a health service accepted ends the countdown in the list

    def make_columns(self) -> list[Column]:
        # Only columns with an index behind them sort: at 200 000 rows others take a second.
        return [
            Column(N_("Survivor code"), lambda r: r.survivor_code, sort="survivor_code"),
            Column(N_("Reported"), lambda r: when(r.reported_at), sort="reported_at"),
            Column(N_("Urgent"), lambda r: urgency_text(self.urgency_of(r)),
                   tone=lambda r: "warning" if urgency_text(self.urgency_of(r)) else None),
            Column(N_("Incident type"), lambda r: vocab.INCIDENT_TYPE.label(r.incident_type), sort="incident_type"),
            Column(N_("Status"), lambda r: vocab.REFERRAL_STATUS.label(r.status), sort="status",
                   tone=lambda r: "muted" if r.status == "closed" else None),
            Column(N_("Place"), lambda r: self.places.label(r.location_pcode), sort="location_pcode"),
            Column(N_("Sex, age"), lambda r: f"{vocab.SEX.label(r.sex)}, {vocab.AGE_GROUP.label(r.age_group)}"),
        ]

    def count_text(self, count: int) -> str:
        return ngettext("{count} referral", "{count} referrals", count).format(count=format_number(count))

    def describe(self, referral) -> str:
        return _("referral {code}").format(code=referral.survivor_code)

    def detail_html(self, referral) -> str:
        state = self.urgency_of(referral)
        warning = ""
        if state.future:
            warning = _("The incident date is after today: check the day and the month.")
        elif state.urgent and state.pep_open:
            warning = _("PEP window open: {pep} h left; emergency contraception: {ec} h left.").format(
                pep=format_number(int(state.pep_hours_left)), ec=format_number(int(state.ec_hours_left)))
        elif state.urgent:
            warning = _("Emergency contraception window open: {ec} h left.").format(
                ec=format_number(int(state.ec_hours_left)))
        if referral.perpetrator_category == "un_personnel":
            warning = (warning + " " if warning else "") + _(UN_PERSONNEL_NOTICE)
        incident = day(referral.incident_date)
        if referral.incident_date_precision != "exact":
            incident = (incident + " " if incident else "") + f"({vocab.DATE_PRECISION.label(referral.incident_date_precision)})"
        html = detail_table(referral.survivor_code, [
            (_("Reported at"), when(referral.reported_at)),
            (_("Incident date"), incident),
            (_("Incident type"), vocab.INCIDENT_TYPE.label(referral.incident_type)),
            (_("CRSV"), yes_no(referral.crsv)),
            (_("Place"), " — ".join(p for p in (self.places.label(referral.location_pcode), referral.locality) if p)),
            (_("Sex"), vocab.SEX.label(referral.sex)),
            (_("Age"), vocab.AGE_GROUP.label(referral.age_group)),
            (_("Displacement"), vocab.DISPLACEMENT.label(referral.displacement)),
            (_("Disability"), vocab.YES_NO_UNKNOWN.label(referral.disability)),
            (_("Perpetrator"), vocab.PERPETRATOR_CATEGORY.label(referral.perpetrator_category)),
            (_("Came through"), vocab.ENTRY_POINT.label(referral.entry_point)),
            (_("Consent to referral"), yes_no(referral.consent_referral)),
            (_("Consent to statistics"), yes_no(referral.consent_reporting)),
            (_("Consent given by"), vocab.CONSENT_BY.label(referral.consent_by)),
            (_("Case status"), vocab.REFERRAL_STATUS.label(referral.status)),
            (_("Notes"), referral.notes),
        ], warning)
        services = self.context.session.services.for_referral(referral.id)
        providers = self.context.session.providers.get_many([s.provider_id for s in services if s.provider_id])
        rows = []
        for service in services:
            provider = providers.get(service.provider_id or "")
            name = provider.name if provider else service.provider_text
            follow = _("follow up {date}").format(date=day(service.follow_up_on)) if service.follow_up_on else ""
            rows.append("<li>{line}{provider}{follow}</li>".format(
                line=escape(_("{label}: {value}")).format(label=f"<b>{escape(vocab.SECTOR.label(service.sector))}</b>",
                                                          value=escape(vocab.SERVICE_STATUS.label(service.status))),
                provider=f" — {escape(name)}" if name else "",
                follow=f" ({escape(follow)})" if follow else ""))
        html += "<h4>{title}</h4>".format(title=escape(_("Services")))
        html += "<ul>" + "".join(rows) + "</ul>" if rows else "<p>{none}</p>".format(none=escape(_("No service yet.")))
        return html
