"""A virtual SAM's profile: its files, master keys, counters and offline brakes, as one JSON file.

A SAM profile *is* the chip (a PSAM, optionally also playing the ISAM role): it holds issuer
master keys, so it lives with the virtual cards (``citycard-sim create-demo``), never in a
counter's data directory and never in the repository. Saving is atomic. The format is in
``docs/virtual-sam.md``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.card.issuer_keys import IssuerKeySet
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardKeyKind
from app.files import atomic_write

FORMAT = "citycard-sam/1"
SAM_SERIAL_SIZE = 10
TERMINAL_ID_SIZE = 6
RECENT_CAPACITY = 32  # transactions whose TAC the PSAM will recompute after a tear
MAX_COUNTER = 0xFFFFFFFF
_BRAKE_FIELDS = frozenset({"per_load_cap_fen", "total_cap_fen", "count_cap", "max_age_s"})


class SamProfileError(Exception):
    """A SAM profile is missing, unreadable or inconsistent; the message says what and where."""


class KeyScope:
    """How a key set reaches a card key."""

    ISSUER = "issuer"  # issuer master → card key (the serial): this city's own cards
    NATIONAL = "national"  # national master → city key (issuer diversifier) → card key


# the master keys a PSAM may hold: purchase, TAC, block — never load, unblock or update
PSAM_KEY_KINDS = frozenset({CardKeyKind.DPK, CardKeyKind.DTK, CardKeyKind.DABK})


def _hex(value: object, what: str, size: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise SamProfileError(f"{what} must be a hex string")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise SamProfileError(f"{what} is not hex: {value!r}") from None
    if size is not None and len(raw) != size:
        raise SamProfileError(f"{what} must be {size} bytes, not {len(raw)}")
    return raw


def _int(doc: dict[str, Any], key: str, default: int, hi: int = MAX_COUNTER) -> int:
    value = doc.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= hi:
        raise SamProfileError(f"{key} must be an integer from 0 to {hi}")
    return value


@dataclass
class SamKeySet:
    """Master keys of one algorithm and key version, and how they reach a card key."""

    algorithm: PurseAlgorithm
    key_version: int
    scope: str
    keys: dict[CardKeyKind, bytes] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """The key set's JSON (secret: it holds master keys)."""
        return {
            "algorithm": self.algorithm.name,
            "key_version": self.key_version,
            "scope": self.scope,
            "keys": {k.value: v.hex().upper() for k, v in sorted(self.keys.items(), key=str)},
        }

    @classmethod
    def from_json(cls, doc: object, allowed: frozenset[CardKeyKind]) -> SamKeySet:
        """Parse one key set; refuses kinds outside ``allowed``."""
        if not isinstance(doc, dict):
            raise SamProfileError("a key set is a JSON object")
        try:
            algorithm = PurseAlgorithm[str(doc.get("algorithm"))]
        except KeyError:
            raise SamProfileError('a key set\'s algorithm is "DES" or "SM4"') from None
        version = _int(doc, "key_version", -1, 0xFF)  # missing: refused
        scope = doc.get("scope", KeyScope.ISSUER)
        if scope not in (KeyScope.ISSUER, KeyScope.NATIONAL):
            raise SamProfileError('a key set\'s scope is "issuer" or "national"')
        raw = doc.get("keys")
        if not isinstance(raw, dict) or not raw:
            raise SamProfileError("a key set needs its keys")
        keys: dict[CardKeyKind, bytes] = {}
        for name, value in raw.items():
            try:
                kind = CardKeyKind(name)
            except ValueError:
                raise SamProfileError(f"unknown key kind {name!r}") from None
            if kind not in allowed:
                raise SamProfileError(f"a SAM of this role does not hold {kind.value} keys")
            keys[kind] = _hex(value, f"key {name}", 16)
        return cls(algorithm, version, str(scope), keys)


