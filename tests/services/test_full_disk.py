"""A full disk at each write of a top-up, an exchange and a shift close: nothing lost or doubled.

The counter's files live on a real, small tmpfs. Just before the n-th write of the operation
(a journal append or checkpoint, a counter-store transaction) the file system is filled to
ENOSPC with filler files, so that write meets a real full disk. Then:

- the clerk gets a :class:`DiskFullError` (what happened, what to do), not an internal error;
- no card was written without its intent (the card's balance is what the journal allows);
- the journal still verifies from genesis and the store passes SQLite's integrity check;
- the counter still serves reads (the card, the journal, the shift's totals);
- once space is freed, tapping the card again finishes or settles the operation, and the
  accounting ends exactly as without the fault.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.card.errors import CardError
from app.domain.parameters import Parameters
from app.domain.payment import PaymentMethod
from app.files import DiskFullError
from app.journal import Journal, RecordKind
from app.services.exchange import ExchangeInterruptedError, ExchangeStage
from app.services.shifts import ShiftService
from app.store.database import Store
from tests.services.counter_support import CLERK, SHIFT, build_counter
from tests.services.test_exchange import BALANCE, NEW, OLD, check_exchanged, make_setup
from tests.support.small_fs import Filler, mounted_tmpfs

CASH = PaymentMethod.CASH
SERIAL = "3104000000001234"


class FullAt:
    """Counts the counter's writes; fills the file system just before the ``nth`` (0: never)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, filler: Filler, nth: int = 0) -> None:
        self.count = 0
        self.nth = nth
        self.filler = filler
        self.hit = False
        for owner, name in (
            (Journal, "append_many"),
            (Journal, "checkpoint"),
            (Journal, "acknowledge"),
        ):
            monkeypatch.setattr(owner, name, self._wrap(getattr(owner, name)))
        session = Store.session

        @contextlib.contextmanager
        def counted_session(store: Store) -> Iterator[Any]:
            self._before_write()
            with session(store) as s:
                yield s

        monkeypatch.setattr(Store, "session", counted_session)

    def _before_write(self) -> None:
        self.count += 1
        if self.count == self.nth:
            self.filler.fill()
            self.hit = True

    def _wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self._before_write()
            return method(*args, **kwargs)

        return counted


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "disk", 8 * 1024) as where:
        yield where


def _fresh(disk: Path, name: str) -> Path:
    for old in disk.iterdir():
        if old.is_dir():
            shutil.rmtree(old)
    directory = disk / name
    directory.mkdir()
    return directory


def _intact(journal: Journal, store_path: Path) -> None:
    report = journal.verify(full=True)
    assert report.ok, report.first_problem
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def _told_the_clerk(exc: BaseException) -> None:
    assert isinstance(exc, DiskFullError), repr(exc)
    assert "full" in str(exc)
    assert "free space" in exc.advice_text and "put it back" in exc.advice_text


def _writes_of(make_run: Callable[[Path, int], int], disk: Path) -> int:
    return make_run(_fresh(disk, "count"), 0)


# -- top-up ----------------------------------------------------------------------------------


def test_a_full_disk_at_each_write_of_a_top_up(disk, make_rig, monkeypatch):
    filler = Filler(disk)

    def run(directory: Path, nth: int) -> int:
        rig = make_rig()
        counter = build_counter(directory, rig.sam)
        with monkeypatch.context() as patch:
            full = FullAt(patch, filler, nth)
            failed: BaseException | None = None
            try:
                counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
            except DiskFullError as exc:
                failed = exc
        writes = full.count
        if nth:
            assert full.hit and failed is not None, nth
            _told_the_clerk(failed)
            # no card written without its intent: loaded only if the intent is on disk
            balance = rig.reload().profile.balance_fen
            intents = counter.journal.card_records(SERIAL, RecordKind.LOAD_INTENT)
            assert balance == 5_000 or (balance == 8_000 and len(intents) == 1), nth
            # reads go on while the disk is full
            assert rig.open().read_snapshot(record_limit=0).balance_fen == balance
            assert counter.journal.records(after=0)
            _intact(counter.journal, directory / "counter.sqlite3")
            filler.free()
            counter.recovery.resolve(rig.open())  # the card back on the reader
            if counter.loaded_fen(SERIAL) == 0:
                counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
        assert rig.reload().profile.balance_fen == 8_000 == 5_000 + counter.loaded_fen(SERIAL)
        assert counter.journal.open_intents() == []
        _intact(counter.journal, directory / "counter.sqlite3")
        counter.close()
        return writes

    writes = _writes_of(run, disk)
    assert writes >= 2  # intent, outcome
    for nth in range(1, writes + 1):
        run(_fresh(disk, f"topup-{nth}"), nth)


# -- exchange --------------------------------------------------------------------------------


