"""Reading a PIN or passphrase from a file only its owner may read (never an env variable)."""

from __future__ import annotations

import stat
from pathlib import Path


class SecretFileError(RuntimeError):
    """The secret file is missing, empty, or readable by others."""


def private_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a private regular file (None: it is one, mode 0600 or stricter)."""
    try:
        info = path.stat()
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file"
    if info.st_mode & 0o077:
        return (
            f"{path} may be read by other users (mode {stat.S_IMODE(info.st_mode):04o}); "
            f"chmod 600 it"
        )
    return None


def read_secret_file(path: Path) -> str:
    """The secret on the first line of a private file (a systemd credential works as is)."""
    problem = private_file_problem(path)
    if problem is not None:
        raise SecretFileError(problem)
    text = path.read_text(encoding="utf-8").split("\n", 1)[0].rstrip("\r")
    if not text:
        raise SecretFileError(f"{path} is empty")
    return text
