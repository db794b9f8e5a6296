"""The interchange commands of `citycard-center`, and the platform's published contract."""

from __future__ import annotations

import json
from pathlib import Path

from clearing.cli import main
from clearing.interchange.cli import platform_openapi_text

CONTRACT = Path(__file__).resolve().parents[2] / "clearing" / "interchange" / "openapi.json"


def test_the_published_platform_contract_is_the_application(capsys):
    assert CONTRACT.read_text("utf-8") == platform_openapi_text()
    contract = json.loads(CONTRACT.read_text("utf-8"))
    assert set(contract["paths"]) == {
        "/v1/time",
        "/v1/interchange/records",
        "/v1/interchange/inbound",
        "/v1/interchange/blacklist",
        "/v1/interchange/settlement",
    }


def test_a_center_registers_with_the_platform_by_its_identity(tmp_path, capsys):
    center_db = f"sqlite:///{tmp_path / 'wuxi.sqlite3'}"
    hub_db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["interchange", "identity", "--db", center_db]) == 0
    key = capsys.readouterr().out.strip()
    assert len(key) == 128
    assert main(["interchange", "identity", "--db", center_db]) == 0
    assert capsys.readouterr().out.strip() == key  # the same identity every time
    args = ["platform", "member", "--db", hub_db, "--city", "wuxi", "--public-key", key]
    assert main([*args, "--issuer-codes", "2140,0000302000000000"]) == 0
    assert "member wuxi (无锡)" in capsys.readouterr().out
    # refused in words: a city outside the table, a key that is not hex, no issuer code
    bad = ["platform", "member", "--db", hub_db, "--public-key", key, "--issuer-codes"]
    assert main([*bad, "2140", "--city", "atlantis"]) == 1
    assert main([*bad, "ZZ", "--city", "wuxi"]) == 1
    assert "not a city" in capsys.readouterr().err
    assert main(["platform", "positions", "--db", hub_db, "--date", "2026-12-08"]) == 0
    assert capsys.readouterr().out == ""
    out = tmp_path / "files"
    assert (
        main(["platform", "settlement", "--db", hub_db, "--date", "2026-12-08", "--out", str(out)])
        == 0
    )
    document = json.loads((out / "wuxi-2026-12-08.json").read_text("utf-8"))
    assert (document["city"], document["name"], document["net_fen"]) == ("wuxi", "无锡", 0)
    assert (out / "wuxi-2026-12-08.csv").read_text("utf-8").startswith("date,city,counterparty")


def test_a_sync_round_without_a_platform_says_so_and_loses_nothing(tmp_path, capsys):
    center_db = f"sqlite:///{tmp_path / 'wuxi.sqlite3'}"
    args = ["interchange", "sync", "--db", center_db, "--platform", "http://127.0.0.1:9"]
    assert main([*args, "--city", "wuxi", "--timeout", "1"]) == 2
    assert "cannot be reached" in capsys.readouterr().err
