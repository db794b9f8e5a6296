"""Other cities' cards at the scenic ticket office: refused plainly until the SAM holds the
national key; with it the purse payment goes through the ordinary purchase."""

from __future__ import annotations

import secrets

import pytest

from app.domain.card import CardFamily
from app.journal import RecordKind
from app.services.errors import RefusedError
from app.services.scenic import ScenicService
from app.store import blacklist
from tests.services.counter_support import CHINA, CLERK, SHIFT, build_counter, purchase_service

WUXI_CU = {"issuer_code": b"\x21\x40", "city_code": "2140"}


def office(counter, sam, *, national_key: bool) -> ScenicService:
    return ScenicService(
        counter.journal,
        counter.store,
        purchase_service(counter, sam),
        secrets.token_bytes(32),
        counter.directory,
        counter.clock,
        CHINA,
        national_key=national_key,
    )


@pytest.mark.parametrize(
    "card",
    [
        {"public_changes": WUXI_CU},
        {"family": CardFamily.T_UNION, "serial": bytes.fromhex("29001234567890123456")},
    ],
)
def test_without_the_national_key_another_citys_card_is_refused_untouched(
    make_rig, tmp_path, card
) -> None:
    rig = make_rig(balance_fen=10_000, **card)
    counter = build_counter(tmp_path, rig.sam)
    before = counter.journal.records()
    desk = office(counter, rig.sam, national_key=False)
    with pytest.raises(RefusedError, match="national interoperability key") as refused:
        desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert refused.value.params["city"] in {"无锡", "上海"}
    assert rig.reload().profile.offline_atc == 0 and rig.reload().profile.balance_fen == 10_000
    assert counter.journal.records() == before
    # cash is still taken
    assert desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "cash").total_fen == 4_000
    counter.close()


def test_a_card_that_is_not_interoperable_never_pays_here(make_rig, tmp_path) -> None:
    rig = make_rig(balance_fen=10_000, public_changes={**WUXI_CU, "interop_flag": b"\x00\x00"})
    counter = build_counter(tmp_path, rig.sam)
    desk = office(counter, rig.sam, national_key=True)
    with pytest.raises(RefusedError, match="not interoperable"):
        desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert rig.reload().profile.offline_atc == 0
    counter.close()


def test_with_the_national_key_the_payment_is_an_ordinary_purchase(make_rig, tmp_path) -> None:
    # The rig's software SAM stands in for a PSAM holding the key this card's keys descend from.
    rig = make_rig(balance_fen=10_000, public_changes=WUXI_CU)
    counter = build_counter(tmp_path, rig.sam)
    desk = office(counter, rig.sam, national_key=True)
    sale = desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert sale.purchase is not None and sale.purchase.balance_after_fen == 6_000
    assert rig.reload().profile.balance_fen == 6_000
    kinds = [r.kind for r in counter.journal.records(after=1)]
    assert kinds == [
        RecordKind.PURCHASE_INTENT,
        RecordKind.PURCHASE_OUTCOME,
        RecordKind.TICKET_SALE,
    ]
    counter.close()


def test_a_blacklisted_card_of_another_city_is_refused_with_the_blacklist(make_rig, tmp_path):
    rig = make_rig(balance_fen=10_000, public_changes=WUXI_CU)
    counter = build_counter(tmp_path, rig.sam)
    blacklist.add(counter.store, "3104000000001234", "loss_report", 0)
    desk = office(counter, rig.sam, national_key=True)
    with pytest.raises(RefusedError, match="blacklist"):
        desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert rig.reload().profile.balance_fen == 10_000
    counter.close()


def test_the_purchase_names_another_citys_card_for_the_clearing(make_rig, tmp_path) -> None:
    rig = make_rig(balance_fen=10_000, public_changes=WUXI_CU)
    counter = build_counter(tmp_path, rig.sam)
    desk = office(counter, rig.sam, national_key=True)
    sale = desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert sale.purchase is not None
    (intent,) = counter.journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
    card = intent.payload_dict()["reference"]["card"]
    assert card == {"family": "CU", "issuer": "2140", "city": "2140"}
    counter.close()


