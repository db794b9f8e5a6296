"""Receipts on ESC/POS thermal printers (python-escpos), Chinese text in GB18030.

The job is built once into bytes with python-escpos's ``Dummy`` printer, then handed to the
device in one write: rendering is pure and testable, and a printer that fails fails on one call.
Chinese printers print double-byte text in *Chinese character mode* (``FS &``), reading it as
GB2312/GBK/GB18030; python-escpos's own ``text()`` only knows single-byte code pages, so text goes
out as raw GB18030 bytes. ``¥`` becomes the full-width ``￥`` (GB2312 A3A4), which every Chinese
printer has. Sizes use ``GS !``, which scales Chinese and ASCII alike.

Widths are in printer columns: an ASCII character takes one, anything else two (a double-byte
glyph). 80 mm paper has 48 columns in font A, 58 mm paper 32.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import suppress
from datetime import tzinfo
from typing import Any

from app.printing.errors import PrinterError, PrinterSettingsError
from app.printing.receipt_layout import DEFAULT_HEADING, ReceiptLayout, receipt_layout
from app.services.receipts import Receipt

log = logging.getLogger(__name__)

ENCODING = "gb18030"
CHINESE_MODE_ON = b"\x1c\x26"  # FS &: select Chinese character mode
CHINESE_MODE_OFF = b"\x1c\x2e"  # FS .: cancel it (leave the printer as found)
COLUMNS_80MM = 48
COLUMNS_58MM = 32
MIN_COLUMNS, MAX_COLUMNS = 24, 64
DEFAULT_PORT = 9100
TIMEOUT_S = 10


# -- text in printer columns ---------------------------------------------------------------------


def printable(text: str) -> str:
    """Text as the thermal printer should get it (``¥`` → ``￥``, no control characters)."""
    text = text.replace("¥", "￥")
    return "".join(c for c in text if c.isprintable())


def width(text: str) -> int:
    """Printer columns ``text`` takes (ASCII one, everything else two)."""
    return sum(1 if ord(c) < 0x80 else 2 for c in text)


def _split(word: str, columns: int) -> Iterator[str]:
    piece = ""
    for c in word:
        if piece and width(piece + c) > columns:
            yield piece
            piece = ""
        piece += c
    if piece:
        yield piece


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns``, broken at spaces where possible."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if width(candidate) <= columns:
            line = candidate
            continue
        if line:
            lines.append(line)
        pieces = list(_split(word, columns)) or [""]
        lines += pieces[:-1]
        line = pieces[-1]
    lines.append(line)
    return lines


def row(label: str, value: str, columns: int) -> list[str]:
    """A label on the left and its value on the right; the value on its own line(s) if need be."""
    space = columns - width(label) - width(value)
    if space >= 1:
        return [label + " " * space + value]
    lines = wrap(label, columns)
    for part in wrap(value, columns):
        lines.append(" " * (columns - width(part)) + part)
    return lines


# -- the job -------------------------------------------------------------------------------------


def _escpos() -> Any:
    """python-escpos's printers; without pillow (the bundle leaves it out), minus the image path.

    Receipts are text, set-up commands and a cut: nothing of python-escpos's image, barcode or QR
    code printing, the only users of pillow, whose module ``escpos.image`` imports it
    unconditionally. Where pillow is missing, that module is replaced by one whose image class
    refuses, so that the printers import and text receipts print.
    """
    if "escpos.image" not in sys.modules and not _has_pillow():
        sys.modules["escpos.image"] = _imageless_module()
    import escpos.printer  # type: ignore[import-untyped]  # noqa: PLC0415 - 0.2 s, only to print

    return escpos.printer


def _has_pillow() -> bool:
    try:
        return importlib.util.find_spec("PIL") is not None
    except (ImportError, ValueError):  # blocked, or a None left in sys.modules
        return False


def _imageless_module() -> types.ModuleType:
    module = types.ModuleType("escpos.image", "python-escpos's images, left out (no pillow).")

    class EscposImage:
        def __init__(self, *_args: object, **_kwargs: object) -> None:
            raise RuntimeError("this counter prints text receipts only: images need pillow")

    module.EscposImage = EscposImage  # type: ignore[attr-defined]
    return module


def write_receipt(printer: Any, layout: ReceiptLayout, columns: int = COLUMNS_80MM) -> None:
    """Send ``layout`` to a python-escpos printer object, then cut the paper."""

    def line(text: str) -> None:
        printer._raw(printable(text).encode(ENCODING) + b"\n")

    def big(text: str) -> None:
        printer.set(align="center", bold=True, custom_size=True, width=2, height=2)
        for part in wrap(printable(text), columns // 2):
            line(part)
        printer.set(align="left", bold=False, custom_size=True, width=1, height=1)

    printer.hw("INIT")
    printer._raw(CHINESE_MODE_ON)
    printer.set(align="center", bold=True)
    for part in wrap(printable(layout.heading), columns):
        line(part)
    big(layout.title)
    if layout.copy_mark:
        big(layout.copy_mark)
    line("-" * columns)
    for label, value in layout.rows:
        for text in row(printable(label), printable(value), columns):
            line(text)
    line("-" * columns)
    printer.set(align="center")
    for part in wrap(printable(layout.footer), columns):
        line(part)
    if layout.copy_mark:
        big(layout.copy_mark)
    printer.set(align="left")
    printer._raw(CHINESE_MODE_OFF)
    printer.cut()


def receipt_job(layout: ReceiptLayout, columns: int = COLUMNS_80MM) -> bytes:
    """The bytes an ESC/POS printer gets for ``layout``."""
    dummy = _escpos().Dummy()
    write_receipt(dummy, layout, columns)
    return bytes(dummy.output)


# -- printers ------------------------------------------------------------------------------------


class EscposPrinter:
    """An ESC/POS receipt printer; subclasses say how to reach the device."""

    def __init__(
        self, timezone: tzinfo, columns: int = COLUMNS_80MM, heading: str = DEFAULT_HEADING
    ) -> None:
        self.timezone = timezone
        self.columns = columns
        self.heading = heading

    @property
    def description(self) -> str:
        """Which printer this is, in words."""
        raise NotImplementedError

    def _device(self) -> Any:
        """A python-escpos printer object for the device (not opened yet)."""
        raise NotImplementedError

    def print_receipt(self, receipt: Receipt) -> None:
        """Print ``receipt`` on the thermal printer; :class:`PrinterError` if it could not."""
        job = receipt_job(receipt_layout(receipt, self.timezone, self.heading), self.columns)
        self.send(job)

    def send(self, job: bytes) -> None:
        """Hand a prepared job to the device in one write."""
        device = self._device()
        # what a printer that is off, unplugged or unreachable raises: python-escpos's errors,
        # socket and file errors, pyusb's USBError (an OSError) and NoBackendError (a ValueError)
        failures = (OSError, ValueError, _escpos_error())
        try:
            device.open()
            device._raw(job)
        except failures as exc:
            log.warning("receipt printer %s failed: %r", self.description, exc)
            raise PrinterError(
                "The receipt printer ({printer}) did not print: {reason}",
                printer=self.description,
                reason=str(exc).strip() or type(exc).__name__,
            ) from exc
        finally:
            try:
                device.close()
            except failures:
                log.debug("closing printer %s failed", self.description, exc_info=True)


def _escpos_error() -> type[Exception]:
    import escpos.exceptions  # type: ignore[import-untyped]  # noqa: PLC0415

    error: type[Exception] = escpos.exceptions.Error
    return error


class EscposNetwork(EscposPrinter):
    """A thermal printer on the network (raw TCP, usually port 9100)."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, **options: Any) -> None:
        super().__init__(**options)
        self.host = host
        self.port = port

    @property
    def description(self) -> str:
        """``network 192.168.1.50:9100``."""
        return f"network {self.host}:{self.port}"

    def _device(self) -> Any:
        return _escpos().Network(self.host, self.port, timeout=TIMEOUT_S)


