"""The supervisor's storage warnings, read through the composed counter: low disk, lost mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import composition
from app.card.psam import ApduSam
from app.journal.mirror import MirrorState
from app.services.storage import LOW_SPACE, MB, MIRROR_LOST
from app.settings import Settings, save_settings
from tests.services.soak_support import CHEAP_KDF
from tests.support.cards import make_sam_rig, rig_sam_profile
from tests.support.small_fs import Filler, mounted_tmpfs

PASSPHRASE = "storage-test-passphrase"


@pytest.fixture
def sam(tmp_path, des_issuer) -> ApduSam:
    """The counter's SAM (a virtual PSAM in process): the terminal id comes from it."""
    return make_sam_rig(tmp_path / "counter-sam.json", rig_sam_profile([des_issuer])).open()


def _counter_on(data: Path, settings: Settings, sam: ApduSam) -> composition.Counter:
    composition.init_counter(data, PASSPHRASE, "DEV-S", sam.terminal_id.hex().upper(), CHEAP_KDF)
    save_settings(settings, data / "settings.json")
    return composition.open_counter(data, PASSPHRASE, sam=sam)


def test_low_space_is_announced_before_the_disk_is_full(tmp_path, sam):
    with mounted_tmpfs(tmp_path / "disk", 8 * 1024) as disk:
        counter = _counter_on(disk / "data", Settings(disk_warning_mb=2), sam)
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


def test_the_mirror_from_the_settings_is_attached_and_its_loss_shown(tmp_path, sam):
    with mounted_tmpfs(tmp_path / "usb", 4096) as usb:
        counter = _counter_on(tmp_path / "data", Settings(journal_mirror=str(usb)), sam)
        try:
            mirror = counter.journal.mirror_status()
            assert mirror is not None and mirror.state is MirrorState.OK
            assert mirror.path.parent == usb and mirror.path.exists()
            assert counter.storage_status().warnings() == []
        finally:
            counter.close()
    counter = composition.open_counter(tmp_path / "data", PASSPHRASE, sam=sam)  # the drive is out
    try:
        (warning,) = counter.storage_status().warnings()
        assert warning.template == MIRROR_LOST and str(usb) in str(warning)
    finally:
        counter.close()
