"""Composition root and the ``citycard-counter`` command.

Builds settings, logging, the card backend and the services, then the window. Nothing else in
the app creates these; no module-level singletons. Qt and pyscard are imported only when the
window is opened, so ``version``, ``journal`` and ``cli`` stay light.

The window's start (``_run_gui``): the data directory (:mod:`app.paths`) and its settings; on a
first run the set-up wizard, then :func:`app.composition.init_counter` and the first
administrator; the keystore passphrase from ``CITYCARD_KEYSTORE_PASSPHRASE`` or the "unlock this
counter" dialog; the counter (:func:`app.composition.open_counter`); the card thread, the task
runner, the reader bridge with its tap steps and the window (:func:`app.ui.startup.assemble`,
the Qt half of this root); the flows, settings, receipt printing and reports plugged into it
(:func:`app.ui.startup.wire_window`); then the reader's watcher and the sync.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from app.commands import counter as counter_commands
from app.commands import journal as journal_commands
from app.commands import keystore as keystore_commands
from app.commands import restore as restore_commands
from app.commands import smoke as smoke_commands

log = logging.getLogger("app.main")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citycard-counter", description=__doc__)
    parser.add_argument("--log-level", default="INFO", help="logging level (TRACE=5 shows APDUs)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("version", help="print the version and the journal's and store's schema")
    gui = sub.add_parser("gui", help="open the counter window (the default)")
    gui.add_argument("--reader", help="PC/SC reader name (default: the settings, or the first)")
    sub.add_parser("readers", help="list the PC/SC readers")
    journal_commands.add_parser(sub)
    keystore_commands.add_parser(sub)
    counter_commands.add_parser(sub)
    restore_commands.add_parser(sub)
    smoke_commands.add_parser(sub)
    return parser


def _readers() -> list[str]:
    from app.card.pcsc import list_readers  # noqa: PLC0415

    return list_readers()


def _run_gui(reader: str | None) -> int:
    from app.crypto.unlock_ahead import KeystoreUnlock  # noqa: PLC0415
    from app.paths import ENV_PASSPHRASE, data_dir  # noqa: PLC0415

    directory = data_dir()
    passphrase = os.environ.get(ENV_PASSPHRASE)
    ahead = None
    if passphrase is not None and (directory / "keystore.json").exists():
        # Argon2id on a thread while the window's modules import (issue 20: cold start)
        ahead = KeystoreUnlock(directory / "keystore.json", passphrase)

    from app.card.pcsc import CardWatcher, PcscTransport  # noqa: PLC0415
    from app.domain.texts import ClerkFacingError  # noqa: PLC0415
    from app.settings import FILE_NAME, load_settings  # noqa: PLC0415
    from app.ui import startup  # noqa: PLC0415
    from app.ui.i18n import LanguageSwitcher  # noqa: PLC0415
    from app.ui.qt_app import make_application  # noqa: PLC0415
    from app.ui.status_bar import ReaderState  # noqa: PLC0415

    app = make_application()
    loaded = load_settings(directory / FILE_NAME)
    languages = LanguageSwitcher(app)  # kept: the settings dialog switches through it
    languages.switch(loaded.settings.language)
    if not (directory / "keystore.json").exists():
        from app.ui.first_run import ask_first_run  # noqa: PLC0415 - the first run only

        answers = ask_first_run(_readers, ask_passphrase=passphrase is None)
        if answers is None:
            return 1
        passphrase = answers.keystore_passphrase or passphrase
        assert passphrase is not None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            startup.set_up_first_run(directory, passphrase, answers)
        except ClerkFacingError as exc:
            return startup.show_fatal(exc)
        loaded = load_settings(directory / FILE_NAME)
    try:
        counter = startup.unlock_counter(directory, passphrase, ahead)
    except ClerkFacingError as exc:  # a damaged journal or store file: say so, do not crash
        return startup.show_fatal(exc)
    if counter is None:
        return 1
    reader_name = reader or loaded.settings.reader_name
    reader_problem = ""
    if not reader_name:
        try:
            names = _readers()
        except ClerkFacingError as exc:
            names, reader_problem = [], str(exc)
        reader_name = names[0] if names else ""
    gui = startup.assemble(counter, lambda: PcscTransport(reader_name), reader_name)
    startup.wire_window(gui, data_dir=directory, settings=loaded.settings, languages=languages)
    window = gui.window
    watcher = None
    try:
        if reader_name:
            watcher = CardWatcher.for_reader(
                reader_name, gui.bridge.card_presented, gui.bridge.card_taken_away
            )
            watcher.start()
        else:
            window.status.set_reader(ReaderState.UNAVAILABLE, reader_problem)
        counter.start_sync()
        if loaded.warning is not None:
            gui.ctx.runner.errors.show(loaded.warning)
        window.start()
        return app.exec()
    finally:
        if watcher is not None:
            watcher.stop()
        gui.close()
        counter.close()


def _run_smoke(args: argparse.Namespace) -> int:
    """``smoke``: the production composition offscreen, driven by :mod:`app.commands.smoke`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.card.pcsc import CardWatcher, PcscTransport  # noqa: PLC0415
    from app.composition import open_counter  # noqa: PLC0415
    from app.domain.texts import ClerkFacingError  # noqa: PLC0415
    from app.paths import ENV_PASSPHRASE, data_dir  # noqa: PLC0415
    from app.settings import FILE_NAME, load_settings  # noqa: PLC0415
    from app.ui import startup  # noqa: PLC0415
    from app.ui.i18n import LanguageSwitcher  # noqa: PLC0415
    from app.ui.qt_app import make_application  # noqa: PLC0415

    app = make_application()
    directory = data_dir()
    settings = load_settings(directory / FILE_NAME).settings
    languages = LanguageSwitcher(app)
    print(f"smoke: language {settings.language}: {languages.switch(settings.language)}")
    try:  # open_counter runs the journal's and the store's migrations (an upgrade, if due)
        counter = open_counter(directory, os.environ.get(ENV_PASSPHRASE, ""))
    except ClerkFacingError as exc:
        print(f"smoke: FAILED: {exc}")
        return 1
    reader = args.reader
    gui = startup.assemble(counter, lambda: PcscTransport(reader), reader)
    startup.wire_window(gui, data_dir=directory, settings=settings, languages=languages)
    watcher = CardWatcher.for_reader(reader, gui.bridge.card_presented, gui.bridge.card_taken_away)
    try:
        watcher.start()
        counter.start_sync()
        gui.window.start()
        session = smoke_commands.SmokeSession(app, gui, args, directory)
        status = session.run()
        gui.window.close()
        app.processEvents()
        return status
    finally:
        watcher.stop()
        gui.close()
        counter.close()


