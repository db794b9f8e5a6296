"""The settings dialog: language, receipt printer, clearing center, reader, journal mirror.

Everyone may switch the language (``language_changed`` tells the window, which swaps its
translators at once). The technical settings — printer, clearing center, reader, scenic mode —
and the journal's mirror and disk warning — are for an admin; others see them read-only. Saving
validates, then writes the settings file atomically on the pool (:mod:`app.settings`). A mirror
folder is judged by :func:`app.journal.mirror.mirror_folder_problem`, the same check the mirror
makes when it opens: it must exist and lie on another disk than the data directory. The
printer's settings are a dictionary for the printing module (``{"kind": "qt" | "pdf" |
"escpos_network" | "escpos_usb" | "escpos_file" | "none", ...}``); the printing module turns
it into a printer, this dialog only keeps it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.people import Role
from app.domain.texts import ClerkFacingError
from app.journal.mirror import mirror_folder_problem
from app.services.progress import CancelToken, Progress
from app.settings import LANGUAGES, Settings, default_path, load_settings, save_settings
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label

# Language names are written in their own language (never translated): a clerk who cannot
# read the current language must still find theirs.
log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"zh_CN": "中文（简体）", "en": "English"}

NO_PRINTER = "none"
QT_PRINTER = "qt"
PDF_PRINTER = "pdf"
ESCPOS_NETWORK = "escpos_network"
ESCPOS_USB = "escpos_usb"
ESCPOS_FILE = "escpos_file"
PRINTER_KINDS = (NO_PRINTER, QT_PRINTER, PDF_PRINTER, ESCPOS_NETWORK, ESCPOS_USB, ESCPOS_FILE)
KEPT_PRINTER_KEYS = ("heading",)  # printer settings this dialog does not edit but keeps
PAPER_COLUMNS = (48, 32)  # 80 mm and 58 mm thermal paper


class SettingsWriteError(ClerkFacingError):
    """The settings file could not be written."""

    advice = "Nothing was changed. Check the disk and the data folder's permissions."


def pcsc_readers() -> list[str]:
    """The PC/SC readers present (pyscard is imported only when this is called)."""
    from app.card.pcsc import list_readers  # noqa: PLC0415 - pyscard only when asked

    return list_readers()


def _text(settings: Mapping[str, Any], key: str, default: str = "") -> str:
    value = settings.get(key, default)
    return value if isinstance(value, str) else str(value)


class SettingsDialog(FlowDialog):
    """Edit and save this counter's settings."""

    language_changed = Signal(str)  # "zh_CN" or "en", after saving a different language
    settings_saved = Signal(object)  # app.settings.Settings

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        path: Path | None = None,
        list_readers: Callable[[], list[str]] = pcsc_readers,
    ) -> None:
        super().__init__(ctx, parent)
        self._reader_lister = list_readers
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.path = path or default_path()
        loaded = load_settings(self.path)
        self.original = loaded.settings
        self.saved: Settings | None = None
        self.technical_allowed = ctx.session.is_at_least(Role.ADMIN)

        # language (everyone)
        self.language = QComboBox(self)
        self.language.setObjectName("language")
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code, code), code)
        self.language.setCurrentIndex(max(self.language.findData(self.original.language), 0))
        language_box = QGroupBox(self.tr("Language and receipts"), self)
        language_form = QFormLayout(language_box)
        language_form.addRow(form_label(self.tr("&Language:"), self.language, self), self.language)
        self.auto_print = QCheckBox(self.tr("Print every money receipt a&utomatically"), self)
        self.auto_print.setObjectName("autoPrint")
        self.auto_print.setChecked(self.original.auto_print)
        language_form.addRow(self.auto_print)

        printer_box = self._printer_box(self.original.printer)

        # clearing center
        self.center_url = QLineEdit(self.original.center_url, self)
        self.center_url.setObjectName("centerUrl")
        self.center_url.setPlaceholderText("https://center.example:8443")
        self.ca_file = QLineEdit(self.original.center_ca_file, self)
        self.ca_file.setObjectName("centerCaFile")
        self.ca_file.setPlaceholderText(self.tr("empty: the system's certificates"))
        self.ca_browse = self.make_button(self.tr("Bro&wse…"), self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_browse)
        center_box = QGroupBox(self.tr("Clearing center"), self)
        center_form = QFormLayout(center_box)
        center_form.addRow(
            form_label(self.tr("&Address (URL):"), self.center_url, self), self.center_url
        )
        center_form.addRow(form_label(self.tr("CA &certificate:"), self.ca_file, self), ca_row)

        # reader and scenic mode
        self.reader = QComboBox(self)
        self.reader.setObjectName("readerName")
        self.reader.setEditable(True)
        self.reader.addItem(self.original.reader_name)
        self.reader.setCurrentText(self.original.reader_name)
        line = self.reader.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("empty: the first reader"))
        self.scenic = QCheckBox(self.tr("Scenic-area &ticket office mode"), self)
        self.scenic.setObjectName("scenicMode")
        self.scenic.setChecked(self.original.scenic_mode)
        scenic_note = QLabel(self.tr("(the ticket-office screens come with a later version)"), self)
        device_box = QGroupBox(self.tr("This counter"), self)
        device_form = QFormLayout(device_box)
        device_form.addRow(form_label(self.tr("Card &reader:"), self.reader, self), self.reader)
        device_form.addRow(self.scenic)
        device_form.addRow(scenic_note)

        # the journal's mirror and the disk warning
        self.mirror = QLineEdit(self.original.journal_mirror, self)
        self.mirror.setObjectName("journalMirror")
        self.mirror.setPlaceholderText(self.tr("empty: no mirror"))
        self.mirror_browse = self.make_button(self.tr("&Browse…"), self._browse_mirror)
        self.mirror_browse.setObjectName("journalMirrorBrowse")
        mirror_row = QHBoxLayout()
        mirror_row.addWidget(self.mirror, 1)
        mirror_row.addWidget(self.mirror_browse)
        self.disk_warning = QSpinBox(self)
        self.disk_warning.setObjectName("diskWarningMb")
        self.disk_warning.setRange(0, 1_000_000)
        self.disk_warning.setSingleStep(100)
        self.disk_warning.setSuffix(" MB")
        self.disk_warning.setValue(self.original.disk_warning_mb)
        mirror_note = QLabel(
            self.tr(
                "The mirror keeps a second copy of the journal on a USB drive, a second disk or "
                "a network share — never on the data disk. 0 MB: no disk space warning."
            ),
            self,
        )
        mirror_note.setWordWrap(True)
        storage_box = QGroupBox(self.tr("Journal mirror and disk"), self)
        storage_form = QFormLayout(storage_box)
        storage_form.addRow(form_label(self.tr("&Mirror folder:"), self.mirror, self), mirror_row)
        storage_form.addRow(
            form_label(self.tr("Disk space warnin&g below:"), self.disk_warning, self),
            self.disk_warning,
        )
        storage_form.addRow(mirror_note)

        self.admin_note = QLabel(
            self.tr(
                "Only an admin can change the printer, clearing center, reader, journal mirror "
                "and disk warning."
            ),
            self,
        )
        self.admin_note.setWordWrap(True)
        self.admin_note.setVisible(not self.technical_allowed)
        restart_note = QLabel(
            self.tr("A new clearing center, reader or journal mirror is used from the next start."),
            self,
        )
        restart_note.setWordWrap(True)

        self.save_button = self.make_button(self.tr("&Save"), self.save)
        self.cancel_button = self.make_button(self.tr("Cancel"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(language_box)
        left.addWidget(printer_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(center_box)
        right.addWidget(device_box)
        right.addWidget(storage_box)
        right.addWidget(restart_note)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.admin_note)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.technical = [
            self.printer_kind, self.printer_pages, self.center_url, self.ca_file, self.ca_browse,
            self.reader, self.scenic, self.mirror, self.mirror_browse, self.disk_warning,
        ]  # fmt: skip
        for widget in self.technical:
            widget.setEnabled(self.technical_allowed)
        self.lock_while_busy(self.language, self.auto_print, *self.technical)
        order = [
            self.language, self.auto_print, self.printer_kind, *self.printer_fields,
            self.center_url, self.ca_file, self.ca_browse, self.reader, self.scenic,
            self.mirror, self.mirror_browse, self.disk_warning,
            self.save_button, self.cancel_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.set_primary(self.save)
        self.setMinimumWidth(820)
        if loaded.warning is not None:
            self.say_exception(loaded.warning)
        self.language.setFocus()
        if self.technical_allowed:
            self._list_readers()

    # -- the printer ---------------------------------------------------------------------------

    def _printer_box(self, printer: Mapping[str, Any]) -> QGroupBox:
        box = QGroupBox(self.tr("Receipt printer"), self)
        form = QFormLayout(box)
        self.printer_kind = QComboBox(box)
        self.printer_kind.setObjectName("printerKind")
        names = {
            NO_PRINTER: self.tr("No receipt printer"),
            QT_PRINTER: self.tr("System printer"),
            PDF_PRINTER: self.tr("PDF files in a folder"),
            ESCPOS_NETWORK: self.tr("Thermal printer on the network"),
            ESCPOS_USB: self.tr("Thermal printer on USB"),
            ESCPOS_FILE: self.tr("Thermal printer on a device file"),
        }
        for kind in PRINTER_KINDS:
            self.printer_kind.addItem(names[kind], kind)
        form.addRow(form_label(self.tr("&Printer:"), self.printer_kind, self), self.printer_kind)
        self.printer_pages = QStackedWidget(box)
        self.printer_fields: list[QWidget] = []

        def page() -> QFormLayout:
            widget = QWidget(self.printer_pages)
            self.printer_pages.addWidget(widget)
            layout = QFormLayout(widget)
            layout.setContentsMargins(0, 0, 0, 0)
            return layout

        page()  # none: nothing to set
        self.qt_name = QComboBox(box)
        self.qt_name.setObjectName("qtPrinterName")
        self.qt_name.setEditable(True)
        self.qt_name.addItem("")
        self.qt_name.addItems(QPrinterInfo.availablePrinterNames())
        self.qt_name.setCurrentText(_text(printer, "name"))
        page().addRow(form_label(self.tr("&Name:"), self.qt_name, self), self.qt_name)
        self.pdf_directory = QLineEdit(_text(printer, "directory"), box)
        self.pdf_directory.setObjectName("pdfDirectory")
        page().addRow(form_label(self.tr("&Folder:"), self.pdf_directory, self), self.pdf_directory)
        network = page()
        self.host = QLineEdit(_text(printer, "host"), box)
        self.host.setObjectName("escposHost")
        self.port = QSpinBox(box)
        self.port.setObjectName("escposPort")
        self.port.setRange(1, 65535)
        port = printer.get("port", 9100)
        self.port.setValue(port if isinstance(port, int) and 0 < port < 65536 else 9100)
        network.addRow(form_label(self.tr("&Host:"), self.host, self), self.host)
        network.addRow(form_label(self.tr("P&ort:"), self.port, self), self.port)
        usb = page()
        self.vendor_id = QLineEdit(_text(printer, "vendor_id"), box)
        self.vendor_id.setObjectName("escposVendor")
        self.vendor_id.setPlaceholderText("0x0416")
        self.product_id = QLineEdit(_text(printer, "product_id"), box)
        self.product_id.setObjectName("escposProduct")
        self.product_id.setPlaceholderText("0x5011")
        usb.addRow(form_label(self.tr("&Vendor ID:"), self.vendor_id, self), self.vendor_id)
        usb.addRow(form_label(self.tr("Pro&duct ID:"), self.product_id, self), self.product_id)
        self.device = QLineEdit(_text(printer, "device"), box)
        self.device.setObjectName("escposDevice")
        self.device.setPlaceholderText("/dev/usb/lp0")
        page().addRow(form_label(self.tr("&Device:"), self.device, self), self.device)
        self.paper = QComboBox(box)
        self.paper.setObjectName("escposColumns")
        self.paper.addItem(self.tr("80 mm paper (48 characters)"), PAPER_COLUMNS[0])
        self.paper.addItem(self.tr("58 mm paper (32 characters)"), PAPER_COLUMNS[1])
        self.paper.setCurrentIndex(max(self.paper.findData(printer.get("columns", 48)), 0))
        self.paper_label = form_label(self.tr("Pap&er:"), self.paper, self)
        form.addRow(self.printer_pages)
        form.addRow(self.paper_label, self.paper)
        self.printer_fields = [
            self.qt_name, self.pdf_directory, self.host, self.port, self.vendor_id,
            self.product_id, self.device, self.paper,
        ]  # fmt: skip
        self.printer_kind.currentIndexChanged.connect(self._printer_kind_changed)
        kind = printer.get("kind", NO_PRINTER) or NO_PRINTER
        self.printer_kind.setCurrentIndex(max(self.printer_kind.findData(kind), 0))
        self._printer_kind_changed()
        self._kept_printer = {k: printer[k] for k in KEPT_PRINTER_KEYS if k in printer}
        return box

    def _printer_kind_changed(self) -> None:
        self.printer_pages.setCurrentIndex(self.printer_kind.currentIndex())
        thermal = self.printer_kind.currentData() in {ESCPOS_NETWORK, ESCPOS_USB, ESCPOS_FILE}
        self.paper.setVisible(thermal)
        self.paper_label.setVisible(thermal)

    def printer_settings(self) -> dict[str, Any]:
        """The printer dictionary as chosen (what the printing module reads)."""
        kind = str(self.printer_kind.currentData())
        chosen: dict[str, Any] = {"kind": kind, **self._kept_printer}
        if kind == NO_PRINTER:
            return {"kind": NO_PRINTER}
        if kind == QT_PRINTER:
            chosen["name"] = self.qt_name.currentText().strip()
        elif kind == PDF_PRINTER:
            chosen["directory"] = self.pdf_directory.text().strip()
        elif kind == ESCPOS_NETWORK:
            chosen["host"] = self.host.text().strip()
            chosen["port"] = self.port.value()
        elif kind == ESCPOS_USB:
            chosen["vendor_id"] = self.vendor_id.text().strip()
            chosen["product_id"] = self.product_id.text().strip()
        elif kind == ESCPOS_FILE:
            chosen["device"] = self.device.text().strip()
        if kind in {ESCPOS_NETWORK, ESCPOS_USB, ESCPOS_FILE}:
            chosen["columns"] = int(self.paper.currentData())
        return chosen

    # -- the rest ------------------------------------------------------------------------------

    def _browse_ca(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("The clearing center's CA certificate"),
            self.ca_file.text().strip() or str(Path.home()),
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if chosen:
            self.ca_file.setText(chosen)
        self.ca_file.setFocus()

    def _browse_mirror(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self,
            self.tr("A folder on a second medium for the journal's mirror"),
            self.mirror.text().strip() or str(Path.home()),
        )
        if chosen:
            self.mirror.setText(chosen)
        self.mirror.setFocus()

    def _list_readers(self) -> None:
        """Offer the PC/SC readers present (on the card thread; none found is not an error)."""
        lister = self._reader_lister

        def work(_token: CancelToken, _progress: Progress) -> list[str]:
            try:
                return lister()
            except Exception as exc:  # a convenience: without PC/SC the name is typed
                log.warning("settings: cannot list the card readers: %s", exc)
                return []

        def offer(names: list[str]) -> None:
            current = self.reader.currentText()
            for name in names:
                if self.reader.findText(name) < 0:
                    self.reader.addItem(name)
            self.reader.setCurrentText(current)

        self.run(work, offer, label=self.tr("Looking for card readers"), on_card=True)

    def chosen(self) -> Settings:
        """The settings as the dialog shows them (settings it does not edit are kept)."""
        if not self.technical_allowed:
            return replace(
                self.original,
                language=str(self.language.currentData()),
                auto_print=self.auto_print.isChecked(),
            )
        return replace(
            self.original,
            language=str(self.language.currentData()),
            printer=self.printer_settings(),
            center_url=self.center_url.text().strip(),
            center_ca_file=self.ca_file.text().strip(),
            reader_name=self.reader.currentText().strip(),
            scenic_mode=self.scenic.isChecked(),
            auto_print=self.auto_print.isChecked(),
            journal_mirror=self.mirror.text().strip(),
            disk_warning_mb=self.disk_warning.value(),
        )

    def problem(self, settings: Settings) -> ClerkFacingError | None:
        """What is wrong with ``settings`` as chosen here, or None.

        A mirror folder typed anew must exist and lie on another disk than the data directory
        (the mirror's own check); one kept as it was is not judged again (a drive unplugged for
        now must not stop a language change).
        """
        problem = settings.problem()
        if problem is not None:
            return problem
        if settings.journal_mirror and settings.journal_mirror != self.original.journal_mirror:
            return mirror_folder_problem(Path(settings.journal_mirror), self.path.parent)
        return None

    def save(self) -> None:
        """Check the settings, write them (on the pool), tell the window, close."""
        settings = self.chosen()
        problem = self.problem(settings)
        if problem is not None:
            self.say_exception(problem)
            if problem.params.get("path") == settings.journal_mirror:
                self.mirror.setFocus()
            return
        path = self.path

        def work(_token: CancelToken, _progress: Progress) -> Settings:
            try:
                save_settings(settings, path)
            except OSError as exc:
                raise SettingsWriteError(
                    "The settings could not be written to {path} ({reason}).",
                    path=str(path),
                    reason=exc.strerror or type(exc).__name__,
                ) from exc
            return settings

        self.run(work, self._saved, label=self.tr("Saving the settings"))

    def _saved(self, settings: Settings) -> None:
        self.saved = settings
        self.settings_saved.emit(settings)
        if settings.language != self.original.language:
            self.language_changed.emit(settings.language)
        self.accept()
