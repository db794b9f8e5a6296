"""Two city centers and the national platform for the interchange tests.

A Wuxi scenic office (a real journal and store, the scenic service, a virtual Hangzhou card
over the in-process transport) sells admissions paid from the card's purse and uploads its
journal to the Wuxi center through the counter's own sync client. The rig's software SAM holds
the card's keys: it stands in for a PSAM with the national purchase key (not built yet).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from app.domain.parameters import Parameters
from app.journal import Journal, RecordKind
from app.services.purchase import PurchaseService
from app.services.scenic import ScenicService
from app.store import parameters as stored_parameters
from app.store.database import Store
from app.sync.client import CenterClient
from app.sync.uploader import Uploader
from clearing.center import open_center
from clearing.interchange import platform
from clearing.settings import Settings
from tests.services.counter_support import CLERK, SHIFT
from tests.sync.support import (
    ISSUER_PASSPHRASE,
    ROOT,
    TERMINAL_ID,
    CenterProcess,
    Enrolled,
    enrol,
    free_port,
    wait_until_up,
)

CST = timezone(timedelta(hours=8))
WUXI_ISSUER = "2140"
HANGZHOU_ISSUER = "3100"


def now() -> datetime:
    return datetime.now(UTC)


def register(platform_db: str, city: str, center_db: str, codes: list[str]) -> None:
    """Register ``center_db``'s center as ``city`` with the platform (as the CLI does)."""
    center = open_center(Settings(db_url=center_db))
    key = center.identity.public_key
    center.close()
    hub = open_center(Settings(db_url=platform_db))
    try:
        with hub.sessions.begin() as session:
            platform.register_member(session, city, key, codes, hub.now_us())
    finally:
        hub.close()


@dataclass
class ScenicOffice:
    """A Wuxi ticket office enrolled at the Wuxi center."""

    enrolled: Enrolled
    journal: Journal
    store: Store
    desk: ScenicService

    @property
    def client(self) -> CenterClient:
        return self.enrolled.client

    def sell(self, card: object, adults: int) -> int:
        """Sell ``adults`` admissions paid from the card's purse; the amount."""
        sale = self.desk.sell_tickets(
            CLERK, SHIFT, self.desk.basket({"adult": adults}), "card_purse", card
        )
        return sale.total_fen

    def upload(self) -> None:
        Uploader(self.client, self.journal, checkpoint_every=None).upload()

    def purse_takings(self) -> int:
        return sum(r.amount_fen or 0 for r in self.journal.records_of_kinds(RecordKind.TICKET_SALE))

    def close(self) -> None:
        self.client.close()
        self.journal.close()
        self.store.close()


def scenic_office(
    directory: Path, base: str, db_url: str, sam: object, device: str
) -> ScenicOffice:
    """A Wuxi counter: enrolled, its parameters saying Wuxi's issuer code is home."""
    directory.mkdir(parents=True, exist_ok=True)
    enrolled = enrol(base, db_url, device)
    journal = Journal.create(directory / "journal.sqlite3", enrolled.keys, device, TERMINAL_ID)
    store = Store.open_or_create(directory / "counter.sqlite3")
    params = Parameters.default()
    wuxi = Parameters(**{**params.__dict__, "version": 1, "issuer_codes": (WUXI_ISSUER,)})
    stored_parameters.save(store, wuxi, 0)
    purchases = PurchaseService(
        journal,
        store,
        sam,  # type: ignore[arg-type]
        now,
        CST,
    )
    desk = ScenicService(
        journal,
        store,
        purchases,
        secrets.token_bytes(32),
        directory,
        now,
        CST,
        national_key=True,
    )
    return ScenicOffice(enrolled, journal, store, desk)


@contextmanager
def platform_thread(db_url: str) -> Iterator[str]:
    """The real platform application served by uvicorn on loopback, in a thread."""
    import uvicorn  # noqa: PLC0415

    from clearing.interchange.api import create_platform_app  # noqa: PLC0415

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_platform_app(Settings(db_url=db_url)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, name="platform", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the in-thread platform did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class PlatformProcess(CenterProcess):
    """`citycard-center platform serve` as a real process the test can SIGKILL and restart."""

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "clearing.cli",
                    "platform",
                    "serve",
                    "--db",
                    self.db_url,
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        process = self.process
        wait_until_up(self.base, lambda: process.poll() is None)
        self.starts += 1


def sync_process(
    db_url: str, platform_url: str, city: str, log: Path, keystore: Path | None = None
) -> subprocess.Popen[bytes]:
    """One `citycard-center interchange sync` round as its own process (``keystore``: the
    issuer's keys, to check the TACs of the records it takes in)."""
    keys = [] if keystore is None else ["--issuer-keystore", str(keystore)]
    env = dict(os.environ, CITYCARD_ISSUER_PASSPHRASE=ISSUER_PASSPHRASE)
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clearing.cli",
                "interchange",
                "sync",
                "--db",
                db_url,
                "--platform",
                platform_url,
                "--city",
                city,
                "--timeout",
                "1.5",
                *keys,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env,
        )
