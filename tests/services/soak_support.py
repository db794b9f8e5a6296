"""What the soak test and its child share: the counter's directory, its cards, the accounting.

The soak counter is a real one (``app.composition``: keystore, journal, store; a virtual
PSAM/ISAM beside its directory holds a DES and an SM4 issuer's keys) plus five virtual cards
persisted as profile files beside it. The parent
sets the directory up once (:func:`set_up`); every child process opens it from the files alone.

:class:`Ledger` reads the journal's load records and keeps what they say per card: it is the
accounting both sides check the cards against, and it refuses an outcome without its intent, an
intent settled twice, or a done outcome that does not repeat its intent.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from app import composition
from app.card.inprocess import InProcessTransport
from app.card.issuer_keys import IssuerKeySet
from app.card.psam import ApduSam
from app.crypto.keystore import KdfParams, Keystore
from app.crypto.purse import PurseAlgorithm
from app.domain.parameters import CardTypeRules, OfflineBrakes, Parameters
from app.domain.payment import PaymentMethod
from app.domain.people import Actor, Role
from app.journal import JournalKeys, JournalRecord, Outcome, RecordKind
from app.store import blacklist, holders
from app.store import parameters as stored_parameters
from app.store import shifts as shift_rows
from app.store.database import Store
from cardsim.profile import HolderFields
from cardsim.psam import VirtualPsam
from tests.support.cards import make_profile, rig_sam_profile

PASSPHRASE = "soak keystore passphrase"
CHEAP_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
DEVICE_ID = "DEV-SOAK"
TERMINAL_ID = "0102030405AB"
SETUP_FILE = "soak.json"

CLERK = Actor("clerk1", "王芳", Role.CLERK)
SUPERVISOR = Actor("sup1", "李强", Role.SUPERVISOR)
HOLDER_NAME = "张三"
HOLDER_ID = "330102199001011234"
OTHER_ID = "110101198001010011"

PAYMENTS = (PaymentMethod.CASH, PaymentMethod.BANK_CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY)
CARD_MAX_BALANCE_FEN = 50_000_000  # the chips' own limit, above every ceiling of the parameters

# The parameters in force: ceilings high enough for a thousand top-ups on most cards, except the
# senior card type, which starts near its ceiling so that over-ceiling refusals keep happening;
# type 01 may load more than the offline per-top-up brake, so that brake refuses some top-ups;
# the per-shift total brake refuses the rest of a busy shift.
PARAMETERS = Parameters(
    version=1,
    issuer_codes=("3100",),
    card_types=(
        CardTypeRules(0x01, "普通卡", 1_000, 100_000, 1_000, 20_000_000, deposit_fen=2_000),
        CardTypeRules(0x02, "学生卡", 1_000, 50_000, 1_000, 10_000_000, deposit_fen=2_000),
        CardTypeRules(0x03, "老年卡", 1_000, 50_000, 500, 300_000),
    ),
    brakes=OfflineBrakes(
        per_load_cap_fen=80_000,
        shift_offline_total_cap_fen=600_000,
        offline_count_cap=200,
        max_unsynced_age_s=24 * 3600,
    ),
)


@dataclass(frozen=True)
class CardSpec:
    """One soak card: its serial, issuer, card type, opening balance, registered or not."""

    name: str
    serial: str
    algorithm: PurseAlgorithm
    card_type: int
    balance_fen: int
    registered: bool = False

    @property
    def path_name(self) -> str:
        return f"card-{self.name}.json"


CARDS = (
    CardSpec("registered", "3104000000001234", PurseAlgorithm.DES, 0x01, 5_000, registered=True),
    CardSpec("student", "3104000000002002", PurseAlgorithm.DES, 0x02, 0),
    CardSpec("sm4-a", "3104000000003003", PurseAlgorithm.SM4, 0x01, 12_340),
    CardSpec("sm4-b", "3104000000004004", PurseAlgorithm.SM4, 0x01, 0),
    CardSpec("senior", "3104000000005005", PurseAlgorithm.DES, 0x03, 250_000),
)
REGISTERED = CARDS[0]


def set_up(directory: Path) -> None:
    """A fresh counter in ``directory``: keystore, journal, store, parameters, holder, cards."""
    issuers = {
        PurseAlgorithm.DES: IssuerKeySet.generate(PurseAlgorithm.DES, 1),
        PurseAlgorithm.SM4: IssuerKeySet.generate(PurseAlgorithm.SM4, 2),
    }
    sam_profile = rig_sam_profile(list(issuers.values()))
    sam_profile.terminal_id = bytes.fromhex(TERMINAL_ID)
    sam_profile.save(sam_path(directory))
    composition.init_counter(directory, PASSPHRASE, DEVICE_ID, TERMINAL_ID, CHEAP_KDF)
    counter = composition.open_counter(directory, PASSPHRASE, sam=open_sam(directory))
    try:
        assert stored_parameters.save(counter.store, PARAMETERS, 0)
        index_key = keystore(directory).get(composition.HOLDER_INDEX_KEY)
        holders.register(
            counter.store, index_key, REGISTERED.serial, HOLDER_NAME, HOLDER_ID, "13800001234"
        )
    finally:
        counter.close()
    for spec in CARDS:
        holder = HolderFields(1, 0, HOLDER_NAME, HOLDER_ID, 0) if spec.registered else None
        make_profile(
            issuers[spec.algorithm],
            serial=bytes.fromhex(spec.serial),
            balance_fen=spec.balance_fen,
            holder=holder,
            public_changes={"card_type": spec.card_type},
            max_balance_fen=CARD_MAX_BALANCE_FEN,
        ).save(directory / spec.path_name)
    (directory / SETUP_FILE).write_text(
        json.dumps({"cards": [spec.serial for spec in CARDS]}), encoding="utf-8"
    )


def sam_path(directory: Path) -> Path:
    """The counter's SAM (a chip, not a file of the counter): beside its data directory."""
    return directory.with_name(f"{directory.name}.psam.json")


