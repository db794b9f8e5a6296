"""Plug a virtual card into pcscd through the vsmartcard ``vpcd`` reader driver.

vpcd listens on TCP port 35963 + slot ("Virtual PCD 00 <slot>"); a virtual card connects as a
client. Connecting is inserting the card, closing the socket is removing it. Every message is a
2-byte big-endian length then the payload. A 1-byte payload is a control byte: ``00`` power off,
``01`` power on, ``02`` reset (no answer to these three), ``04`` get ATR (answer: the ATR). Any
longer payload is a command APDU, answered by the response APDU.

A :class:`cardsim.faults.CardGone` from the card (a tear or a lost answer) closes the socket:
pcscd sees the card leave the reader, as with a real card pulled mid-transaction.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from types import TracebackType

from cardsim.faults import ApduCard, CardGone

_log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
# pcscd polls a vpcd reader about every 0.4 s; a card back sooner than that may go unnoticed as
# removed, and pcscd then never powers the "new" card up. A real card is out at least that long.
MIN_ABSENCE_SECONDS = 1.0

# When a card last left each vpcd address, across bridge instances (a new bridge for the same
# slot must also respect the minimum absence).
_last_removal: dict[tuple[str, int], float] = {}
_last_removal_lock = threading.Lock()
DEFAULT_PORT = 35963

CTRL_POWER_OFF = 0x00
CTRL_POWER_ON = 0x01
CTRL_RESET = 0x02
CTRL_GET_ATR = 0x04


class VpcdError(Exception):
    """The bridge could not reach vpcd; the message says where it tried and what to check."""


def vpcd_port(slot: int) -> int:
    """The TCP port of vpcd reader slot ``slot`` (35963 for slot 0)."""
    if slot < 0:
        raise ValueError("a vpcd slot is 0 or more")
    return DEFAULT_PORT + slot


class VpcdBridge:
    """Serve one card to vpcd on a background thread while it is inserted."""

    def __init__(
        self,
        card: ApduCard,
        *,
        slot: int = 0,
        port: int | None = None,
        host: str = DEFAULT_HOST,
        connect_timeout: float = 5.0,
        min_absence: float = MIN_ABSENCE_SECONDS,
    ) -> None:
        self._card = card
        self._host = host
        self._port = port if port is not None else vpcd_port(slot)
        self._connect_timeout = connect_timeout
        self._min_absence = min_absence
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._removed = threading.Event()
        self._removed.set()
        self._lock = threading.Lock()
        self.removal_reason: str | None = None

    @property
    def address(self) -> tuple[str, int]:
        """Where vpcd is expected to listen."""
        return self._host, self._port

    @property
    def inserted(self) -> bool:
        """True while the card is connected to vpcd."""
        return not self._removed.is_set()

    def insert(self) -> None:
        """Connect to vpcd (the card enters the reader) and start serving.

        Retries while vpcd is not listening yet, up to ``connect_timeout`` seconds; raises
        :class:`VpcdError` after that. Inserting an inserted card does nothing. A card removed
        less than ``min_absence`` seconds ago waits out the rest first, so pcscd notices that it
        was gone.
        """
        with self._lock:
            if self.inserted:
                return
            with _last_removal_lock:
                removed_at = _last_removal.get(self.address)
            if removed_at is not None:
                rest = removed_at + self._min_absence - time.monotonic()
                if rest > 0:
                    time.sleep(rest)
            sock = self._connect()
            self._sock = sock
            self.removal_reason = None
            self._removed.clear()
            self._thread = threading.Thread(
                target=self._serve, args=(sock,), name=f"vpcd-{self._port}", daemon=True
            )
            self._thread.start()
        _log.info("card inserted into vpcd at %s:%d", self._host, self._port)

    def remove(self) -> None:
        """Take the card out of the reader (close the socket) and wait for the thread to end."""
        with self._lock:
            self._close("removed")
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def wait_until_removed(self, timeout: float | None = None) -> bool:
        """Block until the card leaves the reader; False when ``timeout`` expired first."""
        return self._removed.wait(timeout)

    def __enter__(self) -> VpcdBridge:
        self.insert()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    # ------------------------------------------------------------------ internals

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + self._connect_timeout
        while True:
            try:
                sock = socket.create_connection((self._host, self._port), timeout=2.0)
            except OSError as exc:
                if time.monotonic() >= deadline:
                    raise VpcdError(
                        f"cannot reach vpcd at {self._host}:{self._port} ({exc.strerror or exc}); "
                        "is pcscd running with the vsmartcard vpcd driver?"
                    ) from None
                time.sleep(0.2)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock

    def _close(self, reason: str) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            if self.removal_reason is None:
                self.removal_reason = reason
            with _last_removal_lock:
                _last_removal[self.address] = time.monotonic()
        self._removed.set()

    def _serve(self, sock: socket.socket) -> None:
        reason = "vpcd closed the connection"
        try:
            while True:
                message = _receive(sock)
                if message is None:
                    break
                answer = self._handle(message)
                if answer is not None:
                    sock.sendall(len(answer).to_bytes(2, "big") + answer)
        except CardGone as gone:
            reason = f"card gone: {gone.reason}"
        except OSError as exc:
            reason = f"connection ended: {exc.strerror or exc}"
        finally:
            with self._lock:
                if self._sock is sock:
                    self._close(reason)
            _log.info("card left vpcd at %s:%d (%s)", self._host, self._port, reason)

    def _handle(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            control = message[0]
            if control == CTRL_POWER_OFF:
                self._card.power_off()
            elif control == CTRL_POWER_ON:
                self._card.power_on()
            elif control == CTRL_RESET:
                self._card.reset()
            elif control == CTRL_GET_ATR:
                return self._card.atr
            else:
                _log.warning("unknown vpcd control byte %02X ignored", control)
            return None
        return self._card.process(message)


def _receive(sock: socket.socket) -> bytes | None:
    """One length-prefixed message, or None when the peer closed the connection."""
    header = _receive_exactly(sock, 2)
    if header is None:
        return None
    size = int.from_bytes(header, "big")
    if size == 0:
        return b""
    return _receive_exactly(sock, size)


def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        # vpcd writes the length and the APDU separately; acknowledging at once keeps Nagle on
        # its side from holding the APDU for our delayed ACK (~40 ms per exchange).
        if hasattr(socket, "TCP_QUICKACK"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)
