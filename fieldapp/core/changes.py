"""The contract types every layer passes around: what one operation changed (`Change`, docs/STYLE.md)
and one list request (`ListQuery`). Plain data, no SQL and no Qt, so the store, the operations,
sync and both front ends share them without importing one another."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Change:
    """What one operation changed, per record kind."""

    kind: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [*self.created, *self.updated, *self.deleted]


@dataclass
class ListQuery:
    """One list request. `filters` keys are the repository's FILTERS names (status, type, sector…)."""

    search: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    pcode_prefix: str = ""
    filters: dict[str, object] = field(default_factory=dict)
    sort: str = ""
    descending: bool = True
    include_deleted: bool = False
    limit: int | None = None
    offset: int = 0
