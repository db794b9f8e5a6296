"""Signed requests: unknown devices, bad signatures, old timestamps and replays are refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.crypto.request_signing import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    sign_request,
    signature_ok,
    signed_text,
)
from app.crypto.sm2 import Sm2PrivateKey
from clearing.models import AuthNonceRow

TARGET = "/v1/keys/rotate"


def _post(device, headers, body=b""):
    return device.client.post(TARGET, content=body, headers=headers)


def _headers(device, **overrides):
    headers = sign_request(
        device.keys.device_key, device.device_id, "POST", TARGET, timestamp=device.clock.timestamp()
    )
    headers.update(overrides)
    return headers


def test_a_signed_request_passes(device):
    assert _post(device, _headers(device)).status_code == 201


def test_the_signed_text_is_the_documented_one():
    text = signed_text("get", "/v1/blacklist?since=3", b"", 1700000000, "ab" * 16)
    assert text == (
        b"GET\n/v1/blacklist?since=3\n"
        b"1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b\n"
        b"1700000000\n" + b"ab" * 16
    )
    key = Sm2PrivateKey.generate()
    headers = sign_request(key, "D", "GET", "/x", timestamp=1, nonce="00" * 16)
    assert signature_ok(key.public_key, "GET", "/x", b"", 1, "00" * 16, headers[HEADER_SIGNATURE])
    assert not signature_ok(
        key.public_key, "GET", "/y", b"", 1, "00" * 16, headers[HEADER_SIGNATURE]
    )
    assert not signature_ok(key.public_key, "GET", "/x", b"", 1, "00" * 16, "zz")


def test_unsigned_requests_are_refused(device):
    answer = device.client.post(TARGET)
    assert answer.status_code == 401
    assert "not signed" in answer.json()["detail"]
    assert answer.headers["www-authenticate"] == "Citycard-SM2"


def test_an_unknown_device_is_refused(device):
    stranger = Sm2PrivateKey.generate()
    headers = sign_request(stranger, "DEV-X", "POST", TARGET, timestamp=device.clock.timestamp())
    answer = _post(device, headers)
    assert answer.status_code == 401
    assert "unknown device" in answer.json()["detail"]


def test_another_key_claiming_the_device_is_refused(device):
    impostor = Sm2PrivateKey.generate()
    headers = sign_request(
        impostor, device.device_id, "POST", TARGET, timestamp=device.clock.timestamp()
    )
    answer = _post(device, headers)
    assert answer.status_code == 401
    assert "signature" in answer.json()["detail"]


@pytest.mark.parametrize(
    "change",
    ["body", "path", "timestamp", "nonce"],
)
def test_anything_changed_after_signing_breaks_the_signature(device, change):
    body = json.dumps({"records": []}).encode()
    target = "/v1/journal/batches"
    headers = sign_request(
        device.keys.device_key,
        device.device_id,
        "POST",
        target,
        body,
        timestamp=device.clock.timestamp(),
    )
    if change == "body":
        body = json.dumps({"records": [], "checkpoint": None}).encode()
    elif change == "path":
        target = "/v1/keys/rotate"
    elif change == "timestamp":
        headers[HEADER_TIMESTAMP] = str(int(headers[HEADER_TIMESTAMP]) - 1)
    else:
        headers[HEADER_NONCE] = "ff" * 16
    answer = device.client.post(target, content=body, headers=headers)
    assert answer.status_code == 401
    assert "signature" in answer.json()["detail"]


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_timestamps_outside_five_minutes_are_refused(device, skew):
    headers = _headers(device)
    device.clock.advance(-skew)  # the center's clock moves; the request keeps its time
    answer = _post(device, headers)
    assert answer.status_code == 401
    assert "from the center's clock" in answer.json()["detail"]


def test_a_timestamp_inside_the_window_is_accepted(device):
    headers = _headers(device)
    device.clock.advance(timedelta(minutes=4, seconds=59))
    assert _post(device, headers).status_code == 201


def test_a_replayed_request_is_refused(device):
    headers = _headers(device)
    assert _post(device, headers).status_code == 201
    replay = _post(device, headers)
    assert replay.status_code == 401
    assert "replay" in replay.json()["detail"]


def test_nonces_are_forgotten_only_after_the_window(device, center):
    first = _headers(device)
    assert _post(device, first).status_code == 201
    device.clock.advance(timedelta(minutes=6))
    assert _post(device, _headers(device)).status_code == 201  # purges the old nonce
    with center.sessions.begin() as session:
        assert session.get(AuthNonceRow, (device.device_id, first[HEADER_NONCE])) is None
    assert _post(device, first).status_code == 401  # and the old request is too old anyway


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [(HEADER_TIMESTAMP, "12.5", "Unix seconds"), (HEADER_NONCE, "XYZ", "hex digits")],
)
def test_malformed_headers_are_refused(device, header, value, message):
    answer = _post(device, _headers(device, **{header: value}))
    assert answer.status_code == 401
    assert message in answer.json()["detail"]
