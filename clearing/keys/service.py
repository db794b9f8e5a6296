"""The key service: a separate process that does what the PKCS#11 token cannot (SM4, DES TAC).

It is the stand-in for a GM/T 0018 cipher machine (密码机): its own OS user, its keys in an
encrypted keystore file readable by that user alone, unsealed with a passphrase read from a
private file (or a systemd credential), answering on a Unix socket whose mode lets only the
center's group connect. It offers exactly :class:`~clearing.keys.interface.IssuerKeys` — the web
workers call it through :class:`KeyServiceIssuerKeys` and never see a key.

It also wraps the center's own secrets at rest (:mod:`clearing.keys.wrapping`) under the
keystore's ``center/wrap`` key (made at its first start).

Protocol: one JSON object per line each way. Request ``{"op": "authorize_load"|"load_tac",
"auth": {...}}`` (the :class:`~app.card.sam.LoadAuthorization` fields, bytes in hex, ``when`` as
``YYYYMMDDhhmmss``), ``{"op": "purchase_tac", "auth": {...}}`` (the
:class:`~app.card.sam.PurchaseAuthorization` fields, likewise) or ``{"op": "wrap"|"unwrap",
"data": "<hex>", "context": "…"}``; answer
``{"ok": "<hex>"}`` or ``{"error": "mac"|"keys"|"value", "message": "…"}``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import socketserver
from datetime import datetime
from pathlib import Path
from typing import Any

from app.card.errors import CardMacError
from app.card.sam import LoadAuthorization, PurchaseAuthorization, SamKeyError, SoftwareSam
from app.card.session import PurseKeyRef
from app.crypto.keystore import Keystore
from app.crypto.purse import PurseAlgorithm
from clearing.keys.interface import IssuerKeys, KeysUnavailableError
from clearing.keys.secrets_file import private_file_problem, read_secret_file
from clearing.keys.software import SoftwareIssuerKeys
from clearing.keys.wrapping import SecretWrapper, SoftwareWrapper

log = logging.getLogger(__name__)

WHEN_FORMAT = "%Y%m%d%H%M%S"
MAX_LINE = 4096
OPERATIONS = ("authorize_load", "load_tac", "purchase_tac")
WRAPPING = ("wrap", "unwrap")
WRAP_ENTRY = "center/wrap"


class KeyServiceError(KeysUnavailableError):
    """The key service cannot start, or cannot be reached."""


def auth_to_json(auth: LoadAuthorization) -> dict[str, Any]:
    """The request's ``auth`` object."""
    return {
        "serial": auth.serial.hex(),
        "algorithm": int(auth.keys.algorithm),
        "key_version": auth.keys.key_version,
        "random": auth.random.hex(),
        "online_atc": auth.online_atc,
        "balance_fen": auth.balance_fen,
        "amount_fen": auth.amount_fen,
        "terminal_id": auth.terminal_id.hex(),
        "mac1": auth.mac1.hex(),
        "when": auth.when.strftime(WHEN_FORMAT),
    }


def auth_from_json(obj: Any) -> LoadAuthorization:
    """The authorisation of a request (``ValueError``, ``KeyError``, ``TypeError`` if bad)."""
    if not isinstance(obj, dict):
        raise TypeError("auth is not an object")
    return LoadAuthorization(
        serial=bytes.fromhex(str(obj["serial"])),
        keys=PurseKeyRef(PurseAlgorithm(int(obj["algorithm"])), int(obj["key_version"])),
        random=bytes.fromhex(str(obj["random"])),
        online_atc=int(obj["online_atc"]),
        balance_fen=int(obj["balance_fen"]),
        amount_fen=int(obj["amount_fen"]),
        terminal_id=bytes.fromhex(str(obj["terminal_id"])),
        mac1=bytes.fromhex(str(obj["mac1"])),
        when=datetime.strptime(str(obj["when"]), WHEN_FORMAT),
    )


