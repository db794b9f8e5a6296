"""Other cities' cards at the scenic ticket office: refused plainly when the SAM reports no
national key; with a PSAM holding it, they pay through its national purchase key (two-level
diversification: the issuer diversifier, then the serial) — real APDUs to a virtual card and a
virtual PSAM over the in-process transport."""

from __future__ import annotations

import secrets

import pytest

from app.crypto.diversify import issuer_diversifier
from app.domain.card import CardFamily
from app.journal import RecordKind
from app.services.errors import RefusedError
from app.services.scenic import ScenicService
from app.store import blacklist
from tests.services.counter_support import CHINA, CLERK, SHIFT, build_counter, purchase_service
from tests.support.cards import interop_issuer, national_key_set

WUXI_CU = {"issuer_code": b"\x21\x40", "city_code": "2140"}
SHANGHAI_TU_ISSUER = bytes.fromhex("0000290000000000")
FOREIGN = {
    "wuxi-cu": ({"public_changes": WUXI_CU}, issuer_diversifier("2140"), "2140"),
    "shanghai-tu": (
        {"family": CardFamily.T_UNION, "serial": bytes.fromhex("29001234567890123456")},
        SHANGHAI_TU_ISSUER,
        "2900",
    ),
}


def office(counter, sam) -> ScenicService:
    return ScenicService(
        counter.journal,
        counter.store,
        purchase_service(counter, sam),
        secrets.token_bytes(32),
        counter.directory,
        counter.clock,
        CHINA,
    )


@pytest.fixture
def national():
    """The national master keys (purchase, TAC; no block key unless a test adds one)."""
    return national_key_set(block=False)


@pytest.fixture
def foreign_rig(make_rig, national):
    """A card of another city issued under the national keys; this counter's PSAM holds them."""

    def factory(which: str = "wuxi-cu", **kwargs):
        card, diversifier, _city = FOREIGN[which]
        return make_rig(
            interop_issuer(national, diversifier), sam_national=[national], **{**card, **kwargs}
        )

    return factory


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
    assert rig.sam.key_sets and not any(k.national for k in rig.sam.key_sets)
    desk = office(counter, rig.sam)
    with pytest.raises(RefusedError, match="national interoperability key") as refused:
        desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert refused.value.params["city"] in {"无锡", "上海"}
    assert rig.reload().profile.offline_atc == 0 and rig.reload().profile.balance_fen == 10_000
    assert counter.journal.records() == before
    # cash is still taken
    assert desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "cash").total_fen == 4_000
    counter.close()


def test_a_card_that_is_not_interoperable_never_pays_here(foreign_rig, tmp_path) -> None:
    rig = foreign_rig(balance_fen=10_000, public_changes={**WUXI_CU, "interop_flag": b"\x00\x00"})
    counter = build_counter(tmp_path, rig.sam)
    desk = office(counter, rig.sam)
    with pytest.raises(RefusedError, match="not interoperable"):
        desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert rig.reload().profile.offline_atc == 0
    counter.close()


@pytest.mark.parametrize("which", sorted(FOREIGN))
def test_with_the_national_key_the_payment_is_an_ordinary_purchase(
    foreign_rig, tmp_path, which
) -> None:
    rig = foreign_rig(which, balance_fen=10_000)
    counter = build_counter(tmp_path, rig.sam)
    desk = office(counter, rig.sam)
    sam_seq = rig.sam_rig.reload().transaction_counter
    sale = desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert sale.purchase is not None and sale.purchase.balance_after_fen == 6_000
    assert rig.reload().profile.balance_fen == 6_000
    # the PSAM's own counter gave the seq, and the PSAM's log names the card
    assert rig.sam_rig.reload().transaction_counter == sam_seq + 1
    assert sale.purchase.terminal_seq == sam_seq + 1
    kinds = [r.kind for r in counter.journal.records(after=1)]
    assert kinds == [
        RecordKind.PURCHASE_INTENT,
        RecordKind.PURCHASE_OUTCOME,
        RecordKind.TICKET_SALE,
    ]
    (intent,) = counter.journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
    assert intent.payload_dict()["diversifier"] == FOREIGN[which][1].hex().upper()
    assert intent.payload_dict()["reference"]["card"]["city"] == FOREIGN[which][2]
    counter.close()