@dataclass
class IsamState:
    """The ISAM role: load master keys, and the offline brakes kept inside the chip."""

    load_keys: list[SamKeySet]
    renewal_key: bytes = field(repr=False)  # shared with the center: MACs the renewal command
    per_load_cap_fen: int = 50_000
    total_cap_fen: int = 500_000
    count_cap: int = 200
    max_age_s: int = 24 * 3600
    used_fen: int = 0
    used_count: int = 0
    load_counter: int = 0  # ISAM load sequence, incremented and saved before it answers
    renewal_counter: int = 0  # the last renewal's counter (a renewal is used once)
    last_contact: str | None = None  # YYYYMMDDhhmmss of the last renewal (card time)
    last_time: str | None = None  # the latest card time the ISAM saw (time only moves on)

    def to_json(self) -> dict[str, Any]:
        """The ISAM part's JSON."""
        return {
            "load_keys": [k.to_json() for k in self.load_keys],
            "renewal_key": self.renewal_key.hex().upper(),
            "per_load_cap_fen": self.per_load_cap_fen,
            "total_cap_fen": self.total_cap_fen,
            "count_cap": self.count_cap,
            "max_age_s": self.max_age_s,
            "used_fen": self.used_fen,
            "used_count": self.used_count,
            "load_counter": self.load_counter,
            "renewal_counter": self.renewal_counter,
            "last_contact": self.last_contact,
            "last_time": self.last_time,
        }

    @classmethod
    def from_json(cls, doc: object) -> IsamState:
        """Parse the ISAM part."""
        if not isinstance(doc, dict):
            raise SamProfileError("isam is a JSON object or null")
        raw_keys = doc.get("load_keys")
        if not isinstance(raw_keys, list) or not raw_keys:
            raise SamProfileError("an ISAM needs its load_keys")
        load_keys = [
            SamKeySet.from_json(k, frozenset({CardKeyKind.DLK, CardKeyKind.DTK})) for k in raw_keys
        ]
        for times in ("last_contact", "last_time"):
            value = doc.get(times)
            if value is not None and (not isinstance(value, str) or len(value) != 14):
                raise SamProfileError(f"{times} is YYYYMMDDhhmmss or null")
        return cls(
            load_keys=load_keys,
            renewal_key=_hex(doc.get("renewal_key"), "renewal_key", 16),
            per_load_cap_fen=_int(doc, "per_load_cap_fen", 50_000),
            total_cap_fen=_int(doc, "total_cap_fen", 500_000),
            count_cap=_int(doc, "count_cap", 200, 0xFFFF),
            max_age_s=_int(doc, "max_age_s", 24 * 3600),
            used_fen=_int(doc, "used_fen", 0),
            used_count=_int(doc, "used_count", 0, 0xFFFF),
            load_counter=_int(doc, "load_counter", 0),
            renewal_counter=_int(doc, "renewal_counter", 0),
            last_contact=doc.get("last_contact"),
            last_time=doc.get("last_time"),
        )


