"""Each risk rule alone, over hand-made facts: what it must find and what it must leave alone."""

from __future__ import annotations

from clearing.risk.facts import AuthorisedLoad, CardEvent, ClerkAct, DeviceSeen, IntegrityFailure
from clearing.risk.parameters import RiskParameters
from clearing.risk.rules import (
    atc_gap,
    clerk_pattern,
    integrity_failures,
    offline_baseline,
    silence,
    value_from_nowhere,
    velocity,
)

P = RiskParameters()
MIN = 60_000_000
HOUR = 60 * MIN
DAY = 24 * HOUR
CARD = "0102030405060708"
SETTLED = 100 * DAY  # every record of these tests is settled


def load(device: str, seq: int, at: int, before: int, amount: int, atc: int, **kw) -> CardEvent:
    after = kw.pop("after", before + amount)
    return CardEvent(device, seq, seq - 1, at, "load", amount, before, after, atc, "cash", "op1")


def buy(device: str, seq: int, at: int, before: int, amount: int) -> CardEvent:
    return CardEvent(device, seq, seq - 1, at, "purchase", amount, before, before - amount)


def test_value_from_nowhere_a_clean_card_chains():
    events = [
        load("D1", 2, 0, 0, 5_000, 0),
        buy("D1", 4, MIN, 5_000, 300),
        buy("D2", 6, 2 * MIN, 3_000, 200),  # spent elsewhere in between: the balance may drop
        load("D2", 8, 3 * MIN, 2_800, 1_000, 1),
    ]
    assert value_from_nowhere.find(CARD, events, [], P.value_from_nowhere, SETTLED) == []


def test_value_from_nowhere_a_rise_between_two_records_is_found_with_both_and_the_amount():
    events = [load("D1", 2, 0, 0, 5_000, 0), buy("D2", 4, MIN, 55_000, 300)]
    [finding] = value_from_nowhere.find(CARD, events, [], P.value_from_nowhere, SETTLED)
    assert finding.rule == "value_from_nowhere"
    assert finding.subject == f"card:{CARD}"
    assert finding.amount_fen == 50_000
    assert finding.evidence == (("D1", 2), ("D2", 3))
    assert "无充值来源多出 500.00 元" in finding.summary_zh


def test_value_from_nowhere_inside_one_record():
    events = [load("D1", 2, 0, 1_000, 1_000, 0, after=51_000)]
    [finding] = value_from_nowhere.find(CARD, events, [], P.value_from_nowhere, SETTLED)
    assert finding.amount_fen == 49_000
    assert finding.evidence == (("D1", 1), ("D1", 2))


def test_value_from_nowhere_an_authorised_load_with_the_next_atc_explains_the_rise():
    events = [load("D1", 2, 0, 0, 5_000, 3), buy("D2", 4, MIN, 7_000, 300)]
    covering = [AuthorisedLoad(CARD, 4, 2_000, 5_000)]
    assert value_from_nowhere.find(CARD, events, covering, P.value_from_nowhere, SETTLED) == []
    too_small = [AuthorisedLoad(CARD, 4, 1_000, 5_000)]
    assert len(value_from_nowhere.find(CARD, events, too_small, P.value_from_nowhere, SETTLED)) == 1
    other_atc = [AuthorisedLoad(CARD, 9, 2_000, 5_000)]
    assert len(value_from_nowhere.find(CARD, events, other_atc, P.value_from_nowhere, SETTLED)) == 1


def test_between_records_waits_until_the_later_one_is_settled():
    events = [load("D1", 2, 0, 0, 5_000, 3), load("D2", 4, HOUR, 55_000, 1_000, 5)]
    assert value_from_nowhere.find(CARD, events, [], P.value_from_nowhere, HOUR - 1) == []
    assert atc_gap.find(CARD, events, [], P.atc_gap, HOUR - 1) == []
    assert len(value_from_nowhere.find(CARD, events, [], P.value_from_nowhere, HOUR)) == 1
    assert len(atc_gap.find(CARD, events, [], P.atc_gap, HOUR)) == 1
    inside = [load("D1", 2, HOUR, 1_000, 1_000, 0, after=51_000)]  # at once
    assert len(value_from_nowhere.find(CARD, inside, [], P.value_from_nowhere, 0)) == 1


