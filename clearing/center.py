"""One running center: settings, database, its SM2 identity and (optionally) the issuer keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.crypto.sm2 import Sm2PrivateKey
from clearing.database import check_schema, make_engine, migrate, session_factory
from clearing.identity import ensure_identity, load_identity
from clearing.keys.interface import IssuerKeys
from clearing.keys.wrapping import INFO_KEY, SecretWrapper, wrap_plain_rows
from clearing.parameters import ensure_parameters
from clearing.retry import retrying
from clearing.settings import Settings
from clearing.timeutil import micros_of

log = logging.getLogger(__name__)


class CenterConfigurationError(RuntimeError):
    """The center cannot start with the settings given."""


@dataclass
class Center:
    """What every request handler needs; built once by :func:`open_center`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    identity_public_key: bytes
    sam: IssuerKeys | None  # the issuer keys (a token, the key service…), through handles only
    wrapper: SecretWrapper | None = None  # seals the center's own secrets at rest

    @cached_property
    def identity(self) -> Sm2PrivateKey:
        """The center's SM2 key pair, opened at first use (it signs the lists)."""
        with self.sessions.begin() as session:
            return load_identity(session)

    def now_us(self) -> int:
        """The center's clock, in journal microseconds."""
        return micros_of(self.settings.clock())

    def close(self) -> None:
        """Release the database connections and the keys' sessions."""
        self.engine.dispose()
        if self.sam is not None:
            self.sam.close()
        if self.wrapper is not None:
            self.wrapper.close()


def _load_wrapper(settings: Settings, keys: IssuerKeys | None) -> SecretWrapper | None:
    """The token's wrapping key when there is a token, else the key service's, else none."""
    if keys is not None and settings.pkcs11_module is not None:
        assert settings.token_label is not None and settings.pin_file is not None
        from clearing.keys.token import TokenSettings, open_session  # noqa: PLC0415
        from clearing.keys.wrapping import TokenWrapper  # noqa: PLC0415

        # a session of its own: a PKCS#11 session serves one thread at a time
        token = TokenSettings(settings.pkcs11_module, settings.token_label, settings.pin_file)
        return TokenWrapper(open_session(token))
    if settings.key_service_socket is not None:
        from clearing.keys.service import KeyServiceWrapper  # noqa: PLC0415

        return KeyServiceWrapper(settings.key_service_socket)
    return None


def _load_sam(settings: Settings) -> IssuerKeys | None:
    """The issuer keys the settings name (imports only what the chosen holder needs)."""
    service: IssuerKeys | None = None
    if settings.key_service_socket is not None:
        from clearing.keys.service import KeyServiceIssuerKeys  # noqa: PLC0415

        service = KeyServiceIssuerKeys(settings.key_service_socket)
    if settings.pkcs11_module is not None:
        if settings.token_label is None or settings.pin_file is None:
            raise CenterConfigurationError(
                "a PKCS#11 module was given without the token label and the PIN file"
            )
        from clearing.keys.token import TokenIssuerKeys, TokenSettings  # noqa: PLC0415

        token = TokenSettings(settings.pkcs11_module, settings.token_label, settings.pin_file)
        keys: IssuerKeys = TokenIssuerKeys.open(token, service)
    elif service is not None:
        keys = service
    elif settings.issuer_keystore is not None:
        if settings.issuer_passphrase is None:
            raise CenterConfigurationError("an issuer keystore was given without its passphrase")
        from clearing.keys.software import SoftwareIssuerKeys  # noqa: PLC0415

        keys = SoftwareIssuerKeys.from_keystore(
            settings.issuer_keystore, settings.issuer_passphrase
        )
        log.warning("issuer keys held in this process (development only): %r", keys)
    else:
        return None
    log.info("issuer keys: %r", keys)
    return keys


def open_center(settings: Settings, *, migrate_schema: bool = True) -> Center:
    """Connect, migrate, create the identity and first parameters if missing, load issuer keys.

    ``migrate_schema=False`` (every worker of ``citycard-center serve``): the schema must be
    current already (:func:`check_schema`), and the identity and first parameters, if missing,
    are created by whichever worker commits first — the others read them.
    """
    sam = _load_sam(settings)
    engine = make_engine(settings.db_url)
    try:
        wrapper = _load_wrapper(settings, sam)
        if migrate_schema:
            migrate(engine)
        else:
            check_schema(engine)
        sessions = session_factory(engine)
        if wrapper is not None:
            sessions.configure(info={INFO_KEY: wrapper})
        now = micros_of(settings.clock())

        def first_start() -> bytes:
            with sessions.begin() as session:
                if wrapper is not None:
                    wrapped = wrap_plain_rows(session, wrapper)
                    if wrapped:
                        log.warning("wrapped %d secrets that were stored in clear", wrapped)
                public_key = ensure_identity(session, now)
                ensure_parameters(session, now)
                return public_key

        identity = retrying(first_start, unique_too=True)
    except BaseException:
        engine.dispose()
        if sam is not None:
            sam.close()
        raise
    return Center(settings, engine, sessions, identity, sam, wrapper)