@dataclass
class SamProfile:
    """Everything a virtual SAM is (mutable; saved after every state change)."""

    sam_serial: bytes
    terminal_id: bytes
    key_sets: list[SamKeySet]
    key_index: int = 1
    transaction_counter: int = 0  # the last terminal transaction seq issued
    isam: IsamState | None = None
    recent: list[dict[str, Any]] = field(default_factory=list)  # newest last

    def copy(self) -> SamProfile:
        """A deep copy (to roll back a command whose state could not be saved)."""
        return copy.deepcopy(self)

    def to_json(self) -> dict[str, Any]:
        """The profile's JSON document (holds master keys)."""
        return {
            "format": FORMAT,
            "sam_serial": self.sam_serial.hex().upper(),
            "terminal_id": self.terminal_id.hex().upper(),
            "key_index": self.key_index,
            "transaction_counter": self.transaction_counter,
            "key_sets": [k.to_json() for k in self.key_sets],
            "isam": None if self.isam is None else self.isam.to_json(),
            "recent": self.recent,
        }

    def dumps(self) -> bytes:
        """The profile as UTF-8 JSON bytes."""
        return (json.dumps(self.to_json(), indent=2) + "\n").encode("utf-8")

    def save(self, path: Path) -> None:
        """Write atomically (temp file, fsync, rename; mode 0600)."""
        atomic_write(path, self.dumps())

    @classmethod
    def load(cls, path: Path) -> SamProfile:
        """Read a SAM profile file; SamProfileError names the file."""
        try:
            doc = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise SamProfileError(f"no SAM profile at {path}") from None
        except OSError as exc:
            raise SamProfileError(f"cannot read the SAM profile {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise SamProfileError(f"{path} is not valid JSON: {exc}") from None
        try:
            return cls.from_json(doc)
        except SamProfileError as exc:
            raise SamProfileError(f"{path}: {exc}") from None

    @classmethod
    def from_json(cls, doc: object) -> SamProfile:
        """Build from the JSON document; SamProfileError on any bad field."""
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise SamProfileError(f"not a SAM profile of format {FORMAT!r}")
        raw_sets = doc.get("key_sets")
        if not isinstance(raw_sets, list):
            raise SamProfileError("key_sets is a list")
        key_sets = [SamKeySet.from_json(k, PSAM_KEY_KINDS) for k in raw_sets]
        seen = [(k.algorithm, k.key_version) for k in key_sets]
        if len(set(seen)) != len(seen):
            raise SamProfileError("two key sets have the same algorithm and key version")
        recent = doc.get("recent", [])
        if not isinstance(recent, list):
            raise SamProfileError("recent is a list")
        isam = doc.get("isam")
        return cls(
            sam_serial=_hex(doc.get("sam_serial"), "sam_serial", SAM_SERIAL_SIZE),
            terminal_id=_hex(doc.get("terminal_id"), "terminal_id", TERMINAL_ID_SIZE),
            key_sets=key_sets,
            key_index=_int(doc, "key_index", 1, 0xFF),
            transaction_counter=_int(doc, "transaction_counter", 0),
            isam=None if isam is None else IsamState.from_json(isam),
            recent=[r for r in recent if isinstance(r, dict)],
        )


def is_sam_profile(path: Path) -> bool:
    """Whether ``path`` holds a SAM profile (rather than a card profile)."""
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("format") == FORMAT


def issue_sam_profile(
    issuer_sets: list[IssuerKeySet],
    terminal_id: bytes,
    sam_serial: bytes,
    *,
    national_sets: list[IssuerKeySet] | None = None,
    national_block: bool = False,
    isam: bool = False,
    renewal_key: bytes | None = None,
    brakes: dict[str, int] | None = None,
) -> SamProfile:
    """Personalise a SAM from issuer master-key sets (the demo's and the tests' key ceremony).

    The PSAM gets the purchase, TAC and block master keys of each set (never load, unblock or
    update); ``national_sets`` add national interoperability purchase/TAC keys (two-level
    diversification), and their block key too when ``national_block`` (where the scheme
    shares it: such a PSAM blocks blacklisted cards of other cities). ``isam`` adds the ISAM
    role: the load and TAC master keys, the center's ``renewal_key`` and the offline
    ``brakes`` (field names of :class:`IsamState`). A fresh
    ISAM has never heard from the center: it authorises nothing until its first renewal.
    """
    key_sets = [
        SamKeySet(
            s.algorithm,
            s.key_version,
            KeyScope.ISSUER,
            {k: v for k, v in s.master_keys.items() if k in PSAM_KEY_KINDS},
        )
        for s in issuer_sets
    ]
    for s in national_sets or []:
        wanted = {CardKeyKind.DPK, CardKeyKind.DTK}
        if national_block:
            wanted.add(CardKeyKind.DABK)
        key_sets.append(
            SamKeySet(
                s.algorithm,
                s.key_version,
                KeyScope.NATIONAL,
                {k: v for k, v in s.master_keys.items() if k in wanted},
            )
        )
    isam_state = None
    if isam:
        if renewal_key is None:
            raise ValueError("an ISAM needs the center's renewal key")
        load_keys = [
            SamKeySet(
                s.algorithm,
                s.key_version,
                KeyScope.ISSUER,
                {k: s.master_keys[k] for k in (CardKeyKind.DLK, CardKeyKind.DTK)},
            )
            for s in issuer_sets
        ]
        isam_state = IsamState(load_keys, renewal_key)
        for name, value in (brakes or {}).items():
            if name not in _BRAKE_FIELDS:
                raise ValueError(f"{name} is not an offline brake")
            setattr(isam_state, name, value)
    return SamProfile(sam_serial, terminal_id, key_sets, isam=isam_state)
