"""The vpcd bridge: its wire protocol against a stand-in vpcd, then through the real pcscd."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cardsim_support import DATE, TERMINAL, TIME, make_profile
from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException, NoCardException
from smartcard.System import readers

from app.card.pcsc import card_present
from app.crypto import pboc
from app.domain.card import CardKeyKind
from cardsim.card import VirtualCityCard
from cardsim.faults import FaultyCard
from cardsim.profile import CardProfile
from cardsim.vpcd import VpcdBridge, VpcdError, vpcd_port

# --------------------------------------------------------------------------- a stand-in vpcd


class FakeVpcd:
    """A one-connection TCP server speaking vpcd's framing, to test the bridge's protocol."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self) -> socket.socket:
        self.server.settimeout(5)
        self.conn, _ = self.server.accept()
        self.conn.settimeout(5)
        return self.conn

    def send(self, payload: bytes) -> None:
        assert self.conn is not None
        self.conn.sendall(len(payload).to_bytes(2, "big") + payload)

    def receive(self) -> bytes:
        assert self.conn is not None
        header = self.conn.recv(2, socket.MSG_WAITALL)
        size = int.from_bytes(header, "big")
        return self.conn.recv(size, socket.MSG_WAITALL)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.server.close()


@pytest.fixture
def fake_vpcd() -> Iterator[FakeVpcd]:
    server = FakeVpcd()
    yield server
    server.close()


def test_bridge_speaks_the_vpcd_protocol(fake_vpcd: FakeVpcd) -> None:
    card = VirtualCityCard(make_profile(balance_fen=77))
    bridge = VpcdBridge(card, port=fake_vpcd.port)
    bridge.insert()
    fake_vpcd.accept()
    assert bridge.inserted
    fake_vpcd.send(b"\x01")  # power on: no answer
    fake_vpcd.send(b"\x04")
    assert fake_vpcd.receive() == card.atr
    fake_vpcd.send(bytes.fromhex("00A4040009A00000000386980701"))
    assert fake_vpcd.receive()[-2:] == b"\x90\x00"
    fake_vpcd.send(bytes.fromhex("805C000204"))
    assert fake_vpcd.receive() == bytes.fromhex("0000004D9000")
    fake_vpcd.send(b"\x02")  # reset: the purse is no longer selected
    fake_vpcd.send(bytes.fromhex("805C000204"))
    assert fake_vpcd.receive() == bytes.fromhex("6985")
    fake_vpcd.close()  # vpcd goes away: the bridge ends by itself
    assert bridge.wait_until_removed(5)
    assert not bridge.inserted
    bridge.remove()  # harmless afterwards


def test_a_tear_closes_the_connection(fake_vpcd: FakeVpcd) -> None:
    faulty = FaultyCard(VirtualCityCard(make_profile()))
    faulty.tear_after(ins=0x5C)
    with VpcdBridge(faulty, port=fake_vpcd.port) as bridge:
        conn = fake_vpcd.accept()
        fake_vpcd.send(bytes.fromhex("00A4040009A00000000386980701"))
        fake_vpcd.receive()
        fake_vpcd.send(bytes.fromhex("805C000204"))
        assert conn.recv(2) == b""  # closed without an answer
        assert bridge.wait_until_removed(5)
        assert bridge.removal_reason is not None and "card gone" in bridge.removal_reason


def test_remove_and_insert_again(fake_vpcd: FakeVpcd) -> None:
    bridge = VpcdBridge(VirtualCityCard(make_profile()), port=fake_vpcd.port)
    bridge.insert()
    conn = fake_vpcd.accept()
    bridge.remove()
    assert conn.recv(2) == b""
    assert not bridge.inserted
    bridge.insert()
    fake_vpcd.accept()
    fake_vpcd.send(b"\x04")
    assert fake_vpcd.receive()[:1] == b"\x3b"
    bridge.remove()


def test_no_vpcd_is_a_clear_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    bridge = VpcdBridge(VirtualCityCard(make_profile()), port=port, connect_timeout=0.3)
    with pytest.raises(VpcdError, match="is pcscd running"):
        bridge.insert()
    assert vpcd_port(1) == 35964


