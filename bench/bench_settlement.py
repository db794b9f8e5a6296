"""Settlement benchmark: one business day of a city on PostgreSQL, 1 day stored vs many.

``python -m bench settlement`` starts a throw-away PostgreSQL (Debian's, as the tests do),
migrates a center database and generates the rows directly in the server (``INSERT … SELECT``
from ``generate_series``: what ingest would have stored, without the hours of uploads):
``BENCH_SETTLE_OUTLETS`` outlets (default 2,000) × ``BENCH_SETTLE_PER_OUTLET`` records a day
(default 50; the issue's city is 500, i.e. 1 M records a day): top-ups as intent and outcome
records, every 25th intent left grey, the done outcomes in the card ledger.

It times the settlement of one day for every outlet (what ``citycard-center settlement`` does)
with that day alone stored, then again after ``BENCH_SETTLE_DAYS`` (default 8) days are stored
— the ratio says whether the cost follows the day's records (≈ 1) or the table's size.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from clearing.center import open_center
from clearing.settings import BUSINESS_TIMEZONE, Settings
from clearing.settlement import settlement
from clearing.timeutil import micros_of
from tests.clearing.postgres import PostgresUnavailableError, create_database, postgres_server

FIRST_DAY = date(2026, 11, 1)
DAY_US = 86_400 * 1_000_000

DEVICES = """
INSERT INTO device (device_id, terminal_id, public_key, enrolled_at_us, head_seq, head_mac,
                    head_at_us, next_key_id)
SELECT 'D' || lpad(d::text, 5, '0'), lpad(to_hex(d), 12, '0'),
       decode(lpad(to_hex(d), 128, '0'), 'hex'), 0, 0, '\\x00'::bytea, 0, 'k1'
FROM generate_series(1, :outlets) AS d
"""

# seq s of the day (1 … per): odd = intent, even = its outcome (missing for every 25th pair)
RECORDS = """
INSERT INTO journal_record (device_id, seq, kind, at_us, card_serial, amount_fen, payment_method,
                            intent_seq, grand_total_fen, payload, key_id, prev_mac, mac,
                            received_at_us)
SELECT 'D' || lpad(d::text, 5, '0'), :seq0 + s,
       CASE WHEN s % 2 = 1 THEN 'load_intent' ELSE 'load_outcome' END,
       :start + s * (:day_us / (:per + 1)) + d,
       '3100' || lpad(((d * 7919 + s) % 1000000)::text, 12, '0'),
       CASE WHEN s % 2 = 1 THEN 1000 * (1 + (s / 2) % 5) END,
       CASE WHEN s % 2 = 1 THEN (ARRAY['cash','wechat','alipay','bank_card'])[1 + (s / 2) % 4] END,
       CASE WHEN s % 2 = 0 THEN :seq0 + s - 1 END,
       0, CASE WHEN s % 2 = 0 THEN '{"outcome": "done"}' ELSE '{}' END,
       'k1', '\\x00'::bytea, '\\x00'::bytea,
       :start + s * (:day_us / (:per + 1)) + d + 1000
FROM generate_series(1, :outlets) AS d, generate_series(1, :per) AS s
WHERE NOT (s % 2 = 0 AND (s / 2) % 25 = 0)
"""

LEDGER = """
INSERT INTO card_ledger (card_serial, device_id, seq, intent_seq, kind, amount_fen, payment_method,
                         balance_after_fen, at_us)
SELECT o.card_serial, o.device_id, o.seq, o.intent_seq, 'load', i.amount_fen, i.payment_method,
       i.amount_fen, o.at_us
FROM journal_record o JOIN journal_record i ON i.device_id = o.device_id AND i.seq = o.intent_seq
WHERE o.kind = 'load_outcome' AND o.at_us >= :start AND o.at_us < :start + :day_us
"""


def _day_start(day: date) -> int:
    return micros_of(datetime(day.year, day.month, day.day, tzinfo=BUSINESS_TIMEZONE))


def _fill_day(conn: object, index: int, outlets: int, per: int) -> None:
    day = FIRST_DAY + timedelta(days=index)
    params = {"outlets": outlets, "per": per, "seq0": index * per, "start": _day_start(day),
              "day_us": DAY_US}  # fmt: skip
    conn.execute(text(RECORDS), params)  # type: ignore[attr-defined]
    conn.execute(text(LEDGER), params)  # type: ignore[attr-defined]


def _time_settlement(center: object, day: date, repeats: int = 3) -> tuple[float, int, int]:
    best = float("inf")
    outlets = grey = 0
    for _ in range(repeats):
        started = time.perf_counter()
        result = settlement(center, day.isoformat(), device_id=None)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - started)
        outlets = len(result.outlets)
        grey = sum(len(o.grey) for o in result.outlets)
    return best, outlets, grey


def run() -> None:
    """Print the figures (see the module docstring)."""
    outlets = int(os.environ.get("BENCH_SETTLE_OUTLETS", "2000"))
    per = int(os.environ.get("BENCH_SETTLE_PER_OUTLET", "50"))
    days = int(os.environ.get("BENCH_SETTLE_DAYS", "8"))
    try:
        server_cm = postgres_server()
        server = server_cm.__enter__()
    except PostgresUnavailableError as exc:
        print(f"settlement bench skipped: {exc}")
        return
    try:
        url = create_database(server, "settle")
        center = open_center(Settings(db_url=url, clock=lambda: datetime.now(UTC)))
        try:
            with center.engine.begin() as conn:
                conn.execute(text(DEVICES), {"outlets": outlets})
            started = time.perf_counter()
            with center.engine.begin() as conn:
                _fill_day(conn, 0, outlets, per)
            with center.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
                rows = conn.scalar(text("SELECT count(*) FROM journal_record"))
            print(f"day 1: {rows:,} records of {outlets:,} outlets generated in "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
            one, found, grey = _time_settlement(center, FIRST_DAY)
            print(f"settlement of one day, 1 day stored: {one:.2f} s "
                  f"({found:,} outlets, {grey:,} grey records)")  # fmt: skip
            started = time.perf_counter()
            for index in range(1, days):
                with center.engine.begin() as conn:
                    _fill_day(conn, index, outlets, per)
            with center.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
                rows = conn.scalar(text("SELECT count(*) FROM journal_record"))
            print(f"{days} days stored: {rows:,} records "
                  f"(generated in {time.perf_counter() - started:.1f} s)")  # fmt: skip
            many, _, _ = _time_settlement(center, FIRST_DAY)
            middle, _, _ = _time_settlement(center, FIRST_DAY + timedelta(days=days // 2))
            print(f"settlement of one day, {days} days stored: first day {many:.2f} s, "
                  f"day {days // 2 + 1} {middle:.2f} s")  # fmt: skip
            print(f"ratio {days} days stored / 1 day stored: {max(many, middle) / one:.2f} "
                  f"(flat = 1.0; the issue asks < 3 s for 1 M records a day)")  # fmt: skip
        finally:
            center.close()
    finally:
        server_cm.__exit__(None, None, None)


if __name__ == "__main__":
    run()
