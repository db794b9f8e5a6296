"""The PC/SC backend: the only module that imports pyscard.

It lists readers, connects to the card on a reader (reconnecting after a reset or a stale
context), turns pyscard's exceptions into the card layer's typed errors, and reports card
insertion and removal from pyscard's card monitor.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from smartcard import scard
from smartcard.CardConnection import CardConnection
from smartcard.CardMonitoring import CardMonitor, CardObserver
from smartcard.Exceptions import (
    CardConnectionException,
    NoCardException,
    SmartcardException,
)
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.System import readers as _pcsc_readers

from app.card.errors import (
    CardCommunicationError,
    CardRemovedError,
    ReaderUnavailableError,
)

log = logging.getLogger(__name__)

_PROTOCOLS = CardConnection.T0_protocol | CardConnection.T1_protocol
_POWER_UP_GRACE_S = 1.5


def list_readers() -> list[str]:
    """Names of the PC/SC readers present; ReaderUnavailableError when pcscd cannot be reached."""
    try:
        return [str(r) for r in _pcsc_readers()]
    except (SmartcardException, BaseSCardException) as exc:  # no pcscd: EstablishContext fails
        raise ReaderUnavailableError(
            "the smart-card service is not available: {reason}", reason=str(exc)
        ) from None


def card_present(reader_name: str) -> bool:
    """Whether pcscd sees a card on ``reader_name`` (no connection is made)."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise ReaderUnavailableError("the smart-card service is not available")
    try:
        hresult, states = scard.SCardGetStatusChange(
            context, 0, [(reader_name, scard.SCARD_STATE_UNAWARE)]
        )
        if hresult != scard.SCARD_S_SUCCESS:
            raise ReaderUnavailableError("reader {reader!r} is not available", reader=reader_name)
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(context)


def _find_reader(name: str) -> Any:
    try:
        found = [r for r in _pcsc_readers() if str(r) == name]
    except (SmartcardException, BaseSCardException) as exc:  # no pcscd: no context
        raise ReaderUnavailableError(
            "the smart-card service is not available: {reason}", reason=str(exc)
        ) from None
    if not found:
        raise ReaderUnavailableError("reader {reader!r} is not connected", reader=name)
    return found[0]


class PcscTransport:
    """A card on a PC/SC reader, as a :class:`app.card.transport.CardTransport`."""

    def __init__(self, reader_name: str) -> None:
        self.reader_name = reader_name
        self._connection: Any = None
        self.atr = b""
        self.connect()

    def connect(self) -> None:
        """(Re)connect to the card on the reader; CardRemovedError when there is none."""
        self.close()
        connection = _find_reader(self.reader_name).createConnection()
        deadline = time.monotonic() + _POWER_UP_GRACE_S
        while True:
            try:
                connection.connect(_PROTOCOLS)
                break
            except NoCardException:
                raise CardRemovedError("no card on {reader}", reader=self.reader_name) from None
            except CardConnectionException as exc:
                # Right after a tap pcscd may still be powering or resetting the card
                # ("card is unpowered", "card was reset"): give it a moment, then give up.
                if time.monotonic() > deadline:
                    raise CardCommunicationError(
                        "cannot reach the card on {reader}: {reason}",
                        reader=self.reader_name,
                        reason=str(exc),
                    ) from None
                time.sleep(0.05)
        self._connection = connection
        self.atr = bytes(connection.getATR())
        log.debug("connected to the card on %s", self.reader_name)

    def transmit(self, apdu: bytes) -> bytes:
        """Send one APDU; a card that is gone raises CardCommunicationError."""
        if self._connection is None:
            raise CardRemovedError("not connected to a card on {reader}", reader=self.reader_name)
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except NoCardException:
            raise CardRemovedError("the card left {reader}", reader=self.reader_name) from None
        except CardConnectionException as exc:
            raise CardCommunicationError(
                "the card on {reader} did not answer: {reason}",
                reader=self.reader_name,
                reason=str(exc),
            ) from None
        return bytes(data) + bytes((sw1, sw2))

    def close(self) -> None:
        """Disconnect from the card, ignoring a card that is already gone."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.disconnect()
        except SmartcardException:
            log.debug("disconnect from %s failed; the card is probably gone", self.reader_name)
        with contextlib.suppress(SmartcardException, AttributeError):
            connection.release()


CardEvent = Callable[[str, bytes], None]  # (reader name, ATR; empty for a removal)


class _Observer(CardObserver):  # type: ignore[misc]
    def __init__(self, on_inserted: CardEvent, on_removed: CardEvent) -> None:
        self._on_inserted = on_inserted
        self._on_removed = on_removed

    def update(self, observable: Any, handlers: Any) -> None:
        added, removed = handlers
        for card in removed:
            self._on_removed(str(card.reader), bytes(card.atr))
        for card in added:
            self._on_inserted(str(card.reader), bytes(card.atr))


class CardWatcher:
    """Reports cards put on and taken off any reader, from pyscard's monitor thread.

    The callbacks run on pyscard's thread: hand the event over (e.g. to the card thread's
    queue), do not talk to the card from them.
    """

    def __init__(self, on_inserted: CardEvent, on_removed: CardEvent) -> None:
        self._observer = _Observer(on_inserted, on_removed)
        self._monitor: Any = None
        self._lock = threading.Lock()

    @classmethod
    def for_reader(
        cls, reader_name: str, on_present: Callable[[], None], on_absent: Callable[[], None]
    ) -> CardWatcher:
        """A watcher that reports only ``reader_name``'s card arriving and leaving."""

        def inserted(reader: str, _atr: bytes) -> None:
            if reader == reader_name:
                on_present()

        def removed(reader: str, _atr: bytes) -> None:
            if reader == reader_name:
                on_absent()

        return cls(inserted, removed)

    def start(self) -> None:
        """Start reporting (the cards already present are reported as inserted)."""
        with self._lock:
            if self._monitor is None:
                self._monitor = CardMonitor()
                self._monitor.addObserver(self._observer)

    def stop(self) -> None:
        """Stop reporting."""
        with self._lock:
            if self._monitor is not None:
                self._monitor.deleteObserver(self._observer)
                self._monitor = None
