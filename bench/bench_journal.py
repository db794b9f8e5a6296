"""Journal benchmarks: durable append rate, full verification and report aggregation.

``python -m bench journal`` prints, each against a baseline measured in the same run:

1. Durable append: ``Journal.append`` (one load intent per transaction, WAL, synchronous=FULL)
   against plain ``sqlite3`` inserting the same row values into a database of the same schema,
   one ``BEGIN IMMEDIATE; INSERT; COMMIT`` each. fsync is noisy, so the two alternate record by
   record (A B B A) in rounds whose first side alternates, and their medians are compared.
2. Full verification of a large journal (1,000,000 records; ``BENCH_JOURNAL_RECORDS`` overrides)
   against a bare loop that reads the same rows with ``sqlite3`` and HMAC-SM3s each one with the
   same prepared key, plus a breakdown (reads, canonical bytes, MAC check) of where time goes.
3. Shift, day and whole-journal totals on that journal (best of 5).

Environment: ``BENCH_JOURNAL_RECORDS`` (record count, default 1,000,000),
``BENCH_JOURNAL_CACHE`` (a directory: keep the built journal and its keys there and reuse them
on the next run with the same count), ``BENCH_JOURNAL_PROFILE=1`` (cProfile one full
verification and print the top functions).
"""

from __future__ import annotations

import cProfile
import itertools
import json
import os
import pstats
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.crypto.sm2 import Sm2PrivateKey
from app.crypto.sm3 import HmacSm3Key
from app.journal import Entry, Journal, JournalKeys, Outcome, RecordKind
from app.journal.canonical import record_bytes
from app.journal.database import migrate, writer_engine
from app.journal.records import RECORD_COLUMNS, to_micros

DEVICE_ID = "bench-01"
TERMINAL_ID = "001122334455"
PAYMENT_METHODS = ("cash", "wechat", "alipay", "unionpay")
AMOUNTS_FEN = (1_000, 2_000, 5_000, 10_000, 20_000)

APPEND_ROUNDS = 10
APPEND_PER_ROUND = 100
APPEND_WARMUP = 20

DEFAULT_RECORDS = 1_000_000
SHIFT_RECORDS = 500  # records per shift: open, sign in, 248 intent/outcome pairs, sign out, close
BUILD_BATCH = 10_000
CHECKPOINT_EVERY = 100_000
VERIFY_ROUNDS = 2  # interleaved journal/baseline rounds; the best of each is compared
REPORT_REPEATS = 5
BREAKDOWN_ROWS = 200_000  # the verification breakdown reads this prefix, best of 3 passes each

_INSERT = (
    f"INSERT INTO journal_record ({', '.join(RECORD_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(RECORD_COLUMNS))})"
)
_SELECT_CANONICAL = f"SELECT {', '.join(RECORD_COLUMNS)} FROM journal_record ORDER BY seq LIMIT ?"
_SELECT_ALL = "SELECT * FROM journal_record ORDER BY seq"
_ENTRY_FIELDS = tuple(Entry.__dataclass_fields__)


# -- realistic entries ---------------------------------------------------------------------------


def _load_intent(rng: random.Random, shift_id: int, terminal_seq: int, operator: str) -> Entry:
    amount = rng.choice(AMOUNTS_FEN)
    before = rng.randrange(0, 50_000)
    return Entry(
        RecordKind.LOAD_INTENT,
        operator=operator,
        shift_id=shift_id,
        card_serial=f"3104{rng.getrandbits(48):012X}",
        amount_fen=amount,
        payment_method=rng.choice(PAYMENT_METHODS),
        balance_before_fen=before,
        balance_after_fen=before + amount,
        atc=rng.randrange(1, 65_536),
        terminal_seq=terminal_seq,
        mac1=rng.randbytes(4),
        mac2=rng.randbytes(4),
    )


def _outcome(rng: random.Random, intent: Entry, intent_seq: int) -> Entry:
    kind = (
        RecordKind.LOAD_OUTCOME
        if intent.kind == RecordKind.LOAD_INTENT
        else RecordKind.PURCHASE_OUTCOME
    )
    return Entry(
        kind,
        operator=intent.operator,
        shift_id=intent.shift_id,
        card_serial=intent.card_serial,
        amount_fen=intent.amount_fen,
        payment_method=intent.payment_method,
        balance_before_fen=intent.balance_before_fen,
        balance_after_fen=intent.balance_after_fen,
        atc=intent.atc,
        terminal_seq=intent.terminal_seq,
        tac=rng.randbytes(4),
        intent_seq=intent_seq,
        payload={"outcome": str(Outcome.DONE)},
    )


