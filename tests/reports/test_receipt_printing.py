"""Receipts on ESC/POS thermal printers: GB18030 Chinese, COPY on reprints, the cut; real sockets.

The job bytes come from python-escpos's Dummy printer; the network printer is a TCP server on
loopback and the file printer a real file, so what they receive is compared byte for byte. USB
cannot run here: with no such device, printing must fail in the clerk's words.
"""

from __future__ import annotations

import socket
import threading
from datetime import timedelta, timezone

import pytest

from app.printing.errors import PrinterError, PrinterSettingsError
from app.printing.escpos_receipt import (
    CHINESE_MODE_ON,
    EscposFile,
    EscposNetwork,
    EscposUsb,
    escpos_printer_from_settings,
    receipt_job,
    row,
    width,
    wrap,
)
from app.printing.receipt_layout import receipt_layout
from tests.reports.worked_day import TZ

CUT = b"\x1dV\x00"  # GS V 0: full cut
GB = "gb18030"


def gb(text: str) -> bytes:
    return text.encode(GB)


def test_original_receipt_bytes(day):
    job = receipt_job(receipt_layout(day.receipt, TZ))
    assert job.startswith(b"\x1b@" + CHINESE_MODE_ON)  # ESC @, then Chinese character mode
    for text in ("城市一卡通", "充值凭条 Top-up receipt", "卡号 Card", "操作员 Operator"):
        assert gb(text) in job, text
    assert gb("￥100.00") in job and "¥".encode() not in job
    assert gb("3104000000000001") in job
    assert gb("2026-11-21 09:10:") in job  # local time (UTC+8) of the top-up
    assert b"COPY" not in job and gb("重印") not in job
    assert job.endswith(CUT)
    assert "城市一卡通".encode() not in job  # not UTF-8


def test_a_reprint_says_copy_at_the_top_and_the_bottom(day):
    job = receipt_job(receipt_layout(day.copy, TZ))
    assert job.count(gb("重印 COPY 1")) == 2
    assert job.index(gb("重印 COPY 1")) < job.index(gb("卡号 Card"))  # above the lines
    assert job.rindex(gb("重印 COPY 1")) > job.index(gb("请妥善保管"))  # and below them
    assert b"\x1d!\x11" in job  # GS ! 0x11: double width and height for the mark
    assert job.endswith(CUT)


@pytest.mark.parametrize("columns", [32, 48])
def test_every_printed_line_fits_the_paper(day, columns):
    job = receipt_job(receipt_layout(day.copy, TZ), columns)
    text = job.decode(GB, "replace")
    lines = [line for line in text.split("\n")[1:-1] if line]
    body = [line for line in lines if not any(ord(c) < 0x20 for c in line)]
    assert len(body) >= 10
    assert all(width(line) <= columns for line in body), body


def test_wrapping_counts_chinese_as_two_columns():
    assert width("原余额 Balance") == 14
    assert wrap("充值凭条 Top-up receipt", 12) == ["充值凭条", "Top-up", "receipt"]
    assert wrap("一二三四五六七", 6) == ["一二三", "四五六", "七"]
    assert row("卡号 Card", "3104000000000001", 32) == ["卡号 Card       3104000000000001"]
    assert row("原余额 Balance before", "￥1,000.00", 24) == [
        "原余额 Balance before",
        " " * 14 + "￥1,000.00",  # ￥ takes two columns
    ]


class _Server:
    """A loopback TCP 'printer' that keeps what it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.received = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            while chunk := conn.recv(65536):
                self.received += chunk

    def close(self) -> bytes:
        self.thread.join(timeout=10)
        self.sock.close()
        return bytes(self.received)


def test_network_printer_gets_the_job(day):
    server = _Server()
    printer = EscposNetwork("127.0.0.1", server.port, timezone=TZ)
    printer.print_receipt(day.copy)
    assert server.close() == receipt_job(receipt_layout(day.copy, TZ))


def test_file_printer_writes_the_job(day, tmp_path):
    device = tmp_path / "lp0"
    device.touch()
    EscposFile(str(device), timezone=TZ, columns=32).print_receipt(day.receipt)
    assert device.read_bytes() == receipt_job(receipt_layout(day.receipt, TZ), 32)


def test_an_unreachable_printer_fails_in_words(day):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    printer = EscposNetwork("127.0.0.1", port, timezone=TZ)
    with pytest.raises(PrinterError) as info:
        printer.print_receipt(day.receipt)
    assert info.value.template == "The receipt printer ({printer}) did not print: {reason}"
    assert info.value.params["printer"] == f"network 127.0.0.1:{port}"
    assert "paper" in info.value.advice


def test_a_missing_usb_printer_fails_in_words(day):
    printer = EscposUsb(0x0416, 0x5011, timezone=TZ)
    with pytest.raises(PrinterError) as info:
        printer.print_receipt(day.receipt)
    assert info.value.params["printer"] == "USB 0416:5011"


def test_a_missing_device_file_fails_in_words(day, tmp_path):
    with pytest.raises(PrinterError):
        EscposFile(str(tmp_path / "no" / "lp9"), timezone=TZ).print_receipt(day.receipt)


def test_printers_from_settings():
    tz = timezone(timedelta(hours=8))
    net = escpos_printer_from_settings({"kind": "escpos_network", "host": "10.0.0.9"}, tz)
    assert isinstance(net, EscposNetwork) and (net.host, net.port, net.columns) == (
        "10.0.0.9",
        9100,
        48,
    )
    usb = escpos_printer_from_settings(
        {"kind": "escpos_usb", "vendor_id": "0x0416", "product_id": 20497, "columns": 32}, tz
    )
    assert isinstance(usb, EscposUsb)
    assert (usb.vendor_id, usb.product_id, usb.columns) == (0x0416, 0x5011, 32)
    dev = escpos_printer_from_settings(
        {"kind": "escpos_file", "device": "/dev/usb/lp0", "heading": "杭州通 Hangzhou"}, tz
    )
    assert isinstance(dev, EscposFile) and dev.heading == "杭州通 Hangzhou"


@pytest.mark.parametrize(
    "settings",
    [
        {"kind": "escpos_network"},
        {"kind": "escpos_network", "host": "h", "port": 70000},
        {"kind": "escpos_usb", "vendor_id": "zebra", "product_id": 1},
        {"kind": "escpos_usb", "vendor_id": True, "product_id": 1},
        {"kind": "escpos_file", "device": "  "},
        {"kind": "escpos_file", "device": "/dev/x", "columns": 500},
        {"kind": "laser"},
    ],
)
def test_bad_settings_are_refused_in_words(settings):
    with pytest.raises(PrinterSettingsError) as info:
        escpos_printer_from_settings(settings, TZ)
    assert "settings" in info.value.advice
