"""The window's language: Chinese (zh_CN, the default) or English (the source language).

Our strings come from ``resources/i18n/citycard_<lang>.qm`` (built from the ``.ts`` sources by
``make``); Qt's own (message-box buttons, print dialogs) from the ``qtbase`` catalogue shipped
with PySide6. Switching installs the new translators; Qt then sends every widget a
``LanguageChange`` event and the main window rebuilds its texts (see
:meth:`app.ui.main_window.MainWindow`), so no restart is needed.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = {"zh_CN": "中文（简体）", "en": "English"}


def translations_dir() -> Path:
    """Where the compiled ``.qm`` files are (the source tree, or a PyInstaller bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    base = Path(bundle) if bundle else Path(__file__).resolve().parent.parent.parent
    return base / "resources" / "i18n"


class LanguageSwitcher:
    """Installs and swaps the application's translators."""

    def __init__(self, app: QCoreApplication, directory: Path | None = None) -> None:
        self._app = app
        self._directory = directory or translations_dir()
        self._installed: list[QTranslator] = []
        self.language = "en"

    def switch(self, language: str) -> bool:
        """Use ``language`` from now on; False (and English) when its catalogue is missing."""
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed.clear()
        self.language = "en"
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.China))
        if language == "en" or language not in LANGUAGES:
            return language == "en"
        ours = QTranslator(self._app)
        if not ours.load(str(self._directory / f"citycard_{language}.qm")):
            log.warning(
                "no translation catalogue for %s in %s; run `make`", language, self._directory
            )
            return False
        qt_own = QTranslator(self._app)
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt_own.load(f"qtbase_{language}", qt_dir):
            self._app.installTranslator(qt_own)
            self._installed.append(qt_own)
        self._app.installTranslator(ours)
        self._installed.append(ours)
        self.language = language
        QLocale.setDefault(QLocale(language))
        return True
