"""Damaged-card exchange: supervised, old card debited and blocked, balance onto a stock card.

Every proof ends with the same accounting (:func:`check_exchanged`): the journal's done debits
of the old card equal its done credits of the new card equal the old balance, both card
balances (and ATCs) are what the journal says, nothing is open, one exchange is recorded and the
serials are linked.
"""

from __future__ import annotations

import contextlib
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import composition
from app.card.apdu import Ins
from app.card.errors import CardError
from app.card.inprocess import InProcessTransport
from app.card.session import CityCard
from app.crypto.keystore import Keystore
from app.domain.people import Actor, Approval, Role
from app.journal import Entry, Journal, JournalKeys, Outcome, RecordKind
from app.services import exchange as exchange_module
from app.services.errors import PermissionDeniedError, RefusedError
from app.services.exchange import (
    ExchangeInterruptedError,
    ExchangeService,
    ExchangeStage,
)
from app.services.operators import ApprovalPurpose, OperatorService
from app.services.receipts import receipt_for
from app.services.shifts import cash_lines
from app.store import blacklist, card_links, holders
from app.sync.uploader import Uploader
from cardsim.card import VirtualCityCard
from cardsim.profile import CardProfile, HolderFields
from tests.services import exchange_child
from tests.services import soak_support as soak
from tests.services.counter_support import (
    SHIFT,
    SUPERVISOR_PASSWORD,
    Clock,
    Counter,
    build_counter,
    exchange_service,
    staff,
    void_service,
)
from tests.services.soak_support import CHEAP_KDF
from tests.support.cards import Rig
from tests.sync.support import TERMINAL_ID as SYNC_TERMINAL
from tests.sync.support import center_thread, enrol

OLD = "3104000000001234"
NEW = "3104000000005678"
BALANCE = 3_450
FEE = 1_000  # the default parameters' exchange fee
ID_NUMBER = "330102199001011234"
SUPERVISOR = Actor("sup1", "李强", Role.SUPERVISOR)


@dataclass
class Setup:
    counter: Counter
    operators: OperatorService
    clerk: Actor
    exchanges: ExchangeService
    old: Rig
    new: Rig

    def approval(self) -> Approval:
        return self.operators.approve(
            self.clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.EXCHANGE, subject=OLD
        )

    def reopen(self) -> None:
        """A restart: the counter rebuilt from its files (a crash leaves nothing else)."""
        self.counter = self.counter.reopen(self.old.sam)
        self.operators = OperatorService(
            self.counter.store, self.counter.journal, self.counter.clock, self.operators._params
        )
        self.exchanges = exchange_service(self.counter, self.old.sam)


def make_setup(
    directory, make_rig, old_balance: int = BALANCE, keys: JournalKeys | None = None
) -> Setup:
    old = make_rig(
        serial=bytes.fromhex(OLD),
        balance_fen=old_balance,
        holder=HolderFields(1, 0, "张三", ID_NUMBER, 0),
    )
    new = make_rig(serial=bytes.fromhex(NEW), balance_fen=0)
    counter = build_counter(directory, old.sam, keys)
    operators, clerk = staff(counter)
    holders.register(counter.store, secrets.token_bytes(32), OLD, "张三", ID_NUMBER)
    return Setup(counter, operators, clerk, exchange_service(counter, old.sam), old, new)


@pytest.fixture
def setup(tmp_path, make_rig):
    made = make_setup(tmp_path, make_rig)
    yield made
    made.counter.close()


def done_sum(counter: Counter, serial: str, kind: str) -> tuple[int, int]:
    """(sum, count) of the journal's done outcomes of ``kind`` on ``serial``."""
    done = [
        r
        for r in counter.journal.card_records(serial, kind)
        if r.payload_dict().get("outcome") == Outcome.DONE
    ]
    return sum(r.amount_fen or 0 for r in done), len(done)


