"""Online ATC gaps: a card's load counter jumped, so a load happened that the center never saw.

Each load's intent records the card's online ATC before it; consecutive loads of a card go
n, n+1, … An ATC the center holds no load for — neither records nor an online authorisation —
was used elsewhere (offline at an unknown terminal, or forged). A gap is only reported once the
later load is settled (``settled_until_us``, as for value from nowhere): the missing load may be
on its way from another counter.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from clearing.risk.facts import AuthorisedLoad, CardEvent, Finding
from clearing.risk.parameters import AtcGap

RULE = "atc_gap"


def find(
    card_serial: str,
    events: Sequence[CardEvent],
    authorised: Sequence[AuthorisedLoad],
    params: AtcGap,
    settled_until_us: int,
) -> list[Finding]:
    """Every gap between the online ATCs of the card's loads (``params`` only switches it)."""
    del params  # no threshold: one missing load is one too many
    loads = sorted(
        (e for e in events if e.kind == "load" and e.online_atc is not None),
        key=lambda e: (e.online_atc, e.at_us),
    )
    known = {a.online_atc for a in authorised}
    findings: list[Finding] = []
    for previous, event in itertools.pairwise(loads):
        assert previous.online_atc is not None and event.online_atc is not None
        missing = [
            atc for atc in range(previous.online_atc + 1, event.online_atc) if atc not in known
        ]
        if not missing or event.at_us > settled_until_us:
            continue
        findings.append(
            Finding(
                RULE,
                f"{RULE}:{card_serial}:{previous.online_atc}:{event.online_atc}",
                f"card:{card_serial}",
                f"card {card_serial}: online ATC went from {previous.online_atc} "
                f"({previous.device_id} seq {previous.intent_seq}) to {event.online_atc} "
                f"({event.device_id} seq {event.intent_seq}); no load with ATC "
                f"{', '.join(str(a) for a in missing[:5])} reached the center",
                ((previous.device_id, previous.intent_seq), (event.device_id, event.intent_seq)),
                summary_zh=f"卡 {card_serial}：联机交易序号由 {previous.online_atc} 跳至 "
                f"{event.online_atc}，中心未收到序号 {', '.join(str(a) for a in missing[:5])} "
                "的充值",
            )
        )
    return findings
