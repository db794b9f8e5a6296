"""Shift and daily reports from the window: choose one, preview it, save it as PDF or CSV.

Tools → Reports… (Ctrl+R) opens :class:`ReportsDialog`. What it offers depends on who is signed
in: a clerk sees the reports of their own shifts; a supervisor or admin sees every shift's and
the daily report of any day. Reading a report moves no money and writes nothing to the journal,
so the dialog enforces this by what it lists (the services have no "read a report" permission
to check); it checks again before building a report, so nothing else in the window can ask it
for another clerk's shift.

The figures are built on the task runner's pool (:mod:`app.reports`), as are the PDF and the
CSV files; the print preview (:class:`~app.ui.printing.report_doc.ReportPreviewDialog`) paints
on the GUI thread, as Qt's preview must. Times are the counter's (China Standard Time, as on the
cards and the receipts).

:class:`ReportTools` is what the main window holds: it opens the dialog, and after a shift
closes it opens the preview of that shift's report (the close dialog's "Print report").
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.clock import COUNTER_TIMEZONE
from app.domain.people import Actor, Role
from app.journal import Journal, RecordKind
from app.reports import (
    DailyReport,
    ShiftReport,
    daily_report,
    shift_report,
    write_daily_csv,
    write_shift_csv,
)
from app.services.progress import CancelToken, Progress
from app.services.shifts import ShiftCloseResult
from app.store import operators as accounts
from app.store.database import Store
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label
from app.ui.messages import translated
from app.ui.printing.report_doc import ReportPreviewDialog, open_report_preview, save_report_pdf

Report = ShiftReport | DailyReport
Target = int | date  # a shift id, or a calendar day
SHIFT_LIST_LIMIT = 500  # the newest shifts listed (a busy counter has ~700 a year)
TIME = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class ShiftChoice:
    """A shift as the dialog lists it (from the journal's shift_open / shift_close records)."""

    shift_id: int
    operator: str
    operator_name: str
    opened_at: datetime
    closed_at: datetime | None


def shifts_on_record(
    journal: Journal,
    store: Store,
    timezone: tzinfo,
    operator: str | None = None,
    limit: int = SHIFT_LIST_LIMIT,
) -> list[ShiftChoice]:
    """The shifts of this counter, newest first (only ``operator``'s when given). Not on the GUI.

    One indexed query for the opening and closing records, one for the operators' names.
    """
    opened: dict[int, tuple[str, datetime]] = {}
    closed: dict[int, datetime] = {}
    for record in journal.records_of_kinds(RecordKind.SHIFT_OPEN, RecordKind.SHIFT_CLOSE):
        if record.shift_id is None:
            continue
        if record.kind == RecordKind.SHIFT_OPEN:
            opened[record.shift_id] = (record.operator or "", record.at)
        else:
            closed[record.shift_id] = record.at
    names = {a.username: a.display_name for a in accounts.accounts(store)}
    ids = [i for i, (who, _at) in opened.items() if operator is None or who == operator]
    choices = []
    for shift_id in sorted(ids, reverse=True)[:limit]:
        who, at = opened[shift_id]
        ended = closed.get(shift_id)
        choices.append(
            ShiftChoice(
                shift_id,
                who,
                names.get(who, who),
                at.astimezone(timezone),
                None if ended is None else ended.astimezone(timezone),
            )
        )
    return choices


def may_read(actor: Actor, choice: ShiftChoice) -> bool:
    """Whether ``actor`` may read the report of ``choice`` (their own, or a supervisor's any)."""
    return actor.role.includes(Role.SUPERVISOR) or choice.operator == actor.username


def build_report(journal: Journal, store: Store, target: Target, timezone: tzinfo) -> Report:
    """The shift report (an int: the shift id) or the daily report (a date). Not on the GUI."""
    if isinstance(target, date):
        return daily_report(journal, store, target, timezone)
    return shift_report(journal, store, target, timezone)


def default_file_name(target: Target, suffix: str) -> str:
    """``shift-12-report.pdf`` or ``daily-report-2026-11-21.csv``."""
    if isinstance(target, date):
        return f"daily-report-{target.isoformat()}{suffix}"
    return f"shift-{target}-report{suffix}"


@dataclass(frozen=True)
class Written:
    """What saving a report did: the file written, or why it could not be (OS words)."""

    path: Path
    problem: str | None = None


def _writable(path: Path) -> str | None:
    """None when a file can be written at ``path``; else the operating system's reason."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


class ReportsDialog(FlowDialog):
    """Choose a shift (or, for supervisors, a day); preview, save as PDF, export as CSV."""

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        timezone: tzinfo = COUNTER_TIMEZONE,
        save_dir: Path | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("reportsDialog")
        self.setWindowTitle(self.tr("Reports"))
        self.timezone = timezone
        self.save_dir = save_dir or Path.home()
        self.actor = ctx.session.actor
        self.all_shifts = ctx.session.is_at_least(Role.SUPERVISOR)
        self.choices: list[ShiftChoice] = []
        self.loaded = False
        self.preview: ReportPreviewDialog | None = None
        self.written: Path | None = None  # the last file saved (tests, a11y)

        which = QGroupBox(self.tr("Which report"), self)
        self.shift_mode = QRadioButton(self.tr("&Shift report"), which)
        self.shift_mode.setObjectName("shiftMode")
        self.day_mode = QRadioButton(self.tr("&Daily report (every shift of one day)"), which)
        self.day_mode.setObjectName("dayMode")
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.shift_mode)
        self.modes.addButton(self.day_mode)
        self.shift_mode.setChecked(True)
        self.shift_list = QListWidget(which)
        self.shift_list.setObjectName("shiftList")
        self.shift_list.setMinimumHeight(220)
        self.shift_list.addItem(self.tr("Looking for shifts…"))
        self.day = QDateEdit(which)
        self.day.setObjectName("reportDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = datetime.now(timezone).date()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day.setMaximumDate(QDate(today.year, today.month, today.day))
        self.day_label = form_label(self.tr("Da&y:"), self.day, self)
        grid = QGridLayout(which)
        grid.addWidget(self.shift_mode, 0, 0, 1, 2)
        grid.addWidget(
            form_label(self.tr("Shi&ft:"), self.shift_list, self), 1, 0, Qt.AlignmentFlag.AlignTop
        )
        grid.addWidget(self.shift_list, 1, 1)
        grid.addWidget(self.day_mode, 2, 0, 1, 2)
        grid.addWidget(self.day_label, 3, 0)
        grid.addWidget(self.day, 3, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        for widget in (self.day_mode, self.day_label, self.day):
            widget.setVisible(self.all_shifts)

        if self.all_shifts:
            scope = self.tr("You can read the report of any shift, and the daily report.")
        else:
            scope = self.tr(
                "You can read the reports of your own shifts. A supervisor can read every "
                "shift's report and the daily report."
            )
        self.scope_note = QLabel(scope, self)
        self.scope_note.setObjectName("scopeNote")
        self.scope_note.setWordWrap(True)
        reading_note = QLabel(
            self.tr("Reading a report changes nothing: no money moves and nothing is journaled."),
            self,
        )
        reading_note.setWordWrap(True)

        self.preview_button = self.make_button(self.tr("&Preview and print…"), self.open_preview)
        self.pdf_button = self.make_button(self.tr("Sa&ve as PDF…"), self.save_pdf)
        self.csv_button = self.make_button(self.tr("Export &CSV…"), self.export_csv)
        self.close_button = self.make_button(self.tr("Close"), self.reject, lock=False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.csv_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(which)
        layout.addWidget(self.scope_note)
        layout.addWidget(reading_note)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.lock_while_busy(self.shift_mode, self.day_mode, self.shift_list, self.day)
        order = [
            self.shift_mode, self.shift_list, self.day_mode, self.day, self.preview_button,
            self.pdf_button, self.csv_button, self.close_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.set_primary(self.open_preview)
        self.shift_mode.toggled.connect(self._mode_changed)
        self.shift_list.currentRowChanged.connect(lambda _row: self.update_actions())
        self.shift_list.itemActivated.connect(lambda _item: self.open_preview())
        self.setMinimumWidth(640)
        self._mode_changed()
        self._load_shifts()

    # -- the choice ------------------------------------------------------------------------------

    def _load_shifts(self) -> None:
        actor = self.signed_in()
        if actor is None:
            self.shift_list.clear()
            self.update_actions()
            return
        journal, store, tz = self.ctx.counter.journal, self.ctx.counter.store, self.timezone
        only = None if self.all_shifts else actor.username

        def work(_token: CancelToken, _progress: Progress) -> list[ShiftChoice]:
            return shifts_on_record(journal, store, tz, only)

        self.run(work, self._show_shifts, label=self.tr("Looking for shifts"))

    def _show_shifts(self, choices: list[ShiftChoice]) -> None:
        self.choices = choices
        self.loaded = True
        self.shift_list.clear()
        for choice in choices:
            item = QListWidgetItem(self.shift_text(choice))
            item.setData(Qt.ItemDataRole.UserRole, choice.shift_id)
            self.shift_list.addItem(item)
        if choices:
            self.shift_list.setCurrentRow(0)
        else:
            self.say(self.tr("There are no shifts on this counter yet."))
        self.update_actions()
        if self.shift_mode.isChecked():
            self.shift_list.setFocus()

    def shift_text(self, choice: ShiftChoice) -> str:
        """One line of the list: number, operator, opened – closed."""
        closed = (
            choice.closed_at.strftime(TIME) if choice.closed_at is not None else self.tr("open")
        )
        return self.tr("Shift {0} · {1} ({2}) · {3} – {4}").format(
            choice.shift_id,
            choice.operator_name,
            choice.operator,
            choice.opened_at.strftime(TIME),
            closed,
        )

    def listed_shifts(self) -> list[int]:
        """The shift ids the dialog offers, in list order."""
        return [c.shift_id for c in self.choices]

    def select_shift(self, shift_id: int) -> None:
        """Choose shift ``shift_id`` in the list (as the arrow keys would)."""
        self.shift_mode.setChecked(True)
        self.shift_list.setCurrentRow(self.listed_shifts().index(shift_id))

    def select_day(self, day: date) -> None:
        """Choose the daily report of ``day`` (supervisors)."""
        self.day_mode.setChecked(True)
        self.day.setDate(QDate(day.year, day.month, day.day))

    def _mode_changed(self) -> None:
        by_shift = self.shift_mode.isChecked()
        self.shift_list.setEnabled(by_shift and not self.busy)
        self.day.setEnabled(not by_shift and not self.busy)
        self.update_actions()

    def update_actions(self) -> None:
        """Enable the actions when something is chosen."""
        chosen = self._chosen() is not None
        for button in (self.preview_button, self.pdf_button, self.csv_button):
            button.setEnabled(chosen and not self.busy)
        if not self.busy:
            by_shift = self.shift_mode.isChecked()
            self.shift_list.setEnabled(by_shift)
            self.day.setEnabled(not by_shift)

    def _chosen(self) -> Target | None:
        if self.day_mode.isChecked():
            if not self.all_shifts:
                return None
            picked = self.day.date()
            return date(picked.year(), picked.month(), picked.day())
        row = self.shift_list.currentRow()
        if not self.loaded or not 0 <= row < len(self.choices):
            return None
        return self.choices[row].shift_id

    def target(self) -> Target | None:
        """What the clerk chose, checked against who they are (None: said why)."""
        actor = self.signed_in()
        chosen = self._chosen()
        if actor is None or chosen is None:
            if actor is not None:
                self.say_problem(self.tr("Choose a shift or a day first."))
            return None
        if isinstance(chosen, int):
            choice = next(c for c in self.choices if c.shift_id == chosen)
            if not may_read(actor, choice):  # the list never offers it; say so all the same
                self.say_problem(
                    self.tr("Only a supervisor can read the report of another operator's shift.")
                )
                return None
        return chosen

    def _builder(self, target: Target) -> Callable[[], Report]:
        journal, store, tz = self.ctx.counter.journal, self.ctx.counter.store, self.timezone
        return lambda: build_report(journal, store, target, tz)

    # -- actions ---------------------------------------------------------------------------------

    def open_preview(self) -> None:
        """Build the report (pool), then show its print preview over this dialog."""
        target = self.target()
        if target is None:
            return
        build = self._builder(target)

        def work(_token: CancelToken, _progress: Progress) -> Report:
            return build()

        self.message.clear_message()
        self.run(work, self._show_preview, label=self.tr("Preparing the report"))

    def _show_preview(self, report: Report) -> None:
        self.preview = open_report_preview(report, self)

    def save_pdf(self, path: Path | None = None) -> None:
        """Save the report as an A4 PDF at ``path`` (None: ask where with a file chooser)."""
        target = self.target()
        if target is None:
            return
        path = path or self._ask(target, ".pdf", self.tr("PDF files (*.pdf)"))
        if path is None:
            return
        build = self._builder(target)

        def work(_token: CancelToken, _progress: Progress) -> Written:
            problem = _writable(path)
            if problem is not None:
                return Written(path, problem)
            return Written(save_report_pdf(build(), path))

        self.run(work, self._written, label=self.tr("Saving the report as PDF"))

    def export_csv(self, path: Path | None = None) -> None:
        """Write the report as CSV (UTF-8, opens in Excel) at ``path`` (None: ask where)."""
        target = self.target()
        if target is None:
            return
        path = path or self._ask(target, ".csv", self.tr("CSV files (*.csv)"))
        if path is None:
            return
        build = self._builder(target)

        def work(_token: CancelToken, _progress: Progress) -> Written:
            problem = _writable(path)
            if problem is not None:
                return Written(path, problem)
            report = build()
            try:
                if isinstance(report, ShiftReport):
                    return Written(write_shift_csv(path, report, translated))
                return Written(write_daily_csv(path, report, translated))
            except OSError as exc:
                return Written(path, exc.strerror or type(exc).__name__)

        self.run(work, self._written, label=self.tr("Exporting the report as CSV"))

    def _ask(self, target: Target, suffix: str, filters: str) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the report"),
            str(self.save_dir / default_file_name(target, suffix)),
            filters,
        )
        if not chosen:
            return None
        path = Path(chosen)
        self.save_dir = path.parent
        return path if path.suffix else path.with_suffix(suffix)

    def _written(self, written: Written) -> None:
        if written.problem is not None:
            self.say_problem(
                self.tr("The report could not be saved to {0} ({1}).").format(
                    written.path, written.problem
                ),
                self.tr("Choose another folder; a USB stick must be plugged in and writable."),
            )
            return
        self.written = written.path
        self.say_done(self.tr("The report was saved as {0}").format(written.path))


class ReportTools(QObject):
    """The reports on the main window: the dialog, and the preview after a shift closes."""

    def __init__(
        self,
        ctx: UiContext,
        window: QWidget,
        *,
        timezone: tzinfo = COUNTER_TIMEZONE,
        save_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.window = window
        self.timezone = timezone
        self.save_dir = save_dir
        self.dialog: ReportsDialog | None = None  # the last opened (tests look at them)
        self.preview: ReportPreviewDialog | None = None

    def open_dialog(self) -> ReportsDialog:
        """Tools → Reports…: the dialog, window-modal, deleted when closed."""
        dialog = ReportsDialog(
            self.ctx, self.window, timezone=self.timezone, save_dir=self.save_dir
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def preview_shift(self, result: ShiftCloseResult) -> None:
        """After a close: the preview of that shift's report, over the close dialog."""
        journal, store, tz = self.ctx.counter.journal, self.ctx.counter.store, self.timezone
        shift_id = result.shift_id

        def work(_token: CancelToken, _progress: Progress) -> Report:
            return build_report(journal, store, shift_id, tz)

        self.ctx.runner.run(
            work,
            self._show_preview,
            label=self.tr("Preparing the report"),
        )

    def _show_preview(self, report: Report) -> None:
        parent = QApplication.activeModalWidget() or self.window
        self.preview = open_report_preview(report, parent)
