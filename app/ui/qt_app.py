"""QApplication set-up: a CJK font that renders Chinese."""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")


def make_application(argv: list[str] | None = None) -> QApplication:
    """Create (or return) the QApplication with a Chinese-capable default font."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    families = set(QFontDatabase.families())
    for family in _CJK_FAMILIES:
        if family in families:
            app.setFont(QFont(family, 11))
            break
    return app
