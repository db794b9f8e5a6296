"""The center's own SM2 key: created at first start, given to every enrolled device.

Its secret is stored wrapped when the center has a token or key service (clearing.keys.wrapping).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.crypto.sm2 import Sm2PrivateKey
from clearing.keys.wrapping import IDENTITY_CONTEXT, seal, unseal
from clearing.models import CenterIdentityRow


def ensure_identity(session: Session, now_us: int) -> bytes:
    """The center's public key; the key pair is generated and stored the first time.

    The private key is not opened here: administrative commands that never sign need no token.
    """
    row = session.get(CenterIdentityRow, 1)
    if row is None:
        key = Sm2PrivateKey.generate()
        session.add(
            CenterIdentityRow(
                id=1,
                secret=seal(session, key.secret, IDENTITY_CONTEXT),
                public_key=key.public_key,
                created_at_us=now_us,
            )
        )
        return key.public_key
    return row.public_key


def load_identity(session: Session) -> Sm2PrivateKey:
    """The center's private key, unwrapped (by the token or key service when it is wrapped)."""
    row = session.get(CenterIdentityRow, 1)
    if row is None:
        raise LookupError("the center has no identity yet (open_center creates it)")
    return Sm2PrivateKey.from_secret(unseal(session, row.secret, IDENTITY_CONTEXT))