def check_exchanged(s: Setup, balance: int = BALANCE, context: object = None) -> None:
    journal = s.counter.journal
    old, new = s.old.reload().profile, s.new.reload().profile
    debits, debit_count = done_sum(s.counter, OLD, RecordKind.PURCHASE_OUTCOME)
    credits, credit_count = done_sum(s.counter, NEW, RecordKind.LOAD_OUTCOME)
    assert debits == credits == balance, context  # old-card debits == new-card credits
    assert old.balance_fen == balance - debits == 0, context
    assert new.balance_fen == credits, context
    assert old.offline_atc == debit_count == (1 if balance else 0), context  # debited once
    assert new.online_atc == credit_count == (1 if balance else 0), context  # never twice
    assert old.blocked, context
    assert journal.open_intents() == [], context
    exchanges = [
        r
        for r in journal.records_of_kinds(RecordKind.EXCHANGE)
        if r.payload_dict().get("outcome") == Outcome.DONE
    ]
    assert len(exchanges) == 1, context
    link = card_links.successor(s.counter.store, OLD)
    assert link is not None and link.new_serial == NEW and link.kind == "exchange", context
    assert holders.holder_of(s.counter.store, NEW).name == "张三", context
    assert journal.verify().ok, context


# -- the operation ---------------------------------------------------------------------------


def test_the_exchange_moves_the_balance_blocks_the_old_card_and_links(setup):
    s = setup
    status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    assert status.stage is ExchangeStage.NEW_CARD and status.held_fen == BALANCE
    assert "put the new card on the reader" in status.message
    assert s.old.reload().profile.balance_fen == 0 and s.old.reload().profile.blocked
    assert [p.stage for p in s.exchanges.pending(s.clerk)] == [ExchangeStage.NEW_CARD]
    done = s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    assert done.stage is ExchangeStage.DONE and done.receipt is not None
    receipt = done.receipt
    assert (receipt.old_serial, receipt.new_serial) == (OLD, NEW)
    assert receipt.transferred_fen == BALANCE == receipt.new_balance_fen
    assert (receipt.fee_fen, receipt.fee_payment, receipt.approver) == (FEE, "cash", "sup1")
    check_exchanged(s)
    journal = s.counter.journal
    debit = journal.record(receipt.debit_seq)
    transfer = journal.record(receipt.transfer_seq)
    assert debit.kind == RecordKind.PURCHASE_OUTCOME and debit.payment_method == "balance_transfer"
    assert (
        transfer.kind == RecordKind.LOAD_OUTCOME and transfer.payment_method == "balance_transfer"
    )
    (block,) = journal.card_records(OLD, RecordKind.CARD_BLOCK)
    assert block.payload_dict() == {"reason": "exchange", "exchange_seq": status.intent_seq}
    # the fee is the only cash; the transfers are not
    assert [(line.kind, line.amount_fen) for line in cash_lines(journal, SHIFT)] == [
        ("exchange", FEE)
    ]
    printed = dict(receipt_for(journal, journal.record(receipt.record_seq)).lines)
    assert printed["新卡号 New card"] == NEW and printed["转移余额 Balance moved"] == "¥34.50"
    # finished is finished: asking again answers the same receipt, nothing more is written
    head = journal.head()
    again = s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    assert again.receipt == receipt and journal.head() == head
    assert s.exchanges.resume(s.clerk, s.new.open()) == []
    assert s.exchanges.pending(s.clerk) == []


def test_a_card_with_no_balance_is_exchanged_without_card_money(tmp_path, make_rig):
    s = make_setup(tmp_path, make_rig, old_balance=0)
    done = s.exchanges.exchange(s.clerk, SHIFT, s.old.open(), s.new.open(), s.approval())
    assert done.stage is ExchangeStage.DONE and done.receipt.transferred_fen == 0
    check_exchanged(s, balance=0)
    s.counter.close()


def test_an_expired_card_is_exchanged(tmp_path, make_rig):
    s = make_setup(tmp_path, make_rig)
    s.old = make_rig(
        serial=bytes.fromhex(OLD),
        balance_fen=BALANCE,
        public_changes={"expiry_date": "20200101"},  # what the card panel offers an exchange for
    )
    s.exchanges = exchange_service(s.counter, s.old.sam)
    done = s.exchanges.exchange(s.clerk, SHIFT, s.old.open(), s.new.open(), s.approval())
    assert done.stage is ExchangeStage.DONE
    check_exchanged(s)
    s.counter.close()


# -- who may, and what is refused ------------------------------------------------------------


