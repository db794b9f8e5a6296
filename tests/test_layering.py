"""Imports point down: fails when a third-party binding or an upper layer leaks below its place."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# App layers by rank: a module may import app modules of a lower rank (and its own package).
RANKS = {
    "app.domain": 0,
    "app.crypto": 1,
    "app.card": 2,
    "app.journal": 2,
    "app.sync": 3,
    "app.services": 4,
    "app.reports": 4.2,  # shift and daily report figures, CSV (above the services they read)
    "app.printing": 4.2,  # receipt layout and ESC/POS printers (Qt-free)
    "app.ui": 5,
    "app.paths": 0,
    "app.files": 0.2,  # the one atomic writer of small files
    "app.settings": 0.5,  # the counter's settings file (Qt-free)
    "app.logs": 0.5,
    "app.dbfile": 1,
    "app.store": 2,
    "app.commands": 5,
    "app.composition": 4.5,  # builds services for commands and the window
    "app.main": 6,
    "app.demo": 6,
}
# what the virtual card may use of the app: it must agree with the counter on bytes only
CARDSIM_MAY_USE = ("app.domain", "app.crypto", "app.card.issuer_keys", "app.files")
# third-party bindings and the only places that may import them
SOLE_OWNERS = {
    "smartcard": ["app.card.pcsc", "tests.", "bench."],
    "cardsim": ["app.demo", "cardsim", "tests.", "bench."],
    "PySide6": ["app.ui", "app.demo", "tests.", "bench."],
    "requests": ["app.sync", "tests.", "bench."],
    "sqlalchemy": ["app.dbfile", "app.journal", "app.store", "clearing", "tests.", "bench."],
    "alembic": ["app.dbfile", "app.journal", "app.store", "clearing", "tests.", "bench."],
    "pkcs11": [
        "clearing.keys.token",
        "clearing.keys.ceremony",
        "clearing.keys.wrapping",
        "tests.",
        "bench.",
    ],
}


def _layer(module: str) -> str | None:
    return next((p for p in RANKS if _matches(module, p)), None)


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
    own = _layer(name)
    for module in _imports(path):
        target = _layer(module)
        if own is not None and target is not None and target != own:
            assert RANKS[target] < RANKS[own], f"{name} ({own}) imports {module} ({target})"
        if name.startswith("cardsim") and module.startswith("app"):
            assert any(_matches(module, p) for p in CARDSIM_MAY_USE), f"{name} imports {module}"
        for binding, owners in SOLE_OWNERS.items():
            if _matches(module, binding):
                assert any(_matches(name, o) or name.startswith(o) for o in owners), (
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
    assert _layer("app.card.session") == "app.card" and _layer("tests.x") is None
    assert RANKS["app.ui"] > RANKS["app.services"] > RANKS["app.card"] > RANKS["app.domain"]
