"""SIGKILL at a random moment never costs a record the journal reported as written.

A child process (forkserver, with ``app.journal`` preloaded) opens the journal and appends in an
endless loop, reporting every record ``append`` returned; the parent kills it with SIGKILL a
random 5-80 ms after it started, then checks: the journal opens healthy, a full verification is
ok, every reported record is there with the MAC reported, nothing but the one append in flight
is unreported, and every ``append_many`` batch is there entirely or not at all. Sixty times on
the same file, each child continuing the chain the killed one left.

The draws (modes, delays) come from a seeded ``random.Random``; the seed is printed and can be
fixed with ``JOURNAL_CRASH_SEED=<seed>``. The kill timing itself is up to the scheduler.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import secrets
import signal
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

import pytest

from app.journal import Journal, JournalKeys, JournalRecord
from app.journal.mirror import mirror_path
from tests.journal import crash_child
from tests.journal.support import DEVICE, TERMINAL, keys_to_plain
from tests.support.small_fs import mounted_tmpfs

KILLS = 60
KILLS_MIRRORED = 30
START_TIMEOUT_S = 30.0


def _read_report(path: Path) -> dict[int, bytes]:
    reported: dict[int, bytes] = {}
    if not path.exists():
        return reported
    text = path.read_text(encoding="ascii")
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):  # a line the kill cut short (one write(2) per flush)
            continue
        seq, mac = line.split()
        reported[int(seq)] = bytes.fromhex(mac)
    return reported


def _check_batches(records: list[JournalRecord], context: str) -> int:
    """Every batch is complete and contiguous; returns how many batches there are."""
    batches: dict[str, list[JournalRecord]] = defaultdict(list)
    for record in records:
        batch = record.payload_dict().get("batch")
        if batch is not None:
            batches[str(batch)].append(record)
    for batch, members in batches.items():
        size = members[0].payload_dict()["n"]
        assert [m.payload_dict()["k"] for m in members] == list(range(size)), (
            f"{context}: batch {batch} is partly written: {[m.seq for m in members]}"
        )
        first = members[0].seq
        assert [m.seq for m in members] == list(range(first, first + size)), context
    return len(batches)


@pytest.mark.parametrize("mirrored", [False, True], ids=["journal", "with-mirror"])
def test_sigkill_never_loses_a_reported_record(tmp_path: Path, mirrored: bool) -> None:
    """With a mirror on a second file system (a tmpfs), every reported record is on both."""
    if mirrored:
        with mounted_tmpfs(tmp_path / "second-fs", 16 * 1024) as second:
            _kill_matrix(tmp_path, KILLS_MIRRORED, mirror_path(second, DEVICE))
    else:
        _kill_matrix(tmp_path, KILLS, None)


def _mirror_records(mirror: Path) -> dict[int, bytes]:
    conn = sqlite3.connect(f"file:{mirror}?mode=ro", uri=True)
    try:
        return {int(s): bytes(m) for s, m in conn.execute("SELECT seq, mac FROM journal_record")}
    finally:
        conn.close()


def _kill_matrix(tmp_path: Path, kills: int, mirror: Path | None) -> None:
    seed = int(os.environ.get("JOURNAL_CRASH_SEED") or secrets.randbits(32))
    print(f"journal crash test seed {seed} (JOURNAL_CRASH_SEED={seed} repeats the draws)")
    rng = random.Random(seed)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["app.journal", "tests.journal.crash_child"])

    keys = JournalKeys.generate()
    path = tmp_path / "journal.db"
    Journal.create(path, keys, DEVICE, TERMINAL).close()
    reported: dict[int, bytes] = {}
    records: list[JournalRecord] = []
    head_before = 1  # the genesis record
    stats = {
        "records": 0,
        "batches": 0,
        "committed_unreported": 0,
        "empty_children": 0,
        "mirror_behind": 0,
    }
    started = time.monotonic()

    for child in range(kills):
        mode = rng.choice(crash_child.MODES)
        delay = rng.uniform(0.005, 0.080)
        context = f"seed {seed}, child {child} ({mode}, killed after {delay * 1000:.1f} ms)"
        report_path = tmp_path / f"report-{child}.txt"
        ready = ctx.Event()
        process = ctx.Process(
            target=crash_child.append_forever,
            args=(
                str(path),
                keys_to_plain(keys),
                str(report_path),
                child,
                mode,
                rng.randrange(2**32),
                ready,
                None if mirror is None else str(mirror),
            ),
            daemon=True,
        )
        process.start()
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not ready.wait(0.01):
                assert process.is_alive(), f"{context}: exited early ({process.exitcode})"
                assert time.monotonic() < deadline, f"{context}: never started appending"
            time.sleep(delay)
            os.kill(process.pid, signal.SIGKILL)
            process.join(START_TIMEOUT_S)
        finally:
            if process.is_alive():
                process.kill()
                process.join()
        assert process.exitcode == -signal.SIGKILL, f"{context}: exit code {process.exitcode}"

        mine_reported = _read_report(report_path)
        with Journal.open(path, keys) as journal:
            assert journal.problem is None, f"{context}: {journal.problem}"
            verification = journal.verify(full=True)
            assert verification.ok, f"{context}:\n{verification.summary()}"
            records = journal.records()
            if child % 3 == 2:  # now and then the parent signs the head, as a counter would
                journal.checkpoint("crash-test")
        by_seq = {r.seq: r for r in records}
        assert list(by_seq) == list(range(1, len(records) + 1)), f"{context}: gaps"

        # every record ever reported is there, unchanged (this child's and earlier ones')
        assert all(seq > head_before for seq in mine_reported), context
        reported.update(mine_reported)
        for seq, mac in reported.items():
            assert seq in by_seq, f"{context}: reported seq {seq} is gone"
            assert by_seq[seq].mac == mac, f"{context}: seq {seq} has another MAC"
        if mirror is not None:
            # append returned only once the mirror had the record: every reported one is there
            # too; the mirror lags the journal by at most the commit the kill interrupted
            copy = _mirror_records(mirror)
            for seq, mac in mine_reported.items():
                assert copy.get(seq) == mac, f"{context}: reported seq {seq} not on the mirror"
            behind = [r.seq for r in records if r.seq not in copy]
            in_flight_mirror = 1 if mode == "single" else crash_child.MAX_BATCH
            assert len(behind) <= in_flight_mirror, f"{context}: mirror lacks {behind}"
            assert all(copy[r.seq] == r.mac for r in records if r.seq in copy), context
            stats["mirror_behind"] += bool(behind)  # caught up by the next child's attach

        # the child continued the chain, and only its in-flight append went unreported
        new = records[head_before:]
        assert all(r.payload_dict().get("child") == child for r in new), context
        unreported = [r.seq for r in new if r.seq not in mine_reported]
        last_reported = max(mine_reported, default=head_before)
        assert all(seq > last_reported for seq in unreported), f"{context}: {unreported}"
        in_flight = 1 if mode == "single" else crash_child.MAX_BATCH
        assert len(unreported) <= in_flight, f"{context}: {unreported}"
        stats["batches"] += _check_batches(new, context)
        stats["committed_unreported"] += bool(unreported)
        stats["empty_children"] += not new
        head_before = len(records)

    assert _check_batches(records, f"seed {seed}, at the end") == stats["batches"]
    stats["records"] = len(records)
    elapsed = time.monotonic() - started
    print(f"{kills} kills in {elapsed:.1f} s: {stats}")
    # the test is only worth something if the children really were appending when killed
    assert stats["empty_children"] < kills // 4, stats
    assert stats["records"] > kills * 5, stats
    assert stats["batches"] > 0, stats


@pytest.mark.parametrize("lines", ["1 aa\n2 bb", "1 aa\n2 bb\n"])
def test_report_reader_ignores_only_a_cut_line(tmp_path: Path, lines: str) -> None:
    report = tmp_path / "report.txt"
    report.write_text(lines)
    expected = {1: b"\xaa", 2: b"\xbb"} if lines.endswith("\n") else {1: b"\xaa"}
    assert _read_report(report) == expected
