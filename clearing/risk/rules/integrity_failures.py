"""TAC or MAC failures per device and per card within a window.

A held record (its TAC does not verify) or a quarantined one (chain or MAC failure) is counted
against its device and, when it names one, its card.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from clearing.risk.facts import Finding, IntegrityFailure
from clearing.risk.parameters import IntegrityFailures

RULE = "integrity_failures"


def find(
    failures: Sequence[IntegrityFailure], now_us: int, params: IntegrityFailures
) -> list[Finding]:
    """A finding per device and per card with ``threshold`` failures in the window."""
    since = now_us - params.window_hours * 3_600_000_000
    groups: dict[str, list[IntegrityFailure]] = defaultdict(list)
    for failure in failures:
        if failure.at_us < since:
            continue
        groups[f"device:{failure.device_id}"].append(failure)
        if failure.card_serial:
            groups[f"card:{failure.card_serial}"].append(failure)
    findings: list[Finding] = []
    for subject, group in sorted(groups.items()):
        if len(group) < params.threshold:
            continue
        group.sort(key=lambda f: (f.at_us, f.device_id, f.seq))
        first = group[0]
        tacs = sum(f.held for f in group)
        findings.append(
            Finding(
                RULE,
                f"{RULE}:{subject}:{first.device_id}:{first.seq}",
                subject,
                f"{subject}: {len(group)} integrity failures in {params.window_hours} h "
                f"({tacs} TAC, {len(group) - tacs} chain/MAC); first: {first.reason}",
                tuple((f.device_id, f.seq) for f in group[:20]),
                summary_zh=f"{subject}：{params.window_hours} 小时内校验失败 {len(group)} 次"
                f"（TAC {tacs} 次，链/MAC {len(group) - tacs} 次）",
            )
        )
    return findings
