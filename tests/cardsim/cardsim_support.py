"""Helpers for the virtual-card tests: test profiles and the terminal's side of the crypto."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.crypto import pboc, pboc_sm4
from app.domain.card import CardFamily, CardKeyKind
from cardsim.card import VirtualCityCard
from cardsim.profile import CU_AID, TU_AID, CardProfile, HolderFields, PublicFields

# --------------------------------------------------------------------------- profiles

VECTOR_KEY = bytes.fromhex("11223344556677888877665544332211")
VECTOR_RANDOM = bytes.fromhex("11223344")
CU_SERIAL = bytes.fromhex("3100000000000042")
TU_SERIAL = bytes.fromhex("31104910000000000077")


def vector_keys(**override: bytes) -> dict[CardKeyKind, bytes]:
    """Card keys: the public-vector key for DLK and DPK, distinct keys for the others."""
    keys = {
        CardKeyKind.DLK: VECTOR_KEY,
        CardKeyKind.DPK: VECTOR_KEY,
        CardKeyKind.DTK: bytes.fromhex("0102030405060708090A0B0C0D0E0F10"),
        CardKeyKind.DABK: bytes.fromhex("A1A2A3A4A5A6A7A8A9AAABACADAEAFB0"),
        CardKeyKind.DAUK: bytes.fromhex("B1B2B3B4B5B6B7B8B9BABBBCBDBEBFC0"),
        CardKeyKind.DUK: bytes.fromhex("C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0"),
    }
    keys.update({CardKeyKind(k): v for k, v in override.items()})
    return keys


def make_profile(family: CardFamily = CardFamily.CITY_UNION, **kw: Any) -> CardProfile:
    """A test profile: fixed random 11223344, vector keys, ¥0, no GET DATA suffix unless asked."""
    if family is CardFamily.CITY_UNION:
        public = PublicFields(
            family,
            CU_SERIAL,
            issuer_code=bytes.fromhex("3100"),
            city_code="3100",
            industry_code=bytes.fromhex("0001"),
            start_date="20240101",
            expiry_date="20341231",
            card_type=0x01,
        )
    else:
        public = PublicFields(
            family,
            TU_SERIAL,
            issuer_code=bytes.fromhex("0290000000000000"),
            start_date="20240101",
            expiry_date="20341231",
        )
    values: dict[str, Any] = {
        "family": family,
        "aid": CU_AID if family is CardFamily.CITY_UNION else TU_AID,
        "public_file": public.to_bytes(),
        "holder_file": HolderFields(0, 0, "张三", "110101199001011234", 0).to_bytes(),
        "card_keys": vector_keys(),
        "fixed_random": VECTOR_RANDOM,
        "cu_purchase_get_data": False,
    }
    values.update(kw)
    return CardProfile(**values)


# --------------------------------------------------------------------------- host-side crypto


@dataclass(frozen=True)
class HostCrypto:
    """The terminal's side of the purse crypto, straight from app.crypto.pboc / pboc_sm4."""

    sm4: bool = False

    def mac(self, key: bytes, data: bytes, icv: bytes | None = None) -> bytes:
        if self.sm4:
            return pboc_sm4.sm4_mac(key, data, icv if icv is not None else bytes(16))
        return pboc.pboc_mac(key, data, icv if icv is not None else bytes(8))

    def seslk(self, dlk: bytes, random: bytes, atc: int) -> bytes:
        if self.sm4:
            return pboc_sm4.sm4_load_session_key(dlk, random, atc)
        return pboc.load_session_key(dlk, random, atc)

    def sespk(self, dpk: bytes, random: bytes, atc: int, seq: int) -> bytes:
        if self.sm4:
            return pboc_sm4.sm4_purchase_session_key(dpk, random, atc, seq)
        return pboc.purchase_session_key(dpk, random, atc, seq)

    def tac_key(self, dtk: bytes) -> bytes:
        return dtk if self.sm4 else pboc.tac_key(dtk)

    def sm_icv(self, challenge: bytes) -> bytes:
        size = 16 if self.sm4 else 8
        return (challenge + bytes(size))[:size]


def ok(response: bytes) -> bytes:
    """Assert a 9000 answer and return its data."""
    assert response[-2:] == b"\x90\x00", f"expected 9000, got {response.hex().upper()}"
    return response[:-2]


def sw(response: bytes) -> int:
    """The status word of an answer."""
    return int.from_bytes(response[-2:], "big")


def select_purse(card: VirtualCityCard) -> bytes:
    """SELECT the purse by AID and return the FCI."""
    aid = card.profile.aid
    return ok(card.process(b"\x00\xa4\x04\x00" + bytes([len(aid)]) + aid))


TERMINAL = bytes.fromhex("001122334455")
DATE = bytes.fromhex("20111221")
TIME = bytes.fromhex("214822")


@dataclass(frozen=True)
class LoadResult:
    init: bytes
    mac2: bytes
    tac: bytes
    atc_before: int


def init_load_apdu(amount: int, terminal: bytes = TERMINAL, key_index: int = 1) -> bytes:
    """INITIALIZE FOR LOAD."""
    return (
        b"\x80\x50\x00\x02\x0b"
        + bytes([key_index])
        + amount.to_bytes(4, "big")
        + terminal
        + b"\x10"
    )


def do_load(
    card: VirtualCityCard,
    amount: int,
    keys: dict[CardKeyKind, bytes] | None = None,
    *,
    sm4: bool = False,
    terminal: bytes = TERMINAL,
) -> LoadResult:
    """A complete load as the host would run it, verifying MAC1 and the TAC independently."""
    keys = keys or card.profile.card_keys
    host = HostCrypto(sm4)
    init = ok(card.process(init_load_apdu(amount, terminal)))
    balance, atc = int.from_bytes(init[0:4], "big"), int.from_bytes(init[4:6], "big")
    random, mac1 = init[8:12], init[12:16]
    seslk = host.seslk(keys[CardKeyKind.DLK], random, atc)
    fen = amount.to_bytes(4, "big")
    assert mac1 == host.mac(seslk, balance.to_bytes(4, "big") + fen + b"\x02" + terminal)
    mac2 = host.mac(seslk, amount.to_bytes(4, "big") + b"\x02" + terminal + DATE + TIME)
    tac = ok(card.process(b"\x80\x52\x00\x00\x0b" + DATE + TIME + mac2 + b"\x04"))
    expected_tac = host.mac(
        host.tac_key(keys[CardKeyKind.DTK]),
        (balance + amount).to_bytes(4, "big")
        + atc.to_bytes(2, "big")
        + amount.to_bytes(4, "big")
        + b"\x02"
        + terminal
        + DATE
        + TIME,
    )
    assert tac == expected_tac
    return LoadResult(init, mac2, tac, atc)