def _history(rng: random.Random, first_seq: int, shifts: int) -> Iterator[Entry]:
    """``shifts`` shifts of SHIFT_RECORDS records each; ``first_seq`` is the first one's seq."""
    seq = first_seq
    terminal_seq = 0
    pairs = (SHIFT_RECORDS - 4) // 2
    for shift_id in range(1, shifts + 1):
        operator = f"op{shift_id % 7 + 1:02d}"
        yield Entry(RecordKind.SHIFT_OPEN, operator, shift_id, payload={"float_fen": 50_000})
        yield Entry(RecordKind.SIGN_IN, operator, shift_id)
        seq += 2
        for i in range(pairs):
            terminal_seq += 1
            intent = _load_intent(rng, shift_id, terminal_seq, operator)
            if i % 8 == 7:  # one in eight is a purchase (a fare or a card fee)
                intent = Entry(
                    RecordKind.PURCHASE_INTENT,
                    **{k: getattr(intent, k) for k in _ENTRY_FIELDS if k != "kind"},
                )
            yield intent
            yield _outcome(rng, intent, seq)
            seq += 2
        yield Entry(RecordKind.SIGN_OUT, operator, shift_id)
        yield Entry(RecordKind.SHIFT_CLOSE, operator, shift_id, payload={"closed_by": operator})
        seq += 2


