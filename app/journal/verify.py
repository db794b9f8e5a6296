"""Re-check a journal: sequence, chain, MACs, time order, keys, grand totals, intents, checkpoints.

:class:`ChainVerifier` is fed records in ``seq`` order and checkpoints when the chain reaches them;
the database (:mod:`app.journal.journal`) and an auditor's archive (:mod:`app.journal.archive`)
both feed it, so both are checked by the same code. It keeps going after a problem (using the
stored MAC as the chain value) so that one altered record is reported once, not as a cascade.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes

from app.crypto.sm2 import Sm2Error, sm2_verify
from app.crypto.sm3 import HmacSm3Key
from app.journal.canonical import Value as CanonicalValue
from app.journal.canonical import (
    checkpoint_bytes,
    fingerprint,
    head_bytes,
    record_bytes,
)
from app.journal.kinds import INTENT_OF, OUTCOME_OF, RecordKind
from app.journal.records import GENESIS_PREV_MAC, Checkpoint, canonical_json

NO_SIGNATURE = bytes(64)
MAX_PROBLEMS = 100

KeyLookup = Callable[[str], HmacSm3Key | None]
RecordEncoder = Callable[[Sequence[CanonicalValue]], bytes]


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the record (seq) or checkpoint (number) and why, in plain words."""

    reason: str
    seq: int | None = None
    checkpoint: int | None = None

    def __str__(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"seq {self.seq}")
        if self.checkpoint is not None:
            where.append(f"checkpoint {self.checkpoint}")
        return f"{', '.join(where) or 'journal'}: {self.reason}"


@dataclass
class ChainState:
    """Where the chain stands after a verified point (the genesis state or a checkpoint)."""

    seq: int = 0
    mac: bytes = GENESIS_PREV_MAC
    at_us: int = 0
    key_id: str | None = None  # the key the next record must use; None before genesis
    totals: dict[str, int] = field(default_factory=dict)
    checkpoint_number: int = 0
    checkpoint_signature: bytes = NO_SIGNATURE


