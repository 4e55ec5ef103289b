"""Date and date-time inputs that may be left empty, read and written as Python values.

A date is typed as text and read whole (fieldapp.typed_dates): any of / - . or space between
the parts, or digits only, in the order of the language (30/11/2026 in French, 11/30/2026 in
English). Nothing moves on by itself while typing, so a separator never skips a part. Beside the
field the date is spelled out (30 novembre 2026) so a day and month read the wrong way round show.
Up and Down step the part under the cursor; Alt+Down (or the button) opens a calendar.

Times are shown and typed in the laptop's local time and stored as UTC (docs/DESIGN.md 2).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QPoint, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from fieldapp import typed_dates
from fieldapp.i18n import _, format_date, format_datetime

READING_STYLE = "color: #555555;"
PROBLEM_STYLE = "color: #b00020;"
_EARLIEST = date(1990, 1, 1)


class TypedDateInput(QWidget):
    """A line edit read by typed_dates, a calendar button and the spelled-out reading."""

    changed = Signal()
    WITH_TIME = False

    def __init__(self, optional: bool, parent=None, spelled: bool = True):
        """`spelled`: the date written out beside the field (forms); a filter row shows it as a tooltip."""
        super().__init__(parent)
        self.optional = optional
        self.spelled = spelled
        self.edit = QLineEdit(self)
        pattern = typed_dates.DATETIME_CHARACTERS if self.WITH_TIME else typed_dates.DATE_CHARACTERS
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern.pattern), self.edit))
        self.edit.setMaxLength(24 if self.WITH_TIME else 16)
        self.edit.setClearButtonEnabled(optional)
        metrics = self.edit.fontMetrics()
        sample = "00/00/0000 00:00" if self.WITH_TIME else "00/00/0000"
        self.edit.setMinimumWidth(metrics.horizontalAdvance(sample) + (52 if optional else 24))
        self.edit.setMaximumWidth(metrics.horizontalAdvance(sample) + 64)
        self.edit.installEventFilter(self)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("▾")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Alt+Down in the field does the same
        self.calendar_button.clicked.connect(self.open_calendar)
        self.reading = QLabel(self)
        self.reading.setStyleSheet(READING_STYLE)
        self.reading.setMinimumWidth(metrics.horizontalAdvance("30 septembre 2026") + 8)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.calendar_button)
        layout.addWidget(self.reading, 1)
        self.reading.setVisible(spelled)
        self.setFocusProxy(self.edit)
        self.calendar: QCalendarWidget | None = None
        self._value = None
        self._shown_value = None  # what the reading was last computed for
        self.edit.textChanged.connect(self._text_changed)
        self.edit.editingFinished.connect(self.commit)
        self.retranslate()

    # -- subclasses ------------------------------------------------------------------------------
    def _read(self, text: str, lenient: bool = False) -> typed_dates.Reading:
        return typed_dates.read_date(text, lenient=lenient)

    def _text_of(self, value) -> str:
        return format_date(value)

    def _default(self):
        return date.today()

    def _day_of(self, value) -> date:
        return value

    def _with_day(self, value, day: date):
        return day

    # -- reading and writing ---------------------------------------------------------------------
    def retranslate(self) -> None:
        """The order and hint follow the language; a value typed before is written the new way."""
        hint = typed_dates.datetime_hint() if self.WITH_TIME else typed_dates.date_hint()
        self.edit.setPlaceholderText(hint if self.optional else "")
        self._help = _("Type {pattern}, with / - . or spaces, or digits only. Up and Down change the part under "
                       "the cursor; Alt+Down opens a calendar.").format(pattern=hint)
        self.edit.setToolTip(self._help)
        self.calendar_button.setToolTip(_("Calendar (Alt+Down)"))
        if self._value is not None:
            self._set_text(self._text_of(self._value))
        self._show_reading()

    def _typing_help(self) -> str:
        return self._help

    def _set_text(self, text: str) -> None:
        if text != self.edit.text():
            self.edit.setText(text)

    def _text_changed(self, text: str) -> None:
        reading = self._read(text)
        value = reading.value
        if value != self._value:
            self._value = value
            self.changed.emit()
        self._show_reading()

    def _show_reading(self) -> None:
        text = self.edit.text().strip()
        if self._value is not None:
            self.reading.setText(format_date(self._day_of(self._value), "long"))
            self.reading.setStyleSheet(READING_STYLE)
        elif text and not self.edit.hasFocus():
            self.reading.setText(typed_dates.datetime_hint() if self.WITH_TIME else typed_dates.date_hint())
            self.reading.setStyleSheet(PROBLEM_STYLE)
        else:
            self.reading.setText("")
        self.reading.setToolTip(self.problem())
        if not self.spelled:
            self.edit.setToolTip(self.problem() or self.reading.text() or self._typing_help())

    def commit(self) -> None:
        """The person left the field: read a two-digit year too, and write the date out in full."""
        text = self.edit.text()
        if self._read(text).value is None:
            lenient = self._read(text, lenient=True).value
            if lenient is not None:
                self._set_text(self._text_of(lenient))
        elif self._value is not None:
            self._set_text(self._text_of(self._value))
        self._show_reading()

    def problem(self) -> str:
        """Why the typed text is not a date ("" when it is one, or when it is empty)."""
        return self._read(self.edit.text()).problem

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def clear(self) -> None:
        if self.optional:
            self.edit.clear()
        else:
            self.set_value(None)

    # -- keys and the calendar -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit:
            if event.type() == QEvent.Type.KeyPress:
                key = event.key()
                if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and
                                            event.modifiers() & Qt.KeyboardModifier.AltModifier):
                    self.open_calendar()
                    return True
                if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                    self.step(1 if key == Qt.Key.Key_Up else -1)
                    return True
            elif event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
                self._show_reading()
        return super().eventFilter(watched, event)

    def step(self, amount: int) -> None:
        """Up/Down: the part under the cursor (day, month, year, hour, minute) moves by one."""
        if self._value is None:
            self._set_text(self._text_of(self._default()))
            return
        text, cursor = self.edit.text(), self.edit.cursorPosition()
        part = text[:cursor].count("/") + text[:cursor].count(" ") + text[:cursor].count(":") \
            + text[:cursor].count("-") + text[:cursor].count(".")
        self._set_text(self._text_of(self._stepped(self._value, part, amount)))
        self.edit.setCursorPosition(min(cursor, len(self.edit.text())))

    def _stepped(self, value, part: int, amount: int):
        from fieldapp.i18n import date_order

        if part >= 3:  # the time
            return value + (timedelta(hours=amount) if part == 3 else timedelta(minutes=amount))
        letter = date_order()[part]
        day = self._day_of(value)
        if letter == "D":
            moved = day + timedelta(days=amount)
        else:
            qdate = QDate(day.year, day.month, day.day)
            qdate = qdate.addMonths(amount) if letter == "M" else qdate.addYears(amount)
            moved = date(qdate.year(), qdate.month(), qdate.day())
        return self._with_day(value, moved)

    def open_calendar(self) -> None:
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
        self.calendar.setLocale(QLocale())  # day and month names of the language chosen now
        self.calendar.setFirstDayOfWeek(QLocale().firstDayOfWeek())
        self.calendar.setMinimumDate(QDate(_EARLIEST.year, _EARLIEST.month, _EARLIEST.day))
        day = self._day_of(self._value if self._value is not None else self._default())
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.calendar.adjustSize()
        below = self.edit.mapToGlobal(QPoint(0, self.edit.height()))
        screen = self.screen().availableGeometry()
        x = max(screen.left(), min(below.x(), screen.right() - self.calendar.width()))
        y = below.y() if below.y() + self.calendar.height() <= screen.bottom() else \
            self.edit.mapToGlobal(QPoint(0, 0)).y() - self.calendar.height()
        self.calendar.move(x, y)
        self.calendar.show()
        self.calendar.setFocus()

    def _picked(self, qdate: QDate) -> None:
        day = date(qdate.year(), qdate.month(), qdate.day())
        base = self._value if self._value is not None else self._default()
        self._set_text(self._text_of(self._with_day(base, day)))
        if self.calendar is not None:
            QTimer.singleShot(0, self.calendar.hide)  # not inside the calendar's own key or mouse event
        self.edit.setFocus()


class DateInput(TypedDateInput):
    def __init__(self, optional: bool = True, parent=None, spelled: bool = True):
        super().__init__(optional, parent, spelled)
        if not optional:
            self.set_value(None)

    def value(self) -> date | None:
        return self._value

    def set_value(self, value: date | None) -> None:
        if value is None and not self.optional:
            value = date.today()
        self._set_text(format_date(value) if value is not None else "")


class DateTimeInput(TypedDateInput):
    """A local date and time; value() is an aware UTC datetime."""

    WITH_TIME = True

    def __init__(self, optional: bool = True, parent=None, spelled: bool = True):
        super().__init__(optional, parent, spelled)
        if not optional:
            self.set_now()

    def _read(self, text: str, lenient: bool = False) -> typed_dates.Reading:
        return typed_dates.read_datetime(text, lenient=lenient)

    def _text_of(self, value: datetime) -> str:
        return format_datetime(value)

    def _default(self) -> datetime:
        return datetime.now().replace(second=0, microsecond=0)

    def _day_of(self, value: datetime) -> date:
        return value.date()

    def _with_day(self, value: datetime, day: date) -> datetime:
        return datetime.combine(day, value.time())

    def set_now(self) -> None:
        self._set_text(self._text_of(self._default()))

    def value(self) -> datetime | None:
        if self._value is None:
            return None
        return self._value.astimezone(timezone.utc)  # naive local → the laptop's zone → UTC

    def set_value(self, value: datetime | None) -> None:
        if value is None:
            if self.optional:
                self.edit.clear()
            else:
                self.set_now()
            return
        local = value.astimezone().replace(tzinfo=None) if value.tzinfo else value
        self._set_text(self._text_of(local.replace(second=0, microsecond=0)))
