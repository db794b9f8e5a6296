"""Catching up after an interruption: sales of completed purse payments, the store at start-up.

A purse payment interrupted during DEBIT is settled by :mod:`app.services.recovery` on the
next tap like any purchase; a crash between the purchase outcome and the sale record leaves the
same gap. Either way the purchase intent's reference says what was sold, and each sale is
written once (each names its purchase outcome). At start-up the store is caught up with the
journal: passes sold and transferred, entries counted.
"""

from __future__ import annotations

from app.domain.payment import PaymentMethod
from app.domain.scenic import Basket
from app.journal import Outcome, RecordKind
from app.services.purchase import reference_of
from app.services.scenic.common import REFERENCE_KEY, PassSale, ScenicContext, TicketSale
from app.services.scenic.gate import store_entry
from app.services.scenic.pass_codec import decode_pass
from app.services.scenic.passes import PassBook
from app.services.scenic.tickets import ticket_entry
from app.store import scenic as scenic_store


class CatchUp:
    """Writes the sales interrupted payments were for, and rebuilds the store from the journal."""

    def __init__(self, context: ScenicContext, passes: PassBook) -> None:
        self._context = context
        self._passes = passes

    def finish_interrupted(self, card_serial: str | None = None) -> list[TicketSale | PassSale]:
        """Write the sales of purse payments that completed but have no sale record yet."""
        journal = self._context.journal
        if card_serial is None:
            intents = journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
            outcomes = journal.records_of_kinds(RecordKind.PURCHASE_OUTCOME)
            sales = journal.records_of_kinds(RecordKind.TICKET_SALE, RecordKind.PASS_SALE)
        else:
            serial = card_serial.upper()
            intents = journal.card_records(serial, RecordKind.PURCHASE_INTENT)
            outcomes = journal.card_records(serial, RecordKind.PURCHASE_OUTCOME)
            sales = [
                *journal.card_records(serial, RecordKind.TICKET_SALE),
                *journal.card_records(serial, RecordKind.PASS_SALE),
            ]
        recorded = {r.payload_dict().get("purchase_seq") for r in sales}
        done = {
            o.intent_seq: o
            for o in outcomes
            if o.payload_dict().get("outcome") == Outcome.DONE and o.seq not in recorded
        }
        finished: list[TicketSale | PassSale] = []
        for intent in intents:
            reference = reference_of(intent)
            outcome = done.get(intent.seq)
            if outcome is None or REFERENCE_KEY not in reference:
                continue
            if reference[REFERENCE_KEY] == "tickets":
                basket = Basket.from_json(reference.get("lines"))
                record = journal.append(
                    ticket_entry(
                        intent.operator,
                        intent.shift_id,
                        basket,
                        PaymentMethod.CARD_PURSE,
                        intent.card_serial,
                        outcome.seq,
                        recovered=True,
                    )
                )
                finished.append(
                    TicketSale(
                        record.seq, basket, PaymentMethod.CARD_PURSE, intent.card_serial, None, True
                    )
                )
            elif reference[REFERENCE_KEY] == "pass" and isinstance(
                description := reference.get("pass"), dict
            ):
                record = self._passes.write_sale(
                    intent.operator,
                    intent.shift_id,
                    intent.card_serial or "",
                    intent.amount_fen or 0,
                    PaymentMethod.CARD_PURSE,
                    description,
                    outcome.seq,
                    recovered=True,
                )
                finished.append(
                    PassSale(
                        record.seq,
                        self._passes.kept_pass(record),
                        intent.amount_fen or 0,
                        PaymentMethod.CARD_PURSE,
                        None,
                        True,
                    )
                )
        return finished

    def reconcile(self) -> list[TicketSale | PassSale]:
        """At start-up: finish interrupted sales, then catch the store up with the journal."""
        journal, store = self._context.journal, self._context.store
        finished = self.finish_interrupted()
        for record in journal.records_of_kinds(RecordKind.PASS_SALE):
            if scenic_store.get_pass(store, str(record.payload_dict()["pass_id"])) is None:
                self._passes.store_sale(record)
        for record in journal.records_of_kinds(RecordKind.PASS_TRANSFER):
            payload = record.payload_dict()
            kept = scenic_store.get_pass(store, str(payload["pass_id"]))
            if kept is not None and kept.card_serial != record.card_serial:
                scenic_store.move_pass(store, kept.pass_id, record.card_serial or "")
            elif kept is None and isinstance(description := payload.get("pass"), dict):
                # carried over from a pass the clearing center held: the record describes it
                scenic_store.add_pass(
                    store, decode_pass(description, record.card_serial or ""), record.at_us
                )
        last = scenic_store.last_entry_seq(store)
        for record in journal.records_of_kinds(RecordKind.SCENIC_ENTRY, after_seq=last):
            store_entry(self._context, record)
        return finished
