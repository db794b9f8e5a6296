"""Receipts on paper, Qt-free: the receipt's layout, ESC/POS thermal printers, the printer protocol.

Qt printers and PDF files (and ``printer_from_settings``, which can return one) are in
``app.ui.printing``.
"""
