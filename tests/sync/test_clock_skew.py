"""A lying clock: money refused beyond the bound against the real center's clock, served within.

The center runs on loopback with its real clock; the counter's clock is the test's. The reading
comes from the center's ``/v1/time`` answer (``CenterClient.server_time``, called by every sync
cycle), and the check runs before any money intent is journaled — so before the card is touched.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.payment import PaymentMethod
from app.journal import ClockSkewError, Entry, RecordKind
from app.journal.clock_check import ClockCheck
from app.store import parameters as stored_parameters
from tests.services.counter_support import CLERK, SHIFT, build_counter
from tests.sync.test_online_topup import center as center  # noqa: PLC0414 - the fixture
from tests.sync.test_online_topup import go_online

CASH = PaymentMethod.CASH


class SettableClock:
    """The counter's wall clock: real time plus a lie the test sets."""

    def __init__(self) -> None:
        self.lie = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.lie


def _counter(tmp_path, rig, center, lie: timedelta):
    clock = SettableClock()
    clock.lie = lie
    counter = build_counter(tmp_path / "data", rig.sam, clock=clock)  # type: ignore[arg-type]
    client = center.device.client
    client.server_time()  # what a sync cycle does first
    bound = stored_parameters.current(counter.store).brakes.max_clock_skew_s
    counter.journal.check_clock_with(ClockCheck(client.clock_reading, lambda: bound))
    return go_online(counter, rig.sam, client), clock


@pytest.mark.parametrize(
    ("lie", "word"), [(timedelta(minutes=12), "ahead"), (timedelta(hours=-3), "behind")]
)
def test_beyond_the_bound_money_is_refused_with_the_reason(tmp_path, rig, center, lie, word):
    counter, _clock = _counter(tmp_path, rig, center, lie)
    with pytest.raises(ClockSkewError) as refused:
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
    assert word in str(refused.value) and "set right" in str(refused.value)
    assert "date and time" in refused.value.advice_text
    assert rig.reload().profile.balance_fen == 5_000  # the card was not touched
    assert counter.journal.records_of_kinds(RecordKind.LOAD_INTENT) == []
    # the journal itself refuses a money intent (whatever service writes it) …
    with pytest.raises(ClockSkewError):
        counter.journal.append(Entry(RecordKind.PURCHASE_INTENT, card_serial="31", amount_fen=1))
    # … but not other records (a shift, a sign-in, settling an open intent)
    counter.journal.append(Entry(RecordKind.SIGN_IN, operator="clerk1"))
    counter.close()


def test_within_the_bound_money_is_served(tmp_path, rig, center):
    counter, _clock = _counter(tmp_path, rig, center, timedelta(seconds=90))
    receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
    assert receipt.online and rig.reload().profile.balance_fen == 8_000
    counter.close()


def test_a_clock_set_wrong_after_the_reading_is_caught(tmp_path, rig, center):
    """The reading holds the center's time and elapsed time, not an offset to the wall clock."""
    counter, clock = _counter(tmp_path, rig, center, timedelta(0))
    counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, CASH)
    clock.lie = timedelta(minutes=-20)  # someone sets the clock back after the sync
    with pytest.raises(ClockSkewError, match="behind"):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, CASH)
    counter.close()


def test_without_a_reading_the_counter_works_offline_within_the_brakes(tmp_path, rig):
    """The center cannot be asked: nothing to compare, the offline brakes hold instead."""
    clock = SettableClock()
    clock.lie = timedelta(hours=5)
    counter = build_counter(tmp_path / "data", rig.sam, clock=clock)  # type: ignore[arg-type]
    counter.journal.check_clock_with(ClockCheck(lambda: None, lambda: 300))
    receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
    assert not receipt.online  # SAM path: counted against the offline brakes
    assert counter.topups.offline_tally(SHIFT) == (1, 3_000)
    counter.close()


def test_an_old_reading_says_nothing(tmp_path, rig, center):
    clock = SettableClock()
    clock.lie = timedelta(hours=5)
    counter = build_counter(tmp_path / "data", rig.sam, clock=clock)  # type: ignore[arg-type]
    client = center.device.client
    client.server_time()
    later = [0.0]
    reading = client.clock_reading()
    assert reading is not None
    check = ClockCheck(
        client.clock_reading, lambda: 300, max_age_s=60, now_elapsed=lambda: reading.at + later[0]
    )
    assert check.skew_s(clock()) == pytest.approx(5 * 3600, abs=5)
    later[0] = 61
    assert check.skew_s(clock()) is None
    counter.close()
