"""Issuer keys in a PKCS#11 token (SoftHSM2) and in the key service: the same MACs as
``app.crypto.pboc`` and the software SAM, with no key readable from the web process.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pkcs11
import pytest
from fastapi.testclient import TestClient
from pkcs11 import Attribute, KeyType, ObjectClass

from app.card.errors import CardMacError
from app.card.sam import (
    LoadAuthorization,
    PurchaseAuthorization,
    SamKeyError,
    SoftwareSam,
    verify_load_tac,
)
from app.card.session import PurseKeyRef
from app.crypto import pboc
from app.crypto.keystore import Keystore
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardKeyKind
from clearing.app import create_app
from clearing.keys.ceremony import combine, kcv, master_labels
from clearing.keys.service import (
    KeyServiceError,
    KeyServiceIssuerKeys,
    KeyServiceServer,
    answer,
    load_service_keys,
    purchase_from_json,
    purchase_to_json,
)
from clearing.keys.software import SoftwareIssuerKeys
from clearing.keys.token import (
    TokenIssuerKeys,
    derive_des2,
    des_mac,
    load_session_key,
    open_session,
)
from clearing.settings import Settings
from tests.clearing.support import enrol
from tests.clearing.test_clearing_online import AUTHORIZE, CHEAP_KDF, _request, register

H = bytes.fromhex
ROOT = Path(__file__).resolve().parents[2]


def _auth(rng: random.Random, keys: PurseKeyRef, mac1: bytes = b"\0" * 4) -> LoadAuthorization:
    return LoadAuthorization(
        serial=rng.randbytes(8),
        keys=keys,
        random=rng.randbytes(4),
        online_atc=rng.randrange(0x10000),
        balance_fen=rng.randrange(100_000),
        amount_fen=rng.randrange(1, 100_000),
        terminal_id=rng.randbytes(6),
        mac1=mac1,
        when=datetime(2026, 12, 8, rng.randrange(24), rng.randrange(60), rng.randrange(60)),
    )


def _purchase(rng: random.Random, keys: PurseKeyRef) -> PurchaseAuthorization:
    return PurchaseAuthorization(
        serial=rng.randbytes(8),
        keys=keys,
        random=rng.randbytes(4),
        offline_atc=rng.randrange(0x10000),
        amount_fen=rng.randrange(1, 100_000),
        transaction_type=rng.choice((0x06, 0x09)),
        terminal_id=rng.randbytes(6),
        terminal_seq=rng.randrange(1 << 32),
        when=datetime(2026, 12, 8, rng.randrange(24), rng.randrange(60), rng.randrange(60)),
    )


def _with_good_mac1(sam: SoftwareSam, auth: LoadAuthorization) -> LoadAuthorization:
    """``auth`` with the MAC1 a genuine card would answer (computed in software)."""
    from dataclasses import replace  # noqa: PLC0415

    from app.crypto.purse import purse_crypto  # noqa: PLC0415
    from app.domain.card import CardKeyKind  # noqa: PLC0415

    crypto = purse_crypto(auth.keys.algorithm)
    dlk = sam._card_key(auth.keys, CardKeyKind.DLK, auth.serial)
    ses = crypto.load_session_key(dlk, auth.random, auth.online_atc)
    data = (
        auth.balance_fen.to_bytes(4, "big") + auth.amount_fen.to_bytes(4, "big") + b"\x02"
        + auth.terminal_id
    )  # fmt: skip
    return replace(auth, mac1=crypto.mac(ses, data))


# -- the token's primitives on the published vectors --------------------------------------------


def test_the_token_reproduces_the_published_load_vectors(softhsm):
    """card-protocol.md "Public test vectors": DLK 1122…2211, random 11223344, ATC 0."""
    session = open_session(softhsm)
    try:
        dlk = session.create_object(
            {
                Attribute.CLASS: ObjectClass.SECRET_KEY,
                Attribute.KEY_TYPE: KeyType.DES2,
                Attribute.VALUE: H("11223344556677888877665544332211"),
                Attribute.TOKEN: False,
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
                Attribute.DERIVE: True,
            }
        )
        seslk = load_session_key(dlk, H("11223344"), 0)
        terminal = H("001122334455")
        assert des_mac(seslk, H("00000000") + H("00001000") + H("01") + terminal) == H("2988AE5A")
        tail = terminal + H("20111221") + H("214822")
        assert des_mac(seslk, H("00001000") + H("01") + tail) == H("3A845BF0")
        with pytest.raises(pkcs11.PKCS11Error):
            _ = seslk[Attribute.VALUE]  # the session key stays inside
    finally:
        session.close()


def test_the_token_derives_what_pboc_derives(softhsm):
    rng = random.Random(14)
    session = open_session(softhsm)
    try:
        for _ in range(20):
            master, data, message = rng.randbytes(16), rng.randbytes(16), rng.randbytes(23)
            key = session.create_object(
                {
                    Attribute.CLASS: ObjectClass.SECRET_KEY,
                    Attribute.KEY_TYPE: KeyType.DES2,
                    Attribute.VALUE: master,
                    Attribute.TOKEN: False,
                    Attribute.DERIVE: True,
                }
            )
            derived = derive_des2(key, data)
            from app.crypto.des import des_encrypt_ecb  # noqa: PLC0415

            expected = pboc.pboc_mac(des_encrypt_ecb(master, data)[:8], message)
            halves = derive_des2(key, data[:8] + data[:8])  # S ‖ S: single DES under S
            assert des_mac(halves, message) == expected
            derived.destroy()
            halves.destroy()
            key.destroy()
    finally:
        session.close()


# -- the token as the center's issuer keys ------------------------------------------------------


def test_mac2_through_the_token_equals_the_software_sam_on_random_cards(token, des_issuer):
    software = SoftwareSam({des_issuer.key_version: des_issuer})
    keys = TokenIssuerKeys.open(token)
    rng = random.Random(1414)
    ref = PurseKeyRef(PurseAlgorithm.DES, des_issuer.key_version)
    try:
        for _ in range(30):
            auth = _with_good_mac1(software, _auth(rng, ref))
            assert keys.authorize_load(auth) == software.authorize_load(auth)
            forged = _auth(rng, ref)
            with pytest.raises(CardMacError, match="MAC1 does not verify"):
                keys.authorize_load(forged)
        with pytest.raises(SamKeyError):  # a key version the token does not hold
            keys.authorize_load(_auth(rng, PurseKeyRef(PurseAlgorithm.DES, 0x42)))
        with pytest.raises(SamKeyError, match="no key service"):  # the DES TAC: not in PKCS#11
            keys.load_tac(_auth(rng, ref))
    finally:
        keys.close()


def test_the_master_keys_cannot_be_read_out_of_the_token(token):
    session = open_session(token)
    try:
        labels = master_labels(session)
        assert len(labels) == 6 and all(label.startswith("mk/des/01/") for label in labels)
        for label in labels:
            key = session.get_key(object_class=ObjectClass.SECRET_KEY, label=label)
            assert key[Attribute.SENSITIVE] and not key[Attribute.EXTRACTABLE]
            assert not key[Attribute.ENCRYPT]  # not an encryption oracle: derive only
            with pytest.raises(pkcs11.PKCS11Error):
                _ = key[Attribute.VALUE]
    finally:
        session.close()


# -- the key service ---------------------------------------------------------------------------


@pytest.fixture
def key_service(tmp_path, des_issuer, sm4_issuer) -> Iterator[Path]:
    """The key service with both issuers' keys, on a socket of its own (a thread here)."""
    keystore = tmp_path / "service.keystore"
    entries = {**des_issuer.keystore_entries(), **sm4_issuer.keystore_entries()}
    Keystore.create(keystore, "service pw", entries, CHEAP_KDF)
    keystore.chmod(0o600)
    secret = tmp_path / "service.pass"
    secret.write_text("service pw\n")
    secret.chmod(0o600)
    socket_path = tmp_path / "keys.sock"
    keys, wrapper = load_service_keys(keystore, secret)
    server = KeyServiceServer(socket_path, keys, 0o600, wrapper)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield socket_path
    server.shutdown()
    server.server_close()


