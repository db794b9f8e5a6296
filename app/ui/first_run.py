"""The first-run wizard: who administers this counter, what it is called, what it talks to.

It only asks; it sets nothing up. :func:`ask_first_run` returns the answers (or None when the
technician cancels) and the composition root makes the counter from them
(:func:`app.composition.init_counter`, the first admin, the settings). Each page checks its
fields before Next, in plain words, so nothing half-valid reaches the set-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.composition import DEFAULT_SAM_READER
from app.services.operators import USERNAME, password_problem
from app.ui.flows.base import form_label
from app.ui.forms import MessageLine

DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
TERMINAL_ID = re.compile(r"[0-9A-Fa-f]{12}")
ENROLMENT_CODE = re.compile(r"[A-Za-z0-9-]{4,64}")
MIN_PASSPHRASE = 10


@dataclass(frozen=True)
class FirstRunAnswers:
    """What the first run decided (passwords included: use them, never store them)."""

    admin_username: str
    admin_name: str
    admin_password: str
    device_id: str
    terminal_id: str  # 12 upper-case hex digits
    keystore_passphrase: str | None  # None: it comes from the environment
    reader_name: str
    center_url: str  # empty: no clearing center (offline)
    enrolment_code: str
    printer: str  # free text for now: the receipt printer's name or address
    sam_reader_name: str = ""  # the reader's SAM slot (empty: the default)


class _Page(QWizardPage):
    """A page with a message line; ``problem()`` says what is wrong before Next."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.message = MessageLine(self)
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.message)

    def add(self, text: str, field: QWidget, *, buddy: QWidget | None = None) -> None:
        """A labelled row (the label's mnemonic focuses ``buddy`` or ``field``)."""
        self.form.addRow(form_label(text, buddy or field, self), field)

    def problem(self) -> tuple[str, str] | None:
        """(what is wrong, what to do), or None when the page is fine."""
        return None

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        """Refuse Next while something is wrong, and say what."""
        found = self.problem()
        if found is None:
            self.message.clear()
            return True
        self.message.show_error(*found)
        return False


def _line(name: str, *, secret: bool = False, max_length: int = 128) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setMaxLength(max_length)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class AdminPage(_Page):
    """The first administrator."""

    def __init__(self) -> None:
        super().__init__(
            self.tr("The administrator"),
            self.tr("The administrator creates the clerks' and supervisors' accounts."),
        )
        self.username = _line("wizardAdminUsername", max_length=32)
        self.name = _line("wizardAdminName", max_length=64)
        self.password = _line("wizardAdminPassword", secret=True)
        self.repeat = _line("wizardAdminRepeat", secret=True)
        self.add(self.tr("&Username:"), self.username)
        self.add(self.tr("&Name:"), self.name)
        self.add(self.tr("&Password:"), self.password)
        self.add(self.tr("&Repeat password:"), self.repeat)

    def problem(self) -> tuple[str, str] | None:
        """Username form, password strength, both passwords the same."""
        username = self.username.text().strip().lower()
        if not USERNAME.fullmatch(username):
            return (
                self.tr("“{0}” cannot be a username.").format(self.username.text()),
                self.tr("Use 2-32 lower-case letters, digits, '.', '_' or '-'."),
            )
        if password_problem(self.password.text(), username) is not None:
            return (
                self.tr("Choose another password."),
                self.tr("At least 8 characters, not a common one, not containing the username."),
            )
        if self.password.text() != self.repeat.text():
            return self.tr("The two passwords differ."), self.tr("Type the same password twice.")
        return None


class DevicePage(_Page):
    """Device id, terminal id (the SAM's) and the keystore passphrase; no issuer key."""

    def __init__(self, ask_passphrase: bool) -> None:
        super().__init__(
            self.tr("This counter"),
            self.tr("The identities the issuer assigned to this counter, and its keys."),
        )
        self.ask_passphrase = ask_passphrase
        self.device_id = _line("wizardDeviceId", max_length=32)
        self.terminal_id = _line("wizardTerminalId", max_length=12)
        self.terminal_id.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9A-Fa-f]{0,12}"), self.terminal_id)
        )
        self.add(self.tr("&Device id:"), self.device_id)
        self.add(self.tr("&Terminal id (12 hex digits):"), self.terminal_id)
        self.passphrase = _line("wizardPassphrase", secret=True)
        self.passphrase_repeat = _line("wizardPassphraseRepeat", secret=True)
        if ask_passphrase:
            self.add(self.tr("Keystore &passphrase:"), self.passphrase)
            self.add(self.tr("Repeat p&assphrase:"), self.passphrase_repeat)

    def problem(self) -> tuple[str, str] | None:
        """Id formats, passphrase length and match."""
        if not DEVICE_ID.fullmatch(self.device_id.text().strip()):
            return (
                self.tr("The device id is missing or malformed."),
                self.tr("Type it as the issuer gave it: 1-32 letters, digits, '-' or '_'."),
            )
        if not TERMINAL_ID.fullmatch(self.terminal_id.text().strip()):
            return (
                self.tr("The terminal id must be 12 hexadecimal digits."),
                self.tr("Type it as the issuer gave it, e.g. 0102030405AB."),
            )
        if self.ask_passphrase:
            if len(self.passphrase.text()) < MIN_PASSPHRASE:
                return (
                    self.tr("The keystore passphrase is too short."),
                    self.tr(
                        "Use at least 10 characters; keep it where the supervisor can find it."
                    ),
                )
            if self.passphrase.text() != self.passphrase_repeat.text():
                return (
                    self.tr("The two passphrases differ."),
                    self.tr("Type the same passphrase twice."),
                )
        return None


