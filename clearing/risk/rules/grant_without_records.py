"""Grants without their journal records: a MAC2 the center gave that the journal does not show.

The center's grant check (:mod:`clearing.grants`) matches every online grant with the load
intent and outcome the device uploads; a grant still unmatched after ``reconcile_after_seconds``,
or journaled with another amount, may have loaded a card with no record of the money taken.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearing.risk.facts import Finding, GrantProblem
from clearing.risk.parameters import GrantWithoutRecords

RULE = "grant_without_records"


def find(problems: Sequence[GrantProblem], params: GrantWithoutRecords) -> list[Finding]:
    """A finding per grant the grant check flagged, at or above ``min_amount_fen``."""
    findings: list[Finding] = []
    for grant in problems:
        if grant.amount_fen < params.min_amount_fen:
            continue
        yuan = f"{grant.amount_fen / 100:.2f}"
        evidence = () if grant.intent_seq is None else ((grant.device_id, grant.intent_seq),)
        missing_zh = "金额与日志不符" if grant.intent_seq is not None else "日志中无对应充值记录"
        findings.append(
            Finding(
                RULE,
                f"{RULE}:{grant.grant_id}",
                f"device:{grant.device_id}",
                f"device {grant.device_id}: online grant {grant.grant_id} of {yuan} yuan to card "
                f"{grant.card_serial}: {grant.reason}",
                evidence,
                grant.amount_fen,
                summary_zh=f"设备 {grant.device_id}：联机授权 {grant.grant_id}"
                f"（卡 {grant.card_serial}，{yuan} 元）{missing_zh}，可能充值未记账",
            )
        )
    return findings
