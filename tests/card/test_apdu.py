import pytest

from app.card import commands
from app.card.apdu import CommandApdu, ResponseApdu, StatusWord
from app.card.errors import (
    ApplicationBlockedError,
    InsufficientBalanceError,
    MalformedCommandError,
    StatusWordError,
    TransactionMacError,
    check_status,
    error_for_status,
)


def test_command_encodings_match_the_protocol_table():
    assert commands.select_aid(commands.Aid.CITY_UNION).to_bytes().hex().upper() == (
        "00A4040009A0000000038698070100"
    )
    assert commands.get_balance().to_bytes().hex().upper() == "805C000204"
    init = commands.initialize_for_load(1, 1000, bytes.fromhex("001122334455"))
    assert init.to_bytes().hex().upper() == "805000020B01000003E800112233445510"
    assert commands.read_record(0x18, 1).to_bytes().hex().upper() == "00B201C400"
    assert commands.read_binary(0x15).to_bytes().hex().upper() == "00B0950000"
    prove = commands.get_transaction_prove(0x02, 0x0102)
    assert prove.to_bytes().hex().upper() == "805A000202010208"
    assert commands.get_data_purchase().to_bytes().hex().upper() == "80CA000009"


def test_command_rejects_out_of_range_fields():
    with pytest.raises(ValueError):
        CommandApdu(0x100, 0, 0, 0)
    with pytest.raises(ValueError):
        CommandApdu(0, 0, 0, 0, bytes(256))
    with pytest.raises(ValueError):
        CommandApdu(0, 0, 0, 0, le=257)


def test_response_split_and_short_answers():
    r = ResponseApdu.from_bytes(bytes.fromhex("0102039000"))
    assert r.data == b"\x01\x02\x03" and r.ok and r.sw1 == 0x90
    with pytest.raises(ValueError):
        ResponseApdu.from_bytes(b"\x90")


@pytest.mark.parametrize(
    ("sw", "cls"),
    [
        (0x6A81, ApplicationBlockedError),
        (0x6283, ApplicationBlockedError),
        (0x9401, InsufficientBalanceError),
        (0x9302, TransactionMacError),
        (0x6D00, MalformedCommandError),
        (0x6E00, MalformedCommandError),
    ],
)
def test_status_words_map_to_typed_errors(sw, cls):
    err = error_for_status(sw, "TEST")
    assert type(err) is cls
    assert err.sw == sw
    assert f"{sw:04X}" in str(err)
    assert err.advice


def test_every_listed_status_word_has_a_specific_error():
    for sw in StatusWord:
        if sw is StatusWord.OK:
            continue
        assert type(error_for_status(sw, "X")) is not StatusWordError, hex(sw)


def test_unknown_status_word_is_a_generic_error_and_ok_passes():
    assert type(error_for_status(0x6F00, "X")) is StatusWordError
    check_status(0x9000, "X")
    with pytest.raises(StatusWordError):
        check_status(0x6F00, "X")