def open_sam(directory: Path) -> ApduSam:
    """The counter's virtual PSAM/ISAM, in process, from its persisted profile."""
    return ApduSam.open(InProcessTransport(VirtualPsam.from_file(sam_path(directory))))


def keystore(directory: Path) -> Keystore:
    return Keystore.open(directory / "keystore.json", PASSPHRASE)


def journal_keys(directory: Path) -> JournalKeys:
    return JournalKeys.from_keystore(keystore(directory))


def rules_of(spec: CardSpec) -> CardTypeRules:
    rules = PARAMETERS.card_type(spec.card_type)
    assert rules is not None
    return rules


def explained(balance_gap: int, atc_gap: int | None, open_amounts: Iterable[int]) -> bool:
    """Whether a card's lead over the journal's done loads is some of its open intents.

    An open intent is a load whose outcome is not known yet: the card may or may not have it. A
    card is in order when what it holds beyond its done loads (balance and, when known, online
    ATC) is exactly a subset of its open intents, each counted at most once.
    """
    amounts = list(open_amounts)
    for size in range(len(amounts) + 1):
        if atc_gap is not None and size != atc_gap:
            continue
        if any(sum(chosen) == balance_gap for chosen in combinations(amounts, size)):
            return True
    return False


@dataclass
class Ledger:
    """The journal's load records, checked as they are read, with per-card sums."""

    last_seq: int = 0
    kinds: dict[int, str] = field(default_factory=dict)  # seq -> kind, every record
    intents: dict[int, JournalRecord] = field(default_factory=dict)
    outcomes: dict[int, JournalRecord] = field(default_factory=dict)  # by intent seq
    loaded: Counter[str] = field(default_factory=Counter)
    done: Counter[str] = field(default_factory=Counter)
    not_done: int = 0
    recovered: int = 0
    loss_state: dict[str, str] = field(default_factory=dict)  # serial -> last loss record kind
    loss_events: list[tuple[int, str, str]] = field(default_factory=list)  # seq, serial, kind
    shifts_opened: set[int] = field(default_factory=set)
    shift_closes: dict[int, JournalRecord] = field(default_factory=dict)

    def feed(self, records: Iterable[JournalRecord]) -> list[JournalRecord]:
        """Take records in seq order; returns them. Raises AssertionError on a broken rule."""
        taken = []
        for record in records:
            assert record.seq == self.last_seq + 1, f"seq {record.seq} after {self.last_seq}"
            self.last_seq = record.seq
            self.kinds[record.seq] = str(record.kind)
            taken.append(record)
            if record.kind == RecordKind.LOAD_INTENT:
                self.intents[record.seq] = record
            elif record.kind == RecordKind.LOAD_OUTCOME:
                self._outcome(record)
            elif record.kind in (RecordKind.LOSS_REPORT, RecordKind.LOSS_CANCEL):
                assert record.card_serial is not None
                self.loss_state[record.card_serial] = str(record.kind)
                self.loss_events.append((record.seq, record.card_serial, str(record.kind)))
            elif record.kind == RecordKind.SHIFT_OPEN:
                assert record.shift_id is not None
                self.shifts_opened.add(record.shift_id)
            elif record.kind == RecordKind.SHIFT_CLOSE:
                assert record.shift_id is not None
                assert record.shift_id not in self.shift_closes, f"shift closed twice: {record}"
                self.shift_closes[record.shift_id] = record
        return taken

    def _outcome(self, outcome: JournalRecord) -> None:
        seq = outcome.intent_seq
        assert seq is not None and seq in self.intents, f"outcome {outcome.seq} has no intent"
        assert seq not in self.outcomes, (
            f"intent {seq} settled twice: seq {self.outcomes[seq].seq} and seq {outcome.seq}"
        )
        intent = self.intents[seq]
        assert outcome.card_serial == intent.card_serial, f"outcome {outcome.seq}: another card"
        assert outcome.shift_id == intent.shift_id, f"outcome {outcome.seq} left its shift"
        payload = outcome.payload_dict()
        self.outcomes[seq] = outcome
        self.recovered += bool(payload.get("recovered"))
        if payload.get("outcome") == Outcome.DONE:
            assert outcome.amount_fen == intent.amount_fen, f"outcome {outcome.seq}: amount"
            assert outcome.payment_method == intent.payment_method, f"outcome {outcome.seq}"
            assert intent.balance_before_fen is not None and intent.amount_fen is not None
            assert outcome.balance_after_fen == intent.balance_before_fen + intent.amount_fen
            self.loaded[str(intent.card_serial)] += intent.amount_fen
            self.done[str(intent.card_serial)] += 1
        else:
            assert payload.get("outcome") == Outcome.NOT_DONE, f"outcome {outcome.seq}: {payload}"
            assert outcome.amount_fen is None and outcome.payment_method is None
            self.not_done += 1

    def open_intents(self, serial: str) -> list[JournalRecord]:
        return [
            r for s, r in self.intents.items() if s not in self.outcomes and r.card_serial == serial
        ]

    def done_outcomes(self) -> list[JournalRecord]:
        return [
            r for r in self.outcomes.values() if r.payload_dict().get("outcome") == Outcome.DONE
        ]

    def last_done(self, serial: str) -> JournalRecord | None:
        mine = [r for r in self.done_outcomes() if r.card_serial == serial]
        return max(mine, key=lambda r: r.seq, default=None)

    def reported_lost_at(self, serial: str, seq: int) -> bool:
        """Whether the journal had ``serial`` reported lost (not cancelled) just before ``seq``."""
        kinds = [k for s, card, k in self.loss_events if card == serial and s < seq]
        return bool(kinds) and kinds[-1] == RecordKind.LOSS_REPORT

    def cash_done(self, shift_id: int) -> int:
        return sum(
            r.amount_fen or 0
            for r in self.done_outcomes()
            if r.shift_id == shift_id and r.payment_method == PaymentMethod.CASH
        )


