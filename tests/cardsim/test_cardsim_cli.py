"""The citycard-sim command line: create-demo, show, apdu (in process and as a subprocess)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cardsim_support import make_profile

from app.card.issuer_keys import IssuerKeySet
from app.crypto.diversify import interop_card_key, issuer_diversifier
from app.crypto.keystore import KdfParams, Keystore
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardFamily, CardKeyKind
from cardsim import cli
from cardsim.demo import SAM_PROFILE_NAME, create_demo
from cardsim.profile import CardProfile, HolderFields
from cardsim.sam_profile import KeyScope, SamProfile

PASS = "correct horse battery staple"


def test_create_demo_writes_a_keystore_matching_the_cards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASS)
    assert cli.main(["create-demo", "--dir", str(tmp_path / "demo")]) == 0
    printed = capsys.readouterr().out
    assert "cu-senior.json" in printed and "blacklist" in printed

    store = Keystore.open(tmp_path / "demo" / "sam-keystore.json", PASS)
    des = IssuerKeySet.from_keystore(store, PurseAlgorithm.DES, 1)
    sm4 = IssuerKeySet.from_keystore(store, PurseAlgorithm.SM4, 2)
    manifest = json.loads((tmp_path / "demo" / "demo-cards.json").read_text("utf-8"))
    names = {c["name"] for c in manifest["cards"]}
    assert {"cu-adult", "cu-student", "cu-senior", "cu-expired", "cu-lost", "cu-sm4"} <= names
    families = set()
    sam = SamProfile.load(tmp_path / "demo" / SAM_PROFILE_NAME)
    (national,) = [k for k in sam.key_sets if k.scope == KeyScope.NATIONAL]
    assert CardKeyKind.DABK in national.keys  # the demo PSAM blocks other cities' cards too
    for entry in manifest["cards"]:
        profile = CardProfile.load(tmp_path / "demo" / entry["profile"])
        assert profile.serial.hex().upper() == entry["serial"]
        if entry["name"] in ("cu-wuxi", "tu-shanghai"):  # other cities': the national keys
            assert profile.key_version == national.key_version
            diversifier = (
                profile.public_file[:8]
                if profile.family is CardFamily.T_UNION
                else (issuer_diversifier(profile.public_file[2:4]))
            )
            for kind in (CardKeyKind.DPK, CardKeyKind.DTK, CardKeyKind.DABK):
                assert profile.card_keys[kind] == interop_card_key(
                    0, national.keys[kind], diversifier, profile.serial
                )
            assert profile.card_keys[CardKeyKind.DLK] != des.card_key(
                CardKeyKind.DLK, profile.serial
            )
            families.add(profile.family)
            continue
        key_set = sm4 if profile.algorithm is PurseAlgorithm.SM4 else des
        assert profile.card_keys == key_set.card_keys(profile.serial)
        assert profile.key_version == key_set.key_version
        families.add(profile.family)
    assert families == {CardFamily.CITY_UNION, CardFamily.T_UNION}
    assert [c["name"] for c in manifest["cards"] if c["blacklisted"]] == ["cu-lost"]
    senior = CardProfile.load(tmp_path / "demo" / "cu-senior.json")
    assert senior.holder_file is not None
    assert HolderFields.parse(senior.holder_file).name == "张三"
    assert "3100" in json.dumps(manifest) and "dlk" not in json.dumps(manifest)


def test_create_demo_dates(tmp_path: Path) -> None:
    issuer = create_demo(
        tmp_path,
        PASS,
        kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1),
        today=dt.date(2025, 3, 1),
    )
    expired = CardProfile.load(issuer.card("cu-expired").path)
    assert expired.public_file[24:28] == bytes.fromhex("20250130")
    adult = CardProfile.load(issuer.card("cu-adult").path)
    assert adult.public_file[24:28] == bytes.fromhex("20351231")
    assert adult.public_file[28] == 0x01


def test_create_demo_refuses_without_passphrase_or_over_existing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(cli.PASSPHRASE_ENV, raising=False)
    assert cli.main(["create-demo", "--dir", str(tmp_path)]) == 1
    assert cli.PASSPHRASE_ENV in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASS)
    (tmp_path / "cu-adult.json").write_text("{}")
    assert cli.main(["create-demo", "--dir", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert not (tmp_path / "sam-keystore.json").exists()


def test_show_prints_state_without_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.json"
    profile = make_profile(balance_fen=123456, online_atc=7, blocked=True)
    profile.save(path)
    assert cli.main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "¥1,234.56" in out and "online 7" in out and "Blocked:     yes" in out
    assert "3100000000000042" in out and "张三" in out
    for key in profile.card_keys.values():
        assert key.hex().upper() not in out.upper()


def test_apdu_command_answers_and_persists(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    make_profile(balance_fen=300).save(path)
    script = "\n".join(
        [
            "# select the purse",
            "00 A4 04 00 09 A0 00 00 00 03 86 98 07 01",
            "",
            "80 5C 00 02 04  # balance",
            "80 50 00 02 0B 01 00 00 00 10 00 11 22 33 44 55 10",
            "80 52 00 00 0B 20111221 214822 00000000 04",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-m", "cardsim.cli", "apdu", str(path)],
        input=script,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    assert len(lines) == 4
    assert lines[0].startswith("6F") and lines[0].endswith("9000")
    assert lines[1] == "0000012C9000"
    assert lines[2].startswith("0000012C0000010011223344") and lines[2].endswith("9000")
    assert lines[3] == "9302"


def test_apdu_command_reports_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.json"
    make_profile().save(path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("805C000204\nnot-hex\n"))
    assert cli.main(["apdu", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.strip() == "6985"
    assert "line 2" in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize("content", [None, "{broken", '{"format": "citycard-profile/1"}'])
def test_missing_or_corrupt_profile_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    path = tmp_path / "c.json"
    if content is not None:
        path.write_text(content)
    assert cli.main(["show", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("citycard-sim: ") and str(path) in err


def test_remove_without_a_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.RUNTIME_ENV, str(tmp_path))
    assert cli.main(["remove", "--slot", "7"]) == 1
    assert "no card is inserted in slot 7" in capsys.readouterr().err


def test_insert_refuses_a_bad_fault(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.json"
    make_profile().save(path)
    assert cli.main(["insert", str(path), "--fault", "explode:1"]) == 1
    assert "--fault" in capsys.readouterr().err
