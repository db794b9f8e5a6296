"""Shift and daily reports from the journal (and the shift rows of the counter store).

Counts and sums come from the journal's own aggregate queries (``shift_totals``,
``period_totals``) and the drawer from :mod:`app.services.shifts` (``cash_lines``, the journaled
``shift_close``), so the paper says what the close said. What those queries cannot tell — the
hour of each taking, offline and unsynced money, grey records, the last record's MAC — is read
from the report's own records: a shift's through ``shift_records`` per kind, a day's by a binary
search on time (the journal refuses a clock that goes backwards, so time grows with seq).

Decisions the spec leaves open:

- *Takings* are money in at the counter: kinds that add to the drawer in
  :data:`~app.services.shifts.CASH_EFFECT`, paid by cash, bank card, WeChat or Alipay. A balance
  transfer (replacement) or a card-purse purchase is not taken money.
- A report of a shift still open does not show the expected cash (the count is blind).
- The checkpoint named is the one the close signed (a closed shift), else the first one that
  covers the report's last record, else the latest — flagged as not covering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from app.domain.clock import COUNTER_TIMEZONE
from app.domain.payment import PaymentMethod
from app.journal import Checkpoint, Journal, JournalRecord, Outcome, RecordKind, ShiftTotal
from app.journal.canonical import fingerprint
from app.journal.kinds import INTENT_OF
from app.journal.records import from_micros, to_micros
from app.reports.model import (
    CashSummary,
    CountAmount,
    DailyReport,
    GreyRecord,
    HourBucket,
    JournalReference,
    OriginLine,
    PaymentTotal,
    ReportFigures,
    ShiftReport,
    ShiftSummary,
    TotalLine,
)
from app.reports.scenic import ScenicFigures, scenic_figures
from app.services.errors import RefusedError
from app.services.interop import other_city_of_outcome
from app.services.purchase import reference_of
from app.services.shifts import CASH_EFFECT, CashLine, cash_lines
from app.services.topup import COUNTER_PAYMENTS, MAC_PATH_SAM
from app.store import operators as accounts
from app.store import shifts as shift_rows
from app.store.database import Store
from app.store.shifts import Shift

Clock = Callable[[], datetime]

# transaction kinds a report lists, in the order it lists them
TRANSACTION_KINDS: tuple[str, ...] = (
    RecordKind.LOAD_OUTCOME.value,
    RecordKind.PURCHASE_OUTCOME.value,
    RecordKind.REPLACEMENT.value,
    RecordKind.EXCHANGE.value,
    RecordKind.REFUND.value,
    RecordKind.LOSS_REPORT.value,
    RecordKind.LOSS_CANCEL.value,
    RecordKind.CARD_BLOCK.value,
)
# kinds whose records carry money
MONEY_KINDS: frozenset[str] = frozenset({*CASH_EFFECT, RecordKind.PURCHASE_OUTCOME.value})
# the order payment methods are listed in
PAYMENT_ORDER: tuple[str, ...] = tuple(m.value for m in PaymentMethod)
_HOUR = timedelta(hours=1)
_BATCH = 2_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _zone(timezone: tzinfo | None) -> tzinfo:
    """The given zone, or the counter's (never the machine's: its zone is often wrong)."""
    return timezone if timezone is not None else COUNTER_TIMEZONE


# -- building blocks -----------------------------------------------------------------------------


def _payment_rank(method: str | None) -> tuple[int, str]:
    if method is None:
        return (len(PAYMENT_ORDER) + 1, "")
    if method in PAYMENT_ORDER:
        return (PAYMENT_ORDER.index(method), method)
    return (len(PAYMENT_ORDER), method)


def _total_lines(totals: Iterable[ShiftTotal]) -> tuple[tuple[TotalLine, ...], int]:
    """The transaction lines and how many outcomes say the card was not written."""
    lines: list[TotalLine] = []
    not_done = 0
    for t in totals:
        if t.kind not in TRANSACTION_KINDS:
            continue
        if t.payment_method is None and t.kind in INTENT_OF:
            not_done += t.count  # a not-done outcome has no amount and no payment method
            continue
        lines.append(TotalLine(t.kind, t.payment_method, t.count, t.amount_fen))
    lines.sort(key=lambda x: (TRANSACTION_KINDS.index(x.kind), _payment_rank(x.payment_method)))
    return tuple(lines), not_done


# purse debits the counter makes to move money, not sales: a void takes a top-up back, an
# exchange moves the old card's balance; the report lists them as voids/exchanges, not as 消费
_NOT_SALES = ("void", "exchange")


def _service_debits(records: Iterable[JournalRecord]) -> list[JournalRecord]:
    """The purchase outcomes that are a void's or an exchange's debit (not a sale)."""
    records = list(records)
    moves = {
        r.seq
        for r in records
        if r.kind == RecordKind.PURCHASE_INTENT
        and any(key in _NOT_SALES for key in reference_of(r))
    }
    return [r for r in records if r.kind == RecordKind.PURCHASE_OUTCOME and r.intent_seq in moves]


def _without_service_debits(
    lines: tuple[TotalLine, ...], records: Iterable[JournalRecord]
) -> tuple[TotalLine, ...]:
    """The purchase lines less the voids' and exchanges' debits (they are not 消费)."""
    taken: dict[str | None, list[int]] = {}
    for r in _service_debits(records):
        if r.amount_fen:
            minus = taken.setdefault(r.payment_method, [0, 0])
            minus[0] += 1
            minus[1] += r.amount_fen
    kept: list[TotalLine] = []
    for line in lines:
        less = taken.get(line.payment_method) if line.kind == RecordKind.PURCHASE_OUTCOME else None
        if less is None:
            kept.append(line)
        elif line.count > less[0]:
            count, amount = line.count - less[0], line.amount_fen - less[1]
            kept.append(TotalLine(line.kind, line.payment_method, count, amount))
    return tuple(kept)


def _by_payment(totals: Iterable[ShiftTotal]) -> tuple[PaymentTotal, ...]:
    sums: dict[str, list[int]] = {}
    for t in totals:
        sign = CASH_EFFECT.get(t.kind)
        if sign is None or t.payment_method not in COUNTER_PAYMENTS:
            continue
        line = sums.setdefault(t.payment_method, [0, 0, 0])
        line[0] += t.count
        line[1 if sign > 0 else 2] += t.amount_fen
    return tuple(
        PaymentTotal(m, c, i, o)
        for m, (c, i, o) in sorted(sums.items(), key=lambda kv: _payment_rank(kv[0]))
    )


def _count_of(totals: Iterable[ShiftTotal], kind: str) -> int:
    return sum(t.count for t in totals if t.kind == kind)


def is_taking(record: JournalRecord) -> bool:
    """Whether ``record`` is money taken in at the counter (what the hourly chart shows)."""
    return (
        CASH_EFFECT.get(record.kind, 0) > 0
        and record.payment_method in COUNTER_PAYMENTS
        and bool(record.amount_fen)
    )


def _hour_of(at: datetime, tz: tzinfo) -> datetime:
    return at.astimezone(tz).replace(minute=0, second=0, microsecond=0)


def _hours(first: datetime, last: datetime, tz: tzinfo) -> list[datetime]:
    """Local hour starts from ``first``'s hour to ``last``'s, stepping in real time."""
    hours = []
    at = _hour_of(first, tz)
    end = _hour_of(last, tz)
    while at <= end:
        hours.append(at)
        at = (at.astimezone(UTC) + _HOUR).astimezone(tz)
    return hours


def _hourly(
    records: Iterable[JournalRecord], hours: Sequence[datetime], tz: tzinfo
) -> tuple[HourBucket, ...]:
    buckets = {h: [0, 0] for h in hours}
    for r in records:
        if is_taking(r):
            bucket = buckets.setdefault(_hour_of(r.at, tz), [0, 0])
            bucket[0] += 1
            bucket[1] += r.amount_fen or 0
    return tuple(HourBucket(h, c, a) for h, (c, a) in sorted(buckets.items()))


def _offline(records: Iterable[JournalRecord]) -> CountAmount:
    done = [
        r
        for r in records
        if r.kind == RecordKind.LOAD_OUTCOME
        and r.amount_fen
        and r.payload_dict().get("mac_path", MAC_PATH_SAM) == MAC_PATH_SAM
    ]
    return CountAmount(len(done), sum(r.amount_fen or 0 for r in done))


def _unsynced(records: Iterable[JournalRecord], acknowledged: int) -> CountAmount:
    waiting = [
        r for r in records if r.kind in MONEY_KINDS and r.amount_fen and r.seq > acknowledged
    ]
    return CountAmount(len(waiting), sum(r.amount_fen or 0 for r in waiting))


def _grey(intents: Iterable[JournalRecord], tz: tzinfo) -> tuple[GreyRecord, ...]:
    return tuple(
        GreyRecord(
            r.seq,
            r.kind,
            r.card_serial,
            r.amount_fen,
            r.payment_method,
            r.operator,
            r.at.astimezone(tz),
        )
        for r in intents
    )


def _journal_reference(
    journal: Journal, last: JournalRecord | None, checkpoint_number: int | None, tz: tzinfo
) -> JournalReference:
    checkpoints = journal.checkpoints()
    cp: Checkpoint | None = None
    if checkpoint_number is not None:
        cp = next((c for c in checkpoints if c.number == checkpoint_number), None)
    if cp is None and last is not None:
        cp = next((c for c in checkpoints if c.seq >= last.seq), None)
    if cp is None and checkpoints:
        cp = checkpoints[-1]
    head_seq, _mac = journal.head()
    return JournalReference(
        device_id=journal.device_id,
        terminal_id=journal.terminal_id,
        device_key_fingerprint=fingerprint(journal.public_key),
        head_seq=head_seq,
        last_seq=None if last is None else last.seq,
        last_mac_hex=None if last is None else last.mac.hex().upper(),
        checkpoint_number=None if cp is None else cp.number,
        checkpoint_seq=None if cp is None else cp.seq,
        checkpoint_at=None if cp is None else cp.at.astimezone(tz),
        checkpoint_head_mac_hex=None if cp is None else cp.head_mac.hex().upper(),
        checkpoint_signature_hex=None if cp is None else cp.signature.hex().upper(),
    )


def _figures(
    journal: Journal,
    totals: Sequence[ShiftTotal],
    records: Sequence[JournalRecord],
    grey: Iterable[JournalRecord],
    hours: Sequence[datetime],
    tz: tzinfo,
    checkpoint_number: int | None,
) -> ReportFigures:
    lines, not_done = _total_lines(totals)
    lines = _without_service_debits(lines, records)
    last = max(records, key=lambda r: r.seq, default=None)
    return ReportFigures(
        totals=lines,
        not_done_count=not_done,
        by_payment=_by_payment(totals),
        voids=_count_of(totals, RecordKind.VOID),
        reprints=_count_of(totals, RecordKind.REPRINT),
        offline_topups=_offline(records),
        unsynced=_unsynced(records, journal.acknowledged_seq()),
        grey=_grey(grey, tz),
        hourly=_hourly(records, hours, tz),
        journal=_journal_reference(journal, last, checkpoint_number, tz),
        scenic=_scenic_or_none(records, tz),
        purse_by_city=_purse_by_city(journal, records),
    )


def _purse_by_city(journal: Journal, records: Sequence[JournalRecord]) -> tuple[OriginLine, ...]:
    """Done purse payments split by the card's home city: this counter's own cards first."""
    sums: dict[str, list[int]] = {}
    for record in records:
        if record.kind != RecordKind.PURCHASE_OUTCOME:
            continue
        if record.payload_dict().get("outcome") != Outcome.DONE:
            continue
        line = sums.setdefault(other_city_of_outcome(journal, record) or "", [0, 0])
        line[0] += 1
        line[1] += record.amount_fen or 0
    return tuple(OriginLine(city, n, fen) for city, (n, fen) in sorted(sums.items()))


def _scenic_or_none(records: Sequence[JournalRecord], tz: tzinfo) -> ScenicFigures | None:
    figures = scenic_figures(records, tz)
    return None if figures.empty else figures


def _cash_summary(journal: Journal, shift: Shift, close: JournalRecord | None) -> CashSummary:
    """The drawer as the ``shift_close`` record says, or as it stands for an open shift."""
    if close is not None:
        p = close.payload_dict()
        lines = tuple(
            CashLine(kind, int(c), int(a)) for kind, (c, a) in sorted(p["cash_lines"].items())
        )
        counted = tuple(sorted(((int(d), int(n)) for d, n in p["counted"].items()), reverse=True))
        return CashSummary(
            opening_float_fen=int(p["opening_float_fen"]),
            cash_lines=lines,
            expected_cash_fen=int(p["expected_cash_fen"]),
            counted_cash_fen=int(p["counted_cash_fen"]),
            difference_fen=int(p["difference_fen"]),
            counted=counted,
            reason=p.get("reason"),
            approver=p.get("approver"),
            closed_by=close.operator,
        )
    expected = shift.expected_cash_fen  # set only once revealed to the closer
    counted_fen = shift.counted_cash_fen
    return CashSummary(
        opening_float_fen=shift.opening_float_fen,
        cash_lines=cash_lines(journal, shift.id),
        expected_cash_fen=expected,
        counted_cash_fen=counted_fen,
        difference_fen=None if expected is None or counted_fen is None else counted_fen - expected,
        counted=shift.counted or (),
        reason=shift.difference_reason,
        approver=shift.approved_by,
        closed_by=None,
    )


def _display_name(store: Store, username: str) -> str:
    account = accounts.get(store, username)
    return username if account is None else account.display_name


def _shift_or_refuse(store: Store, shift_id: int) -> Shift:
    shift = shift_rows.get(store, shift_id)
    if shift is None:
        raise RefusedError("There is no shift {shift} on this counter.", shift=shift_id)
    return shift


# -- the reports ---------------------------------------------------------------------------------


def shift_records(journal: Journal, shift_id: int) -> list[JournalRecord]:
    """Every record of one shift, in seq order (one indexed query per kind the shift has)."""
    kinds = {t.kind for t in journal.shift_totals(shift_id)}
    found = [r for kind in sorted(kinds) for r in journal.shift_records(shift_id, kind)]
    return sorted(found, key=lambda r: r.seq)


def shift_report(
    journal: Journal,
    store: Store,
    shift_id: int,
    timezone: tzinfo | None = None,
    clock: Clock = _utc_now,
) -> ShiftReport:
    """The report of shift ``shift_id`` (open or closed), times in the counter's zone by default."""
    tz = _zone(timezone)
    shift = _shift_or_refuse(store, shift_id)
    totals = journal.shift_totals(shift_id)
    records = shift_records(journal, shift_id)
    close = next((r for r in records if r.kind == RecordKind.SHIFT_CLOSE), None)
    opened = from_micros(shift.opened_at_us)
    closed = None if shift.closed_at_us is None else from_micros(shift.closed_at_us)
    # the chart spans the shift; an outcome settled after the close (a card tapped again) adds
    # its own hour rather than stretching the chart over the days in between
    last_at = closed if closed is not None else max([opened, *(r.at for r in records)])
    grey = [r for r in journal.open_intents() if r.shift_id == shift_id]
    figures = _figures(
        journal,
        totals,
        records,
        grey,
        _hours(opened, last_at, tz),
        tz,
        shift.checkpoint_number,
    )
    return ShiftReport(
        shift_id=shift_id,
        operator=shift.operator,
        operator_name=_display_name(store, shift.operator),
        opened_at=opened.astimezone(tz),
        closed_at=None if closed is None else closed.astimezone(tz),
        timezone=tz,
        generated_at=clock().astimezone(tz),
        cash=_cash_summary(journal, shift, close),
        figures=figures,
    )


