"""Virtual cards and a SAM with matching keys, for tests over the in-process transport."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.sam import SoftwareSam
from app.card.session import CityCard
from app.domain.card import CardFamily
from cardsim.card import VirtualCityCard
from cardsim.faults import FaultyCard
from cardsim.profile import CU_AID, TU_AID, CardProfile, HolderFields, PublicFields

TERMINAL = bytes.fromhex("001122334455")


@dataclass
class Rig:
    """A virtual card behind fault injection, its transport and a SAM holding its issuer's keys."""

    card: VirtualCityCard
    faulty: FaultyCard
    sam: SoftwareSam
    issuer: IssuerKeySet
    path: Path

    def transport(self) -> InProcessTransport:
        return InProcessTransport(self.faulty)

    def open(self) -> CityCard:
        return CityCard.open(self.transport())

    def reload(self) -> VirtualCityCard:
        """The card as persisted on disk (what survives a power cut)."""
        return VirtualCityCard.from_file(self.path)


def make_profile(
    issuer: IssuerKeySet,
    *,
    serial: bytes = bytes.fromhex("3104000000001234"),
    family: CardFamily = CardFamily.CITY_UNION,
    balance_fen: int = 5_000,
    holder: HolderFields | None = None,
    public_changes: dict[str, object] | None = None,
    **settings: object,
) -> CardProfile:
    public = PublicFields(
        family=family,
        serial=serial,
        issuer_code=b"\x31\x00"
        if family is CardFamily.CITY_UNION
        else bytes.fromhex("0000290000000000"),
        city_code="3100",
        app_version=issuer.key_version,
        start_date="20240101",
        expiry_date="20341231",
        card_type=0x01,
    )
    if public_changes:
        public = dataclasses.replace(public, **public_changes)  # type: ignore[arg-type]
    return CardProfile(
        family=family,
        aid=CU_AID if family is CardFamily.CITY_UNION else TU_AID,
        public_file=public.to_bytes(),
        holder_file=holder.to_bytes() if holder else None,
        card_keys=issuer.card_keys(serial),
        balance_fen=balance_fen,
        algorithm=issuer.algorithm,
        key_version=issuer.key_version,
        **settings,  # type: ignore[arg-type]
    )
