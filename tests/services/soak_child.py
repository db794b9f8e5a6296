"""The child of the soak test: a counter process that works the cards until it is killed.

``python -m tests.services.soak_child DIRECTORY`` is a small fork server: it imports everything
once, then for each ``run <life> <seed>`` line on stdin forks a *worker*, says
``forked <pid>``, kills it with SIGKILL when told ``kill <pid>``, reaps it and says
``exited <pid> <wait status>``. It is single-threaded and opens nothing before forking, so a
worker starts clean in a few milliseconds; ``quit`` or the end of stdin stops it.

A worker is the process that runs the services. It opens the counter from the files in
DIRECTORY (``app.composition.open_counter``: keystore, journal, store, SAM) and the virtual cards
from their profile files, finishes or opens the clerk's shift, prints ``ready <pid>``, then runs
operations drawn from ``random.Random(seed)`` until it is killed: top-ups with valid and invalid
amounts and payment methods, taps that settle interrupted top-ups, loss reports and their
cancellation, re-reads and shift changes. Card tears and lost answers are injected with
:class:`cardsim.faults.FaultyCard` at random APDUs.

Every operation checks what it can at once (a refusal is the one predicted and wrote nothing, a
settled card holds exactly its journaled loads, …) and then appends one JSON line to
``reports/life-NNNN.jsonl`` with a single ``write(2)``: a complete line is an operation that
finished. A failed check writes the traceback to ``reports/life-NNNN.err`` and exits 1.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app import composition
from app.card.errors import CardError
from app.card.inprocess import InProcessTransport
from app.card.session import CityCard
from app.composition import Counter
from app.domain.payment import PaymentMethod
from app.journal import Outcome, RecordKind
from app.services.card_reading import card_view
from app.services.errors import PermissionDeniedError, RefusedError
from app.services.recovery import Resolution, Settlement
from app.services.shifts import DENOMINATIONS_FEN
from app.services.topup import TopUpInterruptedError
from app.store import blacklist
from app.store.shifts import Shift
from cardsim.card import Ins, VirtualCityCard
from cardsim.faults import CardGone, FaultyCard
from tests.services import soak_support as soak
from tests.services.soak_support import CLERK, SUPERVISOR, CardSpec, Ledger

WORKER_MAX_S = 30.0  # a worker nobody kills stops by itself (exit 3): the parent calls it a failure
FAULT_KINDS = ("tear_before", "tear_after", "drop_response")
FAULT_P = 0.35  # share of card operations with a fault armed
MAX_NTH = 7  # a top-up tap is SELECT, READ BINARY, GET BALANCE, INIT, CREDIT (+ recovery APDUs)

# operation -> weight
OPERATIONS = {
    "topup": 46,
    "invalid": 10,
    "tap": 16,
    "reread": 12,
    "loss": 8,
    "unregistered_loss": 1,
    "shift": 3,
}

# (amount, payment method, what the refusal must say); a named amount is resolved per card type
INVALID = (
    (0, PaymentMethod.CASH, "more than zero"),
    (-1_000, PaymentMethod.WECHAT, "more than zero"),
    ("half_step", PaymentMethod.CASH, "not a multiple"),
    ("below_min", PaymentMethod.ALIPAY, "below the"),
    ("above_max", PaymentMethod.BANK_CARD, "outside"),
    (100_000_000_000, PaymentMethod.CASH, "outside"),
    (50.0, PaymentMethod.CASH, "not an amount"),
    ("5000", PaymentMethod.CASH, "not an amount"),
    (True, PaymentMethod.CASH, "not an amount"),
    (None, PaymentMethod.CASH, "not an amount"),
    ("valid", "bitcoin", "payment method"),
    ("valid", "CASH", "payment method"),
    ("valid", PaymentMethod.BALANCE_TRANSFER, "payment method"),
    ("valid", None, "payment method"),
)

BLACKLISTED = "reported lost"  # a reported card is refused in words, not by its code
OVER_CEILING = "would exceed"
PENDING = "interrupted top-up"
PER_LOAD_BRAKE = "Offline top-ups are limited"
SHIFT_COUNT_BRAKE = "reached its limit"
SHIFT_TOTAL_BRAKE = "offline top-ups would pass"


class SoakCheckError(AssertionError):
    """A check of the soak failed inside the worker."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise SoakCheckError(message)