def test_the_key_service_answers_like_the_software_sam(key_service, des_issuer, sm4_issuer):
    software = SoftwareSam({1: des_issuer, 2: sm4_issuer})
    service = KeyServiceIssuerKeys(key_service)
    rng = random.Random(18)
    for ref in (PurseKeyRef(PurseAlgorithm.SM4, 2), PurseKeyRef(PurseAlgorithm.DES, 1)):
        for _ in range(10):
            auth = _with_good_mac1(software, _auth(rng, ref))
            assert service.authorize_load(auth) == software.authorize_load(auth)
            assert service.load_tac(auth) == software.load_tac(auth)
        with pytest.raises(CardMacError):
            service.authorize_load(_auth(rng, ref))
    assert oct(key_service.stat().st_mode & 0o777) == "0o600"


def test_the_key_service_answers_purchase_tacs_like_the_software_sam(
    key_service, des_issuer, sm4_issuer
):
    software = SoftwareSam({1: des_issuer, 2: sm4_issuer})
    service = KeyServiceIssuerKeys(key_service)
    rng = random.Random(21)
    for ref in (PurseKeyRef(PurseAlgorithm.SM4, 2), PurseKeyRef(PurseAlgorithm.DES, 1)):
        tacs = set()
        for _ in range(10):
            auth = _purchase(rng, ref)
            tac = service.purchase_tac(auth)
            assert tac == software.purchase_tac(auth)
            tacs.add(tac)
        assert len(tacs) == 10  # each card and purchase its own TAC
    with pytest.raises(SamKeyError):  # a key version the service does not hold
        service.purchase_tac(_purchase(rng, PurseKeyRef(PurseAlgorithm.DES, 7)))


