"""A purse payment in raw APDUs through pcscd: the card on "Virtual PCD 00 00", the PSAM in the
reader's SAM slot "Virtual PCD 00 01" (secure-elements.md, "PSAM commands").

INITIALIZE FOR PURCHASE → PSAM ``80 70 00 00 24`` (the public 36-byte layout → terminal seq ‖
MAC1) → DEBIT FOR PURCHASE → PSAM ``80 72 00 00 04`` (the card's MAC2). The counter program is
not involved: only bytes, as a hardware PSAM would see them.
"""

from __future__ import annotations

import time

import pytest

from app.card.pcsc import PcscTransport, card_present
from app.crypto.diversify import issuer_diversifier
from cardsim.vpcd import VpcdBridge

pytestmark = pytest.mark.pcsc

CARD_READER = "Virtual PCD 00 00"
SAM_READER = "Virtual PCD 00 01"
CU_AID = bytes.fromhex("A00000000386980701")
WHEN = bytes.fromhex("20261208") + bytes.fromhex("101500")


def _wait(reader: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not card_present(reader):
        assert time.monotonic() < deadline, f"nothing appeared in {reader}"
        time.sleep(0.05)


def _ok(answer: bytes) -> bytes:
    assert answer[-2:] == b"\x90\x00", answer.hex().upper()
    return answer[:-2]


def _pay(card: PcscTransport, sam: PcscTransport, amount: int, *, spoil_mac2: bool) -> bytes:
    """One payment; returns the PSAM's answer to 80 72 (its status word)."""
    terminal = _ok(sam.transmit(bytes.fromhex("00B0960006")))  # file 0x16: the terminal id
    public = _ok(card.transmit(bytes.fromhex("00B0950000")))  # file 0x15, before INIT
    serial = public[12:20]
    init = _ok(
        card.transmit(
            bytes.fromhex("805001020B01") + amount.to_bytes(4, "big") + terminal + b"\x0f"
        )
    )
    atc, key_version, alg_id, random = init[4:6], init[9], init[10], init[11:15]
    mac1_input = (
        random
        + atc
        + amount.to_bytes(4, "big")
        + b"\x06"
        + WHEN
        + bytes((key_version, alg_id))
        + serial
        + issuer_diversifier(public[2:4])
    )
    assert len(mac1_input) == 0x24
    answer = _ok(sam.transmit(bytes.fromhex("8070000024") + mac1_input + b"\x08"))
    seq, mac1 = answer[:4], answer[4:8]
    debit = _ok(card.transmit(bytes.fromhex("805401000F") + seq + WHEN + mac1 + b"\x08"))
    tac, mac2 = debit[:4], debit[4:8]
    assert len(tac) == 4
    if spoil_mac2:
        mac2 = bytes((mac2[0] ^ 0x01,)) + mac2[1:]
    return sam.transmit(bytes.fromhex("8072000004") + mac2)


def test_raw_apdu_purchase_with_the_psam_in_the_second_reader(pcscd, make_rig) -> None:
    rig = make_rig(cu_purchase_get_data=False)  # this issuer does not MAC the GET DATA bytes
    assert rig.sam_rig is not None
    with VpcdBridge(rig.faulty, slot=0), VpcdBridge(rig.sam_rig.faulty, slot=1):
        _wait(CARD_READER)
        _wait(SAM_READER)
        card, sam = PcscTransport(CARD_READER), PcscTransport(SAM_READER)
        try:
            _ok(card.transmit(bytes.fromhex("00A40400") + bytes((len(CU_AID),)) + CU_AID))
            _ok(sam.transmit(bytes.fromhex("00A40000021001")))
            assert _pay(card, sam, 1_200, spoil_mac2=False) == b"\x90\x00"
            assert _pay(card, sam, 300, spoil_mac2=True) == b"\x93\x02"  # the PSAM refuses
        finally:
            card.close()
            sam.close()
    assert rig.reload().profile.balance_fen == 5_000 - 1_200 - 300  # the card debited both
    assert rig.sam_rig.reload().transaction_counter == 2  # each seq kept before the answer
