"""The scenic-area ticket office (全国景区一卡通): admissions, annual passes, entry checks.

- **Admission tickets**: a basket of ticket types at the catalogue's prices, paid from the card
  purse (a real purchase through :class:`~app.services.purchase.PurchaseService`, its intent
  referencing the basket) or in cash / by bank card / WeChat / Alipay. Either way one
  ``ticket_sale`` record says what was sold; a purse-paid one names its purchase outcome.
- **Annual passes**: sold to a registered card (the holder's ID number checked against the
  store's keyed hash), bound to the card serial, with validity dates from the product's rule and
  an optional photo copied into the data directory. ``pass_sale`` record first, then the store.
- **Entry checks**: a tap at a gate → valid / expired / not yet valid / blacklisted / not found;
  every tap journaled (``scenic_entry``), admissions counted per day and gate, a second admission
  on one pass within the catalogue's interval flagged (admitted, but shown as suspicious).
- **Replacement**: a pass bound to a card that was replaced or exchanged (a card link in the
  store) follows the link the first time the new card is looked up: ``pass_transfer`` record,
  then the store row moves. No change to the replacement service is needed.
- **Other ticket offices**: with a clearing center configured, a pass this counter does not hold
  is asked of the center (``GET /v1/passes/{card_serial}``, one quick attempt): a pass sold at
  another office admits without a photo, and a pass the center holds on a card this counter
  replaced is carried over here (its ``pass_transfer`` record describes it). The center
  unreachable, only this counter's passes are checked and the verdict says so. A pass is not
  sold twice when the center knows one (offline: this counter's word).

A purse payment interrupted during DEBIT is settled by :mod:`app.services.recovery` on the next
tap like any purchase; :meth:`ScenicService.finish_interrupted` then writes the sale the
purchase was for (exactly once: each sale names its purchase outcome). The same catch-up runs at
start-up in :meth:`ScenicService.reconcile`, with the store's passes and entries.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from app.card.errors import InsufficientBalanceError
from app.card.session import CityCard
from app.domain.money import Fen
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Role
from app.domain.scenic import (
    MAX_TICKETS_PER_LINE,
    AnnualPass,
    Basket,
    BasketLine,
    EntryVerdict,
    PassProduct,
    ScenicCatalogue,
)
from app.domain.texts import fill, marked
from app.files import atomic_write
from app.journal import Entry, Journal, JournalRecord, Outcome, RecordKind
from app.journal.records import from_micros
from app.services.errors import RefusedError, ServiceError
from app.services.operators import require
from app.services.progress import CancelToken, Progress, no_progress
from app.services.purchase import PurchaseReceipt, PurchaseService, reference_of
from app.store import blacklist, card_links, holders
from app.store import parameters as stored_parameters
from app.store import scenic as scenic_store
from app.store.database import Store
from app.sync.errors import SyncError
from app.sync.passes import CenterPass

log = logging.getLogger(__name__)

SCENIC_PAYMENTS = frozenset(
    {
        PaymentMethod.CARD_PURSE,
        PaymentMethod.CASH,
        PaymentMethod.BANK_CARD,
        PaymentMethod.WECHAT,
        PaymentMethod.ALIPAY,
    }
)
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp"})
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_DIRECTORY = Path("scenic") / "photos"
MAX_LINK_HOPS = 8  # a card replaced more often than this is not a real holder's history
REFERENCE_KEY = "scenic"  # the purchase reference: {"scenic": "tickets" | "pass", …}

_VERDICT_TEXTS: Mapping[EntryVerdict, str] = {
    EntryVerdict.VALID: marked("Pass valid until {until}: admit {holder}."),
    EntryVerdict.EXPIRED: marked("The pass of card {serial} expired on {until}."),
    EntryVerdict.NOT_YET_VALID: marked("The pass of card {serial} is valid from {since}."),
    EntryVerdict.BLACKLISTED: marked(
        "Card {serial} is blacklisted: do not admit; keep the card if you can."
    ),
    EntryVerdict.NOT_FOUND: marked("Card {serial} has no annual pass: sell a ticket."),
}


class LookupSource(StrEnum):
    """Where an entry check looked the pass up."""

    COUNTER = "counter"  # this counter's store (the center, if asked, knew no other pass)
    CENTER = "center"  # sold at another ticket office: the clearing center holds it
    OFFLINE = "counter_only"  # not here, and the clearing center could not be asked


_NOTES: Mapping[LookupSource, str] = {
    LookupSource.COUNTER: "",
    LookupSource.CENTER: marked(
        "The pass was sold at another ticket office (the clearing center knows it): "
        "there is no photo here, check the holder's ID."
    ),
    LookupSource.OFFLINE: marked(
        "The clearing center cannot be reached: only the passes sold at this counter were checked."
    ),
}
_FLAGGED = marked(
    "This pass was already used {minutes} minutes ago at gate {gate}: check the photo."
)


class PassDirectory(Protocol):
    """Where passes sold at other ticket offices are found: the clearing center's client."""

    def passes(self, card_serial: str) -> Sequence[CenterPass]:
        """The passes bound to the card at the center (raises SyncError when it cannot say)."""
        ...


