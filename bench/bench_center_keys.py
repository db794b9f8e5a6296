"""Online top-up with MAC2 from a PKCS#11 token (SoftHSM2) against keys in the web process.

``python -m bench center_keys`` makes a SoftHSM2 token in a temporary directory, imports the
bench issuer's DES master keys into it (the ceremony's code), and starts two
``citycard-center serve`` processes on loopback: one with ``--pkcs11-module`` (card key, session
key, MAC1 check and MAC2 inside the token), one with ``--issuer-keystore`` (the software path,
keys in memory: the baseline). One device is enrolled with each; each tops up its own in-process
virtual card, interleaved round by round so that disk and CPU noise hit both alike. Printed: the
median online top-up and the bare authorisation call on each path, the ratio token/software,
and the key operation alone (``IssuerKeys.authorize_load`` in this process). Compare ratios,
not milliseconds.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet, master_key_name
from app.card.sam import LoadAuthorization, SoftwareSam
from app.card.session import CityCard
from app.crypto.keystore import KdfParams, Keystore
from app.crypto.purse import PurseAlgorithm
from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Journal, JournalKeys
from app.services.topup import TopUpService
from app.store.database import Store
from app.sync import CenterClient, ClientSettings
from bench.bench_card import TERMINAL, _card
from bench.bench_online_topup import (
    AMOUNT,
    CHINA,
    CLERK,
    PASSPHRASE,
    ROOMY_PARAMETERS,
    _authorize_alone,
    _store,
)
from bench.bench_sync import _center, _cli

ROUNDS = int(os.environ.get("BENCH_KEYS_ROUNDS", "100"))


def _token(directory: Path, issuer: IssuerKeySet) -> tuple[str, ...]:
    """A SoftHSM2 token holding ``issuer``'s master keys; the ``serve`` options that use it."""
    from clearing.keys.ceremony import import_master_key  # noqa: PLC0415
    from clearing.keys.token import open_session  # noqa: PLC0415
    from tests.clearing.softhsm import create_token  # noqa: PLC0415

    settings = create_token(directory / "hsm")  # sets SOFTHSM2_CONF for us and the centers
    session = open_session(settings)
    try:
        for kind, value in issuer.master_keys.items():
            import_master_key(session, master_key_name(issuer.algorithm, 1, kind), value)
    finally:
        session.close()
    return (
        "--pkcs11-module", str(settings.module), "--token-label", settings.token_label,
        "--pin-file", str(settings.pin_file),
    )  # fmt: skip


def _counter(
    directory: Path, base: str, db_url: str, issuer: IssuerKeySet, name: str
) -> tuple[CenterClient, Journal, Store, TopUpService, CityCard]:
    """An enrolled device with its journal, store, online top-up service and card."""
    home = directory / name
    home.mkdir()
    code = _cli("enrolment-code", "--db", db_url, "--device", name)
    client = CenterClient(ClientSettings(base))
    device_key = Sm2PrivateKey.generate()
    terminal = TERMINAL.hex().upper()
    issued = client.enrol(code, name, terminal, device_key).journal_key
    keys = JournalKeys({issued.key_id: issued.key}, issued.key_id, device_key)
    journal = Journal.create(home / "journal.sqlite3", keys, name, terminal)
    store = _store(home)
    sam = SoftwareSam({1: issuer})  # checks the TAC after CREDIT, as the counter does
    clock = lambda: datetime.now(UTC)  # noqa: E731
    service = TopUpService(journal, store, sam, TERMINAL, clock, CHINA, client)
    card = CityCard.open(InProcessTransport(_card(issuer, home / "card.json")))
    client.server_time()
    return client, journal, store, service, card


