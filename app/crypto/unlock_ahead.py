"""Unlocking the keystore on its own thread, while the window's modules are still importing.

Argon2id (:meth:`app.crypto.keystore.KdfParams.derive`) is memory-hard on purpose: a tenth of a
second or more on a counter PC. The KDF runs in native code that releases the GIL, so the start
(:mod:`app.main`) hands it to a thread *before* importing Qt, the store and the window, and takes
the opened :class:`Keystore` from :meth:`KeystoreUnlock.result` when the counter is opened
(:func:`app.composition.open_counter`'s ``keystore``). This module imports only the keystore.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.crypto.keystore import Keystore


class KeystoreUnlock:
    """:meth:`Keystore.open` of ``path`` with ``passphrase``, started at once on a thread."""

    def __init__(self, path: Path, passphrase: str) -> None:
        self.path = path
        self._keystore: Keystore | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(passphrase,), name="keystore-unlock", daemon=True
        )
        self._thread.start()

    def _run(self, passphrase: str) -> None:
        try:
            self._keystore = Keystore.open(self.path, passphrase)
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> Keystore:
        """The opened keystore (waits for the thread); its :class:`KeystoreError` re-raised."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        assert self._keystore is not None
        return self._keystore
