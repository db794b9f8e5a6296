"""A pass sold at one ticket office, checked at the gate of another, both on one clearing center.

Two counters set up as the first run does (enrolled with the real center, uvicorn on loopback),
each behind the real window plumbing with the virtual card: counter A sells the pass through its
pass dialog and syncs; counter B's entry-check tab admits the card on the center's word, without
a photo, and says so. With the center gone, B checks only its own passes and says that too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.card.thread import CardThread
from app.composition import HOLDER_INDEX_KEY, init_counter, now_utc, open_counter
from app.crypto.keystore import Keystore
from app.domain.people import Role
from app.domain.scenic import AnnualPass, EntryVerdict
from app.journal import RecordKind
from app.services.operators import OperatorService
from app.store import holders
from app.sync import ClientSettings
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from app.ui.messages import ErrorPresenter
from app.ui.reader_bridge import ReaderBridge, loss_step, recovery_step
from app.ui.scenic import install_scenic
from app.ui.scenic.page import ScenicPage
from app.ui.tasks import TaskRunner
from cardsim.profile import HolderFields
from tests.support.cards import Rig, make_sam_profile, make_sam_rig
from tests.sync.support import center_thread, enrolment_code
from tests.ui.flows_support import HOLDER_ID, HOLDER_NAME, press, settle, type_text
from tests.ui.ui_support import (
    ADMIN,
    CHEAP_HASH,
    CHEAP_KDF,
    CLERK,
    PASSPHRASE,
    SUPERVISOR,
    UiRig,
    VirtualReader,
)

QUICK = {"online_timeout": 2.0, "connect_timeout": 1.0, "read_timeout": 2.0, "retries": 0}
WAIT_MS = 15_000


def office_rig(directory: Path, rig, base: str, db_url: str, device: str, terminal: str) -> UiRig:
    """A counter enrolled with the center at ``base``, with staff, behind the window plumbing."""
    directory.mkdir(parents=True)
    code = enrolment_code(db_url, device)
    # each office's own SAM (a chip beside its directory), personalised for the rig's issuer
    profile = make_sam_profile([rig.issuer], terminal=bytes.fromhex(terminal))
    sam = make_sam_rig(directory.with_name(f"{directory.name}.psam.json"), profile).open()
    init_counter(directory, PASSPHRASE, device, terminal, CHEAP_KDF, center_url=base,
                 enrolment_code=code)  # fmt: skip
    counter = open_counter(
        directory, PASSPHRASE, sam=sam, client_settings=ClientSettings(base, **QUICK)
    )
    counter.operators = OperatorService(counter.store, counter.journal, now_utc, CHEAP_HASH)
    ops = counter.operators
    ops.create_first_admin(*ADMIN)
    admin = ops.sign_in(ADMIN[0], ADMIN[2])
    ops.create_operator(admin, CLERK[0], CLERK[1], Role.CLERK, CLERK[2])
    ops.create_operator(admin, SUPERVISOR[0], SUPERVISOR[1], Role.SUPERVISOR, SUPERVISOR[2])
    ops.sign_out(admin)
    card_thread = CardThread()
    errors = ErrorPresenter()
    reader = VirtualReader()
    ctx = UiContext(counter, TaskRunner(card_thread, errors), reader.connect,
                    reader_name=VirtualReader.name)  # fmt: skip
    steps = [recovery_step(counter.recovery), loss_step(counter.loss)]
    bridge = ReaderBridge(card_thread, reader.connect, ctx.session, steps=steps)
    ui = UiRig(ctx, counter, bridge, reader, rig, card_thread, errors, directory)
    clerk = ui.sign_in()
    ui.ctx.session.set_shift(counter.shifts.open_shift(clerk, 50_000))
    return ui


def scenic_window(qtbot, ui: UiRig) -> ScenicPage:
    window = MainWindow(ui.ctx, ui.bridge)
    qtbot.addWidget(window)
    page = install_scenic(window, ui.bridge, scenic_mode=True)
    window.show()
    return page


def checked(qtbot, ui: UiRig, page: ScenicPage, card) -> None:
    before = page.last_check
    ui.tap(qtbot, card)
    qtbot.waitUntil(lambda: page.last_check is not before, timeout=WAIT_MS)


@dataclass
class Offices:
    card: Rig
    seller: UiRig
    gate: UiRig
    stop_center: Callable[[], None]


@pytest.fixture
def offices(qtbot, tmp_path, make_rig) -> Iterator[Offices]:
    holder_card = make_rig(holder=HolderFields(1, 0, HOLDER_NAME, HOLDER_ID, 0))
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    built: list[UiRig] = []
    with ExitStack() as center:
        try:
            base = center.enter_context(center_thread(db_url))
            seller = office_rig(tmp_path / "a", holder_card, base, db_url, "DEV-A", "0102030405A1")
            built.append(seller)
            gate = office_rig(tmp_path / "b", holder_card, base, db_url, "DEV-B", "0102030405B2")
            built.append(gate)
            yield Offices(holder_card, seller, gate, center.close)
        finally:
            for ui in built:
                qtbot.waitUntil(lambda ui=ui: not ui.ctx.runner.busy(), timeout=WAIT_MS)
                ui.close()


def sell_pass_at_a(qtbot, offices: Offices) -> AnnualPass:
    """Counter A sells the pass through its pass dialog, by keys, and syncs."""
    seller, holder_card = offices.seller, offices.card
    index_key = Keystore.open(seller.directory / "keystore.json", PASSPHRASE).get(HOLDER_INDEX_KEY)
    holders.register(seller.counter.store, index_key, "3104000000001234", HOLDER_NAME, HOLDER_ID)
    selling = scenic_window(qtbot, seller)
    seller.tap(qtbot, holder_card)
    dialog = selling.open_pass_sale()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    dialog.payment.setCurrentIndex(dialog.payment.findData("cash"))
    dialog.id_number.setFocus()
    type_text(qtbot, dialog, HOLDER_ID)
    press(qtbot, dialog, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert dialog.last_sale is not None, dialog.message_text()
    sold = dialog.last_sale.annual_pass
    press(qtbot, dialog, Qt.Key.Key_Escape)
    assert seller.counter.sync is not None
    synced = seller.counter.sync.run_once()
    assert synced.acknowledged_seq == seller.counter.journal.head()[0], synced
    return sold


def test_a_pass_sold_at_counter_a_admits_at_counter_b(qtbot, offices, make_rig):
    sold = sell_pass_at_a(qtbot, offices)
    gate, holder_card = offices.gate, offices.card
    # counter B: the entry-check tab, the same card tapped
    checking = scenic_window(qtbot, gate)
    checking.show_entry_check()
    checked(qtbot, gate, checking, holder_card)
    assert checking.verdict_of_last_check() is EntryVerdict.VALID, checking.verdict.text()
    check = checking.last_check
    assert check.annual_pass.pass_id == sold.pass_id
    text = checking.verdict.text()
    assert "张*" in text and "another ticket office" in text
    assert checking.photo.text() == "No photo"
    assert "Admitted today at this gate: 1" in checking.count_label.text()
    (entry,) = gate.counter.journal.records_of_kinds(RecordKind.SCENIC_ENTRY)
    assert entry.payload_dict()["source"] == "center"

    # a card without a pass anywhere: not found, the center asked
    stranger = make_rig(serial=bytes.fromhex("3104000000009999"))
    checked(qtbot, gate, checking, stranger)
    assert checking.verdict_of_last_check() is EntryVerdict.NOT_FOUND
    assert "cannot be reached" not in checking.verdict.text()


def test_without_the_center_counter_b_checks_only_its_own_passes(qtbot, offices):
    sell_pass_at_a(qtbot, offices)
    offices.stop_center()
    checking = scenic_window(qtbot, offices.gate)
    checking.show_entry_check()
    checked(qtbot, offices.gate, checking, offices.card)
    assert checking.verdict_of_last_check() is EntryVerdict.NOT_FOUND
    text = checking.verdict.text()
    assert "has no annual pass" in text and "cannot be reached" in text