def test_the_key_service_refuses_a_bad_purchase_tac_request(key_service):
    """Over the real socket: each bad request is answered with an error, and the service lives."""
    service = KeyServiceIssuerKeys(key_service)
    good = purchase_to_json(_purchase(random.Random(3), PurseKeyRef(PurseAlgorithm.DES, 1)))
    bad: list[object] = [
        None,
        [],
        "auth",
        {k: v for k, v in good.items() if k != "terminal_seq"},
        {**good, "serial": "zz"},
        {**good, "when": "yesterday"},
        {**good, "algorithm": 9},
        {**good, "terminal_seq": 1 << 40},  # does not fit the card's 4 bytes
        {**good, "amount_fen": "lots"},
    ]
    for auth in bad:
        with pytest.raises(ValueError):
            service.request({"op": "purchase_tac", "auth": auth})
    with pytest.raises(ValueError, match="unknown operation"):
        service.request({"op": "purchase_tacs", "auth": good})
    assert service.request({"op": "purchase_tac", "auth": good}) == service.purchase_tac(
        purchase_from_json(good)
    )


def test_the_token_sends_sm4_and_tacs_to_the_key_service(
    token, key_service, des_issuer, sm4_issuer
):
    software = SoftwareSam({1: des_issuer, 2: sm4_issuer})
    keys = TokenIssuerKeys.open(token, KeyServiceIssuerKeys(key_service))
    rng = random.Random(13)
    try:
        for ref in (PurseKeyRef(PurseAlgorithm.SM4, 2), PurseKeyRef(PurseAlgorithm.DES, 1)):
            auth = _with_good_mac1(software, _auth(rng, ref))
            assert keys.authorize_load(auth) == software.authorize_load(auth)
            assert keys.load_tac(auth) == software.load_tac(auth)
            purchase = _purchase(rng, ref)
            assert keys.purchase_tac(purchase) == software.purchase_tac(purchase)
    finally:
        keys.close()