def test_without_a_supervisors_approval_nothing_happens(setup):
    s = setup
    with pytest.raises(RefusedError, match="approval"):
        s.exchanges.start(s.clerk, SHIFT, s.old.open(), None)
    other = s.operators.approve(s.clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.REFUND)
    with pytest.raises(RefusedError, match="not for"):
        s.exchanges.start(s.clerk, SHIFT, s.old.open(), other)
    admin = s.operators.sign_in("admin", "Adm1n-pass-word")
    s.operators.create_operator(admin, "clerk2", "赵敏", Role.CLERK, "Cl3rk2-pass-word")
    with pytest.raises(PermissionDeniedError):  # a clerk cannot approve an exchange
        s.operators.approve(s.clerk, "clerk2", "Cl3rk2-pass-word", ApprovalPurpose.EXCHANGE)
    # an approval record that names a clerk as approver is refused, whatever it claims
    forged = s.counter.journal.append(
        Entry(
            RecordKind.APPROVAL,
            operator="clerk1",
            payload={"approver": "clerk2", "approver_role": "clerk", "purpose": "exchange"},
        )
    )
    with pytest.raises(PermissionDeniedError):
        s.exchanges.start(
            s.clerk, SHIFT, s.old.open(), Approval("clerk2", Role.CLERK, "exchange", forged.seq)
        )
    with pytest.raises(PermissionDeniedError):
        s.exchanges.start(None, SHIFT, s.old.open(), s.approval())  # nobody signed in
    assert s.old.reload().profile.balance_fen == BALANCE
    assert not s.old.reload().profile.blocked
    assert s.counter.journal.records_of_kinds(RecordKind.EXCHANGE_INTENT) == []


def test_cards_that_cannot_be_exchanged_are_refused(setup, make_rig):
    s = setup
    blacklist.add(s.counter.store, OLD, "loss_report", 0)
    with pytest.raises(RefusedError, match="blacklist") as info:
        s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    assert "replaced after the waiting period" in info.value.advice
    blacklist.remove(s.counter.store, OLD)
    foreign = make_rig(serial=bytes.fromhex("3104000000009999"),
                       public_changes={"issuer_code": b"\x44\x00"})  # fmt: skip
    with pytest.raises(RefusedError, match="not one of this issuer"):
        s.exchanges.start(s.clerk, SHIFT, foreign.open(), s.approval())
    assert s.counter.journal.records_of_kinds(RecordKind.EXCHANGE_INTENT) == []
    # the new card: not before the old card is done, not the old card, not a used card
    status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    with pytest.raises(RefusedError, match="old card itself"):
        s.exchanges.finish(s.clerk, status.intent_seq, s.old.open())
    used = make_rig(serial=bytes.fromhex("3104000000007777"), balance_fen=100)
    with pytest.raises(RefusedError, match="not a new stock card"):
        s.exchanges.finish(s.clerk, status.intent_seq, used.open())
    assert used.reload().profile.balance_fen == 100
    with pytest.raises(RefusedError, match=r"already replaced|blocked"):
        s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())  # no second exchange
    s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    check_exchanged(s)


