"""The interoperating-city table: every card named by its home city, in Chinese."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.card.files import parse_public_data
from app.domain.card import CardFamily, CardSnapshot
from app.domain.cities import (
    INTEROP_CITIES,
    CityTable,
    CityTableError,
    home_city_name,
    is_interoperable,
)
from app.services.card_reading import card_view


def cu_public(issuer: str, city: str, interop: str | None = None) -> bytes:
    interop = city if interop is None else interop
    return bytes.fromhex(
        issuer + city + "0001" + "0000" + "0101" + interop + "310400000000123420240101203412310100"
    )


def tu_public(issuer_id: str) -> bytes:
    return bytes.fromhex(issuer_id + "0201" + "29001234567890123456" + "20240101203412310100")


@pytest.mark.parametrize(
    ("raw", "family", "name"),
    [
        (cu_public("3100", "3100"), CardFamily.CITY_UNION, "杭州"),
        (cu_public("2140", "2140"), CardFamily.CITY_UNION, "无锡"),
        (cu_public("9999", "1000"), CardFamily.CITY_UNION, "北京"),  # unknown issuer: by city
        (tu_public("0000290000000000"), CardFamily.T_UNION, "上海"),
        (tu_public("0000302000000000"), CardFamily.T_UNION, "无锡"),
        (tu_public("0101331000000000"), CardFamily.T_UNION, "杭州"),  # real id unknown: by city
    ],
)
def test_every_card_is_named_by_its_home_city(raw: bytes, family: CardFamily, name: str) -> None:
    public = parse_public_data(raw, family)
    assert home_city_name(family, public) == name


def test_an_unknown_city_shows_its_code_not_a_wrong_name() -> None:
    public = parse_public_data(cu_public("7777", "7777"), CardFamily.CITY_UNION)
    assert INTEROP_CITIES.home_city(CardFamily.CITY_UNION, public) is None
    assert home_city_name(CardFamily.CITY_UNION, public) == "7777"


def test_the_two_numbering_schemes_never_mix() -> None:
    # 2210 is Xuzhou's postal prefix (CU) and Shenyang's GB/T 13497 code (TU).
    assert INTEROP_CITIES.by_code(CardFamily.CITY_UNION, "2210").name == "徐州"  # type: ignore[union-attr]
    assert INTEROP_CITIES.by_code(CardFamily.T_UNION, "2210").name == "沈阳"  # type: ignore[union-attr]


def test_interoperability_flag() -> None:
    cu = parse_public_data(cu_public("3100", "3100"), CardFamily.CITY_UNION)
    local_only = parse_public_data(cu_public("3100", "3100", "0000"), CardFamily.CITY_UNION)
    tu = parse_public_data(tu_public("0000290000000000"), CardFamily.T_UNION)
    assert is_interoperable(CardFamily.CITY_UNION, cu)
    assert not is_interoperable(CardFamily.CITY_UNION, local_only)
    assert is_interoperable(CardFamily.T_UNION, tu)


def test_the_card_panel_names_a_t_union_card_of_shanghai() -> None:
    public = parse_public_data(tu_public("0000290000000000"), CardFamily.T_UNION)
    snapshot = CardSnapshot(CardFamily.T_UNION, public, None, 1_000, False)
    view = card_view(snapshot, date(2026, 12, 8))
    assert (view.family, view.city) == ("TU", "上海")


def test_the_table_round_trips_and_keeps_its_version() -> None:
    text = INTEROP_CITIES.to_json()
    again = CityTable.from_json(text)
    assert again == INTEROP_CITIES
    assert again.version == 1
    assert len(again.cities) >= 40


def test_a_delivered_table_replaces_names() -> None:
    doc = json.loads(INTEROP_CITIES.to_json())
    doc["version"] = 2
    doc["cities"] = [
        {
            "key": "wuxi",
            "name": "无锡市",
            "cu_city_code": "2140",
            "tu_city_code": "3020",
            "cu_issuer_codes": ["2141"],
            "tu_issuer_ids": [],
            "placeholder_ids": False,
        }
    ]
    table = CityTable.from_json(json.dumps(doc))
    public = parse_public_data(cu_public("2141", "9999"), CardFamily.CITY_UNION)
    assert home_city_name(CardFamily.CITY_UNION, public, table) == "无锡市"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(version=0),
        lambda d: d.update(version=True),
        lambda d: d["cities"][0].update(cu_city_code="31"),
        lambda d: d["cities"][0].update(tu_issuer_ids=["XYZ"]),
        lambda d: d["cities"][1].update(cu_city_code=d["cities"][0]["cu_city_code"]),
        lambda d: d["cities"][0].pop("name"),
        lambda d: d.pop("cities"),
    ],
)
def test_a_malformed_table_is_refused(mutate) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(INTEROP_CITIES.to_json())
    mutate(doc)
    with pytest.raises(CityTableError):
        CityTable.from_json(json.dumps(doc))


@pytest.mark.parametrize(("name", "city"), [("cu-wuxi", "无锡"), ("tu-shanghai", "上海")])
def test_the_demo_cards_of_other_cities_show_their_home_city(des_issuer, name, city) -> None:
    from app.card.inprocess import InProcessTransport  # noqa: PLC0415
    from app.services.card_reading import CardReadingService  # noqa: PLC0415
    from cardsim.card import VirtualCityCard  # noqa: PLC0415
    from cardsim.demo import build_demo_profile  # noqa: PLC0415

    card = VirtualCityCard(build_demo_profile(name, des_issuer, date(2026, 12, 8)))
    view = CardReadingService(lambda: InProcessTransport(card), lambda: date(2026, 12, 8)).read()
    assert view.city == city


def _delivered_table() -> dict[str, object]:
    doc = json.loads(INTEROP_CITIES.to_json())
    doc["version"] = INTEROP_CITIES.version + 1
    doc["cities"].append(  # a city joins: its cards carry codes the built-in table lacks
        {
            "key": "newtown",
            "name": "新城",
            "cu_city_code": "9990",
            "tu_city_code": None,
            "cu_issuer_codes": ["9990"],
            "tu_issuer_ids": [],
            "placeholder_ids": False,
        }
    )
    return doc


def test_the_city_table_is_delivered_with_the_parameters_and_used_at_the_counter() -> None:
    """Center's set → counter's parameters (stored as JSON) → the policy names the new city."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from app.domain.parameters import Parameters  # noqa: PLC0415
    from app.services.eligibility import card_origin  # noqa: PLC0415
    from app.sync.lists import counter_parameters  # noqa: PLC0415
    from app.sync.models import CenterOfflineBrakes, CenterParameters  # noqa: PLC0415

    base = Parameters.default()
    center = CenterParameters(
        version=7,
        published_at=datetime.now(UTC),
        card_types=(),
        balance_ceiling_fen=100_000,
        replacement_fee_fen=0,
        exchange_fee_fen=0,
        refund_fee_fen=0,
        offline=CenterOfflineBrakes(50_000, 500_000, 200, 86_400),
        replacement_waiting_days=7,
        cities=_delivered_table(),
    )
    center = CenterParameters(**{**center.__dict__, "card_types": _card_types()})  # type: ignore[arg-type]
    params = Parameters.from_json(counter_parameters(center, base).to_json())  # as stored
    assert params.cities is not None and params.city_table().version == INTEROP_CITIES.version + 1
    public = parse_public_data(cu_public("9990", "9990"), CardFamily.CITY_UNION)
    snapshot = CardSnapshot(CardFamily.CITY_UNION, public, None, 0, False)
    assert card_origin(snapshot, params).city_name == "新城"
    assert card_origin(snapshot, base).city_name == "9990"  # the built-in table lacks it
    # a set without a table keeps the one in force
    again = counter_parameters(CenterParameters(**{**center.__dict__, "cities": None}), params)
    assert again.city_table() is params.city_table()


