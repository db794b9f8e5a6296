"""The center's own SM2 key: created at first start, given to every enrolled device.

Its secret is stored wrapped when the center has a token or key service (clearing.keys.wrapping).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.crypto.sm2 import Sm2PrivateKey
from clearing.keys.wrapping import IDENTITY_CONTEXT, seal, unseal
from clearing.models import CenterIdentityRow


def load_or_create_identity(session: Session, now_us: int) -> Sm2PrivateKey:
    """The center's key pair, generated and stored the first time (caller commits)."""
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
        return key
    return Sm2PrivateKey.from_secret(unseal(session, row.secret, IDENTITY_CONTEXT))
