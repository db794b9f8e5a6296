"""Texts a clerk reads, kept translatable below the UI.

Layers under the window (card, journal, sync, services) are Qt-free, so they cannot call Qt's
translator. They write an English *template* with named placeholders and pass the values
separately; ``str()`` gives the English text (logs, command line) and the window translates the
template through Qt (context ``"messages"``) before filling in the values. Never build a
clerk-facing message with an f-string: the catalogue could not find it.

``scripts/extract_messages.py`` collects every template (first literal argument of an
``...Error(...)`` call, ``advice = "..."`` on error classes, ``advice="..."`` keywords and
:func:`marked` strings) for ``pyside6-lupdate``.
"""

from __future__ import annotations

from collections.abc import Mapping


def marked(template: str) -> str:
    """Mark a clerk-facing template for the translation catalogue; returns it unchanged."""
    return template


def fill(template: str, params: Mapping[str, object]) -> str:
    """The template with its values; a template without values is returned as written."""
    return template.format_map(params) if params else template


class ClerkFacingError(Exception):
    """An error whose message and advice a clerk reads.

    ``template`` and ``params`` let the window translate the message; ``advice`` (a class
    default or given per raise, also a template over the same values) says what to do next.
    """

    advice = ""

    def __init__(self, message: str, advice: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.template = message
        self.params: dict[str, object] = dict(params)
        if advice is not None:
            self.advice = advice

    def __str__(self) -> str:
        return fill(self.template, self.params)

    @property
    def advice_text(self) -> str:
        """The advice with its values, in English."""
        return fill(self.advice, self.params)
