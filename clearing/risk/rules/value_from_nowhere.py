"""Value from nowhere: a card's balance rose without a load the center saw.

Consecutive completed writes of a card must chain: a load adds its amount, a purchase takes it,
and the balance before a write is at most the balance after the previous one (it is lower when the
card was spent elsewhere — transit — which this center does not see). A balance that *rises*
between two writes, or inside one (after > before ± amount), is value no counter recorded: the
strongest sign of a forged load — unless the center authorised an online load with the card's
next online ATC that covers the rise (its records may still be on their way).

A rise inside one record is found at once. A rise between two records waits until the later one is
*settled* (``settled_until_us``: every device has uploaded past its time, or the offline brakes
would have stopped a device that did not): before that, a load still on its way from another
counter could explain it.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearing.risk.facts import AuthorisedLoad, CardEvent, Finding
from clearing.risk.parameters import ValueFromNowhere

RULE = "value_from_nowhere"


def _yuan(fen: int | None) -> str:
    return "?" if fen is None else f"{fen / 100:.2f}"


def _expected_after(event: CardEvent) -> int | None:
    if event.balance_before_fen is None:
        return None
    sign = 1 if event.kind == "load" else -1
    return event.balance_before_fen + sign * event.amount_fen


def _covered(rise: int, next_atc: int | None, authorised: Sequence[AuthorisedLoad]) -> bool:
    return next_atc is not None and any(
        a.online_atc == next_atc and a.amount_fen >= rise for a in authorised
    )


def find(
    card_serial: str,
    events: Sequence[CardEvent],
    authorised: Sequence[AuthorisedLoad],
    params: ValueFromNowhere,
    settled_until_us: int,
) -> list[Finding]:
    """Every rise of the card's balance no load explains; ``events`` in time order."""
    findings: list[Finding] = []
    previous: CardEvent | None = None
    last_atc: int | None = None
    for event in events:
        expected = _expected_after(event)
        after = event.balance_after_fen
        if expected is not None and after is not None and after - expected > params.tolerance_fen:
            findings.append(
                Finding(
                    RULE,
                    f"{RULE}:{card_serial}:{event.device_id}:{event.seq}",
                    f"card:{card_serial}",
                    f"card {card_serial}: the {event.kind} at {event.device_id} seq {event.seq} "
                    f"left {after} fen on the card, {after - expected} fen more than "
                    f"{event.balance_before_fen} fen {'+' if event.kind == 'load' else '-'} "
                    f"{event.amount_fen} fen",
                    ((event.device_id, event.intent_seq), (event.device_id, event.seq)),
                    after - expected,
                    summary_zh=f"卡 {card_serial}：{event.device_id} 序号 {event.seq} 的交易后余额 "
                    f"{after / 100:.2f} 元，比交易前 {_yuan(event.balance_before_fen)} 元"
                    f"{'加' if event.kind == 'load' else '减'} {event.amount_fen / 100:.2f} 元"
                    f"多出 {(after - expected) / 100:.2f} 元",
                )
            )
        if (
            previous is not None
            and previous.balance_after_fen is not None
            and event.at_us <= settled_until_us
        ):
            before = event.balance_before_fen
            next_atc = None if last_atc is None else last_atc + 1
            rise = None if before is None else before - previous.balance_after_fen
            if (
                rise is not None
                and rise > params.tolerance_fen
                and not _covered(rise, next_atc, authorised)
            ):
                findings.append(
                    Finding(
                        RULE,
                        f"{RULE}:{card_serial}:{previous.device_id}:{previous.seq}:"
                        f"{event.device_id}:{event.seq}",
                        f"card:{card_serial}",
                        f"card {card_serial}: {previous.balance_after_fen} fen after "
                        f"{previous.device_id} seq {previous.seq}, but {before} fen before "
                        f"{event.device_id} seq {event.intent_seq}: {rise} fen appeared "
                        "without a load",
                        ((previous.device_id, previous.seq), (event.device_id, event.intent_seq)),
                        rise,
                        summary_zh=f"卡 {card_serial}：{previous.device_id} 序号 {previous.seq} "
                        f"后余额 {_yuan(previous.balance_after_fen)} 元，{event.device_id} 序号 "
                        f"{event.intent_seq} 前却为 {_yuan(before)} 元，无充值来源多出 "
                        f"{rise / 100:.2f} 元",
                    )
                )
        if event.kind == "load" and event.online_atc is not None:
            last_atc = event.online_atc
        previous = event
    return findings
