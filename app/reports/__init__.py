"""Shift and daily reports: figures from the journal, CSV export (Qt-free).

The printable documents are laid out in ``app.ui.printing.report_doc``.
"""

from app.reports.build import daily_report, shift_report
from app.reports.csv_export import write_daily_csv, write_shift_csv
from app.reports.model import DailyReport, ShiftReport

__all__ = [
    "DailyReport",
    "ShiftReport",
    "daily_report",
    "shift_report",
    "write_daily_csv",
    "write_shift_csv",
]