def test_atc_gap():
    events = [load("D1", 2, 0, 0, 1_000, 3), load("D2", 4, MIN, 500, 1_000, 5)]
    [finding] = atc_gap.find(CARD, events, [], P.atc_gap, SETTLED)
    assert "ATC 4" in finding.summary
    assert finding.evidence == (("D1", 1), ("D2", 3))
    assert atc_gap.find(CARD, events, [AuthorisedLoad(CARD, 4, 10, 0)], P.atc_gap, SETTLED) == []
    consecutive = [load("D1", 2, 0, 0, 1_000, 3), load("D2", 4, MIN, 1_000, 1_000, 4)]
    assert atc_gap.find(CARD, consecutive, [], P.atc_gap, SETTLED) == []


def test_integrity_failures_per_device_and_card_within_the_window():
    now = 10 * DAY
    failures = [
        IntegrityFailure("D1", 5, now - HOUR, CARD, True, "TAC does not verify"),
        IntegrityFailure("D1", 9, now - 2 * DAY, None, False, "MAC"),  # outside 24 h
    ]
    found = integrity_failures.find(failures, now, P.integrity_failures)
    assert {f.subject for f in found} == {"device:D1", f"card:{CARD}"}
    stricter = P.integrity_failures.model_copy(update={"threshold": 2})
    assert integrity_failures.find(failures, now, stricter) == []


def test_offline_baseline_against_the_device_s_own_days():
    rule = P.offline_baseline
    assert offline_baseline.find("D1", "2026-11-28", 25, [1] * 14, rule)[0].subject == "device:D1"
    assert offline_baseline.find("D1", "2026-11-28", 25, [10] * 14, rule) == []  # its usual
    assert offline_baseline.find("D1", "2026-11-28", 5, [0] * 14, rule) == []  # below min_count


def test_velocity_three_outlets_in_five_minutes():
    events = [
        load("D1", 2, 0, 0, 1_000, 0),
        load("D2", 2, 2 * MIN, 1_000, 1_000, 1),
        load("D3", 2, 4 * MIN, 2_000, 1_000, 2),
    ]
    [finding] = velocity.find(CARD, events, P.velocity)
    assert "3 outlets" in finding.summary
    spread = [load("D1", 2, 0, 0, 1_000, 0), load("D2", 2, HOUR, 1_000, 1_000, 1),
              load("D3", 2, 2 * HOUR, 2_000, 1_000, 2)]  # fmt: skip
    assert velocity.find(CARD, spread, P.velocity) == []
    one_outlet = [load("D1", s, s * MIN, 0, 1_000, s) for s in range(2, 8)]
    assert velocity.find(CARD, one_outlet, P.velocity) == []


def test_clerk_voiding_after_cash_top_ups():
    acts = [ClerkAct("D1", 10 * n + 2, n * HOUR + MIN, "op1", "void", 5_000) for n in range(4)]
    [finding] = clerk_pattern.find("op1", acts, 4, 4 * HOUR, P.clerk_pattern)
    assert finding.subject == "operator:op1"
    assert finding.amount_fen == 20_000
    honest = [ClerkAct("D1", 99, HOUR, "op2", "void", 5_000) for _ in range(3)]
    assert clerk_pattern.find("op2", honest, 40, 2 * HOUR, P.clerk_pattern) == []  # 3 in 40
    old = [ClerkAct("D1", n, n * MIN, "op3", "void", 5_000) for n in range(5)]
    assert clerk_pattern.find("op3", old, 0, 40 * DAY, P.clerk_pattern) == []  # weeks ago


def test_clerk_cash_differences_and_refunds():
    closes = [ClerkAct("D1", n, n * DAY, "op1", "shift_close", 0, -8_000) for n in range(3)]
    [finding] = clerk_pattern.find("op1", closes, 0, 3 * DAY, P.clerk_pattern)
    assert finding.amount_fen == 24_000
    refunds = [ClerkAct("D1", n, n * HOUR, "op1", "refund", 100) for n in range(21)]
    assert len(clerk_pattern.find("op1", refunds, 0, DAY, P.clerk_pattern)) == 1


def test_silence_past_the_offline_brakes():
    now = 10 * DAY
    devices = [
        DeviceSeen("QUIET", now - 2 * DAY, None),
        DeviceSeen("FRESH", now - DAY, now - HOUR),
        DeviceSeen("ONTIME", now - 24 * HOUR, None),  # within 24 h + 1 h grace
    ]
    [finding] = silence.find(devices, now, 24 * 3600, P.silence)
    assert finding.subject == "device:QUIET"
