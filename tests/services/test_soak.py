"""The randomized soak (issue 4, "Proofs"): a thousand counter operations, torn cards, SIGKILLs.

One counter directory (keystore, journal, store; a DES and an SM4 issuer) and five virtual cards
persisted as profile files, one of them registered to a holder. A *worker* process
(:mod:`tests.services.soak_child`, forked by a small fork server so that a restart costs
milliseconds, not a second of imports) opens all of it from the files and runs operations drawn
from a seeded plan — top-ups (random valid amounts and payment methods, and invalid ones that
must be refused), taps that settle interrupted top-ups, loss report and supervisor cancel,
re-reads, shift changes — with tears and lost answers injected at random APDUs. The parent
kills the worker with SIGKILL at a random moment (mostly 10-150 ms after it is ready, now and
then while it is still opening its files), restarts it, and so on until the workers have
reported at least a thousand finished operations.

After every kill, from the files alone: the journal opens healthy; its load records make sense
(every outcome has its intent, no intent is settled twice, a done outcome repeats its intent);
every card holds its opening balance plus the journal's done loads plus some of its open
intents (balance *and* online ATC); every operation a worker reported is in the journal as
reported. At the end each card is tapped once to settle what is still open, then: no open
intent, every card balance = opening balance + done loads (and ATC = number of done loads),
every intent saw the balance the previous loads left, ``verify(full=True)`` is ok, and the
shift totals and grand total are the sums of the done outcomes.

The plan comes from ``random.Random(seed)``; the seed is printed and ``SOAK_SEED=<seed>`` repeats
the draws (the kill timing is up to the scheduler). ``SOAK_OPS=<n>`` soaks longer.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app import composition
from app.card.inprocess import InProcessTransport
from app.card.session import CityCard
from app.journal import Journal, JournalKeys, Outcome, RecordKind
from app.services.recovery import Settlement
from cardsim.card import VirtualCityCard
from cardsim.profile import CardProfile
from tests.services import soak_support as soak
from tests.services.soak_support import Ledger

ROOT = Path(__file__).resolve().parents[2]
TARGET_OPS = int(os.environ.get("SOAK_OPS") or 1_000)
MIN_KILLS = 40
EARLY_KILL_P = 0.1  # share of workers killed while they still open their files
FULL_VERIFY_EVERY = 10  # lives
TIMEOUT_S = 30.0

# Store/journal disagreements a kill may leave (none: the counter reconciles them at start-up)
KNOWN_STORE_GAPS: frozenset[str] = frozenset()


class Server:
    """The fork server child: send it ``run``, read its ``forked``/``ready``/``exited`` lines."""

    def __init__(self, directory: Path) -> None:
        self.log_path = directory / "server.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.services.soak_child", str(directory)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin = self.process.stdin
        self._fd = self.process.stdout.fileno()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._fd, selectors.EVENT_READ)
        self._buffer = b""
        self.events: list[list[str]] = []

    def send(self, line: str) -> None:
        self._stdin.write(f"{line}\n".encode())
        self._stdin.flush()

    def wait_for(
        self, *kinds: str, pid: int | None = None, timeout: float = TIMEOUT_S
    ) -> list[str]:
        """The first event of one of ``kinds`` (for ``pid`` if given); removed from the queue."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event[0] in kinds and (pid is None or int(event[1]) == pid):
                    self.events.remove(event)
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no {kinds} from the soak server in {timeout} s: {self.tail()}"
                )
            if self._selector.select(left):
                chunk = os.read(self._fd, 4096)
                if not chunk:
                    raise AssertionError(f"the soak server ended: {self.tail()}")
                self._buffer += chunk
                *lines, self._buffer = self._buffer.split(b"\n")
                self.events.extend(line.decode().split() for line in lines if line)

    def tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def close(self) -> None:
        try:
            self.send("quit")
            self._stdin.close()
            self.process.wait(TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            self._selector.close()
            self._log.close()


class Audit:
    """What the parent knows and checks between lives, from the files alone."""

    def __init__(self, directory: Path, seed: int) -> None:
        self.directory = directory
        self.seed = seed
        self.keys: JournalKeys = soak.journal_keys(directory)
        self.ledger = Ledger()
        self.lines: list[dict[str, Any]] = []
        self.stats: Counter[str] = Counter()
        self.findings: list[str] = []
        self.open_gaps: set[tuple[str, str]] = set()

    def report_lines(self, life: int) -> list[dict[str, Any]]:
        path = self.directory / "reports" / f"life-{life:04d}.jsonl"
        if not path.exists():
            return []
        text = path.read_text(encoding="utf-8")
        # a line the kill cut short is not a finished operation (one write(2) per line)
        return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]

    def after_life(self, life: int, context: str, *, full: bool) -> None:
        with Journal.open(self.directory / "journal.sqlite3", self.keys) as journal:
            assert journal.problem is None, f"{context}: the journal opened broken"
            self.ledger.feed(journal.records(after=self.ledger.last_seq))
            if full:
                verification = journal.verify(full=True)
                assert verification.ok, f"{context}:\n{verification.summary()}"
        for spec in soak.CARDS:
            profile = CardProfile.load(self.directory / spec.path_name)
            opened = [r.amount_fen or 0 for r in self.ledger.open_intents(spec.serial)]
            gap = profile.balance_fen - spec.balance_fen - self.ledger.loaded[spec.serial]
            atc_gap = profile.online_atc - self.ledger.done[spec.serial]
            assert soak.explained(gap, atc_gap, opened), (
                f"{context}: card {spec.name} is {gap} fen / {atc_gap} loads ahead of the "
                f"journal, its open intents are {opened}"
            )
        lines = self.report_lines(life)
        for line in lines:
            self._check_claim(line, f"{context}, operation {line['k']}")
        self.lines.extend(lines)
        self._check_store(context)

    def _check_claim(self, line: dict[str, Any], context: str) -> None:
        """What a worker reported as done is in the journal as reported."""
        outcomes, intents = self.ledger.outcomes, self.ledger.intents
        for intent_seq, outcome_seq, settlement in line.get("settled", []):
            outcome = outcomes.get(intent_seq)
            assert outcome is not None and outcome.seq == outcome_seq, f"{context}: {line}"
            done = settlement == Settlement.DONE.value
            assert (outcome.payload_dict()["outcome"] == Outcome.DONE) is done, context
        if line.get("result") == "done":
            outcome = outcomes.get(line["intent"])
            assert outcome is not None and outcome.seq == line["outcome"], f"{context}: {line}"
            assert outcome.amount_fen == line["amount"], f"{context}: {line}"
            assert outcome.payment_method == line["method"], f"{context}: {line}"
        if line.get("result") == "interrupted":
            assert intents[line["intent"]].amount_fen == line["amount"], f"{context}: {line}"
        if line.get("result") == "changed":
            close = self.ledger.shift_closes.get(line["closed"])
            assert close is not None, f"{context}: {line}"
            assert close.payload_dict()["expected_cash_fen"] == line["expected"], context
        if line["op"] == "loss" and "seq" in line:
            kind = {"reported": RecordKind.LOSS_REPORT, "cancelled": RecordKind.LOSS_CANCEL}
            assert self.ledger.kinds.get(line["seq"]) == kind[line["result"]], f"{context}: {line}"

    def _check_store(self, context: str) -> None:
        """After the restart's reconciliation the store agrees with the journal."""
        counter = composition.open_counter(
            self.directory, soak.PASSPHRASE, sam=soak.open_sam(self.directory)
        )  # as a restart does
        try:
            found = soak.store_disagreements(counter.store, self.ledger)
        finally:
            counter.close()
        for kind, detail in found:
            assert kind in KNOWN_STORE_GAPS, f"{context}: {kind}: {detail}"
            if (kind, detail) not in self.open_gaps:  # report a gap once, not every life it lasts
                self.stats[f"known gap: {kind}"] += 1
                self.findings.append(f"{context}: {kind}: {detail}")
        self.open_gaps = set(found)

    def settle_and_check_everything(self, context: str) -> None:
        """Tap every card once, then every invariant of the soak, on the files."""
        counter = composition.open_counter(
            self.directory, soak.PASSPHRASE, sam=soak.open_sam(self.directory)
        )
        try:
            assert counter.journal.problem is None, context
            for spec in soak.CARDS:
                card = VirtualCityCard.from_file(self.directory / spec.path_name)
                for resolution in counter.recovery.resolve(CityCard.open(InProcessTransport(card))):
                    assert resolution.settlement is not Settlement.GREY, f"{context}: {resolution}"
                    self.stats["settled at the end"] += 1
            self.ledger.feed(counter.journal.records(after=self.ledger.last_seq))
            journal = counter.journal
            assert journal.open_intents() == [], f"{context}: open intents remain"
            assert len(self.ledger.outcomes) == len(self.ledger.intents), context
            for spec in soak.CARDS:
                profile = CardProfile.load(self.directory / spec.path_name)
                loaded = self.ledger.loaded[spec.serial]
                assert profile.balance_fen == spec.balance_fen + loaded, (
                    f"{context}: card {spec.name} holds {profile.balance_fen}, "
                    f"opening {spec.balance_fen} + done loads {loaded}"
                )
                assert profile.online_atc == self.ledger.done[spec.serial], context
                self._check_balance_chain(spec, context)
            verification = journal.verify(full=True)
            assert verification.ok, f"{context}:\n{verification.summary()}"
            self._check_totals(journal, context)
            self.stats["records"] = journal.head()[0]
        finally:
            counter.close()

    def _check_balance_chain(self, spec: soak.CardSpec, context: str) -> None:
        """Every intent saw the balance the earlier done loads left: nothing loaded unrecorded."""
        balance = spec.balance_fen
        for seq in sorted(
            s for s, r in self.ledger.intents.items() if r.card_serial == spec.serial
        ):
            intent = self.ledger.intents[seq]
            assert intent.balance_before_fen == balance, (
                f"{context}: intent {seq} on {spec.name} saw {intent.balance_before_fen}, "
                f"the journal's loads make {balance}"
            )
            if self.ledger.outcomes[seq].payload_dict()["outcome"] == Outcome.DONE:
                balance += intent.amount_fen or 0

    def _check_totals(self, journal: Journal, context: str) -> None:
        """Shift totals and the grand total of load outcomes are the sums of the done outcomes."""
        done = self.ledger.done_outcomes()
        expected: Counter[tuple[int | None, str | None]] = Counter()
        counts: Counter[tuple[int | None, str | None]] = Counter()
        for outcome in self.ledger.outcomes.values():
            key = (outcome.shift_id, outcome.payment_method)
            expected[key] += outcome.amount_fen or 0
            counts[key] += 1
        shifts = {r.shift_id for r in self.ledger.intents.values()} | self.ledger.shifts_opened
        seen: Counter[tuple[int | None, str | None]] = Counter()
        for shift_id in sorted(s for s in shifts if s is not None):
            for line in journal.shift_totals(shift_id):
                if line.kind != RecordKind.LOAD_OUTCOME:
                    continue
                key = (shift_id, line.payment_method)
                assert line.amount_fen == expected[key], f"{context}: shift totals {line}"
                assert line.count == counts[key], f"{context}: shift totals {line}"
                seen[key] += line.amount_fen
        assert seen == expected, f"{context}: shift totals {seen} vs outcomes {expected}"
        total = sum(r.amount_fen or 0 for r in done)
        assert journal.totals().get(RecordKind.LOAD_OUTCOME, 0) == total, context
        for shift_id, close in self.ledger.shift_closes.items():
            opening = int(close.payload_dict()["opening_float_fen"])
            cash = self.ledger.cash_done(shift_id)
            assert close.payload_dict()["expected_cash_fen"] == opening + cash, (
                f"{context}: shift {shift_id} closed expecting "
                f"{close.payload_dict()['expected_cash_fen']}, its cash loads now make "
                f"{opening + cash}"
            )
        self.stats["done loads"] = len(done)
        self.stats["loaded fen"] = total
        self.stats["shifts closed"] = len(self.ledger.shift_closes)


