"""Settings: a round trip through the file, atomic writes, unusable files kept aside."""

from __future__ import annotations

import json
import os

import pytest

from app.settings import (
    FILE_NAME,
    LoadedSettings,
    Settings,
    SettingsValueError,
    load_settings,
    save_settings,
)

PRINTER = {"kind": "escpos_network", "host": "192.0.2.10", "port": 9100, "encoding": "gb18030"}


def test_no_file_gives_the_defaults_without_a_warning(tmp_path):
    loaded = load_settings(tmp_path / FILE_NAME)
    assert loaded == LoadedSettings(Settings())
    assert loaded.settings.language == "zh_CN" and not loaded.settings.scenic_mode


def test_round_trip(tmp_path):
    ca = tmp_path / "center-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = Settings(
        language="en",
        printer=PRINTER,
        center_url="https://center.example:8443",
        center_ca_file=str(ca),
        reader_name="Virtual PCD 00 00",
        scenic_mode=True,
    )
    path = save_settings(settings, tmp_path / "data" / FILE_NAME)
    loaded = load_settings(path)
    assert loaded.warning is None
    assert loaded.settings == settings
    assert dict(loaded.settings.printer) == PRINTER
    assert json.loads(path.read_text())["format"] == 1
    assert [p.name for p in path.parent.iterdir()] == [FILE_NAME]  # no temporary file left
    if os.name != "nt":
        assert path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe garbage", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"format": 99, "language": "en"}', "format 99"),
        (b'{"format": 1, "scenic_mode": "yes"}', "scenic_mode is str"),
        (b'{"format": 1, "language": "fr"}', "language 'fr'"),
    ],
)
def test_an_unusable_file_gives_defaults_a_warning_and_is_kept_aside(tmp_path, content, why):
    path = tmp_path / FILE_NAME
    path.write_bytes(content)
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert loaded.warning is not None
    assert why in str(loaded.warning)
    assert loaded.kept_aside == tmp_path / "settings.json.bad"
    assert loaded.kept_aside.read_bytes() == content  # kept as it was, for a technician
    assert str(loaded.kept_aside) in loaded.warning.advice_text
    assert not path.exists()
    # the next start is clean, and a second bad file does not overwrite the first
    assert load_settings(path) == LoadedSettings(Settings())
    path.write_bytes(b"again bad")
    again = load_settings(path)
    assert again.kept_aside == tmp_path / "settings.json.bad.1"
    assert (tmp_path / "settings.json.bad").read_bytes() == content


def test_keys_of_a_newer_version_are_ignored(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_text(json.dumps({"format": 1, "language": "en", "kiosk_colour": "blue"}))
    loaded = load_settings(path)
    assert loaded.warning is None and loaded.settings.language == "en"
    assert path.exists()


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"language": "de"}, "not a language"),
        ({"center_url": "center.example"}, "not the address"),
        ({"center_url": "ftp://center.example"}, "not the address"),
        ({"center_ca_file": "/nowhere/ca.pem"}, "does not exist"),
    ],
)
def test_bad_values_are_refused_before_writing(tmp_path, changes, why):
    path = tmp_path / FILE_NAME
    save_settings(Settings(language="en"), path)
    before = path.read_bytes()
    with pytest.raises(SettingsValueError, match=why):
        save_settings(Settings(**changes), path)
    assert path.read_bytes() == before


def test_a_crash_during_the_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / FILE_NAME
    save_settings(Settings(language="en"), path)

    def crash(_src, _dst):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        save_settings(Settings(language="zh_CN", reader_name="X"), path)
    monkeypatch.undo()
    assert load_settings(path).settings == Settings(language="en")
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]
