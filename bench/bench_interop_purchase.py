"""A purse payment of another city's card (the PSAM's national key, two-level diversification)
against a home card's (the issuer's own key), through the virtual PSAM and card in process.

Both run the same APDUs (INIT, GET DATA, ``80 70``, DEBIT, ``80 72``, TAC check); the only
difference is the PSAM's extra diversification step. The SAM keeps its state in memory here
(no file: the fsync of a persisted SAM would hide the difference). Rounds alternate the two;
the figure is the median ratio foreign / home.
"""

from __future__ import annotations

import secrets
import statistics
import time
from datetime import datetime

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.operations import begin_purchase, finish_purchase
from app.card.psam import ApduSam
from app.card.session import CityCard
from app.crypto.diversify import issuer_diversifier
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardFamily, CardKeyKind
from cardsim.card import VirtualCityCard
from cardsim.profile import CU_AID, CardProfile, PublicFields
from cardsim.psam import VirtualPsam
from cardsim.sam_profile import issue_sam_profile

TERMINAL = bytes.fromhex("001122334455")
WHEN = datetime(2026, 12, 8, 10, 0, 0)


def _card(keys: IssuerKeySet, serial: bytes, city: str) -> CityCard:
    public = PublicFields(
        CardFamily.CITY_UNION,
        serial,
        bytes.fromhex(city),
        city,
        app_version=keys.key_version,
        start_date="20240101",
        expiry_date="20341231",
        card_type=0x01,
    )
    profile = CardProfile(
        family=CardFamily.CITY_UNION,
        aid=CU_AID,
        public_file=public.to_bytes(),
        holder_file=None,
        card_keys=keys.card_keys(serial),
        balance_fen=0x7FFFFFFF,
        max_balance_fen=0xFFFFFFFF,
        algorithm=keys.algorithm,
        key_version=keys.key_version,
    )
    return CityCard.open(InProcessTransport(VirtualCityCard(profile)))


def _per_purchase(card: CityCard, sam: ApduSam, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        finish_purchase(card, sam, begin_purchase(card, sam, 100, WHEN))
    return (time.perf_counter() - start) / n


def run(rounds: int = 7, n: int = 100) -> None:
    """Print ms per purchase for each card and the median ratio foreign / home."""
    home = IssuerKeySet.generate(PurseAlgorithm.DES, 1)
    national = IssuerKeySet(
        PurseAlgorithm.DES,
        0x10,
        {k: secrets.token_bytes(16) for k in (CardKeyKind.DPK, CardKeyKind.DTK)},
    )
    wuxi = IssuerKeySet.interoperable(
        IssuerKeySet.generate(PurseAlgorithm.DES, 0x10), national, issuer_diversifier("2140")
    )
    profile = issue_sam_profile([home], TERMINAL, bytes(10), national_sets=[national])
    sam = ApduSam.open(InProcessTransport(VirtualPsam(profile)))
    home_card = _card(home, bytes.fromhex("3104000000000001"), "3100")
    foreign_card = _card(wuxi, bytes.fromhex("2140000000000008"), "2140")
    ratios, homes, foreigns = [], [], []
    for _ in range(rounds):
        h = _per_purchase(home_card, sam, n)
        f = _per_purchase(foreign_card, sam, n)
        homes.append(h)
        foreigns.append(f)
        ratios.append(f / h)
    print(
        f"purse payment through the PSAM, in process ({rounds} rounds × {n}): "
        f"home card {statistics.median(homes) * 1000:.2f} ms, "
        f"another city's (national key) {statistics.median(foreigns) * 1000:.2f} ms, "
        f"ratio foreign/home {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f})"
    )


if __name__ == "__main__":
    run()