def _kill(server: Server, rng: random.Random, life: int, seed: int) -> tuple[int, str]:
    """Start one worker and have it SIGKILLed at a random moment; its wait status and when."""
    server.send(f"run {life} {seed}")
    pid = int(server.wait_for("forked")[1])
    if rng.random() < EARLY_KILL_P:
        delay = rng.uniform(0.0, 0.03)
        when = f"{delay * 1000:.1f} ms after the fork"
    else:
        event = server.wait_for("ready", "exited", pid=pid)
        if event[0] == "exited":
            return int(event[2]), "never: it ended before it was ready"
        delay = rng.uniform(0.010, 0.150)
        when = f"{delay * 1000:.1f} ms after it was ready"
    time.sleep(delay)
    server.send(f"kill {pid}")  # the server kills its own unreaped child: no pid reuse
    status = int(server.wait_for("exited", pid=pid)[2])
    server.events = [e for e in server.events if e[1] != str(pid)]  # a late "ready"
    return status, when


@pytest.mark.slow
def test_randomized_soak_with_tears_and_sigkills(tmp_path: Path) -> None:
    seed = int(os.environ.get("SOAK_SEED") or secrets.randbits(32))
    print(f"soak seed {seed} (SOAK_SEED={seed} repeats the draws)")
    rng = random.Random(seed)
    directory = tmp_path / "counter"
    directory.mkdir()
    soak.set_up(directory)
    audit = Audit(directory, seed)
    started = time.monotonic()
    server = Server(directory)
    life = 0
    try:
        while len(audit.lines) < TARGET_OPS or life < MIN_KILLS:
            life += 1
            status, when = _kill(server, rng, life, rng.randrange(2**32))
            context = f"seed {seed}, life {life} (killed {when})"
            err = directory / "reports" / f"life-{life:04d}.err"
            assert not err.exists(), f"{context}: the worker failed:\n{err.read_text()}"
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                f"{context}: the worker exited by itself ({status}): {server.tail()}"
            )
            audit.after_life(life, context, full=life % FULL_VERIFY_EVERY == 0)
            audit.stats["kills"] += 1
            audit.stats["early kills"] += "fork" in when
    finally:
        server.close()
    audit.settle_and_check_everything(f"seed {seed}, at the end")
    elapsed = time.monotonic() - started

    stats = audit.stats
    for line in audit.lines:
        stats[f"op {line['op']}"] += 1
        stats[f"{line['op']} {line['result']}"] += 1
        if line.get("predicted"):
            stats[f"refused: {line['predicted']}"] += line["result"] == "refused"
        fired = line.get("fired", [])
        stats["faults armed"] += bool(line.get("armed"))
        stats["faults fired"] += len(fired)
        stats["tears"] += sum(f.startswith("CardTorn") for f in fired)
        stats["lost answers"] += sum(f.startswith("ResponseLost") for f in fired)
    stats["operations"] = len(audit.lines)
    stats["recovered outcomes"] = audit.ledger.recovered
    stats["not-done outcomes"] = audit.ledger.not_done
    finished = {line["intent"] for line in audit.lines if "intent" in line}
    stats["intents whose top-up a kill cut short"] = len(set(audit.ledger.intents) - finished)
    stats["top-ups done on a card the journal had reported lost"] = sum(
        audit.ledger.reported_lost_at(str(r.card_serial), r.intent_seq or 0)
        for r in audit.ledger.done_outcomes()
    )
    print(f"soak: {life} lives in {elapsed:.1f} s")
    for key in sorted(stats):
        print(f"  {key}: {stats[key]}")
    for finding in audit.findings:
        print(f"  known gap: {finding}")

    # the soak is only worth something if it really did all of this (a thousand operations
    # give several times these numbers)
    assert stats["operations"] >= TARGET_OPS
    assert stats["kills"] >= MIN_KILLS
    at_least = {
        "topup done": 100,
        "tears": 20,
        "lost answers": 10,
        "topup interrupted": 5,
        "recovered outcomes": 10,
        "not-done outcomes": 5,
        "intents whose top-up a kill cut short": 1,
        "invalid refused": 30,
        "refused: would exceed": 5,
        "refused: reported lost": 5,
        "refused: Offline top-ups are limited": 5,
        "loss reported": 5,
        "loss cancelled": 5,
        "shifts closed": 3,
    }
    scale = min(TARGET_OPS, 1_000) / 1_000
    short = {k: stats[k] for k, n in at_least.items() if stats[k] < n * scale}
    assert not short, f"seed {seed}: the soak did too little of {short}"


