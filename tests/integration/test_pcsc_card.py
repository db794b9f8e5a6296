"""The counter's card layer through the real PC/SC stack: pyscard → pcscd → vpcd → virtual card."""

import time
from datetime import datetime

import pytest

from app.card.apdu import Ins
from app.card.errors import CardCommunicationError
from app.card.operations import RecoveryOutcome, load, recover_load
from app.card.pcsc import CardWatcher, PcscTransport, card_present, list_readers
from app.card.session import CityCard, Sfi
from cardsim.vpcd import VpcdBridge
from tests.support.cards import TERMINAL

pytestmark = pytest.mark.pcsc

WHEN = datetime(2026, 11, 21, 15, 0, 0)
SLOT = 0
READER = "Virtual PCD 00 00"


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _connect(timeout=10.0) -> PcscTransport:
    """Connect once pcscd reports the card present (as a clerk's tap would be noticed)."""
    assert _wait(lambda: card_present(READER), timeout), "the card never appeared in the reader"
    return PcscTransport(READER)


def _gone(timeout=10.0) -> None:
    assert _wait(lambda: not card_present(READER), timeout), "the card never left the reader"


def test_readers_are_listed(pcscd):
    assert READER in list_readers()


def test_top_up_through_pcscd_verifies_mac1_mac2_tac(pcscd, rig):
    with VpcdBridge(rig.faulty, slot=SLOT):
        transport = _connect()
        try:
            card = CityCard.open(transport)
            snap = card.read_snapshot()
            assert snap.serial == rig.card.profile.serial
            before = card.channel.exchanges
            result = load(card, rig.sam, 1_234, TERMINAL, WHEN)
            assert card.channel.exchanges - before == 2
            assert result.tac == rig.sam.load_tac(result.authorization)
            assert card.get_balance() == 5_000 + 1_234
            assert card.read_records(Sfi.LOADS)[0].amount_fen == 1_234
        finally:
            transport.close()
    _gone()
    assert rig.reload().profile.balance_fen == 6_234


def test_card_pulled_during_credit_then_recovered_through_pcscd(pcscd, rig):
    bridge = VpcdBridge(rig.faulty, slot=SLOT)
    bridge.insert()
    saved = []
    transport = _connect()
    try:
        card = CityCard.open(transport)
        rig.faulty.tear_after(ins=Ins.CREDIT_FOR_LOAD)
        with pytest.raises(CardCommunicationError):
            load(card, rig.sam, 700, TERMINAL, WHEN, before_credit=lambda a, m: saved.append(a))
    finally:
        transport.close()
        bridge.remove()
    _gone()
    assert saved and rig.reload().profile.balance_fen == 5_700

    rig.faulty.reinsert()
    with VpcdBridge(rig.faulty, slot=SLOT):
        transport = _connect()
        try:
            rec = recover_load(CityCard.open(transport), rig.sam, saved[0])
        finally:
            transport.close()
    _gone()
    assert rec.outcome is RecoveryOutcome.DONE
    assert rec.tac == rig.sam.load_tac(saved[0])


def test_watcher_reports_only_its_readers_card(pcscd, rig, make_rig):
    events: list[str] = []
    watcher = CardWatcher.for_reader(
        READER, lambda: events.append("present"), lambda: events.append("absent")
    )
    watcher.start()
    try:
        other = make_rig(serial=bytes.fromhex("3104000000007777"))
        with VpcdBridge(other.faulty, slot=1):
            assert _wait(lambda: card_present("Virtual PCD 00 01"))
            time.sleep(1.0)  # the watcher polls; give it time to (wrongly) report slot 1
        assert events == []
        with VpcdBridge(rig.faulty, slot=SLOT):
            assert _wait(lambda: "present" in events)
        assert _wait(lambda: events[-1:] == ["absent"])
    finally:
        watcher.stop()


def test_no_smart_card_service_is_a_reader_error_not_a_crash(tmp_path):
    """pcsc-lite's client finds pcscd through its socket; point it at nothing."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "from app.card.errors import ReaderUnavailableError\n"
        "from app.card.pcsc import list_readers\n"
        "try:\n    list_readers()\nexcept ReaderUnavailableError as exc:\n"
        "    print('unavailable:', exc.advice)\n"
    )
    env = {"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("unavailable: Check that the reader is plugged in")
