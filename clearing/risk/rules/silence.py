"""Devices silent longer than the offline brakes allow.

A counter may work offline for ``max_unsynced_age_seconds`` (the offline brakes of the counter
parameters) before it must stop topping up; a device the center has heard nothing from for longer
(plus a grace) is switched off, cut off, or hiding its journal.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearing.risk.facts import DeviceSeen, Finding
from clearing.risk.parameters import Silence

RULE = "silence"


def find(
    devices: Sequence[DeviceSeen], now_us: int, max_unsynced_age_s: int, params: Silence
) -> list[Finding]:
    """A finding per device whose last upload (or record) is older than the brakes allow."""
    limit = (max_unsynced_age_s + params.grace_seconds) * 1_000_000
    findings: list[Finding] = []
    for device in devices:
        last = max(device.last_record_at_us, device.last_upload_at_us or 0)
        if last == 0 or now_us - last <= limit:
            continue
        hours = (now_us - last) / 3_600_000_000
        findings.append(
            Finding(
                RULE,
                f"{RULE}:{device.device_id}:{last}",
                f"device:{device.device_id}",
                f"device {device.device_id}: silent for {hours:.1f} h; the offline brakes allow "
                f"{max_unsynced_age_s / 3600:.1f} h",
                summary_zh=f"设备 {device.device_id}：已 {hours:.1f} 小时未上传，脱机限额允许 "
                f"{max_unsynced_age_s / 3600:.1f} 小时",
            )
        )
    return findings
