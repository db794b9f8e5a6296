"""The demo's "tap card" control: choose a virtual card and put it on the reader.

F9 (tap) and F10 (remove) live on a small always-on-top window of their own (:class:`TapKeys`),
so that they work while a dialog is open — pulling the card mid-write is done from the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class DemoPanel(QGroupBox):
    """A list of demo cards with Tap and Remove; the composition root does the work."""

    def __init__(
        self,
        cards: list[tuple[str, str]],
        tap: Callable[[str], None],
        remove: Callable[[], None],
        reader_note: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Demo: virtual cards"), parent)
        self._tap = tap
        self._remove = remove
        self._list = QListWidget()
        for name, description in cards:
            item = QListWidgetItem(description)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self._list.addItem(item)
        self._list.setWordWrap(True)
        self._list.setMinimumHeight(150)
        self._list.setCurrentRow(0)
        self._list.itemActivated.connect(lambda _item: self._on_tap())
        tap_button = QPushButton(self.tr("Ta&p card (F9)"))
        tap_button.clicked.connect(self._on_tap)
        remove_button = QPushButton(self.tr("Re&move card (F10)"))
        remove_button.clicked.connect(self._remove)
        self.tap_keys = TapKeys(self._on_tap, self._remove)
        self.destroyed.connect(self.tap_keys.close)
        note = QLabel(reader_note)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self._list, 1)
        layout.addWidget(tap_button)
        layout.addWidget(remove_button)
        layout.addWidget(note)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """The tap keys' window comes with the panel."""
        super().showEvent(event)
        self.tap_keys.show()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        """…and goes with it."""
        super().hideEvent(event)
        self.tap_keys.hide()

    def _on_tap(self) -> None:
        item = self._list.currentItem()
        if item is not None:
            self._tap(str(item.data(Qt.ItemDataRole.UserRole)))


class TapKeys(QWidget):
    """An always-on-top window with the demo reader's keys, F9 tap and F10 remove.

    Its shortcuts are application-wide and it is no dialog's parent, so a window-modal dialog of
    the counter (the top-up writing the card) does not block them.
    """

    def __init__(self, tap: Callable[[], None], remove: Callable[[], None]) -> None:
        flags = Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint
        super().__init__(None, flags)
        self.setObjectName("demoTapKeys")
        self.setWindowTitle(self.tr("Demo reader"))
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        tap_button = QPushButton(self.tr("Tap card (F9)"), self)
        tap_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        tap_button.clicked.connect(tap)
        remove_button = QPushButton(self.tr("Remove card (F10)"), self)
        remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        remove_button.clicked.connect(remove)
        layout = QHBoxLayout(self)
        layout.addWidget(tap_button)
        layout.addWidget(remove_button)
        self.shortcuts = []
        for key, slot in ((Qt.Key.Key_F9, tap), (Qt.Key.Key_F10, remove)):
            shortcut = QShortcut(QKeySequence(key), self, slot)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            self.shortcuts.append(shortcut)
