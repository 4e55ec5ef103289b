"""Date and date-time inputs that may be left empty, read and written as Python values.

Times are shown and typed in the laptop's local time and stored as UTC (DESIGN.md 2). The
day-first format reads the same in English and French offices of the missions.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, Qt, QTime, Signal
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QHBoxLayout, QToolButton, QWidget

from fieldapp.i18n import _

DATE_FORMAT = "dd/MM/yyyy"
DATETIME_FORMAT = "dd/MM/yyyy HH:mm"
_EMPTY = QDate(1900, 1, 1)  # the minimum stands for "no value" (shown as a dash)
_EARLIEST = QDate(1990, 1, 1)


class _Optional(QWidget):
    """An edit plus a clear button; an empty edit jumps to today as soon as someone starts typing."""

    changed = Signal()

    def __init__(self, edit: QDateTimeEdit, optional: bool, parent=None):
        super().__init__(parent)
        self.edit = edit
        self.optional = optional
        edit.setCalendarPopup(True)
        edit.setMinimumDate(_EMPTY if optional else _EARLIEST)
        edit.setSpecialValueText("—" if optional else "")
        edit.installEventFilter(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(edit, 1)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("×")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Delete on the edit does the same
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.setVisible(optional)
        layout.addWidget(self.clear_button)
        self.setFocusProxy(edit)
        self.setMaximumWidth(edit.fontMetrics().horizontalAdvance("00/00/0000 00:00") + 90)
        self.retranslate()

    def retranslate(self) -> None:
        self.clear_button.setToolTip(_("Clear"))

    def is_empty(self) -> bool:
        return self.optional and self.edit.date() == _EMPTY

    def clear(self) -> None:
        if self.optional:
            self.edit.setDate(_EMPTY)

    def _start_today(self) -> None:
        raise NotImplementedError

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and self.is_empty():
            if event.type() == QEvent.Type.KeyPress:
                key, text = event.key(), event.text()
                if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                    self._start_today()
                    return True
                if text.isdigit():
                    self._start_today()
                    self.edit.setSelectedSection(QDateTimeEdit.Section.DaySection)
            elif event.type() == QEvent.Type.MouseButtonPress:
                self._start_today()
        elif watched is self.edit and event.type() == QEvent.Type.KeyPress and self.optional:
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and \
                    self.edit.lineEdit().selectedText() == self.edit.text():
                self.clear()
                return True
        return super().eventFilter(watched, event)


class DateInput(_Optional):
    def __init__(self, optional: bool = True, parent=None):
        edit = QDateEdit()
        edit.setDisplayFormat(DATE_FORMAT)
        super().__init__(edit, optional, parent)
        edit.dateChanged.connect(lambda _d: self.changed.emit())
        if not optional:
            edit.setDate(QDate.currentDate())
        else:
            edit.setDate(_EMPTY)

    def _start_today(self) -> None:
        self.edit.setDate(QDate.currentDate())

    def value(self) -> date | None:
        if self.is_empty():
            return None
        qdate = self.edit.date()
        return date(qdate.year(), qdate.month(), qdate.day())

    def set_value(self, value: date | None) -> None:
        if value is None:
            self.edit.setDate(_EMPTY if self.optional else QDate.currentDate())
        else:
            self.edit.setDate(QDate(value.year, value.month, value.day))


class DateTimeInput(_Optional):
    def __init__(self, optional: bool = True, parent=None):
        edit = QDateTimeEdit()
        edit.setDisplayFormat(DATETIME_FORMAT)
        super().__init__(edit, optional, parent)
        edit.dateTimeChanged.connect(lambda _d: self.changed.emit())
        if optional:
            edit.setDateTime(QDateTime(_EMPTY, QTime(0, 0)))
        else:
            self.set_now()

    def _start_today(self) -> None:
        self.set_now()

    def set_now(self) -> None:
        now = QDateTime.currentDateTime()
        self.edit.setDateTime(now.addSecs(-now.time().second()))

    def value(self) -> datetime | None:
        if self.is_empty():
            return None
        moment = self.edit.dateTime()
        local = datetime(moment.date().year(), moment.date().month(), moment.date().day(),
                         moment.time().hour(), moment.time().minute()).astimezone()
        return local.astimezone(timezone.utc)

    def set_value(self, value: datetime | None) -> None:
        if value is None:
            if self.optional:
                self.edit.setDateTime(QDateTime(_EMPTY, QTime(0, 0)))
            else:
                self.set_now()
            return
        local = value.astimezone() if value.tzinfo else value
        self.edit.setDateTime(QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute)))
