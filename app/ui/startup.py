"""Putting the window together: the Qt half of the composition root (:mod:`app.main`).

:func:`assemble` builds what runs behind the window — the card thread, the task runner, the
reader bridge with its tap steps, the :class:`UiContext` — and the window itself; the production
start, the demo and the benchmarks share it. :func:`wire_window` then plugs in the flow dialogs,
the settings, receipt printing and the reports. :func:`set_up_first_run` turns the first-run
wizard's answers into a counter; :func:`unlock_counter` opens it, asking for the keystore
passphrase until it opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from app import composition
from app.card.sam import Sam
from app.card.thread import CardThread
from app.card.transport import CardTransport
from app.composition import Counter
from app.crypto.keystore import KeystoreError
from app.crypto.unlock_ahead import KeystoreUnlock
from app.domain.people import Role
from app.settings import FILE_NAME, Settings, save_settings
from app.ui.context import UiContext
from app.ui.flows import FlowOpeners, register_flows
from app.ui.i18n import LanguageSwitcher
from app.ui.main_window import MainWindow
from app.ui.messages import ErrorPresenter, describe
from app.ui.reader_bridge import (
    ReaderBridge,
    counter_tap_service,
    exchange_step,
    loss_step,
    recovery_step,
    void_step,
)
from app.ui.scenic import add_scenic_step, install_scenic_page
from app.ui.sign_in import UnlockDialog
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # built on first use (issue 20: the first screen imports only what it shows)
    from app.services.receipts import Receipt
    from app.services.shifts import ShiftCloseResult
    from app.ui.first_run import FirstRunAnswers
    from app.ui.flows.reports import ReportTools
    from app.ui.printing.receipt_printing import ReceiptPrinting
    from app.ui.scenic.page import ScenicPage

log = logging.getLogger(__name__)

REPORTS_KEY = QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_R)


@dataclass
class Gui:
    """The window and what runs behind it; :meth:`close` stops the threads (not the counter).

    ``openers`` is set by :func:`wire_window`; ``printing``, ``reports`` and ``scenic`` are
    built on their first use once it ran (the first receipt, report or scenic page), so that
    the sign-in screen does not import receipt printing, the reports or the scenic page.
    """

    ctx: UiContext
    bridge: ReaderBridge
    window: MainWindow
    card_thread: CardThread
    openers: FlowOpeners | None = None
    makers: dict[str, Callable[[], object]] = field(default_factory=dict, repr=False)
    built: dict[str, object] = field(default_factory=dict, repr=False)

    def _part(self, name: str) -> object | None:
        if name not in self.built and name in self.makers:
            self.built[name] = self.makers[name]()
        return self.built.get(name)

    @property
    def printing(self) -> ReceiptPrinting | None:
        """Receipt printing (built on first use; None before :func:`wire_window`)."""
        return self._part("printing")  # type: ignore[return-value]

    @property
    def reports(self) -> ReportTools | None:
        """The reports' tools (built on first use; None before :func:`wire_window`)."""
        return self._part("reports")  # type: ignore[return-value]

    @property
    def scenic(self) -> ScenicPage | None:
        """The scenic page (built on first use; None before :func:`wire_window`)."""
        return self._part("scenic")  # type: ignore[return-value]

    def close(self) -> None:
        """Stop the status bar's reads, the runner's pool and the card thread."""
        self.window.status.shutdown()
        self.window.shutdown()
        self.ctx.runner.shutdown()
        self.card_thread.stop()


def assemble(
    counter: Counter,
    connect: Callable[[], CardTransport],
    reader_name: str,
    *,
    side_panel: QWidget | None = None,
) -> Gui:
    """The window over ``counter``, its card reached through ``connect`` (card thread only).

    On every tap the bridge settles the card's interrupted top-ups and blocks a card reported
    lost, then reads it. The caller feeds the bridge the reader's events
    (``bridge.card_presented`` / ``card_taken_away``) and plugs the flows in.
    """
    card_thread = CardThread()
    runner = TaskRunner(card_thread, ErrorPresenter())
    ctx = UiContext(counter, runner, connect, reader_name=reader_name)
    bridge = ReaderBridge(
        card_thread,
        connect,
        ctx.session,
        steps=[
            recovery_step(counter.recovery),
            exchange_step(counter.exchanges),
            void_step(counter.voids),
            loss_step(counter.loss),
        ],
        service=counter_tap_service(counter, connect),
    )
    # without a center the status bar counts the journal's unsent records itself
    pending = None if counter.sync is not None else counter.journal.pending
    # the SAM in the reader's SAM slot, by its serial (a PSAM's file 0x15)
    sam_text = str(getattr(counter.sam, "serial_text", "") or "")
    window = MainWindow(ctx, bridge, side_panel=side_panel, pending=pending, sam_text=sam_text)
    return Gui(ctx, bridge, window, card_thread)


