"""What a journal record records.

Kinds are stored by value; the journal itself only gives meaning to a few of them (genesis, key
rotation, intents and their outcomes). The services add the rest without a schema change.
"""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    """Kinds of journal record."""

    GENESIS = "genesis"
    KEY_ROTATION = "key_rotation"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    APPROVAL = "approval"
    SHIFT_OPEN = "shift_open"
    SHIFT_CLOSE = "shift_close"
    LOAD_INTENT = "load_intent"
    LOAD_OUTCOME = "load_outcome"
    PURCHASE_INTENT = "purchase_intent"
    PURCHASE_OUTCOME = "purchase_outcome"
    LOSS_REPORT = "loss_report"
    LOSS_CANCEL = "loss_cancel"
    CARD_BLOCK = "card_block"
    REPLACEMENT = "replacement"
    EXCHANGE_INTENT = "exchange_intent"
    EXCHANGE = "exchange"
    REFUND_INTENT = "refund_intent"
    REFUND = "refund"
    VOID = "void"
    REPRINT = "reprint"
    NOTE = "note"
    # an operator account's authority: created, role, password digest, lock, deactivation
    # (app/services/staff_roster.py folds them; the store's operator table is only a cache)
    STAFF = "staff"
    # the scenic-area ticket office (app/services/scenic/)
    TICKET_SALE = "ticket_sale"  # admission tickets (a basket); purse-paid: after its purchase
    PASS_SALE = "pass_sale"  # noqa: S105 - an annual pass sold and bound to a card
    PASS_TRANSFER = "pass_transfer"  # noqa: S105 - a pass moved to a replaced card's successor
    SCENIC_ENTRY = "scenic_entry"  # a tap at a gate: the verdict, and whether it was flagged


# intent kind -> the kind of the record that closes it. The card writes (load, purchase) and the
# services built on them (a return, a damaged-card exchange) open an intent first; its outcome
# closes it; an intent still open is a grey record. A void is no intent: it is one record written
# after the purchase that took the top-up back (app/services/void.py).
OUTCOME_OF: dict[str, str] = {
    RecordKind.LOAD_INTENT: RecordKind.LOAD_OUTCOME,
    RecordKind.PURCHASE_INTENT: RecordKind.PURCHASE_OUTCOME,
    RecordKind.REFUND_INTENT: RecordKind.REFUND,
    RecordKind.EXCHANGE_INTENT: RecordKind.EXCHANGE,
}
INTENT_OF: dict[str, str] = {outcome: intent for intent, outcome in OUTCOME_OF.items()}


class Outcome(StrEnum):
    """How a card write ended, as written in an outcome record's payload."""

    DONE = "done"  # the card was credited/debited; TAC verified
    NOT_DONE = "not_done"  # the card was not touched; nothing to give or take
