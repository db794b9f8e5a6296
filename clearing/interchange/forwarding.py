"""A city center's side of the interchange: one sync round with the national platform.

1. **Blacklist out**: the changes of this center's own blacklist (loss reports and their
   cancellations) not yet pushed — never the ones it took from the platform.
2. **Blacklist in**: the national changes after the version it holds, other cities' only,
   each applied to its own blacklist once (so its counters get them as ordinary deltas).
3. **Records out**: completed purse payments of other cities' cards that its counters
   uploaded (the purchase intent's reference names the card's issuer and city, see
   ``app/services/scenic/purse.py``) are collected once into ``interchange_outbound`` and
   forwarded until the platform acknowledges them; the platform keys them, so a repeat is a
   duplicate there.
4. **Records in**: the platform's records of this city's cards spent elsewhere, after the
   last one taken in; each becomes a card ledger entry once (``interchange_inbound`` and the
   ledger's own ``(device, seq)`` key), the cursor moving in the same transaction.

Every step is safe to repeat after any failure: a round interrupted anywhere (network, either
process killed) is finished by the next one.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from app.card.sam import PurchaseAuthorization, SamKeyError
from app.card.session import PurseKeyRef
from app.crypto.purse import PurseAlgorithm
from app.crypto.sm3 import sm3_digest
from app.domain.card import CardFamily
from app.domain.cities import INTEROP_CITIES, CityTable
from clearing import blacklist
from clearing.center import Center
from clearing.interchange.client import PlatformClient, PlatformRefusedError
from clearing.interchange.models import (
    BlacklistImportRow,
    InboundRow,
    InterchangeStateRow,
    OutboundRow,
)
from clearing.interchange.schemas import MAX_CHANGES, MAX_RECORDS, ForwardedRecord, RoutedRecord
from clearing.models import BlacklistChangeRow, CardLedgerRow, RecordRow

log = logging.getLogger(__name__)


@runtime_checkable
class PurchaseTacKeys(Protocol):
    """Issuer keys that recompute a purchase TAC (every :class:`IssuerKeys` does)."""

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """The TAC the card answered to the purchase ``auth`` describes."""
        ...


def purchase_tac_keys(keys: object) -> PurchaseTacKeys | None:
    """``keys`` when they can check purchase TACs, else None.

    Every :class:`~clearing.keys.interface.IssuerKeys` can (in process, the key service, and the
    token through the key service); None only for a center without issuer keys, or keys of
    another kind without the operation — records are then taken in unchecked, and the log says
    so once per round.
    """
    return keys if isinstance(keys, PurchaseTacKeys) else None


BATCH = 500
CARD_KEY = "card"  # the purchase reference's entry naming another city's card


class MisroutedError(ValueError):
    """The platform sent a record that is not of this city's cards, or came from this city."""


@dataclass
class RoundReport:
    """What one sync round did."""

    blacklist_pushed: int = 0
    blacklist_pulled: int = 0
    collected: int = 0
    forwarded: int = 0
    refused: list[str] = field(default_factory=list)
    taken_in: int = 0


def _state(session: Session) -> InterchangeStateRow:
    return session.scalars(
        select(InterchangeStateRow).where(InterchangeStateRow.id == 1).with_for_update()
    ).one()


def ledger_device(acquirer_city: str, device_id: str) -> str:
    """The ledger's device column for a record taken in from another city ("wuxi/DEV-1")."""
    name = f"{acquirer_city}/{device_id}"
    if len(name) <= 32:
        return name
    return "x/" + sm3_digest(name.encode()).hex()[:30]


# -- records out ---------------------------------------------------------------------------------


