"""The demo's "tap card" control: choose a virtual card and put it on the reader."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
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
        QShortcut(QKeySequence(Qt.Key.Key_F9), self, self._on_tap)
        QShortcut(QKeySequence(Qt.Key.Key_F10), self, self._remove)
        note = QLabel(reader_note)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self._list, 1)
        layout.addWidget(tap_button)
        layout.addWidget(remove_button)
        layout.addWidget(note)

    def _on_tap(self) -> None:
        item = self._list.currentItem()
        if item is not None:
            self._tap(str(item.data(Qt.ItemDataRole.UserRole)))
