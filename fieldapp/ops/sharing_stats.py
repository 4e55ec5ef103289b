"""Make the information-sharing statistics (docs/DESIGN.md 9) for the CLI and the GUI. Qt-free."""

from __future__ import annotations

from datetime import date

FORMATS = ("pdf", "xlsx")


def make_sharing_stats(session, date_from: date, date_to: date, area: str, language_spec: str, fmt: str, path):
    """Build the monthly tables and write them where the user chose, with an audit entry. Returns
    the path written; DocumentError (nothing written) when the period, area, format or file is wrong."""
    from fieldapp.documents.common import DocumentError, write_document
    from fieldapp.documents.sharing_stats import build_sharing_pdf, build_sharing_xlsx
    from fieldapp.i18n import _

    if fmt not in FORMATS:
        raise DocumentError(_("Unknown format {value}: use pdf or xlsx.").format(value=fmt))
    build = build_sharing_pdf if fmt == "pdf" else build_sharing_xlsx
    data = build(session, date_from, date_to, area, language_spec)
    return write_document(session, path, data, "sharing_stats", "", {
        "from": date_from.isoformat(), "to": date_to.isoformat(), "area": area or "", "lang": language_spec,
        "format": fmt})
