"""Logging for the counter: rotating files in the data directory, with secrets kept out.

Keys, passwords and enrolment codes never reach a log on purpose; :class:`RedactingFormatter` is
the belt to those braces: it masks long hexadecimal runs (key material, MACs of keys) and the
value after words like ``password`` or ``passphrase`` in any message, before any handler writes
it.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE = "counter.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
TRACE = 5  # below DEBUG: raw APDUs (never key material: the card layer logs commands only)

_HEX_RUN = re.compile(r"\b[0-9A-Fa-f]{32,}\b")
_SECRET_VALUE = re.compile(
    r"(?i)\b(password|passphrase|passwd|secret|enrol(?:l)?ment[_ ]code|token)"
    r"(\s*[=:]\s*|\s+)(\S+)"
)
_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def redact(text: str) -> str:
    """``text`` with key-like hex runs and secret values masked."""
    text = _HEX_RUN.sub(lambda m: f"<{len(m.group(0)) // 2} bytes>", text)
    return _SECRET_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks secrets in the whole text (arguments and tracebacks too).

    A formatter, not a filter: the record itself is left alone for other handlers.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record with secrets masked."""
        return redact(super().format(record))


def configure_logging(directory: Path | None, level: int = logging.INFO) -> Path | None:
    """Log to the console and, when ``directory`` is given, to a rotating file in it.

    Returns the log file's path (``None`` without a directory). Idempotent: handlers installed
    by an earlier call are replaced.
    """
    logging.addLevelName(TRACE, "TRACE")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_citycard", False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    path = None
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / LOG_FILE
        handlers.append(
            RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        )
    for handler in handlers:
        handler.setFormatter(RedactingFormatter(_FORMAT))
        handler._citycard = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return path