def _key_operation_alone(token_args: tuple[str, ...], issuer: IssuerKeySet) -> tuple[float, float]:
    """Median ``authorize_load`` through the token and in software, in this process (ms)."""
    from clearing.keys.software import SoftwareIssuerKeys  # noqa: PLC0415
    from clearing.keys.token import TokenIssuerKeys, TokenSettings  # noqa: PLC0415

    settings = TokenSettings(Path(token_args[1]), token_args[3], Path(token_args[5]))
    token = TokenIssuerKeys.open(settings)
    software = SoftwareIssuerKeys(SoftwareSam({1: issuer}))
    card = CityCard.open(InProcessTransport(_card(issuer, None)))
    init = card.initialize_for_load(AMOUNT, TERMINAL)
    auth = LoadAuthorization.from_init(card.serial, init, datetime.now(CHINA))
    times: dict[str, list[float]] = {"token": [], "software": []}
    for _ in range(ROUNDS * 5):
        for name, keys in (("token", token), ("software", software)):
            t = time.perf_counter()
            keys.authorize_load(auth)
            times[name].append(time.perf_counter() - t)
    token.close()
    return statistics.median(times["token"]) * 1e3, statistics.median(times["software"]) * 1e3


def run() -> None:
    """Print the token and software figures and their ratios."""
    issuer = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        token_args = _token(directory, issuer)
        keystore = directory / "issuer.keystore"
        Keystore.create(keystore, PASSPHRASE, issuer.keystore_entries(), KdfParams(1024, 1, 1))
        secret = directory / "issuer-passphrase"
        secret.write_text(PASSPHRASE)
        secret.chmod(0o600)
        software_args = ("--issuer-keystore", str(keystore), "--passphrase-file", str(secret))
        roomy = directory / "parameters.json"
        roomy.write_text(json.dumps(ROOMY_PARAMETERS))
        dbs = {n: f"sqlite:///{directory / (n + '.sqlite3')}" for n in ("token", "software")}
        for db_url in dbs.values():
            _cli("parameters", "--db", db_url, "--publish", str(roomy))
        with (
            _center(dbs["token"], directory / "token.log", *token_args) as token_base,
            _center(dbs["software"], directory / "software.log", *software_args) as sw_base,
        ):
            paths = {
                "token": _counter(directory, token_base, dbs["token"], issuer, "BENCH-HSM"),
                "software": _counter(directory, sw_base, dbs["software"], issuer, "BENCH-SW"),
            }
            for *_, service, card in paths.values():
                service.top_up(CLERK, 1, card, AMOUNT, "cash")  # warm: connections, caches
            times: dict[str, list[float]] = {"token": [], "software": []}
            for i in range(ROUNDS):
                for name, (_c, _j, _s, service, card) in paths.items():
                    t = time.perf_counter()
                    receipt = service.top_up(CLERK, 2 + i // 100, card, AMOUNT, "cash")
                    times[name].append(time.perf_counter() - t)
                    assert receipt.online, "the top-up did not take the center's MAC2"
            alone: dict[str, list[float]] = {"token": [], "software": []}
            for _ in range(ROUNDS):  # interleaved, like the top-ups
                for name, (client, *_, card) in paths.items():
                    alone[name] += _authorize_alone(client, card, 1)
            for client, journal, store, *_ in paths.values():
                client.close()
                journal.close()
                store.close()
        key_token, key_software = _key_operation_alone(token_args, issuer)
    t, s = (statistics.median(times[n]) * 1e3 for n in ("token", "software"))
    at, as_ = (statistics.median(alone[n]) * 1e3 for n in ("token", "software"))
    print(f"online top-up, MAC2 from the token (SoftHSM2): median {t:7.2f} ms over {ROUNDS}")
    print(f"online top-up, MAC2 from keys in memory:       median {s:7.2f} ms over {ROUNDS}")
    print(f"  ratio token/software = {t / s:.2f}; the token adds {t - s:.2f} ms a top-up")
    print(f"  the authorisation call alone: token {at:.2f} ms, software {as_:.2f} ms")
    print(
        f"  the key operation alone (MAC1 check + MAC2): token {key_token * 1e3:.0f} µs, "
        f"software {key_software * 1e3:.0f} µs (ratio {key_token / key_software:.2f})"
    )