def test_the_key_service_refuses_nonsense_and_keys_others_can_read(tmp_path, key_service):
    keys = SoftwareIssuerKeys(SoftwareSam({}))
    for line in (b"not json", b'{"op": "export", "auth": {}}', b'{"op": "load_tac"}'):
        assert answer(keys, line)["error"] == "value"
    readable = tmp_path / "readable.keystore"
    readable.write_bytes(b"{}")
    readable.chmod(0o644)
    secret = tmp_path / "s.pass"
    secret.write_text("x")
    secret.chmod(0o600)
    with pytest.raises(KeyServiceError, match="chmod 600"):
        load_service_keys(readable, secret)
    with pytest.raises(KeyServiceError, match="does not answer"):
        KeyServiceIssuerKeys(tmp_path / "nobody.sock").load_tac(
            _auth(random.Random(1), PurseKeyRef(PurseAlgorithm.DES, 1))
        )


# -- the center with its keys in the token ------------------------------------------------------


@pytest.fixture
def token_center(tmp_path, clock, token, key_service):
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
        clock=clock,
        pkcs11_module=token.module,
        token_label=token.token_label,
        pin_file=token.pin_file,
        key_service_socket=key_service,
    )
    with TestClient(create_app(settings)) as client:
        center = client.app.state.center  # type: ignore[attr-defined]
        assert isinstance(center.sam, TokenIssuerKeys)
        yield enrol(client, center, clock)


@pytest.mark.parametrize("issuer", ["des_issuer", "sm4_issuer"])
def test_an_online_top_up_with_mac2_from_the_token(token_center, make_rig, request, issuer):
    rig = make_rig(request.getfixturevalue(issuer))
    card = rig.open()
    register(token_center, card.serial.hex().upper(), 1)
    init = card.initialize_for_load(2_000, bytes.fromhex(token_center.terminal_id))
    answer_ = token_center.request("POST", AUTHORIZE, _request(card, init))
    assert answer_.status_code == 200, answer_.text
    when = datetime.fromisoformat(answer_.json()["card_time"])
    tac = card.credit_for_load(when, bytes.fromhex(answer_.json()["mac2"]))
    verify_load_tac(rig.sam, LoadAuthorization.from_init(card.serial, init, when), tac)
    assert rig.reload().profile.balance_fen == 7_000


def test_a_center_whose_key_service_is_down_answers_503(tmp_path, clock, token, rig):
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
        clock=clock,
        pkcs11_module=token.module,
        token_label=token.token_label,
        pin_file=token.pin_file,
        key_service_socket=tmp_path / "gone.sock",
    )
    with TestClient(create_app(settings)) as client:
        device = enrol(client, client.app.state.center, clock)  # type: ignore[attr-defined]
        card = rig.open()
        register(device, card.serial.hex().upper(), 1)
        init = card.initialize_for_load(2_000, bytes.fromhex(device.terminal_id))
        sm4 = _request(card, init, algorithm="SM4")
        answer_ = device.request("POST", AUTHORIZE, sm4)
        assert answer_.status_code == 503
        assert "cannot be reached" in answer_.json()["detail"]


# -- the ceremony ------------------------------------------------------------------------------


def test_the_ceremony_imports_a_key_by_components_and_generates_another(softhsm, tmp_path):
    rng = random.Random(7)
    parts = [[rng.randbytes(16).hex() for _ in range(2)] for _ in range(6)]
    token_args = ["--pkcs11-module", str(softhsm.module), "--token-label", softhsm.token_label,
                  "--pin-file", str(softhsm.pin_file)]  # fmt: skip

    def keys(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "clearing.cli", "keys", *args, *token_args],
            input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
        )  # fmt: skip

    typed = "\n".join(p for pair in parts for p in pair) + "\n"
    done = keys("import", "--key-version", "0A", stdin=typed)
    assert done.returncode == 0, done.stderr
    for pair in parts:
        assert f"KCV {kcv(combine(pair))}" in done.stdout
    again = keys("import", "--key-version", "0A", stdin=typed)
    assert again.returncode == 1 and "already holds mk/des/0a/" in again.stderr
    assert keys("generate", "--key-version", "0B").returncode == 0
    listed = keys("list").stdout.split()
    kinds = sorted(k.value for k in CardKeyKind)
    for version in ("0a", "0b"):
        assert sorted(x.rsplit("/", 1)[1] for x in listed if f"/{version}/" in x) == kinds
    session = open_session(softhsm)
    try:
        for label in master_labels(session):
            if "/0a/" in label or "/0b/" in label:
                for obj in session.get_objects({Attribute.LABEL: label}):
                    obj.destroy()
    finally:
        session.close()


