"""Annual passes: sold to a registered card, bound to its serial, following its replacements.

A sale is checked (registered holder, ID number, not blacklisted, card type, not already held
here or at the center), journaled (``pass_sale``), then stored. A pass bound to a card that was
replaced or exchanged follows the card link the first time the new card is looked up
(``pass_transfer``, then the store row moves); a pass the clearing center holds on such a card
is carried over the same way.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from app.card.session import CityCard
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Role
from app.domain.scenic import AnnualPass, EntryVerdict, PassProduct
from app.files import atomic_write
from app.journal import Entry, JournalRecord, RecordKind
from app.services.errors import RefusedError, ServiceError
from app.services.operators import require
from app.services.progress import CancelToken, Progress, no_progress
from app.services.purchase import PurchaseReceipt
from app.services.scenic.common import (
    REFERENCE_KEY,
    LookupSource,
    PassSale,
    ScenicContext,
    check_payment,
)
from app.services.scenic.links import held_by_predecessor
from app.services.scenic.pass_codec import decode_pass, describe_pass, from_center
from app.services.scenic.purse import PursePayments
from app.store import blacklist, card_links, holders
from app.store import scenic as scenic_store
from app.sync.errors import SyncError

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp"})
MAX_PHOTO_BYTES = 5 * 1024 * 1024


class PassBook:
    """Selling annual passes and finding the pass of a card (here, by links, at the center)."""

    def __init__(self, context: ScenicContext, purse: PursePayments, index_key: bytes) -> None:
        self._context = context
        self._purse = purse
        self._index_key = index_key

    # -- selling ---------------------------------------------------------------------------------

    def sell(
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
        store = self._context.store
        product = self._context.catalogue().pass_product(product_code)
        if product is None:
            raise RefusedError("There is no annual pass {code!r}.", code=product_code)
        check_payment(payment_method)
        progress("reading")
        snapshot = card.read_snapshot(record_limit=0)
        serial = snapshot.public.serial_text
        self._check_card(serial, snapshot.blocked, snapshot.public.card_type, product)
        holder = holders.holder_of(store, serial)
        if holder is None:
            raise RefusedError(
                "Card {serial} is not registered to a holder.",
                "An annual pass is personal: register the holder (with their ID) first.",
                serial=serial,
            )
        if not holders.id_number_matches(store, self._index_key, serial, id_number):
            raise RefusedError(
                "The ID number does not match the registered holder of card {serial}.",
                "Check the ID document: the pass is sold only to the card's holder.",
                serial=serial,
            )
        today = self._context.today()
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
        description = describe_pass(annual_pass, holder.masked_name, photo_sha256)
        receipt: PurchaseReceipt | None = None
        try:
            if payment_method == PaymentMethod.CARD_PURSE:
                reference: dict[str, object] = {REFERENCE_KEY: "pass", "pass": description}
                receipt = self._purse.pay(
                    actor, shift_id, card, product.price_fen, reference, progress, cancel
                )
        except ServiceError:
            self._drop_photo(photo_path)  # nothing was sold; an interrupted payment keeps it
            raise
        record = self.write_sale(
            actor.username,
            shift_id,
            serial,
            product.price_fen,
            str(payment_method),
            description,
            None if receipt is None else receipt.outcome_seq,
        )
        return PassSale(
            record.seq, self.kept_pass(record), product.price_fen, str(payment_method), receipt
        )

    def _check_card(self, serial: str, blocked: bool, card_type: int, product: PassProduct) -> None:
        listed = blacklist.lookup(self._context.store, serial)
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

    def write_sale(
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
        """Journal the ``pass_sale`` record, then store the pass."""
        record = self._context.journal.append(
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
        self.store_sale(record)
        return record

    def _pass_of_sale(self, record: JournalRecord) -> AnnualPass:
        serial = record.card_serial or ""
        holder = holders.holder_of(self._context.store, serial)
        return decode_pass(
            record.payload_dict(),
            serial,
            sale_seq=record.seq,
            holder_name=None if holder is None else holder.name,
            photos=self._context.photos,
        )

    def store_sale(self, record: JournalRecord) -> None:
        """Put the pass a ``pass_sale`` record sold into the store."""
        scenic_store.add_pass(self._context.store, self._pass_of_sale(record), record.at_us)

    def kept_pass(self, record: JournalRecord) -> AnnualPass:
        """The stored pass a ``pass_sale`` record sold (decoded from it if not stored)."""
        kept = scenic_store.get_pass(self._context.store, str(record.payload_dict()["pass_id"]))
        return kept if kept is not None else self._pass_of_sale(record)

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
        photos = self._context.photos
        photos.mkdir(parents=True, exist_ok=True)
        target = photos / f"{pass_id}{suffix}"
        atomic_write(target, data)
        return str(target), hashlib.sha256(data).hexdigest()

    @staticmethod
    def _drop_photo(path: str | None) -> None:
        if path is not None:
            Path(path).unlink(missing_ok=True)

    # -- finding a card's pass -------------------------------------------------------------------

    def _passes_anywhere(self, serial: str) -> list[AnnualPass]:
        """The card's passes here and, when it answers, at the center (sold at any office)."""
        found = self.passes_of(serial)
        center = self._context.center
        if center is not None:
            try:
                found += [from_center(p, serial) for p in center.passes(serial)]
            except SyncError as exc:  # offline: the sale goes on with this counter's word
                log.info("passes of %s: the clearing center cannot say (%s)", serial, exc)
        return found

    def passes_of(self, card_serial: str) -> list[AnnualPass]:
        """The passes bound to ``card_serial`` (not following card links)."""
        return scenic_store.passes_of(self._context.store, card_serial)

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
        held = held_by_predecessor(self._context.store, serial, self.passes_of)
        if held is None:
            return []
        link, old = held
        for annual_pass in old:
            self._write_transfer(actor, serial, annual_pass, link, LookupSource.COUNTER)
            scenic_store.move_pass(self._context.store, annual_pass.pass_id, serial)
        return self.passes_of(serial)

    def _carry_over_from_center(self, actor: Actor | None, serial: str) -> list[AnnualPass]:
        center = self._context.center
        if center is None:
            return []
        held = held_by_predecessor(self._context.store, serial, center.passes)
        if held is None:
            return []
        link, at_center = held
        for center_pass in at_center:
            annual_pass = from_center(center_pass, serial)
            record = self._write_transfer(actor, serial, annual_pass, link, LookupSource.CENTER)
            scenic_store.add_pass(self._context.store, annual_pass, record.at_us)
        return self.passes_of(serial)

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
        holder = holders.holder_of(self._context.store, link.old_serial)
        masked = holder.masked_name if holder is not None else annual_pass.holder_name
        return self._context.journal.append(
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
                    "pass": describe_pass(annual_pass, masked, None),
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
        center = self._context.center
        if local is not None or center is None:
            return local, LookupSource.COUNTER
        try:
            found = [from_center(p, serial) for p in center.passes(serial)]
            if found:
                return self._best(found), LookupSource.CENTER
            carried = self._carry_over_from_center(actor, serial)
        except SyncError as exc:
            log.info("passes of %s: the clearing center cannot say (%s)", serial, exc)
            return None, LookupSource.OFFLINE
        return (self._best(carried) if carried else None), LookupSource.COUNTER

    def _best(self, found: Sequence[AnnualPass]) -> AnnualPass:
        today = self._context.today()
        valid = [p for p in found if p.verdict_on(today) is EntryVerdict.VALID]
        return (valid or list(found))[0]
