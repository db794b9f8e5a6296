"""SAM counter gaps and repeats: a money record deleted or rewritten before upload.

The PSAM numbers every purchase MAC1, the ISAM every offline load; the counter journals each
number once. A hole or a repeat in the uploaded numbers (found by :mod:`clearing.sam_counter`
at upload) means the journal lost or rewrote a money record, even when its chain verifies.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearing.risk.facts import Finding, SamCounterProblem
from clearing.risk.parameters import SamCounterGap

RULE = "sam_counter_gap"


def find(problems: Sequence[SamCounterProblem], params: SamCounterGap) -> list[Finding]:
    """A finding per gap (of at least ``min_missing`` numbers) and per repeat."""
    findings: list[Finding] = []
    for p in problems:
        where = "" if p.seq is None else f" at journal seq {p.seq}"
        evidence = () if p.seq is None else ((p.device_id, p.seq),)
        if p.kind == "gap" and p.follows is not None:
            missing = p.value - p.follows - 1
            if missing < params.min_missing:
                continue
            summary = (
                f"device {p.device_id}: {p.counter} seq {p.value} follows {p.follows}{where}: "
                f"{missing} SAM transaction(s) missing from the journal"
            )
            summary_zh = (
                f"设备 {p.device_id}：{p.counter} 序号 {p.value} 接在 {p.follows} 之后，"
                f"缺 {missing} 笔交易记录（疑似删除）"
            )
        elif p.kind == "repeat":
            summary = (
                f"device {p.device_id}: {p.counter} seq {p.value} used again{where}: a money "
                "record rewritten?"
            )
            summary_zh = f"设备 {p.device_id}：{p.counter} 序号 {p.value} 重复出现（疑似改写记录）"
        else:
            continue
        findings.append(
            Finding(
                RULE,
                f"{RULE}:{p.device_id}:{p.counter}:{p.value}:{p.kind}",
                f"device:{p.device_id}",
                summary,
                evidence,
                summary_zh=summary_zh,
            )
        )
    return findings
