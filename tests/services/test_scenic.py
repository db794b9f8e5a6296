"""The scenic ticket office through the virtual card: tickets, purse tears, passes, entries."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest

from app.card.apdu import Ins
from app.card.errors import CardError
from app.domain.parameters import Parameters
from app.domain.scenic import EntryVerdict, PassProduct, ScenicCatalogue
from app.journal import Outcome, RecordKind
from app.services.errors import PermissionDeniedError, RefusedError
from app.services.purchase import PurchaseInterruptedError
from app.services.recovery import Settlement
from app.services.scenic import ScenicBalanceTooLowError, ScenicService
from app.services.shifts import cash_lines
from app.store import blacklist, card_links, holders
from app.store import parameters as stored_parameters
from app.store import scenic as scenic_store
from tests.services.counter_support import CHINA, CLERK, SHIFT, build_counter, purchase_service

SERIAL = "3104000000001234"
NEW_SERIAL = "3104000000005678"
ID_NUMBER = "330102199001011234"
INDEX_KEY = secrets.token_bytes(32)


@pytest.fixture
def counter(tmp_path, rig):
    counter = build_counter(tmp_path, rig.sam)
    yield counter
    counter.close()


def scenic(counter, sam) -> ScenicService:
    return ScenicService(
        counter.journal,
        counter.store,
        purchase_service(counter, sam),
        INDEX_KEY,
        counter.directory,
        counter.clock,
        CHINA,
    )


def purse_debits(counter, serial: str = SERIAL) -> int:
    return sum(
        r.amount_fen or 0
        for r in counter.journal.card_records(serial, RecordKind.PURCHASE_OUTCOME)
        if r.payload_dict().get("outcome") == Outcome.DONE
    )


def ticket_sales(counter) -> list:
    return counter.journal.records_of_kinds(RecordKind.TICKET_SALE)


# -- admission tickets ---------------------------------------------------------------------------


def test_the_catalogue_comes_from_the_parameters_with_defaults(counter, rig):
    office = scenic(counter, rig.sam)
    assert {t.code for t in office.catalogue().tickets} == {"adult", "child", "senior", "free"}
    custom = ScenicCatalogue(passes=(PassProduct("p1", "Park", 5_000, "rolling_days", 30),),
                             gates=("north",), reuse_interval_s=60)  # fmt: skip
    params = Parameters.default()
    newer = Parameters(**{**params.__dict__, "version": 3, "scenic": custom})
    assert stored_parameters.save(counter.store, newer, 0)
    assert office.catalogue() == custom
    assert Parameters.from_json(newer.to_json()).scenic == custom  # survives the store's JSON


def test_a_cash_basket_is_one_ticket_sale_record_counted_in_the_drawer(counter, rig):
    office = scenic(counter, rig.sam)
    basket = office.basket({"adult": 2, "child": 1, "free": 1, "senior": 0})
    assert basket.total_fen == 2 * 4_000 + 2_000 and basket.ticket_count == 4
    sale = office.sell_tickets(CLERK, SHIFT, basket, "cash")
    record = counter.journal.record(sale.record_seq)
    assert record.kind == RecordKind.TICKET_SALE and record.amount_fen == 10_000
    assert record.payment_method == "cash" and record.card_serial is None
    assert record.payload_dict()["lines"] == [["adult", 2, 4000], ["child", 1, 2000],
                                              ["free", 1, 0]]  # fmt: skip
    (line,) = cash_lines(counter.journal, SHIFT)
    assert (line.kind, line.count, line.amount_fen) == ("ticket_sale", 1, 10_000)
    assert rig.reload().profile.offline_atc == 0  # the card was never touched


def test_free_tickets_need_no_payment_and_bad_baskets_are_refused(counter, rig):
    office = scenic(counter, rig.sam)
    sale = office.sell_tickets(CLERK, SHIFT, office.basket({"free": 2}), "nonsense")
    assert sale.payment_method is None and counter.journal.record(sale.record_seq).amount_fen == 0
    with pytest.raises(RefusedError, match="no ticket type"):
        office.basket({"vip": 1})
    with pytest.raises(RefusedError, match="not a number"):
        office.basket({"adult": -1})
    with pytest.raises(RefusedError, match="empty"):
        office.sell_tickets(CLERK, SHIFT, office.basket({"adult": 0}), "cash")
    with pytest.raises(RefusedError, match="payment method"):
        office.sell_tickets(CLERK, SHIFT, office.basket({"adult": 1}), "cheque")
    with pytest.raises(PermissionDeniedError):
        office.sell_tickets(None, SHIFT, office.basket({"adult": 1}), "cash")


def test_paying_from_the_purse_is_a_purchase_then_a_sale_naming_it(counter, rig):
    office = scenic(counter, rig.sam)
    sale = office.sell_tickets(CLERK, SHIFT, office.basket({"adult": 1}), "card_purse", rig.open())
    assert sale.purchase is not None and sale.purchase.balance_after_fen == 1_000
    record = counter.journal.record(sale.record_seq)
    outcome = counter.journal.record(record.payload_dict()["purchase_seq"])
    assert outcome.kind == RecordKind.PURCHASE_OUTCOME and outcome.tac == sale.purchase.tac
    intent = counter.journal.record(outcome.intent_seq)
    assert intent.payload_dict()["reference"] == {
        "scenic": "tickets",
        "lines": [["adult", 1, 4000]],
    }
    assert record.card_serial == SERIAL and record.payment_method == "card_purse"
    assert rig.reload().profile.balance_fen == 1_000
    assert cash_lines(counter.journal, SHIFT) == ()  # not cash
    assert office.finish_interrupted(SERIAL) == []  # nothing left to write


def test_too_little_in_the_purse_offers_a_top_up_before_the_card_is_debited(counter, rig):
    office = scenic(counter, rig.sam)
    with pytest.raises(ScenicBalanceTooLowError) as info:
        office.sell_tickets(CLERK, SHIFT, office.basket({"adult": 2}), "card_purse", rig.open())
    assert info.value.shortfall_fen == 3_000
    assert "top-up of at least ¥30.00" in info.value.advice_text
    assert "{shortfall}" in info.value.advice  # a template the window translates
    assert counter.journal.records(after=1) == [] and rig.reload().profile.offline_atc == 0


def test_the_card_answering_9401_is_the_same_clear_refusal(counter, rig):
    office = scenic(counter, rig.sam)
    rig.faulty.answer_with(Ins.INITIALIZE, 0x9401)  # the card disagrees with what it showed
    with pytest.raises(ScenicBalanceTooLowError, match="cannot be paid"):
        office.sell_tickets(CLERK, SHIFT, office.basket({"adult": 1}), "card_purse", rig.open())
    assert counter.journal.open_intents() == [] and ticket_sales(counter) == []
    assert rig.reload().profile.balance_fen == 5_000


def test_a_blacklisted_card_is_refused_as_such_not_offered_a_top_up(counter, rig):
    office = scenic(counter, rig.sam)
    blacklist.add(counter.store, SERIAL, "loss_report", 0)
    with pytest.raises(RefusedError, match="blacklist"):
        office.sell_tickets(CLERK, SHIFT, office.basket({"adult": 5}), "card_purse", rig.open())


def _apdus_of_a_ticket_sale(make_rig, tmp_path) -> int:
    rig = make_rig()
    counter = build_counter(tmp_path / "count", rig.sam)
    office = scenic(counter, rig.sam)
    card = rig.open()
    before = card.channel.exchanges
    office.sell_tickets(CLERK, SHIFT, office.basket({"child": 1}), "card_purse", card)
    counter.close()
    return card.channel.exchanges - before


@pytest.mark.parametrize("fault", ["tear_before", "tear_after", "drop_response"])
def test_a_tear_at_every_apdu_of_a_ticket_sale_sells_exactly_once(make_rig, tmp_path, fault):
    (tmp_path / "count").mkdir()
    apdus = _apdus_of_a_ticket_sale(make_rig, tmp_path)
    assert apdus >= 5  # the office's read, the purchase's read, INIT, GET DATA, DEBIT
    interruptions = 0
    for nth in range(1, apdus + 1):
        rig = make_rig()
        directory = tmp_path / f"{fault}-{nth}"
        directory.mkdir()
        counter = build_counter(directory, rig.sam)
        office = scenic(counter, rig.sam)
        basket = office.basket({"child": 1})
        card = rig.open()
        getattr(rig.faulty, fault)(nth=nth)  # counted from here: the sale's own APDUs
        interrupted = False
        try:
            office.sell_tickets(CLERK, SHIFT, basket, "card_purse", card)
        except PurchaseInterruptedError:
            interrupted = True
            interruptions += 1
        except CardError:
            assert counter.journal.open_intents() == []
        assert bool(counter.journal.open_intents()) is interrupted, (fault, nth)
        # the next tap: recovery settles the purchase, the office writes the sale it was for
        if rig.faulty.torn:
            rig.faulty.reinsert()
        settled = counter.recovery.resolve(rig.open())
        assert all(s.settlement is not Settlement.GREY for s in settled)
        assert all(s.reference.get("scenic") == "tickets" for s in settled)
        finished = office.finish_interrupted(SERIAL)
        assert len(finished) == sum(s.settlement is Settlement.DONE for s in settled)
        assert all(f.recovered for f in finished)
        if not ticket_sales(counter):  # the clerk sells again what did not happen
            office.sell_tickets(CLERK, SHIFT, basket, "card_purse", rig.open())
        (sale,) = ticket_sales(counter)
        assert sale.amount_fen == 2_000 and purse_debits(counter) == 2_000, (fault, nth)
        profile = rig.reload().profile
        assert profile.balance_fen == 3_000 and profile.offline_atc == 1, (fault, nth)
        assert office.finish_interrupted() == [] and counter.journal.verify().ok
        counter.close()
    assert interruptions == 1, interruptions  # DEBIT itself: the one APDU whose result is unknown


def test_a_crash_between_the_purchase_and_the_sale_is_finished_at_start_up(counter, rig):
    office = scenic(counter, rig.sam)
    basket = office.basket({"senior": 2})
    receipt = purchase_service(counter, rig.sam).purchase(
        CLERK, SHIFT, rig.open(), basket.total_fen, "card_purse",
        reference={"scenic": "tickets", "lines": basket.as_json()},
    )  # fmt: skip
    restarted = counter.reopen(rig.sam)
    (finished,) = scenic(restarted, rig.sam).reconcile()
    record = restarted.journal.record(finished.record_seq)
    assert record.payload_dict()["purchase_seq"] == receipt.outcome_seq
    assert record.shift_id == SHIFT and record.operator == CLERK.username
    assert scenic(restarted, rig.sam).reconcile() == []
    restarted.close()


# -- annual passes -------------------------------------------------------------------------------


@pytest.fixture
def registered(counter):
    holders.register(counter.store, INDEX_KEY, SERIAL, "张三", ID_NUMBER)
    return counter


def photo_file(tmp_path):
    path = tmp_path / "holder.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    return path


def test_a_pass_is_sold_to_the_registered_holder_with_dates_and_photo(registered, rig, tmp_path):
    office = scenic(registered, rig.sam)
    sale = office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER.lower(), "wechat",
                            photo=photo_file(tmp_path))  # fmt: skip
    annual = sale.annual_pass
    today = registered.clock.now.astimezone(CHINA).date()
    assert (annual.valid_from, annual.valid_until) == (today, today + timedelta(days=364))
    assert annual.card_serial == SERIAL and annual.holder_name == "张三"
    assert annual.photo_path and annual.photo_path.startswith(str(registered.directory))
    record = registered.journal.record(sale.record_seq)
    assert record.kind == RecordKind.PASS_SALE and record.amount_fen == 12_000
    assert record.payload_dict()["holder"] == "张*" and record.payload_dict()["photo_sha256"]
    assert scenic_store.passes_of(registered.store, SERIAL) == [annual]
    with pytest.raises(RefusedError, match="already has this pass"):
        office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")


def test_a_pass_needs_the_registered_holders_id(counter, rig):
    office = scenic(counter, rig.sam)
    with pytest.raises(RefusedError, match="not registered"):
        office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    holders.register(counter.store, INDEX_KEY, SERIAL, "张三", ID_NUMBER)
    with pytest.raises(RefusedError, match="does not match"):
        office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", "110101198001010011", "cash")
    assert counter.journal.records_of_kinds(RecordKind.PASS_SALE) == []


def test_a_pass_paid_from_the_purse_and_torn_is_sold_on_the_next_tap(registered, rig, tmp_path):
    office = scenic(registered, rig.sam)
    holder_photo = photo_file(tmp_path)
    with pytest.raises(ScenicBalanceTooLowError):  # the card holds ¥50, the pass costs ¥120
        office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "card_purse",
                         photo=holder_photo)  # fmt: skip
    assert not list((registered.directory / "scenic" / "photos").glob("*"))  # photo dropped
    cheap = ScenicCatalogue(passes=(PassProduct("garden_annual", "园林年卡", 3_000),))
    params = Parameters(**{**Parameters.default().__dict__, "version": 2, "scenic": cheap})
    stored_parameters.save(registered.store, params, 0)
    rig.faulty.tear_after(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(PurchaseInterruptedError):
        office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "card_purse",
                         photo=holder_photo)  # fmt: skip
    assert office.passes_of(SERIAL) == []  # not sold until the payment is known
    rig.faulty.reinsert()
    (settled,) = registered.recovery.resolve(rig.open())
    assert settled.settlement is Settlement.DONE
    (finished,) = office.finish_interrupted(SERIAL)
    assert finished.annual_pass.card_serial == SERIAL and finished.recovered
    assert finished.annual_pass.photo_path is not None  # the photo copied before is kept
    assert office.passes_of(SERIAL) == [finished.annual_pass]
    assert rig.reload().profile.balance_fen == 2_000


def _checked(office, serial=SERIAL, gate="east"):
    return office.check_serial(CLERK, serial, gate)


def test_entry_checks_valid_not_found_blacklisted_expired(registered, rig):
    office = scenic(registered, rig.sam)
    assert _checked(office).verdict is EntryVerdict.NOT_FOUND
    office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    check = office.check_entry(CLERK, rig.open(), "east")
    assert check.verdict is EntryVerdict.VALID and not check.flagged
    assert check.annual_pass.holder_name == "张三" and "admit 张三" in check.message
    assert check.admitted_today_at_gate == 1
    registered.clock.now += timedelta(days=365)
    expired = _checked(office)
    assert expired.verdict is EntryVerdict.EXPIRED and "expired" in expired.message
    blacklist.add(registered.store, SERIAL, "loss_report", 0)
    assert _checked(office).verdict is EntryVerdict.BLACKLISTED
    kinds = [r.payload_dict()["verdict"] for r in
             registered.journal.records_of_kinds(RecordKind.SCENIC_ENTRY)]  # fmt: skip
    assert kinds == ["not_found", "valid", "expired", "blacklisted"]
    with pytest.raises(RefusedError, match="no gate"):
        _checked(office, gate="back door")


def test_a_second_use_within_the_interval_is_flagged_and_gates_are_counted(registered, rig):
    office = scenic(registered, rig.sam)
    office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    first = _checked(office, gate="east")
    registered.clock.now += timedelta(minutes=5)
    second = _checked(office, gate="west")
    assert not first.flagged and second.flagged and second.previous_gate == "east"
    assert "5 minutes ago at gate east" in second.message
    registered.clock.now += timedelta(minutes=31)
    third = _checked(office, gate="west")
    assert not third.flagged and third.admitted_today_at_gate == 2
    assert office.admissions_by_gate() == {"east": 1, "west": 2}
    yesterday = registered.clock.now.astimezone(CHINA).date() - timedelta(days=1)
    assert office.admissions_by_gate(yesterday) == {}


def test_a_replacement_card_takes_the_pass_over(registered, rig):
    office = scenic(registered, rig.sam)
    sale = office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    blacklist.add(registered.store, SERIAL, "loss_report", 0)
    card_links.link(registered.store, SERIAL, NEW_SERIAL, "replacement", 99, 0)
    assert _checked(office).verdict is EntryVerdict.BLACKLISTED  # the lost card
    check = _checked(office, NEW_SERIAL)
    assert check.verdict is EntryVerdict.VALID
    assert check.annual_pass.pass_id == sale.annual_pass.pass_id
    (transfer,) = registered.journal.records_of_kinds(RecordKind.PASS_TRANSFER)
    assert transfer.card_serial == NEW_SERIAL
    assert transfer.payload_dict()["from_serial"] == SERIAL
    assert office.passes_of(SERIAL) == [] and len(office.passes_of(NEW_SERIAL)) == 1


def test_the_store_is_rebuilt_from_the_journal(registered, rig, tmp_path):
    office = scenic(registered, rig.sam)
    office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    _checked(office)
    # the store lost its rows (a crash after the journal, or a restored backup)
    with registered.store.session() as s:
        s.query(scenic_store.ScenicPassRow).delete()
        s.query(scenic_store.ScenicEntryRow).delete()
    office.reconcile()
    assert len(office.passes_of(SERIAL)) == 1 and office.admissions_by_gate() == {"east": 1}


def test_calendar_year_passes_end_on_31_december():
    product = PassProduct("y", "Year", 100, "calendar_year")
    assert product.valid_dates(date(2026, 11, 21)) == (date(2026, 11, 21), date(2026, 12, 31))


def test_the_daily_report_shows_tickets_passes_and_admissions(registered, rig):
    from app.reports import daily_report  # noqa: PLC0415 - reports sit above the services
    from app.reports.csv_export import daily_rows  # noqa: PLC0415

    office = scenic(registered, rig.sam)
    office.sell_tickets(CLERK, SHIFT, office.basket({"adult": 2, "free": 1}), "cash")
    office.sell_tickets(CLERK, SHIFT, office.basket({"adult": 1}), "card_purse", rig.open())
    office.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "alipay")
    _checked(office)
    _checked(office, gate="west")  # within the interval: flagged
    day = registered.clock.now.astimezone(CHINA).date()
    report = daily_report(registered.journal, registered.store, day, CHINA)
    f = report.figures.scenic
    assert [(x.ticket_type, x.payment_method, x.count, x.amount_fen) for x in f.tickets] == [
        ("adult", "card_purse", 1, 4_000),
        ("adult", "cash", 2, 8_000),
        ("free", "cash", 1, 0),
    ]
    assert [(p.product, p.payment_method, p.count) for p in f.passes] == [
        ("garden_annual", "alipay", 1)
    ]
    assert sum(h.count for h in f.entries_by_hour) == 2 and f.flagged_entries == 1
    assert f.entries_by_gate == (("east", 1), ("west", 1))
    # cash and QR sales are takings; the purse-paid basket is not money taken at the counter
    assert report.figures.takings_fen == 8_000 + 12_000
    rows = list(daily_rows(report))
    assert any(r[0] == "Admission tickets by type and payment method" and r[1] == "Adult"
               for r in rows)  # fmt: skip
    assert any(r[0] == "Admissions by gate" and r[1] == "west" and r[3] == "1" for r in rows)
