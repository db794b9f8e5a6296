"""What a city card is, as the counter sees it: plain data, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class CardFamily(enum.Enum):
    """The two interoperable card families in China."""

    CITY_UNION = "CU"  # 住建部 城市一卡通互联互通
    T_UNION = "TU"  # 交通部 交通联合


class TransactionType(enum.IntEnum):
    """Transaction type codes in card records and MAC inputs."""

    EP_LOAD = 0x02
    EP_PURCHASE = 0x06
    COMPOUND_PURCHASE = 0x09


class CardKeyKind(enum.Enum):
    """The per-card keys, each diversified from an issuer master key."""

    DLK = "dlk"  # load (圈存)
    DPK = "dpk"  # purchase (消费)
    DTK = "dtk"  # TAC
    DABK = "dabk"  # application block
    DAUK = "dauk"  # application unblock
    DUK = "duk"  # file update (UPDATE BINARY with MAC)


@dataclass(frozen=True)
class PublicData:
    """File 0x15, the public application data."""

    issuer_code: bytes
    city_code: str
    industry_code: bytes
    application_type: int
    application_version: int
    interop_flag: bytes
    serial: bytes  # application serial number / card number: raw bytes, key of everything
    start_date: date | None
    expiry_date: date | None
    card_type: int
    raw: bytes = field(repr=False)

    @property
    def serial_text(self) -> str:
        """The card number as printed on receipts (hex of the raw serial)."""
        return self.serial.hex().upper()


@dataclass(frozen=True)
class Holder:
    """File 0x16, the cardholder."""

    card_type_flag: int
    staff_flag: int
    name: str
    id_number: str
    id_type: int

    @property
    def masked_name(self) -> str:
        """The name with all but the first character hidden, as clerks may show it."""
        if not self.name:
            return ""
        return self.name[0] + "*" * (len(self.name) - 1)

    @property
    def masked_id_number(self) -> str:
        """The ID number with only the first 4 and last 4 characters shown."""
        n = self.id_number
        if len(n) <= 8:
            return "*" * len(n)
        return n[:4] + "*" * (len(n) - 8) + n[-4:]


@dataclass(frozen=True)
class CardRecord:
    """One 23-byte transaction record of a cyclic file (0x18, 0x10, 0x1A)."""

    atc: int
    overdraft_fen: int
    amount_fen: int
    transaction_type: int
    terminal_id: bytes
    when: datetime | None


@dataclass(frozen=True)
class CardSnapshot:
    """Everything a card read returns, for the card panel and the services."""

    family: CardFamily
    public: PublicData
    holder: Holder | None
    balance_fen: int
    blocked: bool
    loads: tuple[CardRecord, ...] = ()
    purchases: tuple[CardRecord, ...] = ()
    other_city_purchases: tuple[CardRecord, ...] = ()

    @property
    def serial(self) -> bytes:
        """The raw application serial number."""
        return self.public.serial
