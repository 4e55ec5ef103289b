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
from dataclasses import fields
from datetime import date, datetime, timezone
from functools import lru_cache
from json.encoder import encode_basestring

from fieldapp.domain import validation
from fieldapp.domain.mara import Incident
from fieldapp.domain.records import Alert, Referral
from fieldapp.errors import ValidationError
from fieldapp.i18n import N_, _
from fieldapp.store.convert import column_kinds, datetime_to_text, from_db
from fieldapp.store.sync_store import SYNCED_TABLES, columns
from fieldapp.sync.mara import check_received as mara_sync_check
from fieldapp.sync.mara import relayed_by_ok as mara_relayed_ok

MAX_LINE = 1024 * 1024
MAX_TEXT = 100_000
MAX_SHORT = 200
MAX_LIST = 200
MAX_INT = 2**53
# Records are validated as at creation, except "not in the future": another laptop's clock may be ahead.
_FAR_FUTURE = datetime(9000, 1, 1, tzinfo=timezone.utc)
_REQUIRED_MOMENTS = {"created_at", "updated_at"}
_SHORT_FIELDS = {"created_by", "survivor_code", "pcode", "location_pcode", "parent_pcode", "source_code",
                 "incident_code", "party_id", "commitment_id"}
# JSON list fields whose items are small objects (dated changes), not short texts.
_HISTORY_FIELDS = {"status_history", "verification_history"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
STAMP = re.compile(r"^\d{15}\.\d{6}\.([0-9a-f-]{36})$")


class RecordProblem(ValueError):
    """A received line that is not an acceptable record; the message is for the user."""


# -- encoding --------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _encoders(table: str) -> tuple[tuple[str, str], ...]:
    return tuple((encode_basestring(name) + ":", kind) for name, kind in column_kinds(SYNCED_TABLES[table]))


def encode_row(table: str, row: typing.Sequence) -> bytes:
    """A database row as one JSON line: JSON columns as real lists, booleans as true/false.

    Built by hand rather than through a dict and json.dumps: exports write every row twice
    (once to hash it, once to write it), and this is three times faster.
    """
    parts = []
    for (prefix, kind), value in zip(_encoders(table), row):
        if value is None:
            text = "null"
        elif kind == "json":
            text = value  # stored as compact JSON text by the store: already a JSON value, with no newline
        elif kind == "bool":
            text = "true" if value else "false"
        elif isinstance(value, str):
            text = encode_basestring(value)
        elif isinstance(value, float):
            text = float.__repr__(value)
        else:
            text = int.__repr__(value)
        parts.append(prefix + text)
    return ("{" + ",".join(parts) + "}\n").encode("utf-8")


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
def _problem(template: str, name: str) -> RecordProblem:
    return RecordProblem(_(template).format(field=name))


def _text_of(name: str, limit: int):
    multiline = name in validation.MULTILINE_FIELDS or name == "status_history"

    def convert(value):
        if not isinstance(value, str):
            raise _problem(N_("field “{field}” should be text"), name)
        if len(value) > limit:
            raise _problem(N_("field “{field}” is too long"), name)
        # Every text, tombstones and place names included: nothing received may hold a control
        # character, a text-direction override or (in a one-line field) a line break.
        if validation.CONTROL.search(value) or (not multiline and validation.LINE_BREAK.search(value)):
            raise RecordProblem(_("field “{field}”: {problem}").format(
                field=name, problem=validation.control_problem(value, multiline)))
        return value
    return convert


def _int_of(name: str):
    def convert(value):
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT:
            raise _problem(N_("field “{field}” should be a whole number"), name)
        return value
    return convert


def _float_of(name: str):
    def convert(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _problem(N_("field “{field}” should be a number"), name)
        return float(value)
    return convert


def _bool_of(name: str):
    def convert(value):
        if not isinstance(value, bool):
            raise _problem(N_("field “{field}” should be true or false"), name)
        return int(value)
    return convert


_CANONICAL_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z")
_CANONICAL_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00\Z")


def _moment_of(name: str, kind: str):
    text_of = _text_of(name, 40)
    canonical = _CANONICAL_DATE if kind == "date" else _CANONICAL_MOMENT

    def convert(value):
        text = text_of(value)
        try:
            if kind == "date":
                parsed = date.fromisoformat(text)
            else:
                parsed = datetime.fromisoformat(text)
                if parsed.tzinfo is None:
                    raise _problem(N_("field “{field}” has no time zone"), name)
        except ValueError:
            raise _problem(N_("field “{field}” is not a date"), name) from None
        # What our own writer sends is stored as it is; anything else is normalised first.
        if canonical.match(text):
            return text
        try:
            return parsed.isoformat() if kind == "date" else datetime_to_text(parsed)
        except (ValueError, OverflowError):
            raise _problem(N_("field “{field}” is not a date"), name) from None
    return convert


# One encoder for every list: json.dumps with options builds a new one per call.
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _list_of(name: str):
    short, long_text, key = _text_of(name, MAX_SHORT), _text_of(name, MAX_TEXT), _text_of(name, 40)

    def convert(value):
        if not isinstance(value, list) or len(value) > MAX_LIST:
            raise _problem(N_("field “{field}” should be a short list"), name)
        for item in value:
            if name in _HISTORY_FIELDS:
                if not isinstance(item, dict) or len(item) > 10:
                    raise _problem(N_("field “{field}” should be a list of status changes"), name)
                for entry_key, entry in item.items():
                    key(entry_key)
                    if entry is not None:
                        long_text(entry)
            else:
                short(item)
        return _compact(value)
    return convert


@lru_cache(maxsize=None)
def _decoders(table: str) -> tuple[tuple[str, ...], frozenset, tuple]:
    """Field names, their set, and one converter per field (received value -> database value)."""
    record_type = SYNCED_TABLES[table]
    hints = typing.get_type_hints(record_type)
    kinds = dict(column_kinds(record_type))
    names, converters = [], []
    for item in fields(record_type):
        annotation, nullable = hints[item.name], False
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            nullable, annotation = len(args) < len(typing.get_args(annotation)), args[0]
        base, kind = typing.get_origin(annotation) or annotation, kinds[item.name]
        if kind in ("date", "datetime"):
            convert = _moment_of(item.name, kind)
        elif kind == "bool":
            convert = _bool_of(item.name)
        elif kind == "json":
            convert = _list_of(item.name)
        elif base is int:
            convert = _int_of(item.name)
        elif base is float:
            convert = _float_of(item.name)
        else:
            convert = _text_of(item.name, MAX_SHORT if item.name in _SHORT_FIELDS else MAX_TEXT)
        names.append(item.name)
        converters.append((convert, nullable and item.name not in _REQUIRED_MOMENTS))
    return tuple(names), frozenset(names), tuple(converters)


def decode_line(table: str, line: bytes, sender: str, validate: bool = True, relayed: bool = False) -> tuple:
    """One received line as a database row of `table`, after every check; RecordProblem if not.

    `validate=False` skips the domain's rules (vocabularies…), for a second reading of lines
    already validated once and whose hash is checked again. `relayed`: a member headquarters may
    fill with versions the records' creators wrote (fieldapp.domain.synced.RELAYED_TABLES).
    """
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RecordProblem(_("the line is not JSON")) from None
    if not isinstance(record, dict):
        raise RecordProblem(_("the line is not a record"))
    names, name_set, converters = _decoders(table)
    if record.keys() != name_set:
        unknown = sorted(record.keys() - name_set)
        if unknown:
            raise RecordProblem(_("unknown field “{field}”").format(field=str(unknown[0])[:40]))
        missing = sorted(name_set - record.keys())
        raise RecordProblem(_("field “{field}” is missing").format(field=missing[0]))
    row = []
    for name, (convert, nullable) in zip(names, converters):
        value = record[name]
        if value is None:
            if not nullable:
                raise _problem(N_("field “{field}” is missing a value"), name)
            row.append(None)
        else:
            row.append(convert(value))
    values = dict(zip(names, row))
    _check_identity(table, values, sender, relayed)
    if validate:
        _check_content(table, SYNCED_TABLES[table], values)
    return tuple(row)


def _check_identity(table: str, values: dict, sender: str, relayed: bool = False) -> None:
    if table == "places":
        if not validation.PCODE.match(values["pcode"]):
            raise RecordProblem(_("“{value}” is not a P-code").format(value=values["pcode"][:40]))
    elif not UUID.match(values["id"]):
        raise RecordProblem(_("field “{field}” is not an id").format(field="id"))
    stamp = STAMP.match(values["hlc"])
    if stamp is None:
        raise RecordProblem(_("field “{field}” is not a clock stamp").format(field="hlc"))
    # A site signs only versions it wrote itself: nobody can pass off a change as another site's;
    # headquarters also relays the mission's list, each version as its creator wrote it.
    if relayed:
        if not UUID.match(values["origin_site"]) or not mara_relayed_ok(stamp.group(1), values["origin_site"], sender):
            raise RecordProblem(_("the record was not written by the site that sent the bundle"))
    elif stamp.group(1) != sender or values["origin_site"] != sender:
        raise RecordProblem(_("the record was not written by the site that sent the bundle"))


def _check_content(table: str, record_type: type, values: dict) -> None:
    if values["deleted"]:
        return  # a tombstone only needs well-typed fields; it may be redacted
    if table == "places":
        if not 0 <= values["level"] <= 9:
            raise RecordProblem(_("field “{field}” is out of range").format(field="level"))
        if values["parent_pcode"] is not None and not validation.PCODE.match(values["parent_pcode"]):
            raise RecordProblem(_("“{value}” is not a P-code").format(value=values["parent_pcode"][:40]))
        return
    problem = mara_sync_check(table, values)
    if problem:
        raise RecordProblem(problem)
    record = record_type(**{name: from_db(kind, values[name]) for name, kind in column_kinds(record_type)})
    try:
        if record_type in (Referral, Alert, Incident):
            validation.VALIDATORS[record_type](record, now=_FAR_FUTURE)
        else:
            validation.VALIDATORS[record_type](record)
    except ValidationError as error:
        field, problem = next(iter(error.problems.items()))
        raise RecordProblem(_("field “{field}”: {problem}").format(field=field, problem=problem)) from None


def stamp_site(stamp: str) -> str:
    """The site that wrote a version: the last part of its clock stamp."""
    return stamp[23:]