def test_a_home_card_keeps_the_issuers_own_key(foreign_rig, make_rig, tmp_path) -> None:
    wuxi = foreign_rig(balance_fen=10_000)
    home = make_rig(balance_fen=10_000, serial=bytes.fromhex("3104000000005678"))
    counter = build_counter(tmp_path, wuxi.sam)
    desk = office(counter, wuxi.sam)
    sale = desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", home.open())
    assert sale.purchase is not None and home.reload().profile.balance_fen == 6_000
    (intent,) = counter.journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
    assert intent.payload_dict()["key_version"] == 1  # the issuer's own DES set, not national
    assert "card" not in intent.payload_dict()["reference"]
    counter.close()


def test_a_card_whose_keys_do_not_descend_from_the_national_key_is_refused(
    make_rig, national, tmp_path
) -> None:
    """Attack: a card made with a forged 'national' key set never gets a valid MAC1."""
    forged = national_key_set(block=False)
    rig = make_rig(
        interop_issuer(forged, issuer_diversifier("2140")),
        sam_national=[national],
        balance_fen=10_000,
        public_changes=WUXI_CU,
    )
    counter = build_counter(tmp_path, rig.sam)
    desk = office(counter, rig.sam)
    from app.card.errors import CardError  # noqa: PLC0415

    with pytest.raises(CardError):
        desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert rig.reload().profile.balance_fen == 10_000
    assert counter.journal.records_of_kinds(RecordKind.TICKET_SALE) == []
    counter.close()


def test_a_blacklisted_card_of_another_city_is_refused_with_the_blacklist(foreign_rig, tmp_path):
    rig = foreign_rig(balance_fen=10_000)
    counter = build_counter(tmp_path, rig.sam)
    blacklist.add(counter.store, "3104000000001234", "loss_report", 0)
    desk = office(counter, rig.sam)
    with pytest.raises(RefusedError, match="blacklist"):
        desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert rig.reload().profile.balance_fen == 10_000
    counter.close()


def test_the_purchase_names_another_citys_card_for_the_clearing(foreign_rig, tmp_path) -> None:
    rig = foreign_rig(balance_fen=10_000)
    counter = build_counter(tmp_path, rig.sam)
    desk = office(counter, rig.sam)
    sale = desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert sale.purchase is not None
    (intent,) = counter.journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
    card = intent.payload_dict()["reference"]["card"]
    assert card == {"family": "CU", "issuer": "2140", "city": "2140"}
    counter.close()


def test_receipts_and_reports_name_the_other_city(foreign_rig, make_rig, tmp_path) -> None:
    from datetime import timedelta, timezone  # noqa: PLC0415

    from app.reports.build import daily_report  # noqa: PLC0415
    from app.reports.csv_export import csv_text, daily_rows  # noqa: PLC0415
    from app.reports.model import OriginLine  # noqa: PLC0415
    from app.services.receipts import receipt_for  # noqa: PLC0415

    wuxi_card = foreign_rig(balance_fen=10_000)
    home_card = make_rig(balance_fen=10_000, serial=bytes.fromhex("3104000000005678"))
    counter = build_counter(tmp_path, wuxi_card.sam)
    desk = office(counter, wuxi_card.sam)
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


