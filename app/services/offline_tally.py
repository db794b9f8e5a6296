"""The shift's offline top-ups, counted incrementally: O(new records) per top-up, not O(shift).

What the offline brakes need — how many offline top-ups this shift made, and for how much —
used to re-read and JSON-parse every load record of the shift twice per top-up. The tally
reads a shift once, then only the load records journaled since it last looked (the journal's
(kind, seq) index), whoever wrote them (the top-up, recovery on another tap, another service).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.payment import PaymentMethod
from app.journal import Journal, JournalRecord, Outcome, RecordKind

_ONLINE = "center"  # the intent's mac_path when the clearing center gave MAC2


def is_offline_sale(intent: JournalRecord) -> bool:
    """Whether a load intent counts against the brakes: offline MAC2, and a sale (no transfer)."""
    path = intent.payload_dict().get("mac_path")
    return path != _ONLINE and intent.payment_method != PaymentMethod.BALANCE_TRANSFER


@dataclass
class _Shift:
    amounts: dict[int, int] = field(default_factory=dict)  # offline intent seq -> amount
    not_done: set[int] = field(default_factory=set)  # intent seqs whose outcome says not done


class OfflineTally:
    """Per shift: offline load intents, less those whose outcome says the card was not loaded."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._seen = 0  # the last journal seq folded in
        self._shifts: dict[int, _Shift] = {}

    def __call__(self, shift_id: int) -> tuple[int, int]:
        """(count, amount in fen) of the shift's offline top-ups that may have moved money."""
        self._catch_up()
        if shift_id not in self._shifts:
            self._shifts[shift_id] = self._read_shift(shift_id)
        shift = self._shifts[shift_id]
        counted = [a for seq, a in shift.amounts.items() if seq not in shift.not_done]
        return len(counted), sum(counted)

    def _read_shift(self, shift_id: int) -> _Shift:
        shift = _Shift()
        for record in self._journal.shift_records(shift_id, RecordKind.LOAD_INTENT):
            if record.seq <= self._seen:
                self._fold(shift, record)
        for record in self._journal.shift_records(shift_id, RecordKind.LOAD_OUTCOME):
            if record.seq <= self._seen:
                self._fold(shift, record)
        return shift

    def _catch_up(self) -> None:
        head = self._journal.head()[0]  # first: a record appended meanwhile is read next time
        new = self._journal.records_of_kinds(
            RecordKind.LOAD_INTENT, RecordKind.LOAD_OUTCOME, after_seq=self._seen
        )
        for record in new:
            shift = self._shifts.get(record.shift_id or 0)
            if shift is not None:
                self._fold(shift, record)
        self._seen = max([self._seen, head, *(r.seq for r in new)])

    @staticmethod
    def _fold(shift: _Shift, record: JournalRecord) -> None:
        if record.kind == RecordKind.LOAD_INTENT:
            if is_offline_sale(record):
                shift.amounts[record.seq] = record.amount_fen or 0
        elif record.payload_dict().get("outcome") == Outcome.NOT_DONE and record.intent_seq:
            shift.not_done.add(record.intent_seq)
