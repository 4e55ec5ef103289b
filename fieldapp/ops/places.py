"""What an import of a P-code file did, in the one line both front ends show."""

from __future__ import annotations

from fieldapp.i18n import _, count_words, ngettext


def import_line(file_name: str, result) -> str:
    """« admin2.csv : 216 lieux ajoutés, 1 renommé, 0 inchangé. » (`result` from store.places.import_places)."""
    added, renamed, unchanged = result.added, result.renamed, result.unchanged
    return _("{file}: {counts}.").format(file=file_name, counts=count_words(
        (ngettext("{n} place added", "{n} places added", added), added),
        (ngettext("{n} renamed", "{n} renamed", renamed), renamed),
        (ngettext("{n} unchanged", "{n} unchanged", unchanged), unchanged)))
