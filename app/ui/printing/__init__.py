"""Printing in the window: receipts and reports to any Qt printer, PDF and print preview.

The content comes from below the UI (``app.printing.receipt_layout``, ``app.reports``); here it
is only laid out with QTextDocument and QPainter.
"""
