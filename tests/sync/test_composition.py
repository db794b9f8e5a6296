"""The composition root with a clearing center: enrolment at first run, the sync loop, online MAC2
and settled balances through the one client, and an offline counter that needs none of it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from app import composition
from app.card.psam import ApduSam
from app.crypto.keystore import KdfParams, Keystore
from app.domain.payment import PaymentMethod
from app.journal import JournalKeys
from app.services.errors import RefusedError
from app.services.topup import MAC_PATH_CENTER
from app.store import holders
from app.store import parameters as stored_parameters
from app.sync import AuthError, LoopSettings, SyncStatus
from app.sync.config import CENTER_CONFIG_NAME, CenterConfig
from tests.support.cards import make_sam_rig, rig_sam_profile
from tests.sync.support import (
    ISSUER_PASSPHRASE,
    center_thread,
    enrolment_code,
    issuer_keystore,
)
from tests.sync.tlscerts import make_ca, make_server_cert

PASSPHRASE = "counter keystore passphrase"
CHEAP = KdfParams(1024, 1, 1)
TERMINAL = "001122334455"  # the test SAM's file 0x16
ADMIN_PASSWORD = "Adm1n-pass-word"
QUICK_LOOP = LoopSettings(interval=3600, min_backoff=0.05, max_backoff=0.2, checkpoint_every=None)


@pytest.fixture
def sam(tmp_path, des_issuer, sm4_issuer) -> ApduSam:
    """The counter's SAM (a virtual PSAM/ISAM in process): the only holder of issuer keys."""
    return make_sam_rig(
        tmp_path / "counter-sam.json", rig_sam_profile([des_issuer, sm4_issuer])
    ).open()


@pytest.fixture
def center(tmp_path, des_issuer, sm4_issuer) -> Iterator[tuple[str, str]]:
    keystore = issuer_keystore(tmp_path / "issuer.keystore", des_issuer, sm4_issuer)
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(
        db_url, issuer_keystore=keystore, issuer_passphrase=ISSUER_PASSPHRASE
    ) as base:
        yield base, db_url


def _enrolled(tmp_path, center, _sam, device_id="DEV-9", **options):
    base, db_url = center
    data = tmp_path / device_id
    enrolment = composition.init_counter(
        data,
        PASSPHRASE,
        device_id,
        TERMINAL,
        CHEAP,
        center_url=base,
        enrolment_code=enrolment_code(db_url, device_id),
        **options,
    )
    return data, enrolment


def _wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_first_run_enrols_and_keeps_the_journal_key_the_center_issued(center, tmp_path, sam):
    data, enrolment = _enrolled(tmp_path, center, sam)
    assert enrolment is not None
    assert CenterConfig.load(data / CENTER_CONFIG_NAME) == CenterConfig(center[0])
    keys = JournalKeys.from_keystore(Keystore.open(data / "keystore.json", PASSPHRASE))
    issued = enrolment.journal_key
    assert keys.current_key_id == issued.key_id and keys.mac_keys == {issued.key_id: issued.key}
    pinned = Keystore.open(data / "keystore.json", PASSPHRASE).get(composition.CENTER_KEY)
    assert pinned == enrolment.center_public_key  # the lists must come signed by this key
    counter = composition.open_counter(data, PASSPHRASE, sam=sam)
    try:
        assert counter.journal.device_id == "DEV-9" and counter.journal.terminal_id == TERMINAL
        assert counter.topups.center_configured
        status = counter.sync.run_once()  # the genesis names the enrolled device, key, terminal
        assert status.online and status.last_error is None and status.alarm is None
        assert status.acknowledged_seq == status.head_seq >= 1
        assert status.blacklist_version is not None and status.parameters_version == 1
    finally:
        counter.close()


def test_a_bad_enrolment_code_sets_nothing_up(center, tmp_path, sam):
    data = tmp_path / "counter"
    with pytest.raises(AuthError):
        composition.init_counter(
            data, PASSPHRASE, "DEV-9", TERMINAL, CHEAP,
            center_url=center[0], enrolment_code="not-a-code",
        )  # fmt: skip
    assert not data.exists() or not any(data.iterdir())
    with pytest.raises(ValueError, match="both"):
        composition.init_counter(data, PASSPHRASE, "DEV-9", TERMINAL, CHEAP, center_url=center[0])