@dataclass
class VerificationReport:
    """What a verification found."""

    records_checked: int = 0
    checkpoints_checked: int = 0
    first_seq: int | None = None
    last_seq: int = 0
    head_mac: bytes = GENESIS_PREV_MAC
    macs_checked: bool = True
    since_checkpoint: int | None = None
    public_key_fingerprint: str = ""
    totals: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problems_truncated: bool = False

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong."""
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        """The first problem in chain order, or None."""
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        """A few lines for a terminal or a dialog."""
        scope = (
            f"since checkpoint {self.since_checkpoint}"
            if self.since_checkpoint is not None
            else "in full"
        )
        lines = [
            f"Journal checked {scope}: {self.records_checked} records "
            f"(seq {self.first_seq or 0}..{self.last_seq}), "
            f"{self.checkpoints_checked} checkpoints.",
            f"Device key fingerprint: {self.public_key_fingerprint}",
        ]
        if not self.macs_checked:
            lines.append("Record MACs not checked (no journal key); SM2 checkpoints cover content.")
        if self.ok:
            lines.append(f"OK. Chain head seq {self.last_seq}, MAC {self.head_mac.hex().upper()}.")
        else:
            first = self.problems[0]
            lines.append(f"BROKEN. First problem at {first}")
            lines += [f"  {p}" for p in self.problems[1:20]]
            more = len(self.problems) - 20
            if more > 0 or self.problems_truncated:
                lines.append("  … more problems not shown")
        return "\n".join(lines)


class ChainVerifier:
    """Checks records and checkpoints fed in chain order; see the module docstring."""

    def __init__(
        self,
        device_id: str,
        public_key: bytes,
        keys: KeyLookup | None,
        start: ChainState | None = None,
        encode: RecordEncoder = record_bytes,
    ) -> None:
        self._device_id = device_id
        self._encode = encode  # canonical.stored_record_bytes for rows read from SQLite
        self._public_key = public_key
        self._keys = keys
        self.state = start or ChainState()
        self._start_seq = self.state.seq  # intents before it were checked by an earlier run
        self._open_intents: dict[int, str] = {}
        self._key_id: str | None = None  # the last key looked up, and what the lookup gave
        self._key: HmacSm3Key | None = None
        self._digest = hashes.Hash(hashes.SM3())
        self.report = VerificationReport(
            macs_checked=keys is not None,
            since_checkpoint=None if start is None else start.checkpoint_number,
            public_key_fingerprint=fingerprint(public_key),
            last_seq=self.state.seq,
            head_mac=self.state.mac,
        )

    def _problem(self, reason: str, seq: int | None = None, checkpoint: int | None = None) -> None:
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(Problem(reason, seq, checkpoint))
        else:
            self.report.problems_truncated = True

    # -- records ---------------------------------------------------------------------------

    def record(self, row: Sequence[object]) -> None:
        """Check one record: a sequence of values in ``RECORD_COLUMNS`` order."""
        state = self.state
        seq = row[1]
        kind = row[2]
        at_us = row[3]
        if not isinstance(seq, int) or not isinstance(kind, str) or not isinstance(at_us, int):
            self._problem("the record's seq, kind or time is missing or of the wrong type", None)
            return
        prev_mac = row[20]
        mac = row[21]
        if not isinstance(prev_mac, bytes) or not isinstance(mac, bytes):
            self._problem("the record's MAC fields are missing", seq)
            return
        try:
            data = self._encode(row[:20])  # type: ignore[arg-type]
        except ValueError as exc:  # a stored value the canonical encoding cannot hold
            self._problem(f"a field has an impossible value ({exc})", seq)
            data = b""
        if self.report.first_seq is None:
            self.report.first_seq = seq
        self.report.records_checked += 1

        if row[0] != self._device_id:
            self._problem(f"written by device {row[0]!r}, not {self._device_id!r}", seq)
        expected = state.seq + 1
        if seq > expected:
            missing = f"{expected}" if seq == expected + 1 else f"{expected}..{seq - 1}"
            self._problem(f"gap: record {missing} missing before this one", seq)
        elif seq < expected:
            self._problem(f"out of order: seq {seq} comes after seq {state.seq}", seq)
        if prev_mac != state.mac:
            self._problem(
                "chain broken: its previous-MAC is not the MAC of the record before it", seq
            )
        if at_us < state.at_us:
            self._problem("time goes backwards: earlier than the record before it", seq)
        key_id = row[19]
        if state.key_id is not None and key_id != state.key_id:
            self._problem(f"MAC'd with key {key_id!r} where {state.key_id!r} was current", seq)
        signed = data + prev_mac
        if self._keys is not None and isinstance(key_id, str):
            if key_id != self._key_id:  # records come in long runs of one key
                self._key_id, self._key = key_id, self._keys(key_id)
            key = self._key
            if key is None:
                self._problem(f"MAC'd with key {key_id!r}, which this device does not hold", seq)
            elif not key.verify(signed, mac):
                self._problem("MAC does not match the contents: the record was altered", seq)
        self._check_totals(row, seq, kind)
        self._check_kind(row, seq, kind)
        self._digest.update(signed + mac)

        state.seq = seq
        state.mac = mac
        state.at_us = max(state.at_us, at_us)
        self.report.last_seq = seq
        self.report.head_mac = mac

    def _check_totals(self, row: Sequence[object], seq: int, kind: str) -> None:
        amount = row[7]
        total = row[17]
        expected = self.state.totals.get(kind, 0) + (amount if isinstance(amount, int) else 0)
        if total != expected:
            self._problem(f"grand total of {kind} is {total}, expected {expected}", seq)
        if isinstance(total, int):
            self.state.totals[kind] = total

    def _check_kind(self, row: Sequence[object], seq: int, kind: str) -> None:
        state = self.state
        if (seq == 1) != (kind == RecordKind.GENESIS):
            self._problem("the journal must start with exactly one genesis record", seq)
        if kind == RecordKind.GENESIS or state.key_id is None:
            state.key_id = row[19] if isinstance(row[19], str) else None
        if kind == RecordKind.KEY_ROTATION:
            new_key = _payload(row[18]).get("new_key_id")
            if isinstance(new_key, str) and new_key:
                state.key_id = new_key
            else:
                self._problem("key rotation without a new key id", seq)
        intent_seq = row[16]
        if kind in OUTCOME_OF:
            if intent_seq is not None:
                self._problem("an intent cannot refer to another record", seq)
            self._open_intents[seq] = kind
        elif kind in INTENT_OF:
            if not isinstance(intent_seq, int) or intent_seq >= seq:
                self._problem("an outcome must refer to an earlier intent", seq)
            elif intent_seq > self._start_seq:
                opened = self._open_intents.pop(intent_seq, None)
                if opened != INTENT_OF[kind]:
                    self._problem(
                        f"outcome for seq {intent_seq}, which is not an open {INTENT_OF[kind]}",
                        seq,
                    )
        elif intent_seq is not None:
            self._problem("only outcomes refer to an intent", seq)

    def batch_digest(self) -> bytes:
        """SM3 of the records fed since the last checkpoint (what the next checkpoint signs)."""
        return self._digest.copy().finalize()

    # -- checkpoints -----------------------------------------------------------------------

    def checkpoint(self, cp: Checkpoint) -> None:
        """Check a checkpoint; call it when the last record fed is the one at ``cp.seq``."""
        state = self.state
        self.report.checkpoints_checked += 1
        number = cp.number
        if number != state.checkpoint_number + 1:
            self._problem(
                f"checkpoint numbers jump from {state.checkpoint_number} to {number}",
                checkpoint=number,
            )
        if not checkpoint_signature_ok(cp, self._public_key):
            self._problem(
                "signature does not verify with the device key: the checkpoint was altered",
                cp.seq,
                number,
            )
        if cp.device_id != self._device_id:
            self._problem(f"signed for device {cp.device_id!r}", cp.seq, number)
        if cp.prev_signature != state.checkpoint_signature:
            self._problem("does not follow the checkpoint before it", cp.seq, number)
        if cp.seq != state.seq:
            self._problem(
                f"signs seq {cp.seq} but the chain is at seq {state.seq}"
                + (": records were removed" if cp.seq > state.seq else ""),
                cp.seq,
                number,
            )
        elif cp.head_mac != state.mac:
            self._problem("the signed head MAC differs from the record's MAC", cp.seq, number)
        if cp.at_us < state.at_us:
            self._problem("signed before the record it covers", cp.seq, number)
        if cp.totals != canonical_json(dict(sorted(state.totals.items()))):
            self._problem("signed grand totals differ from the records'", cp.seq, number)
        if cp.batch_digest != self._digest.finalize():
            self._problem(
                "the records it covers differ from those signed (batch digest)", cp.seq, number
            )
        self._digest = hashes.Hash(hashes.SM3())
        state.checkpoint_number = number
        state.checkpoint_signature = cp.signature

    def records_after_end(self, checkpoints: Sequence[Checkpoint]) -> None:
        """Checkpoints left over after the last record sign records that are gone."""
        for cp in checkpoints:
            self.checkpoint(cp)

    def head_anchor(self, seq: int, mac: bytes, key_id: str, anchor: bytes) -> None:
        """Check the keyed head anchor against where the chain ended."""
        state = self.state
        if seq != state.seq or mac != state.mac:
            self._problem(
                f"the journal ends at seq {state.seq} but its head anchor says seq {seq}"
                + (": records at the end were removed" if seq > state.seq else ""),
                state.seq,
            )
        if self._keys is not None:
            key = self._keys(key_id)
            data = head_bytes(self._device_id, seq, mac, state.checkpoint_number)
            if key is None or not key.verify(data, anchor):
                self._problem(
                    "the head anchor does not verify: it was altered, or the last "
                    f"checkpoint after number {state.checkpoint_number} was removed",
                    seq,
                )


def checkpoint_signature_ok(cp: Checkpoint, public_key: bytes) -> bool:
    """Whether ``cp`` is signed by ``public_key`` (and names it)."""
    if cp.public_key != public_key:
        return False
    try:
        data = checkpoint_bytes(
            (
                cp.device_id,
                cp.number,
                cp.seq,
                cp.head_mac,
                cp.batch_digest,
                cp.totals,
                cp.at_us,
                cp.reason,
                cp.prev_signature,
                cp.public_key,
            )
        )
        return sm2_verify(public_key, data, cp.signature)
    except (Sm2Error, ValueError):  # ValueError: a value the canonical encoding cannot hold
        return False


def _payload(text: object) -> dict[str, object]:
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def feed(
    verifier: ChainVerifier, rows: Iterable[Sequence[object]], checkpoints: Sequence[Checkpoint]
) -> None:
    """Feed records in seq order, each checkpoint right after the record it signs."""
    pending = list(checkpoints)
    i = 0
    # the seq after which the next checkpoint is fed (None: no checkpoint left)
    due = pending[0].seq if pending else None
    record = verifier.record
    for row in rows:
        seq = row[1]
        if due is not None and isinstance(seq, int) and due < seq:
            while i < len(pending) and pending[i].seq < seq:
                verifier.checkpoint(pending[i])
                i += 1
            due = pending[i].seq if i < len(pending) else None
        record(row)
    verifier.records_after_end(pending[i:])
