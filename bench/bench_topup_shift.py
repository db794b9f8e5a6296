"""Does a top-up cost more late in a long shift? Per-top-up cost at shift lengths 10, 1,000 and
10,000 offline top-ups, against the same service at length 10 measured in the same run.

The offline brakes count the shift's offline top-ups; they used to re-read and parse every
load record of the shift twice per top-up (O(shift) per top-up). The shift is filled with real
journal records (intent + done outcome, offline MAC2, cash); then the service tops up a card
(virtual card and virtual PSAM/ISAM in process) and the median is printed.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.session import CityCard
from app.crypto.purse import PurseAlgorithm
from app.journal import Entry, Journal, Outcome, RecordKind
from bench.bench_card import _card
from bench.bench_topup_service import AMOUNT, CLERK, _psam, _service

SHIFT = 1
LENGTHS = (10, 1_000, 10_000)
SAMPLES = 15


def _fill(journal: Journal, count: int) -> None:
    """``count`` offline cash top-ups of the shift: intent and done outcome, as journaled."""
    for _ in range(count):
        intent = journal.append(
            Entry(
                RecordKind.LOAD_INTENT,
                operator=CLERK.username,
                shift_id=SHIFT,
                card_serial="3104000000000001",
                amount_fen=1,
                payment_method="cash",
                payload={"mac_path": "sam"},
            )
        )
        journal.append(
            Entry(
                RecordKind.LOAD_OUTCOME,
                operator=CLERK.username,
                shift_id=SHIFT,
                card_serial="3104000000000001",
                amount_fen=1,
                payment_method="cash",
                intent_seq=intent.seq,
                payload={"outcome": Outcome.DONE.value, "mac_path": "sam"},
            )
        )


def run() -> None:
    """Print the per-top-up cost at each shift length and its ratio to length 10."""
    issuer = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
    sam = _psam(issuer)
    with tempfile.TemporaryDirectory() as tmp:
        service, journal, store = _service(Path(tmp), sam)
        card = CityCard.open(InProcessTransport(_card(issuer, Path(tmp) / "card.json")))
        done, medians = 0, {}  # top-ups in the shift so far
        t_fill = time.perf_counter()
        for length in LENGTHS:
            _fill(journal, max(0, length - done))
            done = max(done, length)
            costs = []
            for _ in range(SAMPLES):
                t = time.perf_counter()
                service.top_up(CLERK, SHIFT, card, AMOUNT, "cash")
                costs.append(time.perf_counter() - t)
            medians[length] = statistics.median(costs)
            done += SAMPLES
        journal.close()
        store.close()
    base = medians[LENGTHS[0]]
    print(f"(filling the shifts took {time.perf_counter() - t_fill:.0f} s)")
    for length, cost in medians.items():
        print(
            f"top-up at shift length {length:>6}: median {cost * 1e3:6.2f} ms; "
            f"ratio to length {LENGTHS[0]} = {cost / base:.2f} (aim ≈ 1)"
        )
