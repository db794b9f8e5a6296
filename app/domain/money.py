"""Money as integer fen (分). Never floats below the UI."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PURSE_FEN = 0xFFFFFFFF  # amounts on the card are 4-byte unsigned


@dataclass(frozen=True, order=True)
class Fen:
    """An amount of money in fen. Arithmetic stays in integers."""

    value: int

    def __post_init__(self) -> None:
        if not isinstance(self.value, int) or isinstance(self.value, bool):
            raise TypeError(f"money is an int of fen, not {type(self.value).__name__}")

    def __add__(self, other: Fen) -> Fen:
        return Fen(self.value + other.value)

    def __sub__(self, other: Fen) -> Fen:
        return Fen(self.value - other.value)

    def yuan_text(self) -> str:
        """Format as ``¥12.34`` (``-¥0.50`` for negatives) for people to read."""
        sign = "-" if self.value < 0 else ""
        whole, cents = divmod(abs(self.value), 100)
        return f"{sign}¥{whole:,}.{cents:02d}"

    @classmethod
    def parse_yuan(cls, text: str) -> Fen:
        """Parse ``12``, ``12.3`` or ``12.34`` (optionally with ``¥``) into fen without floats."""
        cleaned = text.strip().removeprefix("¥").replace(",", "")
        if not cleaned:
            raise ValueError("no amount given")
        whole, _, frac = cleaned.partition(".")
        if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
            raise ValueError(f"“{text}” is not an amount in yuan with at most two decimals")
        return cls(int(whole) * 100 + int((frac + "00")[:2]))
