"""A throw-away PostgreSQL server for the center's tests (Debian's postgresql, when installed)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER = "center"


def _bin_dir() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts)
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL or psycopg is not installed here."""


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server on a free loopback port; yields its base URL (add ``/dbname``)."""
    try:
        import psycopg  # noqa: F401, PLC0415
    except ImportError:
        raise PostgresUnavailableError("psycopg is not installed") from None
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise PostgresUnavailableError("PostgreSQL is not installed (/usr/lib/postgresql)")
    base = Path(tempfile.mkdtemp(prefix="center-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        shutil.chown(base, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
            "--no-sync")  # fmt: skip
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
            "-o", f"-p {port} -k {base} -h 127.0.0.1 -F", "start")  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise PostgresUnavailableError(f"PostgreSQL did not start: {exc}") from exc
    try:
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}"
    finally:
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], check=False, capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


def create_database(base_url: str, name: str) -> str:
    """A new empty database on the server; returns its SQLAlchemy URL."""
    import psycopg  # noqa: PLC0415

    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    return f"{base_url}/{name}"
