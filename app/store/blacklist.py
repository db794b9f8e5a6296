"""The local blacklist: cards reported lost here (at once) and cards the center lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.store.database import Store
from app.store.models import BlacklistRow


@dataclass(frozen=True)
class BlacklistEntry:
    """Why a card must not be served."""

    card_serial: str
    reason: str
    source: str
    added_at_us: int
    journal_seq: int | None


def _entry(row: BlacklistRow) -> BlacklistEntry:
    return BlacklistEntry(row.card_serial, row.reason, row.source, row.added_at_us, row.journal_seq)


def lookup(store: Store, card_serial: str) -> BlacklistEntry | None:
    """The blacklist entry of ``card_serial``, or None when it may be served."""
    with store.reading() as s:
        row = s.get(BlacklistRow, card_serial)
        return None if row is None else _entry(row)


def add(
    store: Store,
    card_serial: str,
    reason: str,
    at_us: int,
    source: str = "local",
    journal_seq: int | None = None,
) -> None:
    """List a card (replacing an older entry of the same card)."""
    with store.session() as s:
        s.merge(
            BlacklistRow(
                card_serial=card_serial,
                reason=reason,
                source=source,
                added_at_us=at_us,
                journal_seq=journal_seq,
                pending_upload=1 if source == "local" else 0,
            )
        )


def remove(store: Store, card_serial: str) -> bool:
    """Take a card off the list; whether it was there."""
    with store.session() as s:
        result = s.execute(delete(BlacklistRow).where(BlacklistRow.card_serial == card_serial))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def entries(store: Store) -> list[BlacklistEntry]:
    """Every listed card, oldest first."""
    with store.reading() as s:
        rows = s.scalars(select(BlacklistRow).order_by(BlacklistRow.added_at_us)).all()
        return [_entry(r) for r in rows]


def apply_center_changes(
    store: Store,
    added: Iterable[str],
    removed: Iterable[str],
    full: bool,
    at_us: int,
    reason: str = "reported_lost",
) -> None:
    """The center's blacklist changes in one transaction; entries of other sources untouched.

    ``full``: ``added`` is the whole list and replaces every entry of source ``center``.
    """
    from_center = BlacklistRow.source == "center"
    with store.session() as s:
        if full:
            s.execute(delete(BlacklistRow).where(from_center))
        else:
            gone = sorted(set(removed))
            for i in range(0, len(gone), 500):
                listed = BlacklistRow.card_serial.in_(gone[i : i + 500])
                s.execute(delete(BlacklistRow).where(from_center, listed))
        rows = [
            {
                "card_serial": serial,
                "reason": reason,
                "source": "center",
                "added_at_us": at_us,
                "journal_seq": None,
                "pending_upload": 0,
            }
            for serial in sorted(set(added))
        ]
        if rows:
            insert = sqlite_insert(BlacklistRow).on_conflict_do_nothing(
                index_elements=["card_serial"]
            )
            s.execute(insert, rows)
