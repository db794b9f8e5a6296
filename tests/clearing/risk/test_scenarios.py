"""Seeded fraud and fault scenarios, through real uploads from counters on loopback.

Each scenario raises exactly its alarm; a clean soak raises none. The center runs in uvicorn with
the issuer keys (so every load's TAC is checked, and the forged one passes: its keys leaked).
"""

from __future__ import annotations

import os
import random

import pytest

from clearing.center import open_center
from clearing.risk.engine import sweep
from clearing.settings import Settings
from tests.clearing.risk.counters import Card


def test_a_load_forged_with_leaked_keys_is_value_from_nowhere(fleet):
    counter = fleet.counter("DEV-A", "0102030405A1")
    card = Card("3100000000000001")
    counter.load(card, 2_000)
    fleet.advance(minutes=30)
    # the device's journal key and the issuer keys leaked: a 10 yuan top-up that claims 500
    # yuan on the card, MAC'd and TAC'd so that both verify
    counter.load(card, 1_000, claimed_after=50_000)
    fleet.advance(minutes=30)
    counter.purchase(card, 300)
    counter.upload()
    assert fleet.alarms() == [("value_from_nowhere", "card:3100000000000001")]


def test_a_skipped_online_atc_is_a_gap(fleet):
    first, second = fleet.counter("DEV-A", "0102030405A1"), fleet.counter("DEV-B", "0102030405B2")
    card = Card("3100000000000002", online_atc=3)
    first.load(card, 2_000)
    first.upload()
    # loaded somewhere the center never heard of, and spent on the buses since
    card.online_atc += 1
    card.balance_fen = 1_500
    fleet.advance(hours=5)
    second.load(card, 1_000)
    second.upload()
    assert fleet.alarms() == []  # DEV-A may still hold that load: wait for it
    fleet.advance(minutes=10)
    first.note()
    first.upload()  # DEV-A is past that time now: the load with ATC 4 was nowhere
    assert fleet.alarms() == [("atc_gap", "card:3100000000000002")]


def test_a_device_that_stays_away_is_waited_for_only_as_long_as_its_brakes_allow(fleet):
    first, second = fleet.counter("DEV-A", "0102030405A1"), fleet.counter("DEV-B", "0102030405B2")
    card = Card("3100000000000005", online_atc=3)
    first.load(card, 2_000)
    first.upload()
    card.online_atc += 1
    card.balance_fen = 1_500
    fleet.advance(hours=5)
    second.load(card, 1_000)
    second.upload()
    center = open_center(Settings(db_url=fleet.db_url, clock=fleet.clock))
    try:
        fleet.advance(hours=20)
        sweep(center)
        assert fleet.alarms() == []
        fleet.advance(hours=4, minutes=1)  # 24 h since DEV-B's load: DEV-A cannot hold it now
        sweep(center)
    finally:
        center.close()
    assert fleet.alarms() == [
        ("atc_gap", "card:3100000000000005"),
        ("silence", "device:DEV-A"),  # and the sweep says why it could wait no longer
    ]


def test_a_clerk_voiding_after_each_cash_top_up(fleet):
    counter = fleet.counter("DEV-A", "0102030405A1")
    for n in range(4):
        card = Card(f"31000000000001{n:02d}")
        _intent, outcome = counter.load(card, 5_000, operator="clerk7")
        fleet.advance(minutes=2)
        counter.void(card, outcome, operator="clerk7")
        fleet.advance(minutes=40)
    honest = Card("3100000000000200")
    for _ in range(3):
        counter.load(honest, 1_000, operator="clerk8")
        fleet.advance(minutes=20)
    counter.upload()
    assert fleet.alarms() == [("clerk_pattern", "operator:clerk7")]


def test_a_card_topped_up_at_three_outlets_in_five_minutes(fleet):
    outlets = [
        fleet.counter("DEV-A", "0102030405A1"),
        fleet.counter("DEV-B", "0102030405B2"),
        fleet.counter("DEV-C", "0102030405C3"),
    ]
    card = Card("3100000000000003")
    for outlet in outlets:
        outlet.load(card, 1_000)
        fleet.advance(minutes=2)
    for outlet in outlets:
        outlet.upload()
    assert fleet.alarms() == [("velocity", "card:3100000000000003")]


def test_a_device_silent_past_its_brakes(fleet):
    quiet, busy = fleet.counter("DEV-Q", "0102030405A1"), fleet.counter("DEV-B", "0102030405B2")
    card = Card("3100000000000004")
    quiet.load(card, 1_000)
    quiet.upload()
    fleet.advance(hours=25)
    busy.load(card, 1_000)
    busy.upload()
    fleet.advance(hours=1, minutes=1)
    center = open_center(Settings(db_url=fleet.db_url, clock=fleet.clock))
    try:
        sweep(center)
        sweep(center)  # kept once however often the sweep runs
    finally:
        center.close()
    assert fleet.alarms() == [("silence", "device:DEV-Q")]


SOAK_RECORDS = int(os.environ.get("CITYCARD_RISK_SOAK_RECORDS", "2000"))


@pytest.mark.slow
def test_a_clean_soak_raises_nothing(fleet):
    """Three outlets, a few hundred cards, top-ups and payments over days: no alarm.

    About 2,000 records by default; ``CITYCARD_RISK_SOAK_RECORDS=10000`` for the long run.
    """
    rng = random.Random(18)
    outlets = [
        fleet.counter("DEV-A", "0102030405A1"),
        fleet.counter("DEV-B", "0102030405B2"),
        fleet.counter("DEV-C", "0102030405C3"),
    ]
    cards = [Card(f"3200000000{n:06d}", online_atc=rng.randrange(0, 50)) for n in range(300)]
    written = 0
    while written < SOAK_RECORDS:
        outlet = rng.choice(outlets)
        card = rng.choice(cards)
        clerk = f"{outlet.device_id}-op{rng.randrange(2)}"
        if card.balance_fen >= 500 and rng.random() < 0.4:
            outlet.purchase(card, rng.randrange(1, card.balance_fen // 100) * 100, operator=clerk)
        else:
            card.balance_fen = max(card.balance_fen - rng.randrange(0, 300), 0)  # the buses
            method = rng.choice(("cash", "wechat", "alipay", "bank_card"))
            outlet.load(
                card,
                rng.choice((1_000, 2_000, 5_000)),
                operator=clerk,
                method=method,
                online=rng.random() < 0.9,
            )
        written += 2
        fleet.advance(minutes=rng.randrange(4, 12))
        if rng.random() < 0.05:
            outlet.upload()
    for outlet in outlets:
        outlet.upload()
    center = open_center(Settings(db_url=fleet.db_url, clock=fleet.clock))
    try:
        sweep(center)
    finally:
        center.close()
    assert fleet.alarms() == []
