"""Tools → Copy diagnostics in the real window: the zip is written, its path on the clipboard."""

from __future__ import annotations

import zipfile
from types import SimpleNamespace

from PySide6.QtWidgets import QApplication

from app.ui.startup import _add_diagnostics_tool
from tests.ui.ui_support import main_window, ui_rig  # noqa: F401 - fixtures

WAIT_MS = 10_000


def test_copy_diagnostics_writes_the_zip_and_copies_its_path(qtbot, ui_rig, main_window):  # noqa: F811
    gui = SimpleNamespace(window=main_window, ctx=ui_rig.ctx)
    _add_diagnostics_tool(gui, ui_rig.directory)  # type: ignore[arg-type]
    ui_rig.sign_in()
    actions = [a for a in main_window.tools_menu.actions() if "diagnostics" in a.text()]
    assert len(actions) == 1 and actions[0].isEnabled()
    actions[0].trigger()
    written = list((ui_rig.directory / "diagnostics").glob("citycard-diagnostics-*.zip"))
    assert len(written) == 1
    assert QApplication.clipboard().text() == str(written[0])
    assert str(written[0]) in ui_rig.errors.last[0]
    with zipfile.ZipFile(written[0]) as archive:
        names = set(archive.namelist())
        assert "PySide6:" in archive.read("versions.txt").decode()
    assert {"versions.txt", "settings.json", "files.txt"} <= names
    assert not any("keystore" in n or n.endswith(".sqlite3") for n in names)
