"""The application: clock, contract, body limits, database start-up."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from clearing.app import create_app
from clearing.cli import openapi_text
from clearing.database import CenterDatabaseError, make_engine, migrate
from clearing.models import Base
from clearing.settings import Settings
from tests.clearing.support import START

CONTRACT = Path(__file__).resolve().parents[2] / "clearing" / "openapi.json"


def test_time_is_the_center_clock(client, clock):
    answer = client.get("/v1/time")
    assert answer.status_code == 200
    body = answer.json()
    assert body["now_us"] == int(START.timestamp()) * 1_000_000
    assert body["now"].startswith("2026-11-28T01:00:00")


def test_the_published_contract_is_what_the_app_serves(client):
    served = client.get("/openapi.json").json()
    assert served == json.loads(CONTRACT.read_text("utf-8")), (
        "the API changed: regenerate with `citycard-center openapi > clearing/openapi.json` "
        "and review the diff"
    )
    assert openapi_text() == CONTRACT.read_text("utf-8")


def test_every_later_call_is_documented_as_signed():
    contract = json.loads(CONTRACT.read_text("utf-8"))
    open_paths = {("/v1/time", "get"), ("/v1/enrol", "post")}
    for path, operations in contract["paths"].items():
        for method, operation in operations.items():
            if (path, method) not in open_paths:
                assert "401" in operation["responses"], f"{method.upper()} {path}"


def test_a_body_over_the_limit_is_refused_before_it_is_read(db_url, clock):
    from fastapi.testclient import TestClient  # noqa: PLC0415

    app = create_app(Settings(db_url=db_url, clock=clock, max_body_bytes=1000))
    with TestClient(app) as small:
        answer = small.post("/v1/enrol", content=b"{" + b" " * 2000 + b"}")
        assert answer.status_code == 413
        assert "larger than 1000 bytes" in answer.json()["detail"]


def test_malformed_json_and_unknown_fields_are_422(client):
    assert client.post("/v1/enrol", content=b"{not json").status_code == 422
    answer = client.post(
        "/v1/enrol",
        json={
            "code": "x",
            "device_id": "D",
            "terminal_id": "0102030405A1",
            "public_key": "00" * 64,
            "extra": 1,
        },
    )
    assert answer.status_code == 422
    assert "extra" in answer.text


def test_every_error_is_one_line_of_words_and_documented_so(client):
    """Found by schemathesis: FastAPI's own 422 (a list of objects) and its 400 for a body that
    is not UTF-8 did not match the contract; now every error is ``{"detail": "…"}``."""
    for body in (b"{not json", b"\x9c\xc5\x84Q\xff", b'{"code": 1}'):
        answer = client.post(
            "/v1/enrol", content=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 422, body
        assert isinstance(answer.json()["detail"], str) and answer.json()["detail"]
    typed = client.post("/v1/enrol", json={"code": 1}).json()["detail"]
    assert "code: Input should be a valid string" in typed
    contract = json.loads(CONTRACT.read_text("utf-8"))
    assert "HTTPValidationError" not in contract["components"]["schemas"]
    for path, operations in contract["paths"].items():
        for method, operation in operations.items():
            for status_code, response in operation["responses"].items():
                if status_code.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]["$ref"]
                    assert schema.endswith(("/ErrorOut", "/BatchConflictOut")), (method, path)


def test_the_schema_is_what_the_models_say_and_migrating_twice_is_harmless(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    migrate(engine)
    migrate(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_a_foreign_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE payroll (id INTEGER)")
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(CenterDatabaseError, match="not a clearing center database"):
        migrate(engine)
    engine.dispose()
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert names == ["payroll"]


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "c.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'c9999'")
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(CenterDatabaseError, match="c9999"):
        migrate(engine)
    engine.dispose()


def test_memory_databases_are_refused():
    with pytest.raises(CenterDatabaseError, match="file"):
        make_engine("sqlite://")
