"""The scenic ticket office and the real clearing center on loopback.

Two counters (real journals and stores, the virtual card) enrolled at one center (uvicorn in a
thread, checking load TACs with the issuer's keys): the office's records upload and are all
accepted; a pass sold at one counter is valid at the other; a replacement made at the other
counter carries the pass over at the center; the scenic prices come from the center's
parameters.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.scenic import EntryVerdict
from app.journal import Journal, RecordKind
from app.services.errors import RefusedError
from app.services.scenic import LookupSource, ScenicService
from app.store import card_links, holders
from app.store import scenic as scenic_store
from app.sync import CenterClient, ClientSettings, StoreBlacklist, StoreParameters, SyncLoop
from app.sync.uploader import Uploader
from tests.services.counter_support import (
    CHINA,
    CLERK,
    SHIFT,
    Clock,
    Counter,
    build_counter,
    purchase_service,
)
from tests.sync.support import (
    ISSUER_PASSPHRASE,
    Enrolled,
    center_thread,
    enrol,
    free_port,
    issuer_keystore,
)

SERIAL = "3104000000001234"
NEW_SERIAL = "3104000000005678"
ID_NUMBER = "330102199001011234"
INDEX_KEY = secrets.token_bytes(32)
QUICK = {"online_timeout": 2.0, "connect_timeout": 1.0, "read_timeout": 2.0, "retries": 0}
SCENIC_KINDS = {
    RecordKind.TICKET_SALE,
    RecordKind.PASS_SALE,
    RecordKind.PASS_TRANSFER,
    RecordKind.SCENIC_ENTRY,
    RecordKind.PURCHASE_INTENT,
    RecordKind.PURCHASE_OUTCOME,
}


@dataclass
class Office:
    """One ticket office: its counter, its enrolment and its scenic service (center-aware)."""

    counter: Counter
    device: Enrolled
    scenic: ScenicService

    def upload(self) -> None:
        run = Uploader(self.device.client, self.counter.journal).upload()
        assert run.complete and run.quarantined == () and run.set_aside == ()


@dataclass
class Center:
    base: str
    db_url: str
    directory: Path

    def office(self, name: str, terminal: str, sam, center: object | None = "self") -> Office:
        """A counter enrolled as ``name``; its scenic service asks ``center`` (default: this)."""
        device = enrol(self.base, self.db_url, name, terminal, **QUICK)
        directory = self.directory / name
        directory.mkdir()
        clock = Clock()
        Journal.create(
            directory / "journal.sqlite3", device.keys, name, terminal, clock=lambda: clock.now
        ).close()
        counter = build_counter(directory, sam, keys=device.keys, clock=clock)
        holders.register(counter.store, INDEX_KEY, SERIAL, "张三", ID_NUMBER)
        directory_client = device.client if center == "self" else center
        scenic = ScenicService(
            counter.journal,
            counter.store,
            purchase_service(counter, sam),
            INDEX_KEY,
            directory,
            counter.clock,
            CHINA,
            directory_client,  # type: ignore[arg-type]
        )
        return Office(counter, device, scenic)

    def rows(self, model, *where):
        from clearing.center import open_center  # noqa: PLC0415
        from clearing.settings import Settings  # noqa: PLC0415

        opened = open_center(Settings(db_url=self.db_url))
        try:
            with opened.sessions.begin() as session:
                rows = session.scalars(select(model).where(*where)).all()
                session.expunge_all()
                return rows
        finally:
            opened.close()


@pytest.fixture
def center(tmp_path, des_issuer, sm4_issuer) -> Iterator[Center]:
    keystore = issuer_keystore(tmp_path / "issuer.keystore", des_issuer, sm4_issuer)
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(
        db_url, issuer_keystore=keystore, issuer_passphrase=ISSUER_PASSPHRASE
    ) as base:
        yield Center(base, db_url, tmp_path)


def test_the_offices_records_are_accepted_and_the_center_keeps_the_pass(center, rig):
    from clearing.models import AnnualPassRow, QuarantineRow, RecordRow  # noqa: PLC0415

    office = center.office("DEV-A", "0102030405A1", rig.sam)
    scenic = office.scenic
    scenic.sell_tickets(CLERK, SHIFT, scenic.basket({"adult": 2, "free": 1}), "cash")
    scenic.sell_tickets(CLERK, SHIFT, scenic.basket({"child": 1}), "card_purse", rig.open())
    sale = scenic.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "wechat")
    assert scenic.check_entry(CLERK, rig.open(), "east").verdict is EntryVerdict.VALID
    # the card is replaced at this counter: the pass follows on the first check of the new card
    card_links.link(office.counter.store, SERIAL, NEW_SERIAL, "replacement", 99, 0)
    moved = scenic.check_serial(CLERK, NEW_SERIAL, "west")
    assert moved.verdict is EntryVerdict.VALID and moved.source is LookupSource.COUNTER
    office.upload()

    held = center.rows(RecordRow, RecordRow.device_id == "DEV-A")
    kinds = {r.kind for r in held}
    assert kinds >= SCENIC_KINDS, SCENIC_KINDS - kinds
    assert len(held) == office.counter.journal.head()[0]  # everything, genesis included
    assert center.rows(QuarantineRow) == []
    (row,) = center.rows(AnnualPassRow)
    assert (row.pass_id, row.card_serial) == (sale.annual_pass.pass_id, NEW_SERIAL)
    assert (row.product_code, row.amount_fen, row.sale_device_id) == ("garden_annual", 12_000,
                                                                      "DEV-A")  # fmt: skip
    assert row.valid_until == sale.annual_pass.valid_until.isoformat()
    assert row.holder == "张*"  # the masked name, never the full one
    # GET /v1/passes/{card_serial}, signed like every device call
    (answered,) = office.device.client.passes(NEW_SERIAL)
    assert answered.pass_id == sale.annual_pass.pass_id and answered.sold_by == "DEV-A"
    assert answered.valid_from == sale.annual_pass.valid_from
    assert office.device.client.passes(SERIAL) == ()
    office.device.client.close()
    office.counter.close()


def test_a_pass_sold_at_one_counter_is_valid_at_another(center, rig):
    seller = center.office("DEV-A", "0102030405A1", rig.sam)
    sale = seller.scenic.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    gate = center.office("DEV-B", "0102030405B2", rig.sam)
    before = gate.scenic.check_serial(CLERK, SERIAL, "east")  # not uploaded yet
    assert before.verdict is EntryVerdict.NOT_FOUND and before.source is LookupSource.COUNTER
    seller.upload()

    check = gate.scenic.check_entry(CLERK, rig.open(), "east")
    assert check.verdict is EntryVerdict.VALID and check.source is LookupSource.CENTER
    assert check.annual_pass.pass_id == sale.annual_pass.pass_id
    assert check.annual_pass.photo_path is None and check.annual_pass.holder_name == "张*"
    assert "another ticket office" in check.message
    entry = gate.counter.journal.record(check.record_seq)
    assert entry.payload_dict()["source"] == "center"
    assert entry.payload_dict()["pass_id"] == sale.annual_pass.pass_id
    # counted and flagged at this counter like its own passes
    again = gate.scenic.check_serial(CLERK, SERIAL, "west")
    assert again.flagged and gate.scenic.admissions_by_gate() == {"east": 1, "west": 1}
    # the same pass is not sold twice because another office sold it
    with pytest.raises(RefusedError, match="already has this pass"):
        holders.register(gate.counter.store, INDEX_KEY, SERIAL, "张三", ID_NUMBER)
        gate.scenic.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    # the gate's records (entries of a pass it did not sell) are accepted at the center too
    gate.upload()
    for office in (seller, gate):
        office.device.client.close()
        office.counter.close()


def test_offline_the_gate_checks_only_its_own_passes_and_says_so(center, rig):
    seller = center.office("DEV-A", "0102030405A1", rig.sam)
    seller.scenic.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    seller.upload()
    dead = CenterClient(ClientSettings(f"http://127.0.0.1:{free_port()}", **QUICK), "DEV-B",
                        seller.device.keys.device_key)  # fmt: skip
    gate = center.office("DEV-B", "0102030405B2", rig.sam, center=dead)
    check = gate.scenic.check_serial(CLERK, SERIAL, "east")
    assert check.verdict is EntryVerdict.NOT_FOUND and check.source is LookupSource.OFFLINE
    assert "cannot be reached" in check.message
    record = gate.counter.journal.record(check.record_seq)
    assert record.payload_dict()["source"] == "counter_only"
    # no center configured at all: no note, the counter's own word
    alone = ScenicService(gate.counter.journal, gate.counter.store,
                          purchase_service(gate.counter, rig.sam), INDEX_KEY,
                          gate.counter.directory, gate.counter.clock, CHINA)  # fmt: skip
    local = alone.check_serial(CLERK, SERIAL, "east")
    assert local.verdict is EntryVerdict.NOT_FOUND and local.note_template == ""
    dead.close()
    for office in (seller, gate):
        office.device.client.close()
        office.counter.close()


def test_a_replacement_at_another_counter_carries_the_pass_over_at_the_center(center, rig):
    seller = center.office("DEV-A", "0102030405A1", rig.sam)
    sale = seller.scenic.sell_pass(CLERK, SHIFT, rig.open(), "garden_annual", ID_NUMBER, "cash")
    seller.upload()
    other = center.office("DEV-B", "0102030405B2", rig.sam)
    card_links.link(other.counter.store, SERIAL, NEW_SERIAL, "replacement", 7, 0)
    check = other.scenic.check_serial(CLERK, NEW_SERIAL, "east")
    assert check.verdict is EntryVerdict.VALID
    assert check.annual_pass.pass_id == sale.annual_pass.pass_id
    (transfer,) = other.counter.journal.records_of_kinds(RecordKind.PASS_TRANSFER)
    assert transfer.card_serial == NEW_SERIAL and transfer.payload_dict()["source"] == "center"
    assert transfer.payload_dict()["pass"]["valid_until"] == (
        sale.annual_pass.valid_until.isoformat()
    )
    other.upload()
    client = seller.device.client
    assert [p.pass_id for p in client.passes(NEW_SERIAL)] == [sale.annual_pass.pass_id]
    assert client.passes(SERIAL) == ()
    # the other counter's store is rebuilt from its journal alone (the transfer describes it)
    with other.counter.store.session() as s:
        s.query(scenic_store.ScenicPassRow).delete()
    other.scenic.reconcile()
    (kept,) = other.scenic.passes_of(NEW_SERIAL)
    assert kept.pass_id == sale.annual_pass.pass_id and kept.valid_until == (
        sale.annual_pass.valid_until
    )
    for office in (seller, other):
        office.device.client.close()
        office.counter.close()


def test_a_price_published_at_the_center_reaches_the_ticket_office(center, rig):
    from clearing.center import open_center  # noqa: PLC0415
    from clearing.parameters import DEFAULT_PARAMETERS, publish  # noqa: PLC0415
    from clearing.settings import Settings  # noqa: PLC0415

    office = center.office("DEV-A", "0102030405A1", rig.sam)
    assert office.scenic.catalogue().ticket("adult").price_fen == 4_000
    assert DEFAULT_PARAMETERS.scenic is not None
    scenic = DEFAULT_PARAMETERS.scenic.model_copy(deep=True)
    scenic.tickets[0].price_fen = 4_500
    scenic.passes[0].price_fen = 15_000
    scenic.gates = ["north"]
    opened = open_center(Settings(db_url=center.db_url))
    try:
        with opened.sessions.begin() as session:
            version = publish(session, DEFAULT_PARAMETERS.model_copy(update={"scenic": scenic}), 1)
    finally:
        opened.close()
    loop = SyncLoop(
        office.device.client,
        office.counter.journal,
        blacklist=StoreBlacklist(office.counter.store),
        parameters=StoreParameters(office.counter.store),
    )
    status = loop.run_once()
    assert status.parameters_version == version, status
    catalogue = office.scenic.catalogue()
    assert catalogue.ticket("adult").price_fen == 4_500 and catalogue.gates == ("north",)
    assert catalogue.pass_product("garden_annual").price_fen == 15_000
    sale = office.scenic.sell_tickets(CLERK, SHIFT, office.scenic.basket({"adult": 2}), "cash")
    assert office.counter.journal.record(sale.record_seq).amount_fen == 9_000
    office.device.client.close()
    office.counter.close()


def test_a_published_set_without_a_catalogue_keeps_the_counters(center, rig):
    from app.domain.scenic import ScenicCatalogue  # noqa: PLC0415
    from app.store import parameters as stored_parameters  # noqa: PLC0415
    from app.sync.lists import counter_parameters  # noqa: PLC0415

    office = center.office("DEV-A", "0102030405A1", rig.sam)
    published = office.device.client.parameters()
    assert published.scenic is not None  # the center's defaults publish one
    base = stored_parameters.current(office.counter.store)
    custom = dataclasses.replace(base, scenic=ScenicCatalogue(gates=("south",)))
    kept = counter_parameters(dataclasses.replace(published, scenic=None), custom)
    assert kept.scenic.gates == ("south",)
    office.device.client.close()
    office.counter.close()
