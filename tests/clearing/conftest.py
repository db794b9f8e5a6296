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


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory):
    """The session's SoftHSM2 token (TokenSettings); skipped only when SoftHSM2 is missing."""
    from tests.clearing.softhsm import SoftHsmUnavailableError, create_token  # noqa: PLC0415

    try:
        return create_token(tmp_path_factory.mktemp("softhsm"))
    except SoftHsmUnavailableError as exc:
        pytest.skip(str(exc))


@pytest.fixture
def token(softhsm, des_issuer):
    """The token holding ``des_issuer``'s master keys (imported by the ceremony code)."""
    from app.card.issuer_keys import master_key_name  # noqa: PLC0415
    from clearing.keys.ceremony import import_master_key, master_labels  # noqa: PLC0415
    from clearing.keys.token import open_session  # noqa: PLC0415

    session = open_session(softhsm)
    try:
        for kind, value in des_issuer.master_keys.items():
            label = master_key_name(des_issuer.algorithm, des_issuer.key_version, kind)
            import_master_key(session, label, value)
        yield softhsm
    finally:
        from pkcs11 import Attribute  # noqa: PLC0415

        for label in master_labels(session):
            for obj in session.get_objects({Attribute.LABEL: label}):
                obj.destroy()
        session.close()


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
