"""Where the counter keeps its data: one per-machine directory (journal, keystore, settings, logs).

``CITYCARD_DATA_DIR`` overrides it (tests, the demo, a technician's second installation).
Windows: ``%ProgramData%/citycard-counter``; Linux: ``/var/lib/citycard-counter`` when it can
be written, else the user's data directory. Never next to the executable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "citycard-counter"
ENV_DATA_DIR = "CITYCARD_DATA_DIR"
ENV_PASSPHRASE = "CITYCARD_KEYSTORE_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret


def data_dir() -> Path:
    """The per-machine data directory (created on first use by whoever writes to it)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(platformdirs.site_data_dir(APP_NAME, appauthor=False))
    system = Path("/var/lib") / APP_NAME
    if os.access(system if system.exists() else system.parent, os.W_OK):
        return system
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def journal_path() -> Path:
    """The journal database."""
    return data_dir() / "journal.sqlite3"


def keystore_path() -> Path:
    """The keystore (journal keys, device key, SAM keys when the SAM is in software)."""
    return data_dir() / "keystore.json"
