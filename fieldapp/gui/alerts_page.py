"""Community Alert Network entries: what came in, how severe, where, and whether anyone responded."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fieldapp.domain import vocab
from fieldapp.gui.forms.alert_form import AlertForm
from fieldapp.gui.list_page import FilterSpec, ListPage, detail_table, when, yes_no
from fieldapp.gui.table_models import Column
from fieldapp.i18n import N_, _, format_number, ngettext

OPEN_TOO_LONG = timedelta(hours=24)


def _open_too_long(alert) -> bool:
    return (alert.status == "open" and alert.received_at is not None
            and datetime.now(timezone.utc) - alert.received_at > OPEN_TOO_LONG)


class AlertsPage(ListPage):
    TITLE = N_("Alerts")
    KIND = "alert"
    FORM = AlertForm
    DATE_TITLE = N_("Received")
    SEARCH_HINT = N_("Search focal point code, locality, description")
    SORT, DESCENDING = "received_at", True
    FILTERS = (
        FilterSpec("status", N_("All statuses"), vocab.ALERT_STATUS),
        FilterSpec("severity", N_("All severities"), vocab.SEVERITY),
        FilterSpec("threat_type", N_("All threats"), vocab.THREAT_TYPE),
    )

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        from fieldapp.gui.incidents_page import add_incident_action

        add_incident_action(self, "alert")

    def repository(self, session):
        return session.alerts

    def make_columns(self) -> list[Column]:
        return [
            Column(N_("Received"), lambda a: when(a.received_at), sort="received_at"),
            Column(N_("Severity"), lambda a: vocab.SEVERITY.label(a.severity), sort="severity",
                   tone=lambda a: "warning" if a.severity in ("high", "critical") else None),
            Column(N_("Status"), lambda a: vocab.ALERT_STATUS.label(a.status), sort="status",
                   tone=lambda a: "warning" if _open_too_long(a) else None),
            Column(N_("Place"), lambda a: self.places.label(a.location_pcode), sort="location_pcode"),
            Column(N_("Threats"), lambda a: ", ".join(vocab.THREAT_TYPE.label(t) for t in a.threat_types)),
            Column(N_("Locality"), lambda a: a.locality),
        ]

    def count_text(self, count: int) -> str:
        return ngettext("{count} alert", "{count} alerts", count).format(count=format_number(count))

    def describe(self, alert) -> str:
        return _("the alert received {when}").format(when=when(alert.received_at))

    def detail_html(self, alert) -> str:
        warning = _("Open for more than 24 hours.") if _open_too_long(alert) else ""
        return detail_table(_("Alert of {when}").format(when=when(alert.received_at)), [
            (_("Channel"), vocab.CHANNEL.label(alert.channel)),
            (_("Source"), vocab.SOURCE_CATEGORY.label(alert.source_category)),
            (_("Focal point code"), alert.source_code),
            (_("Place"), " — ".join(p for p in (self.places.label(alert.location_pcode), alert.locality) if p)),
            (_("Threats"), ", ".join(vocab.THREAT_TYPE.label(t) for t in alert.threat_types)),
            (_("CRSV"), yes_no(alert.crsv_related)),
            (_("Severity"), vocab.SEVERITY.label(alert.severity)),
            (_("Verification"), vocab.VERIFICATION.label(alert.verification)),
            (_("What was reported"), alert.description),
            (_("Forwarded to"), ", ".join(vocab.FORWARDED_TO.label(f) for f in alert.forwarded_to)),
            (_("Forwarded at"), when(alert.forwarded_at)),
            (_("Response"), alert.response),
            (_("Response on site at"), when(alert.responded_at)),
            (_("Status"), vocab.ALERT_STATUS.label(alert.status)),
        ], warning)
