"""``citycard-counter smoke``: a scripted clerk session, for the installed bundle's smoke test.

Not for counters (hidden from the help): ``tests/installers/test_bundle.py`` sets a counter up
in a scratch data directory, starts a clearing center on loopback and puts a virtual card on
the ``vpcd`` reader, then runs the bundle with this command offscreen. The real window opens
(:func:`app.main._run_smoke` composes it exactly like the production start); this script then
does what a clerk does — sign in through the sign-in dialog, open a shift with a float, wait
for the card, open the top-up with its action, type the amount and top up, print the receipt
(a PDF slip, no printer being set) — and finally re-checks the whole journal. It prints one
``smoke: …`` line per step and exits 0 when everything passed, 1 with the failing step.

The window's widgets are reached duck-typed (``Any``): commands sit below the UI layer, the
composition root hands the window in. Qt's event loop is turned by ``app.processEvents()``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STEP_TIMEOUT_S = 60.0
_POLL_S = 0.02
AMOUNT_PAGE, WRITING_PAGE, DONE_PAGE = 0, 1, 2  # TopUpDialog.AMOUNT / WRITING / DONE


class SmokeFailedError(Exception):
    """A step did not reach its state in time (the message names it)."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``smoke`` (no help text: it is for the installers' test, not for counters)."""
    smoke = sub.add_parser("smoke")
    smoke.add_argument("--reader", required=True, help="PC/SC reader with the card on it")
    smoke.add_argument("--username", required=True)
    smoke.add_argument("--password", required=True)
    smoke.add_argument("--float-yuan", default="500", help="the shift's opening float")
    smoke.add_argument("--amount-yuan", default="20", help="the top-up")
    smoke.add_argument("--timeout", type=float, default=STEP_TIMEOUT_S, help="seconds a step")


@dataclass
class SmokeSession:
    """The script over a composed window: ``app`` (QApplication) and ``gui`` (startup.Gui)."""

    app: Any
    gui: Any
    args: argparse.Namespace
    data_dir: Path
    say: Callable[[str], None] = print

    def wait(self, what: str, condition: Callable[[], bool]) -> None:
        """Turn the event loop until ``condition`` holds; SmokeFailedError after the timeout."""
        deadline = time.monotonic() + float(self.args.timeout)
        while not condition():
            if time.monotonic() > deadline:
                raise SmokeFailedError(f"timed out waiting for {what}{self._errors()}")
            self.app.processEvents()
            time.sleep(_POLL_S)
        self.app.processEvents()

    def _errors(self) -> str:
        last = getattr(self.gui.ctx.runner.errors, "last", None)
        return f" (last message: {last})" if last else ""

    def run(self) -> int:
        """All steps; 0 when they passed, 1 (and the reason on stdout) when one failed."""
        try:
            self._sign_in()
            self._open_shift()
            before = self._card()
            after = self._top_up(before)
            self._print_receipt()
            self._verify_journal()
        except SmokeFailedError as exc:
            self.say(f"smoke: FAILED: {exc}")
            return 1
        self.say(f"smoke: OK (balance {before} -> {after})")
        return 0

    def _sign_in(self) -> None:
        window, session = self.gui.window, self.gui.ctx.session
        self.wait("the sign-in dialog", lambda: _visible(getattr(window, "sign_in_dialog", None)))
        dialog = window.sign_in_dialog
        dialog.username.setText(self.args.username)
        dialog.password.setText(self.args.password)
        dialog.ok_button.click()
        self.wait("the sign-in", lambda: session.actor is not None)
        self.say(f"smoke: signed in as {session.actor.username}")

    def _open_shift(self) -> None:
        window, session = self.gui.window, self.gui.ctx.session
        if session.shift is None:
            self.wait("the open-shift dialog", lambda: _visible(_attr(window, "shift_open_dialog")))
            dialog = window.shift_open_dialog
            dialog.float_edit.setText(self.args.float_yuan)
            dialog.open_button.click()
            self.wait("the shift to open", lambda: session.shift is not None)
        self.say(f"smoke: shift {session.shift.id} open")

    def _card(self) -> str:
        window, session = self.gui.window, self.gui.ctx.session
        self.wait("the card on the reader", lambda: session.card is not None)
        self.wait("the balance", lambda: window.card_panel.balance_text() != "—")
        balance = str(window.card_panel.balance_text())
        self.say(f"smoke: card read, balance {balance}")
        return balance

    def _top_up(self, before: str) -> str:
        window = self.gui.window
        flow = window.action_panel.flow("topup")
        self.wait("the top-up action to be enabled", flow.action.isEnabled)
        flow.action.trigger()
        self.wait("the top-up dialog", lambda: _visible(window.topup_dialog))
        dialog = window.topup_dialog
        self.wait("the top-up amount page", lambda: dialog.page() == AMOUNT_PAGE)
        dialog.amount.setText(self.args.amount_yuan)
        dialog.primary.click()
        self.wait("the top-up to finish", lambda: dialog.page() not in (AMOUNT_PAGE, WRITING_PAGE))
        if dialog.page() != DONE_PAGE:
            raise SmokeFailedError(f"the top-up did not complete: {dialog.message_text()}")
        self.wait("the runner to be idle", lambda: not self.gui.ctx.runner.busy())
        self.wait(
            "the card panel to show the new balance",
            lambda: window.card_panel.balance_text() not in ("—", before),
        )
        self.say(f"smoke: topped up {self.args.amount_yuan} yuan")
        self.dialog = dialog
        return str(window.card_panel.balance_text())

    def _print_receipt(self) -> None:
        folder = self.data_dir / "receipts"
        receipt = self.dialog.receipt
        if receipt is None:
            raise SmokeFailedError("the top-up has no receipt")
        made = folder / f"receipt-{receipt.outcome_seq:06d}.pdf"
        if not self.dialog.auto_print:  # printed by itself when the settings say so
            self.dialog.print_button.click()
        self.wait("the receipt PDF", made.exists)
        self.wait("the runner to be idle", lambda: not self.gui.ctx.runner.busy())
        self.say(f"smoke: receipt {made.name} ({made.stat().st_size} bytes)")
        self.dialog.primary.click()  # Done
        self.wait("the top-up dialog to close", lambda: self.gui.window.topup_dialog is None)

    def _verify_journal(self) -> None:
        report = self.gui.ctx.counter.journal.verify(full=True)
        self.say(f"smoke: journal {report.summary()}")
        if not report.ok:
            raise SmokeFailedError("the journal does not verify")


def _attr(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


def _visible(widget: Any) -> bool:
    try:
        return widget is not None and bool(widget.isVisible())
    except RuntimeError:  # the C++ object was deleted (a dialog closed)
        return False
