"""The one interface the center's request handlers use for the issuer keys."""

from __future__ import annotations

from typing import Protocol

from app.card.sam import LoadAuthorization, PurchaseAuthorization


class KeysUnavailableError(RuntimeError):
    """The keys cannot be reached now (token gone, key service down): try again later (503)."""


class IssuerKeys(Protocol):
    """Online-load and purchase-TAC cryptography with the issuer's master keys (never seen here).

    Errors: :class:`app.card.errors.CardMacError` for a MAC1 that does not verify,
    :class:`app.card.sam.SamKeyError` for keys this holder does not have, ``ValueError`` for data
    the key derivation cannot take (e.g. a serial shorter than 8 bytes),
    :class:`KeysUnavailableError` when the keys cannot be reached at all.
    """

    def authorize_load(self, auth: LoadAuthorization) -> bytes:
        """Check the card's MAC1, then give MAC2 for ``auth.when`` and ``auth.terminal_id``."""
        ...

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """The TAC a genuine card answers to CREDIT FOR LOAD for ``auth``."""
        ...

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """The TAC a genuine card answers to the purchase ``auth`` describes."""
        ...

    def close(self) -> None:
        """Release sessions and connections."""
        ...
