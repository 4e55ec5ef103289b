"""Finding a record by what staff read on screen or on paper, for both front ends (the referral-slip
command and the Documents page)."""

from __future__ import annotations

from fieldapp.documents.common import DocumentError
from fieldapp.i18n import _
from fieldapp.core.changes import ListQuery


def find_referral(session, key: str):
    """A referral by its id, or by its survivor code; DocumentError names the key when there is none."""
    key = key.strip()
    found = session.referrals.find(key)
    if found is not None and not found.deleted:
        return found
    matches = [r for r in session.referrals.list(ListQuery(search=key, limit=20)) if r.survivor_code == key]
    if not matches:
        raise DocumentError(_("No referral with id or survivor code {key}.").format(key=key))
    return matches[0]
