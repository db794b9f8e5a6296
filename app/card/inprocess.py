"""A transport that drives an in-process APDU processor (the virtual card).

Used by fast tests, and by the demo when no PC/SC stack is available.

The processor is anything with ``process(apdu) -> bytes``; it signals a card that is gone or did
not answer by raising :class:`ConnectionError` (the virtual card's fault injection does).
"""

from __future__ import annotations

from typing import Protocol

from app.card.errors import CardCommunicationError, CardRemovedError


class ApduProcessor(Protocol):
    """Something that answers APDUs like a card."""

    def process(self, apdu: bytes) -> bytes:
        """Execute one command APDU and return data ‖ SW."""
        ...


class InProcessTransport:
    """:class:`app.card.transport.CardTransport` over an :class:`ApduProcessor`."""

    def __init__(self, processor: ApduProcessor) -> None:
        self._processor: ApduProcessor | None = processor

    def transmit(self, apdu: bytes) -> bytes:
        """Pass the APDU to the processor; a lost card becomes CardCommunicationError."""
        if self._processor is None:
            raise CardRemovedError("the card was released")
        try:
            return self._processor.process(apdu)
        except ConnectionError as exc:
            raise CardCommunicationError(
                "the card did not answer: {reason}", reason=str(exc)
            ) from None

    def close(self) -> None:
        """Forget the processor; later transmits fail as if the card was removed."""
        self._processor = None