def collect(session: Session, city: str, now_us: int, cities: CityTable = INTEROP_CITIES) -> int:
    """Note every new completed purchase of another city's card; the number noted."""
    intent = aliased(RecordRow)
    outcome = aliased(RecordRow)
    rows = session.execute(
        select(CardLedgerRow, intent, outcome)
        .join(
            intent,
            and_(
                intent.device_id == CardLedgerRow.device_id,
                intent.seq == CardLedgerRow.intent_seq,
            ),
        )
        .join(
            outcome,
            and_(outcome.device_id == CardLedgerRow.device_id, outcome.seq == CardLedgerRow.seq),
        )
        .outerjoin(
            OutboundRow,
            and_(
                OutboundRow.device_id == CardLedgerRow.device_id,
                OutboundRow.seq == CardLedgerRow.seq,
            ),
        )
        .where(
            CardLedgerRow.kind == "purchase",
            OutboundRow.seq.is_(None),
            intent.payload.like(f'%"{CARD_KEY}"%'),
        )
        .order_by(CardLedgerRow.device_id, CardLedgerRow.seq)
    ).all()
    noted = 0
    for ledger, intent_row, outcome_row in rows:
        payload = json.loads(intent_row.payload)
        reference = payload.get("reference")
        card = reference.get(CARD_KEY) if isinstance(reference, dict) else None
        if not isinstance(card, dict):
            continue
        family = CardFamily.T_UNION if card.get("family") == "TU" else CardFamily.CITY_UNION
        issuer_code = str(card.get("issuer", "")).upper()
        home = cities.city_of(family, issuer_code, str(card.get("city", "")))
        issuer_city = None if home is None or home.key == city else home.key
        document = ""
        if issuer_city is not None:
            document = ForwardedRecord(
                device_id=ledger.device_id,
                seq=ledger.seq,
                intent_seq=ledger.intent_seq,
                kind="purchase",
                card_serial=ledger.card_serial,
                card_family="TU" if family is CardFamily.T_UNION else "CU",
                card_issuer=issuer_code,
                issuer_city=issuer_city,
                amount_fen=ledger.amount_fen,
                balance_after_fen=ledger.balance_after_fen,
                at_us=ledger.at_us,
                terminal_id=str(payload.get("terminal_id", "")).upper(),
                atc=intent_row.atc,
                terminal_seq=intent_row.terminal_seq,
                tac=None if outcome_row.tac is None else outcome_row.tac.hex().upper(),
                record_mac=outcome_row.mac.hex().upper(),
                algorithm=_small(payload.get("algorithm")),
                key_version=_small(payload.get("key_version")),
                transaction_type=_small(payload.get("transaction_type")),
                card_time=_card_time(payload.get("card_time")),
            ).model_dump_json()
        session.add(
            OutboundRow(
                device_id=ledger.device_id,
                seq=ledger.seq,
                issuer_city=issuer_city,
                document=document,
                amount_fen=ledger.amount_fen,
                at_us=ledger.at_us,
                created_at_us=now_us,
                refused=None if home is not None else "the card's home city is not in the table",
            )
        )
        noted += 1
    session.flush()
    return noted


def _small(value: object) -> int | None:
    return (
        value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 256
        else None
    )


def _card_time(value: object) -> str | None:
    text = str(value) if value is not None else ""
    return text if len(text) == 14 and text.isdigit() else None


def _pending(session: Session) -> list[OutboundRow]:
    return list(
        session.scalars(
            select(OutboundRow)
            .where(
                OutboundRow.issuer_city.is_not(None),
                OutboundRow.forwarded_at_us.is_(None),
                OutboundRow.refused.is_(None),
            )
            .order_by(OutboundRow.device_id, OutboundRow.seq)
            .limit(BATCH)
        )
    )


def forward(center: Center, client: PlatformClient, report: RoundReport) -> None:
    """Send what waits until the platform has acknowledged all of it."""
    while True:
        with center.sessions.begin() as session:
            batch = [(r.device_id, r.seq, r.document) for r in _pending(session)]
        if not batch:
            return
        try:
            _send(client, [doc for _d, _s, doc in batch])
            done = batch
        except PlatformRefusedError as exc:
            if len(batch) == 1 or exc.status not in (409, 422):
                if exc.status not in (409, 422):
                    raise
                _mark_refused(center, batch[0][:2], exc.detail, report)
                continue
            done = []
            for item in batch:  # find the record the platform will not take
                try:
                    _send(client, [item[2]])
                    done.append(item)
                except PlatformRefusedError as one:
                    if one.status not in (409, 422):
                        raise
                    _mark_refused(center, item[:2], one.detail, report)
        now = center.now_us()
        with center.sessions.begin() as session:
            for device_id, seq, _doc in done:
                row = session.get(OutboundRow, (device_id, seq))
                if row is not None and row.forwarded_at_us is None:
                    row.forwarded_at_us = now
        report.forwarded += len(done)


