"""The clearing-center client and the background sync (the only user of ``requests``).

- :mod:`app.sync.client` — :class:`CenterClient`, one call per API operation, typed errors;
- :mod:`app.sync.uploader` — journal batches, the cursor moved only by the center's word;
- :mod:`app.sync.loop` — :class:`SyncLoop`, the background thread, and its :class:`SyncStatus`;
- :mod:`app.sync.lists` — where the blacklist and the parameters go (the counter store).

See docs/sync.md.
"""

from typing import TYPE_CHECKING, Any

from app.sync.errors import (
    AuthError,
    BadResponseError,
    ConflictError,
    DeviceSuspendedError,
    JournalMismatchError,
    OfflineError,
    RefusedError,
    ServerError,
    SyncError,
    TlsError,
)
from app.sync.lists import BlacklistSink, ParametersSink, StoreBlacklist, StoreParameters
from app.sync.loop import LoopSettings, SyncLoop
from app.sync.settings import ClientSettings
from app.sync.status import Connection, PendingMoney, SyncStatus
from app.sync.uploader import Uploader, UploadRun

if TYPE_CHECKING:
    from app.sync.client import CenterClient


def __getattr__(name: str) -> Any:
    """``CenterClient`` on first use: it brings ``requests``, which only a center needs."""
    if name == "CenterClient":
        from app.sync.client import CenterClient  # noqa: PLC0415

        return CenterClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AuthError",
    "BadResponseError",
    "BlacklistSink",
    "CenterClient",
    "ClientSettings",
    "ConflictError",
    "Connection",
    "DeviceSuspendedError",
    "JournalMismatchError",
    "LoopSettings",
    "OfflineError",
    "ParametersSink",
    "PendingMoney",
    "RefusedError",
    "ServerError",
    "StoreBlacklist",
    "StoreParameters",
    "SyncError",
    "SyncLoop",
    "SyncStatus",
    "TlsError",
    "UploadRun",
    "Uploader",
]
