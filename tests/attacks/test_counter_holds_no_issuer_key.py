"""Attacks on a counter set up as the demo sets it up, by someone who has its data directory,
its keystore passphrase (every clerk who unlocks it knows it) and code execution as the clerk.

Each attack of issue 13 must fail because the counter holds no issuer key: its keystore holds
the device's own keys only, the PSAM in the reader's SAM slot outputs no key, MACs a block
command and nothing else, and recomputes TACs only of transactions it took part in.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from app import composition
from app.card import commands
from app.card.errors import CardError, SecureMessagingError, TransactionMacError
from app.card.files import encode_bcd_datetime
from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.operations import begin_load, block_application, finish_load
from app.card.psam import ApduSam
from app.card.sam import (
    LoadAuthorization,
    OfflineLoadRefusedError,
    SamKeyError,
    SamRefusedError,
    SoftwareSam,
)
from app.card.session import CityCard, Sfi
from app.crypto.isam import renewal_mac
from app.crypto.keystore import KdfParams, Keystore
from app.crypto.purse import PurseAlgorithm, purse_crypto
from app.domain.card import CardKeyKind, TransactionType
from cardsim.card import VirtualCityCard
from cardsim.demo import ISAM_RENEWAL_KEY_NAME, KEYSTORE_NAME, create_demo
from cardsim.psam import VirtualPsam

PASSPHRASE = "demo counter passphrase"  # what every clerk who unlocks the counter knows
CHEAP = KdfParams(memory_kib=1024, iterations=1, lanes=1)
WHEN = datetime(2026, 12, 8, 10, 0, 0)


@dataclasses.dataclass
class DemoSite:
    """The demo issuer's cards and SAM, and a counter set up with that SAM (offline)."""

    demo: Path
    data: Path
    sam_path: Path
    issuers: dict[int, IssuerKeySet]  # the issuer's side (the center's HSM in real life)
    renewal_key: bytes

    def sam(self) -> ApduSam:
        return ApduSam.open(InProcessTransport(VirtualPsam.from_file(self.sam_path)))

    def card(self, name: str) -> tuple[VirtualCityCard, CityCard]:
        chip = VirtualCityCard.from_file(self.demo / f"{name}.json")
        return chip, CityCard.open(InProcessTransport(chip))

    def balance(self, name: str) -> int:
        return VirtualCityCard.from_file(self.demo / f"{name}.json").profile.balance_fen

    def stolen_keys(self) -> list[bytes]:
        """Everything the attacker can read: every key of the keystore, unsealed."""
        keystore = Keystore.open(self.data / "keystore.json", PASSPHRASE)
        return [keystore.get(name) for name in keystore.names()]


@pytest.fixture
def site(tmp_path: Path) -> DemoSite:
    demo = tmp_path / "demo"
    issuer = create_demo(demo, "issuer passphrase", kdf=CHEAP)
    assert issuer.sam_path is not None
    issuer_keystore = Keystore.open(demo / KEYSTORE_NAME, "issuer passphrase")
    sam = ApduSam.open(InProcessTransport(VirtualPsam.from_file(issuer.sam_path)))
    data = tmp_path / "counter"
    composition.init_counter(data, PASSPHRASE, "DEMO-1", sam.terminal_id.hex().upper(), CHEAP)
    composition.open_counter(data, PASSPHRASE, sam=sam).close()
    return DemoSite(
        demo,
        data,
        issuer.sam_path,
        {s.key_version: s for s in issuer.key_sets},
        issuer_keystore.get(ISSUER_KEY_NAME),
    )


ISSUER_KEY_NAME = ISAM_RENEWAL_KEY_NAME


def _candidate_card_keys(keys: list[bytes], serial: bytes) -> list[bytes]:
    """Every way an attacker could turn a stolen key into a card key (DES and SM4)."""
    out = []
    for key in keys:
        for width in (16,):
            for start in range(0, max(1, len(key) - width + 1), 8):
                part = key[start : start + width]
                if len(part) != width:
                    continue
                out.append(part)
                for algorithm in (PurseAlgorithm.DES, PurseAlgorithm.SM4):
                    out.append(purse_crypto(algorithm).diversify(part, serial))
    return out