def _send(client: PlatformClient, documents: list[str]) -> None:
    client.call(
        "POST", "/v1/interchange/records", body={"records": [json.loads(d) for d in documents]}
    )


def _mark_refused(center: Center, key: tuple[str, int], reason: str, report: RoundReport) -> None:
    log.error("interchange: the platform refused record %s/%s: %s", key[0], key[1], reason)
    with center.sessions.begin() as session:
        row = session.get(OutboundRow, key)
        if row is not None:
            row.refused = reason[:500]
    report.refused.append(f"{key[0]}/{key[1]}: {reason}")


# -- records in ----------------------------------------------------------------------------------


def tac_problem(sam: PurchaseTacKeys, record: ForwardedRecord) -> str | None:
    """Why the purchase TAC of this city's card does not verify with its keys (None: it does).

    The issuer's center holds the card's TAC key (card-protocol.md: ``MAC(DTK, amount ‖ type ‖
    terminal ‖ terminal seq ‖ date ‖ time)``), so only a genuine card can have answered it.
    """
    if record.tac is None:
        return "a completed purchase without the card's TAC"
    if None in (record.algorithm, record.key_version, record.transaction_type, record.card_time):
        return "the record does not give what the TAC covers (keys, type, time)"
    if record.terminal_seq is None:
        return "the record does not give the terminal's transaction seq"
    try:
        auth = PurchaseAuthorization(
            serial=bytes.fromhex(record.card_serial),
            keys=PurseKeyRef(
                PurseAlgorithm(int(record.algorithm or 0)), int(record.key_version or 0)
            ),
            random=b"",
            offline_atc=record.atc or 0,
            amount_fen=record.amount_fen,
            transaction_type=int(record.transaction_type or 0),
            terminal_id=bytes.fromhex(record.terminal_id),
            terminal_seq=record.terminal_seq,
            when=datetime.strptime(str(record.card_time), "%Y%m%d%H%M%S"),
        )
        expected = sam.purchase_tac(auth)
    except SamKeyError as exc:
        return f"the TAC cannot be checked: {exc}"
    except (ValueError, OverflowError) as exc:
        return f"the TAC cannot be checked: {exc}"
    if not hmac.compare_digest(expected, bytes.fromhex(record.tac)):
        return "the TAC does not verify with the issuer's keys: no genuine card answered it"
    return None


def take_in(
    session: Session,
    city: str,
    routed: RoutedRecord,
    now_us: int,
    sam: PurchaseTacKeys | None = None,
) -> bool:
    """Enter one routed record into the card ledger, once; whether it was new.

    With the issuer's keys (``sam``) the purchase TAC is checked first: a record whose TAC does
    not verify is kept (once, with the reason: ``interchange_inbound.held``) but stays out of
    the card ledger.
    """
    record = routed.record
    if record.issuer_city != city or routed.acquirer_city == city:
        raise MisroutedError(
            f"the platform routed record {routed.id} of {record.issuer_city} "
            f"(from {routed.acquirer_city}) to {city}"
        )
    key = (routed.acquirer_city, record.device_id, record.seq)
    if session.get(InboundRow, key) is not None:
        return False
    held = None if sam is None else tac_problem(sam, record)
    session.add(
        InboundRow(
            acquirer_city=routed.acquirer_city,
            device_id=record.device_id,
            seq=record.seq,
            platform_id=routed.id,
            card_serial=record.card_serial,
            amount_fen=record.amount_fen,
            at_us=record.at_us,
            received_at_us=now_us,
            held=held,
        )
    )
    if held is not None:
        log.error(
            "interchange: record %s/%s/%s held: %s",
            routed.acquirer_city,
            record.device_id,
            record.seq,
            held,
        )
        return False
    session.add(
        CardLedgerRow(
            card_serial=record.card_serial,
            device_id=ledger_device(routed.acquirer_city, record.device_id),
            seq=record.seq,
            intent_seq=record.intent_seq,
            kind="purchase",
            amount_fen=record.amount_fen,
            payment_method="card_purse",
            balance_after_fen=record.balance_after_fen,
            at_us=record.at_us,
        )
    )
    return True


