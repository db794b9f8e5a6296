"""Card operations that need the card and the SAM together.

Load, purchase, their recovery after a tear, and blocking. Each money operation comes in two
halves so that a service reads top to bottom and journals its intent between them:

- :func:`begin_load` (INITIALIZE FOR LOAD: the card's MAC1) and :func:`finish_load` (CREDIT FOR
  LOAD with a MAC2 from the center or the ISAM; the SAM checks the TAC);
- :func:`begin_purchase` (INITIALIZE FOR PURCHASE, GET DATA, the PSAM's terminal seq and MAC1)
  and :func:`finish_purchase` (DEBIT FOR PURCHASE; the PSAM checks MAC2 and the TAC).

The counter computes no MAC and no TAC itself: every one comes from the card or the SAM.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.card import commands
from app.card.errors import ApplicationBlockedError, CardError, MacNotAvailableError
from app.card.sam import (
    LoadAuthorization,
    PurchaseAuthorization,
    Sam,
    SamRefusedError,
    verify_load_tac,
)
from app.card.session import DEFAULT_KEY_INDEX, CityCard, Sfi, TransactionProof
from app.crypto.diversify import issuer_diversifier
from app.domain.card import CardFamily, CardKeyKind, TransactionType


@dataclass(frozen=True)
class LoadResult:
    """A completed load: what was authorised and the card's verified TAC."""

    authorization: LoadAuthorization
    mac2: bytes
    tac: bytes

    @property
    def balance_after_fen(self) -> int:
        """The card balance after the load."""
        return self.authorization.balance_after_fen


def begin_load(
    card: CityCard,
    amount_fen: int,
    terminal_id: bytes,
    when: datetime,
    *,
    key_index: int = DEFAULT_KEY_INDEX,
) -> LoadAuthorization:
    """INITIALIZE FOR LOAD: what the center or the ISAM needs to check MAC1 and make MAC2.

    Side-effect free on the card: a load begun and never finished changes nothing.
    """
    init = card.initialize_for_load(amount_fen, terminal_id, key_index)
    return LoadAuthorization.from_init(card.serial, init, when)


def finish_load(card: CityCard, sam: Sam, auth: LoadAuthorization, mac2: bytes) -> LoadResult:
    """CREDIT FOR LOAD with ``mac2`` (covering ``auth.when``), then the SAM checks the TAC.

    A CardCommunicationError means the outcome is unknown: resolve it with :func:`recover_load`
    when the card is back. A TAC that does not verify raises CardMacError (the card was
    credited but its proof is not trusted: the intent stays grey).
    """
    tac = card.credit_for_load(auth.when, mac2)
    verify_load_tac(sam, auth, tac)
    return LoadResult(auth, mac2, tac)


def load(
    card: CityCard,
    sam: Sam,
    amount_fen: int,
    terminal_id: bytes,
    when: datetime,
    *,
    before_credit: Callable[[LoadAuthorization, bytes], None] | None = None,
    key_index: int = DEFAULT_KEY_INDEX,
    authorize: Callable[[LoadAuthorization], tuple[LoadAuthorization, bytes]] | None = None,
) -> LoadResult:
    """A whole load in one call (tests, benches): begin, MAC2, finish.

    MAC2 comes from ``authorize(auth)`` (answering the authorization MAC2 covers and MAC2)
    or else from the SAM's ISAM role; ``before_credit(auth, mac2)`` runs before CREDIT.
    """
    auth = begin_load(card, amount_fen, terminal_id, when, key_index=key_index)
    if authorize is None:
        mac2 = sam.offline_load(auth)[1]
    else:
        auth, mac2 = authorize(auth)
    if before_credit is not None:
        before_credit(auth, mac2)
    return finish_load(card, sam, auth, mac2)


class RecoveryOutcome(enum.Enum):
    """What a tear left behind, once the card is back."""

    DONE = "done"  # the card has the money: give the receipt
    NOT_DONE = "not_done"  # the card does not: redo or refund
    UNRESOLVED = "unresolved"  # cannot tell from the card: grey record


@dataclass(frozen=True)
class LoadRecovery:
    """The result of checking an interrupted load on the card."""

    outcome: RecoveryOutcome
    tac: bytes | None
    balance_fen: int
    online_atc: int
    reason: str


