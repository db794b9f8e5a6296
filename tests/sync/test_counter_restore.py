"""A counter PC whose data disk dies mid-shift, replaced with ``citycard-counter restore``.

A real center on loopback; the old counter is the production composition with its journal
mirror on a second file system (a tmpfs); it does top-ups on virtual cards, syncs some of them,
and then its data directory is deleted. The new PC is set up by the real command line with a
code made to replace the old device and the old mirror: every top-up reaches the center once,
checked against the old device's chain and keys, and the old device is retired. Without the
mirror the command names the lost records and the center raises an alarm.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app import composition
from app.crypto.keystore import Keystore
from app.domain.payment import PaymentMethod
from app.domain.people import Role
from app.journal import JournalKeys
from app.journal.mirror import mirror_path
from app.settings import Settings, save_settings
from app.sync import ClientSettings
from app.sync.client import CenterClient
from app.sync.errors import AuthError
from tests.services.soak_support import CHEAP_KDF
from tests.support.cards import make_sam_profile, make_sam_rig
from tests.support.small_fs import mounted_tmpfs
from tests.sync.support import (
    ROOT,
    center_thread,
    enrolment_code,
)

PASSPHRASE = "restore-test-passphrase"
ADMIN_PASSWORD = "Harbour-lights-2026"
CLERK_PASSWORD = "Blue-tram-9876"
OLD, NEW = "DEV-OLD", "DEV-NEW"
NEW_TERMINAL = "0102030405B7"  # the replacement PC comes with its own SAM, its own terminal id
NO_SAM_READER = "no SAM reader here"  # restore runs before the new SAM is in its slot


@pytest.fixture
def center(tmp_path, des_issuer, sm4_issuer):
    db_path = tmp_path / "center.sqlite3"
    with center_thread(f"sqlite:///{db_path}") as base:
        yield base, db_path


def _old_counter_works(tmp_path, center, make_rig, usb, synced: int, unsynced: int):
    """The old counter: enrolled, mirrored, some top-ups synced, more not; then its disk dies."""
    base, db_path = center
    data = tmp_path / "old"
    rigs = [make_rig(serial=bytes.fromhex(_serial(i))) for i in range(synced + unsynced)]
    sam = rigs[0].sam  # the old PC's SAM (the rigs' SAMs all hold the same issuer keys)
    composition.init_counter(
        data,
        PASSPHRASE,
        OLD,
        sam.terminal_id.hex().upper(),
        CHEAP_KDF,
        center_url=base,
        enrolment_code=enrolment_code(f"sqlite:///{db_path}", OLD),
    )
    save_settings(Settings(journal_mirror=str(usb)), data / "settings.json")
    counter = composition.open_counter(data, PASSPHRASE, sam=sam)
    assert counter.journal.mirror_status().ok
    counter.operators.create_first_admin("admin", "管理员", ADMIN_PASSWORD)
    admin = counter.operators.sign_in("admin", ADMIN_PASSWORD)
    counter.operators.create_operator(admin, "clerk1", "王芳", Role.CLERK, CLERK_PASSWORD)
    clerk = counter.operators.sign_in("clerk1", CLERK_PASSWORD)
    shift = counter.shifts.open_shift(clerk, 50_000)
    for i, rig in enumerate(rigs):
        counter.topups.top_up(clerk, shift.id, rig.open(), 2_000, PaymentMethod.CASH)
        if i == synced - 1:
            assert counter.sync is not None
            counter.sync.run_once()
            assert counter.journal.acknowledged_seq() == counter.journal.head()[0]
    head = counter.journal.head()[0]
    acked = counter.journal.acknowledged_seq()
    device_key = JournalKeys.from_keystore(
        Keystore.open(data / "keystore.json", PASSPHRASE)
    ).device_key
    counter.close()
    shutil.rmtree(data)  # the disk died mid-shift
    return head, acked, device_key, rigs


def _serial(i: int) -> str:
    return f"31040000000{i:05d}"


def _restore(tmp_path, center, *extra: str) -> subprocess.CompletedProcess[str]:
    base, db_path = center
    code = enrolment_code(f"sqlite:///{db_path}", NEW, replaces=OLD)
    env = dict(
        os.environ,
        CITYCARD_KEYSTORE_PASSPHRASE=PASSPHRASE,
        CITYCARD_OPERATOR_PASSWORD=ADMIN_PASSWORD,
    )
    return subprocess.run(
        [
            sys.executable, "-m", "app.main", "restore",
            "--data-dir", str(tmp_path / "new"),
            "--device-id", NEW, "--sam-reader", NO_SAM_READER,
            "--terminal-id", NEW_TERMINAL, "--admin", "admin",
            "--center-url", base, "--enrolment-code", code, *extra,
        ],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def _center_rows(db_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_counter_whose_disk_died_is_restored_from_its_mirror(
    tmp_path, center, make_rig, des_issuer
):
    base, db_path = center
    with mounted_tmpfs(tmp_path / "usb", 4096) as usb:
        head, acked, old_key, rigs = _old_counter_works(
            tmp_path, center, make_rig, usb, synced=2, unsynced=3
        )
        assert acked < head  # the last top-ups never reached the center
        mirror = mirror_path(usb, OLD)
        done = _restore(tmp_path, center, "--mirror", str(mirror))
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"held its journal up to seq {acked}" in done.stdout
        with sqlite3.connect(f"file:{mirror}?mode=ro", uri=True) as conn:
            mirrored = conn.execute("SELECT seq, mac FROM journal_record ORDER BY seq").fetchall()
    held = _center_rows(
        db_path, "SELECT seq, mac FROM journal_record WHERE device_id = ? ORDER BY seq", OLD
    )
    assert held == mirrored and held[-1][0] == head  # every record, once, byte for byte
    loads = _center_rows(
        db_path, "SELECT card_serial, amount_fen FROM card_ledger WHERE device_id = ?", OLD
    )
    assert sorted(loads) == [(_serial(i), 2_000) for i in range(len(rigs))]
    for rig in rigs:  # every card holds what the center says was loaded onto it
        assert rig.reload().profile.balance_fen == 5_000 + 2_000
    (retired,) = _center_rows(db_path, "SELECT retired_at_us FROM device WHERE device_id = ?", OLD)
    assert retired[0] is not None
    old_client = CenterClient(ClientSettings(base), OLD, old_key)  # the old PC, if it turns up
    with old_client, pytest.raises(AuthError, match="retired"):
        old_client.cursor()
    new_sam = make_sam_rig(  # the new PC's own SAM, now in its slot
        tmp_path / "new-sam.json",
        make_sam_profile([des_issuer], terminal=bytes.fromhex(NEW_TERMINAL)),
    ).open()
    counter = composition.open_counter(tmp_path / "new", PASSPHRASE, sam=new_sam)  # it works
    try:
        assert counter.journal.device_id == NEW and counter.sync is not None
        status = counter.sync.run_once()
        assert status.online and status.last_error is None, status
    finally:
        counter.close()


def test_without_a_mirror_the_lost_records_are_named_and_alarmed(tmp_path, center, make_rig):
    _base, db_path = center
    with mounted_tmpfs(tmp_path / "usb", 4096) as usb:
        head, acked, _key, _rigs = _old_counter_works(
            tmp_path, center, make_rig, usb, synced=1, unsynced=2
        )
    done = _restore(tmp_path, center)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"every record of {OLD} after seq {acked} is lost" in done.stderr
    alarms = _center_rows(db_path, "SELECT seq, reason FROM tamper_alarm WHERE device_id = ?", OLD)
    assert [(s, r.split(":")[0]) for s, r in alarms] == [(acked + 1, "records_lost")]
    assert head > acked
