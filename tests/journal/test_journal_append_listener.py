"""A committed append tells its listeners (the composition root wakes the sync loop with it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.journal import Entry, Journal, JournalKeys, RecordKind
from tests.journal.support import DEVICE, TERMINAL, StepClock


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.create(
        tmp_path / "journal.db", JournalKeys.generate(), DEVICE, TERMINAL, clock=StepClock()
    ) as j:
        yield j


def _entry() -> Entry:
    return Entry(RecordKind.LOSS_REPORT, operator="clerk1", shift_id=1, card_serial="31050001")


def test_each_committed_append_tells_the_listener_after_the_commit(journal):
    heads: list[int] = []
    journal.on_append(lambda: heads.append(journal.head()[0]))  # the record is already there
    first = journal.append(_entry())
    journal.append_many([_entry(), _entry()])
    assert heads == [first.seq, first.seq + 2]  # once per transaction, after it


def test_a_failing_listener_never_undoes_the_append(journal):
    def broken() -> None:
        raise RuntimeError("the sync loop is gone")

    woken: list[bool] = []
    journal.on_append(broken)
    journal.on_append(lambda: woken.append(True))
    record = journal.append(_entry())
    assert journal.record(record.seq) is not None and woken == [True]
    assert journal.verify().ok
