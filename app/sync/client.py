"""``CenterClient``: the counter's HTTP client of the clearing center (``clearing/openapi.json``).

One :class:`requests.Session` per client (connection pool, TLS verification on; a custom CA
file replaces the system trust store when given). Every attempt has explicit (connect, read)
timeouts and no redirects.

Retries follow a urllib3 :class:`~urllib3.util.retry.Retry` policy, applied per call rather than
inside the transport adapter, because each attempt of a signed request must be *signed again*:
the center refuses a nonce it has already seen, so retransmitting the same bytes (what the
adapter's own retries do) would turn a lost answer into a 401 "replay". So:

- idempotent calls (GETs, the loss-report DELETE, and the journal upload, which the center makes
  idempotent on (device, seq)) retry connection failures, read failures and 500/502/503/504
  with exponential backoff (``Retry-After`` honoured up to ``backoff_max``);
- every other call retries only failures to *connect* (the request never left), never a read
  failure or a 5xx: enrolment uses a one-time code, key rotation issues a key;
- online MAC2 is one attempt within ``online_timeout`` (connect and read): a clerk and a
  customer wait, and the counter's SAM steps in when the center does not answer.

Backoff waits end early when the thread's interrupt event is set (:meth:`interruptible`), so a
stopping sync loop is not held up by them. Errors are typed (:mod:`app.sync.errors`) and every
answer's body is checked against the contract before anything is returned.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from app import __version__
from app.crypto.answer_signing import HEADER_ANSWER_SIGNATURE, answer_signature_ok
from app.crypto.request_signing import HEADER_NONCE, sign_request
from app.crypto.sm2 import PUBLIC_KEY_SIZE, Sm2Error, Sm2PrivateKey, sm2_decrypt
from app.domain.center_clock import ClockReading, elapsed
from app.journal.records import Checkpoint, JournalRecord
from app.sync import models, wire
from app.sync.errors import (
    AuthError,
    BadResponseError,
    Conflict,
    ConflictError,
    DeviceSuspendedError,
    OfflineError,
    RefusedError,
    ServerError,
    TlsError,
)
from app.sync.models import (
    BlacklistDelta,
    CardLedger,
    CenterParameters,
    Cursor,
    Enrolment,
    IssuedKey,
    LoadRequest,
    LossReport,
    OnlineAuthorization,
    Retired,
    SettledBalance,
    Settlement,
    UploadResult,
)
from app.sync.passes import CenterPass, parse_passes
from app.sync.settings import MAX_BATCH_RECORDS, ClientSettings
from app.sync.wire import Fields

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({500, 502, 503, 504})
DEVICE_STATUS_HEADER = "X-Citycard-Device-Status"  # on a 403: the issuer stopped this device
DEVICE_STOPPED = frozenset({"suspended", "revoked"})
_LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    content: bytes
    device_status: str | None = None  # X-Citycard-Device-Status: the issuer stopped this device
    target: str = ""  # the request's path and query, and its nonce (what the answer signs)
    nonce: str = ""
    signature: str | None = None  # X-Citycard-Answer-Signature


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _cause(exc: requests.RequestException, url: str) -> Exception:
    """The urllib3 error under a requests exception: what :class:`Retry` classifies."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MaxRetryError) and current.reason is not None:
            current = current.reason
            continue
        if isinstance(current, (ConnectTimeoutError, ReadTimeoutError, ProtocolError)):
            return current
        arg = current.args[0] if current.args else None
        current = arg if isinstance(arg, BaseException) else current.__cause__
    if isinstance(exc, requests.ConnectTimeout):
        return ConnectTimeoutError(str(exc))
    if isinstance(exc, requests.ReadTimeout):
        return ReadTimeoutError(None, url, str(exc))  # type: ignore[arg-type] # no pool here
    return ProtocolError(str(exc))


