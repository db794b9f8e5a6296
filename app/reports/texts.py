"""The words of shift and daily reports: English templates the window translates.

Reports are built below the UI, so every heading, label and kind name is an English template
marked for the catalogue (:func:`app.domain.texts.marked`); the PDF and CSV writers pass each one
through the translator they are given (Qt's ``messages`` context in the window, the identity on
the command line and in tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from app.domain.payment import PaymentMethod
from app.domain.texts import marked
from app.journal import RecordKind

Translate = Callable[[str], str]


def as_written(template: str) -> str:
    """The identity translator: the English template as written."""
    return template


SHIFT_REPORT = marked("Shift report")
DAILY_REPORT = marked("Daily report")
SHIFT_TITLE = marked("Shift report — shift {shift}")
DAILY_TITLE = marked("Daily report — {day}")

# what the report is about
DEVICE = marked("Device")
TERMINAL = marked("Terminal")
SHIFT = marked("Shift")
OPERATOR = marked("Operator")
OPENED = marked("Opened")
CLOSED = marked("Closed")
STILL_OPEN = marked("still open")
DAY = marked("Day")
TIMEZONE = marked("Time zone")
GENERATED = marked("Generated")
AS_OF_SEQ = marked("As of journal seq")

# section headings
TOTALS = marked("Transactions by kind and payment method")
BY_PAYMENT = marked("Money by payment method")
CASH = marked("Cash drawer")
SHIFTS = marked("Shifts")
VOIDS_REPRINTS = marked("Voids and reprints")
OFFLINE_UNSYNCED = marked("Offline and unsynced")
GREY = marked("Grey records (unfinished card writes)")
HOURLY = marked("Takings by hour")
PURSE_BY_CITY = marked("Purse payments by the card's home city")
HOME_CARDS = marked("This city's cards")
JOURNAL = marked("Journal reference")

# column headings
KIND = marked("Kind")
PAYMENT_METHOD = marked("Payment method")
COUNT = marked("Count")
AMOUNT = marked("Amount")
MONEY_IN = marked("In")
MONEY_OUT = marked("Out")
NET = marked("Net")
HOUR = marked("Hour")
TAKINGS = marked("Takings")
SEQ = marked("Seq")
CARD = marked("Card")
TIME = marked("Time")
ITEM = marked("Item")
VALUE = marked("Value")
SECTION = marked("Section")
TOTAL = marked("Total")
NO_PAYMENT = marked("—")

# figures
NOT_DONE = marked("Card writes that did not happen")
OPENING_FLOAT = marked("Opening float")
EXPECTED_CASH = marked("Expected cash")
COUNTED_CASH = marked("Counted cash")
DIFFERENCE = marked("Difference (counted − expected)")
NOT_YET_COUNTED = marked("not revealed until the shift is closed")
DIFFERENCE_REASON = marked("Reason for the difference")
APPROVED_BY = marked("Approved by")
CLOSED_BY = marked("Closed by")
DENOMINATION = marked("Denomination")
PIECES = marked("Pieces")
VOIDS = marked("Voids")
REPRINTS = marked("Receipt reprints")
OFFLINE_TOPUPS = marked("Offline top-ups (MAC2 from this counter's SAM)")
UNSYNCED = marked("Not yet acknowledged by the clearing center")
NO_GREY = marked("None: every card write was settled.")
CHECKPOINT = marked("Checkpoint")
CHECKPOINT_SEQ = marked("Checkpoint seq")
CHECKPOINT_AT = marked("Checkpoint signed")
CHECKPOINT_HEAD = marked("Chain head MAC at the checkpoint")
CHECKPOINT_SIGNATURE = marked("Checkpoint signature (SM2)")
DEVICE_KEY = marked("Device key fingerprint")
LAST_SEQ = marked("Last record of this report")
LAST_MAC = marked("MAC of the report's last record")
HEAD_SEQ = marked("Journal head seq")
NOT_COVERED = marked("The checkpoint does not yet cover this report's last record.")
PAGE = marked("Page {page} of {pages}")

KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        RecordKind.LOAD_OUTCOME.value: marked("Top-up"),
        RecordKind.PURCHASE_OUTCOME.value: marked("Purchase"),
        RecordKind.REPLACEMENT.value: marked("Replacement"),
        RecordKind.EXCHANGE.value: marked("Damaged-card exchange"),
        RecordKind.REFUND.value: marked("Card return refund"),
        RecordKind.LOSS_REPORT.value: marked("Loss report"),
        RecordKind.LOSS_CANCEL.value: marked("Loss report cancelled"),
        RecordKind.CARD_BLOCK.value: marked("Card blocked"),
        RecordKind.VOID.value: marked("Void"),
        RecordKind.REPRINT.value: marked("Receipt reprint"),
        RecordKind.LOAD_INTENT.value: marked("Top-up"),
        RecordKind.PURCHASE_INTENT.value: marked("Purchase"),
        RecordKind.REFUND_INTENT.value: marked("Card return refund"),
        RecordKind.TICKET_SALE.value: marked("Admission tickets"),
        RecordKind.PASS_SALE.value: marked("Annual pass"),
    }
)

# the ticket office's sections (app/reports/scenic.py)
SCENIC_TICKETS = marked("Admission tickets by type and payment method")
SCENIC_PASSES = marked("Annual passes sold")
SCENIC_ENTRIES_HOURLY = marked("Admissions by hour")
SCENIC_ENTRIES_GATE = marked("Admissions by gate")
SCENIC_FLAGGED = marked("Passes used twice within the interval")
FREE_TICKETS = marked("Free")
TICKET_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "adult": marked("Adult"),
        "child": marked("Child"),
        "senior": marked("Senior"),
        "free": marked("Free"),
    }
)

PAYMENT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        PaymentMethod.CASH.value: marked("Cash"),
        PaymentMethod.BANK_CARD.value: marked("Bank card"),
        PaymentMethod.WECHAT.value: marked("WeChat Pay"),
        PaymentMethod.ALIPAY.value: marked("Alipay"),
        PaymentMethod.BALANCE_TRANSFER.value: marked("Balance transfer"),
        PaymentMethod.CARD_PURSE.value: marked("Card purse"),
    }
)


def kind_label(kind: str, translate: Translate = as_written) -> str:
    """A record kind in words (the kind's code when it has no label)."""
    label = KIND_LABELS.get(kind)
    return kind if label is None else translate(label)


def payment_label(method: str | None, translate: Translate = as_written) -> str:
    """A payment method in words; "—" when the record has none."""
    if method is None:
        return translate(NO_PAYMENT)
    label = PAYMENT_LABELS.get(method)
    return method if label is None else translate(label)
