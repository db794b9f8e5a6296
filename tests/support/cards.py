"""Virtual cards and a SAM with matching keys, for tests over the in-process transport."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.psam import ApduSam
from app.card.sam import SoftwareSam
from app.card.session import CityCard
from app.crypto.isam import renewal_mac
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardFamily, CardKeyKind
from cardsim.card import VirtualCityCard
from cardsim.faults import FaultyCard
from cardsim.profile import CU_AID, TU_AID, CardProfile, HolderFields, PublicFields
from cardsim.psam import VirtualPsam
from cardsim.sam_profile import SamProfile, issue_sam_profile

TERMINAL = bytes.fromhex("001122334455")


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
    settings.setdefault("card_keys", issuer.card_keys(serial))
    settings.setdefault("cu_purchase_get_data", family is CardFamily.CITY_UNION)
    return CardProfile(
        family=family,
        aid=CU_AID if family is CardFamily.CITY_UNION else TU_AID,
        public_file=public.to_bytes(),
        holder_file=holder.to_bytes() if holder else None,
        balance_fen=balance_fen,
        algorithm=issuer.algorithm,
        key_version=issuer.key_version,
        **settings,  # type: ignore[arg-type]
    )


SAM_SERIAL = bytes.fromhex("00000000000000003101")
RENEWAL_KEY = bytes.fromhex("52454E4557414C4B45595F5F54455354")


def make_sam_profile(
    issuers: list[IssuerKeySet],
    *,
    terminal: bytes = TERMINAL,
    isam: bool = True,
    national: list[IssuerKeySet] | None = None,
    national_block: bool = False,
    brakes: dict[str, int] | None = None,
) -> SamProfile:
    """A SAM personalised with ``issuers``' purchase/TAC/block keys (and load keys if ISAM)."""
    return issue_sam_profile(
        issuers,
        terminal,
        SAM_SERIAL,
        national_sets=national,
        national_block=national_block,
        isam=isam,
        renewal_key=RENEWAL_KEY,
        brakes=brakes,
    )


def renew_isam(sam: ApduSam, counter: int, when: datetime) -> None:
    """Act as the center: send the ISAM a renewal MAC'd with the renewal key."""
    stamp = bytes.fromhex(when.strftime("%Y%m%d%H%M%S"))
    raw_counter = counter.to_bytes(4, "big")
    sam.renew(counter, stamp, renewal_mac(RENEWAL_KEY, SAM_SERIAL, raw_counter, stamp))


@dataclass
class SamRig:
    """A virtual PSAM (persisted to ``path``) behind fault injection, and its client."""

    psam: VirtualPsam
    faulty: FaultyCard
    path: Path

    def open(self) -> ApduSam:
        return ApduSam.open(InProcessTransport(self.faulty))

    def reload(self) -> SamProfile:
        return SamProfile.load(self.path)


NATIONAL_KEY_VERSION = 0x10


def national_key_set(*, block: bool = True) -> IssuerKeySet:
    """The ministry's national interoperability master keys (purchase, TAC, maybe block)."""
    kinds = [CardKeyKind.DPK, CardKeyKind.DTK] + ([CardKeyKind.DABK] if block else [])
    return IssuerKeySet(
        PurseAlgorithm.DES, NATIONAL_KEY_VERSION, {k: secrets.token_bytes(16) for k in kinds}
    )


def interop_issuer(national: IssuerKeySet, diversifier: bytes) -> IssuerKeySet:
    """Another city's issuer keys for its interoperable cards (its own load keys, fresh)."""
    own = IssuerKeySet.generate(national.algorithm, national.key_version)
    return IssuerKeySet.interoperable(own, national, diversifier)


def rig_sam_profile(
    issuers: list[IssuerKeySet],
    national: list[IssuerKeySet] | None = None,
    *,
    national_block: bool = False,
) -> SamProfile:
    """The test rigs' SAM: PSAM and ISAM, brakes far above the counter's own, renewed long ago.

    Its brakes never bind before the counter's (which the service tests exercise); the
    ISAM's own brakes are tested in tests/cardsim/test_psam.py.
    """
    profile = make_sam_profile(
        issuers,
        national=national,
        national_block=national_block,
        brakes={
            "per_load_cap_fen": 0x7FFFFFFF,
            "total_cap_fen": 0xFFFFFFFF,
            "count_cap": 0xFFFF,
            "max_age_s": 0xFFFFFFFF,
        },
    )
    assert profile.isam is not None
    profile.isam.last_contact = "20000101000000"
    return profile


def make_sam_rig(path: Path, profile: SamProfile) -> SamRig:
    """Save ``profile`` to ``path`` and serve it in process."""
    profile.save(path)
    psam = VirtualPsam.from_file(path)
    return SamRig(psam, FaultyCard(psam), path)


@dataclass
class Rig:
    """A virtual card behind fault injection, its transport and a PSAM holding its issuer's keys.

    ``sam`` is the APDU client of a virtual PSAM/ISAM (``sam_rig``) personalised for the test
    issuers: real bytes, the SAM's own counters. ``software_sam()`` is the center's view.
    """

    card: VirtualCityCard
    faulty: FaultyCard
    sam: ApduSam
    issuer: IssuerKeySet
    path: Path
    sam_rig: SamRig | None = None

    def software_sam(self, *others: IssuerKeySet) -> SoftwareSam:
        """A software SAM with the issuer's master keys: what the clearing center holds."""
        sets = {s.key_version: s for s in (self.issuer, *others)}
        return SoftwareSam(sets, self.sam.terminal_id)

    def transport(self) -> InProcessTransport:
        return InProcessTransport(self.faulty)

    def open(self) -> CityCard:
        return CityCard.open(self.transport())

    def reload(self) -> VirtualCityCard:
        """The card as persisted on disk (what survives a power cut)."""
        return VirtualCityCard.from_file(self.path)
