"""Tears on the SAM side: the SAM removed or its answer lost at every SAM APDU of a top-up and
a purse payment. Nothing lost, nothing doubled, the clerk told what happened; the next tap of
the card settles an open intent from the card's own proof.

The SAM is the test rigs' virtual PSAM/ISAM behind fault injection (``rig.sam_rig.faulty``):
real APDUs, a real loss of power.
"""

from __future__ import annotations

import pytest

from app.card.errors import CardCommunicationError
from app.journal import Outcome, RecordKind
from app.services.purchase import PurchaseInterruptedError
from app.services.recovery import Settlement
from app.services.topup import TopUpInterruptedError
from tests.services.counter_support import CLERK, SHIFT, build_counter, purchase_service

SERIAL = "3104000000001234"
FAULTS = ["tear_before", "tear_after", "drop_response"]
ISAM_LOAD, KEY_INIT, COMPUTE_MAC = 0x30, 0x1A, 0xFA
PURCHASE_MAC1, CHECK_MAC2 = 0x70, 0x72


@pytest.fixture
def counter(tmp_path, rig):
    counter = build_counter(tmp_path, rig.sam)
    yield counter
    counter.close()


def _done(counter, kind: str) -> list[int]:
    return [
        r.amount_fen or 0
        for r in counter.journal.card_records(SERIAL, kind)
        if r.payload_dict().get("outcome") == Outcome.DONE
    ]


def _sam_back(rig) -> None:
    assert rig.sam_rig is not None
    if rig.sam_rig.faulty.torn:
        rig.sam_rig.faulty.reinsert()
    rig.sam_rig.faulty.clear()


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("ins", [ISAM_LOAD, KEY_INIT, COMPUTE_MAC])
def test_top_up_with_the_sam_gone_at_each_of_its_apdus(counter, rig, fault, ins):
    assert rig.sam_rig is not None
    getattr(rig.sam_rig.faulty, fault)(ins=ins)
    with pytest.raises((CardCommunicationError, TopUpInterruptedError)) as raised:
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 2_000, "cash")
    credited = rig.reload().profile.balance_fen == 7_000
    if ins == ISAM_LOAD:  # before the intent: nothing written anywhere, the card untouched
        assert not credited and counter.journal.open_intents() == []
        assert "SAM did not answer" in str(raised.value)
    else:  # after CREDIT: the card has the money, the intent stays open until the next tap
        assert credited and isinstance(raised.value, TopUpInterruptedError)
        assert "The SAM did not answer after the card was loaded" in str(raised.value)
        assert len(counter.journal.open_intents()) == 1
        _sam_back(rig)
        (settled,) = counter.recovery.resolve(rig.open())
        assert settled.settlement is Settlement.DONE and settled.tac is not None
    assert counter.journal.open_intents() == []
    loaded = _done(counter, RecordKind.LOAD_OUTCOME)
    assert sum(loaded) == rig.reload().profile.balance_fen - 5_000  # nothing lost or doubled
    # and the counter goes on with the SAM back
    _sam_back(rig)
    counter.topups.top_up(CLERK, SHIFT, rig.open(), 1_000, "cash")
    assert sum(_done(counter, RecordKind.LOAD_OUTCOME)) == rig.reload().profile.balance_fen - 5_000


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("ins", [PURCHASE_MAC1, CHECK_MAC2, KEY_INIT, COMPUTE_MAC])
def test_purchase_with_the_sam_gone_at_each_of_its_apdus(counter, rig, fault, ins):
    assert rig.sam_rig is not None
    getattr(rig.sam_rig.faulty, fault)(ins=ins)
    service = purchase_service(counter, rig.sam)
    with pytest.raises((CardCommunicationError, PurchaseInterruptedError)) as raised:
        service.purchase(CLERK, SHIFT, rig.open(), 700)
    debited = rig.reload().profile.balance_fen == 4_300
    if ins == PURCHASE_MAC1:  # before the intent: nothing written, nothing debited
        assert not debited and counter.journal.open_intents() == []
    else:
        assert debited and isinstance(raised.value, PurchaseInterruptedError)
        assert "The SAM did not answer after the card was debited" in str(raised.value)
        _sam_back(rig)
        (settled,) = counter.recovery.resolve(rig.open())
        assert settled.settlement is Settlement.DONE
    assert counter.journal.open_intents() == []
    paid = _done(counter, RecordKind.PURCHASE_OUTCOME)
    assert sum(paid) == 5_000 - rig.reload().profile.balance_fen
    _sam_back(rig)
    service.purchase(CLERK, SHIFT, rig.open(), 100)
    assert (
        sum(_done(counter, RecordKind.PURCHASE_OUTCOME)) == 5_000 - rig.reload().profile.balance_fen
    )
