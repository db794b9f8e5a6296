"""Schema migrations: an old journal upgrades in place; the models are what the migrations build."""

import shutil
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Entry, Journal, JournalKeys, RecordKind
from app.journal.database import head_revision, known_revisions, migrate, writer_engine
from app.journal.models import Base

# journal-j0001.sqlite3 was written by this application when its only migration was j0001:
# device DEV-OLD, 12 records (genesis, five cash loads with outcomes, one open WeChat intent),
# two checkpoints. Its keys are test keys, published here on purpose.
FIXTURE = Path(__file__).parent / "data" / "journal-j0001.sqlite3"
FIXTURE_KEYS = JournalKeys(
    {"k-test-1": bytes(range(32))},
    "k-test-1",
    Sm2PrivateKey.from_secret(
        bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
    ),
)


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_migrations_form_one_line_ending_at_head():
    revisions = known_revisions()
    assert revisions[0] == "j0001"
    assert revisions[-1] == head_revision()
    assert len(revisions) == len(set(revisions))


def test_journal_made_by_the_first_migration_upgrades_in_place(tmp_path):
    path = tmp_path / "journal.sqlite3"
    shutil.copyfile(FIXTURE, path)
    assert _revision(path) == "j0001"

    with Journal.open(path, FIXTURE_KEYS) as journal:
        assert journal.problem is None
        assert _revision(path) == head_revision()
        report = journal.verify(full=True)
        assert report.ok, report.summary()
        assert report.records_checked == 12
        assert [r.card_serial for r in journal.open_intents()] == ["3100000000000002"]
        # the upgraded journal keeps recording on the same chain
        record = journal.append(
            Entry(RecordKind.LOAD_INTENT, shift_id=1, amount_fen=700, payment_method="cash")
        )
        assert record.seq == 13
        totals = {(t.kind, t.payment_method): t for t in journal.shift_totals(1)}
        assert totals["load_intent", "cash"].amount_fen == 15_000 + 700
        assert totals["load_intent", "wechat"].count == 1
        assert journal.verify(full=True).ok

    backup = path.with_name(f"{path.name}.before-{head_revision()}")
    assert _revision(backup) == "j0001"
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT count(*) FROM journal_record").fetchone()[0] == 12


def test_reopening_an_upgraded_journal_does_not_migrate_again(tmp_path):
    path = tmp_path / "journal.sqlite3"
    shutil.copyfile(FIXTURE, path)
    Journal.open(path, FIXTURE_KEYS).close()
    backup = path.with_name(f"{path.name}.before-{head_revision()}")
    stamp = backup.stat().st_mtime_ns
    with Journal.open(path, FIXTURE_KEYS) as journal:
        assert journal.verify(full=True).ok
    assert backup.stat().st_mtime_ns == stamp


def test_models_match_what_the_migrations_build(tmp_path):
    path = tmp_path / "schema.sqlite3"
    engine = writer_engine(path)
    migrate(engine, path)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_new_journal_is_at_head(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with Journal.create(path, JournalKeys.generate(), "DEV-1", "0102030405AB") as journal:
        assert journal.verify().ok
    assert _revision(path) == head_revision()
