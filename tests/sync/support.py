"""Helpers of the sync tests: a real center (process or thread), enrolment, realistic journals."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.sync.client import CenterClient
from app.sync.settings import ClientSettings

ROOT = Path(__file__).resolve().parents[2]
TERMINAL_ID = "0102030405A1"
METHODS = ("cash", "wechat", "alipay", "bank_card")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def enrolment_code(db_url: str, device_id: str, replaces: str | None = None) -> str:
    """A one-time code, made as the administrator's CLI does (in this process: faster)."""
    from clearing.center import open_center  # noqa: PLC0415
    from clearing.enrolment import create_code  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415

    center = open_center(Settings(db_url=db_url))
    try:
        return create_code(center, device_id, replaces=replaces)
    finally:
        center.close()


def wait_until_up(base: str, alive: Any = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if alive is not None and not alive():
            raise RuntimeError("the center exited while starting")
        try:
            if requests.get(f"{base}/v1/time", timeout=1, verify=False).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the center at {base} did not answer within {timeout} s")
        time.sleep(0.05)


class CenterProcess:
    """`citycard-center serve` as a real process that the test can SIGKILL and start again."""

    def __init__(
        self,
        db_url: str,
        port: int,
        log: Path,
        issuer_keystore: Path | None = None,
        issuer_passphrase: str | None = None,
    ) -> None:
        self.db_url = db_url
        self.port = port
        self.log = log
        self.issuer_keystore = issuer_keystore
        self.issuer_passphrase = issuer_passphrase
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        env = dict(os.environ)
        issuer: list[str] = []
        if self.issuer_keystore is not None:
            secret = self.log.parent / "issuer-passphrase"
            secret.write_text(self.issuer_passphrase or "")
            secret.chmod(0o600)
            issuer = [
                "--issuer-keystore",
                str(self.issuer_keystore),
                "--passphrase-file",
                str(secret),
            ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "clearing.cli",
                    "serve",
                    "--db",
                    self.db_url,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                    *issuer,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env=env,
            )
        process = self.process
        wait_until_up(self.base, lambda: process.poll() is None)
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> CenterProcess:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@contextmanager
def center_thread(
    db_url: str, certfile: Path | None = None, keyfile: Path | None = None, **settings: Any
) -> Iterator[str]:
    """The real center application served by uvicorn on loopback, in a thread of this process.

    ``settings`` go to the center's :class:`~clearing.settings.Settings` (issuer keys…).
    """
    import uvicorn  # noqa: PLC0415

    from clearing.app import create_app  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415

    port = free_port()
    config = uvicorn.Config(
        create_app(Settings(db_url=db_url, **settings)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ssl_certfile=None if certfile is None else str(certfile),
        ssl_keyfile=None if keyfile is None else str(keyfile),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="center", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the in-thread center did not start")
        time.sleep(0.02)
    scheme = "https" if certfile is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Enrolled:
    client: CenterClient
    keys: JournalKeys
    device_id: str


def enrol(
    base: str,
    db_url: str,
    device_id: str = "DEV-1",
    terminal_id: str = TERMINAL_ID,
    **settings: Any,
) -> Enrolled:
    """Enrol a new device through the client; the client signs as it afterwards."""
    code = enrolment_code(db_url, device_id)
    device_key = Sm2PrivateKey.generate()
    client = CenterClient(ClientSettings(base, **settings))
    enrolment = client.enrol(code, device_id, terminal_id, device_key)
    issued = enrolment.journal_key
    keys = JournalKeys({issued.key_id: issued.key}, issued.key_id, device_key)
    return Enrolled(client, keys, device_id)


def top_up_entries(
    rng: random.Random, start_seq: int, pairs: int, shift_id: int = 1
) -> list[Entry]:
    """``pairs`` online top-ups as the top-up service journals them (intent, then its outcome).

    Online: no SAM seq (an offline load's ISAM seq must run without gaps, and the center alarms
    on a gap — a generator that gave one per journal seq made thousands of false alarms).

    ``start_seq`` is the seq the first entry will get. About 1 in 25 ends not done and 1 in 50
    stays grey (no outcome), so each intent that gets an outcome is followed by it.
    """
    entries: list[Entry] = []
    seq = start_seq
    balances: dict[str, int] = {}
    for _ in range(pairs):
        serial = f"31000000{rng.randrange(1, 400):08d}"
        amount = rng.choice((1_000, 2_000, 5_000, 10_000, 20_000, 50_000))
        method = rng.choice(METHODS)
        before = balances.get(serial, rng.randrange(0, 5_000))
        atc = rng.randrange(1, 60_000)
        intent = Entry(
            RecordKind.LOAD_INTENT,
            operator="op1",
            shift_id=shift_id,
            card_serial=serial,
            amount_fen=amount,
            payment_method=method,
            balance_before_fen=before,
            atc=atc,
            terminal_seq=None,  # online: the center's MAC2 (only an ISAM's offline load has a seq)
            mac1=rng.randbytes(4),
            mac2=rng.randbytes(4),
            payload={"path": "online"},
        )
        entries.append(intent)
        intent_seq = seq
        seq += 1
        roll = rng.random()
        if roll < 0.02:
            continue  # grey: the card left during the write and never came back
        if roll < 0.06:
            outcome = Entry(
                RecordKind.LOAD_OUTCOME,
                operator="op1",
                shift_id=shift_id,
                card_serial=serial,
                balance_after_fen=before,
                atc=atc,
                intent_seq=intent_seq,
                payload={"outcome": "not_done", "reason": "card removed before CREDIT"},
            )
        else:
            balances[serial] = before + amount
            outcome = Entry(
                RecordKind.LOAD_OUTCOME,
                operator="op1",
                shift_id=shift_id,
                card_serial=serial,
                amount_fen=amount,
                payment_method=method,
                balance_before_fen=before,
                balance_after_fen=before + amount,
                atc=atc,
                tac=rng.randbytes(4),
                intent_seq=intent_seq,
                payload={"outcome": "done"},
            )
        entries.append(outcome)
        seq += 1
    return entries


def append_top_ups(journal: Journal, rng: random.Random, records: int, chunk: int = 1_000) -> None:
    """Append about ``records`` records of top-ups in transactions of ``chunk`` entries."""
    target = journal.head()[0] + records
    while True:
        head = journal.head()[0]
        left = target - head
        if left <= 0:
            return
        entries = top_up_entries(rng, head + 1, max(1, min(chunk, left) // 2))
        journal.append_many(entries[:left])


ISSUER_PASSPHRASE = "issuer pass"


def issuer_keystore(path: Path, *issuers: Any) -> Path:
    """A keystore with the issuers' master keys, as ``citycard-center --issuer-keystore`` reads."""
    from app.crypto.keystore import KdfParams, Keystore  # noqa: PLC0415

    entries: dict[str, bytes] = {}
    for issuer in issuers:
        entries.update(issuer.keystore_entries())
    Keystore.create(path, ISSUER_PASSPHRASE, entries, KdfParams(1024, 1, 1))
    return path
