"""A small BER-TLV reader for FCI templates."""

from __future__ import annotations

from app.card.errors import MalformedCardAnswerError


def _read_tag(data: bytes, pos: int) -> tuple[int, int]:
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:  # multi-byte tag
        while True:
            if pos >= len(data):
                raise MalformedCardAnswerError("TLV tag runs past the end")
            tag = (tag << 8) | data[pos]
            pos += 1
            if not data[pos - 1] & 0x80:
                break
    return tag, pos


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise MalformedCardAnswerError("TLV length missing")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0 or count > 2 or pos + count > len(data):
        raise MalformedCardAnswerError("TLV length malformed")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def parse_tlv(data: bytes) -> list[tuple[int, bytes]]:
    """Split ``data`` into (tag, value) pairs at one level; raises on malformed input."""
    items: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):  # padding between objects
            pos += 1
            continue
        tag, pos = _read_tag(data, pos)
        length, pos = _read_length(data, pos)
        if pos + length > len(data):
            raise MalformedCardAnswerError("TLV {tag} value runs past the end", tag=f"{tag:X}")
        items.append((tag, data[pos : pos + length]))
        pos += length
    return items


def find_tag(data: bytes, *path: int) -> bytes | None:
    """Follow constructed tags by ``path`` (e.g. ``0x6F, 0xA5, 0x9F0C``); None when absent."""
    current = data
    for tag in path:
        found = next((v for t, v in parse_tlv(current) if t == tag), None)
        if found is None:
            return None
        current = found
    return current