def day_bounds(day: date, timezone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in ``timezone``, as aware datetimes."""
    start = datetime.combine(day, time(0), tzinfo=timezone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone)
    return start, end


def records_between(journal: Journal, start: datetime, end: datetime) -> list[JournalRecord]:
    """Records written in [start, end), in order: a binary search on time, then one scan."""
    start_us, end_us = to_micros(start), to_micros(end)
    head_seq, _mac = journal.head()
    low, high = 1, head_seq + 1  # the first seq whose time is >= start (high: none)
    while low < high:
        middle = (low + high) // 2
        record = journal.record(middle)
        if record is None or record.at_us >= start_us:
            high = middle
        else:
            low = middle + 1
    found: list[JournalRecord] = []
    after = low - 1
    while True:
        batch = journal.records(after=after, limit=_BATCH)
        for record in batch:
            if record.at_us >= end_us:
                return found
            found.append(record)
        if len(batch) < _BATCH:
            return found
        after = batch[-1].seq


def daily_report(
    journal: Journal, store: Store, day: date, timezone: tzinfo, clock: Clock = _utc_now
) -> DailyReport:
    """The report of calendar day ``day`` in ``timezone``, across every shift that worked in it."""
    start, end = day_bounds(day, timezone)
    totals = journal.period_totals(start, end)
    records = records_between(journal, start, end)
    start_us, end_us = to_micros(start), to_micros(end)
    grey = [r for r in journal.open_intents() if start_us <= r.at_us < end_us]
    hours = _hours(start, end - timedelta(microseconds=1), timezone)
    summaries = []
    for shift_id in sorted({r.shift_id for r in records if r.shift_id is not None}):
        shift = shift_rows.get(store, shift_id)
        if shift is None:
            continue  # a shift whose opening never reached the journal (see ShiftService)
        close = journal.shift_records(shift_id, RecordKind.SHIFT_CLOSE)
        summaries.append(
            ShiftSummary(
                shift_id=shift_id,
                operator=shift.operator,
                operator_name=_display_name(store, shift.operator),
                opened_at=from_micros(shift.opened_at_us).astimezone(timezone),
                closed_at=None
                if shift.closed_at_us is None
                else from_micros(shift.closed_at_us).astimezone(timezone),
                cash=_cash_summary(journal, shift, close[0] if close else None),
            )
        )
    return DailyReport(
        day=day,
        timezone=timezone,
        generated_at=clock().astimezone(timezone),
        shifts=tuple(summaries),
        figures=_figures(journal, totals, records, grey, hours, timezone, None),
    )
