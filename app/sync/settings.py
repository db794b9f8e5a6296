"""Where the clearing center is and how patient to be with it: plain values, no HTTP stack.

Kept apart from :mod:`app.sync.client` so that the settings file, the sync loop and the
composition root can name them without importing ``requests`` (a counter without a center
never does).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_BATCH_RECORDS = 5_000  # the center's limit per upload


@dataclass(frozen=True)
class ClientSettings:
    """Where the center is and how patient to be with it."""

    base_url: str
    ca_file: Path | None = None  # PEM CA bundle to trust instead of the system's
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    upload_read_timeout: float = 60.0  # a batch of thousands of records is verified and stored
    online_timeout: float = 3.0  # connect and read, online MAC2: a clerk waits, the SAM can step in
    retries: int = 3  # further attempts of an idempotent call
    backoff_factor: float = 0.5  # waits 0, 2×f, 4×f… between attempts (urllib3's formula)
    backoff_max: float = 10.0
    max_answer_bytes: int = 64 * 1024 * 1024  # a whole blacklist fits easily
    pool_size: int = 4  # the sync loop and a few service calls at once
    allow_plain_http: bool = False  # http:// is accepted on loopback only, unless this is set
