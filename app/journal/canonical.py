"""The canonical bytes of records and checkpoints: what the MACs and signatures cover.

Another program verifies the journal by rebuilding exactly these bytes (docs/journal-format.md):
a 4-byte magic, then every field in the fixed order of :data:`RECORD_FIELDS`, each as a 4-byte
big-endian length and the value; an absent value (SQL NULL) is the length ``FFFFFFFF`` and nothing
else. Integers are 8-byte big-endian two's complement, text is UTF-8, bytes are as they are.

    record MAC  = HMAC-SM3(journal key[key_id], record bytes ‖ previous record's MAC)
    batch digest = SM3(record bytes ‖ prev MAC ‖ MAC, each record after the last checkpoint)
    signature   = SM2-with-SM3(device key, checkpoint bytes), user id "1234567812345678"
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from app.crypto.sm3 import sm3_digest

RECORD_MAGIC = b"CCJ1"
CHECKPOINT_MAGIC = b"CCC1"
HEAD_MAGIC = b"CCH2"
LEGACY_HEAD_MAGIC = b"CCH1"  # before the anchor covered the checkpoint number (schema j0001)

# (name, type) in canonical order; prev_mac and mac are not fields: prev_mac follows the bytes
RECORD_FIELDS: tuple[tuple[str, type], ...] = (
    ("device_id", str),
    ("seq", int),
    ("kind", str),
    ("at_us", int),
    ("operator", str),
    ("shift_id", int),
    ("card_serial", str),
    ("amount_fen", int),
    ("payment_method", str),
    ("balance_before_fen", int),
    ("balance_after_fen", int),
    ("atc", int),
    ("terminal_seq", int),
    ("mac1", bytes),
    ("mac2", bytes),
    ("tac", bytes),
    ("intent_seq", int),
    ("grand_total_fen", int),
    ("payload", str),
    ("key_id", str),
)
CHECKPOINT_FIELDS: tuple[tuple[str, type], ...] = (
    ("device_id", str),
    ("number", int),
    ("seq", int),
    ("head_mac", bytes),
    ("batch_digest", bytes),
    ("totals", str),
    ("at_us", int),
    ("reason", str),
    ("prev_signature", bytes),
    ("public_key", bytes),
)

_NULL = b"\xff\xff\xff\xff"
_INT = struct.Struct(">Iq")
_LEN = struct.Struct(">I")

Value = str | int | bytes | None


def _field(value: Value) -> bytes:
    """One field's bytes; a value of another type or out of range raises ValueError (a bug)."""
    if value is None:
        return _NULL
    if isinstance(value, bool):  # bool is an int in Python; never a journal value
        raise ValueError("booleans are not journal values")
    if isinstance(value, int):
        try:
            return _INT.pack(8, value)
        except struct.error as exc:
            raise ValueError(f"integer out of 64-bit range: {value}") from exc
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, bytes):
        data = value
    else:
        raise ValueError(f"cannot encode {type(value).__name__}")
    return _LEN.pack(len(data)) + data


def encode(magic: bytes, values: Sequence[Value]) -> bytes:
    """The canonical bytes of ``values`` (already in canonical field order).

    The loop handles the plain types inline (it runs for every record of a verification);
    anything else — subclasses, booleans, wrong types — goes through :func:`_field`.
    """
    parts = [magic]
    append = parts.append
    pack_len = _LEN.pack
    pack_int = _INT.pack
    for v in values:
        t = type(v)
        if v is None:
            append(_NULL)
        elif t is int and -(2**63) <= v < 2**63:  # type: ignore[operator]
            append(pack_int(8, v))
        elif t is str:
            data = v.encode("utf-8")  # type: ignore[union-attr]
            append(pack_len(len(data)))
            append(data)
        elif t is bytes:
            append(pack_len(len(v)))  # type: ignore[arg-type]
            append(v)  # type: ignore[arg-type]
        else:
            append(_field(v))
    return b"".join(parts)


def record_bytes(values: Sequence[Value]) -> bytes:
    """Canonical bytes of a record given its field values in :data:`RECORD_FIELDS` order."""
    if len(values) != len(RECORD_FIELDS):
        raise ValueError("wrong number of record fields")
    return encode(RECORD_MAGIC, values)


