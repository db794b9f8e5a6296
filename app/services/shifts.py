"""Shifts: open with a cash float, blind count by denomination, close against the journal.

Closing is two steps so the count is blind: :meth:`ShiftService.declare_count` stores what the
clerk counted, and only :meth:`ShiftService.close_shift` computes — and from then on reveals —
the expected cash. The first time the expected amount is shown (a closed shift, or a close refused
for a difference beyond tolerance) it is written on the shift row, and the count is final from
then on. While a count is declared, the shift takes no more transactions
(:meth:`ShiftService.require_open_shift` refuses), so the drawer cannot change under the count.

Expected cash is the opening float plus the cash effect of the shift's journal records,
:data:`CASH_EFFECT`. The close is journaled (``shift_close``), then a checkpoint is signed and its
number stored on the shift. Should the process stop between the record and the row, calling
:meth:`ShiftService.close_shift` again finishes the close from the record instead of writing a
second one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from app.domain.clock import format_time
from app.domain.parameters import Parameters
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Approval, Role
from app.domain.texts import marked
from app.journal import CheckpointReason, Entry, Journal, JournalRecord, RecordKind
from app.journal.records import from_micros, to_micros
from app.services.errors import NoOpenShiftError, RefusedError
from app.services.operators import ApprovalPurpose, check_approval, require
from app.store import shifts as shift_rows
from app.store.database import Store
from app.store.shifts import Shift, ShiftAlreadyOpenError, ShiftStateError

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# Notes and coins a counter takes, in fen (¥100, 50, 20, 10, 5, 1, 0.5, 0.1).
DENOMINATIONS_FEN: tuple[int, ...] = (10_000, 5_000, 2_000, 1_000, 500, 100, 50, 10)
MAX_PIECES_PER_DENOMINATION = 100_000
MAX_OPENING_FLOAT_FEN = 10_000_000  # ¥100,000: more is a typing error, not a float
MAX_REASON_LENGTH = 500

# How each kind of journal record moves the cash drawer, when (and only when) it was paid in
# cash: +1 money in, -1 money out. Everything else (other kinds, other payment methods) leaves the
# drawer alone. The amounts are the records' amount_fen, summed by ``journal.shift_totals``.
#
# | kind           | sign | what the record is                                                |
# |----------------|------|-------------------------------------------------------------------|
# | load_outcome   |  +1  | a top-up paid in cash. The top-up service writes amount and payment |
# |                |      | method on DONE outcomes only; NOT_DONE outcomes carry no amount, so |
# |                |      | they add nothing (the intent's amount is never counted).          |
# | replacement    |  +1  | the replacement fee paid in cash                                  |
# | exchange       |  +1  | the damaged-card exchange fee paid in cash (on the done outcome;  |
# |                |      | a not-done exchange carries no amount)                            |
# | refund         |  -1  | balance and deposit paid back in cash                             |
# | void           |  -1  | a voided top-up's cash given back: the void repeats the top-up's  |
# |                |      | amount and payment method, so the top-up and its void cancel out  |
# | ticket_sale    |  +1  | scenic admission tickets paid in cash (app/services/scenic/)    |
# | pass_sale      |  +1  | a scenic annual pass paid in cash                                 |
#
# The transfers of a replacement or an exchange (load and purchase outcomes paid by
# ``balance_transfer``) and the purchase that takes a voided top-up back off the card
# (``card_purse``) are not cash: they show in the shift totals under their own method only.
CASH_EFFECT: Mapping[str, int] = MappingProxyType(
    {
        RecordKind.LOAD_OUTCOME.value: +1,
        RecordKind.REPLACEMENT.value: +1,
        RecordKind.EXCHANGE.value: +1,
        RecordKind.REFUND.value: -1,
        RecordKind.VOID.value: -1,
        RecordKind.TICKET_SALE.value: +1,  # scenic admissions paid at the counter
        RecordKind.PASS_SALE.value: +1,  # scenic annual passes paid at the counter
    }
)


@dataclass(frozen=True)
class CashLine:
    """One line of the expected cash: a kind's cash records in the shift."""

    kind: str
    count: int
    amount_fen: int  # signed: what it did to the drawer


@dataclass(frozen=True)
class CashCount:
    """A declared blind count (what the clerk may see: their own count, no expected amount)."""

    shift_id: int
    counted: tuple[tuple[int, int], ...]  # (denomination fen, pieces), highest first
    counted_cash_fen: int


