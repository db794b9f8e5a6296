"""The interoperating cities (互联互通): which city a card comes from, by name.

A card names its home city in file 0x15, in two numbering schemes:

- **City Union (CU, 住建部)**: issuer code (bytes 0–1) and city code (bytes 2–3), the city code
  being the city's postal-code prefix (card-protocol.md: 1000 Beijing, 2000 Shanghai, 3100
  Hangzhou, 4100 Changsha); bytes 10–11 repeat the city code when the card is interoperable.
- **T-Union (TU, 交通部)**: an 8-byte issuer id whose bytes 2–3 are the city's GB/T 13497 code
  (Shanghai 2900, Wuxi 3020, Hangzhou 3310), as public T-Union readers decode it.

The table is versioned data (:class:`CityTable`, JSON codec) so a newer one can be delivered
with the parameters; :data:`INTEROP_CITIES` is the one shipped with this release.

Sources and placeholders (docs/interop.md):
- GB/T 13497 city codes: the public list shipped with the open-source T-Union reader
  "T-Union Master" (``resources/city_code.txt``, "GB/T 13497-1992").
- CU city codes: the cities' postal-code prefixes, as card-protocol.md states the scheme.
- CU issuer codes and full 8-byte T-Union issuer ids are assigned by the two ministries'
  registries and are not published in any source found. The reference uses the city code as
  the CU issuer code (as the demo cards and the default parameters do) and ``0000 ‖ city ‖
  00000000`` as the T-Union issuer id; both are **placeholders** (``placeholder_ids``), to be
  replaced by the registries' values in a delivered table. Matching falls back to the city part,
  so a real card is still named correctly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.card import CardFamily, PublicData
from app.domain.texts import ClerkFacingError


class CityTableError(ClerkFacingError, ValueError):
    """A delivered city table that cannot be used (malformed or duplicate codes)."""

    advice = "Keep the city table in force and ask the center for a corrected one."


@dataclass(frozen=True)
class City:
    """One interoperating city and the ids its cards carry."""

    key: str  # a stable id, the city's pinyin: "hangzhou"
    name: str  # the Chinese name the panel, receipts and reports show: "杭州"
    cu_city_code: str | None  # postal-code prefix on CU cards ("3100"), None if not CU-interop
    tu_city_code: str | None  # GB/T 13497 code on T-Union cards ("3310")
    cu_issuer_codes: tuple[str, ...] = ()  # 2-byte CU issuer codes, upper-case hex
    tu_issuer_ids: tuple[str, ...] = ()  # 8-byte T-Union issuer ids, upper-case hex
    placeholder_ids: bool = True  # the issuer codes/ids above are ours, not the registries'


@dataclass(frozen=True)
class CityTable:
    """A version of the table of interoperating cities, with lookups by every code."""

    version: int
    cities: tuple[City, ...]
    _by_key: dict[str, City] = field(init=False, repr=False, compare=False)
    _cu_city: dict[str, City] = field(init=False, repr=False, compare=False)
    _cu_issuer: dict[str, City] = field(init=False, repr=False, compare=False)
    _tu_city: dict[str, City] = field(init=False, repr=False, compare=False)
    _tu_issuer: dict[str, City] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        indexes: dict[str, dict[str, City]] = {
            "key": {},
            "cu_city": {},
            "cu_issuer": {},
            "tu_city": {},
            "tu_issuer": {},
        }

        def put(index: str, code: str | None, city: City) -> None:
            if code is None:
                return
            table = indexes[index]
            if code in table:
                raise CityTableError(
                    "The city table gives code {code} ({index}) to both {first} and {second}.",
                    code=code,
                    index=index,
                    first=table[code].key,
                    second=city.key,
                )
            table[code] = city

        for city in self.cities:
            put("key", city.key, city)
            put("cu_city", city.cu_city_code, city)
            put("tu_city", city.tu_city_code, city)
            for code in city.cu_issuer_codes:
                put("cu_issuer", code, city)
            for code in city.tu_issuer_ids:
                put("tu_issuer", code, city)
        object.__setattr__(self, "_by_key", indexes["key"])
        object.__setattr__(self, "_cu_city", indexes["cu_city"])
        object.__setattr__(self, "_cu_issuer", indexes["cu_issuer"])
        object.__setattr__(self, "_tu_city", indexes["tu_city"])
        object.__setattr__(self, "_tu_issuer", indexes["tu_issuer"])

    def by_key(self, key: str) -> City | None:
        """The city with this stable id ("wuxi"), if listed."""
        return self._by_key.get(key)

    def by_code(self, family: CardFamily, city_code: str) -> City | None:
        """The city a card family's city code names (postal prefix on CU, GB/T 13497 on TU)."""
        table = self._cu_city if family is CardFamily.CITY_UNION else self._tu_city
        return table.get(city_code.upper())

    def home_city(self, family: CardFamily, public: PublicData) -> City | None:
        """The card's home city: its issuer code or id first, then the city code it carries."""
        return self.city_of(family, public.issuer_code.hex(), public.city_code)

    def city_of(self, family: CardFamily, issuer_code: str, city_code: str) -> City | None:
        """The home city of a card with this issuer code (hex) and city code."""
        exact = self._cu_issuer if family is CardFamily.CITY_UNION else self._tu_issuer
        return exact.get(issuer_code.upper()) or self.by_code(family, city_code)

    def to_json(self) -> str:
        """The table as the JSON document a parameter set can carry."""
        return json.dumps(
            {
                "version": self.version,
                "cities": [
                    {
                        "key": c.key,
                        "name": c.name,
                        "cu_city_code": c.cu_city_code,
                        "tu_city_code": c.tu_city_code,
                        "cu_issuer_codes": list(c.cu_issuer_codes),
                        "tu_issuer_ids": list(c.tu_issuer_ids),
                        "placeholder_ids": c.placeholder_ids,
                    }
                    for c in self.cities
                ],
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> CityTable:
        """Parse a delivered table; anything malformed is a :class:`CityTableError`."""
        try:
            doc = json.loads(text)
            version = doc["version"]
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise CityTableError("A city table's version is a positive whole number.")
            cities = tuple(_city_from_doc(c) for c in doc["cities"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, CityTableError):
                raise
            raise CityTableError("This is not a city table ({problem}).", problem=exc) from exc
        return cls(version, cities)


def _code(value: object, digits: int, what: str) -> str:
    if not isinstance(value, str) or len(value) != digits:
        raise CityTableError(
            "{what} must be {digits} hex digits, not {value}.",
            what=what,
            digits=digits,
            value=repr(value),
        )
    try:
        bytes.fromhex(value)
    except ValueError:
        raise CityTableError(
            "{what} must be {digits} hex digits, not {value}.",
            what=what,
            digits=digits,
            value=repr(value),
        ) from None
    return value.upper()


def _city_from_doc(doc: dict[str, object]) -> City:
    key, name = doc["key"], doc["name"]
    if not isinstance(key, str) or not key or not isinstance(name, str) or not name:
        raise CityTableError("Every city in the table needs a key and a name.")
    cu, tu = doc.get("cu_city_code"), doc.get("tu_city_code")
    issuers = doc.get("cu_issuer_codes", [])
    ids = doc.get("tu_issuer_ids", [])
    if not isinstance(issuers, list) or not isinstance(ids, list):
        raise CityTableError("City {key}: issuer codes and ids must be lists.", key=key)
    return City(
        key=key,
        name=name,
        cu_city_code=None if cu is None else _code(cu, 4, f"{key}.cu_city_code"),
        tu_city_code=None if tu is None else _code(tu, 4, f"{key}.tu_city_code"),
        cu_issuer_codes=tuple(_code(c, 4, f"{key}.cu_issuer_codes") for c in issuers),
        tu_issuer_ids=tuple(_code(c, 16, f"{key}.tu_issuer_ids") for c in ids),
        placeholder_ids=bool(doc.get("placeholder_ids", True)),
    )


def _cities(rows: Iterable[tuple[str, str, str, str]]) -> tuple[City, ...]:
    return tuple(
        City(
            key=key,
            name=name,
            cu_city_code=cu,
            tu_city_code=tu,
            cu_issuer_codes=(cu,),
            tu_issuer_ids=(f"0000{tu}00000000",),
        )
        for key, name, cu, tu in rows
    )


# key, name, CU city code (postal prefix), T-Union city code (GB/T 13497)
INTEROP_CITIES = CityTable(
    version=1,
    cities=_cities(
        (
            ("beijing", "北京", "1000", "1000"),
            ("tianjin", "天津", "3000", "1121"),
            ("shijiazhuang", "石家庄", "0500", "1210"),
            ("taiyuan", "太原", "0300", "1610"),
            ("hohhot", "呼和浩特", "0100", "1910"),
            ("shenyang", "沈阳", "1100", "2210"),
            ("dalian", "大连", "1160", "2220"),
            ("changchun", "长春", "1300", "2410"),
            ("harbin", "哈尔滨", "1500", "2610"),
            ("shanghai", "上海", "2000", "2900"),
            ("nanjing", "南京", "2100", "3010"),
            ("wuxi", "无锡", "2140", "3020"),
            ("xuzhou", "徐州", "2210", "3030"),
            ("changzhou", "常州", "2130", "3040"),
            ("suzhou", "苏州", "2150", "3050"),
            ("hangzhou", "杭州", "3100", "3310"),
            ("ningbo", "宁波", "3150", "3320"),
            ("wenzhou", "温州", "3250", "3330"),
            ("hefei", "合肥", "2300", "3610"),
            ("fuzhou", "福州", "3500", "3910"),
            ("xiamen", "厦门", "3610", "3930"),
            ("nanchang", "南昌", "3300", "4210"),
            ("jinan", "济南", "2500", "4510"),
            ("qingdao", "青岛", "2660", "4520"),
            ("zhengzhou", "郑州", "4500", "4910"),
            ("wuhan", "武汉", "4300", "5210"),
            ("changsha", "长沙", "4100", "5510"),
            ("guangzhou", "广州", "5100", "5810"),
            ("shenzhen", "深圳", "5180", "5840"),
            ("nanning", "南宁", "5300", "6110"),
            ("haikou", "海口", "5700", "6410"),
            ("chengdu", "成都", "6100", "6510"),
            ("chongqing", "重庆", "4000", "6900"),
            ("guiyang", "贵阳", "5500", "7010"),
            ("kunming", "昆明", "6500", "7310"),
            ("lhasa", "拉萨", "8500", "7710"),
            ("xian", "西安", "7100", "7910"),
            ("lanzhou", "兰州", "7300", "8210"),
            ("xining", "西宁", "8100", "8510"),
            ("yinchuan", "银川", "7500", "8710"),
            ("urumqi", "乌鲁木齐", "8300", "8810"),
        )
    ),
)


def is_interoperable(family: CardFamily, public: PublicData) -> bool:
    """T-Union cards always are; a CU card when bytes 10–11 of 0x15 repeat its city code."""
    if family is CardFamily.T_UNION:
        return True
    return public.interop_flag.hex().upper() == public.city_code.upper() != "0000"


def city_name(family: CardFamily, code: str, table: CityTable = INTEROP_CITIES) -> str:
    """The city's Chinese name for a card's city code, or the code itself when unknown."""
    city = table.by_code(family, code)
    return city.name if city is not None else code


def home_city_name(
    family: CardFamily, public: PublicData, table: CityTable = INTEROP_CITIES
) -> str:
    """The Chinese name of the card's home city, or its city code when the table lacks it."""
    city = table.home_city(family, public)
    return city.name if city is not None else public.city_code