class ReaderPage(_Page):
    """The card reader (from the PC/SC readers present)."""

    def __init__(self, readers: Callable[[], list[str]]) -> None:
        super().__init__(
            self.tr("The card reader"),
            self.tr("Choose the contactless reader the customers tap their cards on."),
        )
        self._readers = readers
        self.reader = QComboBox()
        self.reader.setObjectName("wizardReader")
        self.reader.setEditable(True)
        refresh = QPushButton(self.tr("&Look again"))
        refresh.clicked.connect(self.refresh)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.reader, 1)
        row_layout.addWidget(refresh)
        self.add(self.tr("&Reader:"), row, buddy=self.reader)
        self.sam_reader = QComboBox()
        self.sam_reader.setObjectName("wizardSamReader")
        self.sam_reader.setEditable(True)
        self.add(self.tr("&SAM slot (the PSAM's reader):"), self.sam_reader)
        self.refresh()

    def refresh(self) -> None:
        """List the readers present now."""
        try:
            names = self._readers()
        except Exception as exc:
            names = []
            self.message.show_error(
                self.tr("The readers cannot be listed ({0}).").format(exc),
                self.tr("Check that the smart-card service runs; you can type the name."),
            )
        current = self.reader.currentText()
        self.reader.clear()
        self.reader.addItems(names)
        if current:
            self.reader.setCurrentText(current)
        sam_current = self.sam_reader.currentText()
        self.sam_reader.clear()
        self.sam_reader.addItems(names)
        default_sam = next((n for n in names if n == DEFAULT_SAM_READER), "")
        self.sam_reader.setCurrentText(sam_current or default_sam)
        if not names:
            self.message.show_info(
                self.tr("No reader found. Plug it in and press Look again, or type its name.")
            )

    def problem(self) -> tuple[str, str] | None:
        """A reader must be named (it may be plugged in later)."""
        if not self.reader.currentText().strip():
            return self.tr("No reader chosen."), self.tr("Plug the reader in and look again.")
        return None


class CenterPage(_Page):
    """The clearing center (optional) and the receipt printer."""

    def __init__(self) -> None:
        super().__init__(
            self.tr("Clearing center and printer"),
            self.tr("Leave the center empty to work offline; it can be set later in the settings."),
        )
        self.center_url = _line("wizardCenterUrl", max_length=256)
        self.center_url.setPlaceholderText("https://clearing.example.cn")
        self.enrolment_code = _line("wizardEnrolmentCode", max_length=64)
        self.printer = _line("wizardPrinter", max_length=256)
        self.printer.setPlaceholderText(self.tr("e.g. 192.168.1.50:9100 or /dev/usb/lp0"))
        self.add(self.tr("Clearing &center address:"), self.center_url)
        self.add(self.tr("&Enrolment code:"), self.enrolment_code)
        self.add(self.tr("Receipt &printer:"), self.printer)

    def problem(self) -> tuple[str, str] | None:
        """An http(s) address when given; an enrolment code only with an address."""
        url = self.center_url.text().strip()
        code = self.enrolment_code.text().strip()
        if url and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
            return (
                self.tr("“{0}” is not the address of a clearing center.").format(url),
                self.tr(
                    "Type it as https://host[:port], as the issuer gave it; or leave it empty."
                ),
            )
        if code and not url:
            return (
                self.tr("An enrolment code needs the center's address."),
                self.tr("Type the address too, or leave the code empty."),
            )
        if url and not code:
            return (
                self.tr("Enrolling with the center needs its one-time enrolment code."),
                self.tr("Type the code the issuer gave you, or leave the address empty."),
            )
        if code and not ENROLMENT_CODE.fullmatch(code):
            return (
                self.tr("The enrolment code is malformed."),
                self.tr("Type it exactly as the issuer gave it."),
            )
        return None


class FirstRunWizard(QWizard):
    """Admin → counter → reader → center and printer."""

    def __init__(
        self,
        readers: Callable[[], list[str]],
        *,
        ask_passphrase: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(self.tr("Set up this counter"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.admin = AdminPage()
        self.device = DevicePage(ask_passphrase)
        self.reader = ReaderPage(readers)
        self.center = CenterPage()
        for page in (self.admin, self.device, self.reader, self.center):
            self.addPage(page)
        self.setMinimumSize(640, 460)

    def answers(self) -> FirstRunAnswers:
        """What was typed (call after the wizard was accepted)."""
        username = self.admin.username.text().strip().lower()
        return FirstRunAnswers(
            admin_username=username,
            admin_name=self.admin.name.text().strip() or username,
            admin_password=self.admin.password.text(),
            device_id=self.device.device_id.text().strip(),
            terminal_id=self.device.terminal_id.text().strip().upper(),
            keystore_passphrase=self.device.passphrase.text()
            if self.device.ask_passphrase
            else None,
            reader_name=self.reader.reader.currentText().strip(),
            sam_reader_name=self.reader.sam_reader.currentText().strip(),
            center_url=self.center.center_url.text().strip(),
            enrolment_code=self.center.enrolment_code.text().strip(),
            printer=self.center.printer.text().strip(),
        )


def ask_first_run(
    readers: Callable[[], list[str]], *, ask_passphrase: bool = True, parent: QWidget | None = None
) -> FirstRunAnswers | None:
    """Run the wizard (modal); the answers, or None when it was cancelled."""
    wizard = FirstRunWizard(readers, ask_passphrase=ask_passphrase, parent=parent)
    if wizard.exec() != QWizard.DialogCode.Accepted:
        return None
    return wizard.answers()
