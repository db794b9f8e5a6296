"""Online top-ups: MAC2 from the real clearing center on loopback, the SAM when it cannot answer.

The center (uvicorn in a thread) holds the issuer keys of the virtual cards; the counter is a
real journal and store with the top-up service; the card is the virtual card behind fault
injection. Only the offline path is held to the offline brakes.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.card.apdu import Ins
from app.card.errors import CardError, StatusWordError
from app.domain.payment import PaymentMethod
from app.journal import Journal, Outcome, RecordKind
from app.services.errors import RefusedError
from app.services.recovery import Settlement
from app.services.topup import (
    MAC_PATH_CENTER,
    MAC_PATH_SAM,
    CenterRefusedTopUpError,
    TopUpInterruptedError,
    TopUpService,
)
from app.store import parameters as stored_parameters
from app.sync import CenterClient, ClientSettings
from app.sync.models import LoadRequest, OnlineAuthorization
from tests.services.counter_support import (
    CHINA,
    CLERK,
    SHIFT,
    TERMINAL_ID,
    Clock,
    Counter,
    build_counter,
)
from tests.sync.stub import StubServer, json_reply
from tests.sync.support import (
    ISSUER_PASSPHRASE,
    Enrolled,
    center_thread,
    enrol,
    free_port,
    issuer_keystore,
)

CASH = PaymentMethod.CASH
SERIAL = "3104000000001234"
QUICK = {"online_timeout": 2.0, "connect_timeout": 1.0, "read_timeout": 2.0, "retries": 0}


@dataclass
class Center:
    base: str
    db_url: str
    device: Enrolled  # enrolled with the counter's terminal id


@pytest.fixture
def center(tmp_path, des_issuer, sm4_issuer) -> Iterator[Center]:
    keystore = issuer_keystore(tmp_path / "issuer.keystore", des_issuer, sm4_issuer)
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(
        db_url, issuer_keystore=keystore, issuer_passphrase=ISSUER_PASSPHRASE
    ) as base:
        device = enrol(base, db_url, "DEV-T", TERMINAL_ID.hex().upper(), **QUICK)
        yield Center(base, db_url, device)
        device.client.close()


class Counting:
    """The center's client, counting the online MAC2 requests that reach it."""

    def __init__(self, client: CenterClient) -> None:
        self.client = client
        self.calls = 0

    def authorize_load(self, request: LoadRequest) -> OnlineAuthorization:
        self.calls += 1
        return self.client.authorize_load(request)


class Monotonic:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def go_online(counter: Counter, sam, center, monotonic=None) -> Counter:
    """The counter's top-ups ask ``center`` for MAC2 first."""
    counter.topups = TopUpService(
        counter.journal,
        counter.store,
        sam,
        counter.clock,
        CHINA,
        center,
        monotonic=monotonic or Monotonic(),
    )
    return counter


def online_counter(directory: Path, sam, center, *, monotonic=None) -> Counter:
    """A new counter whose top-ups ask ``center`` for MAC2 first."""
    directory.mkdir(parents=True, exist_ok=True)
    return go_online(build_counter(directory, sam), sam, center, monotonic)


def set_brakes(counter: Counter, **brakes: int) -> None:
    current = stored_parameters.current(counter.store)
    changed = dataclasses.replace(
        current,
        version=current.version + 1,
        brakes=dataclasses.replace(current.brakes, **brakes),
    )
    stored_parameters.save(counter.store, changed, 0)


def intent_of(counter: Counter, receipt):
    return counter.journal.record(receipt.intent_seq)


def authorizations(center: Center) -> list[tuple[str, int, int]]:
    """The center's record of the MAC2s it gave: (card, amount, card time µs)."""
    from clearing.center import open_center  # noqa: PLC0415
    from clearing.models import OnlineLoadRow  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415

    opened = open_center(Settings(db_url=center.db_url))
    try:
        with opened.sessions.begin() as session:
            rows = session.scalars(select(OnlineLoadRow).order_by(OnlineLoadRow.id)).all()
            return [(r.card_serial, r.amount_fen, r.card_time_us) for r in rows]
    finally:
        opened.close()


# -- online ----------------------------------------------------------------------------------


