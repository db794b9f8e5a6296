"""The top-up service end to end: checks, journal fsyncs, card APDUs, SAM.

1. In-process: ``TopUpService.top_up`` (snapshot read, checks, intent + outcome journaled with
   synchronous=FULL) against the bare card operation ``load`` (INIT, the ISAM's MAC2, CREDIT,
   the PSAM's TAC check: card and SAM APDUs), and against ``load`` plus two raw durable journal
   appends — what the service adds on top of its parts. The SAM is the virtual PSAM/ISAM in
   process (real APDUs, its counters persisted in memory only).
2. Through pcscd + vpcd: the service's wall time (a Shanghai local standard asks ≤ 1 s) and its
   ratio to (APDU count × measured PC/SC round trip + card time + two journal appends).
"""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.operations import load
from app.card.psam import ApduSam
from app.card.sam import Sam
from app.card.session import CityCard
from app.crypto.purse import PurseAlgorithm
from app.domain.parameters import CardTypeRules, OfflineBrakes, Parameters
from app.domain.people import Actor, Role
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.services.topup import TopUpService
from app.store import parameters as stored_parameters
from app.store.database import Store
from bench.bench_card import TERMINAL, _card, _connect, _TimedCard

CHINA = timezone(timedelta(hours=8))
CLERK = Actor("bench", "bench", Role.CLERK)
AMOUNT = 1_000


def _service(directory: Path, sam: Sam) -> tuple[TopUpService, Journal, Store]:
    journal = Journal.create(
        directory / "journal.sqlite3", JournalKeys.generate(), "DEV-B", TERMINAL.hex().upper()
    )
    store = Store.create(directory / "counter.sqlite3")
    # a bench card takes hundreds of top-ups: a high ceiling and no offline caps in the way
    roomy = dataclasses.replace(
        Parameters.default(),
        version=1,
        card_types=(CardTypeRules(0x01, "bench", 1_000, 100_000, 1_000, 0xFFFFFFFF),),
        brakes=OfflineBrakes(100_000, 10**12, 10**9, 10**9),
    )
    stored_parameters.save(store, roomy, 0)
    return (
        TopUpService(journal, store, sam, lambda: datetime.now(UTC), CHINA),
        journal,
        store,
    )


def _append_pair(journal: Journal) -> float:
    t = time.perf_counter()
    intent = journal.append(Entry(RecordKind.LOAD_INTENT, shift_id=9, amount_fen=AMOUNT))
    journal.append(Entry(RecordKind.LOAD_OUTCOME, shift_id=9, intent_seq=intent.seq))
    return time.perf_counter() - t


def _in_process(issuer: IssuerKeySet, sam: Sam, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        service, journal, store = _service(Path(tmp), sam)
        timed = _TimedCard(_card(issuer, Path(tmp) / "card.json"))
        card = CityCard.open(InProcessTransport(timed))
        bare, full, pair = [], [], []
        for i in range(rounds):  # interleaved, so disk noise hits all three alike
            t = time.perf_counter()
            now = datetime.now(CHINA).replace(tzinfo=None, microsecond=0)  # the ISAM's time goes on
            load(card, sam, 1, TERMINAL, now)
            bare.append(time.perf_counter() - t)
            pair.append(_append_pair(journal))
            t = time.perf_counter()
            service.top_up(CLERK, 1 + i // 150, card, AMOUNT, "cash")
            full.append(time.perf_counter() - t)
        journal.close()
        store.close()
    b, f, p = (statistics.median(x) * 1e6 for x in (bare, full, pair))
    print(
        f"top-up service in-process: median {f:8.0f} µs "
        f"(bare load {b:.0f} µs, two appends {p:.0f} µs)"
    )
    print(
        f"  service overhead beyond its parts: {f - b - p:.0f} µs; "
        f"ratio service/(load+appends) = {f / (b + p):.2f}"
    )


def _pcsc(issuer: IssuerKeySet, sam: Sam) -> None:
    from app.card.pcsc import PcscTransport  # noqa: PLC0415
    from cardsim.pcscd import PcscdError, ensure_pcscd  # noqa: PLC0415
    from cardsim.vpcd import VpcdBridge  # noqa: PLC0415

    try:
        daemon = ensure_pcscd()
    except PcscdError as exc:
        print(f"top-up service through pcscd: skipped ({exc})")
        return
    try:
        with tempfile.TemporaryDirectory() as tmp:
            service, journal, store = _service(Path(tmp), sam)
            timed = _TimedCard(_card(issuer, Path(tmp) / "c.json"))
            with VpcdBridge(timed):
                transport: Any = _connect(PcscTransport, "Virtual PCD 00 00")
                try:
                    card = CityCard.open(transport)
                    rtts = []
                    for _ in range(200):
                        t = time.perf_counter()
                        card.get_balance()
                        rtts.append(time.perf_counter() - t)
                    rtt = statistics.median(rtts)
                    walls, insides, pairs, apdus = [], [], [], 0
                    for i in range(40):
                        pairs.append(_append_pair(journal))
                        before, card_before = card.channel.exchanges, timed.seconds
                        t = time.perf_counter()
                        service.top_up(CLERK, 1 + i, card, AMOUNT, "cash")
                        walls.append(time.perf_counter() - t)
                        insides.append(timed.seconds - card_before)
                        apdus = card.channel.exchanges - before
                finally:
                    transport.close()
            journal.close()
            store.close()
    finally:
        daemon.stop()
    wall, inside, pair = (statistics.median(x) for x in (walls, insides, pairs))
    print(
        f"top-up service through pcscd: median {wall * 1e3:.2f} ms "
        f"(max {max(walls) * 1e3:.2f} ms) for {apdus} APDUs; target ≤ 1000 ms"
    )
    expected = apdus * rtt + inside + pair
    print(
        f"  ratio wall / (APDUs × RTT {rtt * 1e6:.0f} µs + card {inside * 1e3:.2f} ms + "
        f"two appends {pair * 1e3:.2f} ms) = {wall / expected:.2f}"
    )


def _psam(issuer: IssuerKeySet) -> ApduSam:
    """The counter's SAM: a virtual PSAM/ISAM in process (real APDUs), brakes out of the way."""
    from cardsim.psam import VirtualPsam  # noqa: PLC0415
    from cardsim.sam_profile import issue_sam_profile  # noqa: PLC0415

    profile = issue_sam_profile(
        [issuer],
        TERMINAL,
        bytes(10),
        isam=True,
        renewal_key=bytes(16),
        brakes={
            "per_load_cap_fen": 0x7FFFFFFF,
            "total_cap_fen": 0xFFFFFFFF,
            "count_cap": 0xFFFF,
            "max_age_s": 0xFFFFFFFF,
        },
    )
    assert profile.isam is not None
    profile.isam.last_contact = "20000101000000"
    return ApduSam.open(InProcessTransport(VirtualPsam(profile)))


def run() -> None:
    """Print the top-up service figures (the SAM: a virtual PSAM in process, real APDUs)."""
    issuer = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
    sam = _psam(issuer)
    _in_process(issuer, sam, 300)
    _pcsc(issuer, sam)
