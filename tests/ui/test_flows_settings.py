"""The settings dialog from the keyboard: a round trip through the file, a corrupt file, roles."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.composition import init_counter, open_counter
from app.journal.mirror import MirrorState, mirror_path
from app.settings import FILE_NAME, Settings, load_settings, save_settings
from app.ui.flows.settings_dialog import SettingsDialog
from tests.support.small_fs import mounted_tmpfs
from tests.ui.flows_support import flows, focused, press, settle, shown, type_text
from tests.ui.ui_support import CHEAP_KDF, DEVICE_ID, PASSPHRASE, TERMINAL_ID

__all__ = ["flows"]  # the fixture
ALT = Qt.KeyboardModifier.AltModifier
READER = "Virtual PCD 00 00"


def _dialog(qtbot, rig, path):
    dialog = SettingsDialog(rig.ctx, path=path, list_readers=lambda: [READER, "ACS ACR122U"])
    shown(qtbot, dialog)
    settle(qtbot, dialog)  # the readers are listed on the card thread
    return dialog


def test_round_trip_through_the_file(qtbot, flows, tmp_path):
    flows.sign_in(flows.admin)
    path = tmp_path / FILE_NAME
    dialog = _dialog(qtbot, flows, path)
    assert focused(dialog) is dialog.language
    assert dialog.language.currentData() == "zh_CN"
    languages = []
    dialog.language_changed.connect(languages.append)

    press(qtbot, dialog, Qt.Key.Key_Down)  # English
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert focused(dialog) is dialog.auto_print and dialog.auto_print.isChecked()
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert focused(dialog) is dialog.printer_kind
    press(qtbot, dialog, Qt.Key.Key_Down, times=3)  # thermal printer on the network
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert focused(dialog) is dialog.host
    type_text(qtbot, dialog, "192.0.2.10")
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert focused(dialog) is dialog.port
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert focused(dialog) is dialog.paper
    press(qtbot, dialog, Qt.Key.Key_Down)  # 58 mm paper
    press(qtbot, dialog, Qt.Key.Key_A, ALT)  # &Address (URL)
    assert focused(dialog) is dialog.center_url
    type_text(qtbot, dialog, "https://center.example:8443")
    press(qtbot, dialog, Qt.Key.Key_R, ALT)  # Card &reader
    type_text(qtbot, dialog, "Virtual PCD 00 00")
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert focused(dialog) is dialog.scenic
    press(qtbot, dialog, Qt.Key.Key_Space)
    press(qtbot, dialog, Qt.Key.Key_Return)  # Enter saves
    settle(qtbot, dialog)

    expected = Settings(
        language="en",
        printer={"kind": "escpos_network", "host": "192.0.2.10", "port": 9100, "columns": 32},
        center_url="https://center.example:8443",
        reader_name="Virtual PCD 00 00",
        scenic_mode=True,
    )
    assert not dialog.isVisible() and dialog.saved == expected
    assert languages == ["en"]
    assert load_settings(path).settings == expected

    again = _dialog(qtbot, flows, path)  # what was saved is what the dialog shows
    assert again.chosen() == expected
    assert again.host.text() == "192.0.2.10" and again.scenic.isChecked()
    press(qtbot, again, Qt.Key.Key_Escape)
    assert load_settings(path).settings == expected


def test_a_corrupt_file_is_said_kept_aside_and_replaced_on_save(qtbot, flows, tmp_path):
    flows.sign_in(flows.admin)
    path = tmp_path / FILE_NAME
    path.write_bytes(b'{"format": 1, "language": ')
    dialog = _dialog(qtbot, flows, path)
    text = dialog.message_text()
    assert "was unusable" in text and "settings.json.bad" in text
    assert dialog.language.currentData() == "zh_CN"
    assert (tmp_path / "settings.json.bad").read_bytes() == b'{"format": 1, "language": '
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert load_settings(path).settings == Settings(printer={"kind": "none"})
    assert json.loads(path.read_text())["format"] == 1


def test_a_bad_address_is_refused_and_nothing_is_written(qtbot, flows, tmp_path):
    flows.sign_in(flows.admin)
    path = tmp_path / FILE_NAME
    save_settings(Settings(language="en"), path)
    before = path.read_bytes()
    dialog = _dialog(qtbot, flows, path)
    press(qtbot, dialog, Qt.Key.Key_A, ALT)
    type_text(qtbot, dialog, "center.example")
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "is not the address of a clearing center" in dialog.message_text()
    assert dialog.isVisible() and path.read_bytes() == before


def test_a_clerk_changes_the_language_only(qtbot, flows, tmp_path):
    path = tmp_path / FILE_NAME
    printer = {"kind": "pdf", "directory": str(tmp_path), "heading": "杭州通"}
    save_settings(Settings(printer=printer, center_url="https://c.example"), path)
    dialog = _dialog(qtbot, flows, path)  # the clerk is signed in
    assert not dialog.center_url.isEnabled() and not dialog.printer_kind.isEnabled()
    assert dialog.admin_note.isVisibleTo(dialog)
    press(qtbot, dialog, Qt.Key.Key_Down)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    saved = load_settings(path).settings
    assert saved.language == "en" and dict(saved.printer) == printer
    assert saved.center_url == "https://c.example"


def test_a_mirror_on_a_second_file_system_is_saved_and_attached_at_the_next_start(
    qtbot, flows, tmp_path
):
    """From the keyboard: a mirror folder on a real second file system (a tmpfs) and a warning
    threshold are saved; the counter opened next on that data directory mirrors its journal."""
    flows.sign_in(flows.admin)
    data = tmp_path / "second-counter"
    data.mkdir()
    init_counter(data, PASSPHRASE, DEVICE_ID, TERMINAL_ID, CHEAP_KDF)
    path = data / FILE_NAME
    with mounted_tmpfs(tmp_path / "usb", 4096) as usb:
        dialog = _dialog(qtbot, flows, path)
        assert dialog.mirror.isEnabled() and dialog.disk_warning.value() == 500
        press(qtbot, dialog, Qt.Key.Key_M, ALT)  # &Mirror folder
        assert focused(dialog) is dialog.mirror
        type_text(qtbot, dialog, str(usb))
        press(qtbot, dialog, Qt.Key.Key_Tab)
        assert focused(dialog) is dialog.mirror_browse
        press(qtbot, dialog, Qt.Key.Key_G, ALT)  # Disk space warnin&g below
        assert focused(dialog) is dialog.disk_warning
        press(qtbot, dialog, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_text(qtbot, dialog, "800")
        press(qtbot, dialog, Qt.Key.Key_Return)  # Enter saves
        settle(qtbot, dialog)
        assert not dialog.isVisible(), dialog.message_text()
        saved = load_settings(path).settings
        assert saved.journal_mirror == str(usb) and saved.disk_warning_mb == 800
        assert json.loads(path.read_text())["journal_mirror"] == str(usb)

        counter = open_counter(data, PASSPHRASE, sam=flows.counter.sam)
        try:
            status = counter.journal.mirror_status()
            assert status is not None and status.state is MirrorState.OK, status
            assert status.path == mirror_path(usb, DEVICE_ID) and status.path.is_file()
            storage = counter.storage_status()  # the threshold reaches the status bar
            assert storage.threshold_bytes == 800 * 1024 * 1024 and storage.mirror == status
        finally:
            counter.close()


def test_a_mirror_folder_on_the_data_disk_is_refused_with_the_reason(qtbot, flows, tmp_path):
    flows.sign_in(flows.admin)
    path = tmp_path / FILE_NAME
    save_settings(Settings(language="en"), path)
    before = path.read_bytes()
    same_disk = tmp_path / "not-a-usb-drive"
    same_disk.mkdir()
    dialog = _dialog(qtbot, flows, path)
    press(qtbot, dialog, Qt.Key.Key_M, ALT)
    type_text(qtbot, dialog, str(same_disk))
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    text = dialog.message_text()
    assert "is on the same disk as the journal" in text and str(same_disk) in text
    assert "second disk, a USB drive or a network share" in text  # what to do
    assert dialog.isVisible() and path.read_bytes() == before
    assert focused(dialog) is dialog.mirror


def test_a_mirror_folder_that_does_not_exist_is_refused(qtbot, flows, tmp_path):
    flows.sign_in(flows.admin)
    path = tmp_path / FILE_NAME
    dialog = _dialog(qtbot, flows, path)
    press(qtbot, dialog, Qt.Key.Key_M, ALT)
    type_text(qtbot, dialog, str(tmp_path / "unplugged-drive"))
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "is not there" in dialog.message_text()
    assert dialog.isVisible() and not path.exists()
