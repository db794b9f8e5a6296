"""The child of the SIGKILL test: opens the journal and appends until it is killed.

After every ``append``/``append_many`` returns it writes ``"<seq> <mac hex>\\n"`` per record to
its report file and flushes: a line in the report is a record the journal said was durable.
Records carry ``{"child": n}`` (and, for batches, the batch id, index and size) in the payload so
that the parent can tell whose they are.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.journal.mirror import JournalMirror
from tests.journal.support import keys_from_plain

MODES = ("single", "batch", "mixed")
MAX_BATCH = 6
METHODS = ("cash", "wechat", "alipay", "card")


def _line(records: list[JournalRecord]) -> str:
    return "".join(f"{r.seq} {r.mac.hex()}\n" for r in records)


def append_forever(
    path: str,
    plain_keys: Any,
    report: str,
    child: int,
    mode: str,
    seed: int,
    ready: Any,
    mirror: str | None = None,
) -> None:
    """Append forever (``mode``: single loads, batches, or both with checkpoints).

    With ``mirror`` the journal keeps its mirror there (caught up first, as at start-up).
    """
    rng = random.Random(seed)
    journal = Journal.open(Path(path), keys_from_plain(plain_keys))
    if journal.problem is not None:
        raise SystemExit(f"child {child}: the journal opened broken: {journal.problem}")
    if mirror is not None:
        status = journal.attach_mirror(JournalMirror(Path(mirror)))
        if not status.ok:
            raise SystemExit(f"child {child}: the mirror did not take: {status.problem}")
    with open(report, "w", encoding="ascii") as out:
        ready.set()
        n = 0
        while True:
            batch = mode == "batch" or (mode == "mixed" and rng.random() < 0.5)
            if batch:
                size = rng.randint(2, MAX_BATCH)
                entries = [
                    Entry(
                        rng.choice((RecordKind.LOAD_INTENT, RecordKind.NOTE)),
                        shift_id=child,
                        card_serial=f"{child:08d}{n:08d}",
                        amount_fen=rng.randint(1, 100_000),
                        payment_method=rng.choice(METHODS),
                        payload={"child": child, "batch": f"{child}-{n}", "k": k, "n": size},
                    )
                    for k in range(size)
                ]
                out.write(_line(journal.append_many(entries)))
                out.flush()
            else:
                card = f"{child:08d}{n:08d}"
                amount = rng.randint(1, 100_000)
                method = rng.choice(METHODS)
                intent = journal.append(
                    Entry(
                        RecordKind.LOAD_INTENT,
                        shift_id=child,
                        card_serial=card,
                        amount_fen=amount,
                        payment_method=method,
                        payload={"child": child},
                    )
                )
                out.write(_line([intent]))
                out.flush()
                outcome = journal.append(
                    Entry(
                        RecordKind.LOAD_OUTCOME,
                        shift_id=child,
                        card_serial=card,
                        amount_fen=amount,
                        payment_method=method,
                        tac=rng.randbytes(4),
                        intent_seq=intent.seq,
                        payload={"child": child, "outcome": Outcome.DONE},
                    )
                )
                out.write(_line([outcome]))
                out.flush()
            if mode == "mixed" and n % 8 == 7:
                journal.checkpoint("crash-test")
            n += 1
