"""The sealed keystore: round trips, refusals, tampering, secrecy and atomic writes."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from app.crypto.keystore import KdfParams, Keystore, KeystoreError

CHEAP = KdfParams(memory_kib=1024, iterations=1, lanes=1)
PASSPHRASE = "correct horse battery staple"
KEYS = {
    "mk/des/01/dlk": bytes.fromhex("11223344556677888877665544332211"),
    "mk/des/01/dpk": bytes.fromhex("A1A2A3A4A5A6A7A8B1B2B3B4B5B6B7B8"),
    "mk/sm4/01/dtk": bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"),
}


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "keystore.json"


@pytest.fixture
def sealed(store_path: Path) -> Path:
    Keystore.create(store_path, PASSPHRASE, KEYS, CHEAP)
    return store_path


def _rewrite(path: Path, **changes: object) -> None:
    doc = json.loads(path.read_bytes())
    doc.update(changes)
    path.write_text(json.dumps(doc))


def test_round_trip(sealed: Path) -> None:
    store = Keystore.open(sealed, PASSPHRASE)
    assert store.names() == sorted(KEYS)
    for name, key in KEYS.items():
        assert store.get(name) == key
    assert store.path == sealed


def test_round_trip_with_default_kdf(store_path: Path) -> None:
    Keystore.create(store_path, PASSPHRASE, KEYS)
    doc = json.loads(store_path.read_bytes())
    defaults = KdfParams()
    assert doc["kdf"] == {
        "memory_kib": defaults.memory_kib,
        "iterations": defaults.iterations,
        "lanes": defaults.lanes,
    }
    assert Keystore.open(store_path, PASSPHRASE).get("mk/des/01/dlk") == KEYS["mk/des/01/dlk"]


def test_put_and_save_then_reopen(sealed: Path) -> None:
    store = Keystore.open(sealed, PASSPHRASE)
    store.put("mk/des/02/dlk", bytes(16))
    store.save("new passphrase")
    reopened = Keystore.open(sealed, "new passphrase")
    assert reopened.get("mk/des/02/dlk") == bytes(16)
    with pytest.raises(KeystoreError, match="passphrase"):
        Keystore.open(sealed, PASSPHRASE)


def test_each_save_uses_fresh_salt_and_nonce(sealed: Path) -> None:
    before = json.loads(sealed.read_bytes())
    Keystore.open(sealed, PASSPHRASE).save(PASSPHRASE)
    after = json.loads(sealed.read_bytes())
    assert before["salt"] != after["salt"]
    assert before["nonce"] != after["nonce"]
    assert before["sealed"] != after["sealed"]


def test_wrong_passphrase(sealed: Path) -> None:
    with pytest.raises(KeystoreError, match="wrong keystore passphrase"):
        Keystore.open(sealed, PASSPHRASE + "!")


def test_missing_key_name(sealed: Path) -> None:
    with pytest.raises(KeystoreError, match="no key named"):
        Keystore.open(sealed, PASSPHRASE).get("mk/des/09/dlk")


def test_missing_file(store_path: Path) -> None:
    with pytest.raises(KeystoreError, match="no keystore"):
        Keystore.open(store_path, PASSPHRASE)


def test_refuses_to_overwrite(sealed: Path) -> None:
    original = sealed.read_bytes()
    with pytest.raises(KeystoreError, match="already exists"):
        Keystore.create(sealed, PASSPHRASE, {"other": bytes(16)}, CHEAP)
    assert sealed.read_bytes() == original


@pytest.mark.parametrize("index", [0, 5, -17, -1])
def test_flipped_byte_in_sealed_data(sealed: Path, index: int) -> None:
    doc = json.loads(sealed.read_bytes())
    blob = bytearray(base64.b64decode(doc["sealed"]))
    blob[index] ^= 0x01
    _rewrite(sealed, sealed=base64.b64encode(bytes(blob)).decode())
    with pytest.raises(KeystoreError, match="altered"):
        Keystore.open(sealed, PASSPHRASE)


@pytest.mark.parametrize("field", ["salt", "nonce"])
def test_flipped_byte_in_salt_or_nonce(sealed: Path, field: str) -> None:
    doc = json.loads(sealed.read_bytes())
    raw = bytearray(base64.b64decode(doc[field]))
    raw[0] ^= 0x80
    _rewrite(sealed, **{field: base64.b64encode(bytes(raw)).decode()})
    with pytest.raises(KeystoreError, match="altered"):
        Keystore.open(sealed, PASSPHRASE)


@pytest.mark.parametrize(
    "kdf",
    [
        {"memory_kib": 2048, "iterations": 1, "lanes": 1},
        {"memory_kib": 1024, "iterations": 2, "lanes": 1},
        {"memory_kib": 1024, "iterations": 1, "lanes": 2},
    ],
)
def test_altered_kdf_params_fail_authentication(sealed: Path, kdf: dict[str, int]) -> None:
    _rewrite(sealed, kdf=kdf)
    with pytest.raises(KeystoreError, match="altered"):
        Keystore.open(sealed, PASSPHRASE)


@pytest.mark.parametrize(
    "changes",
    [
        {"kdf": {"memory_kib": 7, "iterations": 1, "lanes": 1}},  # below Argon2's minimum
        {"kdf": {"memory_kib": 1024, "iterations": 0, "lanes": 1}},
        {"kdf": {"memory_kib": "1024", "iterations": 1, "lanes": 1}},
        {"kdf": {"memory_kib": 1024, "iterations": 1, "lanes": 1, "extra": 1}},
        {"kdf": [1024, 1, 1]},
        {"nonce": ""},
        {"nonce": "AAAA"},
        {"sealed": ""},
        {"sealed": "not base64!"},
        {"salt": 5},
        {"salt": None},
    ],
)
def test_damaged_fields_raise_keystore_error(sealed: Path, changes: dict[str, object]) -> None:
    _rewrite(sealed, **changes)
    with pytest.raises(KeystoreError):
        Keystore.open(sealed, PASSPHRASE)


@pytest.mark.parametrize("field", ["format", "kdf", "salt", "nonce", "sealed"])
def test_missing_field(sealed: Path, field: str) -> None:
    doc = json.loads(sealed.read_bytes())
    del doc[field]
    sealed.write_text(json.dumps(doc))
    with pytest.raises(KeystoreError):
        Keystore.open(sealed, PASSPHRASE)


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"format": "other/1"}', b"\xff\xfe"])
def test_not_a_keystore(store_path: Path, content: bytes) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(content)
    with pytest.raises(KeystoreError):
        Keystore.open(store_path, PASSPHRASE)


def test_key_material_never_in_clear(sealed: Path) -> None:
    store = Keystore.open(sealed, PASSPHRASE)
    data = sealed.read_bytes()
    shown = repr(store) + str(store)
    for key in KEYS.values():
        for form in (key.hex(), key.hex().upper()):
            assert form.encode() not in data
            assert form not in shown
        assert key not in data
        assert base64.b64encode(key) not in data
        assert repr(key) not in shown
    assert PASSPHRASE.encode() not in data
    assert PASSPHRASE not in shown


def test_file_is_private(sealed: Path) -> None:
    assert sealed.stat().st_mode & 0o077 == 0


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_save_failure_leaves_old_keystore(sealed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = sealed.read_bytes()
    store = Keystore.open(sealed, PASSPHRASE)
    store.put("mk/des/02/dlk", bytes(16))

    def failing_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        store.save(PASSPHRASE)
    monkeypatch.undo()
    assert sealed.read_bytes() == original
    assert "mk/des/02/dlk" not in Keystore.open(sealed, PASSPHRASE).names()
    assert _leftovers(sealed.parent) == []


def test_create_failure_leaves_no_file(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_replace(src: object, dst: object) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        Keystore.create(store_path, PASSPHRASE, KEYS, CHEAP)
    monkeypatch.undo()
    assert not store_path.exists()
    assert _leftovers(store_path.parent) == []


def test_absurd_kdf_cost_in_a_damaged_file_is_refused_before_deriving(tmp_path):
    path = tmp_path / "ks.json"
    Keystore.create(path, "pw", {"k": b"\x01" * 16}, KdfParams(memory_kib=1024, iterations=1))
    doc = json.loads(path.read_text())
    doc["kdf"]["memory_kib"] = 64 * 1024 * 1024  # 64 GiB
    path.write_text(json.dumps(doc))
    with pytest.raises(KeystoreError, match="absurd"):
        Keystore.open(path, "pw")
