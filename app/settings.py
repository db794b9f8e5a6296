"""The counter's settings: language, receipt printer, clearing center, reader, scenic mode.

A small JSON file in the data directory (``settings.json``), read at start-up and written
atomically (a crash leaves the old file or the new one, never half of one). Qt-free: the window
edits a :class:`Settings` value, this module keeps it.

A file that cannot be read as settings — not JSON, a format this version does not know, a value
of the wrong type — is never silently half-used: the counter starts with the defaults, the file
is kept aside as ``settings.json.bad`` for a technician, and :func:`load_settings` says so in
plain words (a :class:`SettingsFileError`, translatable like every clerk-facing text).
Keys this version does not know are ignored (a newer version may have written them).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.domain.texts import ClerkFacingError
from app.files import atomic_write
from app.paths import data_dir

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"
FORMAT = 1
LANGUAGES = ("zh_CN", "en")  # Qt locale names of the shipped translations; zh_CN is the default
MAX_FILE_BYTES = 256 * 1024  # a settings file is a few hundred bytes; more is not ours


class SettingsFileError(ClerkFacingError):
    """The settings file could not be used (a warning: the counter runs on the defaults)."""

    advice = (
        "The counter uses the default settings. The unusable file was kept as {kept}; "
        "set the settings again, or ask a technician to look at that file."
    )


class SettingsValueError(ClerkFacingError):
    """A setting typed in the settings dialog is not acceptable."""


@dataclass(frozen=True)
class Settings:
    """What a counter is set to.

    ``printer`` is the receipt printer's own settings dictionary (``{"kind": ...}``, read by the
    printing module); empty means "no receipt printer".
    """

    language: str = "zh_CN"
    printer: Mapping[str, Any] = field(default_factory=dict)
    center_url: str = ""  # empty: no clearing center configured (the counter works offline)
    center_ca_file: str = ""  # a CA bundle for the center's TLS certificate; empty: system CAs
    reader_name: str = ""  # empty: the first PC/SC reader
    sam_reader_name: str = ""  # the reader's SAM slot; empty: $CITYCARD_SAM_READER or the default
    scenic_mode: bool = False  # the ticket-office screens (a later issue)
    auto_print: bool = True  # print every money receipt without a key (top-ups too)
    journal_mirror: str = ""  # a folder on a second medium for the journal's mirror; empty: none
    disk_warning_mb: int = 500  # warn the supervisor when less is free on the data disk

    def problem(self) -> SettingsValueError | None:
        """What is wrong with these settings, or None."""
        if self.language not in LANGUAGES:
            return SettingsValueError(
                "“{language}” is not a language of this counter.",
                advice="Choose Chinese (zh_CN) or English (en).",
                language=self.language,
            )
        if self.center_url:
            parts = urlsplit(self.center_url)
            if parts.scheme not in {"https", "http"} or not parts.hostname:
                return SettingsValueError(
                    "“{url}” is not the address of a clearing center.",
                    advice=(
                        "Type it as https://host[:port], as the issuer gave it; or leave it empty."
                    ),
                    url=self.center_url,
                )
        if self.center_ca_file and not Path(self.center_ca_file).is_file():
            return SettingsValueError(
                "The CA file {path} does not exist.",
                advice="Choose the CA certificate file the issuer gave you, or leave it empty.",
                path=self.center_ca_file,
            )
        if type(self.disk_warning_mb) is not int or not 0 <= self.disk_warning_mb <= 1_000_000:
            return SettingsValueError(
                "{value} is not a disk space warning threshold.",
                advice="Type a number of megabytes from 0 to 1000000.",
                value=repr(self.disk_warning_mb),
            )
        if self.journal_mirror and not Path(self.journal_mirror).is_absolute():
            return SettingsValueError(
                "The journal mirror folder {path} is not a full path.",
                advice="Choose a folder on a second disk, a USB drive or a network share.",
                path=self.journal_mirror,
            )
        if not isinstance(self.printer, Mapping) or not all(
            isinstance(k, str) for k in self.printer
        ):
            return SettingsValueError("The receipt printer settings are not valid.")
        return None

    def to_json(self) -> str:
        """The file's content."""
        doc: dict[str, Any] = {"format": FORMAT}
        for f in fields(self):
            value = getattr(self, f.name)
            doc[f.name] = dict(value) if isinstance(value, Mapping) else value
        return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@dataclass(frozen=True)
