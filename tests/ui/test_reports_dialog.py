"""Reports from the wired window: Tools → Reports… (Ctrl+R), the preview after a shift close, and
the language switched through the settings dialog.

A real counter (tests/ui/ui_support.py) with shifts worked through the services; the PDFs are
read back with pdftotext, the CSVs as text. The Reports dialog is rendered to
/tmp/shots/reports/ to be looked at.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.composition import CARD_TIMEZONE
from app.domain.people import Actor
from app.journal import RecordKind
from app.settings import FILE_NAME, Settings, save_settings
from app.store.shifts import Shift
from app.ui.flows.reports import ReportsDialog
from app.ui.flows.settings_dialog import SettingsDialog
from app.ui.i18n import LanguageSwitcher, translations_dir
from app.ui.printing.report_doc import ReportPreviewDialog
from app.ui.shift_dialogs import ShiftCloseDialog
from tests.ui.test_receipt_printing import Wired, pdf_text, wire, wired
from tests.ui.ui_support import ADMIN, CLERK, SUPERVISOR, WAIT_MS, has_focus, type_into

__all__ = ["wired"]  # the fixture
CTRL = Qt.KeyboardModifier.ControlModifier
SHOTS = Path("/tmp/shots/reports")


def _work_a_shift(w: Wired, who: tuple[str, str, str], top_ups: list[int], close: bool) -> Shift:
    """Sign ``who`` in, open a shift, top the card up in cash, and close it (count exact)."""
    actor = w.ui.sign_in(who)
    shift = w.ui.open_shift(50_000)
    for fen in top_ups:
        w.ui.counter.topups.top_up(actor, shift.id, w.ui.rig.open(), fen, "cash")
    if close:
        _close(w, actor, shift, 50_000 + sum(top_ups))
    return shift


def _close(w: Wired, actor: Actor, shift: Shift, cash_fen: int) -> None:
    hundreds, rest = divmod(cash_fen, 10_000)
    shifts = w.ui.counter.shifts
    shifts.declare_count(actor, shift.id, {10_000: hundreds, 1_000: rest // 1_000})
    shifts.close_shift(actor, shift.id)
    w.ui.ctx.session.set_shift(None)


def _open_reports(qtbot, w: Wired) -> ReportsDialog:
    window = w.gui.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL)
    reports = w.gui.reports
    assert reports is not None
    qtbot.waitUntil(lambda: reports.dialog is not None, timeout=WAIT_MS)
    dialog = reports.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and not dialog.busy, timeout=WAIT_MS)
    return dialog


def _saved(qtbot, dialog: ReportsDialog, path: Path) -> Path:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.written == path, dialog.message_text()
    assert str(path) in dialog.message_text()
    return path


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _shoot(widget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


# -- the dialog ------------------------------------------------------------------------------------


def test_reports_is_in_the_tools_menu_for_everyone_signed_in(wired):
    window = wired.gui.window
    wired.ui.sign_in(CLERK)
    tools = {a.text(): a for a in window.tools_menu.actions() if a.isVisible()}
    assert "&Reports…" in tools
    assert tools["&Reports…"].shortcut().toString() == "Ctrl+R"
    wired.ui.ctx.session.sign_out()
    assert not any(a.isVisible() for a in window.tools_menu.actions())


def test_a_clerk_is_offered_only_their_own_shifts(qtbot, wired):
    w = wired
    first = _work_a_shift(w, CLERK, [5_000], close=True)
    other = _work_a_shift(w, SUPERVISOR, [2_000], close=False)
    w.ui.ctx.session.sign_out()
    second = _work_a_shift(w, CLERK, [], close=False)

    dialog = _open_reports(qtbot, w)
    assert dialog.listed_shifts() == [second.id, first.id]  # newest first, theirs only
    assert other.id not in dialog.listed_shifts()
    assert not dialog.day_mode.isVisibleTo(dialog) and not dialog.day.isVisibleTo(dialog)
    assert "your own shifts" in dialog.scope_note.text()
    assert has_focus(qtbot, dialog.shift_list)
    assert "王芳 (clerk1)" in dialog.shift_list.item(0).text()
    assert "open" in dialog.shift_list.item(0).text()
    _shoot(dialog, "reports-clerk-en")
    # the day's report is not theirs to read, even if asked for
    dialog.day_mode.setChecked(True)
    assert dialog.target() is None and not dialog.preview_button.isEnabled()
    dialog.reject()

    w.ui.ctx.session.sign_out()
    w.ui.sign_in(SUPERVISOR)
    dialog = _open_reports(qtbot, w)
    assert dialog.listed_shifts() == [second.id, other.id, first.id]
    assert dialog.day_mode.isVisibleTo(dialog)
    dialog.select_day(first_day(w))
    _shoot(dialog, "reports-supervisor-en")
    dialog.reject()


def first_day(w: Wired):
    """The calendar day (counter time) the journal's first shift opened."""
    first = w.ui.counter.journal.records_of_kinds(RecordKind.SHIFT_OPEN)[0]
    return first.at.astimezone(CARD_TIMEZONE).date()


