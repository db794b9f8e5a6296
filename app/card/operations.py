"""Card operations that need the card and the SAM together.

Load, purchase, their recovery after a tear, and blocking. Each is a handful of APDUs; the
services around them journal and decide.

A load on a card already read costs exactly two APDUs: INITIALIZE FOR LOAD and CREDIT FOR LOAD.
Between them ``before_credit`` receives everything recovery needs, so the caller can make it
durable before the card is written.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.card import commands
from app.card.errors import ApplicationBlockedError, CardError, MacNotAvailableError
from app.card.sam import LoadAuthorization, PurchaseAuthorization, Sam, verify_load_tac
from app.card.session import DEFAULT_KEY_INDEX, CityCard, Sfi, TransactionProof
from app.domain.card import CardKeyKind, TransactionType


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
    """Top up ``card`` by ``amount_fen``: INIT → MAC1 check → MAC2 → CREDIT → TAC check.

    ``before_credit(authorization, mac2)`` runs after MAC2 is known and before CREDIT is sent; if
    it raises, CREDIT is not sent. A CardCommunicationError from CREDIT means the outcome is
    unknown: resolve it with :func:`recover_load` when the card is back.

    ``authorize(authorization)`` replaces ``sam.authorize_load`` when MAC2 comes from elsewhere
    (the clearing center online); it answers the authorization MAC2 covers — the same but for
    ``when``, the card time the issuer chose — and MAC2. The SAM still checks the TAC.
    """
    init = card.initialize_for_load(amount_fen, terminal_id, key_index)
    auth = LoadAuthorization.from_init(card.serial, init, when)
    if authorize is None:
        mac2 = sam.authorize_load(auth)
    else:
        auth, mac2 = authorize(auth)
    if before_credit is not None:
        before_credit(auth, mac2)
    tac = card.credit_for_load(auth.when, mac2)
    verify_load_tac(sam, auth, tac)
    return LoadResult(auth, mac2, tac)


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
    except MacNotAvailableError:  # the card's proof moved on: the SAM recomputes the TAC
        tac = sam.load_tac(auth)
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


def purchase(
    card: CityCard,
    sam: Sam,
    amount_fen: int,
    terminal_id: bytes,
    terminal_seq: int,
    when: datetime,
    *,
    use_card_data: bool = True,
    before_debit: Callable[[PurchaseAuthorization, bytes, int], None] | None = None,
    key_index: int = DEFAULT_KEY_INDEX,
) -> PurchaseResult:
    """Pay ``amount_fen`` from the purse: INIT → [GET DATA] → MAC1 → DEBIT → MAC2/TAC check.

    ``use_card_data`` is the per-issuer switch for the CU GET DATA suffix of MAC1.
    ``before_debit(authorization, mac1, balance_before_fen)`` runs after MAC1 is known and before
    DEBIT is sent; if it raises, DEBIT is not sent. A CardCommunicationError from DEBIT means the
    outcome is unknown: resolve it with :func:`recover_purchase` when the card is back.
    """
    init = card.initialize_for_purchase(amount_fen, terminal_id, key_index)
    card_data = card.get_purchase_data() if use_card_data else b""
    auth = PurchaseAuthorization.from_init(card.serial, init, terminal_seq, when, card_data)
    mac1 = sam.purchase_mac1(auth)
    if before_debit is not None:
        before_debit(auth, mac1, init.balance_fen)
    proof = card.debit_for_purchase(terminal_seq, when, mac1)
    sam.verify_purchase(auth, proof.mac, proof.tac)
    return PurchaseResult(auth, mac1, proof, init.balance_fen)


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
        return PurchaseRecovery(
            RecoveryOutcome.DONE,
            TransactionProof(b"", sam.purchase_tac(auth)),
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
    except MacNotAvailableError:  # the card's proof moved on: the SAM recomputes the TAC
        proof = TransactionProof(b"", sam.purchase_tac(auth))
    else:
        sam.verify_purchase(auth, proof.mac, proof.tac)
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
    challenge = card.get_challenge(4)
    send(sam.secure_messaging_mac(card.serial, version, kind, challenge, mac_input))
