"""Card benchmarks: software overhead of a top-up, and the PC/SC round trip.

1. In-process: a top-up (INIT + SAM + CREDIT + TAC check) against the virtual card with no
   reader in between; the card's own time is measured apart, so the host's share is shown.
2. Through pcscd + vpcd (when installed): GET BALANCE round trip, then a top-up's wall time as a
   ratio to (APDU count × measured round trip) — how close the top-up is to pure transport cost.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.operations import load
from app.card.sam import SoftwareSam
from app.card.session import CityCard
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardFamily
from cardsim.card import VirtualCityCard
from cardsim.profile import CU_AID, CardProfile, PublicFields

TERMINAL = bytes.fromhex("001122334455")
SERIAL = bytes.fromhex("3104000000000001")


class _TimedCard:
    def __init__(self, card: VirtualCityCard) -> None:
        self.card = card
        self.seconds = 0.0
        self.apdus = 0

    @property
    def atr(self) -> bytes:
        return self.card.atr

    def power_on(self) -> None:
        self.card.power_on()

    def power_off(self) -> None:
        self.card.power_off()

    def reset(self) -> None:
        self.card.reset()

    def process(self, apdu: bytes) -> bytes:
        t = time.perf_counter()
        try:
            return self.card.process(apdu)
        finally:
            self.seconds += time.perf_counter() - t
            self.apdus += 1


def _card(issuer: IssuerKeySet, path: Path | None) -> VirtualCityCard:
    public = PublicFields(
        CardFamily.CITY_UNION,
        SERIAL,
        b"\x31\x00",
        "3100",
        app_version=issuer.key_version,
        start_date="20240101",
        expiry_date="20341231",
        card_type=0x01,
    )
    profile = CardProfile(
        family=CardFamily.CITY_UNION,
        aid=CU_AID,
        public_file=public.to_bytes(),
        holder_file=None,
        card_keys=issuer.card_keys(SERIAL),
        max_balance_fen=0xFFFFFFFF,
        algorithm=issuer.algorithm,
        key_version=issuer.key_version,
    )
    if path is not None:
        profile.save(path)
    return VirtualCityCard(profile, path)


def _in_process(issuer: IssuerKeySet, sam: SoftwareSam, persist: Path | None, n: int) -> None:
    timed = _TimedCard(_card(issuer, persist))
    card = CityCard.open(InProcessTransport(timed))
    card.read_snapshot()
    timed.seconds, timed.apdus = 0.0, 0
    start = time.perf_counter()
    for _ in range(n):
        load(card, sam, 1, TERMINAL, datetime(2026, 11, 21, 12, 0, 0))
    total = time.perf_counter() - start
    host = total - timed.seconds
    label = "persisted card" if persist else "in-memory card"
    print(
        f"top-up in-process ({label}, {n}×): {total / n * 1e6:8.1f} µs each; "
        f"host {host / n * 1e6:7.1f} µs ({host / total:.0%}), "
        f"card {timed.seconds / n * 1e6:7.1f} µs; "
        f"{timed.apdus / n:.0f} APDUs"
    )


def _connect(transport_cls: Any, reader: str) -> Any:
    deadline = time.monotonic() + 10
    while True:
        try:
            return transport_cls(reader)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _pcsc_rounds(timed: _TimedCard, sam: SoftwareSam, transport: Any) -> None:
    card = CityCard.open(transport)
    card.read_snapshot()
    rtts = []
    for _ in range(300):
        t = time.perf_counter()
        card.get_balance()
        rtts.append(time.perf_counter() - t)
    rtt = statistics.median(rtts)
    loads, card_times, apdus = [], [], 0
    for _ in range(50):
        before, card_before = card.channel.exchanges, timed.seconds
        t = time.perf_counter()
        load(card, sam, 1, TERMINAL, datetime(2026, 11, 21, 12, 0, 0))
        loads.append(time.perf_counter() - t)
        card_times.append(timed.seconds - card_before)
        apdus = card.channel.exchanges - before
    wall = statistics.median(loads)
    inside = statistics.median(card_times)
    p90 = sorted(rtts)[int(len(rtts) * 0.9)]
    print(f"PC/SC GET BALANCE round trip: median {rtt * 1e6:.0f} µs (p90 {p90 * 1e6:.0f} µs)")
    print(
        f"top-up through pcscd: median {wall * 1e3:.2f} ms for {apdus} APDUs, of which "
        f"{inside * 1e3:.2f} ms inside the card (its fsync'd state file)"
    )
    print(f"  ratio wall / (APDUs × round trip + card time) = {wall / (apdus * rtt + inside):.2f}")


def _through_pcscd(issuer: IssuerKeySet, sam: SoftwareSam) -> None:
    from app.card.pcsc import PcscTransport  # noqa: PLC0415
    from cardsim.pcscd import PcscdError, ensure_pcscd  # noqa: PLC0415
    from cardsim.vpcd import VpcdBridge  # noqa: PLC0415

    try:
        daemon = ensure_pcscd()
    except PcscdError as exc:
        print(f"PC/SC round trip: skipped ({exc})")
        return
    try:
        with tempfile.TemporaryDirectory() as tmp:
            timed = _TimedCard(_card(issuer, Path(tmp) / "c.json"))
            with VpcdBridge(timed):
                transport = _connect(PcscTransport, "Virtual PCD 00 00")
                try:
                    _pcsc_rounds(timed, sam, transport)
                finally:
                    transport.close()
    finally:
        daemon.stop()


def run() -> None:
    """Print the card figures."""
    issuer = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
    sam = SoftwareSam({1: issuer})
    _in_process(issuer, sam, None, 2000)
    with tempfile.TemporaryDirectory() as tmp:
        _in_process(issuer, sam, Path(tmp) / "card.json", 300)
    _through_pcscd(issuer, sam)
