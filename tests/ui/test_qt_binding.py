"""The Qt binding keeps Python's reference counts straight.

PySide6-Essentials 6.12.0 dropped a reference to ``None``/``True``/``False`` on every call of a
method returning nothing; a long session (or a test run) then aborted with "Fatal Python error:
none_dealloc". pyproject.toml pins below it; this fails if such a build comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_void_methods_do_not_leak_references_to_singletons(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1000):
        widget.setEnabled(True)
        widget.setVisible(False)
    after = sys.getrefcount(None), sys.getrefcount(True)
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50
