"""The journal mirror's cost: durable append with and without a mirror, in the same run.

``python -m bench mirror`` appends load intents to two journals, one with a mirror attached and
one without, alternating record by record (A B B A, the first side alternating per round) so
both see the same disk, and prints the medians and their ratio (with/without).

The mirror goes to ``BENCH_MIRROR_DIR`` when set (point it at a real second medium: a USB
drive, a second disk); otherwise to a temporary folder on the same disk as the journal — the
counter refuses that in service (it would not survive the disk), the bench allows it so that the
two fsyncs hit the same kind of device. A tmpfs makes the mirror look free: do not use one.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.journal.mirror import JournalMirror, journal_mode_for, mirror_path

ROUNDS = 6
PER_ROUND = 100
WARMUP = 20
DEVICE = "bench-m"
TERMINAL = "001122334455"


def _entries(n: int) -> list[Entry]:
    rng = random.Random(7)
    return [
        Entry(
            RecordKind.LOAD_INTENT,
            operator="op01",
            shift_id=1,
            card_serial=f"3104{rng.getrandbits(48):012X}",
            amount_fen=rng.choice((1_000, 2_000, 5_000)),
            payment_method="cash",
            balance_before_fen=rng.randrange(0, 50_000),
            atc=rng.randrange(1, 65_536),
            mac1=rng.randbytes(4),
            mac2=rng.randbytes(4),
        )
        for _ in range(n)
    ]


def run() -> None:
    """Print the durable append's median with and without a mirror, and the ratio."""
    keys = JournalKeys.generate()
    entries = _entries(WARMUP + ROUNDS * PER_ROUND)
    with tempfile.TemporaryDirectory(prefix="bench-mirror-") as tmp:
        base = Path(tmp)
        where = Path(os.environ.get("BENCH_MIRROR_DIR") or base / "mirror")
        where.mkdir(parents=True, exist_ok=True)
        plain = Journal.create(base / "plain.sqlite3", keys, DEVICE, TERMINAL)
        mirrored = Journal.create(base / "mirrored.sqlite3", keys, DEVICE, TERMINAL)
        target = mirror_path(where, DEVICE)
        target.unlink(missing_ok=True)
        status = mirrored.attach_mirror(JournalMirror(target, allow_same_disk=True))
        assert status.ok, status.problem
        sides = {"without": plain, "with": mirrored}
        wall: dict[str, list[float]] = {"without": [], "with": []}
        try:
            for i in range(WARMUP):
                for journal in sides.values():
                    journal.append(entries[i])
            for r in range(ROUNDS):
                first, second = ("with", "without") if r % 2 == 0 else ("without", "with")
                start = WARMUP + r * PER_ROUND
                for i in range(start, start + PER_ROUND):
                    for name in (first, second) if i % 2 == 0 else (second, first):
                        t = time.perf_counter()
                        sides[name].append(entries[i])
                        wall[name].append(time.perf_counter() - t)
            mirror = mirrored.mirror_status()
            assert mirror is not None and mirror.ok and mirror.seq == mirrored.head()[0]
        finally:
            plain.close()
            mirrored.close()
            target.unlink(missing_ok=True)
    medians = {name: statistics.median(samples) for name, samples in wall.items()}
    place = (
        "BENCH_MIRROR_DIR" if os.environ.get("BENCH_MIRROR_DIR") else "a folder on the same disk"
    )
    print(
        f"durable append, {ROUNDS} rounds × {PER_ROUND} records per side, interleaved "
        f"(mirror in {place}, journal mode {journal_mode_for(where)}):"
    )
    for name in ("without", "with"):
        ordered = sorted(wall[name])
        print(
            f"  {name + ' mirror':<16} median {medians[name] * 1e6:8.1f} µs  "
            f"p90 {ordered[int(len(ordered) * 0.9)] * 1e6:8.1f} µs  "
            f"{1 / medians[name]:8,.0f} appends/s"
        )
    print(
        f"mirror ratio (with/without): {medians['with'] / medians['without']:.2f}  "
        f"(one more synced commit per append on the mirror's medium)"
    )