def test_no_file_of_the_data_directory_holds_an_issuer_key(site: DemoSite) -> None:
    stolen = site.stolen_keys()
    masters = [k for s in site.issuers.values() for k in s.master_keys.values()]
    for key in stolen:
        for master in masters:
            assert master not in key
    for path in site.data.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            for master in masters:
                assert master not in raw and master.hex().encode() not in raw.lower()


def test_mint_on_a_foreign_card_fails(site: DemoSite) -> None:
    """cu-adult: a card this counter never saw. ¥45 → ¥1,000 without the center."""
    before = site.balance("cu-adult")
    _chip, card = site.card("cu-adult")
    sam = site.sam()
    amount = 100_000 - before
    auth = begin_load(card, amount, sam.terminal_id, WHEN)
    crypto = purse_crypto(auth.keys.algorithm)
    day, time = encode_bcd_datetime(WHEN)
    kind = bytes((TransactionType.EP_LOAD,))
    # 1. MAC2 from every stolen key, as a master key or as the card key: the card refuses
    for dlk in _candidate_card_keys(site.stolen_keys(), card.serial):
        session = crypto.load_session_key(dlk, auth.random, auth.online_atc)
        mac2 = crypto.mac(session, amount.to_bytes(4, "big") + kind + auth.terminal_id + day + time)
        with pytest.raises(CardError):
            card.credit_for_load(WHEN, mac2)
        _chip, card = site.card("cu-adult")
        auth = begin_load(card, amount, sam.terminal_id, WHEN)
    # 2. the ISAM: the chip's brakes refuse (never renewed; over the per-load cap anyway)
    with pytest.raises(OfflineLoadRefusedError):
        sam.offline_load(auth)
    # 3. a forged renewal: MAC'd with every stolen key — the ISAM refuses each
    stamp = bytes.fromhex("20261208095900")
    for n, key in enumerate(site.stolen_keys(), start=1):
        for part in {key[:16], key[-16:]}:
            if len(part) != 16:
                continue
            mac = renewal_mac(part, bytes(10), n.to_bytes(4, "big"), stamp)
            with pytest.raises(SamRefusedError):
                sam.renew(n, stamp, mac)
    assert site.balance("cu-adult") == before


def test_within_the_isam_brakes_every_load_is_counted_in_the_chip(site: DemoSite) -> None:
    """What an attacker *can* do with a renewed ISAM: loads within its brakes, each counted."""
    sam = site.sam()
    serial = sam.serial_text
    mac = renewal_mac(
        site.renewal_key,
        bytes.fromhex(serial),
        (1).to_bytes(4, "big"),
        b"\x20\x26\x12\x08\x09\x00\x00",
    )
    sam.renew(1, bytes.fromhex("20261208090000"), mac)  # the center's renewal
    _chip, card = site.card("cu-student")
    with pytest.raises(OfflineLoadRefusedError, match="per-load cap"):
        sam.offline_load(begin_load(card, 60_000, sam.terminal_id, WHEN))
    auth = begin_load(card, 1_000, sam.terminal_id, WHEN)
    seq, mac2 = sam.offline_load(auth)
    finish_load(card, sam, auth, mac2)
    status = sam.brake_status()
    assert status is not None and status.load_counter == seq == 1 and status.used_fen == 1_000


