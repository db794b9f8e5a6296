"""CenterClient against the real center (in a thread, over loopback) and against scripted stubs."""

from __future__ import annotations

import random
import socket
import threading
import time

import pytest

from app.crypto.request_signing import HEADER_NONCE
from app.crypto.sm2 import Sm2PrivateKey
from app.journal import Journal
from app.sync import (
    AuthError,
    BadResponseError,
    CenterClient,
    ClientSettings,
    ConflictError,
    OfflineError,
    RefusedError,
    ServerError,
    TlsError,
)
from app.sync.models import LoadRequest
from tests.sync.stub import Seen, StubServer, json_reply
from tests.sync.support import (
    TERMINAL_ID,
    append_top_ups,
    center_thread,
    enrol,
    enrolment_code,
    free_port,
)
from tests.sync.tlscerts import make_ca, make_server_cert

FAST = {"backoff_factor": 0.01, "backoff_max": 0.05, "connect_timeout": 1.0, "read_timeout": 1.0}


@pytest.fixture
def center(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(db_url) as base:
        yield base, db_url


# -- the center accepts what the client signs ------------------------------------------------


def test_the_center_accepts_the_clients_signature_and_refuses_others(center, tmp_path):
    base, db_url = center
    enrolled = enrol(base, db_url, **FAST)
    assert enrolled.client.cursor().acknowledged_seq == 0  # a signed call goes through
    stranger = Sm2PrivateKey.generate()
    with CenterClient(ClientSettings(base, **FAST), "DEV-1", stranger) as forged:
        with pytest.raises(AuthError) as refused:
            forged.cursor()
        assert refused.value.status == 401
        assert "signature does not verify" in str(refused.value)
    with (
        CenterClient(ClientSettings(base, **FAST), "NOBODY", stranger) as unknown,
        pytest.raises(AuthError, match="unknown device"),
    ):
        unknown.parameters()
    with (
        CenterClient(ClientSettings(base, **FAST)) as anonymous,
        pytest.raises(AuthError, match="not enrolled"),
    ):
        anonymous.cursor()
    # a clock more than five minutes off is refused; the center's clock puts it right
    enrolled.client._offset = -3600.0
    with pytest.raises(AuthError, match="timestamp"):
        enrolled.client.cursor()
    enrolled.client.server_time()
    assert abs(enrolled.client.clock_offset) < 5
    assert enrolled.client.cursor().acknowledged_seq == 0


def test_enrolment_codes_work_once(center):
    base, db_url = center
    code = enrolment_code(db_url, "DEV-2")
    key = Sm2PrivateKey.generate()
    with CenterClient(ClientSettings(base, **FAST)) as client:
        enrolment = client.enrol(code, "DEV-2", TERMINAL_ID, key)
        assert len(enrolment.journal_key.key) == 32 and client.device_id == "DEV-2"
        with pytest.raises(AuthError, match="already used") as again:
            client.enrol(code, "DEV-2", TERMINAL_ID, Sm2PrivateKey.generate())
        assert again.value.status == 403


def test_the_same_seq_with_another_mac_is_a_conflict(center, tmp_path):
    base, db_url = center
    enrolled = enrol(base, db_url, **FAST)
    keys = enrolled.keys
    with Journal.create(tmp_path / "a.sqlite3", keys, "DEV-1", TERMINAL_ID) as first:
        append_top_ups(first, random.Random(1), 20)
        result = enrolled.client.upload_batch(first.records(), first.checkpoints()[0])
        assert result.acknowledged_seq == 21 and result.checkpoint is not None
        assert result.checkpoint.status == "accepted"
        again = enrolled.client.upload_batch(first.records())
        assert (again.acknowledged_seq, again.accepted, again.duplicates) == (21, 0, 21)
        held = first.records(0, 1)[0]
    time.sleep(0.01)
    with (
        Journal.create(tmp_path / "b.sqlite3", keys, "DEV-1", TERMINAL_ID) as other,
        pytest.raises(ConflictError) as conflict,
    ):
        enrolled.client.upload_batch(other.records())
    (only,) = conflict.value.conflicts
    assert only.seq == 1 and only.stored_mac == held.mac and only.offered_mac != held.mac
    assert "tamper alarm" in str(conflict.value) and conflict.value.advice


def test_refusals_carry_the_centers_words(center):
    base, db_url = center
    client = enrol(base, db_url, **FAST).client
    with pytest.raises(RefusedError) as refused:
        client.settled_balance("3100000000000001")
    assert refused.value.status == 409 and "not reported lost" in str(refused.value)
    with pytest.raises(RefusedError) as missing:
        client.loss_report(99)
    assert missing.value.status == 404
    with pytest.raises(ServerError) as no_keys:  # started without issuer keys: 503, not retried
        client.authorize_load(
            LoadRequest("3100000000000001", "DES", 1, 1_000, 0, 1, b"1234", b"abcd")
        )
    assert no_keys.value.status == 503 and "no issuer keys" in str(no_keys.value)


# -- the network ----------------------------------------------------------------------------------


def test_a_center_that_is_down_is_offline():
    port = free_port()
    with CenterClient(ClientSettings(f"http://127.0.0.1:{port}", **FAST), "D", None) as client:
        started = time.monotonic()
        with pytest.raises(OfflineError, match="connection refused") as down:
            client.server_time()
        assert time.monotonic() - started < 2
        assert down.value.advice.startswith("Carry on offline")


class Silent:
    """Accepts connections, reads, never answers: a center hung in the middle of a request."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


def test_timeouts_are_offline_and_only_idempotent_calls_are_attempted_again():
    silent = Silent()
    settings = ClientSettings(
        f"http://127.0.0.1:{silent.port}", retries=2, **{**FAST, "read_timeout": 0.3}
    )
    try:
        with CenterClient(settings, "D", Sm2PrivateKey.generate()) as client:
            with pytest.raises(OfflineError, match=r"did not answer within 0.3 s"):
                client.parameters()
            assert silent.accepted == 3  # the first attempt and two more
            with pytest.raises(OfflineError):
                client.authorize_load(
                    LoadRequest("31000001", "DES", 1, 1_000, 0, 1, b"1234", b"abcd")
                )
            assert silent.accepted == 4  # an online MAC2 is never sent twice
    finally:
        silent.close()


def test_each_attempt_is_signed_afresh_and_5xx_are_retried_for_idempotent_calls():
    answers = iter([(503, {"Retry-After": "0"}, b"busy"), (502, {}, b"<html>bad</html>")])

    def reply(seen: Seen):
        return next(answers, json_reply('{"acknowledged_seq": 4, "next_key_id": "k1"}'))

    with StubServer(reply) as stub:
        with CenterClient(ClientSettings(stub.base, **FAST), "D", Sm2PrivateKey.generate()) as c:
            assert c.cursor().acknowledged_seq == 4
        nonces = [s.headers[HEADER_NONCE] for s in stub.seen]
        assert len(nonces) == 3 and len(set(nonces)) == 3  # a replayed nonce would be refused


def test_a_failing_server_is_a_server_error_in_plain_words():
    with StubServer(lambda seen: (502, {"Content-Type": "text/html"}, b"<h1>oops</h1>")) as stub:
        settings = ClientSettings(stub.base, retries=1, **FAST)
        with CenterClient(settings, "D", Sm2PrivateKey.generate()) as client:
            with pytest.raises(ServerError, match=r"HTTP 502 Bad Gateway") as failed:
                client.blacklist(3)
            assert failed.value.status == 502
            assert len(stub.seen) == 2
            with pytest.raises(ServerError):
                client.report_loss("31000001")  # not idempotent: one attempt
            assert len(stub.seen) == 3


@pytest.mark.parametrize(
    ("path_answer", "call", "words"),
    [
        ("not json at all", "cursor", "not JSON"),
        ("[1, 2]", "cursor", "expected a JSON object"),
        ('{"acknowledged_seq": "12", "next_key_id": "k"}', "cursor", "acknowledged_seq"),
        ('{"acknowledged_seq": true, "next_key_id": "k"}', "cursor", "acknowledged_seq"),
        ('{"acknowledged_seq": 1.0, "next_key_id": "k"}', "cursor", "acknowledged_seq"),
        ('{"acknowledged_seq": -1, "next_key_id": "k"}', "cursor", "acknowledged_seq"),
        ('{"next_key_id": "k"}', "cursor", "acknowledged_seq is missing"),
        (
            '{"version": 3, "since": 2, "full": false, "added": ["A"], "removed": []}',
            "blacklist",
            "a delta since 2",
        ),
        (
            '{"version": 3, "since": 1, "full": "no", "added": [], "removed": []}',
            "blacklist",
            "full",
        ),
        (
            '{"version": 3, "since": 1, "full": false, "added": [7], "removed": []}',
            "blacklist",
            "added",
        ),
        (
            '{"acknowledged_seq": 3, "accepted": 0, "duplicates": 0, "quarantined": [{"seq": 99,'
            ' "reason": "x"}]}',
            "upload",
            "not sent",
        ),
        (
            '{"acknowledged_seq": 3, "accepted": 0, "duplicates": 0, "quarantined": [], '
            '"checkpoint": {"number": 1, "status": "maybe"}}',
            "upload",
            "checkpoint status",
        ),
        ('{"now": "yesterday", "now_us": 1}', "time", "ISO 8601"),
        ('{"now": "2026-11-21T10:00:00", "now_us": 1}', "time", "offset"),
    ],
)
def test_malformed_answers_are_bad_responses(path_answer, call, words):
    with (
        StubServer(lambda seen: json_reply(path_answer)) as stub,
        CenterClient(ClientSettings(stub.base, **FAST), "D", Sm2PrivateKey.generate()) as c,
    ):
        action = {
            "cursor": c.cursor,
            "blacklist": lambda: c.blacklist(1),
            "upload": lambda: c.upload_batch([]),
            "time": c.server_time,
        }[call]
        with pytest.raises(BadResponseError, match=words) as bad:
            action()
        assert bad.value.advice


def test_redirects_and_oversized_answers_are_bad_responses():
    with (
        StubServer(lambda seen: (302, {"Location": "http://example.com/"}, b"")) as stub,
        CenterClient(ClientSettings(stub.base, **FAST), "D", Sm2PrivateKey.generate()) as c,
        pytest.raises(BadResponseError, match="unexpected HTTP 302"),
    ):
        c.cursor()
    big = b'{"detail": "' + b"x" * 5_000 + b'"}'
    with StubServer(lambda seen: json_reply(big.decode())) as stub:
        settings = ClientSettings(stub.base, max_answer_bytes=1_000, **FAST)
        with (
            CenterClient(settings, "D", Sm2PrivateKey.generate()) as c,
            pytest.raises(BadResponseError, match="too large"),
        ):
            c.cursor()


def test_validation_errors_read_as_words():
    detail = '{"detail": [{"loc": ["body", "card_serial"], "msg": "String should match"}]}'
    with (
        StubServer(lambda seen: json_reply(detail, 422)) as stub,
        CenterClient(ClientSettings(stub.base, **FAST), "D", Sm2PrivateKey.generate()) as c,
        pytest.raises(RefusedError, match="card_serial: String should match"),
    ):
        c.report_loss("31")


# -- TLS ------------------------------------------------------------------------------------------


def test_tls_is_verified_and_a_custom_ca_file_is_trusted(tmp_path):
    ca = make_ca(tmp_path)
    other = make_ca(tmp_path, "Somebody else")
    certfile, keyfile = make_server_cert(tmp_path, ca)
    db_url = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    with center_thread(db_url, certfile, keyfile) as base:
        assert base.startswith("https://")
        with (
            CenterClient(ClientSettings(base, **FAST)) as system_trust,
            pytest.raises(TlsError, match="not trusted"),
        ):
            system_trust.server_time()
        with (
            CenterClient(ClientSettings(base, ca_file=other.pem, **FAST)) as wrong_ca,
            pytest.raises(TlsError),
        ):
            wrong_ca.server_time()
        enrolled = enrol(base, db_url, ca_file=ca.pem, **FAST)
        enrolled.client.server_time()
        assert enrolled.client.parameters().version == 1
        enrolled.client.close()
        localhost = base.replace("127.0.0.1", "localhost")
        with CenterClient(ClientSettings(localhost, ca_file=ca.pem, **FAST)) as by_name:
            by_name.server_time()


def test_plain_http_is_for_loopback_only(tmp_path):
    with pytest.raises(ValueError, match="plain http"):
        CenterClient(ClientSettings("http://center.example.com:8600"))
    CenterClient(ClientSettings("http://center.example.com", allow_plain_http=True)).close()
    CenterClient(ClientSettings("http://[::1]:8600")).close()
    with pytest.raises(ValueError, match="CA file"):
        CenterClient(ClientSettings("https://center.example.com", ca_file=tmp_path / "none"))
    with pytest.raises(ValueError, match="not an http"):
        CenterClient(ClientSettings("ftp://center.example.com"))