class WrongCardError(CardError):
    """The card on the reader is not the one the interrupted transaction was made on."""

    advice = "Put the card of the interrupted transaction on the reader."


def recover_load(
    card: CityCard, sam: Sam, auth: LoadAuthorization, *, key_index: int = DEFAULT_KEY_INDEX
) -> LoadRecovery:
    """Decide whether an interrupted load happened (card-protocol.md, "Interrupted transactions").

    Sends a fresh INITIALIZE FOR LOAD of 0 fen that is never completed (side-effect free) to read
    the online ATC and balance. ATC = saved + 1 and balance = before + amount: it happened; the
    proof comes from GET TRANSACTION PROVE, else the SAM recomputes the TAC. ATC = saved: it did
    not. Anything else is checked against the card's load records, or left unresolved.
    """
    if card.serial != auth.serial:
        raise WrongCardError(
            "card {card} is not card {expected}",
            card=card.serial.hex().upper(),
            expected=auth.serial.hex().upper(),
        )
    probe = card.initialize_for_load(0, auth.terminal_id, key_index)
    if probe.online_atc == auth.online_atc:
        if probe.balance_fen != auth.balance_fen:
            return LoadRecovery(
                RecoveryOutcome.UNRESOLVED,
                None,
                probe.balance_fen,
                probe.online_atc,
                "the ATC did not move but the balance changed",
            )
        return LoadRecovery(
            RecoveryOutcome.NOT_DONE,
            None,
            probe.balance_fen,
            probe.online_atc,
            "the card's online ATC did not advance: the load did not happen",
        )
    happened = (
        probe.online_atc == auth.online_atc + 1 and probe.balance_fen == auth.balance_after_fen
    ) or _load_record_present(card, auth)
    if not happened:
        return LoadRecovery(
            RecoveryOutcome.UNRESOLVED,
            None,
            probe.balance_fen,
            probe.online_atc,
            "the card moved on and shows no record of this load",
        )
    try:
        proof = card.get_transaction_prove(TransactionType.EP_LOAD, auth.online_atc)
    except MacNotAvailableError:  # the card's proof moved on: the SAM recomputes its own
        try:
            tac = sam.load_tac(auth)
        except SamRefusedError:
            return LoadRecovery(
                RecoveryOutcome.UNRESOLVED,
                None,
                probe.balance_fen,
                probe.online_atc,
                "the card shows the load but no longer holds its proof: the center decides",
            )
    else:
        verify_load_tac(sam, auth, proof.tac)
        tac = proof.tac
    return LoadRecovery(
        RecoveryOutcome.DONE,
        tac,
        probe.balance_fen,
        probe.online_atc,
        "the card's online ATC advanced by one and the balance includes the amount",
    )


def _record_present(
    card: CityCard,
    sfi: Sfi,
    transaction_type: int,
    amount_fen: int,
    terminal_id: bytes,
    when: datetime,
    atc: int,
) -> bool:
    """Whether the card's transaction file ``sfi`` holds this transaction.

    Its ATC is ``atc`` or the next one: cards differ in which counter value they write.
    """
    day_time = when.replace(microsecond=0)
    return any(
        record.transaction_type == transaction_type
        and record.amount_fen == amount_fen
        and record.terminal_id == terminal_id
        and record.when == day_time
        and record.atc in (atc, atc + 1)
        for record in card.iter_records(sfi, 10)
    )


def _load_record_present(card: CityCard, auth: LoadAuthorization) -> bool:
    return _record_present(
        card,
        Sfi.LOADS,
        TransactionType.EP_LOAD,
        auth.amount_fen,
        auth.terminal_id,
        auth.when,
        auth.online_atc,
    )


@dataclass(frozen=True)
class PurchaseResult:
    """A completed purchase with the card's verified MAC2 and TAC."""

    authorization: PurchaseAuthorization
    mac1: bytes
    proof: TransactionProof
    balance_before_fen: int

    @property
    def balance_after_fen(self) -> int:
        """The card balance after the debit."""
        return self.balance_before_fen - self.authorization.amount_fen


@dataclass(frozen=True)
class PurchaseStart:
    """A purchase begun: the card initialised, the PSAM's terminal seq and MAC1 in hand."""

    authorization: PurchaseAuthorization  # its terminal_seq is the PSAM's
    mac1: bytes
    balance_before_fen: int