def test_online_top_up_takes_the_centers_mac2_and_its_card_time(center, rig, tmp_path):
    counter = online_counter(tmp_path / "c", rig.sam, center.device.client)
    receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    assert receipt.online and receipt.mac_path == MAC_PATH_CENTER
    assert rig.reload().profile.balance_fen == 10_000
    intent = intent_of(counter, receipt)
    payload = intent.payload_dict()
    assert payload["mac_path"] == MAC_PATH_CENTER
    ((serial, amount, card_time_us),) = authorizations(center)
    assert (serial, amount) == (SERIAL, 5_000)
    assert payload["center_authorization"] == 1
    # the card was credited at the center's time, which the intent and the receipt keep
    center_time = receipt.card_time.replace(tzinfo=CHINA)
    assert int(center_time.timestamp()) * 1_000_000 == card_time_us
    assert payload["card_time"] == receipt.card_time.strftime("%Y%m%d%H%M%S")
    # the outcome repeats the path: reports count offline top-ups from outcomes alone
    assert counter.journal.record(receipt.outcome_seq).payload_dict()["mac_path"] == "center"
    assert counter.journal.open_intents() == [] and counter.journal.verify().ok
    counter.close()


def test_the_offline_brakes_do_not_hold_online_top_ups(center, rig, tmp_path):
    counter = online_counter(tmp_path / "c", rig.sam, center.device.client)
    set_brakes(counter, per_load_cap_fen=1_000, offline_count_cap=0)
    receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 20_000, CASH)
    assert receipt.online and rig.reload().profile.balance_fen == 25_000
    assert counter.topups.offline_tally(SHIFT) == (0, 0)
    counter.close()


def test_online_loads_upload_and_their_tacs_verify_at_the_center(center, rig, tmp_path):
    directory = tmp_path / "c"
    directory.mkdir()
    # the counter's journal carries the key the center issued at enrolment
    clock = Clock()
    Journal.create(
        directory / "journal.sqlite3",
        center.device.keys,
        "DEV-T",
        TERMINAL_ID.hex().upper(),
        clock=clock,
    ).close()
    counter = build_counter(directory, rig.sam, keys=center.device.keys, clock=clock)
    counter.topups = TopUpService(
        counter.journal, counter.store, rig.sam, counter.clock, CHINA,
        center.device.client,
    )  # fmt: skip
    online = counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    counter.topups = TopUpService(counter.journal, counter.store, rig.sam, counter.clock, CHINA)
    offline = counter.topups.top_up(CLERK, SHIFT, rig.open(), 2_000, CASH)
    assert (online.mac_path, offline.mac_path) == (MAC_PATH_CENTER, MAC_PATH_SAM)
    result = center.device.client.upload_batch(counter.journal.records())
    assert result.quarantined == () and result.acknowledged_seq == counter.journal.head()[0]
    ledger = center.device.client.ledger(SERIAL)
    assert [e.amount_fen for e in ledger.entries] == [5_000, 2_000]
    assert ledger.last_known_balance_fen == 12_000 == rig.reload().profile.balance_fen
    counter.close()


def test_the_centers_refusal_is_final(center, rig, tmp_path):
    counter = online_counter(tmp_path / "c", rig.sam, center.device.client)
    center.device.client.report_loss(SERIAL)  # listed at the center, not yet at this counter
    with pytest.raises(CenterRefusedTopUpError, match="blacklist") as info:
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    assert "Do not load this card" in info.value.advice
    assert rig.reload().profile.balance_fen == 5_000
    assert counter.journal.records(after=1) == []  # nothing written, no offline fallback
    counter.close()


# -- offline: the center down, failing or speaking nonsense ---------------------------------


def test_center_down_goes_offline_within_the_brakes(center, rig, tmp_path):
    down = CenterClient(ClientSettings(f"http://127.0.0.1:{free_port()}", **QUICK))
    down.use_device("DEV-T", center.device.keys.device_key)
    counter = online_counter(tmp_path / "c", rig.sam, down)
    receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    assert receipt.mac_path == MAC_PATH_SAM and not receipt.online
    assert intent_of(counter, receipt).payload_dict()["mac_path"] == MAC_PATH_SAM
    assert "center_authorization" not in intent_of(counter, receipt).payload_dict()
    assert rig.reload().profile.balance_fen == 10_000
    assert counter.topups.offline_tally(SHIFT) == (1, 5_000)
    down.close()
    counter.close()