def purchase_to_json(auth: PurchaseAuthorization) -> dict[str, Any]:
    """The ``auth`` object of a ``purchase_tac`` request."""
    return {
        "serial": auth.serial.hex(),
        "algorithm": int(auth.keys.algorithm),
        "key_version": auth.keys.key_version,
        "random": auth.random.hex(),
        "offline_atc": auth.offline_atc,
        "amount_fen": auth.amount_fen,
        "transaction_type": auth.transaction_type,
        "terminal_id": auth.terminal_id.hex(),
        "terminal_seq": auth.terminal_seq,
        "when": auth.when.strftime(WHEN_FORMAT),
        "card_data": auth.card_data.hex(),
        "diversifier": auth.diversifier.hex(),
    }


def purchase_from_json(obj: Any) -> PurchaseAuthorization:
    """The purchase of a ``purchase_tac`` request (``ValueError``, ``KeyError``, ``TypeError``)."""
    if not isinstance(obj, dict):
        raise TypeError("auth is not an object")
    return PurchaseAuthorization(
        serial=bytes.fromhex(str(obj["serial"])),
        keys=PurseKeyRef(PurseAlgorithm(int(obj["algorithm"])), int(obj["key_version"])),
        random=bytes.fromhex(str(obj["random"])),
        offline_atc=int(obj["offline_atc"]),
        amount_fen=int(obj["amount_fen"]),
        transaction_type=int(obj["transaction_type"]),
        terminal_id=bytes.fromhex(str(obj["terminal_id"])),
        terminal_seq=int(obj["terminal_seq"]),
        when=datetime.strptime(str(obj["when"]), WHEN_FORMAT),
        card_data=bytes.fromhex(str(obj["card_data"])),
        diversifier=bytes.fromhex(str(obj["diversifier"])),
    )


def _compute(keys: IssuerKeys, op: str, auth: LoadAuthorization | PurchaseAuthorization) -> bytes:
    if isinstance(auth, PurchaseAuthorization):
        return keys.purchase_tac(auth)
    return keys.authorize_load(auth) if op == "authorize_load" else keys.load_tac(auth)


def _wrapping(wrapper: SecretWrapper | None, request: Any) -> dict[str, str]:
    if wrapper is None:
        return {"error": "keys", "message": "this key service holds no wrapping key"}
    try:
        data = bytes.fromhex(str(request["data"]))
        context = str(request["context"])
        result = (
            wrapper.wrap(data, context)
            if request["op"] == "wrap"
            else wrapper.unwrap(data, context)
        )
    except (ValueError, KeyError, TypeError) as exc:
        return {"error": "value", "message": str(exc)}
    return {"ok": result.hex()}


def answer(keys: IssuerKeys, line: bytes, wrapper: SecretWrapper | None = None) -> dict[str, str]:
    """The answer to one request line (never raises for bad input)."""
    try:
        request = json.loads(line)
        op = request["op"]
        if op in WRAPPING:
            return _wrapping(wrapper, request)
        if op not in OPERATIONS:
            raise ValueError(f"unknown operation {op!r}")
        auth: LoadAuthorization | PurchaseAuthorization = (
            purchase_from_json(request["auth"])
            if op == "purchase_tac"
            else auth_from_json(request["auth"])
        )
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        return {"error": "value", "message": f"bad request: {exc.__class__.__name__}: {exc}"}
    try:
        result = _compute(keys, op, auth)
    except SamKeyError as exc:
        return {"error": "keys", "message": str(exc)}
    except CardMacError as exc:
        return {"error": "mac", "message": str(exc)}
    except (ValueError, OverflowError) as exc:
        return {"error": "value", "message": str(exc)}
    return {"ok": result.hex()}


class _Handler(socketserver.StreamRequestHandler):
    server: KeyServiceServer

    def handle(self) -> None:
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            if not line:
                return
            if len(line) > MAX_LINE:
                self._send({"error": "value", "message": "request line too long"})
                return
            self._send(answer(self.server.keys, line, self.server.wrapper))

    def _send(self, obj: dict[str, str]) -> None:
        self.wfile.write(json.dumps(obj).encode() + b"\n")
        self.wfile.flush()


