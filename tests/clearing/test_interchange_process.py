"""Clearing between cities with real processes on loopback, faults on both hops, kills.

Processes: the national platform, the Wuxi and Hangzhou centers (`citycard-center serve`), and
each round of each center's exchange with the platform (`citycard-center interchange sync`).
A fault-injecting proxy sits on each hop (Wuxi → platform, platform ← Hangzhou): it drops,
delays past the client's timeout, answers 5xx itself, loses answers, duplicates requests and
cuts answers short. Sync processes are SIGKILLed mid-round, the platform and the Wuxi center
are SIGKILLed and restarted. A Hangzhou card pays admissions at a Wuxi scenic office all the
while. At the end: every admission is in Hangzhou's ledger exactly once, the platform's net
position says Hangzhou owes Wuxi exactly the takings, the three places agree to the fen, no
alarm was raised; and a card reported lost in Hangzhou is on Wuxi's blacklist after one round.

The seed is printed; ``INTERCHANGE_TEST_SEED=n`` replays a run. The normal suite runs 8
admissions and goes on until each hop has dropped and duplicated at least once;
``INTERCHANGE_TEST_SALES`` and ``INTERCHANGE_TEST_FAULTS=all`` (every kind of fault on both
hops) make it longer.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from app.journal import RecordKind
from app.journal.records import from_micros
from clearing.center import open_center
from clearing.interchange import platform
from clearing.interchange.models import InboundRow, OutboundRow
from clearing.settings import Settings
from tests.clearing.interchange_support import (
    CST,
    HANGZHOU_ISSUER,
    WUXI_ISSUER,
    PlatformProcess,
    hangzhou_card_at_wuxi,
    register,
    scenic_office,
    sync_process,
)
from tests.sync.faultproxy import FaultPlan, FaultProxy
from tests.sync.support import ROOT, CenterProcess, enrol, free_port, issuer_keystore

pytestmark = pytest.mark.slow

SERIAL = "3104000000001234"
# the normal suite's bounded run; INTERCHANGE_TEST_SALES=30 INTERCHANGE_TEST_FAULTS=all soaks
SALES = int(os.environ.get("INTERCHANGE_TEST_SALES", "8"))
REQUIRED_FAULTS = (
    ("drop", "duplicate", "lose", "delay", "error", "truncate")
    if os.environ.get("INTERCHANGE_TEST_FAULTS") == "all"
    else ("drop", "duplicate")
)
MAX_ROUNDS = 80


class HopProxy(FaultProxy):
    """The fault proxy, its must-see faults (the plan's ``must``) applied to every request."""

    def _choose(self, is_upload: bool) -> tuple[str, float]:
        return super()._choose(True)


def _round(dbs, proxies, tmp_path, rng, kills: list[str], kill: bool = True) -> list[int | None]:
    """Both cities' sync processes at once; some SIGKILLed mid-round. Their exit codes.

    Hangzhou's holds its issuer keys: it checks the TAC of every record it takes in.
    """
    keys = {"wuxi": None, "hangzhou": tmp_path / "hangzhou.keystore"}
    running = {
        city: sync_process(
            dbs[city], proxies[city].base, city, tmp_path / f"sync-{city}.log", keys[city]
        )
        for city in ("wuxi", "hangzhou")
    }
    victim = rng.choice([None, None, "wuxi", "hangzhou"]) if kill else None
    if victim is not None:
        time.sleep(rng.uniform(0.8, 2.5))  # start-up takes about a second: kill mid-round
        if running[victim].poll() is None:
            running[victim].send_signal(signal.SIGKILL)
            kills.append(f"sync {victim}")
    codes = []
    for process in running.values():
        try:
            codes.append(process.wait(timeout=60))
        except subprocess.TimeoutExpired:
            process.kill()
            codes.append(None)
    return codes


def _inbound_count(db_url: str) -> int:
    center = open_center(Settings(db_url=db_url))
    try:
        with center.sessions.begin() as session:
            return session.query(InboundRow).count()
    finally:
        center.close()


def test_a_hangzhou_card_at_a_wuxi_office_is_cleared_once_through_faults_and_kills(
    tmp_path, make_rig, des_issuer, sm4_issuer
):
    seed = int(os.environ.get("INTERCHANGE_TEST_SEED", random.randrange(1 << 32)))
    print(f"interchange seed={seed} (INTERCHANGE_TEST_SEED={seed} replays it)")
    rng = random.Random(seed)
    dbs = {n: f"sqlite:///{tmp_path / f'{n}.sqlite3'}" for n in ("hub", "wuxi", "hangzhou")}
    hub = PlatformProcess(dbs["hub"], free_port(), tmp_path / "platform.log")
    wuxi = CenterProcess(dbs["wuxi"], free_port(), tmp_path / "wuxi.log")
    hangzhou = CenterProcess(dbs["hangzhou"], free_port(), tmp_path / "hangzhou.log")
    rig, hangzhou_keys = hangzhou_card_at_wuxi(make_rig, des_issuer, 100_000)
    issuer_keystore(tmp_path / "hangzhou.keystore", des_issuer, sm4_issuer, hangzhou_keys)
    kills: list[str] = []
    with hub, wuxi, hangzhou:
        register(dbs["hub"], "wuxi", dbs["wuxi"], [WUXI_ISSUER])
        register(dbs["hub"], "hangzhou", dbs["hangzhou"], [HANGZHOU_ISSUER])
        office = scenic_office(tmp_path / "office", wuxi.base, dbs["wuxi"], rig.sam, "DEV-W1")
        plan = FaultPlan(rate=0.4, delay_seconds=1.8, must=list(REQUIRED_FAULTS))
        with (
            HopProxy(hub.port, seed, plan) as wuxi_hop,
            HopProxy(hub.port, seed + 1, plan) as hangzhou_hop,
        ):
            proxies = {"wuxi": wuxi_hop, "hangzhou": hangzhou_hop}
            takings = 0
            sold = 0
            rounds = 0
            while True:
                if sold < SALES:  # a few admissions, uploaded to Wuxi, between rounds
                    for _ in range(rng.randint(1, 3)):
                        if sold < SALES:
                            takings += office.sell(rig.open(), rng.randint(1, 2))
                            sold += 1
                    if rng.random() < 0.3:
                        wuxi.kill()
                        kills.append("wuxi center")
                        wuxi.start()
                    office.upload()
                if rounds in (1, 4):
                    hub.kill()
                    kills.append("platform")
                    time.sleep(rng.uniform(0.1, 0.5))
                    hub.start()
                if rounds == 2:  # the issuer's center too (its sync shares its database)
                    hangzhou.kill()
                    kills.append("hangzhou center")
                    hangzhou.start()
                _round(dbs, proxies, tmp_path, rng, kills)
                rounds += 1
                both_hops_faulted = all(
                    all(p.counts[fault] for fault in REQUIRED_FAULTS) for p in proxies.values()
                )
                if sold == SALES and both_hops_faulted and _inbound_count(dbs["hangzhou"]) == SALES:
                    break
                assert rounds < MAX_ROUNDS, f"no convergence after {rounds} rounds; kills {kills}"
            # a last clean round on each side finds nothing more to do
            wuxi_hop.enabled = hangzhou_hop.enabled = False
            codes = _round(dbs, proxies, tmp_path, rng, [], kill=False)
            assert codes == [0, 0]
            print("rounds", rounds, "kills", kills)
            print(
                "faults wuxi hop", dict(wuxi_hop.counts), "hangzhou hop", dict(hangzhou_hop.counts)
            )

        # Hangzhou's ledger: every admission once, from the Wuxi office
        hz_desk = enrol(hangzhou.base, dbs["hangzhou"], "DEV-H1")
        ledger = hz_desk.client.ledger(SERIAL)
        spent = [e for e in ledger.entries if e.kind == "purchase"]
        assert len(spent) == SALES and {e.device_id for e in spent} == {"wuxi/DEV-W1"}
        hz = open_center(Settings(db_url=dbs["hangzhou"]))
        with hz.sessions.begin() as session:  # every TAC verified with Hangzhou's keys
            assert [r.held for r in session.query(InboundRow)] == [None] * SALES
        hz.close()
        assert len({e.seq for e in spent}) == SALES
        assert sum(e.amount_fen for e in spent) == takings == office.purse_takings()
        assert ledger.last_known_balance_fen == rig.reload().profile.balance_fen

        # the three places agree to the fen
        sales = office.journal.records_of_kinds(RecordKind.TICKET_SALE)
        days = {from_micros(r.at_us).astimezone(CST).date() for r in sales}
        wx = open_center(Settings(db_url=dbs["wuxi"]))
        with wx.sessions.begin() as session:
            forwarded = [r for r in session.query(OutboundRow) if r.issuer_city == "hangzhou"]
            assert all(r.forwarded_at_us is not None and r.refused is None for r in forwarded)
        wx.close()
        assert len(forwarded) == SALES and sum(r.amount_fen for r in forwarded) == takings
        platform_db = open_center(Settings(db_url=dbs["hub"]))
        with platform_db.sessions.begin() as session:
            owed = sum(
                p.amount_fen
                for day in days
                for p in platform.positions(session, day)
                if (p.debtor, p.creditor) == ("hangzhou", "wuxi")
            )
            assert platform.alarms(session) == []
        platform_db.close()
        assert owed == takings

        # settlement files per city, written by the platform's CLI
        out = tmp_path / "settlement"
        for day in days:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "clearing.cli",
                    "platform",
                    "settlement",
                    "--db",
                    dbs["hub"],
                    "--date",
                    day.isoformat(),
                    "--out",
                    str(out),
                ],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            assert done.returncode == 0
        files = {p.name for p in out.iterdir()}
        assert {f"wuxi-{d}.json" for d in days} <= files and {
            f"hangzhou-{d}.csv" for d in days
        } <= files
        net = sum(json.loads((out / f"wuxi-{d}.json").read_text("utf-8"))["net_fen"] for d in days)
        assert net == takings

        # a card reported lost in Hangzhou is on Wuxi's blacklist after one sync round
        wx_desk = enrol(wuxi.base, dbs["wuxi"], "DEV-W9", "0102030405C9")  # its own terminal
        hz_desk.client.report_loss(SERIAL, "lost")
        assert SERIAL not in wx_desk.client.blacklist(0).added
        # one round: Hangzhou's sync pushes, then Wuxi's pulls (in that order, as a schedule would)
        for city in ("hangzhou", "wuxi"):
            one = sync_process(dbs[city], hub.base, city, tmp_path / f"sync-{city}.log")
            assert one.wait(timeout=60) == 0
        assert SERIAL in wx_desk.client.blacklist(0).added
        hz_desk.client.close()
        wx_desk.client.close()
        office.close()
