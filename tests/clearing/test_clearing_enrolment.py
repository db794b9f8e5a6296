"""Enrolment: one-time codes, expiry, wrapped journal keys, key rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.crypto.sm2 import Sm2Error, Sm2PrivateKey, sm2_decrypt
from app.journal.canonical import fingerprint
from clearing.enrolment import code_hash, create_code
from clearing.models import DeviceKeyRow, EnrolmentCodeRow
from tests.clearing.support import unwrap


def _body(code: str, key: Sm2PrivateKey, device_id: str = "DEV-9") -> dict[str, str]:
    return {
        "code": code,
        "device_id": device_id,
        "terminal_id": "0102030405A9",
        "public_key": key.public_key.hex(),
    }


def test_enrolment_gives_a_key_only_the_device_can_unwrap(client, center):
    code = create_code(center, "DEV-9")
    key = Sm2PrivateKey.generate()
    answer = client.post("/v1/enrol", json=_body(code, key))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["fingerprint"] == fingerprint(key.public_key)
    assert bytes.fromhex(body["center_public_key"]) == center.identity.public_key
    mac_key = unwrap(key, body["wrapped_key"])
    assert len(mac_key) == 32
    with pytest.raises(Sm2Error):
        sm2_decrypt(Sm2PrivateKey.generate(), bytes.fromhex(body["wrapped_key"]))
    with center.sessions.begin() as session:
        stored = session.get(DeviceKeyRow, ("DEV-9", body["key_id"]))
        assert stored is not None and stored.secret == mac_key


def test_a_code_works_once(client, center):
    code = create_code(center, "DEV-9")
    assert client.post("/v1/enrol", json=_body(code, Sm2PrivateKey.generate())).status_code == 201
    again = client.post("/v1/enrol", json=_body(code, Sm2PrivateKey.generate()))
    assert again.status_code == 403
    assert "already used" in again.json()["detail"]


def test_codes_are_stored_hashed_and_read_loosely(client, center):
    code = create_code(center, "DEV-9")
    with center.engine.connect() as conn:
        stored = conn.execute(text("SELECT * FROM enrolment_code")).all()
    dump = repr(stored) + "".join(str(v) for row in stored for v in row)
    assert code.replace("-", "") not in dump and code not in dump
    assert code.replace("-", "").encode() not in b"".join(
        v for v in stored[0] if isinstance(v, bytes)
    )
    with center.sessions.begin() as session:
        assert session.scalars(select(EnrolmentCodeRow.code_hash)).one() == code_hash(code)
    sloppy = " " + code.lower().replace("-", " ") + " "
    assert client.post("/v1/enrol", json=_body(sloppy, Sm2PrivateKey.generate())).status_code == 201


def test_an_expired_code_is_refused(client, center, clock):
    code = create_code(center, "DEV-9", ttl=timedelta(hours=1))
    clock.advance(timedelta(hours=1))
    answer = client.post("/v1/enrol", json=_body(code, Sm2PrivateKey.generate()))
    assert answer.status_code == 403
    assert "expired" in answer.json()["detail"]


def test_a_code_enrols_only_its_own_device(client, center):
    code = create_code(center, "DEV-9")
    answer = client.post("/v1/enrol", json=_body(code, Sm2PrivateKey.generate(), "DEV-10"))
    assert answer.status_code == 403
    assert (
        client.post("/v1/enrol", json=_body("AAAA-BBBB", Sm2PrivateKey.generate())).status_code
        == 403
    )


def test_an_enrolled_device_or_key_cannot_enrol_again(client, center, device):
    again = client.post(
        "/v1/enrol",
        json=_body(
            create_code(center, device.device_id), Sm2PrivateKey.generate(), device.device_id
        ),
    )
    assert again.status_code == 409
    reused = client.post(
        "/v1/enrol", json=_body(create_code(center, "DEV-9"), device.keys.device_key, "DEV-9")
    )
    assert reused.status_code == 409
    assert "public key" in reused.json()["detail"]


def test_a_public_key_off_the_curve_is_refused_and_the_code_kept(client, center):
    code = create_code(center, "DEV-9")
    body = _body(code, Sm2PrivateKey.generate())
    body["public_key"] = "01" * 64
    answer = client.post("/v1/enrol", json=body)
    assert answer.status_code == 422
    assert "curve" in answer.json()["detail"]
    assert client.post("/v1/enrol", json=_body(code, Sm2PrivateKey.generate())).status_code == 201


def test_rotation_issues_a_new_wrapped_key(device, center):
    answer = device.request("POST", "/v1/keys/rotate")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["key_id"] != device.keys.current_key_id
    secret = unwrap(device.keys.device_key, body["wrapped_key"])
    with center.sessions.begin() as session:
        stored = session.get(DeviceKeyRow, (device.device_id, body["key_id"]))
        assert stored is not None and stored.secret == secret
