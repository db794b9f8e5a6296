"""Fixtures: a center on a real SQLite file with a manual clock, and its test client."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from clearing.app import create_app
from clearing.center import Center
from clearing.settings import Settings
from tests.clearing.postgres import PostgresUnavailableError, create_database, postgres_server
from tests.clearing.support import Device, ManualClock, enrol


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def postgres() -> Iterator[str | None]:
    """Base URL of a PostgreSQL server for the session, or None when it cannot run here."""
    try:
        with postgres_server() as url:
            yield url
    except PostgresUnavailableError as exc:
        print(f"clearing tests: PostgreSQL skipped: {exc}")
        yield None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """Every center test runs on an SQLite file, and on PostgreSQL when it can be started."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'center.sqlite3'}"
    server = request.getfixturevalue("postgres")
    if server is None:
        pytest.skip("PostgreSQL is not available here")
    return create_database(server, f"t{uuid.uuid4().hex[:16]}")


@pytest.fixture
def client(db_url, clock) -> Iterator[TestClient]:
    app = create_app(Settings(db_url=db_url, clock=clock))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def center(client) -> Center:
    found = client.app.state.center  # type: ignore[attr-defined]
    assert isinstance(found, Center)
    return found


@pytest.fixture
def device(client, center, clock) -> Device:
    return enrol(client, center, clock)