class ScenicBalanceTooLowError(ServiceError):
    """The purse does not hold the price (checked before, or the card answered 9401)."""

    advice = (
        "Offer the visitor a top-up of at least {shortfall} first (on the counter page), "
        "or take the payment in cash or by QR code."
    )

    def __init__(self, serial: str, balance_fen: int, amount_fen: int) -> None:
        super().__init__(
            "Card {serial} holds {balance}; {amount} cannot be paid from it.",
            serial=serial,
            balance=Fen(balance_fen).yuan_text(),
            amount=Fen(amount_fen).yuan_text(),
            shortfall=Fen(max(amount_fen - balance_fen, 0)).yuan_text(),
        )
        self.shortfall_fen = max(amount_fen - balance_fen, 0)


@dataclass(frozen=True)
class TicketSale:
    """Admission tickets sold (what the receipt prints)."""

    record_seq: int
    basket: Basket
    payment_method: str | None  # None: only free tickets
    card_serial: str | None
    purchase: PurchaseReceipt | None = None
    recovered: bool = False

    @property
    def total_fen(self) -> int:
        """What was paid."""
        return self.basket.total_fen


@dataclass(frozen=True)
class PassSale:
    """An annual pass sold."""

    record_seq: int
    annual_pass: AnnualPass
    amount_fen: int
    payment_method: str
    purchase: PurchaseReceipt | None = None
    recovered: bool = False


@dataclass(frozen=True)
class EntryCheck:
    """What an entry check found, for the gate clerk."""

    record_seq: int
    verdict: EntryVerdict
    card_serial: str
    gate: str
    annual_pass: AnnualPass | None
    flagged: bool
    previous_at: datetime | None  # the pass's previous admission (when flagged)
    previous_gate: str | None
    admitted_today_at_gate: int
    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    flag_template: str = ""
    source: LookupSource = LookupSource.COUNTER  # where the pass was looked up
    note_template: str = ""  # the source, when it matters to the clerk

    @property
    def message(self) -> str:
        """The verdict in English (the window translates ``template``)."""
        text = fill(self.template, self.params)
        if self.flagged:
            text += " " + fill(self.flag_template, self.params)
        if self.note_template:
            text += " " + fill(self.note_template, self.params)
        return text


def _pass_description(
    annual_pass: AnnualPass, holder_masked: str, photo_sha256: str | None
) -> dict[str, object]:
    return {
        "pass_id": annual_pass.pass_id,
        "product": annual_pass.product_code,
        "name": annual_pass.product_name,
        "valid_from": annual_pass.valid_from.isoformat(),
        "valid_until": annual_pass.valid_until.isoformat(),
        "holder": holder_masked,
        "holder_tail": annual_pass.id_number_tail,
        "photo": None if annual_pass.photo_path is None else Path(annual_pass.photo_path).name,
        "photo_sha256": photo_sha256,
    }


def _from_center(center_pass: CenterPass, serial: str) -> AnnualPass:
    """A pass the clearing center holds, as the entry check shows it (no photo, masked name)."""
    return AnnualPass(
        pass_id=center_pass.pass_id,
        card_serial=serial,
        product_code=center_pass.product_code,
        product_name=center_pass.product_name,
        valid_from=center_pass.valid_from,
        valid_until=center_pass.valid_until,
        holder_name=center_pass.holder,
        id_number_tail="",
        photo_path=None,
        sale_seq=0,
    )


