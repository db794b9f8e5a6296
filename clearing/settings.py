"""What a clearing center process is configured with (the CLI builds it; tests build their own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from app.crypto.passwords import PasswordHashParams

Clock = Callable[[], datetime]

DEFAULT_DB_URL = "sqlite:///citycard-center.sqlite3"
# China Standard Time has had no daylight saving since 1991: a fixed offset is exact
BUSINESS_TIMEZONE = timezone(timedelta(hours=8), "CST")


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    """Configuration of one clearing center application."""

    db_url: str = DEFAULT_DB_URL
    # issuer keys for online MAC2 and TAC checks, one of (docs/clearing-center.md, "Keys"):
    # a PKCS#11 token (module, token label, PIN file), with the key service for what it cannot do
    pkcs11_module: Path | None = None
    token_label: str | None = None
    pin_file: Path | None = None
    key_service_socket: Path | None = None  # the key service alone, or the token's fallback
    # development, tests and benches only: the master keys in this process's memory
    issuer_keystore: Path | None = None
    issuer_passphrase: str | None = field(default=None, repr=False)
    clock: Clock = utc_now
    auth_window: timedelta = timedelta(minutes=5)  # accepted clock skew of signed requests
    enrolment_code_ttl: timedelta = timedelta(hours=24)
    max_body_bytes: int = 16 * 1024 * 1024
    max_batch_records: int = 5_000
    business_timezone: timezone = BUSINESS_TIMEZONE
    risk_sweep_interval: timedelta | None = timedelta(minutes=5)  # silent devices (None: off)
    console_password_params: PasswordHashParams = field(default_factory=PasswordHashParams)
    console_secure_cookies: bool = False  # set behind TLS: the session cookie is then Secure
    # how often the served center matches online grants with the uploaded journal (None: never;
    # ``citycard-center grants`` does it on demand)
    grant_check_interval: timedelta | None = timedelta(minutes=5)
    public_docs: bool = True  # /docs, /redoc, /openapi.json (off in production: --production)