def test_a_full_disk_at_each_write_of_an_exchange(disk, make_rig, monkeypatch):
    filler = Filler(disk)

    def run(directory: Path, nth: int) -> int:
        s = make_setup(directory, make_rig)
        approval = s.approval()
        with monkeypatch.context() as patch:
            full = FullAt(patch, filler, nth)
            failed: BaseException | None = None
            try:
                status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), approval)
                s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
            except (DiskFullError, ExchangeInterruptedError, CardError) as exc:
                failed = exc
        writes = full.count
        if nth:
            assert full.hit and failed is not None, nth
            _told_the_clerk(failed)
            old, new = s.old.reload().profile, s.new.reload().profile
            assert old.balance_fen + new.balance_fen <= BALANCE, nth  # never made twice
            journal = s.counter.journal
            # no card written without its intent
            if old.balance_fen != BALANCE:
                assert journal.card_records(OLD, RecordKind.PURCHASE_INTENT), nth
            if new.balance_fen:
                assert journal.card_records(NEW, RecordKind.LOAD_INTENT), nth
            assert s.old.open().read_snapshot(record_limit=0).balance_fen == old.balance_fen
            _intact(s.counter.journal, directory / "counter.sqlite3")
            filler.free()
            s.reopen()  # a supervisor freed space and restarted the counter
            with contextlib.suppress(ExchangeInterruptedError, CardError):
                s.counter.recovery.resolve(s.old.open())
                s.exchanges.resume(s.clerk, s.old.open())
            pending = s.exchanges.pending(s.clerk)
            if pending:
                s.counter.recovery.resolve(s.new.open())
                statuses = s.exchanges.resume(s.clerk, s.new.open())
                if not statuses and s.exchanges.pending(s.clerk):
                    s.exchanges.finish(s.clerk, pending[0].intent_seq, s.new.open())
            elif (
                s.old.reload().profile.balance_fen == BALANCE and not s.old.reload().profile.blocked
            ):
                status = s.exchanges.start(s.clerk, SHIFT, s.old.open(), s.approval())
                assert status.stage is ExchangeStage.NEW_CARD
                s.exchanges.finish(s.clerk, status.intent_seq, s.new.open())
            assert s.exchanges.pending(s.clerk) == []
        check_exchanged(s, context=nth)
        _intact(s.counter.journal, directory / "counter.sqlite3")
        s.counter.close()
        return writes

    writes = _writes_of(run, disk)
    assert writes >= 5  # exchange intent, debit intent/outcome, block, load intent/outcome, link
    for nth in range(1, writes + 1):
        run(_fresh(disk, f"exchange-{nth}"), nth)


# -- shift close -----------------------------------------------------------------------------


def test_a_full_disk_at_each_write_of_a_shift_close(disk, make_rig, monkeypatch):
    filler = Filler(disk)

    def run(directory: Path, nth: int) -> int:
        s = make_setup(directory, make_rig)
        shifts = ShiftService(
            s.counter.store, s.counter.journal, Parameters.default(), s.counter.clock
        )
        shift = shifts.open_shift(s.clerk, 50_000)
        s.counter.topups.top_up(s.clerk, shift.id, s.old.open(), 2_000, CASH)
        shifts.declare_count(s.clerk, shift.id, {10_000: 5, 1_000: 2})
        with monkeypatch.context() as patch:
            full = FullAt(patch, filler, nth)
            failed: BaseException | None = None
            try:
                shifts.close_shift(s.clerk, shift.id)
            except DiskFullError as exc:
                failed = exc
        writes = full.count
        if nth:
            assert full.hit and failed is not None, nth
            _told_the_clerk(failed)
            _intact(s.counter.journal, directory / "counter.sqlite3")
            assert s.counter.journal.shift_totals(shift.id)  # the reports can still be read
            filler.free()
            s.reopen()
            shifts = ShiftService(
                s.counter.store, s.counter.journal, Parameters.default(), s.counter.clock
            )
            shifts.reconcile()
            shifts.close_shift(s.clerk, shift.id)
        closes = s.counter.journal.shift_records(shift.id, RecordKind.SHIFT_CLOSE)
        assert len(closes) == 1, nth  # closed once
        assert closes[0].payload_dict()["expected_cash_fen"] == 52_000
        assert shifts.current_shift(s.clerk) is None
        assert s.old.reload().profile.balance_fen == BALANCE + 2_000
        _intact(s.counter.journal, directory / "counter.sqlite3")
        s.counter.close()
        return writes

    writes = _writes_of(run, disk)
    assert writes >= 2  # the store's reveal, the close record, the checkpoint, the store's close
    for nth in range(1, writes + 1):
        run(_fresh(disk, f"close-{nth}"), nth)


def test_the_mounted_disk_is_really_full(tmp_path):
    """The filler leaves no room: a plain file write fails with ENOSPC (the proof is real)."""
    with mounted_tmpfs(tmp_path / "disk", 512) as where:
        filler = Filler(where)
        filler.fill()
        with pytest.raises(OSError, match="No space"):
            (where / "more").write_bytes(b"x" * 4096)
        filler.free()
        (where / "more").write_bytes(b"x" * 4096)
