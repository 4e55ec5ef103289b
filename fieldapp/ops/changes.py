"""The Change a front end announces for one save of a record with its children."""

from __future__ import annotations

from fieldapp.core.changes import Change


def one_change(changes: list[Change], parent_id: str) -> Change:
    """What a form announces for one save of a record with its children: one Change of the
    parent's kind (the first of `changes`), naming the parent as updated when only its children
    changed, so every page showing the parent refreshes it (and what it shows of its children)."""
    parent = changes[0]
    if not parent.ids and any(change.ids for change in changes[1:]):
        return Change(parent.kind, updated=[parent_id])
    return parent
