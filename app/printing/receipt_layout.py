"""The receipt template: what a receipt says, line by line, before any printer is involved.

Every renderer (Qt printer or PDF, ESC/POS thermal printer) lays out the same
:class:`ReceiptLayout`, so a thermal slip and a PDF never disagree. Receipts are bilingual
(Chinese and English on every line, as :mod:`app.services.receipts` writes them), so they do not
follow the window's language. A reprint carries its COPY mark at the top and at the bottom, so
no cut of the paper hides it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import tzinfo

from app.services.receipts import Receipt

DEFAULT_HEADING = "城市一卡通 City Card"
COPY_MARK = "重印 COPY {number}"
TERMINAL_LABEL = "终端 Terminal"
TIME_LABEL = "时间 Time"
FOOTER = "请妥善保管 Please keep this receipt"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PEOPLE_LABELS = ("操作员 Operator", "授权主管 Approved by")  # rows that name a login


def with_display_names(receipt: Receipt, name_of: Callable[[str], str | None]) -> Receipt:
    """``receipt`` with the operator's and the approver's display names, not their logins.

    ``name_of`` returns a login's display name (None: unknown, the login stays).
    """
    rows = tuple(
        (label, name_of(value) or value) if label in PEOPLE_LABELS and value else (label, value)
        for label, value in receipt.lines
    )
    return replace(receipt, lines=rows)


@dataclass(frozen=True)
class ReceiptLayout:
    """A receipt ready to lay out: heading, title, the COPY mark of a reprint, label/value rows."""

    heading: str
    title: str
    copy_mark: str | None
    rows: tuple[tuple[str, str], ...]
    footer: str
    journal_seq: int
    copy_number: int

    @property
    def file_stem(self) -> str:
        """A file name for this receipt: ``receipt-000123`` or ``receipt-000123-copy-2``."""
        stem = f"receipt-{self.journal_seq:06d}"
        return f"{stem}-copy-{self.copy_number}" if self.copy_number else stem


def receipt_layout(
    receipt: Receipt, timezone: tzinfo, heading: str = DEFAULT_HEADING
) -> ReceiptLayout:
    """The receipt's lines, its time shown in ``timezone`` (the counter's)."""
    rows = (
        *receipt.lines,
        (TERMINAL_LABEL, receipt.terminal_id),
        (TIME_LABEL, receipt.at.astimezone(timezone).strftime(TIME_FORMAT)),
    )
    return ReceiptLayout(
        heading=heading,
        title=receipt.title,
        copy_mark=COPY_MARK.format(number=receipt.copy_number) if receipt.is_copy else None,
        rows=tuple(rows),
        footer=FOOTER,
        journal_seq=receipt.journal_seq,
        copy_number=receipt.copy_number,
    )
