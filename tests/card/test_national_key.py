"""Raw bytes: the MAC1 a PSAM gives with the national key verifies on another city's card.

No counter code between them: the test speaks the APDUs of secure-elements.md to the virtual
card and the virtual PSAM, so that what the counter's :class:`ApduSam` builds is checked
against the wire format, not against itself.
"""

from __future__ import annotations

import pytest

from app.crypto.diversify import interop_card_key, issuer_diversifier
from app.domain.card import CardFamily, CardKeyKind
from tests.cardsim.cardsim_support import ok, select_purse, sw
from tests.support.cards import TERMINAL, interop_issuer, national_key_set

WHEN = bytes.fromhex("20261208103000")  # YYYYMMDD hhmmss


def _mac1_raw(rig, serial: bytes, diversifier: bytes, amount: int) -> tuple[bytes, bytes]:
    """INIT FOR PURCHASE (card) [→ GET DATA] → 80 70 (PSAM): (balance before, seq ‖ MAC1)."""
    card, psam = rig.card, rig.sam_rig.psam
    select_purse(card)
    assert ok(psam.process(bytes.fromhex("00A40000021001"))) is not None
    head = bytes([0x80, 0x50, 0x01, 0x02, 0x0B, 0x01])
    init = ok(card.process(head + amount.to_bytes(4, "big") + TERMINAL + b"\x0f"))
    balance, atc, version, algorithm, random = init[0:4], init[4:6], init[9], init[10], init[11:15]
    assert version == 0x10  # the card's purchase keys are the national version
    card_data = b""
    if card.profile.family is CardFamily.CITY_UNION:
        card_data = ok(card.process(bytes.fromhex("80CA000009")))
    data = (
        random
        + atc
        + amount.to_bytes(4, "big")
        + b"\x06"
        + WHEN
        + bytes([version, algorithm])
        + serial[-8:]
        + diversifier
        + card_data
    )
    return balance, ok(psam.process(bytes([0x80, 0x70, 0x00, 0x00, len(data)]) + data + b"\x08"))


def _debit_raw(rig, seq_mac1: bytes) -> bytes:
    return rig.card.process(b"\x80\x54\x01\x00\x0f" + seq_mac1[:4] + WHEN + seq_mac1[4:8] + b"\x08")


@pytest.mark.parametrize(
    ("family", "serial", "diversifier"),
    [
        (CardFamily.CITY_UNION, bytes.fromhex("2140000000000008"), issuer_diversifier("2140")),
        (
            CardFamily.T_UNION,
            bytes.fromhex("29000000000000000007"),
            bytes.fromhex("0000290000000000"),
        ),
    ],
)
def test_the_psams_national_mac1_verifies_on_the_card(make_rig, family, serial, diversifier):
    national = national_key_set(block=False)
    rig = make_rig(
        interop_issuer(national, diversifier),
        sam_national=[national],
        family=family,
        serial=serial,
        balance_fen=5_000,
        public_changes={"issuer_code": b"\x21\x40", "city_code": "2140"}
        if family is CardFamily.CITY_UNION
        else None,
    )
    # two levels: national → city (issuer diversifier) → card (serial): the card's DPK is that
    dpk = interop_card_key(0, national.master_keys[CardKeyKind.DPK], diversifier, serial)
    assert rig.card.profile.card_keys[CardKeyKind.DPK] == dpk
    balance, seq_mac1 = _mac1_raw(rig, serial, diversifier, 1_200)
    tac_mac2 = ok(_debit_raw(rig, seq_mac1))  # the card accepted the PSAM's MAC1
    assert int.from_bytes(balance, "big") == 5_000
    assert rig.sam_rig.psam.process(b"\x80\x72\x00\x00\x04" + tac_mac2[4:8]) == b"\x90\x00"
    assert rig.card.profile.balance_fen == 3_800
    # the PSAM kept its seq, and its directory (file 0x18) says it holds the national set
    assert rig.sam_rig.reload().transaction_counter == 1
    directory = ok(rig.sam_rig.psam.process(bytes.fromhex("00B0980000")))
    assert bytes([0x00, 0x10, 0x01]) in [directory[i : i + 3] for i in range(0, len(directory), 3)]


def test_a_mac1_with_the_wrong_issuer_diversifier_is_refused_by_the_card(make_rig) -> None:
    national = national_key_set(block=False)
    rig = make_rig(
        interop_issuer(national, issuer_diversifier("2140")),
        sam_national=[national],
        balance_fen=5_000,
        public_changes={"issuer_code": b"\x21\x40", "city_code": "2140"},
    )
    # a terminal claiming the card is Shanghai's gets a MAC1 of another city key: 9302
    serial = bytes.fromhex("3104000000001234")
    _balance, seq_mac1 = _mac1_raw(rig, serial, issuer_diversifier("2900"), 1_200)
    assert sw(_debit_raw(rig, seq_mac1)) == 0x9302
    assert rig.card.profile.balance_fen == 5_000
