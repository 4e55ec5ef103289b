"""Turning record dataclasses into database rows and back: ISO 8601 text, 0/1, JSON lists."""

from __future__ import annotations

import json
import operator
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


_DECODER = json.JSONDecoder()


def json_from_text(text: str):
    """json.loads, faster for the short lists of a row: `raw_decode` skips the whitespace scan
    and checks of loads (1 µs against 3.7 µs for a two-code list). Anything it does not take
    whole (leading space, trailing text) goes to json.loads, which accepts or refuses it."""
    try:
        value, end = _DECODER.raw_decode(text)
    except ValueError:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


@lru_cache(maxsize=4096)
def codes_from_text(text: str) -> tuple:
    """A JSON list of codes as a tuple, decoded once per distinct text: a list's rows repeat the
    same few combinations of violations or parties, so most rows of a page decode nothing."""
    return tuple(json_from_text(text))


def datetime_to_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    # Always UTC with a fixed width, so text order is time order in SQL.
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds")





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
        return json_from_text(value)
    return value


def _plain(value):
    return value


def _date_to_text(value):
    return None if value is None else value.isoformat()


def _bool_to_int(value):
    return None if value is None else (1 if value else 0)


def _to_json(value):
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_WRITERS = {"plain": _plain, "datetime": datetime_to_text, "date": _date_to_text, "bool": _bool_to_int,
            "json": _to_json}


@lru_cache(maxsize=None)
def _writers(record_type: type) -> tuple[tuple[str, typing.Callable], ...]:
    # Resolved once per type: bulk inserts of 200 000 rows spend their time here otherwise.
    return tuple((name, _WRITERS[kind]) for name, kind in column_kinds(record_type))


def record_values(record) -> list:
    """The record's column values in column order, ready to bind."""
    return [write(getattr(record, name)) for name, write in _writers(type(record))]


def record_to_row(record) -> dict:
    return {name: write(getattr(record, name)) for name, write in _writers(type(record))}


# The conversions of from_db, written inline in the generated reader below.
_INLINE_READERS = {"plain": "{v}", "datetime": "(None if {v} is None else _datetime({v}))",
                   "date": "(None if {v} is None else _date({v}))", "bool": "bool({v})",
                   "json": "([] if {v} is None else _json({v}))"}


@lru_cache(maxsize=None)
def _row_reader(record_type: type) -> typing.Callable[[typing.Sequence], object]:
    """A function made for `record_type` that builds it from a row in one call, as dataclasses
    generate their own __init__: no dictionary or per-column call in between. A list page turns
    50 to 100 rows into records per screen; this takes it from 7 to 3 µs a record."""
    kinds = column_kinds(record_type)
    names = [f"v{index}" for index in range(len(kinds))]
    arguments = ", ".join(f"{field}={_INLINE_READERS[kind].format(v=name)}"
                          for (field, kind), name in zip(kinds, names))
    source = f"def read(values):\n    {', '.join(names)}, = values\n    return record_type({arguments})\n"
    scope = {"record_type": record_type, "_datetime": datetime.fromisoformat, "_date": date.fromisoformat,
             "_json": json_from_text}
    exec(compile(source, f"<reader of {record_type.__name__}>", "exec"), scope)  # noqa: S102 - field names only
    return scope["read"]


def values_to_record(record_type: type, values: typing.Sequence):
    """A record from column values in column order (a database row)."""
    return _row_reader(record_type)(values)


def _lazy_date(value):
    return None if value is None else date.fromisoformat(value)


def _lazy_datetime(value):
    return None if value is None else datetime.fromisoformat(value)


def _lazy_codes(value):
    return () if value is None else codes_from_text(value)


_LAZY = {"date": _lazy_date, "datetime": _lazy_datetime, "bool": bool, "json": _lazy_codes}


def light_row(record_type: type, names: tuple[str, ...], doc: str = "") -> type:
    """A row type for a list: the columns `names` of `record_type`'s table (and `seq`), kept as
    the database tuple, each read under the record's own attribute name and converted when read
    (dates; JSON code lists as tuples, decoded once per distinct text). Building 50 of them costs
    a tuple copy each, 8 µs a page, against 60 µs for dataclasses converted up front; the list
    converts only the rows it paints, once per language (table_models caches the texts). Only
    code lists, never lists of dicts: a decoded tuple is shared between rows."""
    kinds = dict(column_kinds(record_type), seq="plain")
    namespace: dict[str, object] = {"__slots__": (), "COLUMNS": tuple(names), "__doc__": doc,
                                    "__repr__": lambda self: f"{type(self).__name__}{tuple.__repr__(self)}"}
    for index, name in enumerate(names):
        convert = _LAZY.get(kinds[name])
        if convert is None:
            namespace[name] = property(operator.itemgetter(index))
        else:
            namespace[name] = property(lambda self, index=index, convert=convert: convert(self[index]))
    return type(f"{record_type.__name__}Row", (tuple,), namespace)