class KeyServiceServer(socketserver.ThreadingUnixStreamServer):
    """The service's socket server (one thread per connection)."""

    daemon_threads = True

    def __init__(
        self,
        socket_path: Path,
        keys: IssuerKeys,
        mode: int = 0o660,
        wrapper: SecretWrapper | None = None,
    ) -> None:
        self.keys = keys
        self.wrapper = wrapper
        if socket_path.exists() or socket_path.is_symlink():
            socket_path.unlink()
        old = os.umask(0o177)  # the socket is born private; then opened to the group
        try:
            super().__init__(str(socket_path), _Handler)
        finally:
            os.umask(old)
        os.chmod(socket_path, mode)
        self.socket_path = socket_path

    def server_close(self) -> None:
        """Close and remove the socket."""
        super().server_close()
        self.socket_path.unlink(missing_ok=True)


def load_service_keys(
    keystore: Path, passphrase_file: Path
) -> tuple[SoftwareIssuerKeys, SoftwareWrapper]:
    """The service's issuer keys and secret wrapper, from its keystore.

    The keystore must be private to this user, like the passphrase file; the wrapping key is made
    (and saved) the first time.
    """
    problem = private_file_problem(keystore)
    if problem is not None:
        raise KeyServiceError(f"the key file: {problem}")
    passphrase = read_secret_file(passphrase_file)
    store = Keystore.open(keystore, passphrase)
    if WRAP_ENTRY not in store.names():
        store.put(WRAP_ENTRY, secrets.token_bytes(32))
        store.save(passphrase)
        keystore.chmod(0o600)
    return SoftwareIssuerKeys(SoftwareSam.from_keystore(store)), SoftwareWrapper(
        store.get(WRAP_ENTRY)
    )


class KeyServiceIssuerKeys:
    """:class:`IssuerKeys` answered by the key service on ``socket_path`` (a connection a call)."""

    def __init__(self, socket_path: Path, timeout: float = 5.0) -> None:
        self.socket_path = socket_path
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"KeyServiceIssuerKeys({str(self.socket_path)!r})"

    def _call(self, op: str, auth: LoadAuthorization) -> bytes:
        return self.request({"op": op, "auth": auth_to_json(auth)})

    def request(self, obj: dict[str, Any]) -> bytes:
        """One request to the service; its ``ok`` bytes (typed errors otherwise)."""
        request = json.dumps(obj).encode() + b"\n"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(self.timeout)
                conn.connect(str(self.socket_path))
                conn.sendall(request)
                reply = conn.makefile("rb").readline(MAX_LINE + 1)
        except OSError as exc:
            raise KeyServiceError(
                f"the key service at {self.socket_path} does not answer: {exc}"
            ) from exc
        try:
            obj = json.loads(reply)
        except ValueError as exc:
            raise KeyServiceError(f"the key service answered nonsense: {reply[:80]!r}") from exc
        if "ok" in obj:
            return bytes.fromhex(str(obj["ok"]))
        message = str(obj.get("message", "no message"))
        if obj.get("error") == "mac":
            raise CardMacError(message)
        if obj.get("error") == "keys":
            raise SamKeyError(message)
        raise ValueError(message)

    def authorize_load(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`IssuerKeys.authorize_load`."""
        return self._call("authorize_load", auth)

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`IssuerKeys.load_tac`."""
        return self._call("load_tac", auth)

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """See :meth:`IssuerKeys.purchase_tac`."""
        return self.request({"op": "purchase_tac", "auth": purchase_to_json(auth)})

    def close(self) -> None:
        """Nothing held open between calls."""


class KeyServiceWrapper:
    """:class:`~clearing.keys.wrapping.SecretWrapper` answered by the key service."""

    def __init__(self, socket_path: Path, timeout: float = 5.0) -> None:
        self._calls = KeyServiceIssuerKeys(socket_path, timeout)

    def __repr__(self) -> str:
        return f"KeyServiceWrapper({str(self._calls.socket_path)!r})"

    def wrap(self, secret: bytes, context: str) -> bytes:
        """See :meth:`SecretWrapper.wrap`."""
        return self._calls.request({"op": "wrap", "data": secret.hex(), "context": context})

    def unwrap(self, blob: bytes, context: str) -> bytes:
        """See :meth:`SecretWrapper.unwrap`."""
        return self._calls.request({"op": "unwrap", "data": blob.hex(), "context": context})

    def close(self) -> None:
        """Nothing held open between calls."""
