"""``citycard-center backup|restore`` on SQLite (online backup) and PostgreSQL (pg_dump/pg_restore).

A device uploads, a backup is taken, the device uploads more, the backup is restored: the center
is back where it was at the backup, and the device's next batch — carrying how far it holds the
center to have acknowledged — raises one ``center_behind`` alarm and is taken.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.journal import Entry, RecordKind
from clearing.backup import BackupError, backup, restore
from clearing.models import RecordRow, TamperAlarmRow
from tests.clearing.support import batch


def _notes(journal, n: int) -> None:
    for i in range(n):
        journal.append(Entry(RecordKind.NOTE, operator="op1", payload={"i": i}))


def _held(center, device_id: str) -> int:
    with center.sessions.begin() as session:
        return int(
            session.scalar(select(func.count()).where(RecordRow.device_id == device_id)) or 0
        )


def test_backup_then_restore_puts_the_center_back(db_url, center, device, tmp_path):
    with device.journal(tmp_path / "j.sqlite3") as journal:
        _notes(journal, 5)
        answer = device.request("POST", "/v1/journal/batches", batch(journal.records()))
        assert answer.status_code == 200
        saved = backup(db_url, tmp_path / "center.backup")
        assert saved.is_file()
        try:
            backup(db_url, saved)
            raise AssertionError("a backup over an existing file must be refused")
        except BackupError as exc:
            assert "already exists" in str(exc)
        _notes(journal, 7)
        answer = device.request("POST", "/v1/journal/batches", batch(journal.records()))
        assert answer.json()["acknowledged_seq"] == 13
        center.engine.dispose()  # the center is stopped for a restore
        restore(db_url, saved)
        assert _held(center, device.device_id) == 6
        document = batch(journal.records(after=6))
        document["device_acknowledged_seq"] = 13
        answer = device.request("POST", "/v1/journal/batches", document)
        assert answer.status_code == 200 and answer.json()["acknowledged_seq"] == 13, answer.text
        again = device.request("POST", "/v1/journal/batches", document)  # one alarm per gap
        assert again.json()["duplicates"] == 7
    assert _held(center, device.device_id) == 13
    with center.sessions.begin() as session:
        alarms = session.scalars(
            select(TamperAlarmRow).where(TamperAlarmRow.reason.like("center_behind%"))
        ).all()
    assert [(a.device_id, a.seq) for a in alarms] == [(device.device_id, 7)]
