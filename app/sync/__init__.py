"""The clearing-center client and the background sync (the only user of ``requests``).

- :mod:`app.sync.client` — :class:`CenterClient`, one call per API operation, typed errors;
- :mod:`app.sync.uploader` — journal batches, the cursor moved only by the center's word;
- :mod:`app.sync.loop` — :class:`SyncLoop`, the background thread, and its :class:`SyncStatus`;
- :mod:`app.sync.lists` — where the blacklist and the parameters go (the counter store).

See docs/sync.md.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.sync.client import CenterClient
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

# each name from its module on first use: a counter without a center imports neither the loop
# nor the client (``requests``) at start-up (issue 20), yet ``from app.sync import X`` works
_HOMES = {
    "CenterClient": "client",
    "BlacklistSink": "lists",
    "ParametersSink": "lists",
    "StoreBlacklist": "lists",
    "StoreParameters": "lists",
    "LoopSettings": "loop",
    "SyncLoop": "loop",
    "ClientSettings": "settings",
    "Connection": "status",
    "PendingMoney": "status",
    "SyncStatus": "status",
    "Uploader": "uploader",
    "UploadRun": "uploader",
    **{
        name: "errors"
        for name in (
            "AuthError",
            "BadResponseError",
            "ConflictError",
            "DeviceSuspendedError",
            "JournalMismatchError",
            "OfflineError",
            "RefusedError",
            "ServerError",
            "SyncError",
            "TlsError",
        )
    },
}


def __getattr__(name: str) -> Any:
    """A name of :data:`__all__`, imported from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
