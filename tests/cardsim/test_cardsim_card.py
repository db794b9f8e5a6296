"""The virtual card, in process: every command, the public vectors, status words, persistence."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from cardsim_support import (
    CU_SERIAL,
    DATE,
    TERMINAL,
    TIME,
    TU_SERIAL,
    VECTOR_KEY,
    VECTOR_RANDOM,
    HostCrypto,
    do_load,
    init_load_apdu,
    make_profile,
    ok,
    select_purse,
    sw,
)

from app.crypto import pboc
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardFamily, CardKeyKind
from cardsim.card import VirtualCityCard, default_atr
from cardsim.faults import CardGone
from cardsim.profile import CardProfile, RecordAtc, TransactionRecord

NewCard = Callable[..., VirtualCityCard]

GET_BALANCE = bytes.fromhex("805C000204")
PURCHASE_DATE = bytes.fromhex("20120229")
PURCHASE_TIME = bytes.fromhex("135100")


def balance(card: VirtualCityCard) -> int:
    return int.from_bytes(ok(card.process(GET_BALANCE)), "big")


def init_purchase_apdu(amount: int, p1: int = 0x01, key_index: int = 1) -> bytes:
    return (
        bytes([0x80, 0x50, p1, 0x02, 0x0B, key_index])
        + amount.to_bytes(4, "big")
        + TERMINAL
        + b"\x0f"
    )


def debit_apdu(seq: int, mac1: bytes) -> bytes:
    return (
        b"\x80\x54\x01\x00\x0f"
        + seq.to_bytes(4, "big")
        + PURCHASE_DATE
        + PURCHASE_TIME
        + mac1
        + b"\x08"
    )


def purchase_mac1(card: VirtualCityCard, init: bytes, amount: int, seq: int, tx: int = 6) -> bytes:
    host = HostCrypto(card.profile.algorithm.value == 4)
    atc, random = int.from_bytes(init[4:6], "big"), init[11:15]
    sespk = host.sespk(card.profile.card_keys[CardKeyKind.DPK], random, atc, seq)
    data = amount.to_bytes(4, "big") + bytes([tx]) + TERMINAL + PURCHASE_DATE + PURCHASE_TIME
    if card.profile.cu_purchase_get_data:
        data += b"\x85" + card.profile.get_data_85
    return host.mac(sespk, data)


def read_record(card: VirtualCityCard, sfi: int, number: int) -> bytes:
    return card.process(bytes([0x00, 0xB2, number, (sfi << 3) | 4, 0x17]))


# --------------------------------------------------------------------------- public vectors


def test_load_follows_the_public_vector_with_type_02(new_card: NewCard) -> None:
    card = new_card()
    select_purse(card)
    amount = 0x1000
    init = ok(card.process(init_load_apdu(amount)))
    seslk = pboc.load_session_key(VECTOR_KEY, VECTOR_RANDOM, 0)
    assert seslk == bytes.fromhex("9B1D924E05595603")
    # The published MAC1 uses type 01; ours is the same computation with the real type 02.
    vector_input = bytes.fromhex("00000000 00001000 01 001122334455")
    assert pboc.pboc_mac(seslk, vector_input) == bytes.fromhex("2988AE5A")
    mac1 = pboc.pboc_mac(seslk, bytes.fromhex("00000000 00001000 02 001122334455"))
    assert init == bytes.fromhex("00000000 0000 01 00 11223344") + mac1

    mac2 = pboc.pboc_mac(seslk, bytes.fromhex("00001000 02 001122334455 20111221 214822"))
    assert pboc.pboc_mac(
        seslk, bytes.fromhex("00001000 01 001122334455 20111221 214822")
    ) == bytes.fromhex("3A845BF0")
    tac = ok(card.process(b"\x80\x52\x00\x00\x0b" + DATE + TIME + mac2 + b"\x04"))
    dtk = card.profile.card_keys[CardKeyKind.DTK]
    assert tac == pboc.pboc_mac(
        pboc.tac_key(dtk),
        bytes.fromhex("00001000 0000 00001000 02 001122334455 20111221 214822"),
    )
    assert balance(card) == 0x1000
    assert card.profile.online_atc == 1
    record = TransactionRecord.parse(ok(read_record(card, 0x1A, 1)))
    assert (record.atc, record.amount_fen, record.transaction_type) == (1, 0x1000, 2)
    assert (record.terminal_id, record.date, record.time) == (TERMINAL, DATE, TIME)


def test_purchase_accepts_the_public_vector_mac1(new_card: NewCard) -> None:
    card = new_card(balance_fen=0x5000)
    select_purse(card)
    init = ok(card.process(init_purchase_apdu(0x1000)))
    assert init == bytes.fromhex("00005000 0000 000000 01 00 11223344")
    assert pboc.purchase_session_key(VECTOR_KEY, VECTOR_RANDOM, 0, 1) == bytes.fromhex(
        "003238ABC57659DD"
    )
    answer = ok(card.process(debit_apdu(1, bytes.fromhex("F15CAB75"))))
    tac, mac2 = answer[:4], answer[4:]
    assert mac2 == bytes.fromhex("56988A13")
    assert tac == pboc.pboc_mac(
        pboc.tac_key(card.profile.card_keys[CardKeyKind.DTK]),
        bytes.fromhex("00001000 06 001122334455 00000001 20120229 135100"),
    )
    assert balance(card) == 0x4000
    assert card.profile.offline_atc == 1
    record = TransactionRecord.parse(ok(read_record(card, 0x18, 1)))
    assert (record.atc, record.amount_fen, record.transaction_type) == (1, 0x1000, 6)


def test_cu_purchase_mac1_includes_get_data(new_card: NewCard) -> None:
    card = new_card(
        balance_fen=500, cu_purchase_get_data=True, get_data_85=bytes.fromhex("0102030405060708")
    )
    select_purse(card)
    init = ok(card.process(init_purchase_apdu(200)))
    assert ok(card.process(bytes.fromhex("80CA000009"))) == bytes.fromhex("850102030405060708")
    # Without the suffix the MAC is wrong for this issuer.
    card.profile.cu_purchase_get_data = False
    wrong = purchase_mac1(card, init, 200, 7)
    card.profile.cu_purchase_get_data = True
    assert sw(card.process(debit_apdu(7, wrong))) == 0x9302
    init = ok(card.process(init_purchase_apdu(200)))
    ok(card.process(debit_apdu(7, purchase_mac1(card, init, 200, 7))))
    assert balance(card) == 300


def test_compound_purchase_writes_the_capp_cache_to_0x17(new_card: NewCard) -> None:
    card = new_card(balance_fen=1000)
    select_purse(card)
    init = ok(card.process(bytes.fromhex("805003020B01000000640011223344550F")))
    entry = bytes.fromhex("2A0A") + bytes(8)
    ok(card.process(b"\x80\xdc\x2a\xb8" + bytes([len(entry)]) + entry))
    assert card.profile.records[0x17] == []  # cached, written only by DEBIT
    mac1 = purchase_mac1(card, init, 100, 3, tx=9)
    ok(card.process(debit_apdu(3, mac1)))
    assert ok(card.process(bytes.fromhex("00B201BC00"))) == entry
    record = TransactionRecord.parse(ok(read_record(card, 0x18, 1)))
    assert record.transaction_type == 9
    assert balance(card) == 900


def test_capp_cache_is_refused_outside_a_compound_purchase(new_card: NewCard) -> None:
    card = new_card(balance_fen=1000)
    select_purse(card)
    ok(card.process(init_purchase_apdu(100)))  # simple purchase
    assert sw(card.process(bytes.fromhex("80DC2AB8022A00"))) == 0x6985


def test_purchase_without_enough_balance_answers_9401(new_card: NewCard) -> None:
    card = new_card(balance_fen=99)
    select_purse(card)
    assert sw(card.process(init_purchase_apdu(100))) == 0x9401


# --------------------------------------------------------------------------- transaction rules


def test_wrong_mac2_changes_nothing_and_cancels_the_init(new_card: NewCard) -> None:
    card = new_card(balance_fen=100)
    select_purse(card)
    init = ok(card.process(init_load_apdu(500)))
    seslk = pboc.load_session_key(VECTOR_KEY, init[8:12], 0)
    good = pboc.pboc_mac(seslk, (500).to_bytes(4, "big") + b"\x02" + TERMINAL + DATE + TIME)
    bad = bytes([good[0] ^ 1]) + good[1:]
    assert sw(card.process(b"\x80\x52\x00\x00\x0b" + DATE + TIME + bad + b"\x04")) == 0x9302
    assert sw(card.process(b"\x80\x52\x00\x00\x0b" + DATE + TIME + good + b"\x04")) == 0x6985
    assert balance(card) == 100
    assert card.profile.online_atc == 0
    assert card.profile.records[0x1A] == []


def test_any_other_command_cancels_a_pending_load(new_card: NewCard) -> None:
    card = new_card()
    select_purse(card)
    init = ok(card.process(init_load_apdu(500)))
    balance(card)
    seslk = pboc.load_session_key(VECTOR_KEY, init[8:12], 0)
    mac2 = pboc.pboc_mac(seslk, (500).to_bytes(4, "big") + b"\x02" + TERMINAL + DATE + TIME)
    assert sw(card.process(b"\x80\x52\x00\x00\x0b" + DATE + TIME + mac2 + b"\x04")) == 0x6985


def test_power_off_cancels_a_pending_load(new_card: NewCard) -> None:
    card = new_card()
    select_purse(card)
    ok(card.process(init_load_apdu(500)))
    card.reset()
    select_purse(card)
    assert sw(card.process(b"\x80\x52\x00\x00\x0b" + DATE + TIME + bytes(4) + b"\x04")) == 0x6985


def test_debit_without_init_answers_6985(new_card: NewCard) -> None:
    card = new_card(balance_fen=100)
    select_purse(card)
    assert sw(card.process(debit_apdu(1, bytes(4)))) == 0x6985


def test_load_over_the_maximum_balance_answers_9402(new_card: NewCard) -> None:
    card = new_card(balance_fen=99_000)
    select_purse(card)
    assert sw(card.process(init_load_apdu(1_001))) == 0x9402
    ok(card.process(init_load_apdu(1_000)))


def test_exhausted_online_atc_answers_9402(new_card: NewCard) -> None:
    card = new_card(online_atc=0xFFFF)
    select_purse(card)
    assert sw(card.process(init_load_apdu(1))) == 0x9402


def test_unknown_key_index_answers_9403(new_card: NewCard) -> None:
    card = new_card()
    select_purse(card)
    assert sw(card.process(init_load_apdu(1, key_index=2))) == 0x9403
    assert sw(card.process(init_purchase_apdu(0, key_index=2))) == 0x9403


def test_a_fresh_init_for_load_has_no_effect(new_card: NewCard) -> None:
    card = new_card(balance_fen=700, online_atc=5)
    select_purse(card)
    init = ok(card.process(init_load_apdu(100)))
    assert int.from_bytes(init[4:6], "big") == 5
    card.reset()
    select_purse(card)
    assert balance(card) == 700
    assert card.profile.online_atc == 5


def test_transaction_prove_answers_mac_then_tac(new_card: NewCard) -> None:
    card = new_card(balance_fen=5000, online_atc=3)
    select_purse(card)
    load = do_load(card, 250)
    assert load.atc_before == 3
    prove = ok(card.process(bytes.fromhex("805A0002020003") + b"\x08"))
    assert prove == load.mac2 + load.tac
    assert sw(card.process(bytes.fromhex("805A000202000408"))) == 0x9406
    assert sw(card.process(bytes.fromhex("805A000602000308"))) == 0x9406

    init = ok(card.process(init_purchase_apdu(100)))
    answer = ok(card.process(debit_apdu(9, purchase_mac1(card, init, 100, 9))))
    prove = ok(card.process(bytes.fromhex("805A000602000008")))
    assert prove == answer[4:] + answer[:4]  # DEBIT: TAC ‖ MAC2; PROVE: MAC2 ‖ TAC


def test_transaction_prove_survives_a_reload(new_card: NewCard, profile_path: Path) -> None:
    card = new_card()
    select_purse(card)
    load = do_load(card, 250)
    again = VirtualCityCard.from_file(profile_path)
    select_purse(again)
    assert ok(again.process(bytes.fromhex("805A000202000008"))) == load.mac2 + load.tac


def test_records_are_cyclic_newest_first(new_card: NewCard) -> None:
    card = new_card(record_capacity=3)
    select_purse(card)
    for amount in (1, 2, 3, 4, 5):
        do_load(card, amount)
    amounts = [
        TransactionRecord.parse(ok(read_record(card, 0x1A, n))).amount_fen for n in (1, 2, 3)
    ]
    assert amounts == [5, 4, 3]
    assert sw(read_record(card, 0x1A, 4)) == 0x6A83
    assert sw(read_record(card, 0x10, 1)) == 0x6A83


def test_record_atc_before(new_card: NewCard) -> None:
    card = new_card(record_atc=RecordAtc.BEFORE, online_atc=7)
    select_purse(card)
    do_load(card, 10)
    assert TransactionRecord.parse(ok(read_record(card, 0x1A, 1))).atc == 7


# --------------------------------------------------------------------------- selection and files


def test_select_answers_the_fci_with_file_0x15(new_card: NewCard) -> None:
    card = new_card()
    fci = select_purse(card)
    aid = card.profile.aid
    assert fci[0] == 0x6F and fci[1] == len(fci) - 2
    assert fci[2:4] == bytes([0x84, len(aid)]) and fci[4 : 4 + len(aid)] == aid
    a5 = fci[4 + len(aid) :]
    assert a5[0] == 0xA5 and a5[1] == len(a5) - 2
    assert a5[2:6] == bytes([0x9F, 0x08, 0x01, card.profile.public_file[9]])
    assert a5[6:9] == b"\x9f\x0c\x1e" and a5[9:] == card.profile.public_file


def test_select_by_fid_and_mf(new_card: NewCard) -> None:
    card = new_card()
    mf = ok(card.process(bytes.fromhex("00A40000023F00")))
    assert mf == b"\x6f\x10\x84\x0e" + b"1PAY.SYS.DDF01"
    assert sw(card.process(bytes.fromhex("00B0950000"))) == 0x6A82  # not in the ADF
    assert sw(card.process(GET_BALANCE)) == 0x6985
    assert ok(card.process(bytes.fromhex("00A4000002100100"))) == select_purse(card)
    assert sw(card.process(bytes.fromhex("00A4000002200100"))) == 0x6A82
    assert sw(card.process(bytes.fromhex("00A4040008A000000003869807"))) == 0x6A82
    assert sw(card.process(bytes.fromhex("00A4080002100100"))) == 0x6A86


def test_read_binary(new_card: NewCard) -> None:
    card = new_card()
    select_purse(card)
    public = ok(card.process(bytes.fromhex("00B0950000")))
    assert public == card.profile.public_file and public[12:20] == CU_SERIAL
    assert ok(card.process(bytes.fromhex("00B0950C08"))) == CU_SERIAL
    holder = ok(card.process(bytes.fromhex("00B0960000")))
    assert holder[2:22].rstrip(b"\x00").decode("gbk") == "张三"
    assert sw(card.process(bytes.fromhex("00B0951E00"))) == 0x6B00
    assert sw(card.process(bytes.fromhex("00B0951C04"))) == 0x6700
    assert sw(card.process(bytes.fromhex("00B0850000"))) == 0x6A82
    assert sw(card.process(bytes.fromhex("00B0980000"))) == 0x6981
    assert sw(card.process(bytes.fromhex("00B0150000"))) == 0x6A86


def test_read_record_errors(new_card: NewCard) -> None:
    card = new_card()
    select_purse(card)
    assert sw(card.process(bytes.fromhex("00B200D417"))) == 0x6A86  # record 0
    assert sw(card.process(bytes.fromhex("00B201D017"))) == 0x6A86  # not "by number"
    assert sw(card.process(bytes.fromhex("00B2012C17"))) == 0x6A82  # SFI 05
    do_load(card, 1)
    assert sw(card.process(bytes.fromhex("00B201D405"))) == 0x6700  # wrong Le


@pytest.mark.parametrize(
    ("apdu", "status"),
    [
        ("805C00", 0x6700),
        ("805C0002050102", 0x6700),
        ("80500002050100000001", 0x6700),
        ("805C000104", 0x6A86),
        ("80500502", 0x6A86),
        ("80FF000000", 0x6D00),
        ("00FF000000", 0x6D00),
        ("A05C000204", 0x6E00),
        ("005C000204", 0x6E00),
        ("8084000004", 0x6E00),
        ("00840000", 0x6700),
        ("0084000005", 0x6700),
        ("0084010004", 0x6A86),
        ("00C0000004", 0x6985),
    ],
)
def test_malformed_commands(new_card: NewCard, apdu: str, status: int) -> None:
    card = new_card()
    select_purse(card)
    assert sw(card.process(bytes.fromhex(apdu))) == status


def test_get_balance(new_card: NewCard) -> None:
    card = new_card(balance_fen=12345)
    select_purse(card)
    assert ok(card.process(GET_BALANCE)) == (12345).to_bytes(4, "big")
    assert ok(card.process(bytes.fromhex("805C0002"))) == (12345).to_bytes(4, "big")
    assert sw(card.process(bytes.fromhex("805C000208"))) == 0x6700


# --------------------------------------------------------------------------- secure messaging


def sm_mac(
    card: VirtualCityCard, kind: CardKeyKind, challenge: bytes, header_lc_data: bytes
) -> bytes:
    host = HostCrypto(card.profile.algorithm.value == 4)
    return host.mac(card.profile.card_keys[kind], header_lc_data, host.sm_icv(challenge))


def block(card: VirtualCityCard, p2: int = 0) -> bytes:
    challenge = ok(card.process(bytes.fromhex("0084000004")))
    head = bytes([0x84, 0x1E, 0x00, p2, 0x04])
    return card.process(head + sm_mac(card, CardKeyKind.DABK, challenge, head))


def unblock(card: VirtualCityCard) -> bytes:
    challenge = ok(card.process(bytes.fromhex("0084000004")))
    head = bytes.fromhex("8418000004")
    return card.process(head + sm_mac(card, CardKeyKind.DAUK, challenge, head))


def test_block_and_unblock(new_card: NewCard, profile_path: Path) -> None:
    card = new_card(balance_fen=100, cu_purchase_get_data=True)
    select_purse(card)
    ok(block(card))
    assert card.profile.blocked
    answer = card.process(b"\x00\xa4\x04\x00\x09" + card.profile.aid)
    assert sw(answer) == 0x6A81 and answer[0] == 0x6F  # FCI + 6A81
    for apdu in (
        GET_BALANCE,
        init_load_apdu(1),
        init_purchase_apdu(1),
        bytes.fromhex("80CA000009"),
    ):
        assert sw(card.process(apdu)) == 0x6A81
    ok(card.process(bytes.fromhex("00B0950000")))
    assert sw(read_record(card, 0x1A, 1)) == 0x6A83
    assert CardProfile.load(profile_path).blocked  # persisted
    ok(unblock(card))
    assert balance(card) == 100
    assert not CardProfile.load(profile_path).blocked


def test_block_needs_a_fresh_challenge_and_the_right_mac(new_card: NewCard) -> None:
    card = new_card()
    select_purse(card)
    head = bytes.fromhex("841E000004")
    assert sw(card.process(head + bytes(4))) == 0x6984
    challenge = ok(card.process(bytes.fromhex("0084000004")))
    assert sw(card.process(head + bytes(4))) == 0x6988
    mac = sm_mac(card, CardKeyKind.DABK, challenge, head)
    assert sw(card.process(head + mac)) == 0x6984  # the challenge was used up
    wrong_key = sm_mac(card, CardKeyKind.DAUK, challenge, head)
    challenge = ok(card.process(bytes.fromhex("0084000004")))
    assert sw(card.process(head + wrong_key)) in (0x6988,)
    assert not card.profile.blocked


def test_challenge_of_8_bytes_and_permanent_lock(new_card: NewCard) -> None:
    card = new_card()
    select_purse(card)
    challenge = ok(card.process(bytes.fromhex("0084000008")))
    assert len(challenge) == 8
    head = bytes.fromhex("841E000104")
    ok(card.process(head + sm_mac(card, CardKeyKind.DABK, challenge, head)))
    assert card.profile.locked
    assert sw(card.process(GET_BALANCE)) == 0x9303
    assert sw(unblock(card)) == 0x9303


def test_update_binary_with_mac(new_card: NewCard, profile_path: Path) -> None:
    card = new_card()
    select_purse(card)
    name = "李四".encode("gbk").ljust(20, b"\x00")
    head = bytes([0x04, 0xD6, 0x96, 0x02, len(name) + 4])
    challenge = ok(card.process(bytes.fromhex("0084000004")))
    assert sw(card.process(head + name + bytes(4))) == 0x6988
    challenge = ok(card.process(bytes.fromhex("0084000004")))
    ok(card.process(head + name + sm_mac(card, CardKeyKind.DUK, challenge, head + name)))
    assert ok(card.process(bytes.fromhex("00B0960214")))[:4] == "李四".encode("gbk")
    assert CardProfile.load(profile_path).holder_file == card.profile.holder_file
    big = bytes(60)
    assert sw(card.process(bytes([0x04, 0xD6, 0x96, 0x00, 64]) + big + bytes(4))) == 0x6700


# --------------------------------------------------------------------------- T=0 behaviour


def test_t0_get_response(new_card: NewCard) -> None:
    card = new_card(t0_get_response=True)
    assert card.atr[:2] == b"\x3b\x08"
    aid = card.profile.aid
    answer = card.process(b"\x00\xa4\x04\x00\x09" + aid)
    assert answer[0] == 0x61
    fci = ok(card.process(bytes([0x00, 0xC0, 0x00, 0x00, answer[1]])))
    assert fci[0] == 0x6F
    # INIT ... GET RESPONSE ... CREDIT still completes.
    assert card.process(init_load_apdu(100)) == b"\x61\x10"
    assert sw(card.process(bytes.fromhex("00C0000020"))) == 0x6C10
    init = ok(card.process(bytes.fromhex("00C0000010")))
    seslk = pboc.load_session_key(VECTOR_KEY, init[8:12], 0)
    mac2 = pboc.pboc_mac(seslk, (100).to_bytes(4, "big") + b"\x02" + TERMINAL + DATE + TIME)
    assert card.process(b"\x80\x52\x00\x00\x0b" + DATE + TIME + mac2) == b"\x61\x04"
    part = card.process(bytes.fromhex("00C0000002"))
    assert part[-2:] == b"\x61\x02"
    assert len(ok(card.process(bytes.fromhex("00C0000002")))) == 2
    assert balance(card) == 100


def test_t0_wrong_le_answers_6cxx(new_card: NewCard) -> None:
    card = new_card(t0_wrong_le=True, balance_fen=5)
    select_purse(card)
    assert card.process(bytes.fromhex("805C000200")) == b"\x6c\x04"
    assert card.process(bytes.fromhex("805C000204")) == bytes.fromhex("000000059000")
    assert card.process(bytes.fromhex("00B0951C04")) == b"\x6c\x02"
    assert card.process(bytes.fromhex("0084000000")) == b"\x6c\x04"


def test_default_atr_has_a_valid_tck(new_card: NewCard) -> None:
    card = new_card()
    atr = card.atr
    assert atr[:4] == bytes.fromhex("3B888001")
    check = 0
    for b in atr[1:]:
        check ^= b
    assert check == 0
    assert default_atr(make_profile(CardFamily.T_UNION)) != atr


# --------------------------------------------------------------------------- SM4 and TU


def test_sm4_card_load_and_purchase(new_card: NewCard) -> None:
    card = new_card(algorithm=PurseAlgorithm.SM4, key_version=2, balance_fen=0)
    select_purse(card)
    load = do_load(card, 3000, sm4=True)
    assert load.init[6:8] == b"\x02\x04"  # key version 2, algId 04
    init = ok(card.process(init_purchase_apdu(1000)))
    assert init[9:11] == b"\x02\x04"
    answer = ok(card.process(debit_apdu(5, purchase_mac1(card, init, 1000, 5))))
    host = HostCrypto(sm4=True)
    sespk = host.sespk(card.profile.card_keys[CardKeyKind.DPK], init[11:15], 0, 5)
    assert answer[4:] == host.mac(sespk, (1000).to_bytes(4, "big"))
    assert balance(card) == 2000
    ok(block(card))
    ok(unblock(card))


def test_tu_card_reads_and_loads(new_card: NewCard) -> None:
    card = new_card(family=CardFamily.T_UNION, balance_fen=800)
    fci = select_purse(card)
    assert bytes.fromhex("A000000632010105") in fci
    public = ok(card.process(bytes.fromhex("00B0950000")))
    assert public[10:20] == TU_SERIAL
    assert card.profile.serial == TU_SERIAL
    assert balance(card) == 800
    assert sw(card.process(bytes.fromhex("80CA000009"))) == 0x6D00
    do_load(card, 200)
    assert TransactionRecord.parse(ok(read_record(card, 0x18, 1))).transaction_type == 2
    assert sw(read_record(card, 0x1A, 1)) == 0x6A83


# --------------------------------------------------------------------------- persistence


def test_state_persists_before_the_answer(new_card: NewCard, profile_path: Path) -> None:
    card = new_card(balance_fen=100)
    select_purse(card)
    do_load(card, 900)
    stored = CardProfile.load(profile_path)
    assert (stored.balance_fen, stored.online_atc) == (1000, 1)
    assert len(stored.records[0x1A]) == 1
    again = VirtualCityCard.from_file(profile_path)
    select_purse(again)
    assert balance(again) == 1000


def test_a_failed_save_keeps_the_old_file_and_rolls_back(
    new_card: NewCard, profile_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = new_card(balance_fen=100)
    select_purse(card)
    before = profile_path.read_bytes()
    init = ok(card.process(init_load_apdu(50)))
    seslk = pboc.load_session_key(VECTOR_KEY, init[8:12], 0)
    mac2 = pboc.pboc_mac(seslk, (50).to_bytes(4, "big") + b"\x02" + TERMINAL + DATE + TIME)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    answer = card.process(b"\x80\x52\x00\x00\x0b" + DATE + TIME + mac2 + b"\x04")
    monkeypatch.undo()
    assert sw(answer) == 0x6581
    assert profile_path.read_bytes() == before
    assert [p.name for p in profile_path.parent.iterdir()] == [profile_path.name]  # no temp left
    assert balance(card) == 100 and card.profile.online_atc == 0


def test_unpowered_card_raises_card_gone(new_card: NewCard) -> None:
    card = new_card()
    card.power_off()
    with pytest.raises(CardGone):
        card.process(GET_BALANCE)
    card.power_on()
    assert sw(card.process(GET_BALANCE)) == 0x6985  # MF selected after power-on
