"""One running center: settings, database, its SM2 identity and (optionally) the issuer keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.card.sam import SoftwareSam
from app.crypto.keystore import Keystore
from app.crypto.sm2 import Sm2PrivateKey
from clearing.database import check_schema, make_engine, migrate, session_factory
from clearing.identity import load_or_create_identity
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
    identity: Sm2PrivateKey
    sam: SoftwareSam | None

    def now_us(self) -> int:
        """The center's clock, in journal microseconds."""
        return micros_of(self.settings.clock())

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def _load_sam(settings: Settings) -> SoftwareSam | None:
    if settings.issuer_keystore is None:
        return None
    if settings.issuer_passphrase is None:
        raise CenterConfigurationError("an issuer keystore was given without its passphrase")
    keystore = Keystore.open(settings.issuer_keystore, settings.issuer_passphrase)
    sam = SoftwareSam.from_keystore(keystore)
    log.info("issuer keys loaded: %r", sam)
    return sam


def open_center(settings: Settings, *, migrate_schema: bool = True) -> Center:
    """Connect, migrate, create the identity and first parameters if missing, load issuer keys.

    ``migrate_schema=False`` (every worker of ``citycard-center serve``): the schema must be
    current already (:func:`check_schema`), and the identity and first parameters, if missing,
    are created by whichever worker commits first — the others read them.
    """
    sam = _load_sam(settings)
    engine = make_engine(settings.db_url)
    try:
        if migrate_schema:
            migrate(engine)
        else:
            check_schema(engine)
        sessions = session_factory(engine)
        now = micros_of(settings.clock())

        def first_start() -> Sm2PrivateKey:
            with sessions.begin() as session:
                identity = load_or_create_identity(session, now)
                ensure_parameters(session, now)
                return identity

        identity = retrying(first_start, unique_too=True)
    except BaseException:
        engine.dispose()
        raise
    return Center(settings, engine, sessions, identity, sam)
