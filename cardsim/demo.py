"""A demo issuer: master keys in a SAM keystore and a handful of personalised virtual cards.

Used by ``citycard-sim create-demo`` and by the app's demo. Card numbers, names and ID numbers
are invented. Besides the profiles (which hold each card's own diversified keys), a manifest
``demo-cards.json`` without secrets lists the cards and which one is meant for the blacklist.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from app.card.issuer_keys import IssuerKeySet
from app.crypto.diversify import issuer_diversifier
from app.crypto.keystore import KdfParams, Keystore
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardFamily, CardKeyKind, TransactionType
from app.files import atomic_write
from cardsim.profile import (
    CU_AID,
    SFI_LOADS,
    SFI_OTHER_CITY,
    SFI_PURCHASES,
    TU_AID,
    CardProfile,
    HolderFields,
    PublicFields,
    TransactionRecord,
)
from cardsim.sam_profile import issue_sam_profile

MANIFEST_NAME = "demo-cards.json"
KEYSTORE_NAME = "sam-keystore.json"
SAM_PROFILE_NAME = "psam.json"  # the counter's PSAM+ISAM chip: served on vpcd slot 1
ISAM_RENEWAL_KEY_NAME = "isam/renewal"  # in the issuer keystore: the center MACs renewals
DEMO_TERMINAL_ID = bytes.fromhex("310100000001")
DEMO_SAM_SERIAL = bytes.fromhex("31000000000000000001")
DES_KEY_VERSION = 1
SM4_KEY_VERSION = 2
NATIONAL_KEY_VERSION = 0x10  # the national interoperability purchase keys (other cities' cards)
SHANGHAI_TU_ISSUER = bytes.fromhex("0000290000000000")  # city 2900 (Shanghai) in bytes 2-3
HANGZHOU = "3100"

# Card types of our demo issuer (file 0x15 byte 28; issuer-specific in real life).
CARD_TYPE_ADULT = 0x01
CARD_TYPE_STUDENT = 0x02
CARD_TYPE_SENIOR = 0x03


class DemoError(Exception):
    """The demo could not be created; the message says why and what to do."""


@dataclass(frozen=True)
class DemoCard:
    """One demo card as listed in the manifest (no secrets)."""

    name: str
    path: Path
    description: str
    family: CardFamily
    serial: bytes
    balance_fen: int
    algorithm: PurseAlgorithm
    blacklisted: bool = False


@dataclass(frozen=True)
class DemoIssuer:
    """What :func:`create_demo` made."""

    directory: Path
    keystore_path: Path
    manifest_path: Path
    key_sets: tuple[IssuerKeySet, ...]
    cards: tuple[DemoCard, ...]
    sam_path: Path | None = None

    def card(self, name: str) -> DemoCard:
        """The demo card called ``name`` (e.g. ``"cu-adult"``)."""
        for card in self.cards:
            if card.name == name:
                return card
        raise KeyError(name)


@dataclass(frozen=True)
class _Spec:
    name: str
    description: str
    serial: bytes
    balance_fen: int
    card_type: int = CARD_TYPE_ADULT
    holder: HolderFields | None = None
    expiry: dt.date | None = None
    family: CardFamily = CardFamily.CITY_UNION
    algorithm: PurseAlgorithm = PurseAlgorithm.DES
    blacklisted: bool = False
    history: bool = False
    city: str = HANGZHOU  # CU: issuer and city code (another city's card: 2140 Wuxi)
    other_city: bool = False  # issued by another city under the national interop keys


def _bcd_date(day: dt.date) -> bytes:
    return bytes.fromhex(day.strftime("%Y%m%d"))


def _specs(today: dt.date) -> list[_Spec]:
    later = dt.date(today.year + 10, 12, 31)
    return [
        _Spec(
            "cu-adult",
            "Hangzhou adult card (普通卡), anonymous, with some history",
            bytes.fromhex("3100000000000001"),
            4_500,
            history=True,
            expiry=later,
        ),
        _Spec(
            "cu-student",
            "Hangzhou student card (学生卡)",
            bytes.fromhex("3100000000000002"),
            2_000,
            card_type=CARD_TYPE_STUDENT,
            holder=HolderFields(CARD_TYPE_STUDENT, 0, "李小明", "330106200801010011", 0),
            expiry=later,
        ),
        _Spec(
            "cu-senior",
            "Hangzhou senior card (老年卡) registered to 张三",
            bytes.fromhex("3100000000000003"),
            10_000,
            card_type=CARD_TYPE_SENIOR,
            holder=HolderFields(CARD_TYPE_SENIOR, 0, "张三", "330106195001010038", 0),
            expiry=later,
        ),
        _Spec(
            "cu-expired",
            "Hangzhou adult card that expired 30 days ago",
            bytes.fromhex("3100000000000004"),
            1_500,
            expiry=today - dt.timedelta(days=30),
        ),
        _Spec(
            "cu-lost",
            "Hangzhou card reported lost: put its serial on the blacklist",
            bytes.fromhex("3100000000000005"),
            8_800,
            holder=HolderFields(CARD_TYPE_ADULT, 0, "王五", "330106198001010057", 0),
            expiry=later,
            blacklisted=True,
        ),
        _Spec(
            "cu-sm4",
            "Hangzhou adult card with SM4 (国密) keys, key version 2",
            bytes.fromhex("3100000000000006"),
            3_000,
            algorithm=PurseAlgorithm.SM4,
            expiry=later,
        ),
        _Spec(
            "cu-wuxi",
            "Wuxi (无锡) interoperable card: another city's, not topped up here",
            bytes.fromhex("2140000000000008"),
            6_000,
            expiry=later,
            city="2140",
            other_city=True,
        ),
        _Spec(
            "tu-shanghai",
            "T-Union (交通联合) card of a Shanghai issuer",
            bytes.fromhex("29000000000000000007"),
            2_500,
            family=CardFamily.T_UNION,
            expiry=later,
            other_city=True,
        ),
    ]


def other_city_key_set(spec: _Spec, national: IssuerKeySet) -> IssuerKeySet:
    """Another city's keys for its interoperable card, under the national key version.

    Its own keys are fresh and not kept (this demo is not that city's issuer); the purchase,
    TAC and block keys descend from ``national`` (the PSAM reaches them in two steps).
    """
    if spec.family is CardFamily.CITY_UNION:
        diversifier = issuer_diversifier(spec.city)
    else:
        diversifier = SHANGHAI_TU_ISSUER
    own = IssuerKeySet.generate(national.algorithm, national.key_version)
    return IssuerKeySet.interoperable(own, national, diversifier)


def _history(today: dt.date) -> dict[int, list[bytes]]:
    terminal = bytes.fromhex("310000000001")
    day = _bcd_date(today - dt.timedelta(days=3))

    def record(atc: int, amount: int, tx: int, hhmmss: str) -> bytes:
        return TransactionRecord(atc, amount, tx, terminal, day, bytes.fromhex(hhmmss)).to_bytes()

    return {
        SFI_LOADS: [record(1, 5_000, TransactionType.EP_LOAD, "081500")],
        SFI_PURCHASES: [
            record(2, 300, TransactionType.EP_PURCHASE, "183012"),
            record(1, 200, TransactionType.EP_PURCHASE, "083005"),
        ],
        SFI_OTHER_CITY: [],
    }


def build_demo_profile(spec_name: str, key_set: IssuerKeySet, today: dt.date) -> CardProfile:
    """The profile of one named demo card, personalised with ``key_set``'s diversified keys."""
    spec = next((s for s in _specs(today) if s.name == spec_name), None)
    if spec is None:
        raise DemoError(f"there is no demo card called {spec_name!r}")
    return _build(spec, key_set, today)


def _build(spec: _Spec, key_set: IssuerKeySet, today: dt.date) -> CardProfile:
    start = (today - dt.timedelta(days=365)).strftime("%Y%m%d")
    expiry = spec.expiry.strftime("%Y%m%d") if spec.expiry else None
    cu = spec.family is CardFamily.CITY_UNION
    if cu:
        public = PublicFields(
            spec.family,
            spec.serial,
            issuer_code=bytes.fromhex(spec.city),
            city_code=spec.city,
            industry_code=bytes.fromhex("0001"),
            app_type=0x01,
            app_version=key_set.key_version if spec.other_city else 0x01,
            start_date=start,
            expiry_date=expiry,
            card_type=spec.card_type,
        )
    else:
        public = PublicFields(
            spec.family,
            spec.serial,
            issuer_code=SHANGHAI_TU_ISSUER,
            app_type=0x02,
            app_version=key_set.key_version if spec.other_city else 0x01,
            start_date=start,
            expiry_date=expiry,
            card_type=spec.card_type,
        )
    holder = spec.holder or HolderFields(spec.card_type, 0, "", "", 0)
    history = _history(today) if spec.history else {}
    return CardProfile(
        family=spec.family,
        aid=CU_AID if cu else TU_AID,
        public_file=public.to_bytes(),
        holder_file=holder.to_bytes(),
        card_keys=key_set.card_keys(spec.serial),
        balance_fen=spec.balance_fen,
        online_atc=1 if spec.history else 0,
        offline_atc=2 if spec.history else 0,
        algorithm=key_set.algorithm,
        key_version=key_set.key_version,
        cu_purchase_get_data=cu,
        get_data_85=secrets.token_bytes(8),
        records=history,
    )


def create_demo(
    directory: Path,
    passphrase: str,
    keystore_path: Path | None = None,
    *,
    kdf: KdfParams | None = None,
    today: dt.date | None = None,
) -> DemoIssuer:
    """Create a demo issuer: a SAM keystore (DES v1 + SM4 v2 master keys) and demo card profiles.

    Refuses (:class:`DemoError`) to overwrite an existing keystore or card profile, since cards
    and keystore belong together. ``kdf`` lets tests use a cheap Argon2id cost.
    """
    if not passphrase:
        raise DemoError("an empty keystore passphrase is not allowed")
    today = today or dt.date.today()
    keystore_path = keystore_path or directory / KEYSTORE_NAME
    specs = _specs(today)
    paths = {spec.name: directory / f"{spec.name}.json" for spec in specs}
    sam_path = directory / SAM_PROFILE_NAME
    existing = [p for p in (keystore_path, sam_path, *paths.values()) if p.exists()]
    if existing:
        raise DemoError(
            f"{existing[0]} already exists; choose an empty directory for a new demo issuer"
        )
    des = IssuerKeySet.generate(PurseAlgorithm.DES, DES_KEY_VERSION)
    sm4 = IssuerKeySet.generate(PurseAlgorithm.SM4, SM4_KEY_VERSION)
    renewal_key = secrets.token_bytes(16)
    Keystore.create(
        keystore_path,
        passphrase,
        {
            **des.keystore_entries(),
            **sm4.keystore_entries(),
            ISAM_RENEWAL_KEY_NAME: renewal_key,
        },
        kdf,
    )
    # the ministry's national interoperability keys: only the PSAM keeps them
    national = IssuerKeySet(
        PurseAlgorithm.DES,
        NATIONAL_KEY_VERSION,
        {k: secrets.token_bytes(16) for k in (CardKeyKind.DPK, CardKeyKind.DTK, CardKeyKind.DABK)},
    )
    # the counter's SAM: purchase/TAC/block keys, the national set, the ISAM role (not renewed)
    issue_sam_profile(
        [des, sm4],
        DEMO_TERMINAL_ID,
        DEMO_SAM_SERIAL,
        national_sets=[national],
        national_block=True,
        isam=True,
        renewal_key=renewal_key,
    ).save(sam_path)
    cards = []
    for spec in specs:
        key_set = sm4 if spec.algorithm is PurseAlgorithm.SM4 else des
        if spec.other_city:
            key_set = other_city_key_set(spec, national)
        profile = _build(spec, key_set, today)
        profile.save(paths[spec.name])
        cards.append(
            DemoCard(
                spec.name,
                paths[spec.name],
                spec.description,
                spec.family,
                spec.serial,
                spec.balance_fen,
                spec.algorithm,
                spec.blacklisted,
            )
        )
    manifest = directory / MANIFEST_NAME
    atomic_write(manifest, _manifest(keystore_path, cards))
    return DemoIssuer(directory, keystore_path, manifest, (des, sm4), tuple(cards), sam_path)


def _manifest(keystore_path: Path, cards: list[DemoCard]) -> bytes:
    doc = {
        "format": "citycard-demo/1",
        "keystore": str(keystore_path),
        "key_sets": [
            {"algorithm": "DES", "key_version": DES_KEY_VERSION},
            {"algorithm": "SM4", "key_version": SM4_KEY_VERSION},
        ],
        "cards": [
            {
                "name": c.name,
                "profile": c.path.name,
                "description": c.description,
                "family": c.family.value,
                "serial": c.serial.hex().upper(),
                "balance_fen": c.balance_fen,
                "algorithm": c.algorithm.name,
                "blacklisted": c.blacklisted,
            }
            for c in cards
        ],
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
