"""The virtual PSAM/ISAM: real APDUs against a real virtual card, status words, persistence."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from app.card.errors import CardMacError
from app.card.issuer_keys import IssuerKeySet
from app.card.psam import ApduSam
from app.card.sam import (
    LoadAuthorization,
    OfflineLoadRefusedError,
    PurchaseAuthorization,
    SamKeyError,
    SamRefusedError,
)
from app.crypto.diversify import interop_card_key, issuer_diversifier
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardKeyKind
from tests.support.cards import (
    TERMINAL,
    Rig,
    make_sam_profile,
    make_sam_rig,
    renew_isam,
)

WHEN = datetime(2026, 12, 8, 9, 30, 0)
DIVERSIFIER = issuer_diversifier("3100")


def _purchase(rig: Rig, sam: ApduSam, amount: int) -> tuple[PurchaseAuthorization, int, bytes]:
    card = rig.open()
    init = card.initialize_for_purchase(amount, sam.terminal_id)
    data = card.get_purchase_data()
    auth = PurchaseAuthorization.from_init(card.serial, init, 0, WHEN, data, DIVERSIFIER)
    seq, mac1 = sam.purchase_mac1(auth)
    auth = dataclasses.replace(auth, terminal_seq=seq)
    proof = card.debit_for_purchase(seq, WHEN, mac1)
    sam.verify_purchase(auth, proof.mac, proof.tac)
    return auth, seq, proof.tac


def test_purchase_through_psam_and_counter_persisted(rig: Rig, des_issuer, tmp_path: Path) -> None:
    sam_rig = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer]))
    sam = sam_rig.open()
    assert sam.terminal_id == TERMINAL
    auth, seq, tac = _purchase(rig, sam, 1_000)
    assert seq == 1
    assert rig.reload().profile.balance_fen == 4_000
    assert sam_rig.reload().transaction_counter == 1
    # the TAC of its own purchase: recomputed on request (a torn purchase)
    assert sam.purchase_tac(auth) == tac
    _auth2, seq2, _ = _purchase(rig, sam, 100)
    assert seq2 == 2


def test_wrong_mac2_refused_with_9302(rig: Rig, des_issuer, tmp_path: Path) -> None:
    sam_rig = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer]))
    sam = sam_rig.open()
    card = rig.open()
    init = card.initialize_for_purchase(500, sam.terminal_id)
    data = card.get_purchase_data()
    auth = PurchaseAuthorization.from_init(card.serial, init, 0, WHEN, data, DIVERSIFIER)
    seq, mac1 = sam.purchase_mac1(auth)
    proof = card.debit_for_purchase(seq, WHEN, mac1)
    bad = bytes(b ^ 0x01 for b in proof.mac)
    raw = sam_rig.psam.process(b"\x80\x72\x00\x00\x04" + bad)
    assert raw == b"\x93\x02"
    # one attempt: the genuine MAC2 after a wrong one finds no session
    assert sam_rig.psam.process(b"\x80\x72\x00\x00\x04" + proof.mac) == b"\x69\x85"


def test_status_words_for_bad_input(des_issuer, tmp_path: Path) -> None:
    psam = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer])).psam
    body = bytes(36)
    assert psam.process(b"\x80\x70\x00\x00\x24" + body) == b"\x69\x85"  # nothing selected
    assert psam.process(bytes.fromhex("00A40000021001"))[-2:] == b"\x90\x00"
    assert psam.process(b"\x80\x70\x00\x00\x23" + body[:35]) == b"\x67\x00"  # wrong Lc
    assert psam.process(b"\x80\x70\x01\x00\x24" + body) == b"\x6a\x86"  # P1
    good = bytearray(36)
    good[10] = 0x06
    good[11:18] = bytes.fromhex("20261208093000")
    good[18], good[19] = 0x07, 0x00  # key version 07: not held
    assert psam.process(b"\x80\x70\x00\x00\x24" + bytes(good)) == b"\x6a\x88"
    good[18] = 0x01
    good[10] = 0x02  # a load is not a purchase
    assert psam.process(b"\x80\x70\x00\x00\x24" + bytes(good)) == b"\x6a\x80"
    good[10] = 0x06
    good[11:18] = bytes.fromhex("20261340093000")  # month 13
    assert psam.process(b"\x80\x70\x00\x00\x24" + bytes(good)) == b"\x6a\x80"
    assert psam.process(bytes.fromhex("00B0960006")) == TERMINAL + b"\x90\x00"
    assert psam.process(bytes.fromhex("00B0960008")) == b"\x6c\x06"
    assert psam.process(bytes.fromhex("00B0990000")) == b"\x6a\x82"
    assert psam.process(bytes.fromhex("80720000")) == b"\x67\x00"
    assert psam.process(bytes.fromhex("80EE0000")) == b"\x6d\x00"
    assert psam.process(bytes.fromhex("00700000")) == b"\x6e\x00"
    assert psam.process(bytes.fromhex("801A3301081234567812345678")) == b"\x6a\x86"
    assert psam.process(bytes.fromhex("801A4407081234567812345678")) == b"\x6a\x88"
    assert psam.process(bytes.fromhex("8030000000")) == b"\x67\x00"


def test_tac_recompute_only_for_its_own_transactions(rig: Rig, des_issuer, tmp_path) -> None:
    sam = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer])).open()
    auth, _seq, tac = _purchase(rig, sam, 300)
    forged = dataclasses.replace(auth, amount_fen=30_000)
    with pytest.raises(SamRefusedError):
        sam.purchase_tac(forged)
    other_seq = dataclasses.replace(auth, terminal_seq=auth.terminal_seq + 7)
    with pytest.raises(SamRefusedError):
        sam.purchase_tac(other_seq)
    sam.check_purchase_tac(auth, tac)
    with pytest.raises(CardMacError):
        sam.check_purchase_tac(forged, tac)


def test_block_mac_blocks_the_card_and_nothing_else(rig: Rig, des_issuer, tmp_path) -> None:
    sam_rig = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer]))
    sam = sam_rig.open()
    card = rig.open()
    challenge = card.get_challenge(4)
    mac = sam.secure_messaging_mac(
        card.serial, 1, CardKeyKind.DABK, challenge, bytes.fromhex("841E000004")
    )
    card.application_block(mac)
    assert rig.reload().profile.blocked
    with pytest.raises(SamKeyError):
        sam.secure_messaging_mac(card.serial, 1, CardKeyKind.DAUK, challenge, b"\x84\x18")
    # the block key MACs nothing but the block command
    assert sam_rig.psam.process(bytes.fromhex("801A450108") + card.serial) == b"\x90\x00"
    other = bytes.fromhex("80FA0500") + bytes([9]) + challenge + bytes.fromhex("8418000004")
    assert sam_rig.psam.process(other) == b"\x69\x85"


def test_national_key_two_level_diversification(make_rig, des_issuer, tmp_path: Path) -> None:
    """A card of another city: its purchase/TAC keys descend from the national master key."""
    national = IssuerKeySet.generate(PurseAlgorithm.DES, 0x11)
    serial = bytes.fromhex("2000000000005678")
    shanghai = issuer_diversifier("2000")
    interop = national.card_keys(serial)
    for kind in (CardKeyKind.DPK, CardKeyKind.DTK):
        interop[kind] = interop_card_key(0, national.master_keys[kind], shanghai, serial)
    rig = make_rig(national, serial=serial, card_keys=interop, public_changes={"city_code": "2000"})
    sam = make_sam_rig(
        tmp_path / "sam.json", make_sam_profile([des_issuer], national=[national])
    ).open()
    card = rig.open()
    init = card.initialize_for_purchase(200, sam.terminal_id)
    data = card.get_purchase_data()
    auth = PurchaseAuthorization.from_init(card.serial, init, 0, WHEN, data, shanghai)
    seq, mac1 = sam.purchase_mac1(auth)
    proof = card.debit_for_purchase(seq, WHEN, mac1)
    sam.verify_purchase(dataclasses.replace(auth, terminal_seq=seq), proof.mac, proof.tac)
    assert rig.reload().profile.balance_fen == 4_800


def _load_auth(rig: Rig, sam: ApduSam, amount: int, when: datetime = WHEN) -> LoadAuthorization:
    card = rig.open()
    init = card.initialize_for_load(amount, sam.terminal_id)
    return LoadAuthorization.from_init(card.serial, init, when)


def test_isam_load_within_brakes(rig: Rig, des_issuer, tmp_path: Path) -> None:
    brakes = {"per_load_cap_fen": 10_000, "total_cap_fen": 15_000, "count_cap": 2}
    sam_rig = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer], brakes=brakes))
    sam = sam_rig.open()
    with pytest.raises(OfflineLoadRefusedError, match="heard"):
        sam.offline_load(_load_auth(rig, sam, 1_000))  # never renewed: nothing offline
    renew_isam(sam, 1, datetime(2026, 12, 8, 8, 0, 0))
    with pytest.raises(SamRefusedError):
        renew_isam(sam, 1, datetime(2026, 12, 8, 8, 0, 0))  # a renewal is used once
    card = rig.open()
    init = card.initialize_for_load(10_000, sam.terminal_id)
    auth = LoadAuthorization.from_init(card.serial, init, WHEN)
    seq, mac2 = sam.offline_load(auth)
    assert seq == 1 and sam_rig.reload().isam.used_fen == 10_000  # type: ignore[union-attr]
    tac = card.credit_for_load(WHEN, mac2)
    sam.check_load_tac(auth, tac)
    assert sam.load_tac(auth) == tac
    with pytest.raises(OfflineLoadRefusedError, match="per-load cap"):
        sam.offline_load(_load_auth(rig, sam, 10_001))
    with pytest.raises(OfflineLoadRefusedError, match="total"):
        sam.offline_load(_load_auth(rig, sam, 6_000))
    sam.offline_load(_load_auth(rig, sam, 100))  # second load: within total and count
    with pytest.raises(OfflineLoadRefusedError, match="count"):
        sam.offline_load(_load_auth(rig, sam, 100))
    status = sam.brake_status()
    assert status is not None and (status.used_count, status.used_fen) == (2, 10_100)
    assert (status.load_counter, status.renewal_counter) == (2, 1)
    assert status.last_contact == "20261208080000" and status.per_load_cap_fen == 10_000
    renew_isam(sam, 2, datetime(2026, 12, 8, 10, 0, 0))
    sam.offline_load(_load_auth(rig, sam, 100, datetime(2026, 12, 8, 10, 1, 0)))
    with pytest.raises(OfflineLoadRefusedError, match="heard"):
        sam.offline_load(_load_auth(rig, sam, 100, datetime(2026, 12, 10, 10, 1, 0)))


def test_isam_checks_mac1_and_forged_renewal(rig: Rig, des_issuer, tmp_path: Path) -> None:
    sam_rig = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer]))
    sam = sam_rig.open()
    renew_isam(sam, 1, datetime(2026, 12, 8, 8, 0, 0))
    auth = _load_auth(rig, sam, 1_000)
    with pytest.raises(CardMacError):
        sam.offline_load(dataclasses.replace(auth, balance_fen=auth.balance_fen + 1))
    stamp = bytes.fromhex("20261208090000")
    with pytest.raises(SamRefusedError, match="MAC"):
        sam.renew(5, stamp, b"\x00\x00\x00\x00")


def test_psam_only_has_no_offline_loads(rig: Rig, des_issuer, tmp_path: Path) -> None:
    sam = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer], isam=False)).open()
    with pytest.raises(OfflineLoadRefusedError, match="no ISAM"):
        sam.offline_load(_load_auth(rig, sam, 1_000))
    assert sam.brake_status() is None


def test_failed_save_answers_6581_and_keeps_the_counter(
    rig: Rig, des_issuer, tmp_path, monkeypatch
) -> None:
    sam_rig = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer]))
    sam = sam_rig.open()
    _purchase(rig, sam, 100)
    card = rig.open()
    init = card.initialize_for_purchase(100, sam.terminal_id)
    auth = PurchaseAuthorization.from_init(
        card.serial, init, 0, WHEN, card.get_purchase_data(), DIVERSIFIER
    )

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(Exception, match="6581"):
        sam.purchase_mac1(auth)
    monkeypatch.undo()
    assert sam_rig.psam.profile.transaction_counter == 1
    assert sam_rig.reload().transaction_counter == 1


def test_no_answer_contains_a_key(rig: Rig, des_issuer, tmp_path: Path) -> None:
    """Every answer of a purchase, a block MAC and an ISAM load: no master or card key in it."""
    sam_rig = make_sam_rig(tmp_path / "sam.json", make_sam_profile([des_issuer]))
    seen: list[bytes] = []
    original = sam_rig.psam.process

    def spy(apdu: bytes) -> bytes:
        answer = original(apdu)
        seen.append(answer)
        return answer

    sam_rig.psam.process = spy  # type: ignore[method-assign]
    sam = sam_rig.open()
    _purchase(rig, sam, 100)
    renew_isam(sam, 1, datetime(2026, 12, 8, 8, 0, 0))
    sam.offline_load(_load_auth(rig, sam, 100))
    secrets = [
        *des_issuer.master_keys.values(),
        *des_issuer.card_keys(rig.card.profile.serial).values(),
    ]
    for answer in seen:
        for key in secrets:
            for part in (key[:8], key[8:]):
                assert part not in answer
    text = json.dumps(sam_rig.psam.profile.to_json())
    assert des_issuer.master_keys[CardKeyKind.DAUK].hex().upper() not in text  # never in a PSAM
    assert des_issuer.master_keys[CardKeyKind.DUK].hex().upper() not in text


def test_create_demo_writes_the_sam_outside_the_counter(tmp_path: Path, capsys) -> None:
    from app.crypto.keystore import KdfParams  # noqa: PLC0415
    from cardsim.cli import main  # noqa: PLC0415
    from cardsim.demo import create_demo  # noqa: PLC0415
    from cardsim.sam_profile import SamProfile  # noqa: PLC0415

    issuer = create_demo(
        tmp_path / "demo", "pw", kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1)
    )
    assert issuer.sam_path is not None and issuer.sam_path.parent == tmp_path / "demo"
    sam = SamProfile.load(issuer.sam_path)
    assert sam.isam is not None and sam.isam.last_contact is None
    held = {k for s in sam.key_sets for k in s.keys}
    assert held == {CardKeyKind.DPK, CardKeyKind.DTK, CardKeyKind.DABK}
    assert main(["show", str(issuer.sam_path)]) == 0
    shown = capsys.readouterr().out
    assert "Terminal ID: 310100000001" in shown
    for key_set in sam.key_sets:
        for key in key_set.keys.values():
            assert key.hex().upper() not in shown


@pytest.mark.pcsc
def test_cli_serves_a_sam_profile_in_slot_1(pcscd, des_issuer, tmp_path: Path) -> None:
    """``citycard-sim insert psam.json --slot 1``: the SAM in "Virtual PCD 00 01", by PC/SC."""
    import signal  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from test_cardsim_vpcd import connect_when_present, transmit  # noqa: PLC0415

    path = tmp_path / "psam.json"
    make_sam_profile([des_issuer]).save(path)
    env = {**os.environ, "CITYCARD_SIM_RUNTIME_DIR": str(tmp_path / "run")}
    command = [sys.executable, "-m", "cardsim.cli"]
    server = subprocess.Popen(
        [*command, "insert", str(path), "--slot", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        connection = connect_when_present(1, timeout=20)
        assert transmit(connection, "00B0960006") == (TERMINAL, 0x9000)
        assert transmit(connection, "00A40000021001")[1] == 0x9000
        assert transmit(connection, "8072000004" + "00" * 4) == (b"", 0x6985)  # no session
        connection.disconnect()
        removed = subprocess.run(
            [*command, "remove", "--slot", "1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert removed.returncode == 0, removed.stderr
        assert server.wait(timeout=10) == 0
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
