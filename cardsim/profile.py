"""A virtual card's profile: its files, purse state and secrets, as one JSON document.

A profile *is* the chip: it holds the card's own keys, so profiles live in run-time directories,
never in the repository. The format is documented in ``docs/virtual-card.md``. Saving is atomic
(:func:`app.files.atomic_write`): a crash leaves either the old or the new file.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.crypto.purse import PurseAlgorithm, purse_crypto
from app.domain.card import CardFamily, CardKeyKind
from app.files import atomic_write

FORMAT = "citycard-profile/1"

CU_AID = bytes.fromhex("A00000000386980701")
TU_AID = bytes.fromhex("A000000632010105")

PUBLIC_FILE_SIZE = 30
HOLDER_FILE_SIZE = 55
RECORD_SIZE = 23
COMPOUND_RECORD_MAX = 48
NAME_SIZE = 20
ID_NUMBER_SIZE = 32

SFI_PUBLIC = 0x15
SFI_HOLDER = 0x16
SFI_COMPOUND = 0x17
SFI_PURCHASES = 0x18
SFI_OTHER_CITY = 0x10
SFI_LOADS = 0x1A
CYCLIC_SFIS = (SFI_PURCHASES, SFI_OTHER_CITY, SFI_LOADS)
RECORD_SFIS = (*CYCLIC_SFIS, SFI_COMPOUND)

DEFAULT_MAX_BALANCE_FEN = 100_000
MAX_ATC = 0xFFFF


class ProfileError(Exception):
    """A profile file is missing, unreadable or inconsistent; the message says what and where."""


class RecordAtc(enum.Enum):
    """Which ATC a transaction record stores."""

    AFTER = "after"  # the counter after the increment (what a real card did)
    BEFORE = "before"


# --------------------------------------------------------------------------- small codecs


def _hex(value: object, what: str, size: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise ProfileError(f"{what} must be a hex string")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise ProfileError(f"{what} is not valid hex: {value!r}") from None
    if size is not None and len(raw) != size:
        raise ProfileError(f"{what} must be {size} bytes, not {len(raw)}")
    return raw


def _bcd(digits: str, what: str) -> bytes:
    if not digits.isdigit() or len(digits) % 2:
        raise ProfileError(f"{what} must be an even number of decimal digits, not {digits!r}")
    return bytes.fromhex(digits)


def _date_bcd(text: str | None, what: str) -> bytes:
    if text is None:
        return bytes(4)
    try:
        dt.datetime.strptime(text, "%Y%m%d")
    except ValueError:
        raise ProfileError(f"{what} must be a date YYYYMMDD, not {text!r}") from None
    return bytes.fromhex(text)


def _date_text(raw: bytes) -> str | None:
    text = raw.hex()
    if text == "00000000":
        return None
    return text.upper()


def _int_field(doc: dict[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    value = doc.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ProfileError(f"{key} must be an integer from {lo} to {hi}, not {value!r}")
    return value


def _bool_field(doc: dict[str, Any], key: str, default: bool) -> bool:
    value = doc.get(key, default)
    if not isinstance(value, bool):
        raise ProfileError(f"{key} must be true or false, not {value!r}")
    return value


# --------------------------------------------------------------------------- file 0x15


@dataclass(frozen=True)
class PublicFields:
    """The structured contents of file 0x15 (30 bytes).

    CU layout: issuer 0–1, city 2–3 (BCD), industry 4–5, reserved 6–7, app type 8, app version 9,
    interoperability flag 10–11, serial 12–19, start 20–23, expiry 24–27, card type 28, reserved 29.
    TU layout: issuer ID 0–7, app type 8, app version 9, serial 10–19, start 20–23, expiry 24–27,
    card type 28, reserved 29.
    """

    family: CardFamily
    serial: bytes
    issuer_code: bytes = b"\x00\x00"  # CU: 2 bytes; TU: the 8-byte issuer ID
    city_code: str = "0000"  # CU only
    industry_code: bytes = b"\x00\x00"
    app_type: int = 0x01
    app_version: int = 0x01
    interop_flag: bytes | None = None  # CU: defaults to the city code
    start_date: str | None = None
    expiry_date: str | None = None
    card_type: int = 0x00

    def to_bytes(self) -> bytes:
        """Build the 30 bytes of file 0x15."""
        tail = bytes([self.app_type & 0xFF, self.app_version & 0xFF])
        dates = _date_bcd(self.start_date, "start_date") + _date_bcd(
            self.expiry_date, "expiry_date"
        )
        if self.family is CardFamily.CITY_UNION:
            if len(self.serial) != 8:
                raise ProfileError("a CU serial (file 0x15 bytes 12–19) is 8 bytes")
            if len(self.issuer_code) != 2 or len(self.industry_code) != 2:
                raise ProfileError("a CU issuer code and industry code are 2 bytes each")
            city = _bcd(self.city_code, "city_code")
            if len(city) != 2:
                raise ProfileError("a CU city code is 4 digits, e.g. 3100")
            interop = self.interop_flag if self.interop_flag is not None else city
            if len(interop) != 2:
                raise ProfileError("the interoperability flag is 2 bytes")
            raw = (
                self.issuer_code
                + city
                + self.industry_code
                + b"\x00\x00"
                + tail
                + interop
                + self.serial
                + dates
                + bytes([self.card_type & 0xFF, 0])
            )
        else:
            if len(self.serial) != 10:
                raise ProfileError("a TU serial (file 0x15 bytes 10–19) is 10 bytes")
            if len(self.issuer_code) != 8:
                raise ProfileError("a TU issuer ID (file 0x15 bytes 0–7) is 8 bytes")
            raw = self.issuer_code + tail + self.serial + dates + bytes([self.card_type & 0xFF, 0])
        assert len(raw) == PUBLIC_FILE_SIZE
        return raw

    def to_json(self) -> dict[str, Any]:
        """The JSON form of these fields."""
        doc: dict[str, Any] = {"serial": self.serial.hex().upper()}
        if self.family is CardFamily.CITY_UNION:
            doc["issuer_code"] = self.issuer_code.hex().upper()
            doc["city_code"] = self.city_code
            doc["industry_code"] = self.industry_code.hex().upper()
            doc["interop_flag"] = (self.interop_flag or _bcd(self.city_code, "city")).hex().upper()
        else:
            doc["issuer_id"] = self.issuer_code.hex().upper()
        doc.update(
            app_type=self.app_type,
            app_version=self.app_version,
            start_date=self.start_date,
            expiry_date=self.expiry_date,
            card_type=self.card_type,
        )
        return doc

    @classmethod
    def from_json(cls, family: CardFamily, doc: object) -> PublicFields:
        """Read the structured JSON form; raises ProfileError on a bad field."""
        if not isinstance(doc, dict):
            raise ProfileError("file_15 must be an object or a hex string")
        cu = family is CardFamily.CITY_UNION
        serial = _hex(doc.get("serial"), "file_15.serial", 8 if cu else 10)
        common: dict[str, Any] = {
            "app_type": _int_field(doc, "app_type", 1, 0, 255),
            "app_version": _int_field(doc, "app_version", 1, 0, 255),
            "start_date": doc.get("start_date"),
            "expiry_date": doc.get("expiry_date"),
            "card_type": _int_field(doc, "card_type", 0, 0, 255),
        }
        for key in ("start_date", "expiry_date"):
            value = common[key]
            if value is not None and not isinstance(value, str):
                raise ProfileError(f"file_15.{key} must be YYYYMMDD or null")
            _date_bcd(value, f"file_15.{key}")
        if cu:
            city = doc.get("city_code", "0000")
            if not isinstance(city, str):
                raise ProfileError("file_15.city_code must be a string of 4 digits")
            interop = doc.get("interop_flag")
            fields = cls(
                family,
                serial,
                issuer_code=_hex(doc.get("issuer_code", "0000"), "file_15.issuer_code", 2),
                city_code=city,
                industry_code=_hex(doc.get("industry_code", "0000"), "file_15.industry_code", 2),
                interop_flag=None if interop is None else _hex(interop, "file_15.interop_flag", 2),
                **common,
            )
        else:
            fields = cls(
                family,
                serial,
                issuer_code=_hex(doc.get("issuer_id", "00" * 8), "file_15.issuer_id", 8),
                **common,
            )
        fields.to_bytes()  # validates the remaining fields
        return fields

    @classmethod
    def parse(cls, family: CardFamily, raw: bytes) -> PublicFields:
        """Parse 30 raw bytes back into fields (lossless only when the reserved bytes are 0)."""
        if len(raw) != PUBLIC_FILE_SIZE:
            raise ProfileError(f"file 0x15 is {PUBLIC_FILE_SIZE} bytes, not {len(raw)}")
        common: dict[str, Any] = {
            "app_type": raw[8],
            "app_version": raw[9],
            "start_date": _date_text(raw[20:24]),
            "expiry_date": _date_text(raw[24:28]),
            "card_type": raw[28],
        }
        if family is CardFamily.CITY_UNION:
            return cls(
                family,
                raw[12:20],
                issuer_code=raw[0:2],
                city_code=raw[2:4].hex().upper(),
                industry_code=raw[4:6],
                interop_flag=raw[10:12],
                **common,
            )
        return cls(family, raw[10:20], issuer_code=raw[0:8], **common)


def serial_of(family: CardFamily, public_file: bytes) -> bytes:
    """The application serial number in a raw file 0x15 (CU bytes 12–19, TU bytes 10–19)."""
    return public_file[12:20] if family is CardFamily.CITY_UNION else public_file[10:20]


# --------------------------------------------------------------------------- file 0x16


@dataclass(frozen=True)
class HolderFields:
    """The structured contents of file 0x16 (55 bytes).

    Layout: card-type flag 0, staff flag 1, name 2–21 (GBK, 00-padded), ID number 22–53 (ASCII,
    00-padded), ID type 54.
    """

    card_type_flag: int = 0
    staff_flag: int = 0
    name: str = ""
    id_number: str = ""
    id_type: int = 0

    def to_bytes(self) -> bytes:
        """Build the 55 bytes of file 0x16."""
        try:
            name = self.name.encode("gbk")
        except UnicodeEncodeError:
            raise ProfileError(f"the holder name {self.name!r} cannot be written in GBK") from None
        if len(name) > NAME_SIZE:
            raise ProfileError(f"the holder name is {len(name)} GBK bytes; at most {NAME_SIZE}")
        if not self.id_number.isascii() or len(self.id_number) > ID_NUMBER_SIZE:
            raise ProfileError(f"the ID number must be at most {ID_NUMBER_SIZE} ASCII characters")
        ident = self.id_number.encode("ascii")
        return (
            bytes([self.card_type_flag & 0xFF, self.staff_flag & 0xFF])
            + name.ljust(NAME_SIZE, b"\x00")
            + ident.ljust(ID_NUMBER_SIZE, b"\x00")
            + bytes([self.id_type & 0xFF])
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON form of these fields."""
        return {
            "card_type_flag": self.card_type_flag,
            "staff_flag": self.staff_flag,
            "name": self.name,
            "id_number": self.id_number,
            "id_type": self.id_type,
        }

    @classmethod
    def from_json(cls, doc: object) -> HolderFields:
        """Read the structured JSON form; raises ProfileError on a bad field."""
        if not isinstance(doc, dict):
            raise ProfileError("file_16 must be an object, a hex string or null")
        name, ident = doc.get("name", ""), doc.get("id_number", "")
        if not isinstance(name, str) or not isinstance(ident, str):
            raise ProfileError("file_16.name and file_16.id_number must be strings")
        fields = cls(
            card_type_flag=_int_field(doc, "card_type_flag", 0, 0, 255),
            staff_flag=_int_field(doc, "staff_flag", 0, 0, 255),
            name=name,
            id_number=ident,
            id_type=_int_field(doc, "id_type", 0, 0, 255),
        )
        fields.to_bytes()
        return fields

    @classmethod
    def parse(cls, raw: bytes) -> HolderFields:
        """Parse 55 raw bytes; raises ProfileError when they are not GBK/ASCII text."""
        if len(raw) != HOLDER_FILE_SIZE:
            raise ProfileError(f"file 0x16 is {HOLDER_FILE_SIZE} bytes, not {len(raw)}")
        try:
            name = raw[2:22].rstrip(b"\x00").decode("gbk")
            ident = raw[22:54].rstrip(b"\x00").decode("ascii")
        except UnicodeDecodeError:
            raise ProfileError("file 0x16 does not hold GBK/ASCII text") from None
        return cls(raw[0], raw[1], name, ident, raw[54])