def test_a_shift_report_saved_as_pdf_and_csv(qtbot, wired, tmp_path):
    w = wired
    shift = _work_a_shift(w, CLERK, [5_000, 3_000], close=True)
    dialog = _open_reports(qtbot, w)
    assert dialog.listed_shifts() == [shift.id]

    pdf = _saved(qtbot, dialog, dialog_save(dialog.save_pdf, tmp_path / "out" / "shift.pdf"))
    text = pdf_text(pdf)
    assert f"Shift report — shift {shift.id}" in text
    assert "¥80.00" in text  # the takings
    assert "¥580.00" in text  # the expected cash: float + takings

    csv_path = _saved(qtbot, dialog, dialog_save(dialog.export_csv, tmp_path / "shift.csv"))
    rows = _csv_rows(csv_path)
    assert rows[0][:5] == ["Section", "Item", "Payment method", "Count", "Amount"]
    assert any("80.00" in row for row in rows)
    assert any("580.00" in row for row in rows)


def dialog_save(action, path: Path) -> Path:
    """Save through ``action`` to ``path`` (what the file chooser would return)."""
    action(path)
    return path


def test_a_daily_report_saved_as_pdf_and_csv_by_a_supervisor(qtbot, wired, tmp_path):
    w = wired
    _work_a_shift(w, CLERK, [5_000], close=True)
    _work_a_shift(w, SUPERVISOR, [2_000], close=True)
    w.ui.sign_in(SUPERVISOR)
    dialog = _open_reports(qtbot, w)
    day = first_day(w)
    dialog.select_day(day)
    assert dialog.target() == day

    pdf = _saved(qtbot, dialog, dialog_save(dialog.save_pdf, tmp_path / "day.pdf"))
    text = pdf_text(pdf)
    assert f"Daily report — {day.isoformat()}" in text
    assert "¥70.00" in text  # both shifts' takings
    assert "王芳" in text and "李强" in text  # both shifts listed

    rows = _csv_rows(_saved(qtbot, dialog, dialog_save(dialog.export_csv, tmp_path / "day.csv")))
    assert any("70.00" in row for row in rows)


def test_a_folder_that_cannot_be_written_is_said(qtbot, wired, tmp_path):
    w = wired
    _work_a_shift(w, CLERK, [], close=False)
    dialog = _open_reports(qtbot, w)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog.save_pdf(blocker / "report.pdf")
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert "could not be saved" in dialog.message_text()
    assert "another folder" in dialog.message_text()
    assert dialog.written is None
    assert w.ui.errors.last is None  # said in the dialog, not as an internal error


def test_enter_on_a_shift_opens_its_preview(qtbot, wired):
    w = wired
    shift = _work_a_shift(w, CLERK, [5_000], close=False)
    dialog = _open_reports(qtbot, w)
    assert has_focus(qtbot, dialog.shift_list)
    qtbot.keyClick(dialog.shift_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT_MS)
    preview = dialog.preview
    assert isinstance(preview, ReportPreviewDialog)
    qtbot.waitUntil(lambda: preview.pages > 0, timeout=WAIT_MS)
    assert preview.windowTitle() == f"Shift report — shift {shift.id}"
    _shoot(preview, "report-preview-en")
    preview.close()


# -- the shift close ----------------------------------------------------------------------------


def test_closing_a_shift_opens_the_preview_of_its_report(qtbot, wired):
    w = wired
    window = w.gui.window
    shift = _work_a_shift(w, CLERK, [5_000], close=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: getattr(window, "shift_close_dialog", None) is not None)
    dialog = window.shift_close_dialog
    qtbot.waitExposed(dialog)
    for denomination, edit in dialog.pieces.items():  # ¥550.00: exactly what is expected
        assert has_focus(qtbot, edit)
        pieces = {10_000: 5, 5_000: 1}.get(denomination)
        if pieces:
            type_into(qtbot, edit, str(pieces))
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.page() == ShiftCloseDialog.CLOSED, timeout=WAIT_MS)
    assert dialog.primary.text() == "&Print report"
    assert has_focus(qtbot, dialog.primary)
    qtbot.keyClick(dialog.primary, Qt.Key.Key_Return)

    reports = w.gui.reports
    assert reports is not None
    qtbot.waitUntil(lambda: reports.preview is not None, timeout=WAIT_MS)
    preview = reports.preview
    assert preview.report.shift_id == shift.id and preview.report.closed_at is not None
    qtbot.waitUntil(lambda: preview.pages > 0, timeout=WAIT_MS)
    assert preview.windowTitle() == f"Shift report — shift {shift.id}"
    assert preview.parent() is dialog  # over the close dialog, which it blocks until closed
    preview.close()


