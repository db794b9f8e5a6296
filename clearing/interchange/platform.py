"""The national platform's work (Qt-free, HTTP-free): members, routing, blacklist, positions.

- **Members**: each city center registers its city (a key of the city table), its SM2 public
  key (requests are signed with it) and its issuer codes / T-Union issuer ids.
- **Records**: a member forwards completed purse payments of other cities' cards. Each is
  checked (the issuer city is another member, the card's issuer code is one of that member's)
  and stored once under ``(acquiring city, device, seq)``; the same key with other content is a
  conflict (409, alarm, nothing of the batch stored). Records are numbered in commit order (the
  state row is locked while a batch is stored), so an issuer reading "after N" misses none.
- **Blacklist**: members push the changes of their own blacklist; each gets the next national
  version once (keyed by the member's own version); every member reads the changes after the
  version it holds.
- **Positions**: per business day (China Standard Time, the record's time at the counter) what
  each city's cards spent in each other city; a city's settlement nets them.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.crypto.sm3 import sm3_digest
from app.domain.cities import INTEROP_CITIES, CityTable
from app.journal.records import from_micros
from clearing.interchange.models import (
    MemberRow,
    PlatformAlarmRow,
    PlatformBlacklistRow,
    PlatformRecordRow,
    PlatformStateRow,
)
from clearing.interchange.schemas import (
    MAX_CHANGES,
    MAX_RECORDS,
    BlacklistChangeIn,
    CitySettlementOut,
    CounterpartyLine,
    ForwardedRecord,
    NationalBlacklistOut,
    NationalChange,
    PositionOut,
    RoutedRecord,
)


class PlatformRefusalError(ValueError):
    """A request the platform refuses as it stands (422), in words."""


class PlatformConflictError(Exception):
    """Records offered again with other content (409); nothing of the batch was stored."""

    def __init__(self, conflicts: list[dict[str, object]]) -> None:
        super().__init__(f"{len(conflicts)} record(s) differ from what the platform holds")
        self.conflicts = conflicts


@dataclass(frozen=True)
class Member:
    """A registered city center."""

    city: str
    name: str
    public_key: bytes
    issuer_codes: tuple[str, ...]


def _member(row: MemberRow) -> Member:
    return Member(row.city, row.name, row.public_key, tuple(json.loads(row.issuer_codes)))


def register_member(
    session: Session,
    city: str,
    public_key: bytes,
    issuer_codes: Sequence[str],
    now_us: int,
    cities: CityTable = INTEROP_CITIES,
) -> Member:
    """Register (or re-key) a city center; the city must be in the table."""
    known = cities.by_key(city)
    if known is None:
        raise PlatformRefusalError(f"{city!r} is not a city of the interoperating-city table")
    if len(public_key) != 64:
        raise PlatformRefusalError("a member's public key is the 64-byte SM2 point x ‖ y")
    codes = sorted({c.strip().upper() for c in issuer_codes})
    for code in codes:
        if len(code) not in (4, 16) or any(ch not in "0123456789ABCDEF" for ch in code):
            raise PlatformRefusalError(f"issuer code {code!r} is not 4 or 16 hex digits")
    if not codes:
        raise PlatformRefusalError("a member needs at least one issuer code")
    row = session.get(MemberRow, city)
    if row is None:
        row = MemberRow(city=city, registered_at_us=now_us)
        session.add(row)
    row.name = known.name
    row.public_key = public_key
    row.issuer_codes = json.dumps(codes)
    session.flush()
    return _member(row)


def member(session: Session, city: str) -> Member | None:
    """The registered member for ``city``, if any."""
    row = session.get(MemberRow, city)
    return None if row is None else _member(row)


def members(session: Session) -> list[Member]:
    """Every registered member, by city."""
    return [_member(r) for r in session.scalars(select(MemberRow).order_by(MemberRow.city))]


def _lock_state(session: Session) -> PlatformStateRow:
    return session.scalars(
        select(PlatformStateRow).where(PlatformStateRow.id == 1).with_for_update()
    ).one()


def canonical(record: ForwardedRecord) -> str:
    """The record as one canonical JSON text (what its digest covers)."""
    return json.dumps(record.model_dump(), sort_keys=True, separators=(",", ":"))


def business_day(at_us: int, tz: timezone) -> str:
    """The business day (ISO date) a record's time falls on."""
    return from_micros(at_us).astimezone(tz).date().isoformat()


