"""Translations are complete: every clerk-visible string has a zh_CN translation.

Fails when a ``.ts`` has unfinished entries, when a translation's placeholders differ from its
source's, when the sources hold strings the ``.ts`` lacks (lupdate run on a copy), when the
generated catalogue of Qt-free templates is stale, or when a clerk-facing message is an f-string.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
assert _spec is not None and _spec.loader is not None
i18n = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = i18n  # dataclasses look their module up
_spec.loader.exec_module(i18n)

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(ts).getroot()
    found = []
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found.append((name, message.findtext("source") or "", message))
    return found


def _unfinished(ts: Path) -> list[str]:
    bad = []
    for context, source, message in _messages(ts):
        translation = message.find("translation")
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
            bad.append(f"{context}: {source!r}")
        elif not (translation.text or "").strip():
            bad.append(f"{context}: {source!r} (empty)")
    return bad


def test_clerk_facing_messages_are_templates_not_f_strings():
    _templates, problems = i18n.collect()
    assert [str(p) for p in problems] == []


def test_generated_catalogue_is_up_to_date():
    templates, _problems = i18n.collect()
    assert i18n.CATALOG.read_text(encoding="utf-8") == i18n.render_catalog(templates), (
        "run: .venv/bin/python scripts/i18n.py update"
    )


@pytest.mark.parametrize("ts", i18n.TS_FILES, ids=lambda p: p.name)
def test_every_entry_is_translated(ts: Path):
    assert ts.exists()
    assert _unfinished(ts) == []


@pytest.mark.parametrize("ts", i18n.TS_FILES, ids=lambda p: p.name)
def test_placeholders_match(ts: Path):
    wrong = []
    for context, source, message in _messages(ts):
        translation = message.findtext("translation") or ""
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
            wrong.append(f"{context}: {source!r} -> {translation!r}")
        if source.count("&") != translation.count("&"):
            wrong.append(f"{context}: mnemonic differs in {source!r} -> {translation!r}")
    assert wrong == []


@pytest.mark.parametrize("ts", i18n.TS_FILES, ids=lambda p: p.name)
def test_sources_hold_no_string_missing_from_the_ts(ts: Path, tmp_path: Path):
    copy = tmp_path / ts.name
    shutil.copy(ts, copy)
    catalog = tmp_path / "messages_catalog.py"
    catalog.write_text(i18n.render_catalog(i18n.collect()[0]), encoding="utf-8")
    sources = [s for s in i18n.qt_source_files() if not s.endswith("messages_catalog.py")]
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run(
        [
            str(lupdate),
            *sources,
            str(catalog),
            "-extensions",
            "py",
            "-locations",
            "none",
            "-silent",
            "-ts",
            str(copy),
        ],
        check=True,
    )
    assert _unfinished(copy) == [], "new strings: run scripts/i18n.py update and translate them"


def test_compiled_catalogue_translates(tmp_path: Path, qapp):
    from PySide6.QtCore import QCoreApplication  # noqa: PLC0415

    from app.ui.i18n import LanguageSwitcher  # noqa: PLC0415

    built = i18n.release(tmp_path)
    assert all(p.stat().st_size > 0 for p in built)
    switcher = LanguageSwitcher(qapp, tmp_path)
    assert switcher.switch("zh_CN")
    try:
        text = QCoreApplication.translate("messages", "Nobody is signed in.")
        assert text != "Nobody is signed in." and re.search(r"[\u4e00-\u9fff]", text)
    finally:
        assert switcher.switch("en")
    assert QCoreApplication.translate("messages", "Nobody is signed in.") == "Nobody is signed in."
