"""Alarm lifecycle: raised once per finding, open → acknowledged → closed with a note and who."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clearing.risk.alarms import AlarmStateError, AlarmStep, acknowledge, close, raise_alarms
from clearing.risk.facts import Finding
from clearing.risk.models import RiskAlarmRow

FINDING = Finding("velocity", "velocity:AB:D1:2", "card:AB", "three outlets", (("D1", 2),), 300)


def test_an_alarm_is_raised_once_then_acknowledged_and_closed(center):
    with center.sessions.begin() as session:
        [row] = raise_alarms(session, [FINDING], {"velocity": "high"}, 1)
        assert raise_alarms(session, [FINDING], {"velocity": "high"}, 2) == []
        alarm_id = row.id
    with center.sessions.begin() as session:
        acknowledge(session, alarm_id, AlarmStep("ana"), 3)
        with pytest.raises(AlarmStateError, match="not open"):
            acknowledge(session, alarm_id, AlarmStep("ana"), 3)
        with pytest.raises(AlarmStateError, match="needs a note"):
            close(session, alarm_id, AlarmStep("ana", "   "), 4)
        closed = close(session, alarm_id, AlarmStep("bo", "card swapped by the holder"), 5)
        assert (closed.state, closed.acknowledged_by, closed.closed_by) == ("closed", "ana", "bo")
        with pytest.raises(AlarmStateError, match="already closed"):
            close(session, alarm_id, AlarmStep("bo", "again"), 6)
        with pytest.raises(AlarmStateError, match="no alarm"):
            acknowledge(session, alarm_id + 99, AlarmStep("bo"), 6)
    with center.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(RiskAlarmRow)) == 1
        assert session.get(RiskAlarmRow, alarm_id).note == "card swapped by the holder"
