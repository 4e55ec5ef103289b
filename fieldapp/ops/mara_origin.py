"""Whether an edit of a party, commitment or item leaves this laptop (sync/mara.py, README Sync).

A field office sends headquarters only the parties, commitments and items it created, and takes
another site's records only as headquarters or their creator wrote them; so a field office's edit
of a record created elsewhere stays on this laptop, and the next list from headquarters may
overwrite it. Headquarters' own edits go to every field office. The forms and the Parties page say
so when such a record is opened.
"""

from __future__ import annotations

from fieldapp.i18n import _, pgettext
from fieldapp.sync.site import HEADQUARTERS, Site


def created_elsewhere_by(session, record) -> str | None:
    """The office that created `record` when this vault's edits of it stay here ("" when this
    vault has not added that office, as for a field office headquarters relays), else None."""
    origin = getattr(record, "origin_site", "") if record is not None else ""
    if not origin or origin == session.site_id:
        return None
    site = Site(session)
    if site.role == HEADQUARTERS:
        return None
    peer = site.store.peer(origin)
    return peer["name"] if peer else ""


def edits_stay_here_text(kind: str, office: str) -> str:
    """The sentence a person reads on opening such a record; `kind` is "party" or "commitment"
    (French: « Partie créée », « Engagement créé »)."""
    office = office or _("another office")
    if kind == "party":
        text = pgettext("party", "Party created by {office}: your changes stay on this computer; ask "
                                 "headquarters to correct the mission's list.")
    else:
        text = pgettext("commitment", "Commitment created by {office}: your changes stay on this computer; ask "
                                      "headquarters to correct the mission's list.")
    return text.format(office=office)
