"""Races that SQLite's single writer hides, forced on PostgreSQL (issue 16).

Each test holds one transaction open half way (its row written, not committed), sends the racing
request through the HTTP API from another thread, waits until PostgreSQL shows that request
blocked on a lock held by the first — so the two really overlap — and only then commits.
Without a constraint behind the read-then-insert the second request either doubles the state
(two active loss reports, two blacklist additions) or fails on the primary key (HTTP 500).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.journal import RecordKind
from clearing.loss import report
from clearing.models import AnnualPassRow, BlacklistChangeRow, LossReportRow
from clearing.passes import apply_pass_record
from clearing.schemas import LossReportIn
from tests.clearing.support import batch, enrol
from tests.clearing.test_clearing_passes import DESCRIPTION, NEW, OLD, transfer

CARD = "3104000000000042"


@pytest.fixture
def on_postgres(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): these races cannot happen")
    return db_url


def wait_until_blocked(center, timeout: float = 20.0) -> None:
    """Return once a backend of this database waits for a lock (the racing request)."""
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with center.engine.connect() as conn:
            if conn.scalar(query):
                return
        time.sleep(0.02)
    raise AssertionError("the racing request never blocked on the open transaction")


def test_two_counters_reporting_one_card_lost_at_once_make_one_report(
    on_postgres, client, center, clock
):
    first = enrol(client, center, clock, "DEV-A", "0102030405A1")
    second = enrol(client, center, clock, "DEV-B", "0102030405B2")
    pool = ThreadPoolExecutor(1)
    with center.sessions() as session:
        with session.begin():
            mine, created = report(session, first.device_id, LossReportIn(card_serial=CARD),
                                   center.now_us())  # fmt: skip
            assert created
            racing = pool.submit(second.request, "POST", "/v1/loss-reports",
                                 {"card_serial": CARD})  # fmt: skip
            wait_until_blocked(center)
        answer = racing.result(timeout=30)
    pool.shutdown()
    assert answer.status_code == 200, answer.text  # the report that exists, not a new one
    assert answer.json()["id"] == mine.id
    with center.sessions.begin() as session:
        active = session.scalar(
            select(func.count())
            .select_from(LossReportRow)
            .where(LossReportRow.card_serial == CARD, LossReportRow.cancelled_at_us.is_(None))
        )
        additions = session.scalar(
            select(func.count())
            .select_from(BlacklistChangeRow)
            .where(BlacklistChangeRow.card_serial == CARD, BlacklistChangeRow.action == "add")
        )
    assert (active, additions) == (1, 1)
    # the constraint holds even for a writer that skips the read
    with (
        pytest.raises(IntegrityError, match="uq_loss_report_active_card"),
        center.sessions.begin() as session,
    ):
        session.add(LossReportRow(card_serial=CARD, device_id="X", reason="",
                                  reported_at_us=0, waiting_until_us=0))  # fmt: skip


def test_a_pass_sale_racing_its_transfer_is_answered_and_both_apply(
    on_postgres, client, center, clock, tmp_path
):
    replacing = enrol(client, center, clock, "DEV-B", "0102030405B2")
    sale_columns = {
        "kind": RecordKind.PASS_SALE,
        "card_serial": OLD,
        "at_us": center.now_us(),
        "amount_fen": 12_000,
        "seq": 1,
        "payload": json.dumps({**DESCRIPTION, "purchase_seq": None}),
    }
    clock.advance(timedelta(days=3))
    with replacing.journal(tmp_path / "b.sqlite3") as journal:
        transfer(journal, described=False)
        body = batch(journal.records())
    pool = ThreadPoolExecutor(1)
    with center.sessions() as session:
        with session.begin():
            apply_pass_record(session, "DEV-A", sale_columns)  # the sale's upload, not committed
            racing = pool.submit(replacing.request, "POST", "/v1/journal/batches", body)
            wait_until_blocked(center)
        answer = racing.result(timeout=30)
    pool.shutdown()
    assert answer.status_code == 200, answer.text
    assert answer.json()["quarantined"] == []
    with center.sessions.begin() as session:
        (row,) = session.scalars(select(AnnualPassRow)).all()
        assert (row.card_serial, row.product_code, row.sale_device_id) == (
            NEW, DESCRIPTION["product"], "DEV-A")  # fmt: skip


def test_a_conflict_in_the_bulk_copy_is_a_lost_race_that_ingest_runs_again(on_postgres, center):
    """COPY's unique violation comes back as SQLAlchemy's IntegrityError, which is retried."""
    from clearing.ingest import _insert_all  # noqa: PLC0415
    from clearing.models import CardLedgerRow  # noqa: PLC0415
    from clearing.retry import lost_race  # noqa: PLC0415

    row = {"card_serial": CARD, "device_id": "DEV-X", "seq": 2, "intent_seq": 1, "kind": "load",
           "amount_fen": 100, "payment_method": None, "balance_after_fen": None,
           "at_us": 1}  # fmt: skip
    with center.sessions.begin() as session:
        _insert_all(session, CardLedgerRow, [row])
    with pytest.raises(IntegrityError) as caught, center.sessions.begin() as session:
        _insert_all(session, CardLedgerRow, [row])
    assert lost_race(caught.value, unique_too=True)
    assert not lost_race(caught.value, unique_too=False)