def _described(description: Mapping[str, object], record: JournalRecord) -> AnnualPass:
    """The pass a ``pass_transfer`` record describes, bound to the record's card."""
    return AnnualPass(
        pass_id=str(description["pass_id"]),
        card_serial=record.card_serial or "",
        product_code=str(description["product"]),
        product_name=str(description["name"]),
        valid_from=date.fromisoformat(str(description["valid_from"])),
        valid_until=date.fromisoformat(str(description["valid_until"])),
        holder_name=str(description.get("holder") or ""),
        id_number_tail=str(description.get("holder_tail") or ""),
        photo_path=None,
        sale_seq=0,
    )


class ScenicService:
    """The ticket office's sales and entry checks. Qt-free."""

    def __init__(
        self,
        journal: Journal,
        store: Store,
        purchases: PurchaseService,
        index_key: bytes,
        data_dir: Path,
        clock: Callable[[], datetime],
        timezone: tzinfo,
        center: PassDirectory | None = None,
    ) -> None:
        """``center``: the clearing center's client, asked for passes this counter did not sell."""
        self._journal = journal
        self._store = store
        self._purchases = purchases
        self._index_key = index_key
        self._photos = data_dir / PHOTO_DIRECTORY
        self._clock = clock
        self._tz = timezone
        self._center = center

    # -- the catalogue ---------------------------------------------------------------------------

    def catalogue(self) -> ScenicCatalogue:
        """The products and gates in force (from the parameters the center published)."""
        return stored_parameters.current(self._store).scenic

    def basket(self, counts: Mapping[str, int]) -> Basket:
        """A basket of ``{ticket type: count}`` at today's prices (zero counts left out)."""
        catalogue = self.catalogue()
        lines = []
        for code, count in counts.items():
            product = catalogue.ticket(code)
            if product is None:
                raise RefusedError("There is no ticket type {code!r}.", code=code)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise RefusedError("{count!r} is not a number of tickets.", count=count)
            if count > MAX_TICKETS_PER_LINE:
                raise RefusedError(
                    "{count} tickets of one type is more than {limit}.",
                    "Sell a group in several baskets, or check the number typed.",
                    count=count,
                    limit=MAX_TICKETS_PER_LINE,
                )
            if count:
                lines.append(BasketLine(product.code, count, product.price_fen))
        return Basket(tuple(lines))

    # -- admission tickets -----------------------------------------------------------------------

    def sell_tickets(
        self,
        actor: Actor,
        shift_id: int,
        basket: Basket,
        payment_method: str,
        card: CityCard | None = None,
        *,
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
    ) -> TicketSale:
        """Sell ``basket``: from the purse of ``card`` (``card_purse``) or paid at the counter."""
        require(actor, Role.CLERK, "sell admission tickets")
        if not basket.lines:
            raise RefusedError("The basket is empty.", "Choose the tickets first.")
        self._check_prices(basket)
        total = basket.total_fen
        if total == 0:  # only free tickets: nothing to pay
            record = self._journal.append(
                self._ticket_entry(actor.username, shift_id, basket, None, None, None)
            )
            return TicketSale(record.seq, basket, None, None)
        self._check_payment(payment_method)
        if payment_method != PaymentMethod.CARD_PURSE:
            record = self._journal.append(
                self._ticket_entry(
                    actor.username, shift_id, basket, str(payment_method), None, None
                )
            )
            return TicketSale(record.seq, basket, str(payment_method), None)
        if card is None:
            raise RefusedError("Put the visitor's card on the reader to pay from it.")
        reference: dict[str, object] = {REFERENCE_KEY: "tickets", "lines": basket.as_json()}
        receipt = self._pay_from_purse(actor, shift_id, card, total, reference, progress, cancel)
        record = self._journal.append(
            self._ticket_entry(
                actor.username,
                shift_id,
                basket,
                PaymentMethod.CARD_PURSE,
                receipt.card_serial,
                receipt.outcome_seq,
            )
        )
        return TicketSale(
            record.seq, basket, PaymentMethod.CARD_PURSE, receipt.card_serial, receipt
        )

    @staticmethod
    def _ticket_entry(
        operator: str | None,
        shift_id: int | None,
        basket: Basket,
        payment_method: str | None,
        card_serial: str | None,
        purchase_seq: int | None,
        **payload: object,
    ) -> Entry:
        return Entry(
            RecordKind.TICKET_SALE,
            operator=operator,
            shift_id=shift_id,
            card_serial=card_serial,
            amount_fen=basket.total_fen,
            payment_method=payment_method,
            payload={
                "lines": basket.as_json(),
                "tickets": basket.ticket_count,
                "purchase_seq": purchase_seq,
                **payload,
            },
        )

    def _check_prices(self, basket: Basket) -> None:
        catalogue = self.catalogue()
        for line in basket.lines:
            product = catalogue.ticket(line.code)
            if product is None or product.price_fen != line.unit_fen or line.count <= 0:
                raise RefusedError(
                    "The prices changed since the basket was made.",
                    "Make the basket again.",
                )

    @staticmethod
    def _check_payment(payment_method: str) -> None:
        if payment_method not in SCENIC_PAYMENTS:
            raise RefusedError("{method!r} is not a payment method.", method=payment_method)

    def _pay_from_purse(
        self,
        actor: Actor,
        shift_id: int,
        card: CityCard,
        amount_fen: int,
        reference: dict[str, object],
        progress: Progress,
        cancel: CancelToken | None,
    ) -> PurchaseReceipt:
        progress("reading")
        snapshot = card.read_snapshot(record_limit=0)
        serial = snapshot.public.serial_text
        listed = blacklist.lookup(self._store, serial) is not None
        # a blacklisted or blocked card is refused by the purchase itself, in its own words
        if not listed and not snapshot.blocked and snapshot.balance_fen < amount_fen:
            raise ScenicBalanceTooLowError(serial, snapshot.balance_fen, amount_fen)
        try:
            return self._purchases.purchase(
                actor,
                shift_id,
                card,
                amount_fen,
                PaymentMethod.CARD_PURSE,
                reference=reference,
                expected_balance_fen=snapshot.balance_fen,
                progress=progress,
                cancel=cancel,
            )
        except InsufficientBalanceError as exc:  # 9401: the card is the authority on its purse
            raise ScenicBalanceTooLowError(serial, snapshot.balance_fen, amount_fen) from exc

    # -- annual passes ---------------------------------------------------------------------------

    def sell_pass(
        self,
        actor: Actor,
        shift_id: int,
        card: CityCard,
        product_code: str,
        id_number: str,
        payment_method: str,
        photo: Path | None = None,
        *,
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
    ) -> PassSale:
        """Sell an annual pass of ``product_code`` to the registered holder of ``card``."""
        require(actor, Role.CLERK, "sell an annual pass")
        product = self.catalogue().pass_product(product_code)
        if product is None:
            raise RefusedError("There is no annual pass {code!r}.", code=product_code)
        self._check_payment(payment_method)
        progress("reading")
        snapshot = card.read_snapshot(record_limit=0)
        serial = snapshot.public.serial_text
        self._check_pass_card(serial, snapshot.blocked, snapshot.public.card_type, product)
        holder = holders.holder_of(self._store, serial)
        if holder is None:
            raise RefusedError(
                "Card {serial} is not registered to a holder.",
                "An annual pass is personal: register the holder (with their ID) first.",
                serial=serial,
            )
        if not holders.id_number_matches(self._store, self._index_key, serial, id_number):
            raise RefusedError(
                "The ID number does not match the registered holder of card {serial}.",
                "Check the ID document: the pass is sold only to the card's holder.",
                serial=serial,
            )
        today = self._today()
        for held in self._passes_anywhere(serial):
            if held.product_code == product.code and held.valid_until >= today:
                raise RefusedError(
                    "Card {serial} already has this pass, valid until {until}.",
                    serial=serial,
                    until=held.valid_until.isoformat(),
                )
        if cancel is not None:
            cancel.raise_if_cancelled()
        pass_id = secrets.token_hex(6).upper()
        photo_path, photo_sha256 = self._keep_photo(photo, pass_id)
        valid_from, valid_until = product.valid_dates(today)
        annual_pass = AnnualPass(
            pass_id=pass_id,
            card_serial=serial,
            product_code=product.code,
            product_name=product.name,
            valid_from=valid_from,
            valid_until=valid_until,
            holder_name=holder.name,
            id_number_tail=holder.id_number_tail,
            photo_path=photo_path,
            sale_seq=0,
        )
        description = _pass_description(annual_pass, holder.masked_name, photo_sha256)
        receipt: PurchaseReceipt | None = None
        try:
            if payment_method == PaymentMethod.CARD_PURSE:
                reference: dict[str, object] = {REFERENCE_KEY: "pass", "pass": description}
                receipt = self._pay_from_purse(
                    actor, shift_id, card, product.price_fen, reference, progress, cancel
                )
        except ServiceError:
            self._drop_photo(photo_path)  # nothing was sold; an interrupted payment keeps it
            raise
        record = self._write_pass_sale(
            actor.username,
            shift_id,
            serial,
            product.price_fen,
            str(payment_method),
            description,
            None if receipt is None else receipt.outcome_seq,
        )
        return PassSale(
            record.seq, self._kept_pass(record), product.price_fen, str(payment_method), receipt
        )

    def _check_pass_card(
        self, serial: str, blocked: bool, card_type: int, product: PassProduct
    ) -> None:
        listed = blacklist.lookup(self._store, serial)
        if listed is not None or blocked:
            raise RefusedError(
                "Card {serial} is blacklisted or blocked: no pass can be bound to it.",
                serial=serial,
            )
        if not product.sold_to(card_type):
            raise RefusedError(
                "The {product} is not sold to cards of type {card_type}.",
                product=product.name,
                card_type=card_type,
            )

    def _write_pass_sale(
        self,
        operator: str | None,
        shift_id: int | None,
        serial: str,
        amount_fen: int,
        payment_method: str,
        description: Mapping[str, object],
        purchase_seq: int | None,
        **extra: object,
    ) -> JournalRecord:
        record = self._journal.append(
            Entry(
                RecordKind.PASS_SALE,
                operator=operator,
                shift_id=shift_id,
                card_serial=serial,
                amount_fen=amount_fen,
                payment_method=payment_method,
                payload={**description, "purchase_seq": purchase_seq, **extra},
            )
        )
        self._store_pass(record)
        return record

    def _pass_from_record(self, record: JournalRecord) -> AnnualPass:
        p = record.payload_dict()
        holder = holders.holder_of(self._store, record.card_serial or "")
        photo = p.get("photo")
        return AnnualPass(
            pass_id=str(p["pass_id"]),
            card_serial=record.card_serial or "",
            product_code=str(p["product"]),
            product_name=str(p["name"]),
            valid_from=date.fromisoformat(str(p["valid_from"])),
            valid_until=date.fromisoformat(str(p["valid_until"])),
            holder_name=holder.name if holder is not None else str(p.get("holder") or ""),
            id_number_tail=str(p.get("holder_tail") or ""),
            photo_path=None if not photo else str(self._photos / str(photo)),
            sale_seq=record.seq,
        )

    def _store_pass(self, record: JournalRecord) -> None:
        scenic_store.add_pass(self._store, self._pass_from_record(record), record.at_us)

    def _kept_pass(self, record: JournalRecord) -> AnnualPass:
        kept = scenic_store.get_pass(self._store, str(record.payload_dict()["pass_id"]))
        return kept if kept is not None else self._pass_from_record(record)

    def _keep_photo(self, photo: Path | None, pass_id: str) -> tuple[str | None, str | None]:
        """Copy the holder's photo into the data directory; (its path, its SHA-256)."""
        if photo is None:
            return None, None
        source = Path(photo)
        suffix = source.suffix.lower()
        if suffix not in PHOTO_SUFFIXES or not source.is_file():
            raise RefusedError(
                "{path} is not a photo the counter can keep.",
                "Choose a JPEG, PNG or BMP file.",
                path=str(source),
            )
        size = source.stat().st_size
        if not 0 < size <= MAX_PHOTO_BYTES:
            raise RefusedError(
                "The photo {path} is empty or larger than 5 MB.",
                "Choose a smaller photo.",
                path=str(source),
            )
        data = source.read_bytes()
        self._photos.mkdir(parents=True, exist_ok=True)
        target = self._photos / f"{pass_id}{suffix}"
        atomic_write(target, data)
        return str(target), hashlib.sha256(data).hexdigest()

    @staticmethod
    def _drop_photo(path: str | None) -> None:
        if path is not None:
            Path(path).unlink(missing_ok=True)

    def _passes_anywhere(self, serial: str) -> list[AnnualPass]:
        """The card's passes here and, when it answers, at the center (sold at any office)."""
        found = self.passes_of(serial)
        if self._center is not None:
            try:
                found += [_from_center(p, serial) for p in self._center.passes(serial)]
            except SyncError as exc:  # offline: the sale goes on with this counter's word
                log.info("passes of %s: the clearing center cannot say (%s)", serial, exc)
        return found

    def passes_of(self, card_serial: str) -> list[AnnualPass]:
        """The passes bound to ``card_serial`` (not following card links)."""
        return scenic_store.passes_of(self._store, card_serial)

    def pass_of(self, actor: Actor | None, card_serial: str) -> AnnualPass | None:
        """The pass to check for ``card_serial``: valid today first, else the latest one.

        A card that replaced (or was exchanged for) a card with a pass takes it over here: a
        ``pass_transfer`` record, then the store row moves to the new serial.
        """
        serial = card_serial.upper()
        found = self.passes_of(serial)
        if not found:
            found = self._carry_over(actor, serial)
        return self._best(found) if found else None

    def _carry_over(self, actor: Actor | None, serial: str) -> list[AnnualPass]:
        link = card_links.predecessor(self._store, serial)
        hops = 0
        while link is not None and hops < MAX_LINK_HOPS:
            old = self.passes_of(link.old_serial)
            if old:
                for annual_pass in old:
                    self._write_transfer(actor, serial, annual_pass, link, LookupSource.COUNTER)
                    scenic_store.move_pass(self._store, annual_pass.pass_id, serial)
                return self.passes_of(serial)
            link = card_links.predecessor(self._store, link.old_serial)
            hops += 1
        return []

    def _write_transfer(
        self,
        actor: Actor | None,
        serial: str,
        annual_pass: AnnualPass,
        link: card_links.CardLink,
        source: LookupSource,
    ) -> JournalRecord:
        """Journal the ``pass_transfer`` record.

        It describes the pass, so the center (which may not have the sale yet) and this
        counter's store can be rebuilt from it alone.
        """
        holder = holders.holder_of(self._store, link.old_serial)
        masked = holder.masked_name if holder is not None else annual_pass.holder_name
        return self._journal.append(
            Entry(
                RecordKind.PASS_TRANSFER,
                operator=None if actor is None else actor.username,
                card_serial=serial,
                payload={
                    "pass_id": annual_pass.pass_id,
                    "from_serial": link.old_serial,
                    "link_kind": link.kind,
                    "link_seq": link.journal_seq,
                    "source": source,
                    "pass": _pass_description(annual_pass, masked, None),
                },
            )
        )

    def find_pass(
        self, actor: Actor | None, card_serial: str
    ) -> tuple[AnnualPass | None, LookupSource]:
        """The pass to check and where it was found (:class:`LookupSource`).

        This counter's store first (with its card links); then, when a clearing center is
        configured, the center: the card's own passes, else those of the cards it replaced —
        a pass the center holds on a replaced card is carried over here (``pass_transfer``).
        The center unreachable: ``LookupSource.OFFLINE`` (only this counter's passes checked).
        """
        serial = card_serial.strip().upper()
        local = self.pass_of(actor, serial)
        if local is not None or self._center is None:
            return local, LookupSource.COUNTER
        try:
            found = [_from_center(p, serial) for p in self._center.passes(serial)]
            if found:
                return self._best(found), LookupSource.CENTER
            carried = self._carry_over_from_center(actor, serial)
        except SyncError as exc:
            log.info("passes of %s: the clearing center cannot say (%s)", serial, exc)
            return None, LookupSource.OFFLINE
        return (self._best(carried) if carried else None), LookupSource.COUNTER

    def _carry_over_from_center(self, actor: Actor | None, serial: str) -> list[AnnualPass]:
        assert self._center is not None
        link = card_links.predecessor(self._store, serial)
        hops = 0
        while link is not None and hops < MAX_LINK_HOPS:
            held = self._center.passes(link.old_serial)
            if held:
                for center_pass in held:
                    annual_pass = _from_center(center_pass, serial)
                    record = self._write_transfer(
                        actor, serial, annual_pass, link, LookupSource.CENTER
                    )
                    scenic_store.add_pass(self._store, annual_pass, record.at_us)
                return self.passes_of(serial)
            link = card_links.predecessor(self._store, link.old_serial)
            hops += 1
        return []

    def _best(self, found: Sequence[AnnualPass]) -> AnnualPass:
        today = self._today()
        valid = [p for p in found if p.verdict_on(today) is EntryVerdict.VALID]
        return (valid or list(found))[0]

    # -- entry checks ----------------------------------------------------------------------------

    def check_entry(
        self,
        actor: Actor,
        card: CityCard,
        gate: str,
        shift_id: int | None = None,
        *,
        progress: Progress = no_progress,
    ) -> EntryCheck:
        """Check the card on the reader at ``gate`` (reads it, then :meth:`check_serial`)."""
        require(actor, Role.CLERK, "check entries")
        progress("reading")
        snapshot = card.read_snapshot(record_limit=0)
        return self.check_serial(
            actor, snapshot.public.serial_text, gate, shift_id, blocked=snapshot.blocked
        )

    def check_serial(
        self,
        actor: Actor,
        card_serial: str,
        gate: str,
        shift_id: int | None = None,
        *,
        blocked: bool = False,
    ) -> EntryCheck:
        """Check the pass of ``card_serial`` at ``gate``; journaled, counted when admitted."""
        require(actor, Role.CLERK, "check entries")
        catalogue = self.catalogue()
        if gate not in catalogue.gates:
            raise RefusedError(
                "There is no gate {gate!r} at this scenic area.",
                "Choose the gate in the ticket office page.",
                gate=gate,
            )
        serial = card_serial.strip().upper()
        now = self._clock()
        today = now.astimezone(self._tz).date()
        annual_pass: AnnualPass | None = None
        source = LookupSource.COUNTER
        if blocked or blacklist.lookup(self._store, serial) is not None:
            verdict = EntryVerdict.BLACKLISTED
        else:
            annual_pass, source = self.find_pass(actor, serial)
            verdict = (
                EntryVerdict.NOT_FOUND if annual_pass is None else annual_pass.verdict_on(today)
            )
        flagged = False
        previous = None
        if verdict is EntryVerdict.VALID and annual_pass is not None:
            previous = scenic_store.last_admission(self._store, annual_pass.pass_id)
            interval = timedelta(seconds=catalogue.reuse_interval_s)
            flagged = previous is not None and now - from_micros(previous.at_us) < interval
        record = self._journal.append(
            Entry(
                RecordKind.SCENIC_ENTRY,
                operator=actor.username,
                shift_id=shift_id,
                card_serial=serial,
                payload={
                    "gate": gate,
                    "verdict": verdict.value,
                    "pass_id": None if annual_pass is None else annual_pass.pass_id,
                    "flagged": flagged,
                    "previous_seq": None if previous is None else previous.journal_seq,
                    "day": today.isoformat(),
                    "source": source,
                },
            )
        )
        self._store_entry(record)
        count = scenic_store.admissions_by_gate(self._store, today).get(gate, 0)
        previous_at = None if previous is None else from_micros(previous.at_us)
        minutes = 0 if previous_at is None else int((now - previous_at).total_seconds() // 60)
        params: dict[str, object] = {
            "serial": serial,
            "holder": "" if annual_pass is None else annual_pass.holder_name,
            "since": "" if annual_pass is None else annual_pass.valid_from.isoformat(),
            "until": "" if annual_pass is None else annual_pass.valid_until.isoformat(),
            "gate": "" if previous is None else previous.gate,
            "minutes": minutes,
        }
        return EntryCheck(
            record_seq=record.seq,
            verdict=verdict,
            card_serial=serial,
            gate=gate,
            annual_pass=annual_pass,
            flagged=flagged,
            previous_at=previous_at if flagged else None,
            previous_gate=previous.gate if flagged and previous is not None else None,
            admitted_today_at_gate=count,
            template=_VERDICT_TEXTS[verdict],
            params=params,
            flag_template=_FLAGGED if flagged else "",
            source=source,
            note_template=_NOTES[source]
            if annual_pass is not None or source == LookupSource.OFFLINE
            else "",
        )

    def _store_entry(self, record: JournalRecord) -> None:
        p = record.payload_dict()
        pass_id = p.get("pass_id")
        scenic_store.add_entry(
            self._store,
            record.seq,
            None if pass_id is None else str(pass_id),
            record.card_serial or "",
            str(p["gate"]),
            date.fromisoformat(str(p["day"])),
            record.at_us,
            str(p["verdict"]),
            bool(p.get("flagged")),
        )

    def admissions_by_gate(self, day: date | None = None) -> dict[str, int]:
        """Admissions per gate on ``day`` (default: today, in the counter's time zone)."""
        return scenic_store.admissions_by_gate(self._store, day or self._today())

    def _today(self) -> date:
        return self._clock().astimezone(self._tz).date()

    # -- catching up after an interruption -------------------------------------------------------

    def finish_interrupted(self, card_serial: str | None = None) -> list[TicketSale | PassSale]:
        """Write the sales of purse payments that completed but have no sale record yet.

        A payment interrupted during DEBIT is settled on the next tap (recovery); a crash
        between the purchase outcome and the sale record leaves the same gap. Either way the
        purchase intent's reference says what was sold; each sale is written once.
        """
        if card_serial is None:
            intents = self._journal.records_of_kinds(RecordKind.PURCHASE_INTENT)
            outcomes = self._journal.records_of_kinds(RecordKind.PURCHASE_OUTCOME)
            sales = self._journal.records_of_kinds(RecordKind.TICKET_SALE, RecordKind.PASS_SALE)
        else:
            serial = card_serial.upper()
            intents = self._journal.card_records(serial, RecordKind.PURCHASE_INTENT)
            outcomes = self._journal.card_records(serial, RecordKind.PURCHASE_OUTCOME)
            sales = [
                *self._journal.card_records(serial, RecordKind.TICKET_SALE),
                *self._journal.card_records(serial, RecordKind.PASS_SALE),
            ]
        recorded = {r.payload_dict().get("purchase_seq") for r in sales}
        done = {
            o.intent_seq: o
            for o in outcomes
            if o.payload_dict().get("outcome") == Outcome.DONE and o.seq not in recorded
        }
        finished: list[TicketSale | PassSale] = []
        for intent in intents:
            reference = reference_of(intent)
            outcome = done.get(intent.seq)
            if outcome is None or REFERENCE_KEY not in reference:
                continue
            if reference[REFERENCE_KEY] == "tickets":
                basket = Basket.from_json(reference.get("lines"))
                record = self._journal.append(
                    self._ticket_entry(
                        intent.operator,
                        intent.shift_id,
                        basket,
                        PaymentMethod.CARD_PURSE,
                        intent.card_serial,
                        outcome.seq,
                        recovered=True,
                    )
                )
                finished.append(
                    TicketSale(
                        record.seq, basket, PaymentMethod.CARD_PURSE, intent.card_serial, None, True
                    )
                )
            elif reference[REFERENCE_KEY] == "pass" and isinstance(
                description := reference.get("pass"), dict
            ):
                record = self._write_pass_sale(
                    intent.operator,
                    intent.shift_id,
                    intent.card_serial or "",
                    intent.amount_fen or 0,
                    PaymentMethod.CARD_PURSE,
                    description,
                    outcome.seq,
                    recovered=True,
                )
                finished.append(
                    PassSale(
                        record.seq,
                        self._kept_pass(record),
                        intent.amount_fen or 0,
                        PaymentMethod.CARD_PURSE,
                        None,
                        True,
                    )
                )
        return finished

    def reconcile(self) -> list[TicketSale | PassSale]:
        """At start-up: finish interrupted sales, then catch the store up with the journal."""
        finished = self.finish_interrupted()
        for record in self._journal.records_of_kinds(RecordKind.PASS_SALE):
            if scenic_store.get_pass(self._store, str(record.payload_dict()["pass_id"])) is None:
                self._store_pass(record)
        for record in self._journal.records_of_kinds(RecordKind.PASS_TRANSFER):
            payload = record.payload_dict()
            kept = scenic_store.get_pass(self._store, str(payload["pass_id"]))
            if kept is not None and kept.card_serial != record.card_serial:
                scenic_store.move_pass(self._store, kept.pass_id, record.card_serial or "")
            elif kept is None and isinstance(payload.get("pass"), dict):
                # carried over from a pass the clearing center held: the record describes it
                scenic_store.add_pass(
                    self._store, _described(payload["pass"], record), record.at_us
                )
        last = scenic_store.last_entry_seq(self._store)
        for record in self._journal.records_of_kinds(RecordKind.SCENIC_ENTRY, after_seq=last):
            self._store_entry(record)
        return finished
