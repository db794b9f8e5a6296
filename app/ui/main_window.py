"""The counter's main window: card panel and status bar (the flows arrive with the UI issue)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QWidget

from app.services.card_reading import CardView
from app.ui.card_panel import CardPanel
from app.ui.reader_bridge import ReaderBridge


class MainWindow(QMainWindow):
    """Card panel filled by reader events; status bar naming the reader."""

    def __init__(
        self, bridge: ReaderBridge, reader_name: str, side_panel: QWidget | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("City card service counter"))
        self.card_panel = CardPanel()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.card_panel, 3)
        if side_panel is not None:
            layout.addWidget(side_panel, 2)
        self.setCentralWidget(central)
        self._reader = QLabel(self.tr("Reader: {0}").format(reader_name))
        self.statusBar().addPermanentWidget(self._reader)
        bridge.reading.connect(self.card_panel.show_reading)
        bridge.card_read.connect(self._on_card)
        bridge.card_removed.connect(self._on_removed)
        bridge.read_failed.connect(self.card_panel.show_error)
        self.resize(1100, 700)

    def _on_card(self, view: CardView) -> None:
        self.card_panel.show_card(view)

    def _on_removed(self) -> None:
        self.card_panel.clear()