class Recorder:
    """Sits between the transport and the FaultyCard and remembers every fault that fired."""

    def __init__(self, faulty: FaultyCard) -> None:
        self.faulty = faulty
        self.fired: list[str] = []

    def process(self, apdu: bytes) -> bytes:
        try:
            return self.faulty.process(apdu)
        except CardGone as gone:
            self.fired.append(f"{type(gone).__name__}:{apdu[1]:02X}:{int(gone.executed)}")
            raise


@dataclass
class Slot:
    """One card as this worker holds it: the chip (from its file), the fault wrapper, the log."""

    spec: CardSpec
    card: VirtualCityCard
    faulty: FaultyCard
    recorder: Recorder
    armed: str | None = None
    fired_at_arm: int = 0

    @classmethod
    def open(cls, directory: Path, spec: CardSpec) -> Slot:
        card = VirtualCityCard.from_file(directory / spec.path_name)
        faulty = FaultyCard(card)
        return cls(spec, card, faulty, Recorder(faulty))

    @property
    def balance(self) -> int:
        return self.card.profile.balance_fen

    @property
    def atc(self) -> int:
        return self.card.profile.online_atc

    def fired_since_arm(self) -> list[str]:
        return self.recorder.fired[self.fired_at_arm :]


@dataclass
class Worker:
    """One life of the counter process."""

    directory: Path
    counter: Counter
    rng: random.Random
    report_fd: int
    life: int
    slots: dict[str, Slot] = field(default_factory=dict)
    ledger: Ledger = field(default_factory=Ledger)
    k: int = 0

    # -- plumbing -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the journal's new records into the ledger (which checks them)."""
        self.ledger.feed(self.counter.journal.records(after=self.ledger.last_seq))

    def report(self, line: dict[str, Any]) -> None:
        line = {"life": self.life, "k": self.k, **line}
        os.write(self.report_fd, (json.dumps(line, sort_keys=True) + "\n").encode())
        self.k += 1

    def arm(self, slot: Slot, p: float = FAULT_P) -> None:
        slot.fired_at_arm = len(slot.recorder.fired)
        slot.armed = None
        if self.rng.random() >= p:
            return
        kind = self.rng.choice(FAULT_KINDS)
        if self.rng.random() < 0.25:  # aim at CREDIT itself now and then: the interesting tear
            getattr(slot.faulty, kind)(ins=Ins.CREDIT_FOR_LOAD)
            slot.armed = f"{kind}@CREDIT"
        else:
            nth = self.rng.randint(1, MAX_NTH)
            getattr(slot.faulty, kind)(nth=nth)
            slot.armed = f"{kind}@{nth}"

    def disarm(self, slot: Slot) -> dict[str, Any]:
        slot.faulty.clear()
        return {"armed": slot.armed, "fired": slot.fired_since_arm()}

    @staticmethod
    def tap(slot: Slot) -> CityCard:
        """The customer puts the card (back) on the reader."""
        if slot.faulty.torn:
            slot.faulty.reinsert()
        return CityCard.open(InProcessTransport(slot.recorder))

    def shift(self) -> Shift:
        return self.counter.shifts.require_open_shift(CLERK)

    def listed(self, serial: str) -> bool:
        return blacklist.lookup(self.counter.store, serial) is not None

    def check_card_holds_its_loads(self, slot: Slot, context: str) -> None:
        """Balance and online ATC are the opening ones plus the journal's done loads, exactly."""
        serial = slot.spec.serial
        check(not self.ledger.open_intents(serial), f"{context}: {serial} has open intents")
        expected = slot.spec.balance_fen + self.ledger.loaded[serial]
        check(
            slot.balance == expected,
            f"{context}: card {serial} holds {slot.balance}, the journal says {expected}",
        )
        check(
            slot.atc == self.ledger.done[serial],
            f"{context}: card {serial} ATC {slot.atc}, done loads {self.ledger.done[serial]}",
        )

    def resolve(self, card: CityCard, slot: Slot) -> list[Resolution]:
        """The tap's recovery step; checks every settlement against the journal."""
        serial = slot.spec.serial
        open_before = {r.seq for r in self.counter.journal.open_intents(serial)}
        try:
            resolutions = self.counter.recovery.resolve(card)
        finally:
            self.refresh()
        for resolution in resolutions:
            check(resolution.intent_seq in open_before, f"settled a closed intent: {resolution}")
            check(resolution.settlement is not Settlement.GREY, f"grey: {resolution}")
            outcome = self.counter.journal.record(resolution.outcome_seq or 0)
            check(
                outcome is not None and outcome.intent_seq == resolution.intent_seq,
                f"no outcome for {resolution}",
            )
            assert outcome is not None
            settled = Outcome.DONE if resolution.settlement is Settlement.DONE else Outcome.NOT_DONE
            check(outcome.payload_dict()["outcome"] == settled, f"{resolution} vs {outcome}")
        self.check_card_holds_its_loads(slot, "after a settling tap")
        return resolutions

    @staticmethod
    def settled(resolutions: list[Resolution]) -> list[list[Any]]:
        return [[r.intent_seq, r.outcome_seq, r.settlement.value] for r in resolutions]

    # -- start-up ---------------------------------------------------------------------------

    def start(self) -> Shift:
        """Open the cards; finish a close that was interrupted, or open a shift if none is."""
        for spec in soak.CARDS:
            self.slots[spec.serial] = Slot.open(self.directory, spec)
        self.refresh()
        shift = self.counter.shifts.current_shift(CLERK)
        if shift is not None and shift.count_declared:
            closed = self.counter.shifts.close_shift(CLERK, shift.id)
            check(closed.difference_fen == 0, f"resumed close of shift {shift.id}: {closed}")
            shift = None
        if shift is None:
            shift = self.counter.shifts.open_shift(CLERK, self.rng.randrange(0, 100_001, 100))
        self.refresh()
        return shift

    # -- operations -------------------------------------------------------------------------

    def step(self) -> None:
        op = self.rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
        line = getattr(self, f"op_{op}")()
        self.report({"op": op, **line})

    def pick(self) -> Slot:
        return self.slots[self.rng.choice(soak.CARDS).serial]

    def predict(self, slot: Slot, amount: int, shift_id: int) -> str | None:
        """The refusal a valid top-up must get now, in the order the service checks; or None."""
        serial = slot.spec.serial
        rules = soak.rules_of(slot.spec)
        brakes = soak.PARAMETERS.brakes
        if self.listed(serial):
            return BLACKLISTED
        if amount > rules.balance_ceiling_fen - slot.balance:
            return OVER_CEILING
        if self.counter.journal.open_intents(serial):
            return PENDING
        if amount > brakes.per_load_cap_fen:
            return PER_LOAD_BRAKE
        # every load of this (offline) shift that may have moved money: done, or still open
        # (grey: the card may have been loaded); only those known not done are left out
        journal = self.counter.journal
        not_done = {
            r.intent_seq
            for r in journal.shift_records(shift_id, RecordKind.LOAD_OUTCOME)
            if r.payload_dict().get("outcome") == "not_done"
        }
        counted = [
            r.amount_fen or 0
            for r in journal.shift_records(shift_id, RecordKind.LOAD_INTENT)
            if r.seq not in not_done
        ]
        if len(counted) >= brakes.offline_count_cap:
            return SHIFT_COUNT_BRAKE
        if sum(counted) + amount > brakes.shift_offline_total_cap_fen:
            return SHIFT_TOTAL_BRAKE
        return None

    def op_topup(self) -> dict[str, Any]:
        slot = self.pick()
        serial = slot.spec.serial
        rules = soak.rules_of(slot.spec)
        amount = self.rng.randrange(rules.min_load_fen, rules.max_load_fen + 1, 1_000)
        method = self.rng.choice(soak.PAYMENTS)
        resolve_first = self.rng.random() < 0.85
        line: dict[str, Any] = {"card": serial, "amount": amount, "method": str(method)}
        self.arm(slot)
        try:
            card = self.tap(slot)
            if resolve_first:
                line["settled"] = self.settled(self.resolve(card, slot))
        except CardError as exc:
            check(slot.fired_since_arm(), f"card error without a fault: {exc!r}")
            return {**line, "result": "tap_failed", **self.disarm(slot)}
        shift = self.shift()
        predicted = self.predict(slot, amount, shift.id)
        head = self.counter.journal.head()
        before = (slot.balance, slot.atc)
        line["predicted"] = predicted
        try:
            receipt = self.counter.topups.top_up(CLERK, shift.id, card, amount, method)
        except RefusedError as exc:
            line["result"] = "refused"
            check(predicted is not None, f"refused, none predicted: {exc}")
            assert predicted is not None
            check(predicted.lower() in str(exc).lower(), f"refused {exc!s}; expected {predicted}")
            check(self.counter.journal.head() == head, f"a refusal was journaled: {exc}")
            check((slot.balance, slot.atc) == before, f"a refused top-up wrote the card: {exc}")
        except TopUpInterruptedError as exc:
            line["result"] = "interrupted"
            self.refresh()
            check(slot.fired_since_arm(), f"interrupted without a fault: {exc}")
            opened = self.ledger.open_intents(serial)
            check(len(opened) == 1 and opened[0].amount_fen == amount, f"interrupted: {opened}")
            line["intent"] = opened[0].seq
        except CardError as exc:
            line["result"] = "card_error"
            check(slot.fired_since_arm(), f"card error without a fault: {exc!r}")
            check(self.counter.journal.head() == head, f"a failed INIT was journaled: {exc!r}")
            check(slot.atc == before[1], f"the card was loaded on a card error: {exc!r}")
        else:
            line["result"] = "done"
            self.refresh()
            check(predicted is None, f"top-up done although {predicted!r} was predicted")
            check(receipt.amount_fen == amount, f"receipt amount {receipt}")
            check(receipt.balance_after_fen == receipt.balance_before_fen + amount, f"{receipt}")
            check(slot.balance == receipt.balance_after_fen, f"card {slot.balance} vs {receipt}")
            outcome = self.ledger.outcomes.get(receipt.intent_seq)
            check(
                outcome is not None and outcome.seq == receipt.outcome_seq,
                f"receipt {receipt.outcome_seq} is not the journal's outcome",
            )
            self.check_card_holds_its_loads(slot, "after a top-up")
            line["intent"], line["outcome"] = receipt.intent_seq, receipt.outcome_seq
        return {**line, **self.disarm(slot)}

    def op_invalid(self) -> dict[str, Any]:
        slot = self.pick()
        serial = slot.spec.serial
        rules = soak.rules_of(slot.spec)
        amount, method, why = self.rng.choice(INVALID)
        amount = {
            "half_step": rules.min_load_fen + rules.multiple_of_fen // 2,
            "below_min": rules.min_load_fen // 2,
            "above_max": rules.max_load_fen + rules.multiple_of_fen,
            "valid": rules.min_load_fen,
        }.get(amount, amount)  # type: ignore[call-overload]
        if self.listed(serial):
            why = BLACKLISTED  # the card is checked before what is asked of it
        card = self.tap(slot)
        settled = self.settled(self.resolve(card, slot))
        head, before = self.counter.journal.head(), (slot.balance, slot.atc)
        try:
            self.counter.topups.top_up(CLERK, self.shift().id, card, amount, method)
        except RefusedError as exc:
            check(why.lower() in str(exc).lower(), f"{amount!r}/{method!r}: {exc}; want {why}")
        else:
            raise SoakCheckError(f"top-up of {amount!r} by {method!r} was not refused")
        check(self.counter.journal.head() == head, f"refusal of {amount!r} was journaled")
        check((slot.balance, slot.atc) == before, f"refusal of {amount!r} wrote the card")
        return {
            "card": serial,
            "amount": repr(amount),
            "method": repr(method),
            "result": "refused",
            "why": why,
            "settled": settled,
        }

    def op_tap(self) -> dict[str, Any]:
        pending = [s for s in self.slots.values() if self.ledger.open_intents(s.spec.serial)]
        slot = self.rng.choice(pending) if pending and self.rng.random() < 0.7 else self.pick()
        line: dict[str, Any] = {"card": slot.spec.serial}
        self.arm(slot)
        try:
            card = self.tap(slot)
            line["settled"] = self.settled(self.resolve(card, slot))
            line["result"] = "settled"
        except CardError as exc:
            check(slot.fired_since_arm(), f"card error without a fault: {exc!r}")
            line["result"] = "tap_failed"
        return {**line, **self.disarm(slot)}

    def op_reread(self) -> dict[str, Any]:
        slot = self.pick()
        serial = slot.spec.serial
        self.arm(slot)
        try:
            snapshot = self.tap(slot).read_snapshot()
        except CardError as exc:
            check(slot.fired_since_arm(), f"card error without a fault: {exc!r}")
            return {"card": serial, "result": "read_failed", **self.disarm(slot)}
        view = card_view(snapshot, date.today())
        opened = [r.amount_fen or 0 for r in self.ledger.open_intents(serial)]
        gap = view.balance_fen - slot.spec.balance_fen - self.ledger.loaded[serial]
        check(soak.explained(gap, None, opened), f"re-read {serial}: {gap} beyond {opened}")
        last = self.ledger.last_done(serial)
        if not opened and last is not None:
            newest = snapshot.loads[0] if snapshot.loads else None
            check(
                newest is not None and newest.amount_fen == last.amount_fen,
                f"re-read {serial}: newest load record {newest} is not the last done {last.seq}",
            )
            assert newest is not None
            check(newest.atc == self.ledger.done[serial], f"re-read {serial}: record {newest}")
        return {"card": serial, "result": "read", "balance": view.balance_fen, **self.disarm(slot)}

    def op_loss(self) -> dict[str, Any]:
        serial = soak.REGISTERED.serial
        shift = self.shift().id
        head = self.counter.journal.head()
        if not self.listed(serial):
            if self.rng.random() < 0.25:
                try:
                    self.counter.loss.report_loss(soak.CLERK, shift, serial, soak.OTHER_ID)
                except RefusedError as exc:
                    check("does not match" in str(exc), f"wrong ID refused oddly: {exc}")
                else:
                    raise SoakCheckError("a loss report with the wrong ID number was taken")
                check(self.counter.journal.head() == head and not self.listed(serial), "wrong ID")
            case = self.counter.loss.report_loss(CLERK, shift, serial, soak.HOLDER_ID)
            entry = blacklist.lookup(self.counter.store, serial)
            check(entry is not None and entry.journal_seq == case.reported_seq, f"{entry}")
            self.refresh()
            return {"card": serial, "result": "reported", "seq": case.reported_seq}
        if self.rng.random() < 0.3:
            try:
                self.counter.loss.cancel_loss(CLERK, shift, serial, "found it")
            except PermissionDeniedError:
                pass
            else:
                raise SoakCheckError("a clerk cancelled a loss report")
            check(self.counter.journal.head() == head and self.listed(serial), "clerk cancel")
        seq = self.counter.loss.cancel_loss(SUPERVISOR, shift, serial, "the holder found the card")
        check(not self.listed(serial), "still blacklisted after the cancel")
        self.refresh()
        return {"card": serial, "result": "cancelled", "seq": seq}

    def op_unregistered_loss(self) -> dict[str, Any]:
        serial = self.rng.choice(soak.CARDS[1:]).serial
        head = self.counter.journal.head()
        try:
            self.counter.loss.report_loss(CLERK, self.shift().id, serial, soak.HOLDER_ID)
        except RefusedError as exc:
            check("not registered" in str(exc), f"unregistered card refused oddly: {exc}")
        else:
            raise SoakCheckError(f"an unregistered card {serial} was reported lost")
        check(self.counter.journal.head() == head and not self.listed(serial), "unregistered")
        return {"card": serial, "result": "refused"}

    def op_shift(self) -> dict[str, Any]:
        """Settle every open top-up, count the drawer exactly, close the shift, open the next."""
        shift = self.shift()
        for slot in self.slots.values():
            if self.ledger.open_intents(slot.spec.serial):
                self.resolve(self.tap(slot), slot)
        expected = shift.opening_float_fen + self.ledger.cash_done(shift.id)
        pieces, rest = {}, expected
        for denomination in DENOMINATIONS_FEN:
            pieces[denomination], rest = divmod(rest, denomination)
        check(rest == 0, f"cash {expected} cannot be counted in notes and coins")
        self.counter.shifts.declare_count(CLERK, shift.id, pieces)
        closed = self.counter.shifts.close_shift(CLERK, shift.id)
        check(closed.expected_cash_fen == expected, f"shift {shift.id}: {closed} vs {expected}")
        check(closed.difference_fen == 0, f"shift {shift.id}: difference {closed}")
        opened = self.counter.shifts.open_shift(CLERK, self.rng.randrange(0, 100_001, 100))
        self.refresh()
        return {"closed": shift.id, "expected": expected, "opened": opened.id, "result": "changed"}