def test_center_down_and_the_brakes_exceeded_is_a_clear_refusal(center, rig, tmp_path):
    down = CenterClient(ClientSettings(f"http://127.0.0.1:{free_port()}", **QUICK))
    down.use_device("DEV-T", center.device.keys.device_key)
    monotonic = Monotonic()
    counter = online_counter(tmp_path / "c", rig.sam, down, monotonic=monotonic)
    set_brakes(counter, per_load_cap_fen=3_000, offline_count_cap=1)
    with pytest.raises(RefusedError, match=r"Offline top-ups are limited to ¥30\.00 each") as info:
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    assert "wait until the clearing center is reachable" in info.value.advice_text
    card = rig.reload().profile
    assert (card.balance_fen, card.online_atc) == (5_000, 0)  # INIT FOR LOAD changes nothing
    assert counter.journal.records(after=1) == []
    counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)  # within: offline
    monotonic.now += 3_600  # the center is asked again, and still does not answer
    with pytest.raises(RefusedError, match="limit of 1 offline top-ups"):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, CASH)
    assert rig.reload().profile.balance_fen == 8_000
    down.close()
    counter.close()


def test_the_center_gone_mid_shift_then_back(rig, tmp_path, des_issuer, sm4_issuer):
    keystore = issuer_keystore(tmp_path / "issuer.keystore", des_issuer, sm4_issuer)
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    monotonic = Monotonic()
    with center_thread(
        db_url, issuer_keystore=keystore, issuer_passphrase=ISSUER_PASSPHRASE
    ) as base:
        device = enrol(base, db_url, "DEV-T", TERMINAL_ID.hex().upper(), **QUICK)
        asked = Counting(device.client)
        counter = online_counter(tmp_path / "c", rig.sam, asked, monotonic=monotonic)
        assert counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, CASH).online
    # the center stopped: the next top-up goes offline, and the one after does not wait for it
    assert not counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, CASH).online
    assert asked.calls == 2
    assert not counter.topups.will_ask_center()
    assert not counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, CASH).online
    assert asked.calls == 2  # not asked while it rests
    monotonic.now += 61
    assert counter.topups.will_ask_center()
    with center_thread(
        db_url, issuer_keystore=keystore, issuer_passphrase=ISSUER_PASSPHRASE
    ) as base:  # back, on another port: a client for it
        client = CenterClient(ClientSettings(base, **QUICK), "DEV-T", device.keys.device_key)
        go_online(counter, rig.sam, Counting(client), monotonic)
        assert counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, CASH).online
        client.close()
    assert counter.topups.offline_tally(SHIFT) == (2, 2_000)
    assert rig.reload().profile.balance_fen == 9_000 == 5_000 + counter.loaded_fen(SERIAL)
    device.client.close()
    counter.close()


GARBAGE = [
    pytest.param((200, {"Content-Type": "text/html"}, b"<html>hello</html>"), id="not-json"),
    pytest.param(json_reply('{"mac2": 17}'), id="wrong-types"),
    pytest.param(json_reply("[]"), id="not-an-object"),
    pytest.param(json_reply('{"detail": "upstream timeout"}', 502), id="bad-gateway"),
    pytest.param(json_reply('{"detail": "no issuer keys"}', 503), id="no-keys"),
    pytest.param(json_reply('{"detail": "Not Found"}', 404), id="no-such-endpoint"),
    pytest.param(json_reply('{"detail": "bad signature"}', 401), id="device-refused"),
    pytest.param(
        json_reply(
            '{"authorization_id": 7, "mac2": "00112233", "card_time": "2026-11-21T17:00:00+08:00",'
            ' "terminal_id": "999999999999"}'
        ),
        id="another-terminal",
    ),
]


