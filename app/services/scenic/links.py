"""The one walk back along a card's links (replacement, exchange) to what an older card held."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from app.store import card_links
from app.store.database import Store

MAX_LINK_HOPS = 8  # a card replaced more often than this is not a real holder's history

T = TypeVar("T")


def held_by_predecessor(
    store: Store, serial: str, held_by: Callable[[str], Sequence[T]]
) -> tuple[card_links.CardLink, Sequence[T]] | None:
    """The nearest earlier card of ``serial`` that holds something, with what it holds.

    Follows the card links back from ``serial`` (at most :data:`MAX_LINK_HOPS`), asking
    ``held_by(old_serial)`` at each; None when no earlier card holds anything. ``held_by`` may
    raise (the center unreachable): the walk stops with it.
    """
    link = card_links.predecessor(store, serial)
    hops = 0
    while link is not None and hops < MAX_LINK_HOPS:
        held = held_by(link.old_serial)
        if held:
            return link, held
        link = card_links.predecessor(store, link.old_serial)
        hops += 1
    return None
