"""The demo's cards of other cities at the scenic page: each buys a ticket from its purse.

The demo issuer (``create_demo``) is made for real: its SAM profile holds the national
interoperability keys, the Wuxi CU card and the Shanghai T-Union card are issued under them
(two-level diversification), and the counter's SAM is that virtual PSAM over the in-process
transport. The page is driven as a clerk does; the card panel names each card's home city.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.journal import RecordKind
from app.ui.main_window import MainWindow
from app.ui.scenic import install_scenic
from cardsim.card import VirtualCityCard
from cardsim.demo import DemoIssuer, create_demo
from cardsim.faults import FaultyCard
from cardsim.sam_profile import SamProfile
from tests.support.cards import Rig, make_sam_rig
from tests.ui.flows_support import answer, confirm_box, flows
from tests.ui.ui_support import CHEAP_KDF, TERMINAL_ID

__all__ = ["flows"]  # the fixture


@pytest.fixture
def demo(tmp_path: Path) -> DemoIssuer:
    return create_demo(tmp_path / "demo", "demo issuer passphrase", kdf=CHEAP_KDF)


def _card_rig(demo: DemoIssuer, name: str, sam_rig) -> Rig:  # type: ignore[no-untyped-def]
    path = demo.card(name).path
    card = VirtualCityCard.from_file(path)
    return Rig(card, FaultyCard(card), sam_rig.open(), demo.key_sets[0], path, sam_rig)


@pytest.fixture
def rig(demo: DemoIssuer, tmp_path: Path) -> Rig:
    """The counter's SAM: the demo's PSAM (terminal id set to the test counter's)."""
    assert demo.sam_path is not None
    profile = SamProfile.load(demo.sam_path)
    profile.terminal_id = bytes.fromhex(TERMINAL_ID)
    sam_rig = make_sam_rig(tmp_path / "counter-sam.json", profile)
    return _card_rig(demo, "cu-adult", sam_rig)


@pytest.fixture
def window(qtbot, flows):  # type: ignore[no-untyped-def]
    window = MainWindow(flows.ctx, flows.ui.bridge)
    qtbot.addWidget(window)
    page = install_scenic(window, flows.ui.bridge, scenic_mode=True)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window, page


@pytest.mark.parametrize(("name", "city"), [("cu-wuxi", "无锡"), ("tu-shanghai", "上海")])
def test_a_demo_card_of_another_city_buys_a_ticket_from_its_purse(
    qtbot, flows, window, demo, rig, name, city
) -> None:
    _main, page = window
    assert any(k.national for k in rig.sam.key_sets)  # what the PSAM reports, not a flag
    foreign = _card_rig(demo, name, rig.sam_rig)
    before = foreign.card.profile.balance_fen
    tap = flows.tap(qtbot, foreign)
    assert tap is not None
    page.payment.setCurrentIndex(page.payment.findData("card_purse"))
    page.add_ticket("child")
    page.pay()
    # the card, its balance and the amount are shown before anything is debited
    assert foreign.card.profile.serial.hex().upper()[-4:] in confirm_box(qtbot, page).text()
    answer(qtbot, page)  # Alt+Y
    qtbot.waitUntil(lambda: page.last_sale is not None, timeout=10_000)
    sale = page.last_sale
    assert sale.purchase is not None
    assert foreign.reload().profile.balance_fen == before - sale.total_fen
    (intent,) = flows.counter.journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
    assert intent.payload_dict()["key_version"] == 0x10  # the national purchase key
    assert "card" in intent.payload_dict()["reference"]  # forwarded to its home city
    (ticket,) = flows.counter.journal.records_of_kinds(RecordKind.TICKET_SALE)
    assert ticket.amount_fen == sale.total_fen
    from app.services.receipts import receipt_for  # noqa: PLC0415

    lines = dict(receipt_for(flows.counter.journal, ticket).lines)
    assert lines["卡属地 Card's city"].startswith(city)