def stored_record_bytes(values: Sequence[Value]) -> bytes:
    """:func:`record_bytes` of a row as ``sqlite3`` returns it (the verification's hot path).

    Each column is encoded as its declared type, without the generic per-value dispatch; a
    value of another type (which only a hand-edited file holds) makes the typed encoding fail
    and the row goes through :func:`record_bytes`, so the bytes — or the ValueError — are
    exactly the generic ones. Only for values read from SQLite: it returns None, int, float,
    str or bytes, never a bool (which the typed encoding would take for an integer).
    """
    try:
        return _typed_record_bytes(values)
    except (TypeError, AttributeError, ValueError, struct.error):
        return record_bytes(values)


def new_record_bytes(values: Sequence[Value]) -> bytes:
    """:func:`record_bytes` of a record being appended, on the typed path when it can be.

    Booleans are refused as :func:`record_bytes` refuses them (they would pass as integers).
    """
    if bool in set(map(type, values)):
        return record_bytes(values)  # raises the ValueError
    return stored_record_bytes(values)


def _typed_record_bytes(values: Sequence[Any]) -> bytes:
    (dev, seq, kind, at_us, operator, shift, card, amount, method, before, after, atc, tseq,
     mac1, mac2, tac, intent, total, payload, key_id) = values  # fmt: skip
    n, i, b = _NULL, _INT.pack, _LEN.pack
    return b"".join(
        (
            RECORD_MAGIC,
            b(len(d0 := dev.encode())) + d0,
            i(8, seq),
            b(len(d1 := kind.encode())) + d1,
            i(8, at_us),
            n if operator is None else b(len(d2 := operator.encode())) + d2,
            n if shift is None else i(8, shift),
            n if card is None else b(len(d3 := card.encode())) + d3,
            n if amount is None else i(8, amount),
            n if method is None else b(len(d4 := method.encode())) + d4,
            n if before is None else i(8, before),
            n if after is None else i(8, after),
            n if atc is None else i(8, atc),
            n if tseq is None else i(8, tseq),
            n if mac1 is None else b(len(mac1)) + mac1,
            n if mac2 is None else b(len(mac2)) + mac2,
            n if tac is None else b(len(tac)) + tac,
            n if intent is None else i(8, intent),
            i(8, total),
            b(len(d5 := payload.encode())) + d5,
            b(len(d6 := key_id.encode())) + d6,
        )
    )


def checkpoint_bytes(values: Sequence[Value]) -> bytes:
    """Canonical bytes of a checkpoint given its values in :data:`CHECKPOINT_FIELDS` order."""
    if len(values) != len(CHECKPOINT_FIELDS):
        raise ValueError("wrong number of checkpoint fields")
    return encode(CHECKPOINT_MAGIC, values)


def head_bytes(device_id: str, seq: int, mac: bytes, checkpoint_number: int) -> bytes:
    """Canonical bytes of the head anchor: the last record and the last checkpoint's number.

    MAC'd with the journal key and kept beside the records, it makes a removed tail of records
    or a removed last checkpoint visible.
    """
    return encode(HEAD_MAGIC, (device_id, seq, mac, checkpoint_number))


class HeadEncoder:
    """:func:`head_bytes` for one device, with the constant prefix encoded once (append path)."""

    __slots__ = ("_prefix",)

    def __init__(self, device_id: str) -> None:
        self._prefix = encode(HEAD_MAGIC, (device_id,))

    def __call__(self, seq: int, mac: bytes, checkpoint_number: int) -> bytes:
        """The head anchor's bytes; equal to ``head_bytes(device_id, seq, mac, number)``."""
        if type(seq) is not int or type(mac) is not bytes or type(checkpoint_number) is not int:
            raise ValueError("head values must be an int, bytes and an int")
        pack = _INT.pack
        return b"".join(
            (self._prefix, pack(8, seq), _LEN.pack(len(mac)), mac, pack(8, checkpoint_number))
        )


def legacy_head_bytes(device_id: str, seq: int, mac: bytes) -> bytes:
    """The head anchor as journals before version 0.2 wrote it (upgraded when opened)."""
    return encode(LEGACY_HEAD_MAGIC, (device_id, seq, mac))


def fingerprint(public_key: bytes) -> str:
    """A short, printable identity of an SM2 public key (first 8 bytes of its SM3, hex)."""
    return sm3_digest(public_key)[:8].hex().upper()