# -- the language ---------------------------------------------------------------------------------

CATALOGUE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context><name>MainWindow</name>
<message><source>&amp;Counter</source><translation>柜台(&amp;C)</translation></message>
<message><source>&amp;Tools</source><translation>工具(&amp;T)</translation></message>
</context>
<context><name>startup</name>
<message><source>&amp;Reports…</source><translation>报表(&amp;R)…</translation></message>
</context>
</TS>
"""


def _catalogues(tmp_path: Path) -> Path:
    """The shipped catalogues when built; else a small one built here the same way (lrelease)."""
    if (translations_dir() / "citycard_zh_CN.qm").exists():
        return translations_dir()
    ts = tmp_path / "citycard_zh_CN.ts"
    ts.write_text(CATALOGUE, encoding="utf-8")
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    if not lrelease.exists():
        pytest.skip("no citycard_zh_CN.qm and no pyside6-lrelease to build one")
    qm = tmp_path / "citycard_zh_CN.qm"
    subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)
    return tmp_path


def _switch_in_settings(qtbot, w: Wired, language: str) -> None:
    window = w.gui.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    window.settings_action.trigger()
    openers = w.gui.openers
    assert openers is not None
    qtbot.waitUntil(lambda: isinstance(openers.last, SettingsDialog), timeout=WAIT_MS)
    dialog = openers.last
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    dialog.language.setCurrentIndex(dialog.language.findData(language))
    qtbot.keyClick(dialog.language, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=WAIT_MS)
    openers.last = None


def test_the_language_switches_through_the_settings_without_restart(
    qtbot, qapp, ui_rig, main_window, tmp_path
):
    languages = LanguageSwitcher(qapp, _catalogues(tmp_path))
    save_settings(Settings(language="en"), ui_rig.directory / FILE_NAME)
    gui = wire(ui_rig, main_window, languages, Settings(language="en"))
    w = Wired(ui_rig, gui, languages)
    try:
        ui_rig.sign_in(ADMIN)
        assert main_window.counter_menu.title() == "&Counter"
        _switch_in_settings(qtbot, w, "zh_CN")
        assert languages.language == "zh_CN"
        qtbot.waitUntil(lambda: main_window.counter_menu.title() != "&Counter", timeout=WAIT_MS)
        chinese = re.compile(r"[\u4e00-\u9fff]")
        assert chinese.search(main_window.counter_menu.title())
        assert chinese.search(main_window.tools_menu.title())
        reports = next(a for a in main_window.tools_menu.actions() if a.shortcut().toString())
        assert any(chinese.search(a.text()) for a in main_window.tools_menu.actions())
        assert reports.isVisible()

        _switch_in_settings(qtbot, w, "en")
        qtbot.waitUntil(lambda: main_window.counter_menu.title() == "&Counter", timeout=WAIT_MS)
        assert main_window.tools_menu.title() == "T&ools"
        assert "&Reports…" in [a.text() for a in main_window.tools_menu.actions()]
    finally:
        qtbot.waitUntil(lambda: not ui_rig.ctx.runner.busy(), timeout=WAIT_MS)
        languages.switch("en")
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget is not main_window:
                widget.close()


def test_a_language_without_its_catalogue_is_said_and_the_window_stays_english(
    qtbot, qapp, ui_rig, main_window, tmp_path
):
    languages = LanguageSwitcher(qapp, tmp_path / "no-catalogues-here")
    save_settings(Settings(language="en"), ui_rig.directory / FILE_NAME)
    gui = wire(ui_rig, main_window, languages, Settings(language="en"))
    w = Wired(ui_rig, gui, languages)
    try:
        ui_rig.sign_in(SUPERVISOR)
        _switch_in_settings(qtbot, w, "zh_CN")
        qtbot.waitUntil(lambda: ui_rig.errors.last is not None, timeout=WAIT_MS)
        what, advice = ui_rig.errors.last
        assert "zh_CN is not installed" in what and "stays in English" in advice
        assert languages.language == "en" and main_window.counter_menu.title() == "&Counter"
    finally:
        qtbot.waitUntil(lambda: not ui_rig.ctx.runner.busy(), timeout=WAIT_MS)
        ui_rig.errors.close()
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget is not main_window:
                widget.close()
