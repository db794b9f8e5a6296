"""The scenic-area ticket office's screens: the page, the annual-pass sale, the entry check.

:func:`install_scenic` puts the page into the main window's stack, sends its sales' receipts to
the window's receipt printer, and adds a tap step that writes the sales of purse payments
settled on the tap (see :meth:`app.services.scenic.ScenicService.finish_interrupted`). The
start-up wires the two halves apart (:func:`add_scenic_step` at once, :func:`install_scenic_page`
only when the page is first wanted), so that a counter outside scenic mode never imports the
page: importing this package is cheap, the page's module comes in with the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.card.session import CityCard
from app.domain.people import Actor
from app.services.scenic import ScenicService
from app.ui.reader_bridge import ReaderBridge, TapStep

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.ui.scenic.page import ScenicPage

__all__ = ["add_scenic_step", "install_scenic", "install_scenic_page", "scenic_step"]


def scenic_step(scenic: ScenicService) -> TapStep:
    """After recovery on a tap: the ticket or pass sales its settled purse payments were for."""

    def step(card: CityCard, _actor: Actor | None) -> object | None:
        return scenic.finish_interrupted(card.serial.hex().upper()) or None

    return step


def add_scenic_step(window: MainWindow, bridge: ReaderBridge) -> None:
    """The tap step of :func:`scenic_step` on ``bridge`` (whether or not a page is shown)."""
    bridge.add_step(scenic_step(window.ctx.counter.scenic))


def install_scenic(window: MainWindow, bridge: ReaderBridge, *, scenic_mode: bool) -> ScenicPage:
    """Build the scenic page into ``window`` and show it when ``scenic_mode`` is on."""
    add_scenic_step(window, bridge)
    return install_scenic_page(window, bridge, scenic_mode=scenic_mode)


def install_scenic_page(
    window: MainWindow, bridge: ReaderBridge, *, scenic_mode: bool
) -> ScenicPage:
    """The page half of :func:`install_scenic` (its tap step added apart)."""
    from app.ui.scenic.page import ScenicPage  # noqa: PLC0415 - the page only when wanted

    page = ScenicPage(window.ctx, bridge, top_up=window.open_topup)
    bridge.settled.connect(page.show_finished)

    def print_now(seq: int) -> None:
        if window.print_receipt is not None:  # set once the printing helper is wired
            window.print_receipt(seq)

    def print_receipt(seq: int) -> None:  # the settings' auto_print, as for the flows' receipts
        if window.auto_print:
            print_now(seq)
        else:
            page.offer_print(seq, print_now)

    page.receipt_ready.connect(print_receipt)
    window.set_scenic_page(page)
    window.show_scenic(scenic_mode)
    return page
