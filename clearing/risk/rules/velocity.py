"""Velocity: one card topped up at several outlets within minutes (a cloned or shared card)."""

from __future__ import annotations

from collections.abc import Sequence

from clearing.risk.facts import CardEvent, Finding
from clearing.risk.parameters import Velocity

RULE = "velocity"


def find(card_serial: str, events: Sequence[CardEvent], params: Velocity) -> list[Finding]:
    """A finding per window in which the card's loads touch ``outlets`` different devices."""
    loads = sorted((e for e in events if e.kind == "load"), key=lambda e: e.at_us)
    window = params.window_minutes * 60_000_000
    findings: list[Finding] = []
    start = 0
    reported_until = -1
    for end, event in enumerate(loads):
        while loads[start].at_us < event.at_us - window:
            start += 1
        inside = loads[start : end + 1]
        outlets = {e.device_id for e in inside}
        if len(outlets) < params.outlets or start <= reported_until:
            continue
        first = inside[0]
        findings.append(
            Finding(
                RULE,
                f"{RULE}:{card_serial}:{first.device_id}:{first.seq}",
                f"card:{card_serial}",
                f"card {card_serial}: topped up at {len(outlets)} outlets "
                f"({', '.join(sorted(outlets))}) within {params.window_minutes} minutes",
                tuple((e.device_id, e.seq) for e in inside),
                sum(e.amount_fen for e in inside),
                summary_zh=f"卡 {card_serial}：{params.window_minutes} 分钟内在 {len(outlets)} 个"
                f"网点充值（{', '.join(sorted(outlets))}）",
            )
        )
        reported_until = end
    return findings