def test_receipts_and_reports_name_the_other_city(make_rig, tmp_path) -> None:
    from datetime import timedelta, timezone  # noqa: PLC0415

    from app.reports.build import daily_report  # noqa: PLC0415
    from app.reports.csv_export import csv_text, daily_rows  # noqa: PLC0415
    from app.reports.model import OriginLine  # noqa: PLC0415
    from app.services.receipts import receipt_for  # noqa: PLC0415

    wuxi_card = make_rig(balance_fen=10_000, public_changes=WUXI_CU)
    home_card = make_rig(balance_fen=10_000, serial=bytes.fromhex("3104000000005678"))
    counter = build_counter(tmp_path, wuxi_card.sam)
    desk = office(counter, wuxi_card.sam, national_key=True)
    foreign = desk.sell_tickets(
        CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", wuxi_card.open()
    )
    home = desk.sell_tickets(
        CLERK, SHIFT, desk.basket({"child": 1}), "card_purse", home_card.open()
    )

    lines = dict(receipt_for(counter.journal, counter.journal.record(foreign.record_seq)).lines)
    assert lines["卡属地 Card's city"].startswith("无锡")
    home_lines = dict(receipt_for(counter.journal, counter.journal.record(home.record_seq)).lines)
    assert "卡属地 Card's city" not in home_lines

    china = timezone(timedelta(hours=8))
    day = counter.journal.record(foreign.record_seq).at.astimezone(china).date()
    report = daily_report(counter.journal, counter.store, day, china)
    assert report.figures.purse_by_city == (OriginLine("", 1, 2_000), OriginLine("无锡", 1, 4_000))
    text = csv_text(daily_rows(report))
    assert "Purse payments by the card's home city,无锡" in text
    counter.close()


@pytest.mark.parametrize("fault", ["tear_before", "tear_after", "drop_response"])
def test_a_tear_at_every_card_apdu_of_another_citys_payment_sells_once(make_rig, tmp_path, fault):
    """The card's APDUs only: the PSAM's own (MAC1, MAC2 check) wait for the PSAM."""
    from app.card.errors import CardError  # noqa: PLC0415
    from app.services.purchase import PurchaseInterruptedError  # noqa: PLC0415
    from app.services.recovery import Settlement  # noqa: PLC0415

    counting = make_rig(balance_fen=10_000, public_changes=WUXI_CU)
    (tmp_path / "count").mkdir()
    counter = build_counter(tmp_path / "count", counting.sam)
    card = counting.open()
    before = card.channel.exchanges
    desk = office(counter, counting.sam, national_key=True)
    desk.sell_tickets(CLERK, SHIFT, desk.basket({"child": 1}), "card_purse", card)
    apdus = card.channel.exchanges - before
    counter.close()
    interruptions = 0
    for nth in range(1, apdus + 1):
        rig = make_rig(balance_fen=10_000, public_changes=WUXI_CU)
        directory = tmp_path / f"{fault}-{nth}"
        directory.mkdir()
        counter = build_counter(directory, rig.sam)
        desk = office(counter, rig.sam, national_key=True)
        basket = desk.basket({"child": 1})
        card = rig.open()
        getattr(rig.faulty, fault)(nth=nth)
        try:
            desk.sell_tickets(CLERK, SHIFT, basket, "card_purse", card)
        except PurchaseInterruptedError:
            interruptions += 1
        except CardError:
            assert counter.journal.open_intents() == []
        if rig.faulty.torn:
            rig.faulty.reinsert()
        settled = counter.recovery.resolve(rig.open())
        assert all(s.settlement is not Settlement.GREY for s in settled)
        assert all(s.reference.get("card", {}).get("city") == "2140" for s in settled)
        desk.finish_interrupted("3104000000001234")
        if not counter.journal.records_of_kinds(RecordKind.TICKET_SALE):
            desk.sell_tickets(CLERK, SHIFT, basket, "card_purse", rig.open())
        (sale,) = counter.journal.records_of_kinds(RecordKind.TICKET_SALE)
        assert sale.amount_fen == 2_000, (fault, nth)
        (intent,) = [
            i
            for i in counter.journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
            if any(
                o.intent_seq == i.seq and o.payload_dict().get("outcome") == "done"
                for o in counter.journal.records_of_kinds(RecordKind.PURCHASE_OUTCOME)
            )
        ]
        assert intent.payload_dict()["reference"]["card"]["city"] == "2140", (fault, nth)
        assert rig.reload().profile.balance_fen == 8_000, (fault, nth)
        counter.close()
    assert interruptions == 1, interruptions