def build_public_file(fields: PublicFields) -> bytes:
    """The 30 bytes of file 0x15 from structured fields."""
    return fields.to_bytes()


def build_holder_file(fields: HolderFields) -> bytes:
    """The 55 bytes of file 0x16 from structured fields."""
    return fields.to_bytes()


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class TransactionRecord:
    """One 23-byte record: ATC(2) overdraft(3) amount(4) type(1) termID(6) date(4) time(3)."""

    atc: int
    amount_fen: int
    transaction_type: int
    terminal_id: bytes
    date: bytes
    time: bytes
    overdraft_fen: int = 0

    def to_bytes(self) -> bytes:
        """The 23 raw bytes."""
        return (
            self.atc.to_bytes(2, "big")
            + self.overdraft_fen.to_bytes(3, "big")
            + self.amount_fen.to_bytes(4, "big")
            + bytes([self.transaction_type])
            + self.terminal_id
            + self.date
            + self.time
        )

    @classmethod
    def parse(cls, raw: bytes) -> TransactionRecord:
        """Parse 23 raw bytes."""
        if len(raw) != RECORD_SIZE:
            raise ProfileError(f"a transaction record is {RECORD_SIZE} bytes, not {len(raw)}")
        return cls(
            atc=int.from_bytes(raw[0:2], "big"),
            overdraft_fen=int.from_bytes(raw[2:5], "big"),
            amount_fen=int.from_bytes(raw[5:9], "big"),
            transaction_type=raw[9],
            terminal_id=raw[10:16],
            date=raw[16:20],
            time=raw[20:23],
        )


