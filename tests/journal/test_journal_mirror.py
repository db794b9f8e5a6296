"""The journal's mirror on a second file system: same rows, same order, before the card moves.

The mirror lives on a real second file system (a tmpfs mounted for the test); losing it is done
for real (the file system filled, the folder taken away) and so is getting it back.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.card.apdu import Ins
from app.crypto.keystore import Keystore
from app.domain.payment import PaymentMethod
from app.journal import CheckpointReason, Entry, Journal, JournalKeys, RecordKind
from app.journal.mirror import JournalMirror, MirrorState, journal_mode_for, mirror_path
from app.services.errors import RefusedError
from tests.journal.support import DEVICE, TERMINAL, StepClock
from tests.services.counter_support import CLERK, SHIFT, build_counter
from tests.support.small_fs import Filler, mounted_tmpfs

PASSPHRASE = "mirror-test-passphrase"


@pytest.fixture
def second_disk(tmp_path: Path):
    with mounted_tmpfs(tmp_path / "usb", 4096) as where:
        yield where


@pytest.fixture
def keys() -> JournalKeys:
    return JournalKeys.generate()


@pytest.fixture
def journal(tmp_path: Path, keys: JournalKeys):
    with Journal.create(tmp_path / "journal.sqlite3", keys, DEVICE, TERMINAL, StepClock()) as j:
        yield j


def _rows(path: Path, table: str, order: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    finally:
        conn.close()


def _same(journal: Journal, mirror: Path) -> None:
    for table, order in (
        ("journal_record", "seq"),
        ("journal_checkpoint", "number"),
        ("journal_head", "id"),
        ("journal_meta", "id"),
    ):
        assert _rows(journal.path, table, order) == _rows(mirror, table, order), table


def _verify_alone(mirror: Path, keys: JournalKeys) -> None:
    with Journal.open(mirror, keys, verify=False) as copy:
        report = copy.verify(full=True)
        assert report.ok, report.first_problem


def _append(journal: Journal, n: int) -> None:
    for i in range(n):
        journal.append(Entry(RecordKind.SHIFT_OPEN, operator="clerk1", shift_id=1, amount_fen=i))


def test_every_record_and_checkpoint_is_on_the_mirror(journal, keys, second_disk):
    path = mirror_path(second_disk, DEVICE)
    status = journal.attach_mirror(JournalMirror(path))
    assert status.state is MirrorState.OK and path.exists()
    _append(journal, 25)
    journal.checkpoint(CheckpointReason.ON_DEMAND)
    journal.append_many(
        [Entry(RecordKind.SHIFT_OPEN, operator="clerk1", shift_id=2, amount_fen=9)] * 3
    )
    assert journal.mirror_status() is not None and journal.mirror_status().seq == 29
    _same(journal, path)
    _verify_alone(path, keys)


def test_a_mirror_is_caught_up_when_attached_again(tmp_path, keys, second_disk):
    path = mirror_path(second_disk, DEVICE)
    clock = StepClock()
    with Journal.create(tmp_path / "j.sqlite3", keys, DEVICE, TERMINAL, clock) as journal:
        journal.attach_mirror(JournalMirror(path))
        _append(journal, 5)
    with Journal.open(tmp_path / "j.sqlite3", keys, clock) as journal:
        _append(journal, 7)  # written without the mirror (the drive was out)
        assert journal.attach_mirror(JournalMirror(path)).ok
        _same(journal, path)


def test_the_intent_is_on_the_mirror_before_credit_reaches_the_card(tmp_path, rig, second_disk):
    counter = build_counter(tmp_path / "data", rig.sam)
    path = mirror_path(second_disk, "DEV-T")
    assert counter.journal.attach_mirror(JournalMirror(path)).ok
    seen: list[int] = []
    card = rig.faulty
    process = card.process

    def watching(apdu: bytes) -> bytes:
        if apdu[1] == Ins.CREDIT_FOR_LOAD:
            intents = _rows(path, "journal_record", "seq")
            seen.append(sum(1 for r in intents if r[2] == RecordKind.LOAD_INTENT))
        return process(apdu)

    card.process = watching  # type: ignore[method-assign]
    counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, PaymentMethod.CASH)
    assert seen == [1]  # the mirror held the intent when CREDIT went out
    _same(counter.journal, path)
    counter.close()


def test_losing_the_mirror_does_not_stop_the_counter_and_it_comes_back(
    tmp_path, keys, journal, second_disk
):
    clock = [0.0]
    path = mirror_path(second_disk, DEVICE)
    mirror = JournalMirror(path, retry_after_s=30, monotonic=lambda: clock[0])
    journal.attach_mirror(mirror)
    _append(journal, 3)
    filler = Filler(second_disk)
    filler.fill()  # the USB drive is full
    _append(journal, 50)  # the journal goes on
    status = journal.mirror_status()
    assert status is not None and status.state is MirrorState.LOST
    assert status.problem and "full" in status.problem
    filler.free()
    _append(journal, 1)  # within the retry pause: still lost, not retried on every record
    assert journal.mirror_status().state is MirrorState.LOST
    clock[0] += 31
    _append(journal, 1)
    assert journal.mirror_status().state is MirrorState.OK
    _same(journal, path)
    _verify_alone(path, keys)


def test_a_drive_pulled_out_is_lost_and_never_recreated_on_the_main_disk(
    tmp_path, keys, journal, second_disk
):
    clock = [0.0]
    folder = second_disk / "citycard"
    folder.mkdir()
    path = mirror_path(folder, DEVICE)
    journal.attach_mirror(JournalMirror(path, retry_after_s=1, monotonic=lambda: clock[0]))
    _append(journal, 2)
    aside = tmp_path / "elsewhere"
    shutil.move(folder, aside)  # the folder is gone (a drive unplugged)
    clock[0] += 2
    _append(journal, 4)
    status = journal.mirror_status()
    assert status is not None and status.state is MirrorState.LOST
    assert not folder.exists()  # nothing was created where the drive was
    shutil.move(aside, folder)  # plugged back in
    clock[0] += 2
    _append(journal, 1)
    assert journal.mirror_status().ok
    _same(journal, path)


def test_a_mirror_on_the_same_disk_as_the_journal_is_refused(tmp_path, journal):
    status = journal.attach_mirror(JournalMirror(mirror_path(tmp_path / "m", DEVICE)))
    assert status.state is MirrorState.LOST  # folder missing
    (tmp_path / "m").mkdir()
    mirror = JournalMirror(mirror_path(tmp_path / "m", DEVICE), retry_after_s=0)
    status = journal.attach_mirror(mirror)
    assert status.state is MirrorState.LOST and "same disk" in (status.problem or "")
    _append(journal, 1)  # and the counter goes on


def test_a_mirror_ahead_of_the_journal_is_kept_untouched(tmp_path, keys, second_disk):
    """The journal lost its tail (an old copy put back): the mirror is evidence, not a target."""
    path = mirror_path(second_disk, DEVICE)
    clock = StepClock()
    with Journal.create(tmp_path / "j.sqlite3", keys, DEVICE, TERMINAL, clock) as journal:
        _append(journal, 3)
    shutil.copy(tmp_path / "j.sqlite3", tmp_path / "old.sqlite3")
    with Journal.open(tmp_path / "j.sqlite3", keys, clock) as journal:
        journal.attach_mirror(JournalMirror(path))
        _append(journal, 5)
    before = path.read_bytes()
    with Journal.open(tmp_path / "old.sqlite3", keys, clock) as old:
        status = old.attach_mirror(JournalMirror(path))
        assert status.state is MirrorState.REFUSED
        assert "lost records" in (status.problem or "")
        _append(old, 2)
    assert path.read_bytes() == before


def test_another_devices_mirror_is_refused(tmp_path, keys, second_disk, journal):
    path = mirror_path(second_disk, DEVICE)
    other = JournalKeys.generate()
    with Journal.create(tmp_path / "other.sqlite3", other, DEVICE, TERMINAL, StepClock()) as j:
        j.attach_mirror(JournalMirror(path))
    before = path.read_bytes()
    status = journal.attach_mirror(JournalMirror(path))
    assert status.state is MirrorState.REFUSED and "another journal" in (status.problem or "")
    _append(journal, 1)
    assert path.read_bytes() == before


def test_a_lost_mirror_tightens_the_offline_brakes(tmp_path, rig, second_disk):
    counter = build_counter(tmp_path / "data", rig.sam)
    brakes = counter.topups.parameters().brakes
    amount = brakes.per_load_cap_fen * brakes.without_mirror_percent // 100 + 1_000
    amount -= amount % 1_000
    assert amount > brakes.per_load_cap_fen * brakes.without_mirror_percent // 100
    counter.journal.attach_mirror(JournalMirror(tmp_path / "no-such-drive" / "m.sqlite3"))
    with pytest.raises(RefusedError, match="limited to"):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), amount, PaymentMethod.CASH)
    counter.close()
    # the same top-up with the mirror in place goes through
    counter = build_counter(tmp_path / "data2", rig.sam)
    assert counter.journal.attach_mirror(JournalMirror(mirror_path(second_disk, "DEV-T"))).ok
    counter.topups.top_up(CLERK, SHIFT, rig.open(), amount, PaymentMethod.CASH)
    counter.close()


def test_journal_verify_command_checks_a_mirror_alone(tmp_path, keys, second_disk):
    keystore = Keystore.create(tmp_path / "keystore.json", PASSPHRASE, {}, _cheap_kdf())
    keys.store_into(keystore)
    keystore.save(PASSPHRASE)
    path = mirror_path(second_disk, DEVICE)
    with Journal.create(tmp_path / "j.sqlite3", keys, DEVICE, TERMINAL, StepClock()) as journal:
        journal.attach_mirror(JournalMirror(path))
        _append(journal, 10)
    (tmp_path / "j.sqlite3").unlink()  # the main disk is gone
    env = dict(
        os.environ,
        CITYCARD_DATA_DIR=str(tmp_path),
        CITYCARD_KEYSTORE_PASSPHRASE=PASSPHRASE,
    )
    ok = subprocess.run(
        [sys.executable, "-m", "app.main", "journal", "verify", "--db", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Chain head seq 11" in ok.stdout
    with sqlite3.connect(path) as conn:  # a changed amount on the mirror is caught
        conn.execute("UPDATE journal_record SET amount_fen = 99 WHERE seq = 5")
    bad = subprocess.run(
        [sys.executable, "-m", "app.main", "journal", "verify", "--db", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1 and "seq 5" in bad.stdout


def _cheap_kdf():
    from tests.services.soak_support import CHEAP_KDF  # noqa: PLC0415

    return CHEAP_KDF


def test_wal_on_a_local_medium_a_rollback_journal_on_a_network_share(second_disk):
    assert journal_mode_for(second_disk / "m.sqlite3") == "WAL"
    assert journal_mode_for(Path("//server/share/m.sqlite3")) == "PERSIST"
    assert journal_mode_for(Path("\\\\server\\share\\m.sqlite3")) == "PERSIST"


def test_a_mirror_of_an_older_schema_is_kept_aside_and_made_afresh(tmp_path, keys, second_disk):
    path = mirror_path(second_disk, DEVICE)
    clock = StepClock()
    with Journal.create(tmp_path / "j.sqlite3", keys, DEVICE, TERMINAL, clock) as journal:
        journal.attach_mirror(JournalMirror(path))
        _append(journal, 2)
    with sqlite3.connect(path) as conn:  # as if written before the journal's last upgrade
        conn.execute("UPDATE alembic_version SET version_num = 'j0001'")
    with Journal.open(tmp_path / "j.sqlite3", keys, clock) as journal:
        assert journal.attach_mirror(JournalMirror(path)).ok
        _append(journal, 1)
        _same(journal, path)
    assert (second_disk / f"{path.name}.schema-j0001").exists()