def card_diversifier(card: CityCard) -> bytes:
    """The card's 8-byte issuer diversifier, the first level of national keys.

    CU: city code (file 0x15 bytes 2–3) ‖ ``FF 00 00 00 00 00`` (the 住建部 PSAM's field);
    T-Union: its 8-byte issuer id, unique per issuer where the
    GB/T 13497 city part alone would collide with a CU postal prefix (2210).
    """
    public = card.read_public_data()
    if card.family is not CardFamily.CITY_UNION:
        issuer = public.issuer_code
        return issuer if len(issuer) == 8 else bytes(8)
    return issuer_diversifier(public.raw[2:4])


def begin_purchase(
    card: CityCard,
    sam: Sam,
    amount_fen: int,
    when: datetime,
    *,
    use_card_data: bool = True,
    key_index: int = DEFAULT_KEY_INDEX,
) -> PurchaseStart:
    """INITIALIZE FOR PURCHASE → [GET DATA] → the PSAM's terminal seq and MAC1 (``80 70``).

    Nothing is debited yet; the PSAM's counter has moved (that seq is spent even if the
    purchase goes no further). ``use_card_data`` is the per-issuer switch for the CU GET DATA
    suffix of MAC1 (T-Union cards have none). The terminal id is the SAM's.
    """
    init = card.initialize_for_purchase(amount_fen, sam.terminal_id, key_index)
    cu = card.family is CardFamily.CITY_UNION
    card_data = card.get_purchase_data() if use_card_data and cu else b""
    auth = PurchaseAuthorization.from_init(
        card.serial, init, 0, when, card_data, card_diversifier(card)
    )
    terminal_seq, mac1 = sam.purchase_mac1(auth)
    auth = dataclasses.replace(auth, terminal_seq=terminal_seq)
    return PurchaseStart(auth, mac1, init.balance_fen)


def finish_purchase(card: CityCard, sam: Sam, start: PurchaseStart) -> PurchaseResult:
    """DEBIT FOR PURCHASE, then the PSAM checks MAC2 (``80 72``) and the TAC.

    A CardCommunicationError from DEBIT means the outcome is unknown: resolve it with
    :func:`recover_purchase` when the card is back.
    """
    auth = start.authorization
    proof = card.debit_for_purchase(auth.terminal_seq, auth.when, start.mac1)
    sam.verify_purchase(auth, proof.mac, proof.tac)
    return PurchaseResult(auth, start.mac1, proof, start.balance_before_fen)


def purchase(
    card: CityCard,
    sam: Sam,
    amount_fen: int,
    when: datetime,
    *,
    use_card_data: bool = True,
    before_debit: Callable[[PurchaseAuthorization, bytes, int], None] | None = None,
    key_index: int = DEFAULT_KEY_INDEX,
) -> PurchaseResult:
    """A whole purchase in one call (tests, benches): begin, ``before_debit``, finish."""
    start = begin_purchase(
        card, sam, amount_fen, when, use_card_data=use_card_data, key_index=key_index
    )
    if before_debit is not None:
        before_debit(start.authorization, start.mac1, start.balance_before_fen)
    return finish_purchase(card, sam, start)


@dataclass(frozen=True)
class PurchaseRecovery:
    """The result of checking an interrupted purchase on the card."""

    outcome: RecoveryOutcome
    proof: TransactionProof | None  # MAC2 and TAC (MAC2 empty when the SAM recomputed the TAC)
    balance_fen: int | None  # None when a blocked card would not say
    offline_atc: int | None
    reason: str