class StoreJournalDisagreementError(AssertionError):
    """The store and the journal tell different stories after a crash."""


@pytest.mark.parametrize("where", ["loss_report", "loss_cancel", "shift_open"])
def test_a_kill_between_journal_and_store_leaves_them_agreeing(tmp_path: Path, where: str) -> None:
    directory = tmp_path / "counter"
    directory.mkdir()
    soak.set_up(directory)
    died = subprocess.run(
        [sys.executable, "-m", "tests.services.soak_child", str(directory), "--die-in", where],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == -signal.SIGKILL, died.stderr
    with closing(sqlite3.connect(directory / "counter.sqlite3")) as conn:
        (rows_before_restart,) = conn.execute(
            "SELECT count(*) FROM shift WHERE closed_at_us IS NULL"
        ).fetchone()
    counter = composition.open_counter(
        directory, soak.PASSPHRASE, sam=soak.open_sam(directory)
    )  # the restart
    try:
        ledger = Ledger()
        ledger.feed(counter.journal.records())
        assert counter.journal.verify(full=True).ok
        kinds = set(ledger.kinds.values())
        # the kill came where it was meant to
        if where == "shift_open":
            assert RecordKind.SHIFT_OPEN not in kinds
            assert rows_before_restart == 1  # the row was made, its record never written
            assert counter.shifts.current_shift(soak.CLERK) is None  # dropped at start-up
        else:
            assert RecordKind.LOSS_REPORT in kinds
            assert (RecordKind.LOSS_CANCEL in kinds) is (where == "loss_cancel")
        found = soak.store_disagreements(counter.store, ledger)
        if found:
            raise StoreJournalDisagreementError(f"after a kill in {where}: {found}")
    finally:
        counter.close()