def accept_records(
    session: Session,
    sender: Member,
    records: Sequence[ForwardedRecord],
    now_us: int,
    tz: timezone,
) -> tuple[int, int]:
    """Store a member's forwarded records: (new, duplicates); all or nothing.

    Raises :class:`PlatformRefusalError` for a record the platform cannot route and
    :class:`PlatformConflictError` for one that contradicts what it holds.
    """
    if len(records) > MAX_RECORDS:
        raise PlatformRefusalError(f"at most {MAX_RECORDS} records in one batch")
    issuers: dict[str, Member] = {}
    for index, record in enumerate(records):
        issuer = issuers.get(record.issuer_city) or member(session, record.issuer_city)
        if issuer is None:
            raise PlatformRefusalError(
                f"records.{index}: {record.issuer_city!r} is not a member of the platform"
            )
        if issuer.city == sender.city:
            raise PlatformRefusalError(
                f"records.{index}: a card of {sender.city} is cleared by its own center"
            )
        if record.card_issuer not in issuer.issuer_codes:
            raise PlatformRefusalError(
                f"records.{index}: issuer code {record.card_issuer} is not one of "
                f"{issuer.city}'s; the record cannot be routed"
            )
        issuers[issuer.city] = issuer
    _lock_state(session)  # numbers records in commit order
    accepted = duplicates = 0
    conflicts: list[dict[str, object]] = []
    seen = _held_digests(session, sender.city, records)
    for record in records:
        text = canonical(record)
        digest = sm3_digest(text.encode())
        key = (record.device_id, record.seq)
        held = seen.get(key)
        if held is not None:
            if held == digest:
                duplicates += 1
            else:
                conflicts.append({"device_id": record.device_id, "seq": record.seq})
            continue
        seen[key] = digest
        session.add(
            PlatformRecordRow(
                acquirer_city=sender.city,
                device_id=record.device_id,
                seq=record.seq,
                issuer_city=record.issuer_city,
                card_serial=record.card_serial,
                amount_fen=record.amount_fen,
                business_day=business_day(record.at_us, tz),
                at_us=record.at_us,
                digest=digest,
                document=text,
                received_at_us=now_us,
            )
        )
        accepted += 1
    if conflicts:
        raise PlatformConflictError(conflicts)
    session.flush()
    return accepted, duplicates


def _held_digests(
    session: Session, city: str, records: Sequence[ForwardedRecord]
) -> dict[tuple[str, int], bytes]:
    """The digests the platform holds for the batch's keys (one query per device and chunk)."""
    by_device: dict[str, list[int]] = defaultdict(list)
    for record in records:
        by_device[record.device_id].append(record.seq)
    held: dict[tuple[str, int], bytes] = {}
    for device_id, seqs in by_device.items():
        for start in range(0, len(seqs), 500):
            for seq, digest in session.execute(
                select(PlatformRecordRow.seq, PlatformRecordRow.digest).where(
                    PlatformRecordRow.acquirer_city == city,
                    PlatformRecordRow.device_id == device_id,
                    PlatformRecordRow.seq.in_(seqs[start : start + 500]),
                )
            ):
                held[(device_id, int(seq))] = bytes(digest)
    return held


def raise_alarm(session: Session, city: str, reason: str, offered: str, now_us: int) -> None:
    """Keep the evidence that a member contradicted itself."""
    session.add(PlatformAlarmRow(city=city, reason=reason, offered=offered, raised_at_us=now_us))


def alarms(session: Session) -> list[PlatformAlarmRow]:
    """Every alarm, oldest first."""
    return list(session.scalars(select(PlatformAlarmRow).order_by(PlatformAlarmRow.id)))


def inbound(
    session: Session, city: str, after: int, limit: int = MAX_RECORDS
) -> tuple[list[RoutedRecord], bool]:
    """Records of ``city``'s cards after platform number ``after``; and whether more wait."""
    rows = list(
        session.scalars(
            select(PlatformRecordRow)
            .where(PlatformRecordRow.issuer_city == city, PlatformRecordRow.id > after)
            .order_by(PlatformRecordRow.id)
            .limit(limit + 1)
        )
    )
    routed = [
        RoutedRecord(
            id=r.id,
            acquirer_city=r.acquirer_city,
            record=ForwardedRecord.model_validate_json(r.document),
        )
        for r in rows[:limit]
    ]
    return routed, len(rows) > limit


def push_blacklist(
    session: Session, sender: Member, changes: Sequence[BlacklistChangeIn], now_us: int
) -> tuple[int, int, int]:
    """Take a member's blacklist changes: (new, duplicates, national version after)."""
    if len(changes) > MAX_CHANGES:
        raise PlatformRefusalError(f"at most {MAX_CHANGES} changes in one request")
    state = _lock_state(session)
    accepted = duplicates = 0
    for change in changes:
        held = session.scalars(
            select(PlatformBlacklistRow.version).where(
                PlatformBlacklistRow.from_city == sender.city,
                PlatformBlacklistRow.from_version == change.version,
            )
        ).first()
        if held is not None:
            duplicates += 1
            continue
        state.blacklist_version += 1
        session.add(
            PlatformBlacklistRow(
                version=state.blacklist_version,
                from_city=sender.city,
                from_version=change.version,
                card_serial=change.card_serial,
                action=change.action,
                reason=change.reason,
                at_us=now_us,
            )
        )
        session.flush()
        accepted += 1
    return accepted, duplicates, state.blacklist_version