class EscposUsb(EscposPrinter):
    """A thermal printer on USB, found by vendor and product id (pyusb/libusb)."""

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        in_ep: int = 0x82,
        out_ep: int = 0x01,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.vendor_id, self.product_id = vendor_id, product_id
        self.in_ep, self.out_ep = in_ep, out_ep

    @property
    def description(self) -> str:
        """``USB 0416:5011``."""
        return f"USB {self.vendor_id:04x}:{self.product_id:04x}"

    def _device(self) -> Any:
        return _escpos().Usb(
            self.vendor_id,
            self.product_id,
            timeout=TIMEOUT_S * 1000,
            in_ep=self.in_ep,
            out_ep=self.out_ep,
        )


class EscposFile(EscposPrinter):
    """A thermal printer behind a device file (``/dev/usb/lp0``, a serial port, a named pipe)."""

    def __init__(self, device_path: str, **options: Any) -> None:
        super().__init__(**options)
        self.device_path = device_path

    @property
    def description(self) -> str:
        """``/dev/usb/lp0``."""
        return self.device_path

    def _device(self) -> Any:
        return _escpos().File(self.device_path)


# -- from the settings ---------------------------------------------------------------------------

ESCPOS_KINDS = ("escpos_network", "escpos_usb", "escpos_file")