@dataclass(frozen=True)
class TransactionProof:
    """What GET TRANSACTION PROVE answers for the last completed transaction of one type."""

    atc: int  # the pre-increment ATC the INITIALIZE answer returned
    mac: bytes
    tac: bytes


# --------------------------------------------------------------------------- the profile


@dataclass
class CardProfile:
    """Everything a virtual card is: files, purse state, settings and keys (mutable)."""

    family: CardFamily
    aid: bytes
    public_file: bytes
    holder_file: bytes | None
    card_keys: dict[CardKeyKind, bytes] = field(repr=False)
    balance_fen: int = 0
    online_atc: int = 0
    offline_atc: int = 0
    max_balance_fen: int = DEFAULT_MAX_BALANCE_FEN
    algorithm: PurseAlgorithm = PurseAlgorithm.DES
    key_version: int = 1
    key_index: int = 1
    cu_purchase_get_data: bool = True
    get_data_85: bytes = bytes(8)
    fixed_random: bytes | None = None
    record_capacity: int = 10
    record_atc: RecordAtc = RecordAtc.AFTER
    t0_get_response: bool = False
    t0_wrong_le: bool = False
    atr: bytes | None = None
    blocked: bool = False
    locked: bool = False
    records: dict[int, list[bytes]] = field(default_factory=dict)
    proofs: dict[int, TransactionProof] = field(default_factory=dict)
    master_keys: dict[CardKeyKind, bytes] | None = field(default=None, repr=False)
    structured_public: bool = True
    structured_holder: bool = True

    def __post_init__(self) -> None:
        for sfi in RECORD_SFIS:
            self.records.setdefault(sfi, [])

    @property
    def serial(self) -> bytes:
        """The application serial number from file 0x15."""
        return serial_of(self.family, self.public_file)

    def copy(self) -> CardProfile:
        """A deep copy (used to roll back a command whose state could not be saved)."""
        return copy.deepcopy(self)

    # ------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        """The JSON document of this profile (includes the card's secret keys)."""
        doc: dict[str, Any] = {
            "format": FORMAT,
            "family": self.family.value,
            "aid": self.aid.hex().upper(),
            "file_15": self._public_json(),
            "file_16": self._holder_json(),
            "balance_fen": self.balance_fen,
            "online_atc": self.online_atc,
            "offline_atc": self.offline_atc,
            "max_balance_fen": self.max_balance_fen,
            "algorithm": self.algorithm.name,
            "key_version": self.key_version,
            "key_index": self.key_index,
        }
        if self.master_keys is not None:
            doc["master_keys"] = {k.value: v.hex().upper() for k, v in self.master_keys.items()}
        else:
            doc["card_keys"] = {k.value: v.hex().upper() for k, v in self.card_keys.items()}
        doc.update(
            cu_purchase_get_data=self.cu_purchase_get_data,
            get_data_85=self.get_data_85.hex().upper(),
            fixed_random=None if self.fixed_random is None else self.fixed_random.hex().upper(),
            record_capacity=self.record_capacity,
            record_atc=self.record_atc.value,
            t0_get_response=self.t0_get_response,
            t0_wrong_le=self.t0_wrong_le,
            atr=None if self.atr is None else self.atr.hex().upper(),
            blocked=self.blocked,
            locked=self.locked,
            records={
                f"{sfi:02X}": [r.hex().upper() for r in recs]
                for sfi, recs in sorted(self.records.items())
            },
            proofs={
                f"{t:02X}": {"atc": p.atc, "mac": p.mac.hex().upper(), "tac": p.tac.hex().upper()}
                for t, p in sorted(self.proofs.items())
            },
        )
        return doc

    def _public_json(self) -> object:
        if self.structured_public:
            fields = PublicFields.parse(self.family, self.public_file)
            if fields.to_bytes() == self.public_file:
                return fields.to_json()
        return self.public_file.hex().upper()

    def _holder_json(self) -> object:
        if self.holder_file is None:
            return None
        if self.structured_holder:
            try:
                fields = HolderFields.parse(self.holder_file)
                if fields.to_bytes() == self.holder_file:
                    return fields.to_json()
            except ProfileError:
                pass
        return self.holder_file.hex().upper()

    def dumps(self) -> bytes:
        """The profile as UTF-8 JSON bytes."""
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def save(self, path: Path) -> None:
        """Write the profile atomically (temp file, fsync, rename); the file is mode 0600."""
        atomic_write(path, self.dumps())

    @classmethod
    def load(cls, path: Path) -> CardProfile:
        """Read a profile file; raises ProfileError with the path in the message."""
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            raise ProfileError(f"no card profile at {path}") from None
        except OSError as exc:
            raise ProfileError(f"cannot read the card profile {path}: {exc.strerror}") from None
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise ProfileError(f"{path} is not valid JSON: {exc}") from None
        try:
            return cls.from_json(doc)
        except ProfileError as exc:
            raise ProfileError(f"{path}: {exc}") from None

    @classmethod
    def from_json(cls, doc: object) -> CardProfile:
        """Build a profile from its JSON document; raises ProfileError on any bad field."""
        if not isinstance(doc, dict):
            raise ProfileError("a card profile is a JSON object")
        if doc.get("format") != FORMAT:
            raise ProfileError(f"not a card profile of format {FORMAT!r}")
        try:
            family = CardFamily(doc.get("family"))
        except ValueError:
            raise ProfileError('family must be "CU" or "TU"') from None
        cu = family is CardFamily.CITY_UNION
        aid = _hex(doc.get("aid", (CU_AID if cu else TU_AID).hex()), "aid")
        if not 5 <= len(aid) <= 16:
            raise ProfileError("an AID is 5 to 16 bytes")

        raw15 = doc.get("file_15")
        structured_public = isinstance(raw15, dict)
        if structured_public:
            public_file = PublicFields.from_json(family, raw15).to_bytes()
        else:
            public_file = _hex(raw15, "file_15", PUBLIC_FILE_SIZE)
        raw16 = doc.get("file_16")
        structured_holder = not isinstance(raw16, str)
        holder_file: bytes | None
        if raw16 is None:
            holder_file = None
        elif isinstance(raw16, str):
            holder_file = _hex(raw16, "file_16", HOLDER_FILE_SIZE)
        else:
            holder_file = HolderFields.from_json(raw16).to_bytes()

        algorithm_name = doc.get("algorithm", "DES")
        if algorithm_name not in ("DES", "SM4"):
            raise ProfileError('algorithm must be "DES" or "SM4"')
        algorithm = PurseAlgorithm[algorithm_name]
        serial = serial_of(family, public_file)
        master_keys: dict[CardKeyKind, bytes] | None = None
        if "card_keys" in doc:
            card_keys = _keys(doc["card_keys"], "card_keys")
        elif "master_keys" in doc:
            master_keys = _keys(doc["master_keys"], "master_keys")
            crypto = purse_crypto(algorithm)
            card_keys = {k: crypto.diversify(v, serial) for k, v in master_keys.items()}
        else:
            raise ProfileError("a profile needs card_keys or master_keys")

        capacity = _int_field(doc, "record_capacity", 10, 1, 255)
        records = _records(doc.get("records", {}), capacity)
        try:
            record_atc = RecordAtc(doc.get("record_atc", "after"))
        except ValueError:
            raise ProfileError('record_atc must be "after" or "before"') from None
        fixed = doc.get("fixed_random")
        atr = doc.get("atr")
        return cls(
            family=family,
            aid=aid,
            public_file=public_file,
            holder_file=holder_file,
            card_keys=card_keys,
            balance_fen=_int_field(doc, "balance_fen", 0, 0, 0xFFFFFFFF),
            online_atc=_int_field(doc, "online_atc", 0, 0, MAX_ATC),
            offline_atc=_int_field(doc, "offline_atc", 0, 0, MAX_ATC),
            max_balance_fen=_int_field(
                doc, "max_balance_fen", DEFAULT_MAX_BALANCE_FEN, 0, 0xFFFFFFFF
            ),
            algorithm=algorithm,
            key_version=_int_field(doc, "key_version", 1, 0, 255),
            key_index=_int_field(doc, "key_index", 1, 0, 255),
            cu_purchase_get_data=_bool_field(doc, "cu_purchase_get_data", cu),
            get_data_85=_hex(doc.get("get_data_85", "00" * 8), "get_data_85", 8),
            fixed_random=None if fixed is None else _hex(fixed, "fixed_random", 4),
            record_capacity=capacity,
            record_atc=record_atc,
            t0_get_response=_bool_field(doc, "t0_get_response", False),
            t0_wrong_le=_bool_field(doc, "t0_wrong_le", False),
            atr=None if atr is None else _hex(atr, "atr"),
            blocked=_bool_field(doc, "blocked", False),
            locked=_bool_field(doc, "locked", False),
            records=records,
            proofs=_proofs(doc.get("proofs", {})),
            master_keys=master_keys,
            structured_public=structured_public,
            structured_holder=structured_holder,
        )


