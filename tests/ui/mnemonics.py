"""Keyboard reach of a window: its Alt+letter mnemonics and shortcuts, and their collisions.

A mnemonic (``&Cash`` → Alt+C) acts in its window: the menu bar's titles, the buttons, the
labels with a buddy, the group boxes and the tab bars that are visible there. Two of them on the
same letter make Alt+letter cycle the focus instead of acting (Qt's rule), and a mnemonic on the
same key as an explicit shortcut hides one of them. Each open menu is a scope of its own.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QTabBar,
    QWidget,
)


def mnemonic(text: str) -> str | None:
    """The letter after a single ``&`` (upper case), or None."""
    index = 0
    while True:
        index = text.find("&", index)
        if index < 0 or index + 1 >= len(text):
            return None
        following = text[index + 1]
        if following == "&":
            index += 2
            continue
        return following.upper()


def texts(window: QWidget) -> list[tuple[str, str]]:
    """(where, text) of every visible mnemonic carrier in ``window`` (not in its sub-windows)."""
    found: list[tuple[str, str]] = []
    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible():
                found.append(("menu bar", action.text()))
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or isinstance(widget, QMenu):
            continue
        if not widget.isVisibleTo(window):
            continue
        name = f"{type(widget).__name__} {widget.objectName()}".strip()
        labelled = isinstance(widget, QLabel) and widget.buddy() is not None
        if isinstance(widget, QAbstractButton | QLabel) and (
            labelled or not isinstance(widget, QLabel)
        ):
            found.append((name, widget.text()))
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            found.append((name, widget.title()))
        elif isinstance(widget, QTabBar):
            found += [(f"{name} tab", widget.tabText(i)) for i in range(widget.count())]
    return found


def _shortcuts(window: QWidget) -> list[tuple[str, QKeySequence]]:
    """Explicit shortcuts that act in ``window`` (actions and QShortcut objects)."""
    keys: list[tuple[str, QKeySequence]] = []
    owners = [window, *window.findChildren(QWidget)]
    for owner in owners:
        if owner.window() is not window or isinstance(owner, QMenu):
            continue
        for action in owner.actions():
            if action.isVisible() and not action.shortcut().isEmpty():
                keys.append((f"action {action.text()!r}", action.shortcut()))
    for shortcut in window.findChildren(QShortcut):
        parent = shortcut.parent()
        if isinstance(parent, QWidget) and parent.window() is window and parent.isVisibleTo(window):
            keys.append(("shortcut", shortcut.key()))
    return keys


def collisions(window: QWidget) -> list[str]:
    """Every clash in ``window``: mnemonics sharing a letter, or a mnemonic on a shortcut's key."""
    by_letter: dict[str, list[str]] = defaultdict(list)
    for where, text in texts(window):
        letter = mnemonic(text)
        if letter is not None:
            by_letter[letter].append(f"{where} {text!r}")
    problems = [
        f"Alt+{letter}: " + " / ".join(owners)
        for letter, owners in sorted(by_letter.items())
        if len(owners) > 1
    ]
    by_key: dict[str, list[str]] = defaultdict(list)
    for where, key in _shortcuts(window):
        by_key[key.toString()].append(where)
    for key, owners in sorted(by_key.items()):
        if len(owners) > 1:
            problems.append(f"{key}: " + " / ".join(owners))
        if key.startswith("Alt+") and len(key) == 5 and key[-1] in by_letter:
            problems.append(f"{key}: shortcut and mnemonic {by_letter[key[-1]]}")
    for menu in window.findChildren(QMenu):
        letters: dict[str, list[str]] = defaultdict(list)
        for action in menu.actions():
            letter = mnemonic(action.text()) if action.isVisible() else None
            if letter is not None:
                letters[letter].append(action.text())
        problems += [
            f"menu {menu.title()!r} Alt+{letter}: " + " / ".join(texts)
            for letter, texts in sorted(letters.items())
            if len(texts) > 1
        ]
    return problems


def missing(window: QWidget) -> list[str]:
    """Buttons that show a text without any mnemonic (not reachable by Alt+letter)."""
    return [
        f"{where} {text!r}"
        for where, text in texts(window)
        if text and mnemonic(text) is None and where.startswith("QPushButton")
    ]