@dataclass(frozen=True)
class ShiftCloseResult:
    """What the close-of-shift screen and report show."""

    shift_id: int
    operator: str  # whose shift it was
    closed_by: str
    opening_float_fen: int
    cash_lines: tuple[CashLine, ...]
    expected_cash_fen: int
    counted_cash_fen: int
    difference_fen: int  # counted - expected: positive = more cash than expected
    counted: tuple[tuple[int, int], ...]
    reason: str | None
    approver: str | None
    closed_at: datetime
    journal_seq: int  # the shift_close record
    checkpoint_number: int


class CashDifferenceError(RefusedError):
    """The difference is beyond tolerance and the reason or the supervisor approval is missing."""

    def __init__(
        self,
        message: str,
        expected_fen: int,
        counted_fen: int,
        advice: str | None = None,
        **params: object,
    ) -> None:
        super().__init__(message, advice, **params)
        self.expected_cash_fen = expected_fen
        self.counted_cash_fen = counted_fen
        self.difference_fen = counted_fen - expected_fen


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def cash_lines(journal: Journal, shift_id: int) -> tuple[CashLine, ...]:
    """The shift's cash movements per kind (see :data:`CASH_EFFECT`)."""
    lines: dict[str, list[int]] = {}
    for total in journal.shift_totals(shift_id):
        sign = CASH_EFFECT.get(total.kind)
        if sign is None or total.payment_method != PaymentMethod.CASH.value:
            continue
        line = lines.setdefault(total.kind, [0, 0])
        line[0] += total.count
        line[1] += sign * total.amount_fen
    return tuple(CashLine(kind, c, a) for kind, (c, a) in sorted(lines.items()))


