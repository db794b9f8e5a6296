"""Counters on loopback for the risk scenarios.

A real center (uvicorn, issuer keys loaded); devices enrolled through the sync client; journals
written as the counter's services write them (``app.services.topup`` entries, TACs the issuer
keys give); uploads by the sync ``Uploader``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, select

from app.card.issuer_keys import IssuerKeySet
from app.card.sam import LoadAuthorization, SoftwareSam
from app.card.session import PurseKeyRef
from app.crypto.purse import PurseAlgorithm
from app.domain.people import Actor, Role
from app.journal import Entry, Journal, JournalRecord, RecordKind
from app.services.topup import MAC_PATH_CENTER, MAC_PATH_SAM, done_entry, intent_entry
from app.sync.client import CenterClient
from app.sync.uploader import Uploader
from clearing.risk.models import RiskAlarmRow
from tests.clearing.support import JournalClock, ManualClock
from tests.sync.support import enrol

CHINA = timezone(timedelta(hours=8))


@dataclass
class Card:
    """A card as the scenario moves it: its balance and online ATC."""

    serial: str
    balance_fen: int = 0
    online_atc: int = 0


@dataclass
class Counter:
    """One enrolled device: its journal and how it uploads."""

    device_id: str
    terminal_id: str
    journal: Journal
    client: CenterClient
    uploader: Uploader
    sam: SoftwareSam
    clock: ManualClock
    shift_id: int = 1
    written: list[JournalRecord] = field(default_factory=list)

    def _append(self, entry: Entry) -> JournalRecord:
        record = self.journal.append(entry)
        self.written.append(record)
        return record

    def load(
        self,
        card: Card,
        amount: int,
        *,
        operator: str = "op1",
        method: str = "cash",
        online: bool = True,
        claimed_after: int | None = None,
    ) -> tuple[JournalRecord, JournalRecord]:
        """A top-up as the top-up service journals it; the TAC is the one the card would give.

        ``claimed_after``: a forged outcome claiming another balance after, TAC'd with the
        (leaked) issuer keys so that it verifies.
        """
        when = self.clock.now.astimezone(CHINA).replace(tzinfo=None, microsecond=0)
        auth = LoadAuthorization(
            serial=bytes.fromhex(card.serial),
            keys=PurseKeyRef(PurseAlgorithm.DES, 1),
            random=bytes(4),
            online_atc=card.online_atc,
            balance_fen=card.balance_fen,
            amount_fen=amount,
            terminal_id=bytes.fromhex(self.terminal_id),
            mac1=bytes(4),
            when=when,
        )
        intent = self._append(
            intent_entry(
                Actor(operator, operator, Role.CLERK),
                self.shift_id,
                auth,
                bytes(4),
                method,
                None,
                mac_path=MAC_PATH_CENTER if online else MAC_PATH_SAM,
            )
        )
        after = card.balance_fen + amount if claimed_after is None else claimed_after
        tac_auth = LoadAuthorization(**{**auth.__dict__, "balance_fen": after - amount})
        outcome = self._append(done_entry(intent, after, self.sam.load_tac(tac_auth)))
        card.balance_fen = after
        card.online_atc += 1
        return intent, outcome

    def purchase(self, card: Card, amount: int, *, operator: str = "op1") -> JournalRecord:
        """A purse payment at the counter (intent and done outcome)."""
        intent = self._append(
            Entry(
                RecordKind.PURCHASE_INTENT,
                operator=operator,
                shift_id=self.shift_id,
                card_serial=card.serial,
                amount_fen=amount,
                payment_method="purse",
                balance_before_fen=card.balance_fen,
                balance_after_fen=card.balance_fen - amount,
                atc=1,
            )
        )
        card.balance_fen -= amount
        return self._append(
            Entry(
                RecordKind.PURCHASE_OUTCOME,
                operator=operator,
                shift_id=self.shift_id,
                card_serial=card.serial,
                amount_fen=amount,
                payment_method="purse",
                balance_after_fen=card.balance_fen,
                tac=bytes(4),
                intent_seq=intent.seq,
                payload={"outcome": "done"},
            )
        )

    def void(self, card: Card, load: JournalRecord, *, operator: str = "op1") -> JournalRecord:
        """A void of ``load``: the amount taken back from the card, then the void record."""
        debit = self.purchase(card, load.amount_fen or 0, operator=operator)
        return self._append(
            Entry(
                RecordKind.VOID,
                operator=operator,
                shift_id=self.shift_id,
                card_serial=card.serial,
                amount_fen=load.amount_fen,
                payment_method=load.payment_method,
                balance_before_fen=debit.balance_after_fen,
                balance_after_fen=debit.balance_after_fen,
                payload={"voided_seq": load.seq, "purchase_seq": debit.seq},
            )
        )

    def note(self, text: str = "end of shift", *, operator: str = "op1") -> JournalRecord:
        """Any later record (the counter goes on working)."""
        return self._append(Entry(RecordKind.NOTE, operator=operator, payload={"text": text}))

    def upload(self) -> None:
        """Send everything not yet acknowledged through the sync client."""
        self.client.server_time()  # the scenario's clock moved: sign with the center's time
        run = self.uploader.upload()
        assert run.complete and not run.set_aside, run


class Fleet:
    """The center on loopback and the counters enrolled with it."""

    def __init__(self, base: str, db_url: str, tmp: Path, issuer: IssuerKeySet) -> None:
        self.base = base
        self.db_url = db_url
        self.tmp = tmp
        self.clock = ManualClock(datetime(2026, 11, 28, 1, 0, tzinfo=CHINA))
        self.sam = SoftwareSam({1: issuer})
        self.counters: list[Counter] = []
        self.engine = create_engine(db_url)

    def counter(self, device_id: str, terminal_id: str) -> Counter:
        enrolled = enrol(self.base, self.db_url, device_id, terminal_id)
        journal = Journal.create(
            self.tmp / f"{device_id}.sqlite3",
            enrolled.keys,
            device_id,
            terminal_id,
            JournalClock(self.clock),
        )
        made = Counter(
            device_id,
            terminal_id,
            journal,
            enrolled.client,
            Uploader(enrolled.client, journal, batch_size=500, checkpoint_every=None),
            self.sam,
            self.clock,
        )
        self.counters.append(made)
        return made

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))

    def rules_done(self, timeout: float = 30.0) -> None:
        """Wait until the rules ran after every batch taken (they run after the answer is sent).

        Read from the center's own metrics: risk evaluations against batches taken.
        """
        deadline = time.monotonic() + timeout
        while True:
            text = requests.get(f"{self.base}/metrics", timeout=5).text
            taken = evaluated = 0.0
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    if sample.name == "citycard_ingest_batches_total" and (
                        sample.labels.get("result") == "taken"
                    ):
                        taken += sample.value
                    elif sample.name == "citycard_risk_evaluation_seconds_count":
                        evaluated += sample.value
            if evaluated >= taken:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the rules ran after {evaluated} of {taken} batches")
            time.sleep(0.02)

    def alarms(self) -> list[tuple[str, str]]:
        """(rule, subject) of every alarm the center raised, in order (once the rules ran)."""
        self.rules_done()
        with self.engine.connect() as conn:
            rows = conn.execute(select(RiskAlarmRow.rule, RiskAlarmRow.subject).order_by("id"))
            return [(str(rule), str(subject)) for rule, subject in rows]

    def close(self) -> None:
        for counter in self.counters:
            counter.journal.close()
            counter.client.close()
        self.engine.dispose()