@pytest.mark.parametrize("side", ["card", "sam"])
@pytest.mark.parametrize("fault", ["tear_before", "tear_after", "drop_response"])
def test_a_tear_at_every_apdu_of_another_citys_payment_sells_once(
    foreign_rig, tmp_path, fault, side
):
    """Every APDU of a Wuxi card's purse payment through the national key, on the card's side
    and on the PSAM's (its answer lost, the SAM pulled): sold once, debited once, the card's
    city kept through recovery; after a SAM fault the counter reopens its SAM (as at start-up)."""
    from app.card.errors import CardError  # noqa: PLC0415
    from app.services.purchase import PurchaseInterruptedError  # noqa: PLC0415
    from app.services.recovery import RecoveryService, Settlement  # noqa: PLC0415

    counting = foreign_rig(balance_fen=10_000)
    (tmp_path / "count").mkdir()
    counter = build_counter(tmp_path / "count", counting.sam)
    card = counting.open()
    before = card.channel.exchanges if side == "card" else counting.sam.channel.exchanges
    desk = office(counter, counting.sam)
    desk.sell_tickets(CLERK, SHIFT, desk.basket({"child": 1}), "card_purse", card)
    after = card.channel.exchanges if side == "card" else counting.sam.channel.exchanges
    apdus = after - before
    assert apdus >= (4 if side == "sam" else 5), apdus
    counter.close()
    interruptions = 0
    for nth in range(1, apdus + 1):
        rig = foreign_rig(balance_fen=10_000)
        directory = tmp_path / f"{fault}-{side}-{nth}"
        directory.mkdir()
        counter = build_counter(directory, rig.sam)
        desk = office(counter, rig.sam)
        basket = desk.basket({"child": 1})
        card = rig.open()
        faulty = rig.faulty if side == "card" else rig.sam_rig.faulty
        getattr(faulty, fault)(nth=nth)
        try:
            desk.sell_tickets(CLERK, SHIFT, basket, "card_purse", card)
        except PurchaseInterruptedError:
            interruptions += 1
        except CardError:
            assert counter.journal.open_intents() == []
        if faulty.torn:
            faulty.reinsert()
        sam = rig.sam if side == "card" else rig.sam_rig.open()  # the counter reopens its SAM
        settled = RecoveryService(counter.journal, sam).resolve(rig.open())
        assert all(s.settlement is not Settlement.GREY for s in settled), (fault, side, nth)
        assert all(s.reference.get("card", {}).get("city") == "2140" for s in settled)
        desk = office(counter, sam)
        desk.finish_interrupted("3104000000001234")
        if not counter.journal.records_of_kinds(RecordKind.TICKET_SALE):
            desk.sell_tickets(CLERK, SHIFT, basket, "card_purse", rig.open())
        (sale,) = counter.journal.records_of_kinds(RecordKind.TICKET_SALE)
        assert sale.amount_fen == 2_000, (fault, side, nth)
        done = [
            i
            for i in counter.journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
            if any(
                o.intent_seq == i.seq and o.payload_dict().get("outcome") == "done"
                for o in counter.journal.records_of_kinds(RecordKind.PURCHASE_OUTCOME)
            )
        ]
        assert len(done) == 1, (fault, side, nth)
        assert done[0].payload_dict()["reference"]["card"]["city"] == "2140", (fault, side, nth)
        assert rig.reload().profile.balance_fen == 8_000, (fault, side, nth)
        assert counter.journal.open_intents() == []
        counter.close()
    assert interruptions >= 1, interruptions


@pytest.mark.parametrize("block_key", [False, True])
def test_a_blacklisted_card_of_another_city_is_blocked_only_where_the_psam_holds_the_key(
    make_rig, tmp_path, block_key
) -> None:
    """The national blacklist refuses the card everywhere; APPLICATION BLOCK needs the PSAM's
    national block key (two-level, like the purchase key): without it nothing is written."""
    from app.services.loss import LossService  # noqa: PLC0415

    national = national_key_set(block=True)
    rig = make_rig(
        interop_issuer(national, issuer_diversifier("2140")),
        sam_national=[national],
        national_block=block_key,
        balance_fen=10_000,
        public_changes=WUXI_CU,
    )
    assert any(k.national and k.block == block_key for k in rig.sam.key_sets)
    counter = build_counter(tmp_path, rig.sam)
    blacklist.add(counter.store, "3104000000001234", "loss_report", 0)
    loss = LossService(
        counter.journal, counter.store, rig.sam, secrets.token_bytes(32), counter.clock
    )
    before = counter.journal.records()
    note = loss.check_tapped_card(rig.open(), "clerk")
    assert note is not None and note.blocked is block_key
    assert rig.reload().profile.blocked is block_key
    added = [r.kind for r in counter.journal.records()[len(before) :]]
    assert added == ([RecordKind.CARD_BLOCK] if block_key else [])
    desk = office(counter, rig.sam)
    with pytest.raises(RefusedError, match=r"blacklist|blocked"):
        desk.sell_tickets(CLERK, SHIFT, desk.basket({"adult": 1}), "card_purse", rig.open())
    assert rig.reload().profile.balance_fen == 10_000
    counter.close()
