"""Loss reports: holder lookup, report → blacklist at once, cancel (supervisor), block on tap."""

from __future__ import annotations

import secrets

import pytest

from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Role
from app.journal import RecordKind
from app.services.errors import PermissionDeniedError, RefusedError
from app.services.loss import LossService
from app.store import blacklist, holders
from tests.services.counter_support import CLERK, SHIFT, build_counter

SUPERVISOR = Actor("sup1", "李强", Role.SUPERVISOR)
SERIAL = "3104000000001234"
ID_NUMBER = "330102199001011234"


@pytest.fixture
def setup(tmp_path, rig):
    counter = build_counter(tmp_path, rig.sam)
    key = secrets.token_bytes(32)
    holders.register(counter.store, key, SERIAL, "张三", ID_NUMBER, phone="13800001234")
    holders.register(counter.store, key, "3104000000009999", "李四", "110101198001010011")
    service = LossService(counter.journal, counter.store, rig.sam, key, counter.clock)
    yield counter, service
    counter.close()


@pytest.mark.parametrize("query", [ID_NUMBER, ID_NUMBER.lower(), "张三", SERIAL, SERIAL.lower()])
def test_holder_found_by_id_number_name_or_card_number(setup, query):
    _counter, service = setup
    (found,) = service.find_holders(CLERK, query)
    assert found.card_serial == SERIAL
    assert found.masked_name == "张*"
    assert found.id_number_tail == "1234"


def test_the_id_number_is_not_stored_in_clear(setup):
    counter, _service = setup
    assert ID_NUMBER.encode() not in counter.store.path.read_bytes()


def test_report_blacklists_at_once_and_refuses_top_ups(setup, rig):
    counter, service = setup
    case = service.report_loss(CLERK, SHIFT, SERIAL, ID_NUMBER)
    assert case.holder_name == "张*"
    assert (case.replaceable_from - case.reported_at).days == 7
    assert blacklist.lookup(counter.store, SERIAL).journal_seq == case.reported_seq
    record = counter.journal.record(case.reported_seq)
    assert record.kind == RecordKind.LOSS_REPORT and record.card_serial == SERIAL
    with pytest.raises(RefusedError, match="was reported lost"):
        counter.topups.top_up(CLERK, SHIFT, rig.open(), 5_000, PaymentMethod.CASH)


def test_report_needs_the_holders_id_number(setup):
    counter, service = setup
    with pytest.raises(RefusedError, match="does not match"):
        service.report_loss(CLERK, SHIFT, SERIAL, "110101198001010011")
    with pytest.raises(RefusedError, match="not registered"):
        service.report_loss(CLERK, SHIFT, "3104000000000000", ID_NUMBER)
    assert blacklist.lookup(counter.store, SERIAL) is None


def test_cancel_is_for_supervisors_only(setup):
    counter, service = setup
    service.report_loss(CLERK, SHIFT, SERIAL, ID_NUMBER)
    with pytest.raises(PermissionDeniedError):
        service.cancel_loss(CLERK, SHIFT, SERIAL, "found it")
    assert blacklist.lookup(counter.store, SERIAL) is not None
    seq = service.cancel_loss(SUPERVISOR, SHIFT, SERIAL, "holder found the card")
    assert counter.journal.record(seq).kind == RecordKind.LOSS_CANCEL
    assert blacklist.lookup(counter.store, SERIAL) is None
    with pytest.raises(RefusedError, match="no loss report"):
        service.cancel_loss(SUPERVISOR, SHIFT, SERIAL, "again")


def test_a_reported_card_tapped_later_is_blocked_once(setup, rig):
    counter, service = setup
    service.report_loss(CLERK, SHIFT, SERIAL, ID_NUMBER)
    blocked = service.check_tapped_card(rig.open(), CLERK.username)
    assert blocked is not None and blocked.holder.masked_name == "张*"
    assert rig.reload().profile.blocked
    assert counter.journal.record(blocked.journal_seq).kind == RecordKind.CARD_BLOCK
    # tapped again: already blocked, nothing more is written to the card or the journal
    head = counter.journal.head()
    again = service.check_tapped_card(rig.open(), CLERK.username)
    assert again is not None and counter.journal.head() == head
    assert counter.journal.verify().ok


def test_an_unlisted_card_is_left_alone(setup, rig):
    _counter, service = setup
    assert service.check_tapped_card(rig.open()) is None
    assert not rig.reload().profile.blocked
