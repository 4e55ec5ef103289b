"""Small French catalogs built in memory for GUI tests, with the shipped catalog's plural rule.

A catalog made with `Catalog(locale="fr")` takes its plural rule from the installed Babel (CLDR's
rule changed from two forms to three in Babel 2.19), so a test would depend on whatever pip
installed. These catalogs copy the `Plural-Forms` header of translations/fr/.../fieldapp.po.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SHIPPED_PO = Path(__file__).resolve().parents[1] / "translations" / "fr" / "LC_MESSAGES" / "fieldapp.po"


def shipped_plural_forms() -> str:
    with open(SHIPPED_PO, "rb") as handle:
        catalog = read_po(handle)
    return catalog.plural_forms


def french_translations(entries, contexts=()) -> gettext.GNUTranslations:
    """entries: (english, french) pairs, plural entries as ((one, other), forms) with the shipped
    number of forms; contexts: (context, english, french) triples."""
    catalog = Catalog(locale="fr")
    catalog.mime_headers = [("Plural-Forms", shipped_plural_forms())]
    for source, target in entries:
        catalog.add(source, target)
    for context, source, target in contexts:
        catalog.add(source, target, context=context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