def pull_inbound(center: Center, client: PlatformClient, city: str, report: RoundReport) -> None:
    """Take in every record of this city's cards the platform routed here."""
    tac_keys = purchase_tac_keys(center.sam)
    if center.sam is not None and tac_keys is None:
        log.warning("interchange: these issuer keys cannot check purchase TACs; taken in unchecked")
    while True:
        with center.sessions.begin() as session:
            after = _state(session).inbound_after
        answer = client.call(
            "GET", "/v1/interchange/inbound", query={"after": after, "limit": MAX_RECORDS}
        )
        routed = [RoutedRecord.model_validate(r) for r in answer["records"]]
        with center.sessions.begin() as session:
            state = _state(session)
            if state.inbound_after != after:  # another round moved on meanwhile
                continue
            now = center.now_us()
            for item in routed:
                if item.id <= after:
                    continue
                try:
                    report.taken_in += take_in(session, city, item, now, tac_keys)
                except MisroutedError as exc:  # never enters the ledger; kept in the log
                    log.error("interchange: %s", exc)
                    report.refused.append(str(exc))
                state.inbound_after = item.id
        if not answer.get("more"):
            return


# -- blacklist -----------------------------------------------------------------------------------


def push_blacklist(center: Center, client: PlatformClient, report: RoundReport) -> None:
    """Push this center's own blacklist changes the platform does not have yet."""
    while True:
        with center.sessions.begin() as session:
            pushed = _state(session).blacklist_pushed
            imported = select(BlacklistImportRow.center_version)
            rows = list(
                session.scalars(
                    select(BlacklistChangeRow)
                    .where(BlacklistChangeRow.version > pushed)
                    .where(BlacklistChangeRow.version.not_in(imported))
                    .order_by(BlacklistChangeRow.version)
                    .limit(MAX_CHANGES)
                )
            )
            newest = session.scalars(
                select(BlacklistChangeRow.version)
                .where(BlacklistChangeRow.version > pushed)
                .order_by(BlacklistChangeRow.version.desc())
                .limit(1)
            ).first()
        if rows:
            client.call(
                "POST",
                "/v1/interchange/blacklist",
                body={
                    "changes": [
                        {
                            "version": r.version,
                            "card_serial": r.card_serial,
                            "action": r.action,
                            "reason": r.reason[:200],
                        }
                        for r in rows
                    ]
                },
            )
            report.blacklist_pushed += len(rows)
        if newest is None:
            return
        upto = rows[-1].version if len(rows) == MAX_CHANGES else newest
        with center.sessions.begin() as session:
            state = _state(session)
            state.blacklist_pushed = max(state.blacklist_pushed, upto)
        if len(rows) < MAX_CHANGES:
            return


def pull_blacklist(center: Center, client: PlatformClient, city: str, report: RoundReport) -> None:
    """Apply other cities' national blacklist changes to this center's blacklist, once each."""
    while True:
        with center.sessions.begin() as session:
            since = _state(session).blacklist_pulled
        answer = client.call("GET", "/v1/interchange/blacklist", query={"since": since})
        with center.sessions.begin() as session:
            state = _state(session)
            if state.blacklist_pulled != since:
                continue
            now = center.now_us()
            for change in answer["changes"]:
                version = int(change["version"])
                state.blacklist_pulled = max(state.blacklist_pulled, version)
                if change["from_city"] == city:
                    continue
                held = session.scalars(
                    select(BlacklistImportRow).where(BlacklistImportRow.platform_version == version)
                ).first()
                if held is not None:
                    continue
                action = blacklist.ADD if change["action"] == "add" else blacklist.REMOVE
                reason = f"{change['from_city']}: {change['reason']}"
                local = blacklist.change(session, change["card_serial"], action, reason, now)
                session.add(
                    BlacklistImportRow(
                        center_version=local,
                        platform_version=version,
                        from_city=change["from_city"],
                    )
                )
                report.blacklist_pulled += 1
        if not answer.get("more"):
            return


def sync_round(
    center: Center, client: PlatformClient, city: str, cities: CityTable = INTEROP_CITIES
) -> RoundReport:
    """One full round with the platform (raises the client's errors; repeat it later)."""
    report = RoundReport()
    push_blacklist(center, client, report)
    pull_blacklist(center, client, city, report)
    with center.sessions.begin() as session:
        report.collected = collect(session, city, center.now_us(), cities)
    forward(center, client, report)
    pull_inbound(center, client, city, report)
    return report