def test_the_new_card_waits_for_the_old_one(setup):
    s = setup
    s.old.faulty.tear_before(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(ExchangeInterruptedError) as info:
        s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    assert "Put the same card back" in info.value.advice
    (pending,) = s.exchanges.pending(s.clerk)
    assert pending.stage is ExchangeStage.OLD_CARD and OLD in pending.message
    with pytest.raises(RefusedError, match="must be on the reader first"):
        s.exchanges.finish(s.clerk, pending.intent_seq, s.new.open())
    assert s.new.reload().profile.balance_fen == 0


def test_only_a_supervisor_gives_up_an_exchange_and_only_before_the_debit(setup):
    s = setup
    s.old.faulty.tear_before(ins=Ins.INITIALIZE)  # after the intent, before the purchase
    with pytest.raises(ExchangeInterruptedError):
        s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    (pending,) = s.exchanges.pending(s.clerk)
    with pytest.raises(PermissionDeniedError):
        s.exchanges.abandon(s.clerk, pending.intent_seq, "the customer left")
    given_up = s.exchanges.abandon(SUPERVISOR, pending.intent_seq, "the customer left")
    assert given_up.stage is ExchangeStage.ABANDONED
    outcome = s.counter.journal.records()[-1]
    assert outcome.kind == RecordKind.EXCHANGE and outcome.amount_fen is None  # no fee
    assert s.counter.journal.open_intents() == []
    s.old.faulty.reinsert()
    assert s.old.reload().profile.balance_fen == BALANCE and not s.old.reload().profile.blocked
    # once the balance is taken, the exchange must be finished
    status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    with pytest.raises(RefusedError, match="cannot be given up"):
        s.exchanges.abandon(SUPERVISOR, status.intent_seq, "changed my mind")
    s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    check_exchanged(s)


# -- a tear at every APDU boundary -----------------------------------------------------------

FAULTS = ["tear_before", "tear_after", "drop_response"]


def _apdus_of_an_exchange(make_rig, directory) -> tuple[int, int]:
    s = make_setup(directory, make_rig)
    old, new = s.old.open(), s.new.open()
    old_before, new_before = old.channel.exchanges, new.channel.exchanges
    status = s.exchanges.start(s.clerk, SHIFT, old, s.approval())
    s.exchanges.finish(s.clerk, status.intent_seq, new)
    s.counter.close()
    return old.channel.exchanges - old_before, new.channel.exchanges - new_before


def _exchange_with_a_fault(s: Setup, phase: str, fault: str, nth: int) -> None:
    """Start and finish the exchange with one fault armed; the clerk taps again after it."""
    approval = s.approval()
    old_card = s.old.open()
    if phase == "old":
        getattr(s.old.faulty, fault)(nth=nth)
    with contextlib.suppress(ExchangeInterruptedError, CardError):
        s.exchanges.start(s.clerk, SHIFT, old_card, approval)
    s.old.faulty.clear()
    if s.old.faulty.torn:
        s.old.faulty.reinsert()
    if s.exchanges.pending(s.clerk):
        (status,) = s.exchanges.resume(s.clerk, s.old.open())  # the old card tapped again
    else:  # it failed before its intent: nothing happened, start again
        assert s.old.reload().profile.balance_fen == BALANCE
        status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), approval)
    assert status.stage is ExchangeStage.NEW_CARD and status.held_fen == BALANCE
    new_card = s.new.open()
    if phase == "new":
        getattr(s.new.faulty, fault)(nth=nth)
    with contextlib.suppress(ExchangeInterruptedError, CardError):
        s.exchanges.finish(s.clerk, status.intent_seq, new_card)
    s.new.faulty.clear()
    if s.new.faulty.torn:
        s.new.faulty.reinsert()
    statuses = s.exchanges.resume(s.clerk, s.new.open())  # the new card tapped again
    if not statuses and s.exchanges.pending(s.clerk):
        statuses = [s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())]
    done = statuses[-1] if statuses else None
    assert done is None or done.stage is ExchangeStage.DONE
    assert s.exchanges.pending(s.clerk) == []


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("phase", ["old", "new"])
def test_a_tear_at_every_apdu_of_an_exchange_never_loses_or_doubles(
    make_rig, tmp_path, phase, fault
):
    (tmp_path / "count").mkdir()
    old_apdus, new_apdus = _apdus_of_an_exchange(make_rig, tmp_path / "count")
    assert old_apdus >= 7  # reads, INIT, GET DATA, DEBIT, GET CHALLENGE, APPLICATION BLOCK
    assert new_apdus >= 4  # reads, INIT, CREDIT
    for nth in range(1, (old_apdus if phase == "old" else new_apdus) + 1):
        directory = tmp_path / f"{phase}-{fault}-{nth}"
        directory.mkdir()
        s = make_setup(directory, make_rig)
        _exchange_with_a_fault(s, phase, fault, nth)
        check_exchanged(s, context=(phase, fault, nth))
        s.counter.close()


# -- a crash between the steps (the counter reopened from its files) -------------------------


def test_a_restart_between_the_two_cards_finishes_onto_the_new_card(setup):
    s = setup
    status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    s.reopen()
    (pending,) = s.exchanges.pending(s.clerk)
    assert pending.stage is ExchangeStage.NEW_CARD and pending.held_fen == BALANCE
    assert pending.intent_seq == status.intent_seq
    assert s.exchanges.resume(s.clerk, s.old.open())[0].stage is ExchangeStage.NEW_CARD
    done = s.exchanges.finish(s.clerk, pending.intent_seq, s.new.open())
    assert done.stage is ExchangeStage.DONE
    check_exchanged(s)


