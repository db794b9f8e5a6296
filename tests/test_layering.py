"""Imports point down: fails when a third-party binding or an upper layer leaks below its place."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package prefix -> prefixes it must not import
FORBIDDEN = {
    "app.domain": [
        "app.card",
        "app.crypto",
        "app.services",
        "app.ui",
        "app.journal",
        "app.sync",
        "PySide6",
        "smartcard",
        "requests",
        "sqlalchemy",
        "cardsim",
        "clearing",
    ],
    "app.crypto": [
        "app.card",
        "app.services",
        "app.ui",
        "app.journal",
        "app.sync",
        "PySide6",
        "smartcard",
        "requests",
        "cardsim",
        "clearing",
    ],
    "app.card": [
        "app.services",
        "app.ui",
        "app.journal",
        "app.sync",
        "PySide6",
        "requests",
        "cardsim",
        "clearing",
    ],
    "app.journal": [
        "app.services",
        "app.ui",
        "app.sync",
        "app.card",
        "PySide6",
        "smartcard",
        "requests",
        "cardsim",
        "clearing",
    ],
    "app.sync": ["app.services", "app.ui", "PySide6", "smartcard", "cardsim"],
    "app.services": ["app.ui", "PySide6", "smartcard", "requests", "cardsim"],
    "cardsim": ["app.services", "app.ui", "app.journal", "app.sync", "PySide6", "requests"],
}
# only these modules may import the binding
SOLE_OWNERS = {
    "smartcard": ["app.card.pcsc", "tests.", "bench."],
    "cardsim": ["app.demo", "cardsim", "tests.", "bench."],
    "PySide6": ["app.ui", "app.demo", "tests.", "bench."],
}


def _modules():
    for base in ("app", "cardsim", "clearing"):
        for path in (ROOT / base).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            name = ".".join(p for p in rel.parts if p != "__init__")
            yield name, path


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def _matches(module: str, prefix: str) -> bool:
    if prefix.endswith("."):
        return module.startswith(prefix)
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize(("name", "path"), list(_modules()), ids=str)
def test_imports_point_down(name, path):
    for module in _imports(path):
        for layer, banned in FORBIDDEN.items():
            if name == layer or name.startswith(layer + "."):
                hits = [b for b in banned if _matches(module, b)]
                assert not hits, f"{name} imports {module}, which its layer must not"
        for binding, owners in SOLE_OWNERS.items():
            if _matches(module, binding):
                assert any(name == o or name.startswith(o) for o in owners), (
                    f"{name} imports {binding}; only {owners} may"
                )


def test_the_scan_finds_modules_and_catches_a_violation(tmp_path):
    names = dict(_modules())
    assert "app.card.pcsc" in names and "app.crypto.pboc" in names
    bad = tmp_path / "bad.py"
    bad.write_text("import smartcard.System\nfrom PySide6 import QtCore\n")
    assert _imports(bad) == ["smartcard.System", "PySide6"]
    assert _matches("PySide6.QtCore", "PySide6")
    assert not _matches("PySide6x", "PySide6")