class LoadedSettings:
    """What :func:`load_settings` found: the settings, and a warning when the file was unusable."""

    settings: Settings
    warning: SettingsFileError | None = None
    kept_aside: Path | None = None  # where the unusable file now is


def default_path() -> Path:
    """Where this machine's settings live (the data directory)."""
    return data_dir() / FILE_NAME


_TYPES: dict[str, type] = {
    "language": str,
    "printer": dict,
    "center_url": str,
    "center_ca_file": str,
    "reader_name": str,
    "sam_reader_name": str,
    "scenic_mode": bool,
    "auto_print": bool,
    "journal_mirror": str,
    "disk_warning_mb": int,
}


def _parse(raw: bytes) -> Settings:
    """Settings from the file's bytes; ValueError with the reason when they are not settings."""
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"the file is {len(raw)} bytes, far too large for settings")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"it is not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ValueError("it is not a JSON object")
    if doc.get("format") != FORMAT:
        raise ValueError(f"its format {doc.get('format')!r} is not {FORMAT}")
    values: dict[str, Any] = {}
    for name, kind in _TYPES.items():
        if name not in doc:
            continue
        value = doc[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{name} is {type(value).__name__}, not {kind.__name__}")
        values[name] = value
    unknown = sorted(set(doc) - set(_TYPES) - {"format"})
    if unknown:
        log.warning("settings: ignoring keys this version does not know: %s", ", ".join(unknown))
    language = values.get("language", Settings.language)
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    # a CA file that went missing since is kept: the sync says so, and the dialog asks again
    return Settings(**values)


def _keep_aside(path: Path) -> Path:
    """Move an unusable file out of the way (never over an earlier one); its new path."""
    target = path.with_name(path.name + ".bad")
    number = 1
    while target.exists():
        target = path.with_name(f"{path.name}.bad.{number}")
        number += 1
    os.replace(path, target)
    return target


def load_settings(path: Path | None = None) -> LoadedSettings:
    """The settings in ``path`` (default: :func:`default_path`); defaults when there are none.

    An unusable file is moved to ``<name>.bad`` and reported in ``warning``; a file that cannot
    even be read (permissions) is left where it is and reported the same way.
    """
    path = path or default_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except OSError as exc:
        log.warning("settings: cannot read %s: %s", path, exc)
        return LoadedSettings(
            Settings(),
            SettingsFileError(
                "The settings file {path} cannot be read ({reason}).",
                advice="The counter uses the default settings. Ask a technician to check the "
                "file's permissions.",
                path=str(path),
                reason=exc.strerror or type(exc).__name__,
                kept=str(path),
            ),
        )
    try:
        return LoadedSettings(_parse(raw))
    except ValueError as exc:
        reason = str(exc)
    kept = _keep_aside(path)
    log.warning("settings: %s is unusable (%s); kept as %s, using defaults", path, reason, kept)
    return LoadedSettings(
        Settings(),
        SettingsFileError(
            "The settings file {path} was unusable ({reason}).",
            path=str(path),
            reason=reason,
            kept=str(kept),
        ),
        kept,
    )


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` atomically (validated first: SettingsValueError); returns the path."""
    problem = settings.problem()
    if problem is not None:
        raise problem
    path = path or default_path()
    atomic_write(path, settings.to_json().encode("utf-8"))
    return path


def with_changes(settings: Settings, **changes: Any) -> Settings:
    """A copy of ``settings`` with some values changed."""
    return replace(settings, **changes)