def national_blacklist(
    session: Session, since: int, limit: int = MAX_CHANGES
) -> NationalBlacklistOut:
    """The national blacklist's changes after version ``since``, oldest first."""
    version = session.scalars(select(PlatformStateRow.blacklist_version)).one()
    rows = list(
        session.scalars(
            select(PlatformBlacklistRow)
            .where(PlatformBlacklistRow.version > max(since, 0))
            .order_by(PlatformBlacklistRow.version)
            .limit(limit + 1)
        )
    )
    changes = [
        NationalChange(
            version=r.version,
            from_city=r.from_city,
            card_serial=r.card_serial,
            action="add" if r.action == "add" else "remove",
            reason=r.reason,
        )
        for r in rows[:limit]
    ]
    return NationalBlacklistOut(
        version=version, since=max(since, 0), changes=changes, more=len(rows) > limit
    )


def flows(session: Session, day: date) -> dict[tuple[str, str], tuple[int, int]]:
    """``{(issuer city, acquiring city): (count, fen)}`` of the business day."""
    result: dict[tuple[str, str], tuple[int, int]] = {}
    for issuer, acquirer, count, total in session.execute(
        select(
            PlatformRecordRow.issuer_city,
            PlatformRecordRow.acquirer_city,
            func.count(),
            func.coalesce(func.sum(PlatformRecordRow.amount_fen), 0),
        )
        .where(PlatformRecordRow.business_day == day.isoformat())
        .group_by(PlatformRecordRow.issuer_city, PlatformRecordRow.acquirer_city)
    ):
        result[(str(issuer), str(acquirer))] = (int(count), int(total))
    return result


def positions(session: Session, day: date) -> list[PositionOut]:
    """The net position of every pair of cities on ``day``: who owes whom how much."""
    owed: dict[tuple[str, str], int] = defaultdict(int)
    for (issuer, acquirer), (_count, total) in flows(session, day).items():
        owed[(issuer, acquirer)] += total  # the issuer's cards spent at the acquirer
    out: list[PositionOut] = []
    for a, b in sorted({tuple(sorted(pair)) for pair in owed}):
        net = owed[(a, b)] - owed[(b, a)]
        if net > 0:
            out.append(PositionOut(debtor=a, creditor=b, amount_fen=net))
        elif net < 0:
            out.append(PositionOut(debtor=b, creditor=a, amount_fen=-net))
    return out


def city_settlement(
    session: Session, city: str, day: date, cities: CityTable = INTEROP_CITIES
) -> CitySettlementOut:
    """One city's settlement of ``day``: per other city, receivable, payable and net."""
    lines: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (issuer, acquirer), (count, total) in flows(session, day).items():
        if acquirer == city and issuer != city:
            line = lines[issuer]
            line[0] += count
            line[1] += total
        elif issuer == city and acquirer != city:
            line = lines[acquirer]
            line[2] += count
            line[3] += total

    def name(key: str) -> str:
        known = cities.by_key(key)
        return known.name if known is not None else key

    out = [
        CounterpartyLine(
            city=other,
            name=name(other),
            receivable_count=v[0],
            receivable_fen=v[1],
            payable_count=v[2],
            payable_fen=v[3],
            net_fen=v[1] - v[3],
        )
        for other, v in sorted(lines.items())
    ]
    receivable = sum(line.receivable_fen for line in out)
    payable = sum(line.payable_fen for line in out)
    return CitySettlementOut(
        date=day.isoformat(),
        city=city,
        name=name(city),
        lines=out,
        receivable_fen=receivable,
        payable_fen=payable,
        net_fen=receivable - payable,
    )


CSV_COLUMNS = (
    "date",
    "city",
    "counterparty",
    "counterparty_name",
    "receivable_count",
    "receivable_fen",
    "payable_count",
    "payable_fen",
    "net_fen",
)


def settlement_csv(settlement: CitySettlementOut) -> str:
    """The settlement as CSV: one line per other city, then a ``total`` line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in settlement.lines:
        writer.writerow(
            (
                settlement.date,
                settlement.city,
                line.city,
                line.name,
                line.receivable_count,
                line.receivable_fen,
                line.payable_count,
                line.payable_fen,
                line.net_fen,
            )
        )
    writer.writerow(
        (
            settlement.date,
            settlement.city,
            "total",
            "",
            sum(line.receivable_count for line in settlement.lines),
            settlement.receivable_fen,
            sum(line.payable_count for line in settlement.lines),
            settlement.payable_fen,
            settlement.net_fen,
        )
    )
    return buffer.getvalue()