@pytest.mark.parametrize("fault", FAULTS)
def test_debit_interrupted_and_counter_restarted(setup, fault):
    s = setup
    getattr(s.old.faulty, fault)(ins=Ins.DEBIT_FOR_PURCHASE)
    with pytest.raises(ExchangeInterruptedError):
        s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    s.reopen()
    if s.old.faulty.torn:
        s.old.faulty.reinsert()
    (status,) = s.exchanges.resume(s.clerk, s.old.open())
    assert status.stage is ExchangeStage.NEW_CARD
    s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    check_exchanged(s, context=fault)


@pytest.mark.parametrize("fault", FAULTS)
def test_credit_interrupted_and_counter_restarted(setup, fault):
    s = setup
    status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    getattr(s.new.faulty, fault)(ins=Ins.CREDIT_FOR_LOAD)
    with pytest.raises(ExchangeInterruptedError):
        s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    assert s.exchanges.pending(s.clerk)[0].new_serial == NEW
    s.reopen()
    if s.new.faulty.torn:
        s.new.faulty.reinsert()
    (done,) = s.exchanges.resume(s.clerk, s.new.open())
    assert done.stage is ExchangeStage.DONE
    check_exchanged(s, context=fault)


def test_an_interrupted_transfer_is_finished_only_on_its_own_card(setup, make_rig):
    s = setup
    status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
    s.new.faulty.drop_response(ins=Ins.CREDIT_FOR_LOAD)  # loaded, answer lost
    with pytest.raises(ExchangeInterruptedError):
        s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    other = make_rig(serial=bytes.fromhex("3104000000006666"), balance_fen=0)
    with pytest.raises(RefusedError, match="only that card can finish"):
        s.exchanges.finish(s.clerk, status.intent_seq, other.open())
    assert other.reload().profile.balance_fen == 0  # the balance is never loaded twice
    s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    check_exchanged(s)


def test_a_crash_between_the_exchange_record_and_the_link_is_mended_at_start_up(setup, monkeypatch):
    s = setup
    status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())

    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # the process stops between the journal and the store

    monkeypatch.setattr(exchange_module.card_links, "link", crash)
    with pytest.raises(KeyboardInterrupt):
        s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
    monkeypatch.undo()
    s.reopen()
    assert card_links.successor(s.counter.store, OLD) is None
    assert s.exchanges.reconcile() == 1
    assert s.exchanges.reconcile() == 0
    check_exchanged(s)


# -- the process SIGKILLed anywhere, the counter restarted from its files --------------------

ROOT = Path(__file__).resolve().parents[2]
# after the exchange intent, the old card's purchase intent and outcome, its block, the new card's
# load intent and outcome, the exchange outcome (then only the store's link is missing); and the
# card having executed DEBIT / APPLICATION BLOCK / CREDIT before the counter heard the answer
KILL_POINTS = [f"append:{n}" for n in range(1, 8)] + ["apdu:54", "apdu:1E", "apdu:52"]


def _tap(directory: Path, spec: soak.CardSpec) -> CityCard:
    return CityCard.open(InProcessTransport(VirtualCityCard.from_file(directory / spec.path_name)))