def _keys(doc: object, what: str) -> dict[CardKeyKind, bytes]:
    if not isinstance(doc, dict):
        raise ProfileError(f"{what} must be an object of hex keys")
    keys: dict[CardKeyKind, bytes] = {}
    for kind in CardKeyKind:
        if kind.value not in doc:
            raise ProfileError(f"{what} lacks the {kind.value} key")
        keys[kind] = _hex(doc[kind.value], f"{what}.{kind.value}", 16)
    unknown = set(doc) - {k.value for k in CardKeyKind}
    if unknown:
        raise ProfileError(f"{what} has unknown keys: {', '.join(sorted(unknown))}")
    return keys


def _records(doc: object, capacity: int) -> dict[int, list[bytes]]:
    if not isinstance(doc, dict):
        raise ProfileError("records must be an object keyed by SFI (18, 10, 1A, 17)")
    records: dict[int, list[bytes]] = {}
    for key, values in doc.items():
        try:
            sfi = int(key, 16)
        except ValueError:
            raise ProfileError(f"records key {key!r} is not a hex SFI") from None
        if sfi not in RECORD_SFIS:
            raise ProfileError(f"records key {key!r} is not one of 18, 10, 1A, 17")
        if not isinstance(values, list):
            raise ProfileError(f"records.{key} must be a list of hex records")
        parsed = []
        for i, value in enumerate(values):
            what = f"records.{key}[{i}]"
            if sfi == SFI_COMPOUND:
                raw = _hex(value, what)
                if not 1 <= len(raw) <= COMPOUND_RECORD_MAX:
                    raise ProfileError(f"{what} must be 1 to {COMPOUND_RECORD_MAX} bytes")
            else:
                raw = _hex(value, what, RECORD_SIZE)
            parsed.append(raw)
        if sfi != SFI_COMPOUND and len(parsed) > capacity:
            raise ProfileError(f"records.{key} holds more than record_capacity={capacity}")
        records[sfi] = parsed
    return records


def _proofs(doc: object) -> dict[int, TransactionProof]:
    if not isinstance(doc, dict):
        raise ProfileError("proofs must be an object keyed by transaction type")
    proofs: dict[int, TransactionProof] = {}
    for key, value in doc.items():
        if not isinstance(value, dict):
            raise ProfileError(f"proofs.{key} must be an object")
        try:
            tx_type = int(key, 16)
        except ValueError:
            raise ProfileError(f"proofs key {key!r} is not a hex type") from None
        proofs[tx_type] = TransactionProof(
            atc=_int_field(value, "atc", 0, 0, MAX_ATC),
            mac=_hex(value.get("mac"), f"proofs.{key}.mac", 4),
            tac=_hex(value.get("tac"), f"proofs.{key}.tac", 4),
        )
    return proofs
