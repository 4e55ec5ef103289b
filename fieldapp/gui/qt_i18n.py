"""The bridge from fieldapp.i18n (plain gettext + Babel) to Qt.

Switching the language sets the gettext catalog, loads Qt's own `qtbase_<lang>` catalog so Qt's
standard buttons and dialogs (Cancel → Annuler) follow, sets the default QLocale, and emits
context.language_changed so every page sets its strings again.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from fieldapp import i18n
from fieldapp.i18n import N_

_qt_translator: QTranslator | None = None
_missing_translator: QTranslator | None = None

# Strings of Qt's own dialogs that its French catalog lacks (Qt 6.11: the labels of the file
# dialog gained an accelerator, "&Look in:", and the catalog still has "Look in:"). Ours answer
# when Qt's does not; they are in fieldapp.po like every other string.
QT_STRINGS_MISSING = {
    ("QFileDialog", "&Look in:"): N_("&Look in:"),
    ("QFileDialog", "Files of &type:"): N_("Files of &type:"),
}


class _MissingQtStrings(QTranslator):
    """Asked after qtbase_<lang>: Qt asks the last installed translator first."""

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: N802 - Qt override
        message = QT_STRINGS_MISSING.get((context, source_text))
        if message is None or i18n.language() == "en":
            return None  # a null string: Qt goes on to the next translator or the source text
        return i18n._(message)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


def qt_translations_dir() -> str:
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def _install_qt_catalog(language: str) -> bool:
    """Replace Qt's own catalog with the one for `language`; English needs none. True if loaded."""
    global _qt_translator
    app = QCoreApplication.instance()
    if _qt_translator is not None:
        if app is not None:
            app.removeTranslator(_qt_translator)
        _qt_translator = None
    if language == "en" or app is None:
        return language == "en"
    global _missing_translator
    if _missing_translator is None:
        _missing_translator = _MissingQtStrings(app)
        app.installTranslator(_missing_translator)  # before Qt's, so Qt's own is asked first
    translator = QTranslator(app)
    if not translator.load(f"qtbase_{language}", qt_translations_dir()):
        return False
    app.installTranslator(translator)
    _qt_translator = translator
    return True


def apply_language(language: str, context=None) -> str:
    """Switch every string, Qt's included, to `language` ('en' or 'fr'); returns the code applied.

    With a context, its language_changed signal tells pages and windows to retranslate.
    """
    i18n.set_language(language)
    applied = i18n.language()
    _install_qt_catalog(applied)
    QLocale.setDefault(QLocale(i18n.locale_name()))
    if context is not None:
        context.language_changed.emit()
    return applied


def language_names() -> list[tuple[str, str]]:
    """(code, name in its own language), for the Language menu."""
    return [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES]
