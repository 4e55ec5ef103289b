"""The records inside a bundle: one JSON object per line, one line per version of a record.

Encoding turns database rows into lines; decoding checks every field of a received line (name,
type, size, clock stamp, author, vocabulary and the domain's validation) before it may reach the
database, so that a hostile or damaged line is refused with a message naming the problem.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
import uuid
from dataclasses import fields
from datetime import date, datetime, timezone
from functools import lru_cache

from fieldapp.domain import validation
from fieldapp.domain.records import Alert, Referral
from fieldapp.errors import ValidationError
from fieldapp.i18n import _
from fieldapp.store.convert import column_kinds, datetime_to_text, from_db
from fieldapp.store.sync_store import SYNCED_TABLES, columns

MAX_LINE = 1024 * 1024
MAX_TEXT = 100_000
MAX_SHORT = 200
MAX_LIST = 200
MAX_INT = 2**53
# Records are validated as at creation, except "not in the future": another laptop's clock may be ahead.
_FAR_FUTURE = datetime(9000, 1, 1, tzinfo=timezone.utc)
_REQUIRED_MOMENTS = {"created_at", "updated_at"}
_SHORT_FIELDS = {"created_by", "survivor_code", "pcode", "location_pcode", "parent_pcode", "source_code"}
PCODE = re.compile(r"^[A-Z]{2,3}[0-9A-Z]{0,20}$")
STAMP = re.compile(r"^\d{15}\.\d{6}\.([0-9a-f-]{36})$")


class RecordProblem(ValueError):
    """A received line that is not an acceptable record; the message is for the user."""


# -- encoding --------------------------------------------------------------------------------------
def encode_row(table: str, row: typing.Sequence) -> bytes:
    """A database row as one JSON line: JSON columns as real lists, booleans as true/false."""
    record = {}
    for (name, kind), value in zip(column_kinds(SYNCED_TABLES[table]), row):
        if kind == "json":
            value = json.loads(value) if value is not None else []
        elif kind == "bool":
            value = bool(value)
        record[name] = value
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def redacted_referral(record_id: str, created_at: str, updated_at: str, stamp: str, origin_site: str) -> tuple:
    """A tombstone that carries nothing but the id: sent when consent to reporting is withdrawn."""
    values = {name: None for name in columns("referrals")}
    values.update(id=record_id, created_at=created_at, updated_at=updated_at, hlc=stamp, origin_site=origin_site,
                  deleted=1, created_by="", survivor_code="", incident_date_precision="unknown", incident_type="",
                  crsv=0, sex="undisclosed", age_group="unknown", displacement="unknown", disability="unknown",
                  perpetrator_category="unknown", location_pcode="", locality="", entry_point="",
                  consent_referral=0, consent_reporting=0, consent_by="survivor", notes="", status="closed")
    return tuple(values[name] for name in columns("referrals"))


def redacted_service(record_id: str, created_at: str, updated_at: str, stamp: str, origin_site: str,
                     referral_id: str) -> tuple:
    values = {name: None for name in columns("referral_services")}
    values.update(id=record_id, created_at=created_at, updated_at=updated_at, hlc=stamp, origin_site=origin_site,
                  deleted=1, created_by="", referral_id=referral_id, sector="", provider_text="",
                  status="cancelled", outcome_notes="", reason="", consent_override_reason="", status_history="[]")
    return tuple(values[name] for name in columns("referral_services"))


# -- decoding --------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _field_types(record_type: type) -> tuple[tuple[str, str, type, bool], ...]:
    """(name, storage kind, Python base type, may be null) for each field."""
    hints = typing.get_type_hints(record_type)
    result = []
    kinds = dict(column_kinds(record_type))
    for item in fields(record_type):
        annotation = hints[item.name]
        nullable = False
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            nullable = len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        base = typing.get_origin(annotation) or annotation
        result.append((item.name, kinds[item.name], base, nullable))
    return tuple(result)


def _text(name: str, value, limit: int) -> str:
    if not isinstance(value, str):
        raise RecordProblem(_("field “{field}” should be text").format(field=name))
    if len(value) > limit:
        raise RecordProblem(_("field “{field}” is too long").format(field=name))
    return value


def _moment(name: str, value, kind: str) -> str:
    text = _text(name, value, 40)
    try:
        if kind == "date":
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordProblem(_("field “{field}” is not a date")
                            .format(field=name)) from None
    if moment.tzinfo is None:
        raise RecordProblem(_("field “{field}” has no time zone").format(field=name))
    return datetime_to_text(moment)


def _json_list(name: str, value) -> str:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise RecordProblem(_("field “{field}” should be a short list").format(field=name))
    for item in value:
        if name == "status_history":
            if not isinstance(item, dict) or len(item) > 10:
                raise RecordProblem(_("field “{field}” should be a list of status changes").format(field=name))
            for key, entry in item.items():
                _text(name, key, 40)
                if entry is not None:
                    _text(name, entry, MAX_TEXT)
        else:
            _text(name, item, MAX_SHORT)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _value(name: str, kind: str, base: type, nullable: bool, value):
    """The database value of one received field, or RecordProblem."""
    if value is None:
        if nullable and name not in _REQUIRED_MOMENTS:
            return None
        raise RecordProblem(_("field “{field}” is missing a value").format(field=name))
    if kind in ("date", "datetime"):
        return _moment(name, value, kind)
    if kind == "bool":
        if not isinstance(value, bool):
            raise RecordProblem(_("field “{field}” should be true or false").format(field=name))
        return int(value)
    if kind == "json":
        return _json_list(name, value)
    if base is str:
        return _text(name, value, MAX_SHORT if name in _SHORT_FIELDS else MAX_TEXT)
    if base is int:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT:
            raise RecordProblem(_("field “{field}” should be a whole number").format(field=name))
        return value
    if base is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise RecordProblem(_("field “{field}” should be a number").format(field=name))
        return float(value)
    raise RecordProblem(_("field “{field}” has an unexpected type").format(field=name))


def _uuid(name: str, value) -> str:
    text = _text(name, value, 36)
    try:
        if str(uuid.UUID(text)) == text:
            return text
    except ValueError:
        pass
    raise RecordProblem(_("field “{field}” is not an id").format(field=name))


def decode_line(table: str, line: bytes, sender: str) -> tuple:
    """One received line as a database row of `table`, after every check; RecordProblem if not."""
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RecordProblem(_("the line is not JSON")) from None
    if not isinstance(record, dict):
        raise RecordProblem(_("the line is not a record"))
    record_type = SYNCED_TABLES[table]
    spec = _field_types(record_type)
    unknown = sorted(set(record) - {name for name, *_rest in spec})
    if unknown:
        raise RecordProblem(_("unknown field “{field}”").format(field=str(unknown[0])[:40]))
    row = []
    for name, kind, base, nullable in spec:
        if name not in record:
            raise RecordProblem(_("field “{field}” is missing").format(field=name))
        row.append(_value(name, kind, base, nullable, record[name]))
    values = dict(zip((name for name, *_rest in spec), row))
    _check_identity(table, values, sender)
    _check_content(table, record_type, values)
    return tuple(row)


def _check_identity(table: str, values: dict, sender: str) -> None:
    if table == "places":
        if not PCODE.match(values["pcode"]):
            raise RecordProblem(_("“{value}” is not a P-code").format(value=values["pcode"][:40]))
    else:
        _uuid("id", values["id"])
    stamp = STAMP.match(values["hlc"])
    if stamp is None:
        raise RecordProblem(_("field “{field}” is not a clock stamp").format(field="hlc"))
    # A site signs only versions it wrote itself: nobody can pass off a change as another site's.
    if stamp.group(1) != sender or values["origin_site"] != sender:
        raise RecordProblem(_("the record was not written by the site that sent the bundle"))


def _check_content(table: str, record_type: type, values: dict) -> None:
    if values["deleted"]:
        return  # a tombstone only needs well-typed fields; it may be redacted
    if table == "places":
        if not 0 <= values["level"] <= 9:
            raise RecordProblem(_("field “{field}” is out of range").format(field="level"))
        if values["parent_pcode"] is not None and not PCODE.match(values["parent_pcode"]):
            raise RecordProblem(_("“{value}” is not a P-code").format(value=values["parent_pcode"][:40]))
        return
    record = record_type(**{name: from_db(kind, values[name]) for name, kind in column_kinds(record_type)})
    try:
        if record_type in (Referral, Alert):
            validation.VALIDATORS[record_type](record, now=_FAR_FUTURE)
        else:
            validation.VALIDATORS[record_type](record)
    except ValidationError as error:
        field, problem = next(iter(error.problems.items()))
        raise RecordProblem(_("field “{field}”: {problem}").format(field=field, problem=problem)) from None


def stamp_site(stamp: str) -> str:
    """The site that wrote a version: the last part of its clock stamp."""
    return stamp[23:]

