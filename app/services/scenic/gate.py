"""Entry checks at the gates: every tap journaled, admissions counted, a quick re-use flagged.

A tap gives valid / expired / not yet valid / blacklisted / not found (``scenic_entry``);
admissions are counted per day and gate; a second admission on one pass within the
catalogue's interval is admitted but flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.card.session import CityCard
from app.domain.people import Actor, Role
from app.domain.scenic import AnnualPass, EntryVerdict
from app.domain.texts import fill, marked
from app.journal import Entry, JournalRecord, RecordKind
from app.journal.records import from_micros
from app.services.errors import RefusedError
from app.services.operators import require
from app.services.progress import Progress, no_progress
from app.services.scenic.common import LookupSource, ScenicContext
from app.services.scenic.passes import PassBook
from app.store import blacklist
from app.store import scenic as scenic_store

_VERDICT_TEXTS: Mapping[EntryVerdict, str] = {
    EntryVerdict.VALID: marked("Pass valid until {until}: admit {holder}."),
    EntryVerdict.EXPIRED: marked("The pass of card {serial} expired on {until}."),
    EntryVerdict.NOT_YET_VALID: marked("The pass of card {serial} is valid from {since}."),
    EntryVerdict.BLACKLISTED: marked(
        "Card {serial} is blacklisted: do not admit; keep the card if you can."
    ),
    EntryVerdict.NOT_FOUND: marked("Card {serial} has no annual pass: sell a ticket."),
}
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


def store_entry(context: ScenicContext, record: JournalRecord) -> None:
    """Count a ``scenic_entry`` record in the store."""
    p = record.payload_dict()
    pass_id = p.get("pass_id")
    scenic_store.add_entry(
        context.store,
        record.seq,
        None if pass_id is None else str(pass_id),
        record.card_serial or "",
        str(p["gate"]),
        date.fromisoformat(str(p["day"])),
        record.at_us,
        str(p["verdict"]),
        bool(p.get("flagged")),
    )


class Gate:
    """Checks passes at the gates and counts admissions."""

    def __init__(self, context: ScenicContext, passes: PassBook) -> None:
        self._context = context
        self._passes = passes

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
        context = self._context
        catalogue = context.catalogue()
        if gate not in catalogue.gates:
            raise RefusedError(
                "There is no gate {gate!r} at this scenic area.",
                "Choose the gate in the ticket office page.",
                gate=gate,
            )
        serial = card_serial.strip().upper()
        now = context.clock()
        today = now.astimezone(context.timezone).date()
        annual_pass: AnnualPass | None = None
        source = LookupSource.COUNTER
        if blocked or blacklist.lookup(context.store, serial) is not None:
            verdict = EntryVerdict.BLACKLISTED
        else:
            annual_pass, source = self._passes.find_pass(actor, serial)
            verdict = (
                EntryVerdict.NOT_FOUND if annual_pass is None else annual_pass.verdict_on(today)
            )
        flagged = False
        previous = None
        if verdict is EntryVerdict.VALID and annual_pass is not None:
            previous = scenic_store.last_admission(context.store, annual_pass.pass_id)
            interval = timedelta(seconds=catalogue.reuse_interval_s)
            flagged = previous is not None and now - from_micros(previous.at_us) < interval
        record = context.journal.append(
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
        store_entry(context, record)
        count = scenic_store.admissions_by_gate(context.store, today).get(gate, 0)
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

    def admissions_by_gate(self, day: date | None = None) -> dict[str, int]:
        """Admissions per gate on ``day`` (default: today, in the counter's time zone)."""
        return scenic_store.admissions_by_gate(self._context.store, day or self._context.today())
