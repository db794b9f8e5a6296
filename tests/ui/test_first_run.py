"""The first-run wizard from the keyboard, and the start-up that makes a counter of its answers."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app import composition
from app.composition import open_counter
from app.settings import FILE_NAME, load_settings
from app.ui.first_run import FirstRunAnswers, FirstRunWizard
from app.ui.startup import assemble, set_up_first_run
from tests.ui.ui_support import WAIT_MS, has_focus, type_into

READERS = ["ACS ACR1252 1S CL Reader PICC 0", "Virtual PCD 00 00"]


def _fill(qtbot, wizard: FirstRunWizard, fields: list[tuple[object, str]]) -> None:
    """Type each field in order, Tab between them, Enter (in the last field) for Next."""
    for number, (field, text) in enumerate(fields, start=1):
        assert has_focus(qtbot, field)
        type_into(qtbot, field, text)
        if number < len(fields):
            qtbot.keyClick(field, Qt.Key.Key_Tab)
    qtbot.keyClick(wizard.focusWidget(), Qt.Key.Key_Return)


def test_the_wizard_asks_page_by_page_and_refuses_what_is_wrong(qtbot):
    wizard = FirstRunWizard(lambda: READERS)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    admin = wizard.admin
    _fill(
        qtbot,
        wizard,
        [
            (admin.username, "Admin"),
            (admin.name, "管理员"),
            (admin.password, "password"),  # one of the most common passwords
            (admin.repeat, "password"),
        ],
    )
    assert wizard.currentPage() is admin
    assert "Choose another password" in admin.message.text()
    admin.password.clear()
    admin.repeat.clear()
    admin.password.setFocus()
    _fill(qtbot, wizard, [(admin.password, "Adm1n-pass-word"), (admin.repeat, "Adm1n-pass-word")])
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.device, timeout=WAIT_MS)

    device = wizard.device
    _fill(
        qtbot,
        wizard,
        [
            (device.device_id, "HZ-OUTLET-07"),
            (device.terminal_id, "0102030405zz"),  # the validator drops what is not hex
            (device.passphrase, "a long keystore passphrase"),
            (device.passphrase_repeat, "a long keystore passphrase"),
        ],
    )
    assert wizard.currentPage() is device
    assert "12 hexadecimal digits" in device.message.text()
    device.terminal_id.setFocus()
    type_into(qtbot, device.terminal_id, "ab")
    qtbot.keyClick(device.terminal_id, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.reader, timeout=WAIT_MS)

    assert [wizard.reader.reader.itemText(i) for i in range(2)] == READERS
    wizard.reader.reader.setCurrentIndex(1)
    qtbot.keyClick(wizard.reader.reader, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.center, timeout=WAIT_MS)

    center = wizard.center
    _fill(qtbot, wizard, [(center.center_url, "ftp://nowhere")])
    assert "is not the address of a clearing center" in center.message.text()
    center.center_url.clear()
    center.center_url.setFocus()
    type_into(qtbot, center.printer, "192.168.1.50:9100")
    qtbot.keyClick(center.printer, Qt.Key.Key_Return)  # Finish
    qtbot.waitUntil(lambda: wizard.result() == QWizard.DialogCode.Accepted, timeout=WAIT_MS)
    answers = wizard.answers()
    assert answers.admin_username == "admin" and answers.admin_name == "管理员"
    assert answers.device_id == "HZ-OUTLET-07" and answers.terminal_id == "0102030405AB"
    assert answers.keystore_passphrase == "a long keystore passphrase"
    assert answers.reader_name == "Virtual PCD 00 00"
    assert answers.center_url == "" and answers.enrolment_code == ""
    assert answers.printer == "192.168.1.50:9100"


def test_the_answers_make_a_counter_the_admin_can_sign_in_to(qtbot, tmp_path, monkeypatch, rig):
    directory = tmp_path / "data"
    directory.mkdir()
    answers = FirstRunAnswers(
        admin_username="admin",
        admin_name="管理员",
        admin_password="Adm1n-pass-word",
        device_id="HZ-OUTLET-07",
        terminal_id="001122334455",  # the SAM's
        keystore_passphrase="a long keystore passphrase",
        reader_name="Virtual PCD 00 00",
        center_url="",
        enrolment_code="",
        printer="",
    )
    # the production KDF costs ~0.5 s: keep the test quick, the set-up path is the same
    real_init = composition.init_counter
    from tests.ui.ui_support import CHEAP_KDF  # noqa: PLC0415

    monkeypatch.setattr(
        composition,
        "init_counter",
        lambda *a, **k: real_init(*a, **{**k, "kdf": CHEAP_KDF}),
    )
    wrong = dataclasses.replace(answers, terminal_id="0102030405AB")
    with pytest.raises(composition.SamMismatchError):  # not the SAM's terminal: nothing set up
        set_up_first_run(directory, "a long keystore passphrase", wrong, rig.sam)
    assert not any(directory.iterdir())
    set_up_first_run(directory, "a long keystore passphrase", answers, rig.sam)
    settings = load_settings(directory / FILE_NAME).settings
    assert settings.reader_name == "Virtual PCD 00 00"
    counter = open_counter(directory, "a long keystore passphrase", sam=rig.sam)
    try:
        assert counter.journal.device_id == "HZ-OUTLET-07"
        assert counter.journal.terminal_id == "001122334455"
        assert not counter.operators.needs_first_admin()
        gui = assemble(counter, lambda: None, "Virtual PCD 00 00")
        qtbot.addWidget(gui.window)
        gui.window.start()
        dialog = gui.window.sign_in_dialog
        qtbot.waitExposed(dialog)
        assert not dialog.first_admin_shown()
        type_into(qtbot, dialog.username, "admin")
        qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
        type_into(qtbot, dialog.password, "Adm1n-pass-word")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: gui.ctx.session.actor is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not gui.ctx.runner.busy(), timeout=WAIT_MS)
        gui.close()
    finally:
        counter.close()
