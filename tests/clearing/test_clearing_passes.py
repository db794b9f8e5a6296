"""Annual passes at the center: kept from pass_sale / pass_transfer records in any arrival order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from app.journal import Entry, RecordKind
from clearing.parameters import DEFAULT_PARAMETERS
from clearing.schemas import ScenicParameters
from tests.clearing.support import batch, enrol

OLD = "3104000000001234"
NEW = "3104000000005678"
DESCRIPTION = {
    "pass_id": "A1B2C3D4E5F6",
    "product": "garden_annual",
    "name": "园林年卡",
    "valid_from": "2026-11-21",
    "valid_until": "2027-11-20",
    "holder": "张*",
    "holder_tail": "1234",
    "photo": None,
    "photo_sha256": None,
}


def sale(journal) -> None:
    journal.append(
        Entry(
            RecordKind.PASS_SALE,
            operator="op1",
            shift_id=1,
            card_serial=OLD,
            amount_fen=12_000,
            payment_method="cash",
            payload={**DESCRIPTION, "purchase_seq": None},
        )
    )


def transfer(journal, *, described: bool) -> None:
    payload: dict[str, object] = {"pass_id": DESCRIPTION["pass_id"], "from_serial": OLD,
                                  "link_kind": "replacement", "link_seq": 5}  # fmt: skip
    if described:
        payload["pass"] = DESCRIPTION
    journal.append(Entry(RecordKind.PASS_TRANSFER, operator="op2", card_serial=NEW,
                         payload=payload))  # fmt: skip


def passes(device, serial: str) -> list[tuple[str, str]]:
    answer = device.request("GET", f"/v1/passes/{serial}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["card_serial"] == serial
    return [(p["pass_id"], p["card_serial"]) for p in body["passes"]]


def upload(device, journal) -> None:
    answer = device.request("POST", "/v1/journal/batches", batch(journal.records()))
    assert answer.status_code == 200 and answer.json()["quarantined"] == [], answer.text


def test_a_sale_binds_and_a_later_transfer_moves_the_pass(device, tmp_path, clock):
    with device.journal(tmp_path / "j.sqlite3") as journal:
        sale(journal)
        clock.advance(timedelta(days=30))
        transfer(journal, described=False)
        upload(device, journal)
    assert passes(device, NEW) == [(DESCRIPTION["pass_id"], NEW)]
    assert passes(device, OLD) == []
    (held,) = device.request("GET", f"/v1/passes/{NEW}").json()["passes"]
    assert (held["valid_from"], held["valid_until"]) == ("2026-11-21", "2027-11-20")
    assert held["sold_by"] == device.device_id and held["amount_fen"] == 12_000


@pytest.mark.parametrize("described", [True, False])
def test_a_transfer_arriving_before_its_sale_still_wins(client, center, clock, tmp_path,
                                                        described):  # fmt: skip
    seller = enrol(client, center, clock, "DEV-A", "0102030405A1")
    other = enrol(client, center, clock, "DEV-B", "0102030405B2")
    with seller.journal(tmp_path / "a.sqlite3") as a, other.journal(tmp_path / "b.sqlite3") as b:
        sale(a)
        clock.advance(timedelta(days=3))
        transfer(b, described=described)
        upload(other, b)  # the replacement counter synced first
        # a described transfer is a pass by itself; a bare one waits for its sale
        assert passes(other, NEW) == ([(DESCRIPTION["pass_id"], NEW)] if described else [])
        upload(seller, a)
    assert passes(other, NEW) == [(DESCRIPTION["pass_id"], NEW)]
    assert passes(seller, OLD) == []


def test_passes_are_asked_by_signed_devices_only(client, device):
    assert client.get(f"/v1/passes/{OLD}").status_code == 401
    assert device.request("GET", "/v1/passes/31zz").status_code == 422
    assert passes(device, OLD) == []


def test_the_scenic_catalogue_is_checked_when_published():
    assert DEFAULT_PARAMETERS.scenic is not None
    good = DEFAULT_PARAMETERS.scenic.model_dump()
    with pytest.raises(ValidationError, match="only the free ticket"):
        ScenicParameters.model_validate({**good, "tickets": [
            {"code": "adult", "name": "成人票", "price_fen": 0}]})  # fmt: skip
    with pytest.raises(ValidationError, match="unique"):
        ScenicParameters.model_validate({**good, "gates": ["east", "east"]})
    with pytest.raises(ValidationError):
        ScenicParameters.model_validate({**good, "passes": [{**good["passes"][0], "days": 0}]})


def test_the_migration_builds_the_passes_from_the_records_already_held(db_url, device, tmp_path):
    """A center upgraded from c0002 holds pass records but no ``annual_pass`` table yet."""
    from alembic import command  # noqa: PLC0415
    from sqlalchemy import create_engine, select, text  # noqa: PLC0415

    from clearing.database import _alembic_config, make_engine, session_factory  # noqa: PLC0415
    from clearing.models import AnnualPassRow  # noqa: PLC0415

    with device.journal(tmp_path / "j.sqlite3") as journal:
        sale(journal)
        transfer(journal, described=False)
        upload(device, journal)
    engine = create_engine(db_url)
    with engine.begin() as conn:  # later revisions undone first, by their own downgrades
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "c0003")
    with engine.begin() as conn:  # back to the schema before c0003
        conn.execute(text("DROP TABLE annual_pass"))
        conn.execute(text("UPDATE alembic_version SET version_num = 'c0002'"))
    engine.dispose()
    engine = make_engine(db_url)
    config = _alembic_config()
    try:
        with engine.begin() as conn:  # c0003 itself (later revisions are already in place)
            config.attributes["connection"] = conn
            command.upgrade(config, "c0003")
        with session_factory(engine).begin() as session:
            (row,) = session.scalars(select(AnnualPassRow)).all()
            assert (row.pass_id, row.card_serial) == (DESCRIPTION["pass_id"], NEW)
            assert (row.product_code, row.valid_until) == ("garden_annual", "2027-11-20")
    finally:
        engine.dispose()
