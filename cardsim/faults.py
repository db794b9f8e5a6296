"""Fault injection for the virtual card: lost answers, tears (闪卡), forced status words.

:class:`FaultyCard` wraps a card's ``process()``. A fault either answers normally, answers a forced
status word, or raises :class:`CardGone` — the one exception an in-process transport catches and
turns into its own "card gone / no answer" error. Through the vpcd bridge a :class:`CardGone`
closes the socket, which pcscd sees as the card leaving the reader.

Faults are one-shot. ``nth`` counts the commands the wrapper sees from the moment the fault is
armed (1 = the very next command); ``ins`` instead triggers on the next command with that INS.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass
from typing import Protocol


class CardGone(ConnectionError):  # noqa: N818 - a ConnectionError: in-process transports catch that
    """The card gave no answer: it was torn away or its answer was lost.

    ``executed`` says whether the card ran the command before the answer went missing — the
    host cannot know it, tests can.
    """

    def __init__(self, reason: str, *, executed: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.executed = executed


class ResponseLost(CardGone):
    """The card executed the command but the answer never reached the reader."""


class CardTorn(CardGone):
    """The card left the reader (power lost); it stays gone until :meth:`FaultyCard.reinsert`."""


class ApduCard(Protocol):
    """What a reader needs from a card."""

    @property
    def atr(self) -> bytes:
        """The answer to reset."""
        ...

    def process(self, apdu: bytes) -> bytes:
        """Execute one command APDU and return data ‖ SW1SW2."""
        ...

    def power_on(self) -> None:
        """Give the card power (fresh volatile state)."""
        ...

    def power_off(self) -> None:
        """Take the power away (volatile state lost)."""
        ...

    def reset(self) -> None:
        """Warm reset."""
        ...


class FaultKind(enum.Enum):
    """What a fault does to the command it triggers on."""

    DROP_RESPONSE = "drop"  # execute, then lose the answer
    TEAR_AFTER = "tear-after"  # execute, then the card is removed
    TEAR_BEFORE = "tear-before"  # the card is removed before the command runs
    ANSWER = "answer"  # answer a status word without executing


class FaultSpecError(ValueError):
    """A textual fault description could not be parsed."""


@dataclass(frozen=True)
class Fault:
    """One armed fault: trigger on the ``nth`` command from now, or on the next ``ins``."""

    kind: FaultKind
    nth: int | None = None
    ins: int | None = None
    status_word: int | None = None

    def __post_init__(self) -> None:
        if (self.nth is None) == (self.ins is None):
            raise FaultSpecError("a fault triggers either on the nth command or on an INS")
        if self.nth is not None and self.nth < 1:
            raise FaultSpecError("nth counts from 1 (the next command)")
        if self.ins is not None and not 0 <= self.ins <= 0xFF:
            raise FaultSpecError("an INS is one byte")
        if self.kind is FaultKind.ANSWER:
            if self.status_word is None or not 0 <= self.status_word <= 0xFFFF:
                raise FaultSpecError("an ANSWER fault needs a 2-byte status word")
        elif self.status_word is not None:
            raise FaultSpecError("only an ANSWER fault takes a status word")


def parse_fault(spec: str) -> Fault:
    """Parse ``KIND:TRIGGER[:sw=XXXX]``.

    KIND is ``drop``, ``tear-after``, ``tear-before`` or ``answer``; TRIGGER is ``N`` (the Nth
    command) or ``ins=XX`` (hex). Examples: ``tear-after:ins=52``, ``drop:3``,
    ``answer:ins=54:sw=9401``.
    """
    parts = spec.strip().split(":")
    try:
        kind = FaultKind(parts[0])
    except ValueError:
        raise FaultSpecError(
            f"unknown fault {parts[0]!r}; use drop, tear-after, tear-before or answer"
        ) from None
    if len(parts) not in (2, 3):
        raise FaultSpecError(f"a fault looks like KIND:N or KIND:ins=XX[:sw=XXXX], not {spec!r}")
    nth = ins = sw = None
    try:
        trigger = parts[1]
        if trigger.startswith("ins="):
            ins = int(trigger[4:], 16)
        else:
            nth = int(trigger, 10)
        if len(parts) == 3:
            if not parts[2].startswith("sw="):
                raise FaultSpecError(f"expected sw=XXXX, not {parts[2]!r}")
            sw = int(parts[2][3:], 16)
    except ValueError:
        raise FaultSpecError(f"bad number in fault {spec!r}") from None
    return Fault(kind, nth=nth, ins=ins, status_word=sw)


class FaultyCard:
    """A card wrapper that applies armed faults; thread-safe, usable wherever the card is."""

    def __init__(self, card: ApduCard) -> None:
        self._card = card
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self._torn = False

    @property
    def card(self) -> ApduCard:
        """The wrapped card."""
        return self._card

    @property
    def atr(self) -> bytes:
        """The wrapped card's ATR."""
        return self._card.atr

    @property
    def torn(self) -> bool:
        """True once a tear happened, until :meth:`reinsert`."""
        return self._torn

    def inject(self, fault: Fault) -> None:
        """Arm a one-shot fault."""
        with self._lock:
            self._armed.append(_Armed(fault, fault.nth))

    def drop_response(self, nth: int | None = None, ins: int | None = None) -> None:
        """Execute the triggering command, then lose its answer (:class:`ResponseLost`)."""
        self.inject(Fault(FaultKind.DROP_RESPONSE, nth=_default_nth(nth, ins), ins=ins))

    def tear_after(self, nth: int | None = None, ins: int | None = None) -> None:
        """Execute the triggering command, then tear the card away (:class:`CardTorn`)."""
        self.inject(Fault(FaultKind.TEAR_AFTER, nth=_default_nth(nth, ins), ins=ins))

    def tear_before(self, nth: int | None = None, ins: int | None = None) -> None:
        """Tear the card away before the triggering command runs."""
        self.inject(Fault(FaultKind.TEAR_BEFORE, nth=_default_nth(nth, ins), ins=ins))

    def answer_with(self, ins: int, status_word: int) -> None:
        """Answer the next command with ``ins`` by ``status_word`` without executing it."""
        self.inject(Fault(FaultKind.ANSWER, ins=ins, status_word=status_word))

    def clear(self) -> None:
        """Disarm every pending fault."""
        with self._lock:
            self._armed.clear()

    def reinsert(self) -> None:
        """Present the card again after a tear: it powers on with fresh volatile state."""
        with self._lock:
            self._torn = False
            self._card.power_on()

    def power_on(self) -> None:
        """Power the wrapped card on (does not undo a tear; see :meth:`reinsert`)."""
        self._card.power_on()

    def power_off(self) -> None:
        """Power the wrapped card off."""
        self._card.power_off()

    def reset(self) -> None:
        """Reset the wrapped card."""
        self._card.reset()

    def process(self, apdu: bytes) -> bytes:
        """Run ``apdu`` through the armed faults; raises :class:`CardGone` for no answer."""
        with self._lock:
            if self._torn:
                raise CardTorn("the card is not in the reader", executed=False)
            fault = self._trigger(apdu)
            if fault is None:
                return self._card.process(apdu)
            if fault.kind is FaultKind.ANSWER:
                assert fault.status_word is not None
                return fault.status_word.to_bytes(2, "big")
            if fault.kind is FaultKind.TEAR_BEFORE:
                self._tear()
                raise CardTorn("the card was pulled before the command", executed=False)
            self._card.process(apdu)
            if fault.kind is FaultKind.TEAR_AFTER:
                self._tear()
                raise CardTorn("the card was pulled after the command ran", executed=True)
            raise ResponseLost("the card's answer was lost", executed=True)

    def _tear(self) -> None:
        self._torn = True
        self._card.power_off()

    def _trigger(self, apdu: bytes) -> Fault | None:
        ins = apdu[1] if len(apdu) > 1 else None
        hit: _Armed | None = None
        for armed in self._armed:
            if armed.left is not None:
                armed.left -= 1
                if armed.left <= 0 and hit is None:
                    hit = armed
            elif armed.fault.ins == ins and hit is None:
                hit = armed
        if hit is None:
            return None
        self._armed.remove(hit)
        return hit.fault


@dataclass
class _Armed:
    fault: Fault
    left: int | None  # commands until an nth-fault fires


def _default_nth(nth: int | None, ins: int | None) -> int | None:
    return 1 if nth is None and ins is None else nth