def test_unblock_fails(site: DemoSite) -> None:
    sam = site.sam()
    _chip, card = site.card("cu-senior")
    block_application(card, sam)  # the PSAM may block: it holds the block key
    _chip, card = site.card("cu-senior")
    assert card.blocked
    with pytest.raises(SamKeyError):
        sam.secure_messaging_mac(card.serial, 1, CardKeyKind.DAUK, b"\x00" * 4, b"")
    # the block key MACs nothing but the block command
    psam = VirtualPsam.from_file(site.sam_path)
    assert psam.process(bytes.fromhex("00A40000021001"))[-2:] == b"\x90\x00"
    assert psam.process(bytes.fromhex("801A450108") + card.serial) == b"\x90\x00"
    challenge = card.get_challenge(4)
    unblock = bytes((0x84, 0x18, 0x00, 0x00, 0x04))
    assert psam.process(bytes.fromhex("80FA0500") + bytes([9]) + challenge + unblock) == b"\x69\x85"
    for usage in range(0x100):
        if usage in (0x44, 0x45):
            continue
        assert psam.process(bytes([0x80, 0x1A, usage, 0x01, 0x08]) + card.serial) == b"\x6a\x86"
    # the stolen keys as DAUK: the card refuses each
    for dauk in _candidate_card_keys(site.stolen_keys(), card.serial):
        challenge = card.get_challenge(4)
        crypto = purse_crypto(PurseAlgorithm.DES)
        mac = crypto.mac(dauk, unblock, crypto.secure_messaging_icv(challenge))
        with pytest.raises(CardError):
            card.application_unblock(mac)
        _chip, card = site.card("cu-senior")
    assert card.blocked


def test_retype_fails(site: DemoSite) -> None:
    """Adult → senior: UPDATE BINARY of file 0x15 needs the file-update key (DUK)."""
    sam = site.sam()
    _chip, card = site.card("cu-adult")
    public = card.read_public_data()
    senior = public.raw[:28] + b"\x03" + public.raw[29:]
    with pytest.raises(SamKeyError):
        sam.secure_messaging_mac(card.serial, 1, CardKeyKind.DUK, b"\x00" * 4, b"")
    mac_input = commands.update_binary_mac_input(Sfi.PUBLIC, 0, senior)
    for duk in _candidate_card_keys(site.stolen_keys(), card.serial):
        challenge = card.get_challenge(4)
        crypto = purse_crypto(PurseAlgorithm.DES)
        mac = crypto.mac(duk, mac_input, crypto.secure_messaging_icv(challenge))
        with pytest.raises((SecureMessagingError, CardError)):
            card.update_binary(Sfi.PUBLIC, 0, senior, mac)
        _chip, card = site.card("cu-adult")
    assert card.read_public_data().card_type == public.card_type


def test_forged_tac_fails(site: DemoSite) -> None:
    """A load that never happened, with a TAC the center would accept: nobody gives one."""
    sam = site.sam()
    _chip, card = site.card("cu-adult")
    init = card.initialize_for_load(50_000, sam.terminal_id)  # never credited
    forged = LoadAuthorization.from_init(card.serial, init, WHEN)
    with pytest.raises(SamRefusedError):
        sam.load_tac(forged)  # the PSAM recomputes only its own transactions' TACs
    center = SoftwareSam(site.issuers)  # the center's check, with the issuer's keys
    for dtk in _candidate_card_keys(site.stolen_keys(), card.serial):
        for tac_key in (dtk[:8], bytes(a ^ b for a, b in zip(dtk[:8], dtk[8:], strict=True)), dtk):
            day, time = encode_bcd_datetime(WHEN)
            data = (
                forged.balance_after_fen.to_bytes(4, "big")
                + forged.online_atc.to_bytes(2, "big")
                + forged.amount_fen.to_bytes(4, "big")
                + bytes((TransactionType.EP_LOAD,))
                + forged.terminal_id
                + day
                + time
            )
            tac = purse_crypto(PurseAlgorithm.DES).mac(tac_key, data)
            with pytest.raises(CardError):
                center.check_load_tac(forged, tac)
            with pytest.raises(CardError):
                sam.check_load_tac(forged, tac)
    # and the card itself was never credited
    with pytest.raises(TransactionMacError):
        card.credit_for_load(WHEN, b"\x00\x00\x00\x00")
    assert site.balance("cu-adult") == 4_500