def wire_window(
    gui: Gui, *, data_dir: Path, settings: Settings, languages: LanguageSwitcher
) -> None:
    """Plug the flows, the settings, receipt printing and the reports into ``gui.window``.

    - the flow dialogs (F3–F8, the journal and sync tools, Counter → Settings), their settings
      file in ``data_dir``; a saved language is switched at once (``languages``: the window
      retranslates itself on Qt's LanguageChange, the flow dialogs are rebuilt on each opening);
      saved settings swap the receipt printer;
    - receipts (the top-up's by journal seq, the flows' as receipts, reprints as COPY n) to the
      printer in ``settings``, or as PDF files in ``data_dir/receipts`` when there is none;
    - Tools → Reports… (Ctrl+R), and the report preview after a shift closes;
    - the scenic ticket office page, shown when the settings say ``scenic_mode``.
    """
    window, ctx = gui.window, gui.ctx
    latest = [settings]  # the printer of the last saved settings, for a printing built later

    def make_printing() -> ReceiptPrinting:
        from app.ui.printing.receipt_printing import ReceiptPrinting  # noqa: PLC0415

        return ReceiptPrinting(ctx, latest[0].printer, data_dir, parent=window)

    def make_reports() -> ReportTools:
        from app.ui.flows.reports import ReportTools  # noqa: PLC0415

        return ReportTools(ctx, window)

    def make_scenic() -> ScenicPage:
        return install_scenic_page(window, gui.bridge, scenic_mode=latest[0].scenic_mode)

    gui.makers.update(printing=make_printing, reports=make_reports, scenic=make_scenic)

    def open_reports() -> None:
        reports = gui.reports
        assert reports is not None
        reports.open_dialog()

    def preview_shift(result: ShiftCloseResult) -> None:
        reports = gui.reports
        assert reports is not None
        reports.preview_shift(result)

    def print_seq(seq: int) -> None:
        printing = gui.printing
        assert printing is not None
        printing.print_seq(seq)

    def print_receipt(receipt: Receipt) -> None:
        printing = gui.printing
        assert printing is not None
        printing.print_receipt(receipt)

    def language_changed(language: str) -> None:
        if languages.switch(language):
            return
        log.warning("language %s: no catalogue, the window stays in English", language)
        ctx.runner.errors.show_text(
            QCoreApplication.translate(
                "startup", "The language {0} is not installed on this counter."
            ).format(language),
            QCoreApplication.translate(
                "startup",
                "The window stays in English. Ask a technician to install the translations.",
            ),
        )

    add_scenic_step(window, gui.bridge)
    if settings.scenic_mode:
        _ = gui.scenic  # shown at once: built now

    def settings_saved(saved: Settings) -> None:
        latest[0] = saved
        if "printing" in gui.built:
            printing = gui.printing
            assert printing is not None
            printing.update(saved)
        window.auto_print = saved.auto_print
        if saved.scenic_mode:
            _ = gui.scenic
        window.show_scenic(saved.scenic_mode)

    gui.openers = register_flows(
        window,
        ctx,
        settings_path=data_dir / FILE_NAME,
        print_receipt=print_receipt,
        on_language_changed=language_changed,
        on_settings_saved=settings_saved,
    )
    window.print_receipt = print_seq
    window.auto_print = settings.auto_print
    window.print_shift_report = preview_shift
    window.add_tool(
        lambda: QCoreApplication.translate("startup", "&Reports…"),
        open_reports,
        shortcut=REPORTS_KEY,
        min_role=Role.CLERK,
    )
    _add_diagnostics_tool(gui, data_dir)


