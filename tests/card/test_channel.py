"""ApduChannel's T=0 handling, driven by byte transcripts (command → answer)."""

import pytest

from app.card.apdu import CommandApdu
from app.card.errors import MalformedCardAnswerError
from app.card.transport import ApduChannel


class TranscriptTransport:
    """Replays a recorded exchange; fails the test on any command not in the transcript."""

    def __init__(self, transcript: list[tuple[str, str]]):
        self._steps = [(bytes.fromhex(c), bytes.fromhex(r)) for c, r in transcript]
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        assert self._steps, f"unexpected command {apdu.hex()}"
        expected, answer = self._steps.pop(0)
        assert apdu == expected, f"sent {apdu.hex()}, transcript expects {expected.hex()}"
        self.sent.append(apdu)
        return answer

    def close(self) -> None:
        pass

    def done(self) -> bool:
        return not self._steps


def test_61xx_is_followed_by_get_response_and_data_joined():
    t = TranscriptTransport(
        [
            ("805C000204", "6104"),
            ("00C0000004", "000003E89000"),
        ]
    )
    ch = ApduChannel(t)
    r = ch.send(CommandApdu(0x80, 0x5C, 0x00, 0x02, le=4))
    assert r.data == bytes.fromhex("000003E8") and r.ok
    assert t.done() and ch.exchanges == 1


def test_6cxx_repeats_the_command_with_the_right_le():
    t = TranscriptTransport(
        [
            ("00B0950000", "6C1E"),
            ("00B095001E", "AA" * 30 + "9000"),
        ]
    )
    r = ApduChannel(t).send(CommandApdu(0x00, 0xB0, 0x95, 0x00, le=256))
    assert r.data == b"\xaa" * 30
    assert t.done()


def test_chained_61xx_answers_accumulate():
    t = TranscriptTransport(
        [
            ("0084000008", "6104"),
            ("00C0000004", "010203046104"),
            ("00C0000004", "050607089000"),
        ]
    )
    r = ApduChannel(t).send(CommandApdu(0x00, 0x84, 0, 0, le=8))
    assert r.data == bytes(range(1, 9)) and r.ok


def test_malformed_answer_is_a_typed_error():
    t = TranscriptTransport([("805C000204", "90")])
    with pytest.raises(MalformedCardAnswerError):
        ApduChannel(t).send(CommandApdu(0x80, 0x5C, 0x00, 0x02, le=4))


def test_endless_61xx_is_cut_off():
    t = TranscriptTransport([("0084000004", "6104")] + [("00C0000004", "6104")] * 40)
    with pytest.raises(MalformedCardAnswerError):
        ApduChannel(t).send(CommandApdu(0x00, 0x84, 0, 0, le=4))