# --------------------------------------------------------------------------- real pcscd + vpcd


def reader_name(slot: int) -> str:
    return f"Virtual PCD 00 {slot:02d}"


def reader_present(slot: int) -> bool:
    """pcscd's own view of the slot (no connection, no command to the card)."""
    return card_present(reader_name(slot))


def connect_when_present(slot: int, timeout: float = 10.0) -> CardConnection:
    """Connect with pyscard once pcscd has powered the card in the vpcd slot.

    The probe (SELECT MF) catches the window where pcscd still resets a freshly inserted card.
    """
    deadline = time.monotonic() + timeout
    while True:
        reader = next((r for r in readers() if str(r) == reader_name(slot)), None)
        if reader is None:
            pytest.fail(f"pcscd does not list {reader_name(slot)}")
        connection = reader.createConnection()
        try:
            if reader_present(slot):
                connection.connect()
                transmit(connection, "00A40000023F00")
                return connection
        except (NoCardException, CardConnectionException):
            with contextlib.suppress(CardConnectionException):
                connection.disconnect()
        if time.monotonic() > deadline:
            pytest.fail(f"no card appeared in {reader_name(slot)} within {timeout} s")
        time.sleep(0.1)


def exchange(slot: int, apdus: list[str], timeout: float = 10.0) -> list[tuple[bytes, int]]:
    """Run side-effect-free APDUs on a fresh connection, starting over if pcscd resets the card.

    Right after an insertion pcscd may still reset the card under a new connection ("Card was
    reset"); a host reconnects then, and so does this helper.
    """
    deadline = time.monotonic() + timeout
    while True:
        connection = connect_when_present(slot, timeout)
        try:
            answers = [transmit(connection, apdu) for apdu in apdus]
            connection.disconnect()
            return answers
        except CardConnectionException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_until_absent(slot: int, timeout: float = 10.0) -> None:
    """Wait until pyscard reports no card in the slot (NoCardException)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reader = next(r for r in readers() if str(r) == reader_name(slot))
        connection = reader.createConnection()
        try:
            connection.connect()
            connection.disconnect()
        except NoCardException:
            return
        except CardConnectionException:
            pass  # e.g. "card is unpowered" while pcscd notices the removal
        time.sleep(0.1)
    pytest.fail(f"pcscd still sees a card in {reader_name(slot)}")


def transmit(connection: CardConnection, hex_apdu: str | bytes) -> tuple[bytes, int]:
    apdu = bytes.fromhex(hex_apdu) if isinstance(hex_apdu, str) else hex_apdu
    data, sw1, sw2 = connection.transmit(list(apdu))
    return bytes(data), (sw1 << 8) | sw2


@pytest.mark.pcsc
def test_pyscard_talks_to_the_inserted_card(
    pcscd: list[str], vpcd_slot: int, tmp_path: Path
) -> None:
    path = tmp_path / "card.json"
    make_profile(balance_fen=1000, fixed_random=None).save(path)
    card = VirtualCityCard.from_file(path)
    with VpcdBridge(card, slot=vpcd_slot):
        connection = connect_when_present(vpcd_slot)
        assert bytes(connection.getATR()) == card.atr
        fci, status = transmit(connection, "00A4040009A00000000386980701")
        assert status == 0x9000 and fci[0] == 0x6F
        assert transmit(connection, "805C000204") == ((1000).to_bytes(4, "big"), 0x9000)

        # A full load, the host side computed with app.crypto.
        amount = 2345
        init, status = transmit(
            connection, b"\x80\x50\x00\x02\x0b\x01" + amount.to_bytes(4, "big") + TERMINAL + b"\x10"
        )
        assert status == 0x9000
        dlk = card.profile.card_keys[CardKeyKind.DLK]
        seslk = pboc.load_session_key(dlk, init[8:12], int.from_bytes(init[4:6], "big"))
        fen = amount.to_bytes(4, "big")
        assert init[12:16] == pboc.pboc_mac(seslk, init[0:4] + fen + b"\x02" + TERMINAL)
        mac2 = pboc.pboc_mac(seslk, fen + b"\x02" + TERMINAL + DATE + TIME)
        tac, status = transmit(connection, b"\x80\x52\x00\x00\x0b" + DATE + TIME + mac2 + b"\x04")
        assert status == 0x9000
        dtk = card.profile.card_keys[CardKeyKind.DTK]
        assert tac == pboc.pboc_mac(
            pboc.tac_key(dtk),
            (3345).to_bytes(4, "big") + init[4:6] + fen + b"\x02" + TERMINAL + DATE + TIME,
        )
        assert transmit(connection, "805C000204") == ((3345).to_bytes(4, "big"), 0x9000)
        connection.disconnect()
    wait_until_absent(vpcd_slot)
    assert CardProfile.load(path).balance_fen == 3345


@pytest.mark.pcsc
def test_tear_during_credit_through_pcscd(pcscd: list[str], vpcd_slot: int, tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    make_profile(balance_fen=100).save(path)
    card = VirtualCityCard.from_file(path)
    faulty = FaultyCard(card)
    bridge = VpcdBridge(faulty, slot=vpcd_slot)
    bridge.insert()
    try:
        connection = connect_when_present(vpcd_slot)
        transmit(connection, "00A4040009A00000000386980701")
        init, _ = transmit(connection, "80500002 0B 01 00000200 001122334455 10")
        dlk = card.profile.card_keys[CardKeyKind.DLK]
        seslk = pboc.load_session_key(dlk, init[8:12], 0)
        mac2 = pboc.pboc_mac(seslk, bytes.fromhex("00000200 02") + TERMINAL + DATE + TIME)
        faulty.tear_after(ins=0x52)
        with pytest.raises(CardConnectionException):
            transmit(connection, b"\x80\x52\x00\x00\x0b" + DATE + TIME + mac2 + b"\x04")
        assert bridge.wait_until_removed(5)
        wait_until_absent(vpcd_slot)
        assert CardProfile.load(path).balance_fen == 100 + 0x200  # the credit ran before the tear

        # The card comes back: GET TRANSACTION PROVE gives the proof of the torn load.
        faulty.reinsert()
        bridge.insert()
        answers = exchange(vpcd_slot, ["00A4040009A00000000386980701", "805A000202000008"])
        proof, status = answers[1]
        assert status == 0x9000 and proof[:4] == mac2
    finally:
        bridge.remove()
    wait_until_absent(vpcd_slot)


@pytest.mark.pcsc
def test_cli_insert_and_remove(pcscd: list[str], vpcd_slot: int, tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    make_profile(balance_fen=4321).save(path)
    env = {**os.environ, "CITYCARD_SIM_RUNTIME_DIR": str(tmp_path / "run")}
    command = [sys.executable, "-m", "cardsim.cli"]
    server = subprocess.Popen(
        [*command, "insert", str(path), "--slot", str(vpcd_slot)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        connection = connect_when_present(vpcd_slot, timeout=20)
        transmit(connection, "00A4040009A00000000386980701")
        assert transmit(connection, "805C000204") == ((4321).to_bytes(4, "big"), 0x9000)
        connection.disconnect()
        assert (tmp_path / "run" / f"slot-{vpcd_slot}.pid").read_text().strip() == str(server.pid)
        removed = subprocess.run(
            [*command, "remove", "--slot", str(vpcd_slot)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert removed.returncode == 0, removed.stderr
        assert server.wait(timeout=10) == 0
        assert not (tmp_path / "run" / f"slot-{vpcd_slot}.pid").exists()
        wait_until_absent(vpcd_slot)
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


def test_bridge_thread_is_named_and_daemon(fake_vpcd: FakeVpcd) -> None:
    with VpcdBridge(VirtualCityCard(make_profile()), port=fake_vpcd.port):
        fake_vpcd.accept()
        names = [t.name for t in threading.enumerate() if t.daemon]
        assert f"vpcd-{fake_vpcd.port}" in names
