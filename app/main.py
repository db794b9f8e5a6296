"""Composition root and the ``citycard-counter`` command.

Builds settings, logging, the card backend and the services, then the window. Nothing else in
the app creates these; no module-level singletons.
"""

from __future__ import annotations

import argparse
import logging
import sys

from app import __version__
from app.commands import counter as counter_commands
from app.commands import journal as journal_commands


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citycard-counter", description=__doc__)
    parser.add_argument("--log-level", default="INFO", help="logging level (TRACE=5 shows APDUs)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("version", help="print the version")
    gui = sub.add_parser("gui", help="open the counter window (the default)")
    gui.add_argument("--reader", help="PC/SC reader name (default: the first reader)")
    sub.add_parser("readers", help="list the PC/SC readers")
    journal_commands.add_parser(sub)
    counter_commands.add_parser(sub)
    return parser


def _run_gui(reader: str | None) -> int:
    from app.card.errors import CardError  # noqa: PLC0415 - keep `version` free of Qt/pyscard
    from app.card.pcsc import CardWatcher, PcscTransport, list_readers  # noqa: PLC0415
    from app.card.thread import CardThread  # noqa: PLC0415
    from app.services.card_reading import CardReadingService  # noqa: PLC0415
    from app.ui.main_window import MainWindow  # noqa: PLC0415
    from app.ui.qt_app import make_application  # noqa: PLC0415
    from app.ui.reader_bridge import ReaderBridge  # noqa: PLC0415

    try:
        names = list_readers()
    except CardError as exc:
        print(f"{exc}\n{exc.advice}", file=sys.stderr)
        return 2
    if not names:
        print("No smart-card reader found. Plug the reader in and start again.", file=sys.stderr)
        return 2
    reader_name = reader or names[0]
    app = make_application()
    card_thread = CardThread()
    bridge = ReaderBridge(card_thread, CardReadingService(lambda: PcscTransport(reader_name)))

    watcher = CardWatcher.for_reader(reader_name, bridge.card_presented, bridge.card_taken_away)
    window = MainWindow(bridge, reader_name)
    window.show()
    watcher.start()
    try:
        return app.exec()
    finally:
        watcher.stop()
        card_thread.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``citycard-counter``."""
    args = _build_parser().parse_args(argv)
    level_name = args.log_level.upper()
    level = 5 if level_name == "TRACE" else logging.getLevelName(level_name)
    logging.basicConfig(level=level if isinstance(level, int) else logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "version":
        print(f"citycard-counter {__version__}")
        return 0
    if args.command == "journal":
        return journal_commands.run(args)
    if args.command == "cli":
        return counter_commands.run(args)
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
    raise SystemExit(main())
