"""Where this counter's clearing center is: ``center.json`` in the data directory.

Written once, at the first run that enrols the device (``init_counter`` with a center URL);
read at every start to build the :class:`~app.sync.client.CenterClient`. It holds no secret —
the device key and the journal keys stay in the keystore — only the center's address and the
CA file to trust instead of the system's. No file: the counter works offline, alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.domain.texts import ClerkFacingError
from app.files import atomic_write
from app.sync.settings import ClientSettings

CENTER_CONFIG_NAME = "center.json"


class CenterConfigError(ClerkFacingError, ValueError):
    """``center.json`` cannot be read (damaged or hand-edited)."""

    advice = (
        "Ask a technician to restore the file from the counter's set-up (it holds only the "
        "clearing center's address and CA file); nothing else was changed."
    )


@dataclass(frozen=True)
class CenterConfig:
    """The clearing center this counter is enrolled with."""

    base_url: str
    ca_file: Path | None = None

    def client_settings(self) -> ClientSettings:
        """The client's settings (timeouts and retries at their defaults)."""
        return ClientSettings(self.base_url, ca_file=self.ca_file)

    def save(self, path: Path) -> None:
        """Write atomically (a crash leaves the old file or the new one)."""
        document = {
            "base_url": self.base_url,
            "ca_file": None if self.ca_file is None else str(self.ca_file),
        }
        atomic_write(path, json.dumps(document, indent=2).encode("utf-8") + b"\n")

    @classmethod
    def load(cls, path: Path) -> CenterConfig | None:
        """The configuration at ``path``; None when there is none (an offline counter)."""
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return None
        try:
            document = json.loads(text)
            base_url = document["base_url"]
            ca_file = document.get("ca_file")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CenterConfigError(
                "{path} is damaged: {reason}", path=str(path), reason=str(exc)
            ) from exc
        if not isinstance(base_url, str) or not (ca_file is None or isinstance(ca_file, str)):
            raise CenterConfigError(
                "{path} is damaged: base_url and ca_file must be text", path=str(path)
            )
        return cls(base_url, None if ca_file is None else Path(ca_file))