def _configure_logging(args: argparse.Namespace, level: int) -> None:
    """Console logging always; for the window, ``smoke`` and ``cli`` also the rotating file.

    The file is ``logs/counter.log`` in the data directory (``cli --data-dir`` when given; for
    ``cli`` only once the directory exists).
    ``version``, ``readers`` and ``journal`` (which names its files itself) only print: they
    never create a data directory.
    """
    from app.logs import configure_logging  # noqa: PLC0415
    from app.paths import data_dir  # noqa: PLC0415

    if args.command not in (None, "gui", "smoke", "cli"):
        configure_logging(None, level)
        return
    directory = getattr(args, "data_dir", None) or data_dir()
    if args.command == "cli" and not directory.exists():  # `cli init` wants it empty
        configure_logging(None, level)
        return
    try:
        configure_logging(directory / "logs", level)
    except OSError as exc:  # a data directory this user may not write: console only
        configure_logging(None, level)
        log.warning("no log file (%s); logging to the console only", exc)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``citycard-counter``."""
    args = _build_parser().parse_args(argv)
    level_name = args.log_level.upper()
    level = 5 if level_name == "TRACE" else logging.getLevelName(level_name)
    _configure_logging(args, level if isinstance(level, int) else logging.INFO)
    if args.command == "version":
        from app.diagnostics import version_report  # noqa: PLC0415
        from app.paths import data_dir  # noqa: PLC0415

        print("\n".join(version_report(data_dir())))
        return 0
    if args.command == "smoke":
        return _run_smoke(args)
    if args.command == "journal":
        return journal_commands.run(args)
    if args.command == "keystore":
        return keystore_commands.run(args)
    if args.command == "cli":
        return counter_commands.run(args)
    if args.command == "restore":
        return restore_commands.run(args)
    if args.command == "readers":
        from app.card.errors import CardError  # noqa: PLC0415
        from app.card.pcsc import list_readers  # noqa: PLC0415

        try:
            for name in list_readers():
                print(name)
        except CardError as exc:
            print(f"{exc}\n{exc.advice}", file=sys.stderr)
            return 2
        return 0
    return _run_gui(getattr(args, "reader", None))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