def _detail(answer: _Answer) -> str:
    """The center's ``detail`` in words, or what little a non-JSON answer says."""
    try:
        body = wire.decode(answer.content, "error")
    except BadResponseError:
        body = None
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list):  # FastAPI's validation errors
            parts = []
            for item in detail[:5]:
                if isinstance(item, dict):
                    where = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                    parts.append(f"{where}: {item.get('msg', '?')}" if where else item.get("msg"))
            if parts:
                return "; ".join(str(p) for p in parts)
    return f"HTTP {answer.status} {answer.reason}".strip()


class CenterClient:
    """The clearing center's API for one device. Thread-safe; :meth:`close` when done."""

    def __init__(
        self,
        settings: ClientSettings,
        device_id: str | None = None,
        device_key: Sm2PrivateKey | None = None,
        center_key: bytes | None = None,
    ) -> None:
        """A client of the center at ``settings.base_url``, signing as ``device_id``.

        ``center_key``: the center's SM2 public key pinned at enrolment; with it, blacklist and
        parameter answers must carry the center's signature (None: not checked — a counter
        enrolled before keys were pinned).
        """
        parts = urlsplit(settings.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the center's address {settings.base_url!r} is not an http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError("the center's address cannot have a query or a fragment")
        if (
            parts.scheme == "http"
            and not settings.allow_plain_http
            and not _is_loopback(parts.hostname)
        ):
            raise ValueError(
                f"refusing plain http to {parts.hostname}: use https (TLS), or set "
                "allow_plain_http for a trusted network"
            )
        if settings.ca_file is not None and not settings.ca_file.is_file():
            raise ValueError(f"the CA file {settings.ca_file} does not exist")
        self.settings = settings
        self._base = settings.base_url.rstrip("/")
        self._base_path = parts.path.rstrip("/")
        self._netloc = parts.netloc
        self._device_id = device_id
        self._device_key = device_key
        self.center_key = center_key
        self._offset = 0.0  # center clock - local clock, seconds
        self._reading: ClockReading | None = None  # the center's clock, last read
        self._closed = threading.Event()
        self._local = threading.local()
        session = requests.Session()
        session.trust_env = False  # no proxies, CA bundles or .netrc from the environment
        session.verify = str(settings.ca_file) if settings.ca_file else True
        session.headers["User-Agent"] = f"citycard-counter/{__version__}"
        # no transport-level retries: each attempt is signed afresh (see the module docstring)
        adapter = HTTPAdapter(
            pool_connections=1,
            pool_maxsize=settings.pool_size,
            max_retries=Retry(total=0, read=False, redirect=False),
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self._session = session
        self._idempotent = Retry(
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            other=0,
            redirect=False,
            allowed_methods=None,  # the caller decided that this call is idempotent
            status_forcelist=_RETRY_STATUSES,
            backoff_factor=settings.backoff_factor,
            backoff_max=settings.backoff_max,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self._connect_only = Retry(
            total=settings.retries,
            connect=settings.retries,
            read=False,
            status=0,
            other=0,
            redirect=False,
            allowed_methods=frozenset({"GET", "HEAD"}),
            status_forcelist=_RETRY_STATUSES,
            backoff_factor=settings.backoff_factor,
            backoff_max=settings.backoff_max,
            raise_on_status=False,
        )
        self._once = Retry(total=0, connect=0, read=False, status=0, other=0, redirect=False)

    # -- identity and lifetime -----------------------------------------------------------------

    @property
    def device_id(self) -> str | None:
        """The device this client signs as (None before enrolment)."""
        return self._device_id

    def use_device(self, device_id: str, device_key: Sm2PrivateKey) -> None:
        """Sign further requests as ``device_id`` with ``device_key``."""
        self._device_id = device_id
        self._device_key = device_key

    @property
    def clock_offset(self) -> float:
        """Seconds to add to the local clock to get the center's (from :meth:`server_time`)."""
        return self._offset

    def close(self) -> None:
        """Close the connections; pending backoff waits end at once."""
        self._closed.set()
        self._session.close()

    def __enter__(self) -> CenterClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def interruptible(self, event: threading.Event) -> Iterator[None]:
        """Calls made by this thread inside the block give up (OfflineError) once ``event`` is set.

        A call in flight still waits for its answer or its timeout; backoff waits end at once.
        """
        previous = getattr(self._local, "event", None)
        self._local.event = event
        try:
            yield
        finally:
            self._local.event = previous

    def _interrupted(self) -> bool:
        event = getattr(self._local, "event", None)
        return self._closed.is_set() or (event is not None and event.is_set())

    def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` between attempts; OfflineError if interrupted meanwhile."""
        event: threading.Event | None = getattr(self._local, "event", None)
        deadline = time.monotonic() + seconds
        while not self._interrupted():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if event is None:
                self._closed.wait(left)
            else:  # two events to watch: look at the closing one every 50 ms
                event.wait(min(left, 0.05))
        raise OfflineError("the call was stopped before the clearing center answered")

    # -- the transport -------------------------------------------------------------------------

    def _sign(self, method: str, target: str, body: bytes) -> dict[str, str]:
        if self._device_id is None or self._device_key is None:
            raise AuthError("this counter is not enrolled with the clearing center yet", 0)
        timestamp = int(time.time() + self._offset)
        return sign_request(
            self._device_key, self._device_id, method, target, body, timestamp=timestamp
        )

    def _offline(
        self, exc: requests.RequestException, timeout: tuple[float, float]
    ) -> OfflineError:
        center = self._netloc
        if isinstance(exc, requests.ConnectTimeout):
            return OfflineError(
                "the clearing center at {center} did not accept a connection within {seconds} s",
                center=center,
                seconds=timeout[0],
            )
        if isinstance(exc, requests.ReadTimeout):
            return OfflineError(
                "the clearing center at {center} did not answer within {seconds} s",
                center=center,
                seconds=timeout[1],
            )
        if isinstance(_cause(exc, ""), ConnectTimeoutError):
            if "refused" in str(exc).lower():
                return OfflineError(
                    "cannot connect to the clearing center at {center} (connection refused)",
                    center=center,
                )
            return OfflineError(
                "cannot connect to the clearing center at {center} (connection failed)",
                center=center,
            )
        return OfflineError(
            "the connection to the clearing center at {center} broke off before the answer was "
            "complete",
            center=center,
        )

    def _read(self, response: requests.Response) -> bytes:
        limit = self.settings.max_answer_bytes
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise BadResponseError("the center's answer is too large ({size} bytes)", size=declared)
        data = bytearray()
        for chunk in response.iter_content(65_536):
            data += chunk
            if len(data) > limit:
                raise BadResponseError(
                    "the center's answer is larger than {limit} bytes", limit=limit
                )
        return bytes(data)

    def _exchange(
        self,
        method: str,
        target: str,
        body: bytes | None,
        *,
        idempotent: bool,
        signed: bool = True,
        read_timeout: float | None = None,
        quick: bool = False,
    ) -> _Answer:
        """Send one call, attempting again as its retry policy allows; the final answer.

        ``quick``: one attempt only, ``online_timeout`` to connect and to read (someone waits).
        """
        retry = self._idempotent if idempotent else self._connect_only
        url = self._base + target
        timeout = (self.settings.connect_timeout, read_timeout or self.settings.read_timeout)
        if quick:
            retry = self._once
            timeout = (self.settings.online_timeout, self.settings.online_timeout)
        while True:
            if self._interrupted():
                raise OfflineError("the call was stopped before the clearing center answered")
            headers = {"Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            prepared = self._session.prepare_request(
                requests.Request(method, url, data=body, headers=headers)
            )
            nonce = ""
            if signed:
                prepared.headers.update(self._sign(method, prepared.path_url, body or b""))
                nonce = str(prepared.headers.get(HEADER_NONCE, ""))
            try:
                response = self._session.send(
                    prepared, timeout=timeout, allow_redirects=False, stream=True
                )
                try:
                    content = self._read(response)
                finally:
                    response.close()
            except requests.exceptions.SSLError as exc:
                raise TlsError(
                    "the clearing center at {center} is not trusted: its TLS certificate does "
                    "not verify ({error})",
                    center=self._netloc,
                    error=exc.__class__.__name__,
                ) from exc
            except requests.RequestException as exc:
                try:
                    retry = retry.increment(method, url, error=_cause(exc, url))
                except (MaxRetryError, Urllib3Error):
                    raise self._offline(exc, timeout) from exc
                log.info("%s %s: %s; attempting again", method, target, exc.__class__.__name__)
                self._pause(retry.get_backoff_time())
                continue
            answer = _Answer(
                response.status_code,
                response.reason or "",
                content,
                response.headers.get(DEVICE_STATUS_HEADER),
                prepared.path_url,
                nonce,
                response.headers.get(HEADER_ANSWER_SIGNATURE),
            )
            has_retry_after = "Retry-After" in response.headers
            if retry.is_retry(method, answer.status, has_retry_after):
                try:
                    retry = retry.increment(method, url, response=response.raw)
                except MaxRetryError:
                    return answer
                log.info("%s %s: HTTP %d; attempting again", method, target, answer.status)
                wait = retry.get_retry_after(response.raw) if has_retry_after else None
                self._pause(min(self.settings.backoff_max, wait or retry.get_backoff_time()))
                continue
            return answer

    def _expect(
        self,
        answer: _Answer,
        what: str,
        ok: tuple[int, ...] = (200,),
        *,
        tamper_409: bool = False,
        auth_403: bool = False,
    ) -> Fields:
        """The answer's JSON object when the status is one of ``ok``; a typed error otherwise."""
        status = answer.status
        if status in ok:
            return Fields(wire.decode(answer.content, what), what)
        detail = _detail(answer)
        if status == 403 and answer.device_status in DEVICE_STOPPED:
            raise DeviceSuspendedError(
                "This counter is suspended — call the issuer. ({detail})",
                status,
                detail=detail,
                device_status=answer.device_status,
            )
        if status == 401 or (auth_403 and status == 403):
            raise AuthError(
                "the clearing center refused this counter: {detail}", status, detail=detail
            )
        if status == 409 and tamper_409:
            raise ConflictError(
                "the clearing center raised a tamper alarm: {detail}",
                _conflicts(answer),
                detail=detail,
            )
        if 400 <= status < 500:
            raise RefusedError("{detail}", status, detail=detail)  # the center's own words
        if 500 <= status < 600:
            raise ServerError("the clearing center failed ({detail})", status, detail=detail)
        raise BadResponseError(
            "{what}: unexpected HTTP {status}",
            what=what,
            status=f"{status} {answer.reason}".strip(),
        )

    # -- calls: identity ------------------------------------------------------------------------

    def server_time(self) -> datetime:
        """The center's clock (also sets the offset used to timestamp signed requests)."""
        sent, sent_elapsed = time.time(), elapsed()
        answer = self._exchange("GET", "/v1/time", None, idempotent=True, signed=False)
        received, received_elapsed = time.time(), elapsed()
        f = self._expect(answer, "time")
        now = f.when("now")
        now_us = f.integer("now_us")
        self._offset = now_us / 1_000_000 - (sent + received) / 2
        self._reading = ClockReading(now, (sent_elapsed + received_elapsed) / 2)
        return now

    def clock_reading(self) -> ClockReading | None:
        """The center's clock as last read by :meth:`server_time` (None: never yet)."""
        return self._reading

    def enrol(
        self, code: str, device_id: str, terminal_id: str, device_key: Sm2PrivateKey
    ) -> Enrolment:
        """Enrol this device with its one-time code; sign further requests as it.

        Not retried once sent (the code works once). The journal key comes back SM2-encrypted
        to ``device_key`` and is returned unwrapped.
        """
        body = wire.encode(
            {
                "code": code,
                "device_id": device_id,
                "terminal_id": terminal_id,
                "public_key": device_key.public_key.hex().upper(),
            }
        )
        answer = self._exchange("POST", "/v1/enrol", body, idempotent=False, signed=False)
        if answer.status == 409:
            raise RefusedError(
                "{detail}",
                409,
                advice="Ask the administrator: the device id or its key is already enrolled.",
                detail=_detail(answer),
            )
        f = self._expect(answer, "enrolment", (201,), auth_403=True)
        key = _unwrap(device_key, f, "enrolment")
        fingerprint = f.text("fingerprint").upper()
        if fingerprint != models.key_fingerprint(device_key.public_key):
            raise BadResponseError("enrolment: the center registered another public key")
        if f.text("device_id") != device_id or f.text("terminal_id") != terminal_id:
            raise BadResponseError("enrolment: the center enrolled another device or terminal")
        enrolment = Enrolment(
            device_id=device_id,
            terminal_id=terminal_id,
            journal_key=key,
            fingerprint=fingerprint,
            center_public_key=f.hexbytes("center_public_key", PUBLIC_KEY_SIZE),
            enrolled_at=f.when("enrolled_at"),
            replaces=f.opt_text("replaces"),
        )
        self.use_device(device_id, device_key)
        self.center_key = enrolment.center_public_key
        return enrolment

    def rotate_key(self) -> IssuedKey:
        """A further journal MAC key (save it in the keystore before using it). Not retried."""
        answer = self._exchange("POST", "/v1/keys/rotate", None, idempotent=False)
        f = self._expect(answer, "key rotation", (201,))
        assert self._device_key is not None  # _sign refused otherwise
        return _unwrap(self._device_key, f, "key rotation")

    # -- calls: the journal --------------------------------------------------------------------

    def upload_batch(
        self,
        records: list[JournalRecord],
        checkpoint: Checkpoint | None = None,
        acknowledged_seq: int | None = None,
    ) -> UploadResult:
        """Upload records (and a checkpoint); the center's acknowledgement.

        ``acknowledged_seq``: how far this device holds the center to have acknowledged — a
        center that holds less (restored from a backup) raises its alarm. Idempotent on
        (device, seq), so retried. ``ConflictError`` on 409 (tamper alarm).
        """
        if len(records) > MAX_BATCH_RECORDS:
            raise ValueError(f"at most {MAX_BATCH_RECORDS} records per batch")
        document: dict[str, Any] = {"records": [wire.record_json(r) for r in records]}
        if checkpoint is not None:
            document["checkpoint"] = wire.checkpoint_json(checkpoint)
        if acknowledged_seq:
            document["device_acknowledged_seq"] = acknowledged_seq
        answer = self._exchange(
            "POST",
            "/v1/journal/batches",
            wire.encode(document),
            idempotent=True,
            read_timeout=self.settings.upload_read_timeout,
        )
        result = models.parse_upload(self._expect(answer, "upload", tamper_409=True))
        sent = {r.seq for r in records}
        if any(q.seq not in sent for q in result.quarantined):
            raise BadResponseError("upload: the center quarantined a record that was not sent")
        return result

    def cursor(self) -> Cursor:
        """How far the center holds this device's journal."""
        answer = self._exchange("GET", "/v1/journal/cursor", None, idempotent=True)
        return models.parse_cursor(self._expect(answer, "cursor"))

    # -- calls: taking over from a replaced device ----------------------------------------------

    def predecessor_cursor(self, old_device: str) -> Cursor:
        """How far the center holds the journal of the device this one replaces."""
        answer = self._exchange(
            "GET", f"/v1/devices/{quote(old_device, safe='')}/journal/cursor", None,
            idempotent=True,
        )  # fmt: skip
        return models.parse_cursor(self._expect(answer, "predecessor cursor"))

    def upload_predecessor_batch(
        self, old_device: str, records: list[JournalRecord], checkpoint: Checkpoint | None = None
    ) -> UploadResult:
        """Upload records of the replaced device's journal (its mirror), checked as its own."""
        if len(records) > MAX_BATCH_RECORDS:
            raise ValueError(f"at most {MAX_BATCH_RECORDS} records per batch")
        document: dict[str, Any] = {"records": [wire.record_json(r) for r in records]}
        if checkpoint is not None:
            document["checkpoint"] = wire.checkpoint_json(checkpoint)
        answer = self._exchange(
            "POST",
            f"/v1/devices/{quote(old_device, safe='')}/journal/batches",
            wire.encode(document),
            idempotent=True,
            read_timeout=self.settings.upload_read_timeout,
        )
        return models.parse_upload(self._expect(answer, "predecessor upload", tamper_409=True))

    def retire_predecessor(self, old_device: str, uploaded_to_seq: int | None) -> Retired:
        """Retire the replaced device (``None``: no copy of its journal survived)."""
        body = wire.encode({"uploaded_to_seq": uploaded_to_seq})
        answer = self._exchange(
            "POST", f"/v1/devices/{quote(old_device, safe='')}/retire", body, idempotent=True
        )
        return models.parse_retired(self._expect(answer, "retire"))

    # -- calls: lists ---------------------------------------------------------------------------

    def blacklist(self, since: int) -> BlacklistDelta:
        """Blacklist changes after version ``since`` (0: the whole list)."""
        if since < 0:
            raise ValueError("a blacklist version is never negative")
        answer = self._exchange("GET", f"/v1/blacklist?since={since}", None, idempotent=True)
        fields = self._expect(answer, "blacklist")
        self._check_signed(answer, "blacklist")
        return models.parse_blacklist(fields, since)

    def parameters(self) -> CenterParameters:
        """The parameter set in force."""
        answer = self._exchange("GET", "/v1/parameters", None, idempotent=True)
        fields = self._expect(answer, "parameters")
        self._check_signed(answer, "parameters")
        return models.parse_parameters(fields)

    def _check_signed(self, answer: _Answer, what: str) -> None:
        """Refuse an answer the pinned center key did not sign (nothing of it is used)."""
        if self.center_key is None:
            return
        if not answer_signature_ok(
            self.center_key, answer.target, answer.nonce, answer.content, answer.signature
        ):
            raise BadResponseError(
                "{what}: the answer is not signed by the clearing center this counter "
                "enrolled with",
                what=what,
            )

    # -- calls: cards ---------------------------------------------------------------------------

    def report_loss(self, card_serial: str, reason: str = "lost") -> LossReport:
        """Report a card lost (the center blacklists it); the active report if one exists.

        Not retried after it was sent: call again, the center answers 200 with the same report.
        """
        body = wire.encode({"card_serial": card_serial, "reason": reason})
        answer = self._exchange("POST", "/v1/loss-reports", body, idempotent=False)
        f = self._expect(answer, "loss report", (200, 201))
        return models.parse_loss_report(f, created=answer.status == 201)

    def loss_report(self, report_id: int) -> LossReport:
        """Where a loss report stands."""
        answer = self._exchange("GET", f"/v1/loss-reports/{int(report_id)}", None, idempotent=True)
        return models.parse_loss_report(self._expect(answer, "loss report"))

    def cancel_loss(self, report_id: int, approval: str) -> LossReport:
        """Cancel a loss report (the card comes off the blacklist). Idempotent.

        Only the outlet that took the report may; ``approval`` names the journal record of the
        supervisor's approval (``DEV-1#123``).
        """
        target = f"/v1/loss-reports/{int(report_id)}?approval={quote(approval, safe='')}"
        answer = self._exchange("DELETE", target, None, idempotent=True)
        return models.parse_loss_report(self._expect(answer, "loss report"))

    def settled_balance(self, card_serial: str) -> SettledBalance:
        """The balance of a lost card after its waiting period (RefusedError 409 before)."""
        answer = self._exchange(
            "GET", f"/v1/cards/{_serial(card_serial)}/settled-balance", None, idempotent=True
        )
        return models.parse_settled_balance(self._expect(answer, "settled balance"))

    def ledger(self, card_serial: str) -> CardLedger:
        """The card's loads and purchases as the center holds them."""
        answer = self._exchange(
            "GET", f"/v1/cards/{_serial(card_serial)}/ledger", None, idempotent=True
        )
        return models.parse_ledger(self._expect(answer, "ledger"))

    def passes(self, card_serial: str) -> tuple[CenterPass, ...]:
        """The annual passes bound to the card at any ticket office (empty: none).

        One attempt within ``online_timeout``, like online MAC2: a visitor waits at the gate and
        the office checks its own passes when the center does not answer.
        """
        serial = _serial(card_serial)
        answer = self._exchange("GET", f"/v1/passes/{serial}", None, idempotent=True, quick=True)
        return parse_passes(self._expect(answer, "passes"), serial)

    def authorize_load(self, request: LoadRequest) -> OnlineAuthorization:
        """MAC2 from the center for an online top-up.

        One attempt within ``online_timeout`` (connect and read): a clerk and a customer wait,
        and the counter's SAM can step in offline. Never retried (the center records it).
        """
        if len(request.random) != 4 or len(request.mac1) != 4:
            raise ValueError("the card's random number and MAC1 are 4 bytes each")
        document: dict[str, Any] = {
            "card_serial": _serial(request.card_serial),
            "algorithm": request.algorithm,
            "key_version": request.key_version,
            "amount_fen": request.amount_fen,
            "balance_fen": request.balance_fen,
            "online_atc": request.online_atc,
            "random": request.random.hex().upper(),
            "mac1": request.mac1.hex().upper(),
        }
        if request.card_type is not None:
            document["card_type"] = request.card_type
        if request.transfer_from is not None:
            document["transfer_from"] = _serial(request.transfer_from)
        answer = self._exchange(
            "POST", "/v1/loads/authorize", wire.encode(document), idempotent=False, quick=True
        )
        return models.parse_authorization(self._expect(answer, "load authorization"))

    def settlement(self, day: str) -> Settlement:
        """The calling outlet's totals and grey records of a business day (YYYY-MM-DD, UTC+8)."""
        datetime.strptime(day, "%Y-%m-%d")  # ValueError for anything else
        answer = self._exchange("GET", f"/v1/settlement?date={day}", None, idempotent=True)
        assert self._device_id is not None  # _sign refused otherwise
        return models.parse_settlement(self._expect(answer, "settlement"), self._device_id)


def _serial(card_serial: str) -> str:
    serial = card_serial.upper()
    if (
        not 2 <= len(serial) <= 20
        or len(serial) % 2
        or any(c not in "0123456789ABCDEF" for c in serial)
    ):
        raise ValueError(f"{card_serial!r} is not a card serial (whole bytes in hex)")
    return serial


def _unwrap(device_key: Sm2PrivateKey, f: Fields, what: str) -> IssuedKey:
    key_id = f.text("key_id")
    if not key_id:
        raise BadResponseError("{what}: empty key id", what=what)
    try:
        key = sm2_decrypt(device_key, f.hexbytes("wrapped_key"))
    except Sm2Error as exc:
        raise BadResponseError(
            "{what}: the wrapped key does not decrypt: {reason}", what=what, reason=str(exc)
        ) from exc
    if len(key) != models.JOURNAL_KEY_SIZE:
        raise BadResponseError(
            "{what}: the journal key is {size} bytes, not 32", what=what, size=len(key)
        )
    return IssuedKey(key_id, key)


def _conflicts(answer: _Answer) -> tuple[Conflict, ...]:
    """The conflicting seqs of a 409 (an empty tuple when the body does not say)."""
    try:
        f = Fields(wire.decode(answer.content, "conflict"), "conflict")
        return tuple(
            Conflict(
                c.integer("seq", 1), c.hexbytes("stored_mac", 32), c.hexbytes("offered_mac", 32)
            )
            for c in f.objects("conflicts")
        )
    except BadResponseError:
        return ()