@pytest.mark.parametrize("reply", GARBAGE)
def test_a_center_speaking_nonsense_sends_the_top_up_offline(rig, tmp_path, reply):
    with StubServer(lambda _seen: reply) as stub:
        client = CenterClient(ClientSettings(stub.base, **QUICK), "DEV-T", rig_device_key())
        counter = online_counter(tmp_path / "c", rig.sam, client)
        receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
        assert len(stub.seen) == 1  # asked once, never again for this top-up
    assert receipt.mac_path == MAC_PATH_SAM
    assert rig.reload().profile.balance_fen == 10_000 == 5_000 + counter.loaded_fen(SERIAL)
    assert counter.journal.open_intents() == [] and counter.journal.verify().ok
    client.close()
    counter.close()


def test_a_well_formed_but_wrong_mac2_is_refused_by_the_card_and_nothing_is_lost(rig, tmp_path):
    answer = json_reply(
        '{"authorization_id": 7, "mac2": "00112233", "card_time": "2026-11-21T17:00:00+08:00",'
        f' "terminal_id": "{TERMINAL_ID.hex().upper()}"}}'
    )
    with StubServer(lambda _seen: answer) as stub:
        client = CenterClient(ClientSettings(stub.base, **QUICK), "DEV-T", rig_device_key())
        counter = online_counter(tmp_path / "c", rig.sam, client)
        with pytest.raises(StatusWordError):  # the card checks MAC2: it is not loaded
            counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
    intent, outcome = counter.journal.records(after=1)
    assert intent.payload_dict()["mac_path"] == MAC_PATH_CENTER
    assert outcome.payload_dict()["outcome"] == Outcome.NOT_DONE
    assert rig.reload().profile.balance_fen == 5_000
    assert counter.journal.open_intents() == [] and counter.journal.verify().ok
    client.close()
    counter.close()


def test_a_slow_center_is_given_up_after_the_online_timeout(rig, tmp_path):
    release = threading.Event()

    def slow(_seen):
        release.wait(10)
        return json_reply("{}")

    with StubServer(slow) as stub:
        settings = ClientSettings(stub.base, **{**QUICK, "online_timeout": 0.3})
        client = CenterClient(settings, "DEV-T", rig_device_key())
        counter = online_counter(tmp_path / "c", rig.sam, client)
        receipt = counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, CASH)
        release.set()
    assert receipt.mac_path == MAC_PATH_SAM
    assert rig.reload().profile.balance_fen == 10_000
    client.close()
    counter.close()


def rig_device_key():
    from app.crypto.sm2 import Sm2PrivateKey  # noqa: PLC0415

    return Sm2PrivateKey.generate()


# -- tears on the online path -----------------------------------------------------------------

FAULTS = ["tear_before", "tear_after", "drop_response"]


def _tap_again_and_settle(counter, rig):
    if rig.faulty.torn:
        rig.faulty.reinsert()
    return counter.recovery.resolve(rig.open())


@pytest.mark.parametrize("fault", FAULTS)
def test_a_tear_at_every_apdu_of_an_online_top_up_never_loses_or_doubles(
    center, make_rig, tmp_path, fault
):
    probe_rig = make_rig()
    probe = online_counter(tmp_path / "probe", probe_rig.sam, center.device.client)
    card = probe_rig.open()
    before = card.channel.exchanges
    assert probe.topups.top_up(CLERK, SHIFT, card, 1_000, CASH).online
    apdus = card.channel.exchanges - before
    probe.close()
    assert apdus >= 4  # the reads, INIT, CREDIT
    for nth in range(1, apdus + 1):
        rig = make_rig()
        counter = online_counter(tmp_path / f"{fault}-{nth}", rig.sam, center.device.client)
        card = rig.open()
        getattr(rig.faulty, fault)(nth=nth)
        interrupted = False
        try:
            counter.topups.top_up(CLERK, SHIFT, card, 3_000, CASH)
        except TopUpInterruptedError:
            interrupted = True
        except CardError:
            assert counter.journal.open_intents() == []
        open_intents = counter.journal.open_intents()
        assert bool(open_intents) is interrupted, (fault, nth)
        if interrupted:  # the intent says the center gave MAC2, and the card time it covers
            assert open_intents[0].payload_dict()["mac_path"] == MAC_PATH_CENTER
            counter = counter.reopen(rig.sam)  # and a restart loses nothing
        settled = _tap_again_and_settle(counter, rig)
        assert all(s.settlement is not Settlement.GREY for s in settled), (fault, nth, settled)
        assert rig.reload().profile.balance_fen == 5_000 + counter.loaded_fen(SERIAL)
        assert counter.journal.open_intents() == []
        if counter.loaded_fen(SERIAL) == 0:  # the clerk redoes what did not happen
            go_online(counter, rig.sam, center.device.client)
            assert counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH).online
        assert rig.reload().profile.balance_fen == 8_000 == 5_000 + counter.loaded_fen(SERIAL)
        assert counter.journal.verify().ok
        counter.close()


