"""Clerk-facing texts from the layers below, translated, and the one place errors are shown.

Services, card and sync errors carry an English template and values
(:mod:`app.domain.texts`); here the template is looked up in Qt's catalogue (context
``"messages"``) and filled in. Anything that is not clerk-facing is a bug: it is logged with
its traceback and shown as an internal error with what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.texts import ClerkFacingError

log = logging.getLogger(__name__)

CONTEXT = "messages"


def translated(template: str, params: Mapping[str, object] | None = None) -> str:
    """The template in the current language, with its values filled in."""
    text = QCoreApplication.translate(CONTEXT, template)
    return text.format_map(params) if params else text


@runtime_checkable
class Text(Protocol):
    """A text kept as an English template and its values (e.g. a line of the sync status)."""

    @property
    def template(self) -> str:
        """The English template."""
        ...

    @property
    def params(self) -> Mapping[str, object]:
        """The values; a value that is itself a :class:`Text` is translated too."""
        ...


def translated_text(text: Text) -> str:
    """``text`` in the current language, texts among its values translated first."""
    params = {
        name: translated_text(value) if isinstance(value, Text) else value
        for name, value in text.params.items()
    }
    return translated(text.template, params)


def status_line(text: Text | None, english: str | None) -> str:
    """A status line: ``text`` translated (first letter capitalised), else ``english`` or ""."""
    if text is None:
        return english or ""
    line = translated_text(text)
    return line[:1].upper() + line[1:]


def describe(exc: BaseException) -> tuple[str, str, bool]:
    """(what happened, what to do, whether it is an internal error) in the current language."""
    if isinstance(exc, ClerkFacingError):
        advice = translated(exc.advice, exc.params) if exc.advice else ""
        return translated(exc.template, exc.params), advice, False
    what = QCoreApplication.translate(CONTEXT, "Internal error: {detail}").format(
        detail=type(exc).__name__
    )
    advice = QCoreApplication.translate(
        CONTEXT,
        "Nothing was lost: the journal keeps every step. Tell the supervisor; the log has the "
        "details.",
    )
    return what, advice, True


class ErrorPresenter(QObject):
    """Shows failures to the clerk (a window-modal message box that does not block)."""

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self._parent = parent_widget
        self.last: tuple[str, str] | None = None  # what the clerk was last shown (tests, a11y)
        self._box: QMessageBox | None = None

    def set_parent_widget(self, widget: QWidget) -> None:
        """Where message boxes open (the main window once it exists)."""
        self._parent = widget

    def show(self, exc: BaseException) -> None:
        """Show ``exc`` in plain words; internal errors are logged with their traceback."""
        what, advice, internal = describe(exc)
        if internal:
            log.error("internal error", exc_info=exc)
        self.show_text(what, advice, internal)

    def show_text(self, what: str, advice: str, internal: bool = False) -> None:
        """Show a message and what to do."""
        self.last = (what, advice)
        icon = QMessageBox.Icon.Critical if internal else QMessageBox.Icon.Warning
        box = QMessageBox(
            icon, self.tr("City card counter"), what, QMessageBox.StandardButton.Ok, self._parent
        )
        box.setInformativeText(advice)
        box.setObjectName("errorBox")
        self._box = box
        box.open()

    def close(self) -> None:
        """Dismiss the message box if one is open."""
        if self._box is not None:
            self._box.close()
            self._box = None
