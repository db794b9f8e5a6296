"""Online against offline top-up: MAC2 from the clearing center on loopback, or from the SAM.

``python -m bench online_topup`` starts ``citycard-center serve`` (fresh SQLite database, the
bench issuer's keys), enrols a device through the client and tops up one in-process virtual card
with two ``TopUpService`` instances over the same journal, interleaved so that disk noise hits
both alike:

- offline: MAC2 from the software SAM (the brakes are set out of the way);
- online: MAC2 from ``POST /v1/loads/authorize`` — SM2-signed request, the center's signature and
  nonce checks, blacklist and limits lookups, MAC1 check, MAC2, the authorisation stored
  (SQLite, ``synchronous=FULL``), the answer checked.

It prints both medians, the ratio online/offline, and the bare authorisation call alone (what
the online path adds). Figures depend on the machine: compare the ratio, not the milliseconds.
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.sam import LoadAuthorization, SoftwareSam
from app.card.session import CityCard
from app.crypto.keystore import KdfParams, Keystore
from app.crypto.purse import PurseAlgorithm
from app.crypto.sm2 import Sm2PrivateKey
from app.domain.parameters import CardTypeRules, OfflineBrakes, Parameters
from app.domain.people import Actor, Role
from app.journal import Journal, JournalKeys
from app.services.topup import TopUpService
from app.store import parameters as stored_parameters
from app.store.database import Store
from app.sync import CenterClient, ClientSettings
from app.sync.models import LoadRequest
from bench.bench_card import TERMINAL, _card
from bench.bench_sync import _center, _cli

CHINA = timezone(timedelta(hours=8))
CLERK = Actor("bench", "bench", Role.CLERK)
DEVICE_ID = "BENCH-ON"
AMOUNT = 1_000
ROUNDS = int(os.environ.get("BENCH_ONLINE_ROUNDS", "150"))
PASSPHRASE = "bench issuer"
ROOMY_PARAMETERS = {
    "card_types": [
        {
            "code": 1,
            "name": "bench",
            "min_top_up_fen": 1_000,
            "max_top_up_fen": 100_000,
            "top_up_multiple_fen": 1_000,
        }
    ],
    "balance_ceiling_fen": 0xFFFFFFFF,
    "fees": {"replacement_fen": 2_000, "exchange_fen": 1_000, "refund_fen": 0},
    "offline": {
        "max_top_up_fen": 100_000,
        "max_shift_total_fen": 10**12,
        "max_count": 10**9,
        "max_unsynced_age_seconds": 10**9,
    },
    "replacement_waiting_days": 7,
    # hundreds of online top-ups on one card in a day: caps the center will not stop at
    "online": {"device_daily_fen": 10**15, "card_daily_fen": 10**15},
}


def _store(directory: Path) -> Store:
    store = Store.create(directory / "counter.sqlite3")
    roomy = dataclasses.replace(
        Parameters.default(),
        version=1,
        card_types=(CardTypeRules(0x01, "bench", 1_000, 100_000, 1_000, 0xFFFFFFFF),),
        brakes=OfflineBrakes(100_000, 10**12, 10**9, 10**9),
    )
    stored_parameters.save(store, roomy, 0)
    return store


def _authorize_alone(client: CenterClient, card: CityCard, rounds: int) -> list[float]:
    """The online MAC2 call by itself: a fresh INITIALIZE FOR LOAD each time (not timed)."""
    times = []
    for _ in range(rounds):
        init = card.initialize_for_load(AMOUNT, TERMINAL)
        auth = LoadAuthorization.from_init(card.serial, init, datetime.now(CHINA))
        request = LoadRequest(
            card.serial.hex().upper(), "DES", auth.keys.key_version, AMOUNT,
            auth.balance_fen, auth.online_atc, auth.random, auth.mac1, 0x01,
        )  # fmt: skip
        t = time.perf_counter()
        client.authorize_load(request)
        times.append(time.perf_counter() - t)
    return times


def run() -> None:
    """Print the online and offline top-up figures and their ratio."""
    issuer = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
    sam = SoftwareSam({1: issuer})
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        keystore = directory / "issuer.keystore"
        Keystore.create(keystore, PASSPHRASE, issuer.keystore_entries(), KdfParams(1024, 1, 1))
        db_url = f"sqlite:///{directory / 'center.sqlite3'}"
        # the bench card takes hundreds of top-ups: a ceiling the center will not stop at
        roomy = directory / "parameters.json"
        roomy.write_text(json.dumps(ROOMY_PARAMETERS))
        _cli("parameters", "--db", db_url, "--publish", str(roomy))
        code = _cli("enrolment-code", "--db", db_url, "--device", DEVICE_ID)
        secret = directory / "issuer-passphrase"
        secret.write_text(PASSPHRASE)
        secret.chmod(0o600)
        log = directory / "center.log"
        key_args = ("--issuer-keystore", str(keystore), "--passphrase-file", str(secret))
        with _center(db_url, log, *key_args, env={}) as base:
            client = CenterClient(ClientSettings(base))
            device_key = Sm2PrivateKey.generate()
            enrolment = client.enrol(code, DEVICE_ID, TERMINAL.hex().upper(), device_key)
            issued = enrolment.journal_key
            keys = JournalKeys({issued.key_id: issued.key}, issued.key_id, device_key)
            journal = Journal.create(
                directory / "journal.sqlite3", keys, DEVICE_ID, TERMINAL.hex().upper()
            )
            store = _store(directory)
            clock = lambda: datetime.now(UTC)  # noqa: E731
            offline = TopUpService(journal, store, sam, clock, CHINA)
            online = TopUpService(journal, store, sam, clock, CHINA, client)
            card = CityCard.open(InProcessTransport(_card(issuer, directory / "card.json")))
            client.server_time()
            for service in (offline, online):  # warm both paths (connections, caches)
                service.top_up(CLERK, 1, card, AMOUNT, "cash")
            sam_times: list[float] = []
            center_times: list[float] = []
            for i in range(ROUNDS):
                for service, times in ((offline, sam_times), (online, center_times)):
                    t = time.perf_counter()
                    receipt = service.top_up(CLERK, 2 + i // 100, card, AMOUNT, "cash")
                    times.append(time.perf_counter() - t)
                    assert receipt.online is (service is online), "the path was not the one meant"
            alone = _authorize_alone(client, card, ROUNDS)
            client.close()
            journal.close()
            store.close()
    s, c, a = (statistics.median(x) * 1e3 for x in (sam_times, center_times, alone))
    print(f"top-up offline (SAM MAC2):    median {s:7.2f} ms over {ROUNDS}")
    print(f"top-up online (center MAC2):  median {c:7.2f} ms over {ROUNDS}")
    print(f"  the authorisation call alone: median {a:.2f} ms (signed POST, checks, stored)")
    print(f"  ratio online/offline = {c / s:.2f}; online adds {c - s:.2f} ms")