def _card_types():  # type: ignore[no-untyped-def]
    from app.sync.models import CenterCardType  # noqa: PLC0415

    return (CenterCardType(1, "普通卡", 1_000, 100_000, 1_000),)


def test_a_malformed_delivered_table_is_refused_and_the_old_one_kept() -> None:
    from datetime import UTC, datetime  # noqa: PLC0415

    from app.domain.parameters import Parameters, ParametersError  # noqa: PLC0415
    from app.sync.lists import counter_parameters  # noqa: PLC0415
    from app.sync.models import CenterOfflineBrakes, CenterParameters  # noqa: PLC0415

    bad = _delivered_table()
    bad["cities"][0]["cu_city_code"] = "31"  # type: ignore[index]
    center = CenterParameters(
        7, datetime.now(UTC), _card_types(), 100_000, 0, 0, 0,
        CenterOfflineBrakes(50_000, 500_000, 200, 86_400), 7, cities=bad,
    )  # fmt: skip
    with pytest.raises(ParametersError, match="interoperating cities"):
        counter_parameters(center, Parameters.default())
    with pytest.raises(ParametersError):
        Parameters.from_json(
            json.dumps({**json.loads(Parameters.default().to_json()), "cities": bad})
        )


def test_the_center_refuses_a_malformed_city_table() -> None:
    from pydantic import ValidationError  # noqa: PLC0415

    from clearing.parameters import DEFAULT_PARAMETERS  # noqa: PLC0415
    from clearing.schemas import ParametersIn  # noqa: PLC0415

    good = {**DEFAULT_PARAMETERS.model_dump(), "cities": _delivered_table()}
    assert ParametersIn.model_validate(good).cities is not None
    bad = _delivered_table()
    bad["version"] = 0
    with pytest.raises(ValidationError):
        ParametersIn.model_validate({**DEFAULT_PARAMETERS.model_dump(), "cities": bad})