class _StepClock:
    """A clock that moves ``step`` forward at every reading (the journal reads it per record)."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def _row_values(record: Any) -> tuple[Any, ...]:
    return tuple(getattr(record, name) for name in RECORD_COLUMNS)


def _median_p90(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.9)]


# -- 1. durable append ---------------------------------------------------------------------------


def _raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _bench_append(tmp: Path, keys: JournalKeys) -> None:
    total = APPEND_WARMUP + APPEND_ROUNDS * APPEND_PER_ROUND
    rng = random.Random(1)
    entries = [_load_intent(rng, 1, i + 1, "op01") for i in range(total)]

    # the baseline inserts exactly the rows the journal makes of these entries
    with Journal.create(tmp / "prototype.db", keys, DEVICE_ID, TERMINAL_ID) as prototype:
        rows = [_row_values(r) for r in prototype.append_many(entries)]

    raw_path = tmp / "raw.db"
    engine = writer_engine(raw_path)
    migrate(engine, raw_path)
    engine.dispose()
    raw = _raw_connection(raw_path)
    cursor = raw.cursor()
    journal = Journal.create(tmp / "append.db", keys, DEVICE_ID, TERMINAL_ID)

    def journal_one(i: int) -> None:
        journal.append(entries[i])

    def raw_one(i: int) -> None:
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(_INSERT, rows[i])
        cursor.execute("COMMIT")

    samples: dict[str, tuple[list[float], list[float]]] = {"journal": ([], []), "raw": ([], [])}
    sides = {"journal": journal_one, "raw": raw_one}

    def one(name: str, i: int, keep: bool) -> None:
        wall, cpu = samples[name]
        w, c = time.perf_counter(), time.process_time()
        sides[name](i)
        if keep:
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)

    try:
        for i in range(APPEND_WARMUP):
            one("journal", i, keep=False)
            one("raw", i, keep=False)
        for r in range(APPEND_ROUNDS):
            # the two sides alternate record by record (A B B A …) so that both see the same
            # disk; the side that starts alternates from round to round
            first, second = ("journal", "raw") if r % 2 == 0 else ("raw", "journal")
            start = APPEND_WARMUP + r * APPEND_PER_ROUND
            for i in range(start, start + APPEND_PER_ROUND):
                pair = (first, second) if i % 2 == 0 else (second, first)
                for name in pair:
                    one(name, i, keep=True)
        report = journal.verify(full=True)
        assert report.ok, report.summary()
    finally:
        journal.close()
        cursor.close()
        raw.close()

    medians = {}
    n = APPEND_ROUNDS * APPEND_PER_ROUND
    per_round = [
        statistics.median(samples["raw"][0][i : i + APPEND_PER_ROUND])
        / statistics.median(samples["journal"][0][i : i + APPEND_PER_ROUND])
        for i in range(0, n, APPEND_PER_ROUND)
    ]
    print(
        f"durable append, {APPEND_ROUNDS} rounds × {APPEND_PER_ROUND} records per side, "
        f"interleaved A B B A (WAL, synchronous=FULL, one transaction each):"
    )
    for name, label in (("journal", "Journal.append"), ("raw", "raw sqlite3 INSERT")):
        wall, cpu = samples[name]
        median, p90 = _median_p90(wall)
        medians[name] = median
        print(
            f"  {label:<20} median {median * 1e6:8.1f} µs  p90 {p90 * 1e6:8.1f} µs  "
            f"{1 / median:8,.0f} appends/s (median)  {n / sum(wall):8,.0f} appends/s (mean)  "
            f"CPU {statistics.median(cpu) * 1e6:6.1f} µs"
        )
    cpu_ratio = statistics.median(samples["raw"][1]) / statistics.median(samples["journal"][1])
    paired = statistics.median(j - r for j, r in zip(*(samples[k][0] for k in sides), strict=True))
    print(
        f"append ratio (raw/journal): {medians['raw'] / medians['journal']:.2f}  (aim ≥ 0.9; "
        f"pooled medians)  per round: median {statistics.median(per_round):.2f}, "
        f"range {min(per_round):.2f}–{max(per_round):.2f}; CPU-time ratio {cpu_ratio:.2f}"
    )
    print(
        f"  journal cost over raw: {paired * 1e6:+.1f} µs per append (median of paired "
        f"differences; the ratio above moves with the disk's fsync time, this does not)"
    )


# -- the large journal ---------------------------------------------------------------------------


def _save_keys(keys: JournalKeys, path: Path) -> None:
    data = {
        "mac_keys": {k: v.hex() for k, v in keys.mac_keys.items()},
        "current": keys.current_key_id,
        "device": keys.device_key.secret.hex(),
    }
    path.write_text(json.dumps(data))


def _load_keys(path: Path) -> JournalKeys:
    data = json.loads(path.read_text())
    mac_keys = {k: bytes.fromhex(v) for k, v in data["mac_keys"].items()}
    device = Sm2PrivateKey.from_secret(bytes.fromhex(data["device"]))
    return JournalKeys(mac_keys, data["current"], device)


def _build(path: Path, keys: JournalKeys, records: int) -> tuple[Journal, float]:
    """Build a journal of ``records`` records after genesis; return it and the build seconds."""
    clock = _StepClock(datetime(2026, 1, 5, 6, 0, tzinfo=UTC), timedelta(seconds=20))
    start = time.perf_counter()
    journal = Journal.create(path, keys, DEVICE_ID, TERMINAL_ID, clock)
    shifts = -(-records // SHIFT_RECORDS)
    entries = itertools.islice(_history(random.Random(7), 2, shifts), records)
    done = 0
    while batch := list(itertools.islice(entries, BUILD_BATCH)):
        journal.append_many(batch)
        done += len(batch)
        if done % CHECKPOINT_EVERY == 0 or done == records:
            journal.checkpoint()
    return journal, time.perf_counter() - start


def _large_journal(tmp: Path, records: int) -> tuple[Journal, JournalKeys]:
    cache = os.environ.get("BENCH_JOURNAL_CACHE")
    where = Path(cache) if cache else tmp
    where.mkdir(parents=True, exist_ok=True)
    path, keys_path = where / f"journal-{records}.db", where / f"journal-{records}.keys.json"
    if path.exists() and keys_path.exists():
        keys = _load_keys(keys_path)
        journal = Journal.open(path, keys, verify=False)
        print(f"large journal: reusing {path} ({records:,} records)")
        return journal, keys
    for stale in (path, keys_path):
        stale.unlink(missing_ok=True)
    keys = JournalKeys.generate()
    journal, seconds = _build(path, keys, records)
    _save_keys(keys, keys_path)
    size = sum(p.stat().st_size for p in where.glob(f"{path.name}*")) / 1e6
    print(
        f"large journal: built {records:,} records (+ genesis, {-(-records // SHIFT_RECORDS):,} "
        f"shifts, {len(journal.checkpoints()):,} checkpoints) in {seconds:.1f} s "
        f"({records / seconds:,.0f} records/s with append_many × {BUILD_BATCH:,}); {size:.0f} MB",
        flush=True,
    )
    return journal, keys


# -- 2. full verification ------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _baseline_verify(path: Path, key: HmacSm3Key) -> int:
    """The floor: read every row in seq order and HMAC-SM3 its repr with the prepared key."""
    conn = _read_only(path)
    try:
        mac = key.mac
        n = 0
        for row in conn.execute(_SELECT_ALL):
            mac(repr(row).encode())
            n += 1
        return n
    finally:
        conn.close()


def _rows_only(path: Path, limit: int = -1) -> int:
    conn = _read_only(path)
    try:
        n = 0
        for _row in conn.execute(_SELECT_CANONICAL, (limit,)):
            n += 1
        return n
    finally:
        conn.close()


def _rows_canonical(path: Path, limit: int = -1) -> int:
    conn = _read_only(path)
    try:
        n = 0
        for row in conn.execute(_SELECT_CANONICAL, (limit,)):
            _data = record_bytes(row[:20]) + row[20]
            n += 1
        return n
    finally:
        conn.close()


def _rows_canonical_mac(path: Path, key: HmacSm3Key, limit: int = -1) -> int:
    conn = _read_only(path)
    try:
        verify = key.verify
        n = 0
        for row in conn.execute(_SELECT_CANONICAL, (limit,)):
            if not verify(record_bytes(row[:20]) + row[20], row[21]):
                raise AssertionError(f"MAC of seq {row[1]} does not verify")
            n += 1
        return n
    finally:
        conn.close()


def _bench_verify(journal: Journal, keys: JournalKeys, records: int) -> None:
    path = journal.path
    key = keys.mac_key(keys.current_key_id)
    assert key is not None
    _, n = _timed(lambda: _rows_only(path))  # warms the page cache
    journal_times, baseline_times = [], []
    report = None
    for r in range(VERIFY_ROUNDS):
        for which in ("journal", "baseline") if r % 2 == 0 else ("baseline", "journal"):
            if which == "journal":
                seconds, report = _timed(lambda: journal.verify(full=True))
                assert report.ok, report.summary()
                journal_times.append(seconds)
            else:
                seconds, count = _timed(lambda: _baseline_verify(path, key))
                assert count == n
                baseline_times.append(seconds)
    assert report is not None
    part = min(n, BREAKDOWN_ROWS)
    rows_s = min(_timed(lambda: _rows_only(path, part))[0] for _ in range(3))
    canonical_s = min(_timed(lambda: _rows_canonical(path, part))[0] for _ in range(3))
    mac_s = min(_timed(lambda: _rows_canonical_mac(path, key, part))[0] for _ in range(3))
    journal_s, baseline_s = min(journal_times), min(baseline_times)
    print(
        f"full verification of {n:,} records ({records:,} requested + genesis), "
        f"{report.checkpoints_checked} checkpoints, best of {VERIFY_ROUNDS} interleaved:"
    )
    print(
        f"  journal.verify(full=True)        {journal_s:7.2f} s  "
        f"{journal_s / n * 1e6:6.2f} µs/record  {n / journal_s:10,.0f} records/s"
    )
    print(
        f"  baseline sqlite3 + HMAC(repr)    {baseline_s:7.2f} s  "
        f"{baseline_s / n * 1e6:6.2f} µs/record  {n / baseline_s:10,.0f} records/s"
    )
    print(f"verify ratio (journal/baseline): {journal_s / baseline_s:.2f}  (aim ≤ 1.5)")
    print(
        f"  breakdown (plain sqlite3 over the first {part:,} records, canonical column order, "
        f"best of 3; µs/record):"
    )
    for label, seconds in (
        ("read rows only", rows_s),
        ("+ record_bytes", canonical_s),
        ("+ record_bytes + MAC verify", mac_s),
        ("journal.verify (full run above)", journal_s * part / n),
    ):
        print(f"    {label:<32} {seconds / part * 1e6:6.2f} µs/record")

    if os.environ.get("BENCH_JOURNAL_PROFILE"):
        profiler = cProfile.Profile()
        profiler.runcall(journal.verify, True)
        print("  cProfile of journal.verify(full=True), top 15 by own time:")
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(15)


# -- 3. reports ----------------------------------------------------------------------------------


def _best(fn: Callable[[], Any]) -> tuple[float, Any]:
    runs = [_timed(fn) for _ in range(REPORT_REPEATS)]
    return min(r[0] for r in runs), runs[0][1]


def _plan(path: Path, sql: str, params: tuple[Any, ...]) -> str:
    conn = _read_only(path)
    try:
        return "; ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    finally:
        conn.close()


def _ungrouped_scan(path: Path, start: datetime, end: datetime) -> tuple[int, int]:
    """The floor of a period report: count and sum over the period, without grouping."""
    conn = _read_only(path)
    try:
        row = conn.execute(
            "SELECT count(*), coalesce(sum(amount_fen), 0) FROM journal_record "
            "WHERE at_us >= ? AND at_us < ?",
            (to_micros(start), to_micros(end)),
        ).fetchone()
        return int(row[0]), int(row[1])
    finally:
        conn.close()


def _bench_reports(journal: Journal, records: int) -> None:
    shifts = -(-records // SHIFT_RECORDS)
    shift_id = shifts // 2 or 1
    first = journal.record(1)
    last_seq, _ = journal.head()
    last = journal.record(last_seq)
    assert first is not None and last is not None
    start, end = first.at, last.at + timedelta(microseconds=1)
    day = datetime.combine(
        (first.at + (last.at - first.at) / 2).date(), datetime.min.time(), tzinfo=UTC
    )

    shift_s, lines = _best(lambda: journal.shift_totals(shift_id))
    shift_count = sum(t.count for t in lines)
    day_s, day_lines = _best(lambda: journal.period_totals(day, day + timedelta(days=1)))
    whole_s, whole_lines = _best(lambda: journal.period_totals(start, end))
    whole_count = sum(t.count for t in whole_lines)
    assert whole_count == last_seq, (whole_count, last_seq)
    totals_s, totals = _best(journal.totals)
    floor_s, _ = _best(lambda: _ungrouped_scan(journal.path, start, end))
    print(f"reports on the {last_seq:,}-record journal, best of {REPORT_REPEATS} (target < 0.5 s):")
    print(
        f"  {f'shift_totals(shift {shift_id})':<36} {shift_s * 1e3:9.2f} ms  "
        f"({shift_count} records, {len(lines)} lines)"
    )
    print(
        f"  {'period_totals(one day)':<36} {day_s * 1e3:9.2f} ms  "
        f"({sum(t.count for t in day_lines):,} records, {len(day_lines)} lines)"
    )
    print(
        f"  {'period_totals(whole journal)':<36} {whole_s * 1e3:9.2f} ms  "
        f"({whole_count:,} records, {len(whole_lines)} lines)"
    )
    print(
        f"  {'baseline: same range, no GROUP BY':<36} {floor_s * 1e3:9.2f} ms  "
        f"(plain sqlite3 count/sum)"
    )
    print(f"totals ratio (whole journal / baseline): {whole_s / floor_s:.2f}  (aim ≤ 3)")
    print(
        f"  {'totals() (first append after open)':<36} {totals_s * 1e3:9.2f} ms  "
        f"({len(totals)} kinds; the same query refills the append's grand-total cache)"
    )
    shift_sql = (
        "SELECT kind, payment_method, count(*), coalesce(sum(amount_fen), 0) FROM journal_record "
        "WHERE shift_id = ? GROUP BY kind, payment_method ORDER BY kind, payment_method"
    )
    period_sql = shift_sql.replace("shift_id = ?", "at_us >= ? AND at_us < ?")
    print(f"  plan, shift:  {_plan(journal.path, shift_sql, (shift_id,))}")
    print(f"  plan, period: {_plan(journal.path, period_sql, (0, 2**62))}")


# -- entry point ---------------------------------------------------------------------------------


def run() -> None:
    """Print the journal figures."""
    records = int(os.environ.get("BENCH_JOURNAL_RECORDS", DEFAULT_RECORDS))
    keys = JournalKeys.generate()
    with tempfile.TemporaryDirectory(prefix="bench-journal-") as tmp:
        _bench_append(Path(tmp), keys)
        journal, journal_keys = _large_journal(Path(tmp), records)
        try:
            _bench_verify(journal, journal_keys, records)
            _bench_reports(journal, records)
        finally:
            journal.close()
