"""The blacklist and the parameters come signed by the center the counter pinned at enrolment.

A spoofed center (or a proxy) that serves a shorter blacklist or looser limits, or replays a
genuine answer given to another request, is refused before anything of it is used.
"""

from __future__ import annotations

import json

import pytest

from app.crypto.answer_signing import HEADER_ANSWER_SIGNATURE, answer_signature_ok, sign_answer
from app.crypto.request_signing import HEADER_NONCE
from app.crypto.sm2 import Sm2PrivateKey
from app.sync import BadResponseError, CenterClient, ClientSettings
from tests.sync.stub import StubServer
from tests.sync.support import center_thread, enrol

BLACKLIST = {"version": 3, "since": 0, "full": True, "added": [], "removed": []}


def test_a_genuine_center_signs_what_the_counter_checks(tmp_path):
    with center_thread(f"sqlite:///{tmp_path / 'c.sqlite3'}") as base:
        enrolled = enrol(base, f"sqlite:///{tmp_path / 'c.sqlite3'}", "DEV-S", "0102030405D1")
        client = enrolled.client
        assert client.center_key is not None  # pinned by the enrolment
        assert client.blacklist(0).version == 0
        assert client.parameters().version == 1
        client.center_key = Sm2PrivateKey.generate().public_key  # pinned to another center
        with pytest.raises(BadResponseError, match="not signed by the clearing center"):
            client.parameters()
        client.close()


@pytest.mark.parametrize("forgery", ["unsigned", "another-key", "replayed", "altered"])
def test_a_spoofed_blacklist_is_refused(forgery):
    center = Sm2PrivateKey.generate()
    other = Sm2PrivateKey.generate()
    body = json.dumps(BLACKLIST).encode()

    def reply(seen):
        nonce = seen.headers.get(HEADER_NONCE, "")
        headers = {"Content-Type": "application/json"}
        content = body
        if forgery == "another-key":
            headers[HEADER_ANSWER_SIGNATURE] = sign_answer(other, seen.path, nonce, body)
        elif forgery == "replayed":  # a genuine signature, for another request's nonce
            headers[HEADER_ANSWER_SIGNATURE] = sign_answer(center, seen.path, "0" * 32, body)
        elif forgery == "altered":  # signed, then a card slipped off the list
            headers[HEADER_ANSWER_SIGNATURE] = sign_answer(center, seen.path, nonce, body)
            content = body.replace(b'"version": 3', b'"version": 4')
        return 200, headers, content

    with StubServer(reply) as stub:
        client = CenterClient(
            ClientSettings(stub.base, retries=0), "DEV-S", Sm2PrivateKey.generate(),
            center.public_key,
        )  # fmt: skip
        with pytest.raises(BadResponseError, match="not signed"):
            client.blacklist(0)
        client.close()


def test_the_signature_covers_target_nonce_and_body():
    key = Sm2PrivateKey.generate()
    signature = sign_answer(key, "/v1/parameters", "ab" * 16, b"{}")
    assert answer_signature_ok(key.public_key, "/v1/parameters", "ab" * 16, b"{}", signature)
    for target, nonce, body in (
        ("/v1/blacklist?since=0", "ab" * 16, b"{}"),
        ("/v1/parameters", "cd" * 16, b"{}"),
        ("/v1/parameters", "ab" * 16, b"{ }"),
    ):
        assert not answer_signature_ok(key.public_key, target, nonce, body, signature)
    assert not answer_signature_ok(key.public_key, "/v1/parameters", "ab" * 16, b"{}", None)
    assert not answer_signature_ok(key.public_key, "/v1/parameters", "ab" * 16, b"{}", "zz")
