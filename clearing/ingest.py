"""Journal batch upload: idempotent on (device, seq), verified, quarantined, acknowledged.

One transaction per batch, the device's row locked (``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE``
serialises anyway), so concurrent uploads of one device queue:

1. Records at or below the device's head are compared with the held copy: identical → counted as
   duplicates and acknowledged again; different → tamper alarm rows are committed, nothing else
   of the batch is stored, and the caller answers HTTP 409.
2. New records are checked in seq order (:mod:`clearing.chain`); good ones are stored and move the
   head, completed loads/purchases go to the card ledgers and annual-pass sales and transfers
   to the passes (:mod:`clearing.passes`). The first bad one, and every one
   after it in the batch, is quarantined with its reason (not acknowledged; the device may send
   it again, fixed or after the missing records). A completed load whose TAC does not verify
   with the issuer keys (:mod:`clearing.tac`) is authentic journal evidence: it is stored and
   acknowledged — the chain goes on — but quarantined *held*: kept out of the card ledger.
3. The SAM's counters carried by the new records (PSAM purchase seq, ISAM load seq) must go
   on without a gap or repeat (:mod:`clearing.sam_counter`); one that does not raises a tamper
   alarm (the records are still taken: they are authentic journal evidence).
4. A checkpoint, if sent, is verified against the device key and the records held.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.crypto.sm2 import Sm2Error, sm2_verify
from app.journal.canonical import checkpoint_bytes
from clearing.center import Center
from clearing.chain import DeviceChain
from clearing.ledger import ledger_entry
from clearing.models import (
    CardLedgerRow,
    DeviceCheckpointRow,
    DeviceRow,
    QuarantineRow,
    RecordRow,
    TamperAlarmRow,
)
from clearing.passes import PASS_KINDS, apply_pass_records
from clearing.records import columns_of, row_columns
from clearing.retry import retrying
from clearing.sam_counter import counter_problems
from clearing.schemas import (
    BatchIn,
    BatchOut,
    CheckpointIn,
    CheckpointResultOut,
    ConflictOut,
    QuarantinedOut,
    RecordIn,
)
from clearing.tac import load_tac_problem

_IN_CHUNK = 500


class BatchRefusedError(Exception):
    """The batch cannot be taken at all (HTTP 422); nothing was stored."""


class BatchConflictError(Exception):
    """The batch contradicts held records (HTTP 409); alarms were recorded, nothing else."""

    def __init__(self, conflicts: list[ConflictOut]) -> None:
        seqs = ", ".join(str(c.seq) for c in conflicts[:10])
        super().__init__(
            f"the center already holds seq {seqs} with a different MAC or content: "
            "tamper alarm raised, nothing of this batch was stored"
        )
        self.conflicts = conflicts


def _ordered(device_id: str, records: list[RecordIn]) -> list[RecordIn]:
    by_seq: dict[int, RecordIn] = {}
    for record in records:
        if record.device_id != device_id:
            raise BatchRefusedError(
                f"record seq {record.seq} belongs to device {record.device_id!r}, "
                f"not to {device_id!r} which signed the batch"
            )
        other = by_seq.setdefault(record.seq, record)
        if other != record:
            raise BatchRefusedError(f"seq {record.seq} appears twice with different content")
    return [by_seq[seq] for seq in sorted(by_seq)]


def _held(session: Session, device_id: str, seqs: list[int]) -> dict[int, RecordRow]:
    held: dict[int, RecordRow] = {}
    for start in range(0, len(seqs), _IN_CHUNK):
        chunk = seqs[start : start + _IN_CHUNK]
        rows = session.scalars(
            select(RecordRow).where(RecordRow.device_id == device_id, RecordRow.seq.in_(chunk))
        )
        held.update((row.seq, row) for row in rows)
    return held


def _alarm(
    session: Session,
    device_id: str,
    seq: int | None,
    reason: str,
    stored: bytes | None,
    offered: bytes | None,
    document: str,
    now_us: int,
) -> None:
    session.add(
        TamperAlarmRow(
            device_id=device_id,
            seq=seq,
            reason=reason,
            stored_mac=stored,
            offered_mac=offered,
            offered=document,
            raised_at_us=now_us,
        )
    )


CENTER_BEHIND = "center_behind"


def _center_behind_alarm(
    session: Session, device_id: str, head: int, claimed: int, now_us: int
) -> None:
    """The device holds records up to ``claimed`` acknowledged; the center only up to ``head``.

    The center lost them (a restore from an older backup): one alarm per gap, naming it; the
    device sends them again and they are checked and stored as if new.
    """
    reason = (
        f"{CENTER_BEHIND}: the device holds seq {head + 1}..{claimed} as acknowledged by this "
        f"center, which holds up to seq {head} only (restored from an older backup?); the device "
        "is sending them again"
    )
    seen = session.scalar(
        select(TamperAlarmRow.id)
        .where(TamperAlarmRow.device_id == device_id, TamperAlarmRow.reason == reason)
        .limit(1)
    )
    if seen is None:
        _alarm(session, device_id, head + 1, reason, None, None, "", now_us)


def _quarantine(
    session: Session,
    device_id: str,
    record: RecordIn,
    reason: str,
    now_us: int,
    held: bool = False,
) -> None:
    document = record.model_dump_json()
    seen = session.scalar(
        select(QuarantineRow.id)
        .where(
            QuarantineRow.device_id == device_id,
            QuarantineRow.seq == record.seq,
            QuarantineRow.reason == reason,
            QuarantineRow.record == document,
        )
        .limit(1)
    )
    if seen is None:  # the same bad record sent again is logged once
        session.add(
            QuarantineRow(
                device_id=device_id,
                seq=record.seq,
                reason=reason,
                record=document,
                received_at_us=now_us,
                held=held,
            )
        )


def ingest(center: Center, device_id: str, batch: BatchIn) -> BatchOut:
    """Take one batch from ``device_id`` (which signed it); see the module docstring.

    Run again when PostgreSQL reports a lost race (serialization failure, deadlock, or a unique
    violation from a concurrent upload of the same records): the batch is idempotent, so the
    second run stores what is still missing and acknowledges the rest as duplicates.
    """
    records = _ordered(device_id, batch.records)
    now = center.now_us()
    result, conflicts = retrying(
        lambda: _ingest_once(center, device_id, records, batch, now), unique_too=True
    )
    if conflicts:
        raise BatchConflictError(conflicts)
    assert result is not None
    return result


def _ingest_once(
    center: Center, device_id: str, records: list[RecordIn], batch: BatchIn, now: int
) -> tuple[BatchOut | None, list[ConflictOut]]:
    conflicts: list[ConflictOut] = []
    result: BatchOut | None = None
    with center.sessions.begin() as session:
        device = session.scalars(
            select(DeviceRow).where(DeviceRow.device_id == device_id).with_for_update()
        ).one()
        claimed = batch.device_acknowledged_seq
        if claimed is not None and claimed > device.head_seq:
            _center_behind_alarm(session, device_id, device.head_seq, claimed, now)
        old = [r for r in records if r.seq <= device.head_seq]
        held = _held(session, device_id, [r.seq for r in old])
        duplicates = 0
        for record in old:
            row = held[record.seq]
            if columns_of(record) == row_columns(row):
                duplicates += 1
                continue
            offered = bytes.fromhex(record.mac)
            conflicts.append(
                ConflictOut(
                    seq=record.seq, stored_mac=row.mac.hex().upper(), offered_mac=record.mac.upper()
                )
            )
            _alarm(
                session,
                device_id,
                record.seq,
                "the same seq was uploaded with a different MAC or content",
                row.mac,
                offered,
                record.model_dump_json(),
                now,
            )
        if not conflicts:
            result = _take_new(
                center, session, device, [r for r in records if r.seq > device.head_seq], now
            )
            result.duplicates = duplicates
            if batch.checkpoint is not None:
                result.checkpoint = _checkpoint(session, device, batch.checkpoint, now)
    return result, conflicts


def _insert_all(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert a batch's ``rows`` (all with the same keys) in one statement.

    PostgreSQL: ``COPY … FROM STDIN`` in the session's transaction — psycopg 3's executemany
    sends a statement per row, and a multi-row ``VALUES`` of a few thousand parameters costs
    more to build and parse than the rows. A failure is raised as SQLAlchemy's error (a unique
    violation as :class:`IntegrityError`) so that :func:`clearing.retry.retrying` sees it.
    SQLite (in-process, no round trips): executemany, with ``render_nulls`` so that rows whose
    empty columns differ (intents, outcomes) are not split into groups.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(model).execution_options(render_nulls=True), rows)
        return
    import psycopg  # noqa: PLC0415 - only with PostgreSQL

    table = model.__table__
    columns = [column.name for column in table.columns if column.name in rows[0]]
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[name] for name in columns])
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _take_new(
    center: Center, session: Session, device: DeviceRow, records: list[RecordIn], now: int
) -> BatchOut:
    chain = DeviceChain(session, device, {r.kind for r in records})
    quarantined: list[QuarantinedOut] = []
    rows: list[dict[str, Any]] = []
    ledger: list[dict[str, Any]] = []
    stopped_at: int | None = None
    for record in records:
        columns = columns_of(record)
        if stopped_at is not None:
            reason: str | None = f"not checked: seq {stopped_at} before it was not accepted"
        else:
            reason = chain.problem(columns)
        if reason is not None:
            stopped_at = record.seq if stopped_at is None else stopped_at
            quarantined.append(QuarantinedOut(seq=record.seq, reason=reason))
            _quarantine(session, device.device_id, record, reason, now)
            continue
        intent = None if columns["intent_seq"] is None else chain.intent(columns["intent_seq"])
        chain.accept(columns)
        rows.append({**columns, "received_at_us": now})
        tac_problem = None if center.sam is None else load_tac_problem(center.sam, columns, intent)
        if tac_problem is not None:
            quarantined.append(QuarantinedOut(seq=record.seq, reason=tac_problem, held=True))
            _quarantine(session, device.device_id, record, tac_problem, now, held=True)
            continue
        entry = ledger_entry(device.device_id, columns, intent)
        if entry is not None:
            ledger.append(entry)
    for seq, problem in counter_problems(session, device.device_id, rows):
        _alarm(session, device.device_id, seq, problem, None, None, "", now)
    _insert_all(session, RecordRow, rows)
    _insert_all(session, CardLedgerRow, ledger)
    apply_pass_records(session, device.device_id, (r for r in rows if r["kind"] in PASS_KINDS))
    device.head_seq = chain.head.seq
    device.head_mac = chain.head.mac
    device.head_at_us = chain.head.at_us
    device.next_key_id = chain.head.key_id
    session.flush()
    accepted = len(records) - sum(not q.held for q in quarantined)
    return BatchOut(
        acknowledged_seq=device.head_seq, accepted=accepted, duplicates=0, quarantined=quarantined
    )


def _totals_at(session: Session, device_id: str, seq: int) -> dict[str, int]:
    inner = (
        select(RecordRow.kind, RecordRow.seq)
        .where(RecordRow.device_id == device_id, RecordRow.seq <= seq)
        .subquery()
    )
    last = (
        select(inner.c.kind, func.max(inner.c.seq).label("seq")).group_by(inner.c.kind).subquery()
    )
    rows = session.execute(
        select(RecordRow.kind, RecordRow.grand_total_fen).join(
            last, (RecordRow.seq == last.c.seq) & (RecordRow.device_id == device_id)
        )
    )
    return {str(kind): int(total) for kind, total in rows}


def _checkpoint(
    session: Session, device: DeviceRow, cp: CheckpointIn, now: int
) -> CheckpointResultOut:
    def rejected(reason: str) -> CheckpointResultOut:
        return CheckpointResultOut(number=cp.number, status="rejected", reason=reason)

    if cp.device_id != device.device_id:
        return rejected("the checkpoint belongs to another device")
    public_key = bytes.fromhex(cp.public_key)
    if public_key != device.public_key:
        return rejected("the checkpoint is signed with another key than the enrolled one")
    values = (
        cp.device_id,
        cp.number,
        cp.seq,
        bytes.fromhex(cp.head_mac),
        bytes.fromhex(cp.batch_digest),
        cp.totals,
        cp.at_us,
        cp.reason,
        bytes.fromhex(cp.prev_signature),
        public_key,
    )
    signature = bytes.fromhex(cp.signature)
    try:
        signed = sm2_verify(public_key, checkpoint_bytes(values), signature)
    except Sm2Error:
        signed = False
    if not signed:
        return rejected("the checkpoint's signature does not verify")
    existing = session.get(DeviceCheckpointRow, (device.device_id, cp.number))
    if existing is not None:
        if existing.signature == signature:
            return CheckpointResultOut(number=cp.number, status="duplicate")
        reason = f"two different signed checkpoints numbered {cp.number}"
        _alarm(
            session,
            device.device_id,
            cp.seq,
            reason,
            existing.head_mac,
            values[3],
            cp.model_dump_json(),
            now,
        )
        return rejected(reason)
    if cp.seq > device.head_seq:
        return CheckpointResultOut(
            number=cp.number,
            status="pending",
            reason=f"the center holds records up to seq {device.head_seq}; send the rest first",
        )
    held = session.get(RecordRow, (device.device_id, cp.seq))
    assert held is not None  # every seq up to the head is held
    if held.mac != values[3]:
        reason = f"the signed head of seq {cp.seq} is not the MAC the center holds"
        _alarm(
            session,
            device.device_id,
            cp.seq,
            reason,
            held.mac,
            values[3],
            cp.model_dump_json(),
            now,
        )
        return rejected(reason)
    try:
        totals = {str(k): int(v) for k, v in json.loads(cp.totals).items()}
    except (ValueError, AttributeError, TypeError):
        return rejected("the checkpoint's totals are not a JSON object of integers")
    if totals != _totals_at(session, device.device_id, cp.seq):
        reason = f"the signed totals at seq {cp.seq} differ from the records the center holds"
        _alarm(
            session,
            device.device_id,
            cp.seq,
            reason,
            held.mac,
            values[3],
            cp.model_dump_json(),
            now,
        )
        return rejected(reason)
    session.add(
        DeviceCheckpointRow(
            device_id=device.device_id,
            number=cp.number,
            seq=cp.seq,
            head_mac=values[3],
            batch_digest=values[4],
            totals=cp.totals,
            at_us=cp.at_us,
            reason=cp.reason,
            prev_signature=values[8],
            public_key=public_key,
            signature=signature,
            received_at_us=now,
        )
    )
    return CheckpointResultOut(number=cp.number, status="accepted")
