"""The supervisor's storage warnings, read through the composed counter: low disk, lost mirror."""

from __future__ import annotations

from pathlib import Path

from app import composition
from app.journal.mirror import MirrorState
from app.services.storage import LOW_SPACE, MB, MIRROR_LOST
from app.settings import Settings, save_settings
from tests.services.soak_support import CHEAP_KDF
from tests.support.small_fs import Filler, mounted_tmpfs

PASSPHRASE = "storage-test-passphrase"


def _counter_on(data: Path, settings: Settings) -> composition.Counter:
    composition.init_counter(data, PASSPHRASE, "DEV-S", "0102030405AB", {}, CHEAP_KDF)
    save_settings(settings, data / "settings.json")
    return composition.open_counter(data, PASSPHRASE)


def test_low_space_is_announced_before_the_disk_is_full(tmp_path):
    with mounted_tmpfs(tmp_path / "disk", 8 * 1024) as disk:
        counter = _counter_on(disk / "data", Settings(disk_warning_mb=2))
        try:
            assert counter.storage_status().warnings() == []
            filler = Filler(disk)
            filler.fill()
            filler.free()
            # leave about 1 MB: below the 2 MB threshold, the counter still works
            (disk / "ballast").write_bytes(b"\0" * (counter.storage_status().free_bytes - MB))
            status = counter.storage_status()
            assert status.low_space
            (warning,) = status.warnings()
            assert warning.template == LOW_SPACE
            assert "MB left" in str(warning) and "warning below 2 MB" in str(warning)
        finally:
            counter.close()


def test_the_mirror_from_the_settings_is_attached_and_its_loss_shown(tmp_path):
    with mounted_tmpfs(tmp_path / "usb", 4096) as usb:
        counter = _counter_on(tmp_path / "data", Settings(journal_mirror=str(usb)))
        try:
            mirror = counter.journal.mirror_status()
            assert mirror is not None and mirror.state is MirrorState.OK
            assert mirror.path.parent == usb and mirror.path.exists()
            assert counter.storage_status().warnings() == []
        finally:
            counter.close()
    counter = composition.open_counter(tmp_path / "data", PASSPHRASE)  # the drive is out
    try:
        (warning,) = counter.storage_status().warnings()
        assert warning.template == MIRROR_LOST and str(usb) in str(warning)
    finally:
        counter.close()
