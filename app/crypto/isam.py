"""The ISAM renewal (our own command, docs/virtual-sam.md): what the center MACs.

The chip checks it; shared by the virtual ISAM, the center that issues renewals and the
counter that passes them on. The counter never holds the renewal key.
"""

from __future__ import annotations

from datetime import datetime

from app.crypto.pboc import pboc_mac

RENEWAL_SIZE = 15  # counter(4) ‖ date-time(7) ‖ MAC(4)


def renewal_mac(renewal_key: bytes, sam_serial: bytes, counter: bytes, when: bytes) -> bytes:
    """The retail MAC (16-byte renewal key) over SAM serial ‖ counter(4) ‖ date-time(7)."""
    return pboc_mac(renewal_key, sam_serial + counter + when)


def make_renewal(renewal_key: bytes, sam_serial: bytes, counter: int, when: datetime) -> bytes:
    """A renewal for one ISAM: counter(4) ‖ date-time(7, BCD) ‖ MAC(4) — the ``80 32`` data.

    ``counter`` must be above the ISAM's last one (a renewal is used once); ``when`` is the
    center's time of contact, from which the ISAM counts the age of its offline top-ups.
    """
    raw_counter = counter.to_bytes(4, "big")
    stamp = bytes.fromhex(when.strftime("%Y%m%d%H%M%S"))
    return raw_counter + stamp + renewal_mac(renewal_key, sam_serial, raw_counter, stamp)


def parse_renewal(text: str) -> tuple[int, bytes, bytes]:
    """A renewal as the center printed it (hex): (counter, date-time(7), MAC(4)).

    ValueError when it is not 15 bytes of hex.
    """
    raw = bytes.fromhex(text.strip().replace(" ", ""))
    if len(raw) != RENEWAL_SIZE:
        raise ValueError(f"a renewal is {RENEWAL_SIZE} bytes, not {len(raw)}")
    return int.from_bytes(raw[:4], "big"), raw[4:11], raw[11:15]
