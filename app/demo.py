"""``make demo``: a counter window on virtual cards, through pcscd + vpcd when available.

A composition root like :mod:`app.main`, so it may wire the virtual card (``cardsim``) in.
Demo keys are generated on first run into ``var/demo`` (never committed); the keystore
passphrase is ``CITYCARD_KEYSTORE_PASSPHRASE`` or the demo's own default.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from app.card.errors import CardRemovedError
from app.card.inprocess import InProcessTransport
from app.card.thread import CardThread
from app.card.transport import CardTransport
from app.services.card_reading import CardReadingService
from cardsim.card import VirtualCityCard
from cardsim.demo import MANIFEST_NAME, create_demo

log = logging.getLogger("app.demo")

DEMO_DIR = Path(os.environ.get("CITYCARD_DEMO_DIR", "var/demo"))
READER = "Virtual PCD 00 00"
_DEMO_PASSPHRASE = "citycard-demo"  # noqa: S105 - demo issuer only; real keystores ask for one


def _demo_cards(directory: Path) -> list[tuple[str, str, Path]]:
    manifest = directory / MANIFEST_NAME
    if not manifest.exists():
        passphrase = os.environ.get("CITYCARD_KEYSTORE_PASSPHRASE", _DEMO_PASSPHRASE)
        create_demo(directory, passphrase)
        print(f"demo: created virtual cards and a SAM keystore in {directory}")
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    return [(c["name"], c["description"], directory / c["profile"]) for c in doc["cards"]]


class _InProcessReader:
    """The fallback reader: the chosen virtual card, driven in this process."""

    def __init__(self) -> None:
        self._card: VirtualCityCard | None = None
        self._lock = threading.Lock()

    def put(self, card: VirtualCityCard | None) -> None:
        with self._lock:
            self._card = card

    def connect(self) -> CardTransport:
        with self._lock:
            if self._card is None:
                raise CardRemovedError("no card on the in-process reader")
            return InProcessTransport(self._card)


def main() -> int:
    """Open the demo window."""
    logging.basicConfig(level=logging.INFO)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        if "DEMO_SCREENSHOT" not in os.environ:
            print(
                "demo: no display here (DISPLAY is not set). Run `make demo` on a desktop, "
                "or `xvfb-run make demo`; DEMO_SCREENSHOT=out.png renders one frame offscreen.",
                file=sys.stderr,
            )
            return 2
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from app.ui.demo_panel import DemoPanel  # noqa: PLC0415 - Qt only once a display is known
    from app.ui.main_window import MainWindow  # noqa: PLC0415
    from app.ui.qt_app import make_application  # noqa: PLC0415
    from app.ui.reader_bridge import ReaderBridge  # noqa: PLC0415

    cards = _demo_cards(DEMO_DIR)
    paths = {name: path for name, _, path in cards}
    app = make_application()
    card_thread = CardThread()
    cleanup: list[Callable[[], None]] = [card_thread.stop]

    tap: Callable[[str], None]
    remove: Callable[[], None]
    try:
        from app.card.pcsc import CardWatcher, PcscTransport  # noqa: PLC0415
        from cardsim.pcscd import ensure_pcscd  # noqa: PLC0415
        from cardsim.vpcd import VpcdBridge  # noqa: PLC0415

        daemon = ensure_pcscd()
        cleanup.append(daemon.stop)
        bridge = ReaderBridge(card_thread, CardReadingService(lambda: PcscTransport(READER)))
        current: list[VpcdBridge] = []

        def remove() -> None:
            while current:
                current.pop().remove()

        def tap(name: str) -> None:
            remove()
            vpcd = VpcdBridge(VirtualCityCard.from_file(paths[name]))
            vpcd.insert()
            current.append(vpcd)

        watcher = CardWatcher.for_reader(READER, bridge.card_presented, bridge.card_taken_away)
        watcher.start()
        cleanup += [watcher.stop, remove]
        note = "Reader: pcscd + vpcd, “Virtual PCD 00 00”."
        reader_name = READER
    except Exception as exc:  # any failure of the PC/SC stack: fall back, visibly
        log.warning("pcscd/vpcd not usable (%s); using the in-process reader", exc)
        fallback = _InProcessReader()
        bridge = ReaderBridge(card_thread, CardReadingService(fallback.connect))

        def tap(name: str) -> None:
            fallback.put(VirtualCityCard.from_file(paths[name]))
            bridge.card_presented()

        def remove() -> None:
            fallback.put(None)
            bridge.card_taken_away()

        note = f"pcscd/vpcd not available ({exc}); using an in-process reader."
        reader_name = "in-process virtual reader"

    panel = DemoPanel([(n, d) for n, d, _ in cards], tap, remove, note)
    window = MainWindow(bridge, reader_name, panel)
    window.show()
    try:
        shot = os.environ.get("DEMO_SCREENSHOT")
        if shot:
            from PySide6.QtCore import QTimer  # noqa: PLC0415

            tap(cards[0][0])

            def save() -> None:
                window.grab().save(shot)
                app.quit()

            QTimer.singleShot(2500, save)
        return app.exec()
    finally:
        for step in reversed(cleanup):
            step()


if __name__ == "__main__":
    raise SystemExit(main())