def test_an_offline_counter_works_without_a_center(tmp_path, sam, rig):
    data = tmp_path / "counter"
    assert composition.init_counter(data, PASSPHRASE, "DEV-O", TERMINAL, CHEAP) is None
    counter = composition.open_counter(data, PASSPHRASE, sam=sam)
    try:
        assert counter.center is None and counter.sync is None
        assert counter.start_sync() is False and counter.sync_status() is None
        counter.sync_now()  # nothing to wake: no error
        assert not counter.topups.center_configured
        receipt = counter.topups.top_up(counter_admin(counter), 1, rig.open(), 5_000, "cash")
        assert not receipt.online
    finally:
        counter.close()


def counter_admin(counter):
    counter.operators.create_first_admin("admin", "管理员", ADMIN_PASSWORD)
    return counter.operators.sign_in("admin", ADMIN_PASSWORD)


def test_the_sync_loop_is_built_not_started_and_stops_with_the_counter(center, tmp_path, sam):
    data, _ = _enrolled(tmp_path, center, sam)
    seen: list[SyncStatus] = []
    counter = composition.open_counter(
        data, PASSPHRASE, sam=sam, loop_settings=QUICK_LOOP, on_sync_status=seen.append
    )
    try:
        assert counter.sync is not None and not counter.sync.running
        assert counter.sync_status() is not None and not counter.sync_status().online
        assert counter.start_sync() is True
        _wait_for(lambda: counter.sync_status().online)
        assert seen and seen[-1].online
        assert counter.sync_status().acknowledged_seq == counter.journal.head()[0]
    finally:
        counter.close()
    assert not counter.sync.running


def test_online_top_up_sync_and_settled_balances_share_the_client(center, tmp_path, sam, make_rig):
    data, _ = _enrolled(tmp_path, center, sam)
    counter = composition.open_counter(data, PASSPHRASE, sam=sam)
    try:
        admin = counter_admin(counter)
        card = make_rig()
        receipt = counter.topups.top_up(admin, 1, card.open(), 5_000, PaymentMethod.CASH)
        assert receipt.mac_path == MAC_PATH_CENTER
        status = counter.sync.run_once()
        assert status.last_error is None and status.acknowledged_seq == status.head_seq
        ledger = counter.center.ledger(receipt.card_serial)  # the center checked the TAC
        assert [e.amount_fen for e in ledger.entries] == [5_000]
        # replacement asks the same center: reported lost here and there, its wait still runs
        lost = receipt.card_serial
        key = Keystore.open(data / "keystore.json", PASSPHRASE).get(composition.HOLDER_INDEX_KEY)
        holders.register(counter.store, key, lost, "张三", "330102199001011234")
        counter.loss.report_loss(admin, 1, lost, "330102199001011234")
        counter.center.report_loss(lost)
        params = stored_parameters.current(counter.store)
        stored_parameters.save(
            counter.store,
            dataclasses.replace(params, version=params.version + 1, replacement_waiting_days=0),
            0,
        )
        stock = make_rig(serial=bytes.fromhex("3104000000005678"), balance_fen=0)
        with pytest.raises(RefusedError, match="clearing center cannot settle card"):
            counter.replacements.replace(admin, 1, lost, stock.open())
    finally:
        counter.close()


def test_enrolment_over_tls_with_the_ca_file(tmp_path, sam):
    ca = make_ca(tmp_path)
    certfile, keyfile = make_server_cert(tmp_path, ca)
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(db_url, certfile, keyfile) as base:
        data, _ = _enrolled(tmp_path, (base, db_url), sam, ca_file=ca.pem)
        assert CenterConfig.load(data / CENTER_CONFIG_NAME).ca_file == ca.pem.resolve()
        counter = composition.open_counter(data, PASSPHRASE, sam=sam)
        try:
            assert counter.sync.run_once().online
        finally:
            counter.close()


