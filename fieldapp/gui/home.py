"""Home: what needs action today. Urgent health windows, follow-ups due, alerts left open,
and the last 30 days in numbers. Every item opens its record (Enter or double-click)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QLabel, QLayout, QSizePolicy,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from fieldapp.domain import vocab
from fieldapp.domain.records import utc_now
from fieldapp.gui.context import AppContext
from fieldapp.gui.page import Page
from fieldapp.gui.widgets.scroll import vertical_scroll
from fieldapp.gui.widgets.wrapping_tree import WrappingTree
from fieldapp.i18n import N_, _, format_date, format_datetime, format_number, language, ngettext
from fieldapp.domain.derived import ALERT_OPEN_HOURS, RECENT_DAYS

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1  # (kind, id) of the record an item opens
RED = QColor("#b00020")
GREY = QColor("#6b6b6b")
REFRESH_MS = 60_000  # hours left change while the page is on screen


def _hours(value: float) -> str:
    # At most 120: no digit grouping in any locale, and Babel costs half a millisecond a call.
    return _("{hours} h left").format(hours=int(value))


class Section(QWidget):
    """A heading, a table of items, and a line saying there is nothing to do."""

    def __init__(self, columns: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.heading = QLabel()
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        # Columns share the page's width and long texts (places, providers, threats) wrap: at
        # 1024 pixels in French nothing is cut with "…" and nothing scrolls sideways.
        self.tree = WrappingTree()
        self.tree.setColumnCount(columns)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.fitted.connect(self._fit_height)
        self.empty = QLabel()
        self.empty.setStyleSheet("color: #1a7f37;")
        # Labels keep their height, so a short list leaves the space to the longer ones.
        for label in (self.heading, self.empty):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMaximumSize)  # never taller than its rows
        layout.setContentsMargins(0, 6, 0, 6)
        layout.addWidget(self.heading)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)
        self.show_items(False)

    def show_items(self, any_items: bool) -> None:
        self.tree.setVisible(any_items)
        self.empty.setVisible(not any_items)
        if any_items:
            self.fit()

    def fit(self) -> None:
        """Columns to the width, then no taller than the rows: a list of one does not push the
        others into scrolling."""
        self.tree.fit_columns()  # emits fitted: _fit_height

    def _fit_height(self) -> None:
        tree = self.tree
        height = tree.header().sizeHint().height() + 2 * tree.frameWidth() + 2 + tree.rows_height()
        if tree.header().length() > tree.viewport().width():  # the bar shows only then (and is a fault)
            height += tree.horizontalScrollBar().sizeHint().height()
        tree.setMaximumHeight(height)

    def add(self, values: list[str], kind: str, record_id: str) -> QTreeWidgetItem:
        item = self.tree.add_row(values)
        item.setData(0, RECORD_ROLE, (kind, record_id))
        return item

    def clear(self) -> None:
        self.tree.clear()
        self.show_items(False)


class HomePage(Page):
    TITLE = N_("Home")

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 now: Callable[[], datetime] = utc_now):
        super().__init__(context, parent)
        self._now = now
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.urgent = Section(6)
        self.follow_ups = Section(5)
        self.alerts = Section(5)
        from fieldapp.gui.home_mara import MaraSections

        self.mara = MaraSections(Section, RED)
        for section in (self.urgent, self.follow_ups, self.alerts, *self.mara.sections):
            section.tree.itemActivated.connect(self._activated)
        self.counts_heading = QLabel()
        self.counts_heading.setFont(self.urgent.heading.font())
        self.tiles: dict[str, tuple[QLabel, QLabel]] = {}
        tiles = QGridLayout()
        for column, key in enumerate(("referrals", "alerts", "trainings")):
            number, caption = QLabel("–"), QLabel()
            big = number.font()
            big.setPointSizeF(big.pointSizeF() * 2)
            big.setBold(True)
            number.setFont(big)
            caption.setWordWrap(True)
            frame = QFrame()
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            inner = QVBoxLayout(frame)
            inner.addWidget(number)
            inner.addWidget(caption)
            tiles.addWidget(frame, 0, column)
            self.tiles[key] = (number, caption)
        # The sections scroll (vertically only) under the title: five lists and the counts do not
        # fit a 1024×600 screen, and a page must never make the window taller than the screen.
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.urgent, 1)
        inner.addWidget(self.follow_ups, 1)
        inner.addWidget(self.alerts, 1)
        for section in self.mara.sections:
            inner.addWidget(section, 1)
        inner.addWidget(self.counts_heading)
        inner.addLayout(tiles)
        inner.addStretch(0)
        self.scroll_area = vertical_scroll(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll_area, 1)
        self._dirty = True
        self._place_labels: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_if_shown)
        self.retranslate()

    # -- Page hooks --------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(_("What needs action today"))
        self.urgent.tree.setHeaderLabels([_("Survivor code"), _("Incident"), _("Place"), _("PEP (72 h)"),
                                          _("Emergency contraception (120 h)"), _("Health service")])
        self.follow_ups.tree.setHeaderLabels([_("Follow-up"), _("Survivor code"), _("Service"), _("Provider"),
                                              _("Status")])
        self.alerts.tree.setHeaderLabels([_("Received"), _("Open for"), _("Severity"), _("Place"), _("Threats")])
        self.urgent.empty.setText(_("No survivor is waiting for health care inside the 72 h / 120 h windows."))
        self.follow_ups.empty.setText(_("No follow-up is due."))
        self.alerts.empty.setText(_("No alert has been open for more than {hours} hours.").format(
            hours=ALERT_OPEN_HOURS))
        self.counts_heading.setText(_("Last {days} days").format(days=RECENT_DAYS))
        self.mara.retranslate()
        if self.context.is_unlocked:
            self.reload()
        else:
            self._set_headings(None, None, None)

    def clear(self) -> None:
        self._timer.stop()
        self._dirty = True
        self._place_labels.clear()
        for section in (self.urgent, self.follow_ups, self.alerts):
            section.clear()
        self.mara.clear()
        for number, caption in self.tiles.values():
            number.setText("–")
            caption.clear()
        self._set_headings(None, None, None)

    def reload(self) -> None:
        """Fetch again, or, while another page is shown, as soon as Home is shown again: at
        200 000 records the dashboard costs about half a second."""
        if not self.context.is_unlocked:
            return
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        self._place_labels.clear()
        dashboard = self.context.session.dashboard
        now = self._now()
        today = now.astimezone().date()
        urgent = dashboard.urgent_referrals(now)
        due = dashboard.follow_ups(today)
        alerts = dashboard.long_open_alerts(now)
        counts = dashboard.recent_counts(now)
        self._fill_urgent(urgent.items)
        self._fill_follow_ups(due.items, today)
        self._fill_alerts(alerts.items, now)
        self._set_headings(urgent, due, alerts)
        self._fill_counts(counts)
        self.mara.fill(self.context.session, today, self._place)
        self._timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty:
            # Let the window paint first (right after unlock, at once), then fill the lists.
            QTimer.singleShot(0, self._reload_if_dirty)

    def _reload_if_dirty(self) -> None:
        if self._dirty:
            self.reload()

    def on_records_changed(self, change) -> None:
        if self.context.is_unlocked and change.kind in ("referral", "service", "alert", "training", "provider",
                                                                *self.mara.KINDS):
            self.reload()

    # -- filling -----------------------------------------------------------------------------
    def _place(self, pcode: str) -> str:
        if not pcode:
            return ""
        if pcode not in self._place_labels:
            self._place_labels[pcode] = self.context.session.places.path_label(pcode, language())
        return self._place_labels[pcode]

    def _fill_urgent(self, items) -> None:
        tree = self.urgent.tree
        tree.clear()
        bold = QFont(tree.font())
        bold.setBold(True)
        for entry in items:
            referral, window = entry.referral, entry.urgency
            pep = _hours(window.pep_hours_left) if window.pep_open else _("closed")
            ec = _hours(window.ec_hours_left) if window.ec_open else _("closed")
            health = (vocab.SERVICE_STATUS.label(entry.health_status) if entry.health_status
                      else _("none recorded yet"))
            item = self.urgent.add([referral.survivor_code, vocab.INCIDENT_TYPE.label(referral.incident_type),
                                    self._place(referral.location_pcode), pep, ec, health], "referral", referral.id)
            for column, is_open in ((3, window.pep_open), (4, window.ec_open)):
                item.setForeground(column, QBrush(RED if is_open else GREY))
                if is_open:
                    item.setFont(column, bold)
        self.urgent.show_items(bool(items))

    def _fill_follow_ups(self, items, today) -> None:
        self.follow_ups.tree.clear()
        for entry in items:
            late = (today - entry.follow_up_on).days
            when = _("today") if late <= 0 else ngettext("{n} day overdue", "{n} days overdue", late).format(n=late)
            item = self.follow_ups.add([f"{format_date(entry.follow_up_on)} · {when}", entry.survivor_code,
                                        vocab.SECTOR.label(entry.sector), entry.provider,
                                        vocab.SERVICE_STATUS.label(entry.status)], "referral", entry.referral_id)
            if late > 0:
                item.setForeground(0, QBrush(RED))
        self.follow_ups.show_items(bool(items))

    def _fill_alerts(self, items, now: datetime) -> None:
        self.alerts.tree.clear()
        for alert in items:
            hours = int((now - alert.received_at).total_seconds() // 3600) if alert.received_at else 0
            open_for = (ngettext("{n} hour", "{n} hours", hours).format(n=hours) if hours < 48
                        else ngettext("{n} day", "{n} days", hours // 24).format(n=hours // 24))
            threats = ", ".join(vocab.THREAT_TYPE.label(code) for code in alert.threat_types)
            item = self.alerts.add([format_datetime(alert.received_at, "short"), open_for,
                                    vocab.SEVERITY.label(alert.severity), self._place(alert.location_pcode), threats],
                                   "alert", alert.id)
            if alert.severity in ("high", "critical"):
                item.setForeground(2, QBrush(RED))
        self.alerts.show_items(bool(items))

    def _set_headings(self, urgent, due, alerts) -> None:
        def caption(text: str, capped) -> str:
            if capped is None:
                return text
            if capped.capped:
                return _("{title}: the first {shown} of more than {total}").format(
                    title=text, shown=format_number(len(capped.items)), total=format_number(capped.total))
            if capped.total > len(capped.items):
                return _("{title}: the first {shown} of {total}").format(
                    title=text, shown=format_number(len(capped.items)), total=format_number(capped.total))
            return f"{text} ({format_number(capped.total)})"

        self.urgent.heading.setText(caption(_("Survivors inside the health care windows"), urgent))
        self.follow_ups.heading.setText(caption(_("Follow-ups due or overdue"), due))
        self.alerts.heading.setText(caption(_("Alerts open for more than {hours} hours").format(
            hours=ALERT_OPEN_HOURS), alerts))

    def _fill_counts(self, counts) -> None:
        values = {
            "referrals": (counts.referrals, ngettext("referral ({crsv} conflict-related)",
                                                     "referrals ({crsv} conflict-related)", counts.referrals)
                          .format(crsv=format_number(counts.crsv_referrals))),
            "alerts": (counts.alerts, ngettext("alert ({responded} responded)", "alerts ({responded} responded)",
                                               counts.alerts).format(responded=format_number(counts.alerts_responded))),
            "trainings": (counts.trainings, ngettext("training ({people} participants)",
                                                     "trainings ({people} participants)", counts.trainings)
                          .format(people=format_number(counts.participants))),
        }
        for key, (number, text) in values.items():
            self.tiles[key][0].setText(format_number(number))
            self.tiles[key][1].setText(text)

    def _refresh_if_shown(self) -> None:
        if self.isVisible() and self.context.is_unlocked:
            self.reload()

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        kind, record_id = item.data(0, RECORD_ROLE)
        self.context.open_record_requested.emit(kind, record_id)