def recover_purchase(
    card: CityCard,
    sam: Sam,
    auth: PurchaseAuthorization,
    balance_before_fen: int,
    *,
    key_index: int = DEFAULT_KEY_INDEX,
) -> PurchaseRecovery:
    """Decide whether an interrupted purchase happened, as :func:`recover_load` does for loads.

    A fresh INITIALIZE FOR PURCHASE of 0 fen that is never completed (side-effect free) reads the
    offline ATC and balance. ATC = saved + 1 and balance = before − amount: it happened — the
    proof comes from GET TRANSACTION PROVE (MAC2 and TAC verified by the SAM), else the SAM
    recomputes the TAC. ATC = saved and the balance unchanged: it did not. Anything else, or a
    card that was blocked since, is checked against the card's purchase records, or left
    unresolved (a grey record).
    """
    if card.serial != auth.serial:
        raise WrongCardError(
            "card {card} is not card {expected}",
            card=card.serial.hex().upper(),
            expected=auth.serial.hex().upper(),
        )
    try:
        probe = card.initialize_for_purchase(0, auth.terminal_id, key_index)
    except ApplicationBlockedError:  # blocked since: its records still tell
        if not _purchase_record_present(card, auth):
            return PurchaseRecovery(
                RecoveryOutcome.UNRESOLVED,
                None,
                None,
                None,
                "the card is blocked and shows no record of this purchase",
            )
        try:
            tac = sam.purchase_tac(auth)
        except SamRefusedError:
            return PurchaseRecovery(
                RecoveryOutcome.UNRESOLVED,
                None,
                None,
                None,
                "the blocked card shows the purchase but no proof this SAM can give",
            )
        return PurchaseRecovery(
            RecoveryOutcome.DONE,
            TransactionProof(b"", tac),
            None,
            None,
            "the blocked card's records show the purchase",
        )
    expected_after = balance_before_fen - auth.amount_fen
    if probe.offline_atc == auth.offline_atc:
        if probe.balance_fen != balance_before_fen:
            return PurchaseRecovery(
                RecoveryOutcome.UNRESOLVED,
                None,
                probe.balance_fen,
                probe.offline_atc,
                "the ATC did not move but the balance changed",
            )
        return PurchaseRecovery(
            RecoveryOutcome.NOT_DONE,
            None,
            probe.balance_fen,
            probe.offline_atc,
            "the card's offline ATC did not advance: the purchase did not happen",
        )
    happened = (
        probe.offline_atc == auth.offline_atc + 1 and probe.balance_fen == expected_after
    ) or _purchase_record_present(card, auth)
    if not happened:
        return PurchaseRecovery(
            RecoveryOutcome.UNRESOLVED,
            None,
            probe.balance_fen,
            probe.offline_atc,
            "the card moved on and shows no record of this purchase",
        )
    try:
        proof = card.get_transaction_prove(auth.transaction_type, auth.offline_atc)
    except MacNotAvailableError:  # the card's proof moved on: the PSAM recomputes its own
        try:
            proof = TransactionProof(b"", sam.purchase_tac(auth))
        except SamRefusedError:
            return PurchaseRecovery(
                RecoveryOutcome.UNRESOLVED,
                None,
                probe.balance_fen,
                probe.offline_atc,
                "the card shows the purchase but no proof this SAM can give: the center decides",
            )
    else:
        sam.check_purchase_tac(auth, proof.tac)
    return PurchaseRecovery(
        RecoveryOutcome.DONE,
        proof,
        probe.balance_fen,
        probe.offline_atc,
        "the card's offline ATC advanced by one and the balance lacks the amount",
    )


def _purchase_record_present(card: CityCard, auth: PurchaseAuthorization) -> bool:
    return _record_present(
        card,
        Sfi.LOCAL_PURCHASES,
        auth.transaction_type,
        auth.amount_fen,
        auth.terminal_id,
        auth.when,
        auth.offline_atc,
    )


def block_application(card: CityCard, sam: Sam) -> None:
    """GET CHALLENGE, block MAC from the SAM (DABK), APPLICATION BLOCK."""
    _secure_command(
        card, sam, CardKeyKind.DABK, commands.application_block_header(), card.application_block
    )


def unblock_application(card: CityCard, sam: Sam) -> None:
    """GET CHALLENGE, unblock MAC from the SAM (DAUK), APPLICATION UNBLOCK."""
    _secure_command(
        card, sam, CardKeyKind.DAUK, commands.application_unblock_header(), card.application_unblock
    )


def _secure_command(
    card: CityCard,
    sam: Sam,
    kind: CardKeyKind,
    mac_input: bytes,
    send: Callable[[bytes], None],
) -> None:
    version = card.application_version
    if version is None:
        raise CardError("the card did not say its key version", advice="Call the supervisor.")
    diversifier = card_diversifier(card)
    challenge = card.get_challenge(4)
    send(sam.secure_messaging_mac(card.serial, version, kind, challenge, mac_input, diversifier))
