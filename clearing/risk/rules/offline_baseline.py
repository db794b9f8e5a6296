"""Offline top-ups of a device against its own baseline.

A counter tops up offline (MAC2 from its SAM) when the center cannot be reached. A device whose
offline top-ups of a day exceed ``factor`` × its own daily average over the previous
``baseline_days`` (and ``min_count``) is either cut off for a reason someone should know, or
staying offline on purpose to escape the center's online checks.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearing.risk.facts import Finding
from clearing.risk.parameters import OfflineBaseline

RULE = "offline_baseline"


def find(
    device_id: str, day: str, today: int, history: Sequence[int], params: OfflineBaseline
) -> list[Finding]:
    """``today``: offline top-ups of ``day``; ``history``: the counts of the previous days."""
    days = list(history)[-params.baseline_days :]
    average = sum(days) / params.baseline_days
    if today < params.min_count or today <= params.factor * average:
        return []
    return [
        Finding(
            RULE,
            f"{RULE}:{device_id}:{day}",
            f"device:{device_id}",
            f"device {device_id}: {today} offline top-ups on {day}, against a daily average "
            f"of {average:.1f} over the previous {params.baseline_days} days",
            summary_zh=f"设备 {device_id}：{day} 脱机充值 {today} 笔，前 {params.baseline_days} "
            f"天日均 {average:.1f} 笔",
        )
    ]