def run_life(directory: Path, life: int, seed: int) -> int:
    """One worker: open everything from the files, then work until killed."""
    reports = directory / "reports"
    fd = os.open(reports / f"life-{life:04d}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    counter = composition.open_counter(directory, soak.PASSPHRASE, sam=soak.open_sam(directory))
    check(counter.journal.problem is None, f"the journal opened broken: {counter.journal.problem}")
    worker = Worker(directory, counter, random.Random(seed), fd, life)
    worker.start()
    os.write(1, f"ready {os.getpid()}\n".encode())
    deadline = time.monotonic() + WORKER_MAX_S
    while time.monotonic() < deadline:
        worker.step()
    return 3


class _Lines:
    """Lines from stdin, read with os.read so that select() tells the truth about them."""

    def __init__(self) -> None:
        self._buffer = b""

    def next(self, timeout: float | None) -> str | None:
        """The next line; "" at the end of input; None if none came within ``timeout``."""
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([0], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(0, 4096)
            if not chunk:
                return ""
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode() + "\n"


def serve(directory: Path) -> int:
    """The fork server (see the module docstring).

    Only the server kills its workers (``kill`` on stdin): a worker is its own child and stays
    unreaped until the server waits for it, so its pid cannot have been reused by then.
    """
    (directory / "reports").mkdir(exist_ok=True)
    lines = _Lines()
    while True:
        line = lines.next(None)
        words = (line or "").split()
        if not words or words[0] == "quit":
            return 0
        if words[0] != "run" or len(words) != 3:
            print(f"soak server: bad command {line!r}", file=sys.stderr)
            return 2
        life, seed = int(words[1]), int(words[2])
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                code = run_life(directory, life, seed)
            except BaseException:
                err = directory / "reports" / f"life-{life:04d}.err"
                err.write_text(f"life {life}, seed {seed}\n{traceback.format_exc()}")
            finally:
                os._exit(code)
        os.write(1, f"forked {pid}\n".encode())
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            command = lines.next(0.005)
            if command == "":  # the parent is gone: so is the worker
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return 1
            if command is not None:
                if command.split() != ["kill", str(pid)]:
                    print(f"soak server: bad command {command!r}", file=sys.stderr)
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                break
        os.write(1, f"exited {pid} {status}\n".encode())


DIE_IN = ("loss_report", "loss_cancel", "shift_open")


def die_in(directory: Path, where: str) -> int:
    """Do one operation that writes journal and store, and SIGKILL this process between the two.

    ``loss_report``/``loss_cancel``: after the journal record, before the blacklist changes;
    ``shift_open``: after the store row, before the journal record. Never returns.
    """
    from app.services import loss, shifts  # noqa: PLC0415 - patched for this one process

    def die(*_args: object, **_kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    counter = composition.open_counter(directory, soak.PASSPHRASE, sam=soak.open_sam(directory))
    serial = soak.REGISTERED.serial
    if where == "shift_open":
        original = shifts.shift_rows.open_shift

        def open_then_die(*args: Any, **kwargs: Any) -> Shift:
            original(*args, **kwargs)
            die()
            raise AssertionError("still alive")

        shifts.shift_rows.open_shift = open_then_die  # type: ignore[assignment]
        counter.shifts.open_shift(CLERK, 10_000)
    else:
        shift = counter.shifts.open_shift(CLERK, 10_000)
        if where == "loss_report":
            loss.blacklist.add = die  # type: ignore[assignment]
            counter.loss.report_loss(CLERK, shift.id, serial, soak.HOLDER_ID)
        else:
            counter.loss.report_loss(CLERK, shift.id, serial, soak.HOLDER_ID)
            loss.blacklist.remove = die  # type: ignore[assignment]
            counter.loss.cancel_loss(SUPERVISOR, shift.id, serial, "the holder found the card")
    raise AssertionError(f"{where}: the process was not killed")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "--die-in" and sys.argv[3] in DIE_IN:
        sys.exit(die_in(Path(sys.argv[1]), sys.argv[3]))
    sys.exit(serve(Path(sys.argv[1])))