# -- the center's own secrets, wrapped at rest -------------------------------------------------


def _stored_secrets(center) -> list[bytes]:
    from sqlalchemy import select  # noqa: PLC0415

    from clearing.models import CenterIdentityRow, DeviceKeyRow  # noqa: PLC0415

    with center.sessions.begin() as session:
        keys = [r.secret for r in session.scalars(select(DeviceKeyRow))]
        return [*keys, session.get(CenterIdentityRow, 1).secret]


def test_the_center_stores_its_secrets_only_wrapped_in_the_token(token_center, tmp_path):
    from clearing.keys.wrapping import is_wrapped  # noqa: PLC0415
    from tests.clearing.support import batch, load  # noqa: PLC0415

    center = token_center.client.app.state.center
    stored = _stored_secrets(center)
    assert len(stored) == 2 and all(is_wrapped(s) for s in stored)
    journal_key = next(iter(token_center.keys.mac_keys.values()))
    assert all(journal_key not in s and center.identity.secret not in s for s in stored)
    with token_center.journal(tmp_path / "j.sqlite3") as journal:  # the chain unwraps its key
        load(journal, "3100000000000001", 1_000, done=False)
        answer_ = token_center.request("POST", "/v1/journal/batches", batch(journal.records()))
    assert answer_.status_code == 200 and answer_.json()["quarantined"] == [], answer_.text


def test_raw_secrets_are_wrapped_at_start_and_only_the_keys_holder_opens_them(
    tmp_path, clock, key_service
):
    from clearing.center import open_center  # noqa: PLC0415
    from clearing.keys.interface import KeysUnavailableError  # noqa: PLC0415
    from clearing.keys.wrapping import is_wrapped  # noqa: PLC0415

    db_url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    with TestClient(create_app(Settings(db_url=db_url, clock=clock))) as client:
        enrol(client, client.app.state.center, clock)  # type: ignore[attr-defined]
        assert not any(is_wrapped(s) for s in _stored_secrets(client.app.state.center))  # type: ignore[attr-defined]
    wrapped = open_center(Settings(db_url=db_url, clock=clock, key_service_socket=key_service))
    try:
        assert all(is_wrapped(s) for s in _stored_secrets(wrapped))
        identity = wrapped.identity.public_key
    finally:
        wrapped.close()
    again = open_center(Settings(db_url=db_url, clock=clock, key_service_socket=key_service))
    assert again.identity.public_key == identity  # unwrapped by the key service
    again.close()
    admin = open_center(Settings(db_url=db_url, clock=clock))  # the CLI: no key needed
    try:
        assert admin.identity_public_key == identity
        with pytest.raises(KeysUnavailableError, match="stored wrapped"):
            _ = admin.identity  # but it cannot sign without the key service
    finally:
        admin.close()


def test_a_wrapped_key_moved_to_another_row_does_not_open(key_service):
    from clearing.keys.service import KeyServiceWrapper  # noqa: PLC0415
    from clearing.keys.wrapping import device_key_context  # noqa: PLC0415

    wrapper = KeyServiceWrapper(key_service)
    blob = wrapper.wrap(b"k" * 32, device_key_context("DEV-1", "k1"))
    assert wrapper.unwrap(blob, device_key_context("DEV-1", "k1")) == b"k" * 32
    with pytest.raises(ValueError, match="does not open"):
        wrapper.unwrap(blob, device_key_context("DEV-2", "k1"))
