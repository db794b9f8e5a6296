"""Insider patterns per clerk over weeks: voids after cash top-ups, refunds, cash differences.

A clerk who takes cash for a top-up and then voids it keeps the cash; many voids against the
clerk's cash top-ups, many refunds, or shifts that keep closing short are each worth a look.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearing.risk.facts import ClerkAct, Finding
from clearing.risk.parameters import ClerkPattern

RULE = "clerk_pattern"


def _window_key(now_us: int, params: ClerkPattern) -> int:
    return now_us // (params.window_days * 86_400_000_000)


def find(
    operator: str, acts: Sequence[ClerkAct], cash_loads: int, now_us: int, params: ClerkPattern
) -> list[Finding]:
    """Findings for the clerk's voids, refunds and shift closes of the last ``window_days``.

    ``cash_loads``: the clerk's cash top-ups in that window (one per window and kind).
    """
    since = now_us - params.window_days * 86_400_000_000
    recent = sorted((a for a in acts if a.at_us >= since), key=lambda a: a.at_us)
    voids = [a for a in recent if a.kind == "void"]
    refunds = [a for a in recent if a.kind == "refund"]
    closes = [a for a in recent if a.kind == "shift_close"]
    window = _window_key(now_us, params)
    subject = f"operator:{operator}"
    findings: list[Finding] = []
    if len(voids) >= params.min_voids and len(voids) * 100 >= params.void_ratio_percent * max(
        cash_loads, 1
    ):
        findings.append(
            Finding(
                RULE,
                f"{RULE}:voids:{operator}:{window}",
                subject,
                f"clerk {operator}: {len(voids)} voids against {cash_loads} cash top-ups "
                f"in {params.window_days} days",
                tuple((a.device_id, a.seq) for a in voids[:20]),
                sum(a.amount_fen for a in voids),
                summary_zh=f"柜员 {operator}：{params.window_days} 天内现金充值 {cash_loads} 笔，"
                f"冲正 {len(voids)} 笔",
            )
        )
    if len(refunds) > params.max_refunds:
        findings.append(
            Finding(
                RULE,
                f"{RULE}:refunds:{operator}:{window}",
                subject,
                f"clerk {operator}: {len(refunds)} refunds in {params.window_days} days",
                tuple((a.device_id, a.seq) for a in refunds[:20]),
                sum(a.amount_fen for a in refunds),
                summary_zh=f"柜员 {operator}：{params.window_days} 天内退款 {len(refunds)} 笔",
            )
        )
    difference = sum(abs(a.cash_difference_fen) for a in closes)
    if closes and difference > params.max_cash_difference_fen:
        findings.append(
            Finding(
                RULE,
                f"{RULE}:cash:{operator}:{window}",
                subject,
                f"clerk {operator}: shifts closed {difference} fen off the expected cash "
                f"in {params.window_days} days",
                tuple((a.device_id, a.seq) for a in closes if a.cash_difference_fen)[:20],
                difference,
                summary_zh=f"柜员 {operator}：{params.window_days} 天内交班长短款合计 "
                f"{difference / 100:.2f} 元",
            )
        )
    return findings
