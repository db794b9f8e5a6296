"""Uploaded records as canonical values and as rows; comparing an upload with what is held."""

from __future__ import annotations

from typing import Any

from app.journal.canonical import RECORD_FIELDS, record_bytes
from app.journal.records import RECORD_COLUMNS
from clearing.models import RecordRow
from clearing.schemas import RecordIn

BYTES_FIELDS = frozenset({"mac1", "mac2", "tac", "prev_mac", "mac"})


def _decoded(name: str, value: Any) -> Any:
    if name in BYTES_FIELDS and value is not None:
        return bytes.fromhex(value)
    return value


def columns_of(record: RecordIn) -> dict[str, Any]:
    """Every record column with bytes decoded (the values the device MAC'd)."""
    return {name: _decoded(name, getattr(record, name)) for name in RECORD_COLUMNS}


def canonical_values(columns: dict[str, Any]) -> tuple[Any, ...]:
    """The record's values in canonical order (without prev_mac and mac)."""
    return tuple(columns[name] for name, _type in RECORD_FIELDS)


def mac_input(columns: dict[str, Any]) -> bytes:
    """What the record MAC covers: record bytes ‖ prev_mac."""
    prev_mac: bytes = columns["prev_mac"]
    return record_bytes(canonical_values(columns)) + prev_mac


def row_columns(row: RecordRow) -> dict[str, Any]:
    """A held record's columns, as :func:`columns_of` gives them for an upload."""
    return {name: getattr(row, name) for name in RECORD_COLUMNS}
