"""docs/journal-format.md is enough to verify a journal: an independent re-implementation.

Nothing here imports app.journal's encoders or app.crypto: HMAC-SM3 comes from the standard
library over OpenSSL, SM2 from gmssl's own verify_with_sm3, the SQL from sqlite3. If the
documentation and the code ever disagree, these tests fail.
"""

import hashlib
import hmac
import json
import sqlite3
import struct

import pytest
from gmssl import sm2 as gm_sm2

from app.journal import Entry, Journal, JournalKeys, RecordKind

pytestmark = pytest.mark.skipif(
    "sm3" not in hashlib.algorithms_available, reason="OpenSSL without SM3"
)

RECORD_ORDER = [
    "device_id",
    "seq",
    "kind",
    "at_us",
    "operator",
    "shift_id",
    "card_serial",
    "amount_fen",
    "payment_method",
    "balance_before_fen",
    "balance_after_fen",
    "atc",
    "terminal_seq",
    "mac1",
    "mac2",
    "tac",
    "intent_seq",
    "grand_total_fen",
    "payload",
    "key_id",
]
CHECKPOINT_ORDER = [
    "device_id",
    "number",
    "seq",
    "head_mac",
    "batch_digest",
    "totals",
    "at_us",
    "reason",
    "prev_signature",
    "public_key",
]


def encode(value) -> bytes:
    if value is None:
        return b"\xff\xff\xff\xff"
    if isinstance(value, int):
        return struct.pack(">I", 8) + value.to_bytes(8, "big", signed=True)
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return struct.pack(">I", len(data)) + data


def canonical(magic: bytes, row: dict, order) -> bytes:
    return magic + b"".join(encode(row[name]) for name in order)


def sm2_ok(public_key: bytes, message: bytes, signature: bytes) -> bool:
    verifier = gm_sm2.CryptSM2(private_key=None, public_key="")
    verifier.public_key = public_key.hex()  # set directly: the constructor strips a leading "04"
    return bool(verifier.verify_with_sm3(signature.hex(), message))


@pytest.fixture
def journal_file(tmp_path):
    keys = JournalKeys.generate()
    path = tmp_path / "journal.sqlite3"
    with Journal.create(path, keys, "DEV-FMT", "0102030405AB") as journal:
        intent = journal.append(
            Entry(
                RecordKind.LOAD_INTENT,
                operator="张三",
                shift_id=3,
                card_serial="3100000000000001",
                amount_fen=5_000,
                payment_method="cash",
                balance_before_fen=120,
                atc=7,
                terminal_seq=42,
                mac1=b"\x01\x02\x03\x04",
                mac2=b"\xa0\xb0\xc0\xd0",
                payload={"城市": "上海", "b": [1, 2]},
            )
        )
        journal.append(
            Entry(
                RecordKind.LOAD_OUTCOME,
                shift_id=3,
                card_serial="3100000000000001",
                balance_after_fen=5_120,
                tac=b"\x11\x22\x33\x44",
                intent_seq=intent.seq,
                payload={"outcome": "done"},
            )
        )
        journal.checkpoint()
        keys = keys.with_new_mac_key()
        journal.rotate_key(keys)
        journal.append(Entry(RecordKind.LOAD_INTENT, amount_fen=-3, payment_method="alipay"))
    return path, keys


def rows(path, table, order_by):
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {order_by}")]


def test_record_macs_and_chain_from_the_documentation(journal_file):
    path, keys = journal_file
    records = rows(path, "journal_record", "seq")
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    prev = bytes(32)
    for record in records:
        assert record["prev_mac"] == prev
        key = keys.mac_keys[record["key_id"]]
        data = canonical(b"CCJ1", record, RECORD_ORDER) + prev
        assert hmac.digest(key, data, "sm3") == record["mac"], record["seq"]
        prev = record["mac"]
    assert json.loads(records[1]["payload"]) == {"b": [1, 2], "城市": "上海"}
    assert records[1]["payload"] == '{"b":[1,2],"城市":"上海"}'

    (head,) = rows(path, "journal_head", "id")
    with sqlite3.connect(path) as conn:
        (last_checkpoint,) = conn.execute("SELECT max(number) FROM journal_checkpoint").fetchone()
    anchor_data = b"CCH2" + b"".join(
        encode(v) for v in ("DEV-FMT", head["seq"], head["mac"], last_checkpoint)
    )
    assert head["seq"] == records[-1]["seq"] and head["mac"] == records[-1]["mac"]
    assert hmac.digest(keys.mac_keys[head["key_id"]], anchor_data, "sm3") == head["anchor"]


def test_checkpoints_from_the_documentation(journal_file):
    path, keys = journal_file
    records = {r["seq"]: r for r in rows(path, "journal_record", "seq")}
    checkpoints = rows(path, "journal_checkpoint", "number")
    assert len(checkpoints) >= 3
    prev_signature = bytes(64)
    covered = 0
    totals: dict[str, int] = {}
    for cp in checkpoints:
        assert cp["prev_signature"] == prev_signature
        assert sm2_ok(cp["public_key"], canonical(b"CCC1", cp, CHECKPOINT_ORDER), cp["signature"])
        assert cp["public_key"] == keys.public_key
        digest = hashlib.new("sm3")
        for seq in range(covered + 1, cp["seq"] + 1):
            r = records[seq]
            digest.update(canonical(b"CCJ1", r, RECORD_ORDER) + r["prev_mac"] + r["mac"])
            totals[r["kind"]] = r["grand_total_fen"]
        assert digest.digest() == cp["batch_digest"]
        assert cp["head_mac"] == records[cp["seq"]]["mac"]
        assert json.loads(cp["totals"]) == totals
        prev_signature = cp["signature"]
        covered = cp["seq"]


def test_grand_totals_run_per_kind(journal_file):
    path, _keys = journal_file
    running: dict[str, int] = {}
    for r in rows(path, "journal_record", "seq"):
        running[r["kind"]] = running.get(r["kind"], 0) + (r["amount_fen"] or 0)
        assert r["grand_total_fen"] == running[r["kind"]]
    assert running["load_intent"] == 5_000 - 3
