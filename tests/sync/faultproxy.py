"""A fault-injecting HTTP proxy on loopback, for the exactly-once proof.

It sits between the counter's client and the center, reads each HTTP/1.1 request off the client
connection and, as a seeded random generator decides, does one of:

- ``pass``        forward it and relay the answer;
- ``drop``        reset the client connection without forwarding (the request never arrived);
- ``delay``       hold it past the client's read timeout, then forward it (the center does the
                  work, nobody hears the answer) and drop the connection;
- ``error``       answer 500, 502 or 503 itself without forwarding (an HTML or a JSON body);
- ``lose``        forward it, let the center answer, and reset the client connection instead;
- ``duplicate``   forward it twice (the same bytes: the second is a replay) and relay the first
                  answer;
- ``truncate``    forward it and relay only half of the answer before closing.

When the center is down (killed), forwarding fails and the client gets a 502, as from a real
reverse proxy. Upstream connections are one per request (``Connection: close``); the client side
keeps its connection alive, so the client also meets pooled connections that died.
"""

from __future__ import annotations

import contextlib
import random
import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

FAULTS = ("drop", "delay", "error", "lose", "duplicate", "truncate")


class _ClosedError(Exception):
    pass


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def _fill(self) -> None:
        chunk = self.sock.recv(65_536)
        if not chunk:
            raise _ClosedError
        self.buf += chunk

    def head(self) -> bytes:
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        end = self.buf.index(b"\r\n\r\n") + 4
        head = bytes(self.buf[:end])
        del self.buf[:end]
        return head

    def exactly(self, size: int) -> bytes:
        while len(self.buf) < size:
            self._fill()
        data = bytes(self.buf[:size])
        del self.buf[:size]
        return data


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines if ln)}


def _without_connection(head: bytes, replacement: str | None) -> bytes:
    lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    kept = [ln for ln in lines if not ln.lower().startswith("connection:")]
    if replacement is not None:
        kept.append(f"Connection: {replacement}")
    return ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1")


def _reset(sock: socket.socket) -> None:
    """Close with an RST, as a crashed middlebox would."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@dataclass
class FaultPlan:
    """How often each fault happens, and the ones every run must see at least once."""

    rate: float = 0.35  # share of requests that meet a fault
    delay_seconds: float = 2.0  # past the client's read timeout
    must: list[str] = field(default_factory=lambda: list(FAULTS))


class FaultProxy:
    """The proxy (see the module docstring). ``with FaultProxy(...) as proxy: proxy.base``."""

    def __init__(self, upstream_port: int, seed: int, plan: FaultPlan | None = None) -> None:
        self.upstream_port = upstream_port
        self.plan = plan or FaultPlan()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.upload_in_flight = threading.Event()  # a batch is at the center right now
        self._must = list(self.plan.must)
        self.enabled = True
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- choosing --------------------------------------------------------------------------------

    def _choose(self, is_upload: bool) -> tuple[str, float]:
        with self._lock:
            roll = self._rng.random()
            extra = self._rng.random()
            if not self.enabled:
                fault = "pass"
            elif is_upload and self._must and roll < 0.5:
                fault = self._must.pop(0)  # the first uploads see every kind of fault once
            elif roll < self.plan.rate:
                fault = self._rng.choice(FAULTS)
            else:
                fault = "pass"
            self.counts[fault] += 1
            return fault, extra

    # -- serving ---------------------------------------------------------------------------------

    def _serve(self, client: socket.socket) -> None:
        reader = _Reader(client)
        try:
            while True:
                head = reader.head()
                length = int(_headers(head).get("content-length", "0"))
                body = reader.exactly(length)
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                is_upload = request_line.startswith("POST /v1/journal/batches")
                if not self._one(client, head, body, is_upload):
                    return
        except (_ClosedError, OSError):
            pass
        finally:
            with contextlib.suppress(OSError):
                client.close()

    def _forward(self, head: bytes, body: bytes, is_upload: bool) -> bytes | None:
        """The center's raw answer (None when it cannot be reached or broke off)."""
        request = _without_connection(head, "close") + body
        try:
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
                if is_upload:
                    self.upload_in_flight.set()
                try:
                    up.sendall(request)
                    chunks = []
                    while True:
                        chunk = up.recv(65_536)
                        if not chunk:
                            break
                        chunks.append(chunk)
                finally:
                    if is_upload:
                        self.upload_in_flight.clear()
        except OSError:
            return None
        answer = b"".join(chunks)
        if b"\r\n\r\n" not in answer:
            return None  # the center died mid-answer
        return answer

    @staticmethod
    def _relayable(answer: bytes) -> bytes | None:
        """The answer with keep-alive for the client (None: relay raw and close)."""
        split = answer.index(b"\r\n\r\n") + 4
        head, body = answer[:split], answer[split:]
        length = _headers(head).get("content-length")
        if length is None or int(length) != len(body):
            return None
        return _without_connection(head, None) + body

    def _error(self, client: socket.socket, extra: float) -> None:
        status = (500, 502, 503)[int(extra * 3) % 3]
        if status == 502:
            body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            kind = "text/html"
        else:
            body = b'{"detail":"injected failure"}'
            kind = "application/json"
        reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        extra_header = "Retry-After: 0\r\n" if status == 503 else ""
        client.sendall(
            f"HTTP/1.1 {status} {reason[status]}\r\nContent-Type: {kind}\r\n{extra_header}"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    def _bad_gateway(self, client: socket.socket) -> None:
        body = b"<html><body>502 Bad Gateway: upstream unreachable</body></html>"
        client.sendall(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    def _one(self, client: socket.socket, head: bytes, body: bytes, is_upload: bool) -> bool:
        """Handle one request; whether the client connection stays open."""
        fault, extra = self._choose(is_upload)
        if fault == "drop":
            _reset(client)
            return False
        if fault == "error":
            self._error(client, extra)
            return True
        if fault == "delay":
            time.sleep(self.plan.delay_seconds)
            self._forward(head, body, is_upload)
            _reset(client)
            return False
        answer = self._forward(head, body, is_upload)
        if fault == "duplicate":
            self._forward(head, body, is_upload)
        if answer is None:
            self._bad_gateway(client)
            return True
        if fault == "lose":
            _reset(client)
            return False
        if fault == "truncate":
            client.sendall(answer[: max(1, len(answer) // 2)])
            _reset(client)
            return False
        relay = self._relayable(answer)
        if relay is None:
            client.sendall(answer)
            return False
        client.sendall(relay)
        return True
