"""The task runner: results on the GUI thread, progress only when slow, three kinds of failure."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QProgressDialog

from app.card.thread import CardThread
from app.services.errors import Cancelled, RefusedError
from app.ui.messages import ErrorPresenter
from app.ui.tasks import TaskRunner


@pytest.fixture
def runner(qtbot):
    card_thread = CardThread()
    errors = ErrorPresenter()
    r = TaskRunner(card_thread, errors, progress_delay_ms=200)
    yield r
    errors.close()
    r.shutdown()
    card_thread.stop()


def _progress_dialogs() -> list[QProgressDialog]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QProgressDialog) and w.isVisible()
    ]


def test_card_work_runs_on_the_card_thread_and_reports_on_the_gui_thread(qtbot, runner):
    seen: dict[str, str] = {}

    def work(_token, _progress):
        seen["work"] = threading.current_thread().name
        return 42

    results: list[int] = []

    def done(value: int) -> None:
        seen["done"] = threading.current_thread().name
        results.append(value)

    runner.run(work, done, label="read", on_card=True)
    qtbot.waitUntil(lambda: results == [42], timeout=5000)
    assert seen == {"work": "card", "done": threading.main_thread().name}
    assert not runner.busy()


def test_quick_work_shows_no_progress_but_slow_work_does(qtbot, runner):
    release = threading.Event()
    finished: list[str] = []
    runner.run(lambda _t, _p: "quick", finished.append, label="quick")
    qtbot.waitUntil(lambda: finished == ["quick"], timeout=5000)
    qtbot.wait(300)
    assert _progress_dialogs() == []

    def slow(_token, progress):
        progress("writing the card")
        release.wait(10)
        return "slow"

    runner.run(slow, finished.append, label="Top-up")
    qtbot.waitUntil(lambda: len(_progress_dialogs()) == 1, timeout=5000)
    assert "writing the card" in _progress_dialogs()[0].labelText()
    release.set()
    qtbot.waitUntil(lambda: finished == ["quick", "slow"], timeout=5000)
    qtbot.waitUntil(lambda: _progress_dialogs() == [], timeout=5000)


def test_cancel_is_a_flag_the_work_checks_and_cancelled_is_silent(qtbot, runner):
    started = threading.Event()

    def work(token, _progress):
        started.set()
        while True:
            token.raise_if_cancelled()
            threading.Event().wait(0.01)

    task = runner.run(work, lambda _r: None, label="long", cancellable=True)
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert runner.errors.last is None


def test_clerk_facing_and_internal_errors_are_told_apart(qtbot, runner, caplog):
    def refuse(_t, _p):
        raise RefusedError(
            "Top-up of {amount} is above the limit.", advice="Top up less.", amount="¥900.00"
        )

    runner.run(refuse, lambda _r: None, label="top-up")
    qtbot.waitUntil(lambda: runner.errors.last is not None, timeout=5000)
    assert runner.errors.last == ("Top-up of ¥900.00 is above the limit.", "Top up less.")

    def bug(_t, _p):
        raise KeyError("oops")

    runner.run(bug, lambda _r: None, label="bug")
    qtbot.waitUntil(lambda: runner.errors.last[0].startswith("Internal error"), timeout=5000)
    assert "KeyError" in runner.errors.last[0]
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


def test_a_failure_handler_can_take_the_error(qtbot, runner):
    taken: list[BaseException] = []

    def handler(exc: BaseException) -> bool:
        taken.append(exc)
        return True

    runner.run(
        lambda _t, _p: (_ for _ in ()).throw(Cancelled()),
        lambda _r: None,
        label="x",
        on_failure=handler,
    )
    qtbot.waitUntil(lambda: len(taken) == 1, timeout=5000)
    assert isinstance(taken[0], Cancelled) and runner.errors.last is None