def _add_diagnostics_tool(gui: Gui, data_dir: Path) -> None:
    """Tools → Copy diagnostics: the support zip (:mod:`app.diagnostics`), its path copied."""
    window = gui.window

    def copy_diagnostics() -> None:
        import PySide6  # noqa: PLC0415

        from app.diagnostics import write_diagnostics  # noqa: PLC0415 - only when asked

        try:
            path = write_diagnostics(data_dir, extra_versions={"PySide6": PySide6.__version__})
        except OSError as exc:
            log.warning("diagnostics could not be written: %s", exc)
            gui.ctx.runner.errors.show_text(
                QCoreApplication.translate("startup", "The diagnostics file could not be written."),
                str(exc),
            )
            return
        log.info("diagnostics written to %s", path)
        QGuiApplication.clipboard().setText(str(path))
        gui.ctx.runner.errors.show_text(
            QCoreApplication.translate("startup", "Diagnostics saved to {0}").format(path),
            QCoreApplication.translate(
                "startup",
                "The path is on the clipboard. Send this file to support: it holds the logs, "
                "the versions and the settings, never the journal or any key.",
            ),
        )

    window.add_tool(
        lambda: QCoreApplication.translate("startup", "Copy &diagnostics"),
        copy_diagnostics,
        min_role=Role.CLERK,
    )


def set_up_first_run(
    directory: Path, passphrase: str, answers: FirstRunAnswers, sam: Sam | None = None
) -> None:
    """Make the counter the wizard describes.

    The SAM in the reader's SAM slot first (``sam``, else :func:`composition.connect_sam`):
    the terminal id typed must be the SAM's, or nothing is set up. Then the device's keys,
    journal and store (enrolled when a center was given), the first administrator, and the
    settings (reader, center address). No issuer key is asked for: they are in the SAM.
    """
    sam = sam if sam is not None else composition.connect_sam(answers.sam_reader_name or None)
    if sam.terminal_id.hex().upper() != answers.terminal_id.upper():
        raise composition.SamMismatchError(
            "The SAM in the reader is terminal {sam}; this counter is terminal {counter}.",
            sam=sam.terminal_id.hex().upper(),
            counter=answers.terminal_id.upper(),
        )
    composition.init_counter(
        directory,
        passphrase,
        answers.device_id,
        answers.terminal_id,
        center_url=answers.center_url or None,
        enrolment_code=answers.enrolment_code or None,
    )
    counter = composition.open_counter(directory, passphrase, sam=sam)
    try:
        counter.operators.create_first_admin(
            answers.admin_username, answers.admin_name, answers.admin_password
        )
    finally:
        counter.close()
    # a receipt printer's settings name its kind (app.printing), which the settings dialog
    # sets; the wizard's free text is kept in the log for the technician
    if answers.printer:
        log.info("first run: receipt printer given as %r (set it in the settings)", answers.printer)
    save_settings(
        Settings(
            reader_name=answers.reader_name,
            sam_reader_name=answers.sam_reader_name,
            center_url=answers.center_url,
        ),
        directory / FILE_NAME,
    )


def unlock_counter(
    directory: Path, passphrase: str | None, ahead: KeystoreUnlock | None = None
) -> Counter | None:
    """Open the counter, asking for the passphrase until it opens (None: the clerk quit).

    ``ahead``: the keystore already being unlocked with ``passphrase`` on a thread
    (:mod:`app.crypto.unlock_ahead`); a wrong passphrase there asks the clerk, as below.
    """
    problem = ""
    while True:
        if passphrase is None:
            dialog = UnlockDialog(problem)
            if not dialog.exec():
                return None
            passphrase = dialog.value()
        try:
            if ahead is not None:
                keystore, ahead = ahead.result(), None
                return composition.open_counter(directory, passphrase, keystore=keystore)
            return composition.open_counter(directory, passphrase)
        except KeystoreError as exc:
            what, advice, _ = describe(exc)
            problem = f"{what}\n{advice}".strip()
            passphrase = None


def show_fatal(exc: BaseException) -> int:
    """Say why the counter cannot start (before there is a window); exit code 2."""
    what, advice, internal = describe(exc)
    if internal:
        log.error("the counter cannot start", exc_info=exc)
    title = QCoreApplication.translate("startup", "City card counter")
    box = QMessageBox(QMessageBox.Icon.Critical, title, what)
    box.setInformativeText(advice)
    box.exec()
    return 2
