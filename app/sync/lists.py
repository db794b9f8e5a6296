"""Where downloaded lists go: small interfaces, and their implementations on the counter store.

The sync loop hands blacklist deltas to a :class:`BlacklistSink` and parameter sets to a
:class:`ParametersSink`. :class:`StoreBlacklist` and :class:`StoreParameters` keep them in
``counter.sqlite3`` (``app/store``).

Blacklist rule: the center's additions and removals touch only entries whose source is
``center``. A card reported lost *at this counter* (source ``local``) stays listed whatever the
center's list says until the service that made it takes it off — its report may not have
reached the center yet, so an older center list cannot lift it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from app.domain.cities import CityTable, CityTableError
from app.domain.parameters import CardTypeRules, OfflineBrakes, Parameters, ParametersError
from app.domain.scenic import ScenicCatalogue
from app.journal.records import to_micros
from app.store import blacklist as store_blacklist
from app.store import parameters as store_parameters
from app.store.database import Store
from app.sync.models import BlacklistDelta, CenterParameters
from app.sync.status import utc_now

CENTER_SOURCE = "center"
CENTER_REASON = "reported_lost"


class BlacklistSink(Protocol):
    """Keeps the center's blacklist on the counter."""

    def blacklist_version(self) -> int:
        """The version held (0: none yet; the next download is the whole list)."""
        ...

    def apply_blacklist(self, delta: BlacklistDelta) -> None:
        """Apply a delta (or replace the center's entries when ``delta.full``)."""
        ...


class ParametersSink(Protocol):
    """Keeps the parameters in force on the counter."""

    def parameters_version(self) -> int:
        """The version in force."""
        ...

    def apply_parameters(self, parameters: CenterParameters) -> None:
        """Keep a newer parameter set (raises ValueError if it cannot be used)."""
        ...


def counter_parameters(center: CenterParameters, base: Parameters) -> Parameters:
    """The counter's :class:`Parameters` from the center's set.

    What the center does not publish (issuer codes, deposits, approval thresholds, tolerances)
    is kept from ``base``, the parameters in force. The center's balance ceiling applies to
    every card type and its refund fee to each. The scenic catalogue is the center's when it
    publishes one (else ``base``'s), and so is the table of interoperating cities. Raises
    ``ParametersError`` for an unusable set.
    """
    old = {t.code: t for t in base.card_types}
    card_types = tuple(
        CardTypeRules(
            code=t.code,
            name=t.name,
            min_load_fen=t.min_top_up_fen,
            max_load_fen=t.max_top_up_fen,
            multiple_of_fen=t.top_up_multiple_fen,
            balance_ceiling_fen=center.balance_ceiling_fen,
            deposit_fen=old[t.code].deposit_fen if t.code in old else 0,
            refund_fee_fen=center.refund_fee_fen,
        )
        for t in center.card_types
    )
    parameters = replace(
        base,
        version=center.version,
        card_types=card_types,
        brakes=OfflineBrakes(
            per_load_cap_fen=center.offline.max_top_up_fen,
            shift_offline_total_cap_fen=center.offline.max_shift_total_fen,
            offline_count_cap=center.offline.max_count,
            max_unsynced_age_s=center.offline.max_unsynced_age_seconds,
            without_mirror_percent=center.offline.without_mirror_percent,
            max_clock_skew_s=center.offline.max_clock_skew_seconds,
        ),
        replacement_fee_fen=center.replacement_fee_fen,
        exchange_fee_fen=center.exchange_fee_fen,
        replacement_waiting_days=center.replacement_waiting_days,
        scenic=base.scenic if center.scenic is None else scenic_catalogue(center.scenic),
        cities=base.cities if center.cities is None else city_table(center.cities),
    )
    parameters.validate()
    return parameters


def city_table(published: Mapping[str, Any]) -> CityTable:
    """The table of interoperating cities the center delivered (or ParametersError)."""
    try:
        return CityTable.from_json(json.dumps(published))
    except CityTableError as exc:
        raise ParametersError(
            "the center's table of interoperating cities is unusable: {reason}", reason=str(exc)
        ) from exc


def scenic_catalogue(published: Mapping[str, Any]) -> ScenicCatalogue:
    """The ticket offices' catalogue from the center's ``scenic`` object (or ParametersError)."""
    try:
        return ScenicCatalogue.from_dict(published)
    except (ValueError, KeyError, TypeError) as exc:
        raise ParametersError(
            "the scenic catalogue in the parameters cannot be used: {problem}", problem=str(exc)
        ) from exc


class StoreBlacklist:
    """The center's blacklist in the counter store.

    The store keeps no list version, so the first download after start-up is the whole list
    (which also repairs any drift); later ones are deltas.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._version = 0

    def blacklist_version(self) -> int:
        """The version applied since start-up (0 before the first download)."""
        return self._version

    def apply_blacklist(self, delta: BlacklistDelta) -> None:
        """Apply the center's changes in one transaction (local entries untouched)."""
        store_blacklist.apply_center_changes(
            self._store,
            delta.added,
            delta.removed,
            delta.full,
            to_micros(utc_now()),
            CENTER_REASON,
        )
        self._version = delta.version


class StoreParameters:
    """The parameters in the counter store (only newer versions are kept)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def parameters_version(self) -> int:
        """The version in force (0: the built-in defaults)."""
        return store_parameters.current(self._store).version

    def apply_parameters(self, parameters: CenterParameters) -> None:
        """Convert and keep the center's set if it is newer."""
        converted = counter_parameters(parameters, store_parameters.current(self._store))
        store_parameters.save(self._store, converted, to_micros(utc_now()))
