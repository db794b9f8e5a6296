"""The one seam between the protocol and a reader: send bytes, get bytes back.

:class:`CardTransport` is what a reader backend implements (PC/SC in :mod:`app.card.pcsc`, the
in-process virtual card in :mod:`app.card.inprocess`). :class:`ApduChannel` sits on top of it and
hides the T=0 answers ``61xx`` (fetch with GET RESPONSE) and ``6Cxx`` (repeat with Le = xx), so the
session and its callers never see them.
"""

from __future__ import annotations

import logging
from typing import Protocol

from app.card.apdu import CommandApdu, Ins, ResponseApdu
from app.card.errors import MalformedCardAnswerError

TRACE = 5  # below DEBUG: raw APDU traffic is logged only when asked for explicitly
logging.addLevelName(TRACE, "TRACE")
log = logging.getLogger(__name__)

_MAX_CHAINED_RESPONSES = 32


class CardTransport(Protocol):
    """A connected card: one send-and-receive of raw APDU bytes.

    ``transmit`` raises :class:`app.card.errors.CardCommunicationError` when the card does not
    answer (removed, torn), :class:`app.card.errors.ReaderUnavailableError` when the reader is gone.
    """

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU and return the answer, data ‖ SW1 SW2."""
        ...

    def close(self) -> None:
        """Release the card."""
        ...


class ApduChannel:
    """Typed APDU exchange over a transport, with ``61xx``/``6Cxx`` handled here."""

    def __init__(self, transport: CardTransport) -> None:
        self._transport = transport
        self.exchanges = 0  # commands the caller sent (GET RESPONSE/6C retries not counted)

    @property
    def transport(self) -> CardTransport:
        """The transport underneath."""
        return self._transport

    def _exchange(self, command: CommandApdu) -> ResponseApdu:
        raw_command = command.to_bytes()
        log.log(TRACE, ">> %s", raw_command.hex().upper())
        raw = self._transport.transmit(raw_command)
        log.log(TRACE, "<< %s", raw.hex().upper())
        if len(raw) < 2:  # not even a status word
            raise MalformedCardAnswerError(
                "{command}: a card answer has at least 2 bytes, got {length}",
                command=command.label,
                length=len(raw),
            )
        return ResponseApdu.from_bytes(raw)

    def send(self, command: CommandApdu) -> ResponseApdu:
        """Send ``command``; return the final answer after any GET RESPONSE / Le correction."""
        self.exchanges += 1
        response = self._exchange(command)
        if response.sw1 == 0x6C:
            response = self._exchange(command.with_le(response.sw2))
        data = b""
        for _ in range(_MAX_CHAINED_RESPONSES):
            if response.sw1 != 0x61:
                return ResponseApdu(data + response.data, response.sw)
            data += response.data
            get_response = CommandApdu(
                0x00, Ins.GET_RESPONSE, 0, 0, le=response.sw2 or 256, name="GET RESPONSE"
            )
            response = self._exchange(get_response)
        raise MalformedCardAnswerError(
            "{command}: the card never stopped answering 61xx", command=command.label
        )
