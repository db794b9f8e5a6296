"""A counter process that exchanges a card and is SIGKILLed at a chosen point (test_exchange).

``python -m tests.services.exchange_child DIRECTORY WHERE`` opens the counter set up by
:func:`tests.services.soak_support.set_up` from its files, opens a shift, and exchanges the
registered card (DES, ¥50.00) for the empty SM4 stock card. WHERE says when it dies:

- ``append:N`` — right after the N-th journal record of the exchange is durable;
- ``apdu:XX`` — right after the card executed the command with INS ``XX`` (hex) and persisted
  its state, before its answer reaches the counter (DEBIT ``54``, APPLICATION BLOCK ``1E``,
  CREDIT ``52``).

It never returns normally: finishing the exchange alive exits 3, which the test calls a failure.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from app import composition
from app.card.inprocess import InProcessTransport
from app.card.session import CityCard
from app.domain.people import Approval, Role
from app.journal import Entry, JournalRecord, RecordKind
from app.services.exchange import ExchangeService
from app.services.purchase import PurchaseService
from cardsim.card import VirtualCityCard
from tests.services import soak_support as soak

OLD = soak.REGISTERED
NEW = next(spec for spec in soak.CARDS if spec.name == "sm4-b")
SUPERVISOR = "sup1"


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class DieAfter:
    """The card runs the command (and persists it); the counter never hears the answer."""

    def __init__(self, card: VirtualCityCard, ins: int | None) -> None:
        self.card = card
        self.ins = ins

    def process(self, apdu: bytes) -> bytes:
        answer = self.card.process(apdu)
        if self.ins is not None and apdu[1] == self.ins:
            die()
        return answer


def services(counter: composition.Counter) -> ExchangeService:
    """The exchange service as the composition root builds it."""
    purchases = PurchaseService(
        counter.journal,
        counter.store,
        counter.sam,
        composition.now_utc,
        composition.CARD_TIMEZONE,
    )
    return ExchangeService(
        counter.journal,
        counter.store,
        counter.sam,
        purchases,
        counter.topups,
        counter.recovery,
        composition.now_utc,
    )


def approve(counter: composition.Counter, shift_id: int) -> Approval:
    """A supervisor's approval record (the approval itself is proven in test_exchange)."""
    record = counter.journal.append(
        Entry(
            RecordKind.APPROVAL,
            operator=soak.CLERK.username,
            shift_id=shift_id,
            payload={"approver": SUPERVISOR, "approver_role": "supervisor", "purpose": "exchange"},
        )
    )
    return Approval(SUPERVISOR, Role.SUPERVISOR, "exchange", record.seq)


def card(directory: Path, spec: soak.CardSpec, ins: int | None) -> CityCard:
    chip = VirtualCityCard.from_file(directory / spec.path_name)
    return CityCard.open(InProcessTransport(DieAfter(chip, ins)))


def main(directory: Path, where: str) -> int:
    kind, _, value = where.partition(":")
    counter = composition.open_counter(directory, soak.PASSPHRASE, sam=soak.open_sam(directory))
    shift = counter.shifts.open_shift(soak.CLERK, 0)
    approval = approve(counter, shift.id)
    exchanges = services(counter)
    ins = int(value, 16) if kind == "apdu" else None
    if kind == "append":
        original = counter.journal.append
        left = [int(value)]

        def append_then_die(entry: Entry) -> JournalRecord:
            record = original(entry)
            left[0] -= 1
            if left[0] == 0:
                die()
            return record

        counter.journal.append = append_then_die  # type: ignore[method-assign]
    status = exchanges.start(soak.CLERK, shift.id, card(directory, OLD, ins), approval)
    exchanges.finish(soak.CLERK, status.intent_seq, card(directory, NEW, ins))
    return 3


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