def test_an_old_counter_holding_issuer_keys_is_migrated(tmp_path, sam, des_issuer, capsys):
    """Keys named mk/* (the old software SAM's) are removed at open, and the removal journaled."""
    from app.main import main  # noqa: PLC0415

    data = tmp_path / "counter"
    composition.init_counter(data, PASSPHRASE, "DEV-O", TERMINAL, CHEAP)
    keystore = Keystore.open(data / "keystore.json", PASSPHRASE)
    for name, key in des_issuer.keystore_entries().items():
        keystore.put(name, key)  # what an older counter's first run wrote
    keystore.save(PASSPHRASE)
    counter = composition.open_counter(data, PASSPHRASE, sam=sam)
    try:
        notes = [r.payload_dict() for r in counter.journal.records() if r.kind == "note"]
        removed = [n for n in notes if n.get("event") == "issuer_keys_removed"]
        assert len(removed) == 1 and sorted(removed[0]["names"]) == sorted(
            des_issuer.keystore_entries()
        )
    finally:
        counter.close()
    names = Keystore.open(data / "keystore.json", PASSPHRASE).names()
    assert not [n for n in names if n.startswith("mk/")]
    raw = (data / "keystore.json").read_bytes()
    for key in des_issuer.master_keys.values():
        assert key not in raw and key.hex().encode() not in raw.lower()
    # `keystore list` prints the names that are left, never a value
    import os  # noqa: PLC0415

    os.environ["CITYCARD_KEYSTORE_PASSPHRASE"] = PASSPHRASE
    try:
        assert main(["keystore", "list", "--keystore", str(data / "keystore.json")]) == 0
    finally:
        del os.environ["CITYCARD_KEYSTORE_PASSPHRASE"]
    listed = capsys.readouterr().out.split()
    assert listed == names and composition.HOLDER_INDEX_KEY in listed
    held = Keystore.open(data / "keystore.json", PASSPHRASE)
    for name in names:
        assert held.get(name).hex() not in capsys.readouterr().out


def test_a_sam_of_another_terminal_is_refused(tmp_path, des_issuer):
    from tests.support.cards import make_sam_profile  # noqa: PLC0415

    data = tmp_path / "counter"
    composition.init_counter(data, PASSPHRASE, "DEV-O", TERMINAL, CHEAP)
    other = make_sam_rig(
        tmp_path / "other.json",
        make_sam_profile([des_issuer], terminal=bytes.fromhex("AABBCCDDEEFF")),
    ).open()
    with pytest.raises(composition.SamMismatchError, match="AABBCCDDEEFF"):
        composition.open_counter(data, PASSPHRASE, sam=other)


def test_no_center_and_no_isam_refuses_top_ups_saying_why(tmp_path, des_issuer, rig):
    from tests.support.cards import make_sam_profile  # noqa: PLC0415

    data = tmp_path / "counter"
    composition.init_counter(data, PASSPHRASE, "DEV-O", TERMINAL, CHEAP)
    psam_only = make_sam_rig(tmp_path / "psam.json", make_sam_profile([des_issuer], isam=False))
    counter = composition.open_counter(data, PASSPHRASE, sam=psam_only.open())
    try:
        admin = counter_admin(counter)
        with pytest.raises(RefusedError, match=r"no clearing center, and .*no ISAM"):
            counter.topups.top_up(admin, 1, rig.open(), 1_000, "cash")
        assert not counter.journal.open_intents()  # refused before anything was written
        assert rig.reload().profile.balance_fen == 5_000
        # a purchase needs no center: the PSAM alone does it
        counter.purchases.purchase(admin, 1, rig.open(), 500)
        assert rig.reload().profile.balance_fen == 4_500
    finally:
        counter.close()


def test_a_journal_append_wakes_the_sync_loop_at_once(center, tmp_path, sam):
    """The loop's tick is an hour here: the record goes up only because the append woke it."""
    data, _ = _enrolled(tmp_path, center, sam)
    counter = composition.open_counter(data, PASSPHRASE, sam=sam, loop_settings=QUICK_LOOP)
    try:
        assert counter.start_sync() is True
        _wait_for(lambda: counter.sync_status().acknowledged_seq == counter.journal.head()[0])
        admin = ("admin", "管理员", "Adm1n-pass-word-long")
        counter.operators.create_first_admin(*admin)  # journaled, with nobody asking to sync
        head = counter.journal.head()[0]
        _wait_for(lambda: counter.sync_status().acknowledged_seq == head)
    finally:
        counter.close()
