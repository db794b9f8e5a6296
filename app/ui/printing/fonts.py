"""The font printed documents use: one that has Chinese glyphs, so nothing prints as boxes."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

PREFERRED = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")
MONOSPACE = ("Noto Sans Mono CJK SC", "DejaVu Sans Mono", "Liberation Mono")


def _has_chinese(family: str) -> bool:
    return QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)


def cjk_family() -> str:
    """The application font's family when it has Chinese, else the first CJK family installed."""
    app_family = QGuiApplication.font().family()
    if _has_chinese(app_family):
        return app_family
    families = QFontDatabase.families()
    for family in PREFERRED:
        if family in families:
            return family
    return next((f for f in families if _has_chinese(f)), app_family)


def document_font(point_size: float = 10.0) -> QFont:
    """The body font of printed documents."""
    font = QFont(cjk_family())
    font.setPointSizeF(point_size)
    # Noto Sans CJK's "locl" substitutes Latin digits with glyphs outside its cmap, and "liga"
    # makes "fl" one glyph: Qt's PDF writer then cannot map them back to text, and a PDF's "1"
    # or "float" would not copy or search.
    for feature in ("locl", "liga"):
        font.setFeature(QFont.Tag(feature), 0)
    return font


def monospace_family() -> str:
    """A fixed-pitch family for hex (MACs, signatures)."""
    families = QFontDatabase.families()
    return next((f for f in MONOSPACE if f in families), "monospace")