def _text(settings: Mapping[str, object], key: str) -> str:
    value = settings.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PrinterSettingsError(
            "The receipt printer setting {field} is missing or empty.", field=key
        )
    return value.strip()


def _number(
    settings: Mapping[str, object], key: str, default: int | None, low: int, high: int
) -> int:
    value = settings.get(key, default)
    number = low - 1  # out of range: refused below
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        with suppress(ValueError):
            number = int(value.strip(), 0)  # "0x0416", "1046", "9100"
    if not low <= number <= high:
        raise PrinterSettingsError(
            "The receipt printer setting {field} must be a number from {low} to {high}.",
            field=key,
            low=low,
            high=high,
        )
    return number


def escpos_printer_from_settings(settings: Mapping[str, object], timezone: tzinfo) -> EscposPrinter:
    """An ESC/POS printer from the settings (``kind`` one of :data:`ESCPOS_KINDS`).

    ``{"kind": "escpos_network", "host": "192.168.1.50", "port": 9100}``,
    ``{"kind": "escpos_usb", "vendor_id": "0x0416", "product_id": "0x5011"}`` (optionally
    ``in_ep``, ``out_ep``), ``{"kind": "escpos_file", "device": "/dev/usb/lp0"}``; each may add
    ``"columns"`` (48 for 80 mm paper, the default; 32 for 58 mm) and ``"heading"``.
    """
    options: dict[str, Any] = {
        "timezone": timezone,
        "columns": _number(settings, "columns", COLUMNS_80MM, MIN_COLUMNS, MAX_COLUMNS),
    }
    heading = settings.get("heading")
    if isinstance(heading, str) and heading.strip():
        options["heading"] = heading.strip()
    kind = settings.get("kind")
    if kind == "escpos_network":
        port = _number(settings, "port", DEFAULT_PORT, 1, 65535)
        return EscposNetwork(_text(settings, "host"), port, **options)
    if kind == "escpos_usb":
        return EscposUsb(
            _number(settings, "vendor_id", None, 1, 0xFFFF),
            _number(settings, "product_id", None, 1, 0xFFFF),
            in_ep=_number(settings, "in_ep", 0x82, 0, 0xFF),
            out_ep=_number(settings, "out_ep", 0x01, 0, 0xFF),
            **options,
        )
    if kind == "escpos_file":
        return EscposFile(_text(settings, "device"), **options)
    raise PrinterSettingsError("{kind} is not a kind of receipt printer.", kind=repr(kind))