@pytest.mark.slow
@pytest.mark.parametrize("where", KILL_POINTS)
def test_a_sigkill_anywhere_in_an_exchange_is_recovered_from_the_files(tmp_path, where):
    directory = tmp_path / "counter"
    directory.mkdir()
    soak.set_up(directory)
    died = subprocess.run(
        [sys.executable, "-m", "tests.services.exchange_child", str(directory), where],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == -signal.SIGKILL, died.stderr
    old, new = exchange_child.OLD, exchange_child.NEW
    balance = old.balance_fen
    counter = composition.open_counter(
        directory, soak.PASSPHRASE, sam=soak.open_sam(directory)
    )  # the restart
    try:
        assert counter.journal.problem is None
        exchanges = exchange_child.services(counter)
        # open_counter reconciles at start-up: the missing link of a finished exchange is made
        assert (card_links.successor(counter.store, OLD) is not None) == (where == "append:7")
        assert exchanges.reconcile() == 0
        exchanges.resume(soak.CLERK, _tap(directory, old))  # the customer's old card
        pending = exchanges.pending(soak.CLERK)
        if pending:
            (status,) = pending
            assert status.stage is ExchangeStage.NEW_CARD and status.held_fen == balance
            exchanges.resume(soak.CLERK, _tap(directory, new))  # the new card
            if exchanges.pending(soak.CLERK):  # no transfer was begun on it yet
                exchanges.finish(soak.CLERK, status.intent_seq, _tap(directory, new))
        assert exchanges.pending(soak.CLERK) == []
        journal = counter.journal
        old_card = CardProfile.load(directory / old.path_name)
        new_card = CardProfile.load(directory / new.path_name)
        debits = [
            r for r in journal.card_records(old.serial, RecordKind.PURCHASE_OUTCOME)
            if r.payload_dict().get("outcome") == Outcome.DONE
        ]  # fmt: skip
        credits = [
            r for r in journal.card_records(new.serial, RecordKind.LOAD_OUTCOME)
            if r.payload_dict().get("outcome") == Outcome.DONE
        ]  # fmt: skip
        assert sum(r.amount_fen or 0 for r in debits) == balance
        assert sum(r.amount_fen or 0 for r in credits) == balance
        assert (old_card.balance_fen, old_card.offline_atc, old_card.blocked) == (0, 1, True)
        assert (new_card.balance_fen, new_card.online_atc) == (balance, 1)
        assert journal.open_intents() == []
        (done,) = journal.records_of_kinds(RecordKind.EXCHANGE)
        assert done.payload_dict()["outcome"] == Outcome.DONE
        assert card_links.successor(counter.store, old.serial).new_serial == new.serial
        assert holders.holder_of(counter.store, new.serial).name == soak.HOLDER_NAME
        assert journal.verify(full=True).ok
    finally:
        counter.close()


# -- the clearing center takes the new records -----------------------------------------------


def test_the_clearing_center_accepts_an_exchange_and_a_void(tmp_path, make_rig, des_issuer):
    """The real center (in a thread, on loopback, checking load TACs with the issuer's keys)
    accepts the exchange intent/outcome, the purchases, the block and a void, and its ledgers
    show the balance leaving the old card and arriving on the new one."""
    issuer_keys = tmp_path / "issuer-keys.json"
    Keystore.create(issuer_keys, "issuer pass", des_issuer.keystore_entries(), CHEAP_KDF)
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(
        db_url, issuer_keystore=issuer_keys, issuer_passphrase="issuer pass"
    ) as base:
        device = enrol(base, db_url)
        directory = tmp_path / "counter"
        directory.mkdir()
        Journal.create(
            directory / "journal.sqlite3",
            device.keys,
            device.device_id,
            SYNC_TERMINAL,
            clock=lambda: Clock().now,  # before the counter's test clock starts
        ).close()
        s = make_setup(directory, make_rig, keys=device.keys)
        s.exchanges.exchange(s.clerk, SHIFT, s.old.open(), s.new.open(), s.approval())
        other = make_rig(serial=bytes.fromhex("3104000000006666"), balance_fen=0)
        topup = s.counter.topups.top_up(s.clerk, SHIFT, other.open(), 2_000, "cash")
        voided = s.operators.approve(s.clerk, "sup1", SUPERVISOR_PASSWORD, ApprovalPurpose.VOID)
        void_service(s.counter, s.old.sam).void(
            s.clerk, SHIFT, topup.outcome_seq, other.open(), voided
        )
        run = Uploader(device.client, s.counter.journal).upload()
        assert run.complete and run.quarantined == () and run.set_aside == ()
        old_ledger = device.client.ledger(OLD)
        new_ledger = device.client.ledger(NEW)
        assert [(e.kind, e.amount_fen) for e in old_ledger.entries] == [("purchase", BALANCE)]
        assert old_ledger.last_known_balance_fen == 0
        assert [(e.kind, e.amount_fen) for e in new_ledger.entries] == [("load", BALANCE)]
        assert new_ledger.last_known_balance_fen == BALANCE
        assert device.client.ledger("3104000000006666").last_known_balance_fen == 0
        device.client.close()
        s.counter.close()
