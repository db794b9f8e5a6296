"""The SAM's counters as evidence: every seq once, none missing (like a fiscal TSE's counter).

A counter's PSAM numbers every purchase MAC1 (terminal transaction seq) and its ISAM every
offline load; the counter journals each seq — on the purchase or load intent, or on a
``sam_seq_unused`` note when nothing followed. A record deleted or rewritten before upload,
even with the journal key and a re-chained journal, leaves a hole or a repeat here: the upload
is taken (its records are authentic journal evidence) and a tamper alarm names the hole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.models import RecordRow

PSAM = "psam"
ISAM = "isam"


def counter_of(kind: str, terminal_seq: int | None, payload: str) -> str | None:
    """Which SAM counter a record's ``terminal_seq`` belongs to (None: not a SAM seq)."""
    if terminal_seq is None:
        return None
    if kind == "purchase_intent":
        return PSAM
    if kind == "load_intent":
        return ISAM  # only offline loads carry a seq: the ISAM's
    if kind == "note":
        doc = json.loads(payload or "{}")
        if doc.get("event") == "sam_seq_unused" and doc.get("counter") in (PSAM, ISAM):
            return str(doc["counter"])
    return None


def _last_held(session: Session, device_id: str) -> dict[str, int]:
    """The highest seq of each counter among the device's held records."""
    last: dict[str, int] = {}
    for kind, counter in (("purchase_intent", PSAM), ("load_intent", ISAM)):
        top = session.scalar(
            select(func.max(RecordRow.terminal_seq)).where(
                RecordRow.device_id == device_id, RecordRow.kind == kind
            )
        )
        if top is not None:
            last[counter] = int(top)
    notes = session.execute(
        select(RecordRow.terminal_seq, RecordRow.payload).where(
            RecordRow.device_id == device_id,
            RecordRow.kind == "note",
            RecordRow.terminal_seq.is_not(None),
        )
    ).all()
    for seq, payload in notes:
        found = counter_of("note", seq, payload)
        if found is not None and seq is not None:
            last[found] = max(last.get(found, int(seq)), int(seq))
    return last


def counter_problems(
    session: Session, device_id: str, new_rows: Iterable[dict[str, Any]]
) -> list[tuple[int, str]]:
    """(journal seq, reason) for each gap or repeat the new rows make in a SAM counter."""
    last = _last_held(session, device_id)
    seen: dict[str, set[int]] = {}
    problems: list[tuple[int, str]] = []
    for row in sorted(new_rows, key=lambda r: int(r["seq"])):
        counter = counter_of(str(row["kind"]), row["terminal_seq"], str(row["payload"]))
        if counter is None:
            continue
        value = int(row["terminal_seq"])
        before = last.get(counter)
        used = seen.setdefault(counter, set())
        if value in used or (before is not None and value <= before):
            problems.append(
                (int(row["seq"]), f"SAM counter repeat: {counter.upper()} seq {value} again")
            )
        elif before is not None and value != before + 1:
            problems.append(
                (
                    int(row["seq"]),
                    f"SAM counter gap: {counter.upper()} seq {value} follows {before} "
                    f"({value - before - 1} missing: a money record deleted before upload?)",
                )
            )
        used.add(value)
        last[counter] = max(value, before or value)
    return problems