# Kinds of store/journal disagreement (see :func:`store_disagreements`).
LOSS_REPORT_NOT_LISTED = "loss report journaled, card not on the blacklist"
LOSS_CANCEL_STILL_LISTED = "loss cancel journaled, card still on the blacklist"
SHIFT_NOT_JOURNALED = "shift in the store that the journal never saw opened"


def store_disagreements(store: Store, ledger: Ledger) -> list[tuple[str, str]]:
    """Where the counter store says something its journal does not: (kind, detail) pairs.

    The journal is the evidence and the store what changes in place; after any crash they must
    still agree: the registered card is blacklisted exactly when its last loss record is a
    report, and every shift the store holds was journaled as opened.
    """
    found: list[tuple[str, str]] = []
    serial = REGISTERED.serial
    listed = blacklist.lookup(store, serial) is not None
    last = ledger.loss_state.get(serial)
    if last == RecordKind.LOSS_REPORT and not listed:
        found.append((LOSS_REPORT_NOT_LISTED, f"card {serial}"))
    if listed and last != RecordKind.LOSS_REPORT:
        found.append((LOSS_CANCEL_STILL_LISTED, f"card {serial}, last loss record {last}"))
    known = ledger.shifts_opened | {s.id for s in shift_rows.open_shifts(store)}
    for shift_id in range(1, max(known, default=0) + 1):
        shift = shift_rows.get(store, shift_id)
        if shift is not None and shift_id not in ledger.shifts_opened:
            found.append((SHIFT_NOT_JOURNALED, f"shift {shift_id} ({shift.opening_float_fen} fen)"))
    return found
