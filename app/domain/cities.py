"""City codes on cards: CU cards use postal-code prefixes, TU cards GB/T 13497 codes."""

from __future__ import annotations

from app.domain.card import CardFamily

_CU_CITIES = {"1000": "北京", "2000": "上海", "3100": "杭州", "4100": "长沙"}
_TU_CITIES = {"2900": "上海", "1000": "北京"}


def city_name(family: CardFamily, code: str) -> str:
    """The city's name for a card's city code, or the code itself when unknown."""
    table = _CU_CITIES if family is CardFamily.CITY_UNION else _TU_CITIES
    return table.get(code.upper(), code)
