"""The sign-in screen's path imports only what the first screen needs (issue 20: cold start).

A fresh interpreter does what the counter does up to the sign-in screen — import the window's
modules, unlock and open an offline counter (journal and store already at the current schema),
build the window and show it — then lists the heavy modules it holds. None of those may be there:
Alembic comes in only when a migration is due, ``requests`` only when a center is configured,
pillow and python-escpos only when a receipt goes to a thermal printer; the flow dialogs, the
reports, receipt printing (QtPrintSupport) and the scenic page only when first opened. The
window is wired as the production start wires it (:func:`app.ui.startup.wire_window`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.composition import init_counter
from app.crypto.keystore import KdfParams

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "start-up import test passphrase"
# top-level packages (or exact modules) the first screen must not import
HEAVY = (
    "alembic",
    "mako",
    "requests",
    "urllib3",
    "PIL",
    "escpos",
    "fastapi",
    "starlette",
    "uvicorn",
    "psycopg",
    "pytest",
    "hypothesis",
    "cardsim",
    "clearing",
    "PySide6.QtCharts",
    "PySide6.QtNetwork",
    "PySide6.QtSvg",
    "PySide6.QtPrintSupport",
    "gmssl",  # SM2's reference arithmetic: Tongsuo (C) does the start's keys and signatures
    "Cryptodome",
    "app.sync.loop",  # the sync's thread and uploader: only with a center
    "app.sync.uploader",
    # the app's own: each flow dialog, the reports, printing, the scenic page come in when opened
    "app.ui.flows.loss",
    "app.ui.flows.replacement",
    "app.ui.flows.exchange",
    "app.ui.flows.refund",
    "app.ui.flows.void_reprint",
    "app.ui.flows.grey_records",
    "app.ui.flows.journal_tools",
    "app.ui.flows.sync_status",
    "app.ui.flows.settings_dialog",
    "app.ui.flows.receipt_view",
    "app.ui.flows.reports",
    "app.reports",
    "app.printing",
    "app.ui.printing",
    "app.ui.scenic.page",
    "app.ui.scenic.pass_dialog",
    "app.ui.first_run",
    "app.diagnostics",
)

_CHILD = r"""
import json, os, sys
from pathlib import Path
from app.ui.qt_app import make_application
from app.ui.startup import assemble, wire_window
from app.ui.i18n import LanguageSwitcher
from app.settings import Settings
from app import composition
app = make_application()
counter = composition.open_counter(Path(sys.argv[1]), os.environ["PP"])
gui = assemble(counter, lambda: None, "test reader")
wire_window(gui, data_dir=Path(sys.argv[1]), settings=Settings(), languages=LanguageSwitcher(app))
gui.window.show()
app.processEvents()
for extra in sys.argv[2:]:
    __import__(extra)
heavy = json.loads(os.environ["HEAVY"])
found = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
print(json.dumps(found))
gui.close()
counter.close()
"""


@pytest.fixture(scope="module")
def counter_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("counter")
    init_counter(
        directory,
        PASSPHRASE,
        "DEV-IMPORTS",
        "0102030405AB",
        KdfParams(memory_kib=1024, iterations=1, lanes=1),
    )
    return directory


def _heavy_after_start(directory: Path, *extra: str) -> list[str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen", PP=PASSPHRASE, PYTHONPATH=str(ROOT), HEAVY=json.dumps(HEAVY)
    )
    # no SAM in this test's reader slot (whatever a machine's pcscd serves): the counter opens
    # without one, as on a PC whose SAM slot is empty
    env["CITYCARD_SAM_READER"] = "no SAM reader here"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(directory), *extra],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_sign_in_screen_imports_nothing_heavy(counter_dir: Path) -> None:
    assert _heavy_after_start(counter_dir) == []


def test_the_check_sees_a_heavy_import(counter_dir: Path) -> None:
    """The control: the same child, made to import ``requests`` at the end, is caught."""
    assert "requests" in _heavy_after_start(counter_dir, "requests")


def test_the_check_sees_a_flow_dialog_imported(counter_dir: Path) -> None:
    """The control for the app's own: a flow dialog's module imported at the end is caught."""
    found = _heavy_after_start(counter_dir, "app.ui.flows.reports")
    assert "app.ui.flows.reports" in found and "app.reports" in found
