"""``citycard-counter cli`` tops up a card through pcscd + vpcd in a process that cannot load Qt."""

import os
import subprocess
import sys
import time

import pytest

from app.card.apdu import Ins
from app.card.pcsc import card_present
from cardsim.vpcd import VpcdBridge
from tests.sync.support import (
    ISSUER_PASSPHRASE,
    CenterProcess,
    enrolment_code,
    free_port,
    issuer_keystore,
)

pytestmark = pytest.mark.pcsc

READER = "Virtual PCD 00 00"
SAM_READER = "Virtual PCD 00 01"  # the reader's SAM slot: the rig's virtual PSAM/ISAM
PASSPHRASE = "counter keystore passphrase"
PASSWORD = "Str0ng-counter-pass"
# Qt is made unimportable in the child: the services must not need it
NO_QT = "import sys; sys.modules['PySide6'] = None; from app.main import main; sys.exit(main())"


def _cli(data_dir, *args, timeout=120):
    env = dict(
        os.environ,
        CITYCARD_KEYSTORE_PASSPHRASE=PASSPHRASE,
        CITYCARD_SAM_READER=SAM_READER,
        CITYCARD_OPERATOR_PASSWORD=PASSWORD,
    )
    return subprocess.run(
        [sys.executable, "-c", NO_QT, "cli", "--data-dir", str(data_dir), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _wait_present(reader=READER, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not card_present(reader):
        assert time.monotonic() < deadline, f"no card appeared in {reader}"
        time.sleep(0.05)


@pytest.fixture
def sam_slot(pcscd, rig):
    """The rig's PSAM in the reader's SAM slot for the whole test (the CLI reaches it by PC/SC)."""
    with VpcdBridge(rig.sam_rig.faulty, slot=1):
        _wait_present(SAM_READER)
        yield rig.sam_rig


@pytest.fixture
def counter_dir(tmp_path, sam_slot):
    data = tmp_path / "counter"
    result = _cli(
        data, "init", "--device-id", "DEV-CLI", "--admin", "admin",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    opened = _cli(data, "shift-open", "--user", "admin", "--float", "500")
    assert opened.returncode == 0, opened.stderr
    return data


def test_cli_init_refuses_a_weak_admin_password_before_writing_anything(tmp_path):
    env = dict(
        os.environ, CITYCARD_KEYSTORE_PASSPHRASE=PASSPHRASE, CITYCARD_OPERATOR_PASSWORD="admin123"
    )
    result = subprocess.run(
        [sys.executable, "-c", NO_QT, "cli", "--data-dir", str(tmp_path / "c"), "init",
         "--device-id", "D", "--terminal-id", "0102030405AB", "--admin", "admin"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Nothing was set up" in result.stderr
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").iterdir())


def test_cli_top_up_through_pcscd_without_qt(pcscd, rig, counter_dir):
    with VpcdBridge(rig.faulty, slot=0):
        _wait_present()
        result = _cli(counter_dir, "topup", "--user", "admin", "--reader", READER, "--amount", "50")
    assert result.returncode == 0, result.stderr
    assert "¥50.00 → ¥100.00" in result.stdout
    assert rig.reload().profile.balance_fen == 10_000
    verified = subprocess.run(
        [sys.executable, "-m", "app.main", "journal", "verify", "--db",
         str(counter_dir / "journal.sqlite3"), "--keystore", str(counter_dir / "keystore.json")],
        env=dict(os.environ, CITYCARD_KEYSTORE_PASSPHRASE=PASSPHRASE),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_cli_refuses_a_bad_amount_and_writes_nothing(pcscd, rig, counter_dir):
    with VpcdBridge(rig.faulty, slot=0):
        _wait_present()
        result = _cli(counter_dir, "topup", "--user", "admin", "--reader", READER, "--amount", "7")
    assert result.returncode == 1
    assert "below the" in result.stderr  # ¥7: under the card type's minimum, said as such
    assert rig.reload().profile.balance_fen == 5_000


def test_cli_settles_a_torn_top_up_on_the_next_tap(pcscd, rig, counter_dir):
    rig.faulty.tear_after(ins=Ins.CREDIT_FOR_LOAD)
    with VpcdBridge(rig.faulty, slot=0):
        _wait_present()
        torn = _cli(counter_dir, "topup", "--user", "admin", "--reader", READER, "--amount", "20")
    assert torn.returncode == 1, torn.stderr
    assert "Put the same card back" in torn.stderr
    rig.faulty.reinsert()
    with VpcdBridge(rig.faulty, slot=0):
        _wait_present()
        settled = _cli(counter_dir, "recover", "--user", "admin", "--reader", READER)
    assert settled.returncode == 0, settled.stderr
    assert "was completed: give the customer the receipt" in settled.stdout
    assert rig.reload().profile.balance_fen == 7_000


def test_cli_online_top_up_with_the_centers_mac2_then_sync(
    pcscd, rig, sam_slot, tmp_path, des_issuer
):
    """Enrolled at first run, the counter tops up with MAC2 from the center; the sync uploads it
    and the center, which checked the TAC with the issuer keys, has it in the card's ledger."""
    keystore = issuer_keystore(tmp_path / "center-issuer.json", des_issuer)
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    log = tmp_path / "center.log"
    with CenterProcess(db_url, free_port(), log, keystore, ISSUER_PASSPHRASE) as center:
        data = tmp_path / "counter"
        code = enrolment_code(db_url, "DEV-ON")
        result = _cli(
            data, "init", "--device-id", "DEV-ON", "--terminal-id", "001122334455",
            "--admin", "admin", "--center-url", center.base, "--enrolment-code", code,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert _cli(data, "shift-open", "--user", "admin", "--float", "500").returncode == 0
        with VpcdBridge(rig.faulty, slot=0):
            _wait_present()
            topped = _cli(data, "topup", "--user", "admin", "--reader", READER, "--amount", "30")
        assert topped.returncode == 0, topped.stderr
        assert "online (MAC2 from the clearing center)" in topped.stdout
        assert rig.reload().profile.balance_fen == 8_000
        synced = _cli(data, "sync")
        assert synced.returncode == 0, synced.stderr + log.read_text()
    from clearing.center import open_center  # noqa: PLC0415
    from clearing.ledger import card_ledger  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415

    opened = open_center(Settings(db_url=db_url))
    try:
        with opened.sessions.begin() as session:
            ledger = card_ledger(session, "3104000000001234")  # the rig card
    finally:
        opened.close()
    assert [e.amount_fen for e in ledger.entries] == [3_000]
    assert ledger.last_known_balance_fen == 8_000


def test_cli_card_shows_what_the_window_shows(pcscd, make_rig, counter_dir):
    """The same TapService report as the window: the balance, or "unreadable" for a blocked card
    (never ¥0.00), and whether a top-up is allowed and why not."""
    good = make_rig()
    with VpcdBridge(good.faulty, slot=0):
        _wait_present()
        shown = _cli(counter_dir, "card", "--reader", READER)
    assert shown.returncode == 0, shown.stderr
    assert "balance ¥50.00; status ok." in shown.stdout and "Top-up: allowed." in shown.stdout
    blocked = make_rig(serial=bytes.fromhex("3104000000007777"), blocked=True)
    with VpcdBridge(blocked.faulty, slot=0):
        _wait_present()
        shown = _cli(counter_dir, "card", "--reader", READER)
    assert shown.returncode == 0, shown.stderr
    assert "balance unreadable" in shown.stdout and "¥0.00" not in shown.stdout
    assert "status blocked" in shown.stdout and "Top-up: refused." in shown.stdout
