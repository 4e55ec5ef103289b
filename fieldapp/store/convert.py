"""Turning record dataclasses into database rows and back: ISO 8601 text, 0/1, JSON lists."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields
from datetime import date, datetime, timezone
from functools import lru_cache


def _kind_of(annotation) -> str:
    base = annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # X | None
        base = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    base = typing.get_origin(base) or base
    if base is datetime:
        return "datetime"
    if base is date:
        return "date"
    if base is bool:
        return "bool"
    if base in (list, dict):
        return "json"
    return "plain"


@lru_cache(maxsize=None)
def column_kinds(record_type: type) -> tuple[tuple[str, str], ...]:
    hints = typing.get_type_hints(record_type)
    return tuple((f.name, _kind_of(hints[f.name])) for f in fields(record_type))


def datetime_to_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    # Always UTC with a fixed width, so text order is time order in SQL.
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def to_db(kind: str, value):
    if value is None:
        return None
    if kind == "datetime":
        return datetime_to_text(value)
    if kind == "date":
        return value.isoformat()
    if kind == "bool":
        return 1 if value else 0
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def from_db(kind: str, value):
    if value is None:
        return None if kind not in ("json", "bool") else ([] if kind == "json" else False)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bool":
        return bool(value)
    if kind == "json":
        return json.loads(value)
    return value


def record_to_row(record) -> dict:
    return {name: to_db(kind, getattr(record, name)) for name, kind in column_kinds(type(record))}


def row_to_record(record_type: type, row: typing.Mapping):
    values = {name: from_db(kind, row[name]) for name, kind in column_kinds(record_type)}
    return record_type(**values)