def test_credit_torn_online_settles_done_on_the_next_tap(center, rig, tmp_path):
    counter = online_counter(tmp_path / "c", rig.sam, center.device.client)
    rig.faulty.drop_response(ins=Ins.CREDIT_FOR_LOAD)
    with pytest.raises(TopUpInterruptedError):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 3_000, CASH)
    (intent,) = counter.journal.open_intents()
    restarted = counter.reopen(rig.sam)  # offline after the restart: recovery needs no center
    (resolution,) = _tap_again_and_settle(restarted, rig)
    assert resolution.intent_seq == intent.seq and resolution.settlement is Settlement.DONE
    outcome = restarted.journal.record(resolution.outcome_seq)
    assert outcome.kind == RecordKind.LOAD_OUTCOME and outcome.tac is not None
    assert outcome.payload_dict()["mac_path"] == MAC_PATH_CENTER  # recovered, still online
    assert restarted.topups.offline_tally(SHIFT) == (0, 0)
    assert rig.reload().profile.balance_fen == 8_000
    restarted.close()


def test_a_load_the_center_sets_aside_is_acknowledged_and_reported(center, rig, tmp_path):
    """The sync's side of the center's TAC check: a held record moves the cursor (the chain
    goes on) and the status says what the center did with it."""
    from app.journal import Entry  # noqa: PLC0415
    from app.sync import LoopSettings, SyncLoop  # noqa: PLC0415

    directory = tmp_path / "c"
    directory.mkdir()
    clock = Clock()
    Journal.create(
        directory / "journal.sqlite3",
        center.device.keys,
        "DEV-T",
        TERMINAL_ID.hex().upper(),
        clock=clock,
    ).close()
    counter = build_counter(directory, rig.sam, keys=center.device.keys, clock=clock)
    genuine = counter.topups.top_up(CLERK, SHIFT, rig.open(), 2_000, CASH)
    intent = counter.journal.record(genuine.intent_seq)
    forged_intent = counter.journal.append(
        Entry(
            RecordKind.LOAD_INTENT,
            operator=intent.operator,
            shift_id=intent.shift_id,
            card_serial=intent.card_serial,
            amount_fen=2_000,
            payment_method="cash",
            balance_before_fen=7_000,
            atc=intent.atc,
            mac1=intent.mac1,
            mac2=intent.mac2,
            payload=intent.payload_dict(),
        )
    )
    forged = counter.journal.append(
        Entry(
            RecordKind.LOAD_OUTCOME,
            operator=intent.operator,
            shift_id=intent.shift_id,
            card_serial=intent.card_serial,
            amount_fen=2_000,
            payment_method="cash",
            balance_before_fen=7_000,
            balance_after_fen=9_000,
            atc=intent.atc,
            tac=bytes(4),
            intent_seq=forged_intent.seq,
            payload={"outcome": "done"},
        )
    )
    loop = SyncLoop(
        center.device.client, counter.journal, settings=LoopSettings(checkpoint_every=None)
    )
    status = loop.run_once()
    assert status.online and status.alarm is None
    assert status.acknowledged_seq == status.head_seq == forged.seq  # taken, not resent
    assert f"record {forged.seq}" in status.last_error
    assert "keeps it out of the card ledger" in status.last_error
    assert "TAC does not verify" in status.last_error
    ledger = center.device.client.ledger(SERIAL)
    assert [e.seq for e in ledger.entries] == [genuine.outcome_seq]
    assert loop.run_once().last_error is None  # said once; nothing left to send
    counter.close()
