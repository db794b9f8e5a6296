"""Issuer keys held in this process: for tests, benches, development — and the key service.

A production center never runs its web workers with this: they would hold the master keys in
their memory. The key service (:mod:`clearing.keys.service`) uses it behind its socket.
"""

from __future__ import annotations

from pathlib import Path

from app.card.sam import LoadAuthorization, PurchaseAuthorization, SoftwareSam
from app.crypto.keystore import Keystore


class SoftwareIssuerKeys:
    """:class:`~clearing.keys.interface.IssuerKeys` over master keys in memory."""

    def __init__(self, sam: SoftwareSam) -> None:
        self._sam = sam

    def __repr__(self) -> str:
        return f"SoftwareIssuerKeys({self._sam!r})"

    @classmethod
    def from_keystore(cls, path: Path, passphrase: str) -> SoftwareIssuerKeys:
        """Every master-key set of an encrypted keystore (``mk/<alg>/<ver>/<kind>`` entries)."""
        return cls(SoftwareSam.from_keystore(Keystore.open(path, passphrase)))

    def authorize_load(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`IssuerKeys.authorize_load`."""
        return self._sam.authorize_load(auth)

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`IssuerKeys.load_tac`."""
        return self._sam.load_tac(auth)

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """The purchase TAC of ``auth`` (the issuer checks records of its cards spent elsewhere)."""
        return self._sam.purchase_tac(auth)

    def close(self) -> None:
        """Nothing to release."""
