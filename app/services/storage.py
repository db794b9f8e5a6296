"""What the supervisor must know about the counter's disks: free space, and the journal mirror.

Read on a timer by the status bar (through :meth:`app.composition.Counter.storage_status`):
cheap (one ``statvfs``, the mirror's state held in memory), never raising. Warnings are
translatable templates with values (:mod:`app.domain.texts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain.texts import fill, marked
from app.files import free_bytes
from app.journal import Journal
from app.journal.mirror import MirrorState, MirrorStatus

MB = 1024 * 1024

LOW_SPACE = marked(
    "Disk space is low: {free_mb} MB left for the counter's data (warning below {threshold_mb} "
    "MB). Supervisor: free space now; when the disk is full the counter takes no more money."
)
MIRROR_LOST = marked(
    "The journal's mirror at {path} cannot be written ({problem}). The counter goes on with "
    "tighter offline limits. Supervisor: plug the mirror's drive back in or repair the share; "
    "it catches up by itself."
)
MIRROR_REFUSED = marked(
    "The journal's mirror at {path} was not written ({problem}). Supervisor: keep that drive "
    "as it is and call support: it may hold records the journal lost."
)


@dataclass(frozen=True)
class StorageWarning:
    """One thing the supervisor should see: a template and its values."""

    template: str
    params: dict[str, object]

    def __str__(self) -> str:
        return fill(self.template, self.params)


@dataclass(frozen=True)
class StorageStatus:
    """Free space on the data disk and the mirror's state."""

    free_bytes: int
    threshold_bytes: int
    mirror: MirrorStatus | None  # None: no mirror configured

    @property
    def low_space(self) -> bool:
        """Whether less than the threshold is free on the data disk."""
        return self.free_bytes < self.threshold_bytes

    def warnings(self) -> list[StorageWarning]:
        """What to show the supervisor, most urgent first (empty: all well)."""
        found: list[StorageWarning] = []
        if self.mirror is not None and self.mirror.state is MirrorState.REFUSED:
            found.append(StorageWarning(MIRROR_REFUSED, self._mirror_params(self.mirror)))
        elif self.mirror is not None and self.mirror.state is MirrorState.LOST:
            found.append(StorageWarning(MIRROR_LOST, self._mirror_params(self.mirror)))
        if self.low_space:
            found.append(
                StorageWarning(
                    LOW_SPACE,
                    {
                        "free_mb": self.free_bytes // MB,
                        "threshold_mb": self.threshold_bytes // MB,
                    },
                )
            )
        return found

    @staticmethod
    def _mirror_params(mirror: MirrorStatus) -> dict[str, object]:
        return {"path": str(mirror.path), "problem": mirror.problem or ""}


def storage_status(data_dir: Path, journal: Journal, warning_mb: int) -> StorageStatus:
    """The data disk's free space against ``warning_mb``, and the journal mirror's state."""
    try:
        free = free_bytes(data_dir)
    except OSError:
        free = 0  # cannot even ask: as bad as full
    return StorageStatus(free, warning_mb * MB, journal.mirror_status())
