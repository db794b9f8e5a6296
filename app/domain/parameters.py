"""The issuer's parameters: card types and their limits, fees, offline brakes, waiting periods.

Published and versioned by the clearing center; a counter keeps the last version it received
(and starts from :meth:`Parameters.default` on its first run). All money in fen.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from app.domain.cities import INTEROP_CITIES, CityTable
from app.domain.scenic import ScenicCatalogue
from app.domain.texts import ClerkFacingError


class ParametersError(ClerkFacingError, ValueError):
    """A parameter document is malformed or absurd; the message names the field."""


@dataclass(frozen=True)
class CardTypeRules:
    """Top-up and refund rules of one card type (file 0x15 byte 28)."""

    code: int
    name: str
    min_load_fen: int
    max_load_fen: int
    multiple_of_fen: int
    balance_ceiling_fen: int
    deposit_fen: int = 0
    refund_fee_fen: int = 0

    def validate(self) -> None:
        """Refuse rules that would let nonsense through."""
        if not 0 <= self.code <= 0xFF:
            raise ParametersError("card type code {code} is not one byte", code=self.code)
        if not 0 < self.min_load_fen <= self.max_load_fen <= self.balance_ceiling_fen:
            raise ParametersError(
                "card type {code}: need 0 < min ≤ max ≤ balance ceiling", code=self.code
            )
        if self.multiple_of_fen <= 0 or self.min_load_fen % self.multiple_of_fen:
            raise ParametersError(
                "card type {code}: min is not a multiple of the step", code=self.code
            )
        if self.balance_ceiling_fen > 0xFFFFFFFF or min(self.deposit_fen, self.refund_fee_fen) < 0:
            raise ParametersError("card type {code}: ceiling or fees out of range", code=self.code)


@dataclass(frozen=True)
class OfflineBrakes:
    """How far a counter may go without the center (Square/Stripe/Adyen-style offline limits)."""

    per_load_cap_fen: int = 50_000
    shift_offline_total_cap_fen: int = 500_000
    offline_count_cap: int = 200
    max_unsynced_age_s: int = 24 * 3600
    # a counter whose journal mirror is configured but lost keeps this share of the caps
    without_mirror_percent: int = 25
    # money operations are refused when the counter's clock and the center's differ by more
    max_clock_skew_s: int = 300

    def without_mirror(self) -> OfflineBrakes:
        """The brakes while the journal's mirror is lost: caps cut to ``without_mirror_percent``."""
        share = max(0, min(100, self.without_mirror_percent))
        return OfflineBrakes(
            per_load_cap_fen=self.per_load_cap_fen * share // 100,
            shift_offline_total_cap_fen=self.shift_offline_total_cap_fen * share // 100,
            offline_count_cap=self.offline_count_cap * share // 100,
            max_unsynced_age_s=self.max_unsynced_age_s * share // 100,
            without_mirror_percent=self.without_mirror_percent,
            max_clock_skew_s=self.max_clock_skew_s,
        )


@dataclass(frozen=True)
class Parameters:
    """One version of the issuer's parameters."""

    version: int
    issuer_codes: tuple[str, ...]  # hex issuer codes this counter serves (0x15 bytes 0..1 on CU)
    card_types: tuple[CardTypeRules, ...]
    brakes: OfflineBrakes = field(default_factory=OfflineBrakes)
    replacement_fee_fen: int = 2_000
    replacement_waiting_days: int = 7
    exchange_fee_fen: int = 1_000  # a damaged card exchanged for a new one (the center's default)
    refund_approval_threshold_fen: int = 20_000
    cash_difference_tolerance_fen: int = 500
    void_window_s: int = 600
    scenic: ScenicCatalogue = field(default_factory=ScenicCatalogue.default)  # ticket office
    cities: CityTable | None = None  # a newer table of interoperating cities; None: built-in

    def city_table(self) -> CityTable:
        """The table of interoperating cities in force: the delivered one if newer, else ours."""
        if self.cities is not None and self.cities.version >= INTEROP_CITIES.version:
            return self.cities
        return INTEROP_CITIES

    def card_type(self, code: int) -> CardTypeRules | None:
        """The rules of card type ``code``, or None for a type this issuer does not define."""
        return next((t for t in self.card_types if t.code == code), None)

    def validate(self) -> None:
        """Refuse a malformed document (raises :class:`ParametersError`)."""
        if self.version < 0 or not self.card_types or not self.issuer_codes:
            raise ParametersError("parameters need a version, issuer codes and card types")
        codes = [t.code for t in self.card_types]
        if len(codes) != len(set(codes)):
            raise ParametersError("a card type is defined twice")
        for rules in self.card_types:
            rules.validate()
        b = self.brakes
        if min(b.per_load_cap_fen, b.shift_offline_total_cap_fen, b.offline_count_cap) < 0:
            raise ParametersError("offline brakes cannot be negative")
        if not 0 <= b.without_mirror_percent <= 100:
            raise ParametersError("the brakes without a mirror are a percentage (0-100)")
        if b.max_clock_skew_s < 1:
            raise ParametersError("the clock skew bound must be at least a second")
        if min(self.replacement_fee_fen, self.replacement_waiting_days, self.exchange_fee_fen) < 0:
            raise ParametersError("fees and waiting periods cannot be negative")
        self.scenic.validate()

    def to_json(self) -> str:
        """The canonical JSON document (the city table only when one was delivered)."""
        doc = asdict(replace(self, cities=None))
        del doc["cities"]
        if self.cities is not None:
            doc["cities"] = json.loads(self.cities.to_json())
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Parameters:
        """Parse and validate a document (raises :class:`ParametersError` with the reason)."""
        try:
            doc: dict[str, Any] = json.loads(text)
            params = cls(
                version=int(doc["version"]),
                issuer_codes=tuple(str(c).upper() for c in doc["issuer_codes"]),
                card_types=tuple(CardTypeRules(**t) for t in doc["card_types"]),
                brakes=OfflineBrakes(**doc.get("brakes", {})),
                scenic=ScenicCatalogue.from_dict(doc.get("scenic", {})),
                cities=None
                if doc.get("cities") is None
                else CityTable.from_json(json.dumps(doc["cities"])),
                **{
                    k: int(doc[k])
                    for k in (
                        "replacement_fee_fen",
                        "replacement_waiting_days",
                        "exchange_fee_fen",
                        "refund_approval_threshold_fen",
                        "cash_difference_tolerance_fen",
                        "void_window_s",
                    )
                    if k in doc
                },
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ParametersError(
                "the parameter document is malformed: {reason}", reason=str(exc)
            ) from exc
        params.validate()
        return params

    @classmethod
    def default(cls) -> Parameters:
        """First-run parameters (the demo issuer's): used until the center sends its own."""
        return cls(
            version=0,
            issuer_codes=("3100",),
            card_types=(
                CardTypeRules(0x01, "普通卡", 1_000, 100_000, 1_000, 100_000, deposit_fen=2_000),
                CardTypeRules(0x02, "学生卡", 1_000, 50_000, 1_000, 50_000, deposit_fen=2_000),
                CardTypeRules(0x03, "老年卡", 1_000, 50_000, 1_000, 50_000, deposit_fen=0),
            ),
        )
