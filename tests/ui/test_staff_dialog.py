"""Tools → Staff from the keyboard: create, set a role, lock, unlock, set a new password.

A real counter (store and journal files), the service behind the dialog; what the dialog did is
checked by signing in through the service afterwards. Also: the menu entry is an admin's only,
and a sign-in dialog over an emptied operator table says so instead of offering a first admin.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from app.domain.people import Role
from app.services.operators import LockedByAdminError
from app.ui.flows import register_flows
from app.ui.flows.staff import StaffDialog
from app.ui.i18n import LanguageSwitcher
from app.ui.main_window import MainWindow
from app.ui.sign_in import SignInDialog
from tests.ui.flows_support import mnemonic
from tests.ui.ui_support import ADMIN, CLERK, WAIT_MS, UiRig, has_focus, type_into

NEW_PW = "Tram-ride-2468"


def _open(qtbot, ui: UiRig) -> StaffDialog:
    dialog = StaffDialog(ui.ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.model.rowCount() > 0, timeout=WAIT_MS)
    return dialog


def _alt(qtbot, dialog: StaffDialog, key: Qt.Key) -> None:
    """Alt+key in the focused window (a button's click is animated: waited for)."""
    mnemonic(qtbot, dialog, key)


def _settled(qtbot, dialog: StaffDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not dialog.ctx.runner.busy(), timeout=WAIT_MS)


def _row(dialog: StaffDialog, username: str):  # type: ignore[no-untyped-def]
    return next(a for a in dialog.model.accounts if a.username == username)


def test_an_admin_runs_the_staff_screen_from_the_keyboard(qtbot, ui_rig: UiRig) -> None:
    ui_rig.sign_in(ADMIN)
    dialog = _open(qtbot, ui_rig)
    assert has_focus(qtbot, dialog.table)
    assert [a.username for a in dialog.model.accounts] == ["admin", "clerk1", "sup1"]

    # create: Alt+U, the username, Enter, the name, Enter, Alt+W, the password, Enter
    _alt(qtbot, dialog, Qt.Key.Key_U)
    assert has_focus(qtbot, dialog.username)
    type_into(qtbot, dialog.username, "clerk2")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert has_focus(qtbot, dialog.display_name)
    type_into(qtbot, dialog.display_name, "张三")
    _alt(qtbot, dialog, Qt.Key.Key_W)
    type_into(qtbot, dialog.password, NEW_PW)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    _settled(qtbot, dialog)
    assert "clerk2" in dialog.message_text(), dialog.message_text()
    assert _row(dialog, "clerk2").role is Role.CLERK
    assert ui_rig.counter.operators.sign_in("clerk2", NEW_PW).role is Role.CLERK

    # set a role: select clerk1 with the arrow keys, Alt+O, Down to supervisor, Alt+R
    dialog.table.setFocus()
    while dialog.selected() is None or dialog.selected().username != "clerk1":  # type: ignore[union-attr]
        qtbot.keyClick(dialog.table, Qt.Key.Key_Up)
    _alt(qtbot, dialog, Qt.Key.Key_O)
    assert has_focus(qtbot, dialog.role)
    qtbot.keyClick(dialog.role, Qt.Key.Key_Down)
    _alt(qtbot, dialog, Qt.Key.Key_R)
    _settled(qtbot, dialog)
    assert _row(dialog, "clerk1").role is Role.SUPERVISOR
    assert ui_rig.counter.operators.sign_in(CLERK[0], CLERK[2]).role is Role.SUPERVISOR

    # lock (Alt+L), then unlock (Alt+K)
    _alt(qtbot, dialog, Qt.Key.Key_L)
    _settled(qtbot, dialog)
    assert _row(dialog, "clerk1").locked_by_admin
    with pytest.raises(LockedByAdminError):
        ui_rig.counter.operators.sign_in(CLERK[0], CLERK[2])
    assert dialog.unlock_button.isEnabled() and not dialog.lock_button.isEnabled()
    _alt(qtbot, dialog, Qt.Key.Key_K)
    _settled(qtbot, dialog)
    assert not _row(dialog, "clerk1").locked_by_admin

    # a new password: Alt+W, the password, Alt+P
    _alt(qtbot, dialog, Qt.Key.Key_W)
    type_into(qtbot, dialog.password, "Fresh-pass-8642")
    _alt(qtbot, dialog, Qt.Key.Key_P)
    _settled(qtbot, dialog)
    assert "clerk1" in dialog.message_text()
    assert ui_rig.counter.operators.sign_in(CLERK[0], "Fresh-pass-8642").username == "clerk1"


def test_a_refused_change_is_said_in_the_dialog(qtbot, ui_rig: UiRig) -> None:
    ui_rig.sign_in(ADMIN)
    dialog = _open(qtbot, ui_rig)
    _alt(qtbot, dialog, Qt.Key.Key_U)
    type_into(qtbot, dialog.username, "clerk3")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    type_into(qtbot, dialog.display_name, "李四")
    _alt(qtbot, dialog, Qt.Key.Key_W)
    type_into(qtbot, dialog.password, "password")  # a common one
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    _settled(qtbot, dialog)
    assert "refused" in dialog.message_text()
    assert has_focus(qtbot, dialog.password) and dialog.password.text() == ""
    assert "clerk3" not in [a.username for a in dialog.model.accounts]


def test_the_menu_entry_is_for_admins_only(qtbot, ui_rig: UiRig) -> None:
    window = MainWindow(ui_rig.ctx, ui_rig.bridge)
    qtbot.addWidget(window)
    register_flows(window, ui_rig.ctx)
    staff = next(a for a in window.tools_menu.actions() if "taff" in a.text())
    ui_rig.sign_in(CLERK)
    window._update_menus()
    assert not staff.isVisible()
    ui_rig.ctx.session.sign_out()
    ui_rig.sign_in(ADMIN)
    window._update_menus()
    assert staff.isVisible()


def test_an_emptied_operator_table_gets_a_clear_word_not_a_first_admin(
    qtbot, ui_rig: UiRig
) -> None:
    conn = sqlite3.connect(ui_rig.directory / "counter.sqlite3")
    conn.execute("DELETE FROM operator")
    conn.commit()
    conn.close()
    dialog = SignInDialog(ui_rig.ctx)
    qtbot.addWidget(dialog)
    assert not dialog.first_admin_shown()
    assert "missing from its store" in dialog.message_text()


def test_staff_screen_screenshot_zh_cn(qtbot, ui_rig: UiRig, tmp_path: Path) -> None:
    """The window at 1366×768 in Chinese with the staff screen over it, saved as a PNG."""
    languages = LanguageSwitcher(QApplication.instance())
    assert languages.switch("zh_CN")
    try:
        window = MainWindow(ui_rig.ctx, ui_rig.bridge)
        qtbot.addWidget(window)
        register_flows(window, ui_rig.ctx)
        ui_rig.sign_in(ADMIN)
        window._update_menus()
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        dialog = StaffDialog(ui_rig.ctx, window)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy and dialog.model.rowCount() == 3, timeout=WAIT_MS)
        dialog.table.selectRow(1)
        ui_rig.counter.operators.lock(ui_rig.ctx.session.require_actor(), "clerk1")
        dialog.refresh()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
        qtbot.wait(100)
        image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        painter = QPainter(image)
        at = QPoint(
            max(0, (image.width() - dialog.width()) // 2),
            max(0, (image.height() - dialog.height()) // 2),
        )
        painter.drawImage(at, dialog.grab().toImage())
        painter.end()
        out = Path(os.environ.get("CITYCARD_SHOTS", tmp_path)) / "staff_zh_CN.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        assert image.save(str(out))
        assert (image.width(), image.height()) == (1366, 768)
        assert "员工" in dialog.windowTitle()
        dialog.close()
    finally:
        languages.switch("en")


def test_after_an_admin_reset_the_clerk_chooses_a_new_password_at_sign_in(
    qtbot, ui_rig: UiRig
) -> None:
    operators = ui_rig.counter.operators
    admin = operators.sign_in(ADMIN[0], ADMIN[2])
    operators.change_password(admin, "Given-pass-1357", username=CLERK[0])
    dialog = SignInDialog(ui_rig.ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog.username, CLERK[0])
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    type_into(qtbot, dialog.password, "Given-pass-1357")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.new_password_shown, timeout=WAIT_MS)
    assert ui_rig.ctx.session.actor is None  # not signed in until the password is the clerk's
    assert has_focus(qtbot, dialog.new_password)
    type_into(qtbot, dialog.new_password, "Own-choice-8642")
    qtbot.keyClick(dialog.new_password, Qt.Key.Key_Return)
    type_into(qtbot, dialog.new_repeat, "Own-choice-8642")
    qtbot.keyClick(dialog.new_repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ui_rig.ctx.session.actor is not None, timeout=WAIT_MS)
    assert ui_rig.ctx.session.actor.username == CLERK[0]
    assert operators.sign_in(CLERK[0], "Own-choice-8642").username == CLERK[0]
