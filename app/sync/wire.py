"""The JSON the client sends and the checks every answer goes through.

Records and checkpoints travel as lines of the journal archive (``app/journal/archive.py``):
field names as the columns, bytes as upper-case hex. Answers are read through :class:`Fields`,
which raises :class:`~app.sync.errors.BadResponseError` naming the field on any mismatch with
the contract: integers must be integers (not booleans, floats or strings), strings strings,
hex hex. Fields the contract does not name are ignored, so a newer center can add some.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from app.journal.records import checkpoint_json, record_json
from app.sync.errors import BadResponseError

__all__ = ["Fields", "checkpoint_json", "decode", "encode", "record_json"]

_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")


def encode(document: object) -> bytes:
    """The request body: compact UTF-8 JSON (the bytes that are signed are the bytes sent)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(content: bytes, what: str) -> Any:
    """Parse an answer's JSON body."""
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        preview = content[:60].decode("utf-8", "replace")
        raise BadResponseError(
            "{what}: the answer is not JSON ({preview}…)", what=what, preview=repr(preview)
        ) from exc


class Fields:
    """Typed, checked access to one JSON object of an answer."""

    def __init__(self, value: object, what: str) -> None:
        if not isinstance(value, dict):
            raise BadResponseError(
                "{what}: expected a JSON object, got {got}", what=what, got=type(value).__name__
            )
        self._value: dict[str, Any] = value
        self.what = what

    def _bad(self, key: str, expected: str) -> BadResponseError:
        got = self._value.get(key, "nothing")
        return BadResponseError(
            "{what}: {key} should be {expected}, got {got}",
            what=self.what,
            key=key,
            expected=expected,
            got=f"{got!r:.60}",
        )

    def _get(self, key: str) -> Any:
        if key not in self._value:
            raise BadResponseError("{what}: the field {key} is missing", what=self.what, key=key)
        return self._value[key]

    def integer(self, key: str, minimum: int | None = None) -> int:
        """A required integer (booleans and floats are refused)."""
        value = self._get(key)
        if type(value) is not int or (minimum is not None and value < minimum):
            raise self._bad(key, "an integer" + ("" if minimum is None else f" ≥ {minimum}"))
        return value

    def opt_integer(self, key: str) -> int | None:
        """An integer or null (a missing field counts as null)."""
        if self._value.get(key) is None:
            return None
        return self.integer(key)

    def text(self, key: str) -> str:
        """A required string."""
        value = self._get(key)
        if not isinstance(value, str):
            raise self._bad(key, "a string")
        return value

    def opt_text(self, key: str) -> str | None:
        """A string or null (a missing field counts as null)."""
        if self._value.get(key) is None:
            return None
        return self.text(key)

    def flag(self, key: str) -> bool:
        """A required boolean."""
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def hexbytes(self, key: str, size: int | None = None) -> bytes:
        """Hex text decoded (``size``: the number of bytes it must have)."""
        value = self.text(key)
        if not _HEX.fullmatch(value) or (size is not None and len(value) != 2 * size):
            raise self._bad(key, "hex" + ("" if size is None else f" of {size} bytes"))
        return bytes.fromhex(value)

    def when(self, key: str) -> datetime:
        """An ISO 8601 date and time with its offset."""
        text = self.text(key)
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise self._bad(key, "an ISO 8601 date and time") from None
        if when.tzinfo is None:
            raise self._bad(key, "a date and time with an offset")
        return when

    def opt_when(self, key: str) -> datetime | None:
        """An ISO 8601 date and time, or null."""
        if self._value.get(key) is None:
            return None
        return self.when(key)

    def obj(self, key: str) -> Fields:
        """A nested object."""
        return Fields(self._get(key), f"{self.what}.{key}")

    def opt_obj(self, key: str) -> Fields | None:
        """A nested object, or null."""
        if self._value.get(key) is None:
            return None
        return self.obj(key)

    def objects(self, key: str) -> list[Fields]:
        """A list of objects."""
        value = self._get(key)
        if not isinstance(value, list):
            raise self._bad(key, "a list")
        return [Fields(v, f"{self.what}.{key}[{i}]") for i, v in enumerate(value)]

    def texts(self, key: str) -> list[str]:
        """A list of strings."""
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "a list of strings")
        return list(value)

    def raw(self) -> dict[str, Any]:
        """The object as received."""
        return dict(self._value)