class ShiftService:
    """Open, find and close shifts on one counter."""

    def __init__(
        self, store: Store, journal: Journal, parameters: Parameters, clock: Clock = _utc_now
    ) -> None:
        self._store = store
        self._journal = journal
        self._parameters = parameters
        self._clock = clock

    # -- opening -----------------------------------------------------------------------------

    def open_shift(self, actor: Actor, opening_float_fen: int) -> Shift:
        """Open ``actor``'s shift with the cash float in the drawer; journaled ``shift_open``."""
        require(actor, Role.CLERK, "open a shift")
        if not _is_int(opening_float_fen) or not 0 <= opening_float_fen <= MAX_OPENING_FLOAT_FEN:
            raise RefusedError(
                "{amount} is not an opening float.",
                advice="Type the cash in the drawer, between ¥0 and {maximum}.",
                amount=repr(opening_float_fen),
                maximum=_yuan(MAX_OPENING_FLOAT_FEN),
            )
        try:
            shift = shift_rows.open_shift(
                self._store, actor.username, opening_float_fen, to_micros(self._clock())
            )
        except ShiftAlreadyOpenError as exc:
            advice = "Continue in the open shift, or close it first."
            if exc.open_shift is None:
                raise RefusedError(
                    "{name} already has a shift open on this counter; one operator has one open "
                    "shift per counter.",
                    advice=advice,
                    name=actor.display_name,
                ) from None
            opened = from_micros(exc.open_shift.opened_at_us)
            raise RefusedError(
                "{name} already has a shift open on this counter (shift {shift}, opened "
                "{opened}); one operator has one open shift per counter.",
                advice=advice,
                name=actor.display_name,
                shift=exc.open_shift.id,
                opened=format_time(opened),  # the counter's zone, not the machine's
            ) from None
        try:
            self._journal.append(
                Entry(
                    RecordKind.SHIFT_OPEN,
                    operator=actor.username,
                    shift_id=shift.id,
                    amount_fen=opening_float_fen,
                )
            )
        except BaseException:
            shift_rows.discard_unjournaled(self._store, shift.id)  # no record, no shift
            raise
        return shift

    def reconcile(self) -> int:
        """Drop open shifts whose opening never reached the journal (at start-up); how many.

        The row is made first (the journal needs its id) and then ``shift_open`` is journaled;
        a crash between the two leaves a row with no record — a shift that never opened.
        """
        dropped = 0
        for shift in shift_rows.open_shifts(self._store):
            if not self._journal.shift_records(shift.id, RecordKind.SHIFT_OPEN):
                shift_rows.discard_unjournaled(self._store, shift.id)
                dropped += 1
        return dropped

    # -- finding -----------------------------------------------------------------------------

    def current_shift(self, actor: Actor) -> Shift | None:
        """``actor``'s open shift on this counter, or None."""
        require(actor, Role.CLERK, "look at shifts")
        return shift_rows.open_shift_of(self._store, actor.username)

    def require_open_shift(self, actor: Actor) -> Shift:
        """``actor``'s open shift, for a transaction; :class:`NoOpenShiftError` if there is none.

        A shift whose cash was counted for closing takes no more transactions.
        """
        shift = self.current_shift(actor)
        if shift is None:
            raise NoOpenShiftError(
                "{name} has no open shift on this counter.", name=actor.display_name
            )
        if shift.count_declared:
            raise NoOpenShiftError(
                "The cash of shift {shift} was counted for closing; it takes no more transactions.",
                advice="Close the shift, then open a new one.",
                shift=shift.id,
            )
        return shift

    # -- closing -----------------------------------------------------------------------------

    def declare_count(self, actor: Actor, shift_id: int, counted: Mapping[int, int]) -> CashCount:
        """Store the blind count {denomination in fen: pieces}; reveals nothing of the expected.

        May be declared again until the expected cash was shown; refused after.
        """
        shift = self._closable(actor, shift_id, "count another operator's cash")
        pieces = self._validated_count(counted)
        total = sum(d * n for d, n in pieces.items())
        if shift.count_final:
            raise RefusedError(
                "The count of shift {shift} was already compared with the expected cash; "
                "it cannot change.",
                advice="Close the shift with a reason and a supervisor's approval.",
                shift=shift_id,
            )
        try:
            stored = shift_rows.declare_count(self._store, shift_id, pieces, total)
        except ShiftStateError as exc:
            raise RefusedError(exc.template, advice=exc.advice, **exc.params) from None
        assert stored.counted is not None
        return CashCount(shift_id, stored.counted, total)

    def close_shift(
        self,
        actor: Actor,
        shift_id: int,
        reason: str | None = None,
        approval: Approval | None = None,
    ) -> ShiftCloseResult:
        """Close a shift whose count was declared: expected vs counted, journaled, checkpointed.

        A difference beyond ``parameters.cash_difference_tolerance_fen`` needs a ``reason`` and an
        :class:`Approval` for :attr:`ApprovalPurpose.CASH_DIFFERENCE` by a supervisor other than
        the closer and the shift's operator; otherwise :class:`CashDifferenceError` (and the
        count is final). A supervisor may close another operator's shift; a clerk only their own.
        """
        shift = self._closable(actor, shift_id, "close another operator's shift")
        if shift.counted is None or shift.counted_cash_fen is None:
            raise RefusedError(
                "The cash of shift {shift} has not been counted.",
                advice="Count the cash in the drawer by denomination and declare it first.",
                shift=shift_id,
            )
        journaled = self._find_close_record(shift)
        if journaled is not None:
            log.warning("shift %d: finishing a close journaled at seq %d", shift_id, journaled.seq)
            return self._finish(shift, journaled)

        lines = cash_lines(self._journal, shift_id)
        expected = shift.opening_float_fen + sum(line.amount_fen for line in lines)
        counted = shift.counted_cash_fen
        difference = counted - expected
        shift_rows.reveal_expected(self._store, shift_id, expected)  # the count is final now
        reason = None if reason is None else str(reason).strip()[:MAX_REASON_LENGTH] or None
        tolerance = self._parameters.cash_difference_tolerance_fen
        if abs(difference) > tolerance:
            self._require_justified(actor, shift, reason, approval, expected, counted)
        elif approval is not None:
            self._check_approval(actor, shift, approval)

        payload: dict[str, Any] = {
            "shift_operator": shift.operator,
            "opened_at_us": shift.opened_at_us,
            "opening_float_fen": shift.opening_float_fen,
            "counted": {str(d): n for d, n in shift.counted},
            "counted_cash_fen": counted,
            "expected_cash_fen": expected,
            "difference_fen": difference,
            "tolerance_fen": tolerance,
            "cash_lines": {line.kind: [line.count, line.amount_fen] for line in lines},
            "reason": reason,
            "approver": None if approval is None else approval.approver,
            "approval_seq": None if approval is None else approval.journal_seq,
        }
        record = self._journal.append(
            Entry(
                RecordKind.SHIFT_CLOSE,
                operator=actor.username,
                shift_id=shift_id,
                amount_fen=counted,
                payload=payload,
            )
        )
        result = self._finish(shift, record)
        log.info(
            "shift %d closed by %s: expected %d, counted %d, checkpoint %d",
            shift_id,
            actor.username,
            expected,
            counted,
            result.checkpoint_number,
        )
        return result

    # -- internals ---------------------------------------------------------------------------

    def _closable(self, actor: Actor, shift_id: int, other_action: str) -> Shift:
        require(actor, Role.CLERK, "close a shift")
        shift = shift_rows.get(self._store, shift_id) if _is_int(shift_id) else None
        if shift is None:
            raise RefusedError("There is no shift {shift} on this counter.", shift=repr(shift_id))
        if shift.operator != actor.username:
            require(actor, Role.SUPERVISOR, other_action)
        if not shift.is_open:
            raise RefusedError("Shift {shift} is already closed.", shift=shift_id)
        return shift

    @staticmethod
    def _validated_count(counted: Mapping[int, int]) -> dict[int, int]:
        if not isinstance(counted, Mapping):
            raise RefusedError("The count must give pieces per denomination.")
        unknown = [d for d in counted if not _is_int(d) or d not in DENOMINATIONS_FEN]
        if unknown:
            raise RefusedError(
                "Unknown denomination(s): {denominations}.",
                advice="Count only ¥100, 50, 20, 10, 5 and 1 notes and ¥1, 0.5 and 0.1 coins, "
                "in fen.",
                denominations=", ".join(map(repr, unknown)),
            )
        bad = {
            d: n
            for d, n in counted.items()
            if not _is_int(n) or not 0 <= n <= MAX_PIECES_PER_DENOMINATION
        }
        if bad:
            raise RefusedError(
                "A count must be a whole number of pieces, 0 to {maximum}: {counts}.",
                advice="Count the pieces again.",
                maximum=f"{MAX_PIECES_PER_DENOMINATION:,}",
                counts=repr(bad),
            )
        return {d: int(counted.get(d, 0)) for d in DENOMINATIONS_FEN}

    def _require_justified(
        self,
        actor: Actor,
        shift: Shift,
        reason: str | None,
        approval: Approval | None,
        expected: int,
        counted: int,
    ) -> None:
        difference = counted - expected
        tolerance = self._parameters.cash_difference_tolerance_fen
        if reason is None or approval is None:
            if approval is not None:
                refusal = marked(
                    "The counted cash ({counted}) differs from the expected cash ({expected}) by "
                    "{difference}, more than the tolerance of {tolerance}: closing needs a reason."
                )
            elif reason is not None:
                refusal = marked(
                    "The counted cash ({counted}) differs from the expected cash ({expected}) by "
                    "{difference}, more than the tolerance of {tolerance}: closing needs a "
                    "supervisor's approval."
                )
            else:
                refusal = marked(
                    "The counted cash ({counted}) differs from the expected cash ({expected}) by "
                    "{difference}, more than the tolerance of {tolerance}: closing needs a reason "
                    "and a supervisor's approval."
                )
            raise CashDifferenceError(
                refusal,
                expected,
                counted,
                advice="Write down why the cash differs and ask a supervisor to approve the close.",
                counted=_yuan(counted),
                expected=_yuan(expected),
                difference=_yuan(difference),
                tolerance=_yuan(tolerance),
            )
        assert approval is not None
        self._check_approval(actor, shift, approval)

    def _check_approval(self, actor: Actor, shift: Shift, approval: Approval) -> None:
        check_approval(
            self._journal,
            approval,
            actor=actor,
            purpose=ApprovalPurpose.CASH_DIFFERENCE,
            now=self._clock(),
            not_by=(actor.username, shift.operator),
        )

    def _find_close_record(self, shift: Shift) -> JournalRecord | None:
        """The ``shift_close`` record of ``shift`` if one was written (an interrupted close)."""
        found = self._journal.shift_records(shift.id, RecordKind.SHIFT_CLOSE)
        return found[0] if found else None

    def _finish(self, shift: Shift, record: JournalRecord) -> ShiftCloseResult:
        """Sign the checkpoint covering ``record`` and close the row as the record says."""
        payload = record.payload_dict()
        covering = [cp for cp in self._journal.checkpoints() if cp.seq >= record.seq]
        checkpoint = (
            covering[0] if covering else self._journal.checkpoint(CheckpointReason.SHIFT_CLOSE)
        )
        closed = shift_rows.close(
            self._store,
            shift.id,
            closed_at_us=record.at_us,
            expected_cash_fen=int(payload["expected_cash_fen"]),
            difference_reason=payload.get("reason"),
            approved_by=payload.get("approver"),
            checkpoint_number=checkpoint.number,
        )
        lines = tuple(
            CashLine(kind, int(c), int(a)) for kind, (c, a) in payload.get("cash_lines", {}).items()
        )
        counted = tuple(
            sorted(((int(d), int(n)) for d, n in payload["counted"].items()), reverse=True)
        )
        return ShiftCloseResult(
            shift_id=shift.id,
            operator=shift.operator,
            closed_by=str(record.operator),
            opening_float_fen=closed.opening_float_fen,
            cash_lines=lines,
            expected_cash_fen=int(payload["expected_cash_fen"]),
            counted_cash_fen=int(payload["counted_cash_fen"]),
            difference_fen=int(payload["difference_fen"]),
            counted=counted,
            reason=payload.get("reason"),
            approver=payload.get("approver"),
            closed_at=record.at,
            journal_seq=record.seq,
            checkpoint_number=checkpoint.number,
        )
