"""``make demo``: the whole counter on a demo device — virtual cards, a clearing center, staff.

A composition root like :mod:`app.main`, so it may wire the virtual card (``cardsim``) in. On
first run it creates, under ``var/demo`` (never committed):

- a demo issuer: SAM keystore with DES and SM4 master keys, and personalised virtual cards of
  several types — one registered to a demo holder, one expired, one meant for the blacklist;
- a clearing center (``citycard-center serve``) on loopback, with the issuer keys for online
  MAC2 and TAC checks, started again on every run;
- a counter enrolled with that center, its first admin, a demo clerk and a demo supervisor, the
  holders registered and the lost card on the blacklist.

Then it opens the real window with a "tap card" panel that puts a chosen virtual card on the
reader (pcscd + vpcd when they run, else an in-process reader — said on the panel).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.card.errors import CardError, CardRemovedError
from app.card.inprocess import InProcessTransport
from app.card.psam import ApduSam
from app.card.sam import Sam
from app.card.transport import CardTransport
from app.composition import CARD_TIMEZONE, HOLDER_INDEX_KEY, Counter, init_counter, open_counter
from app.crypto.isam import make_renewal, parse_renewal
from app.crypto.keystore import Keystore
from app.domain.people import Role
from app.journal.records import to_micros
from app.store import blacklist, holders
from cardsim.card import VirtualCityCard
from cardsim.demo import (
    ISAM_RENEWAL_KEY_NAME,
    KEYSTORE_NAME,
    MANIFEST_NAME,
    SAM_PROFILE_NAME,
    create_demo,
)
from cardsim.profile import HolderFields, PublicFields
from cardsim.psam import VirtualPsam

log = logging.getLogger("app.demo")

DEMO_DIR = Path(os.environ.get("CITYCARD_DEMO_DIR", "var/demo"))
READER = "Virtual PCD 00 00"
SAM_READER = "Virtual PCD 00 01"  # the reader's SAM slot
SAM_SLOT = 1
CENTER_PORT = int(os.environ.get("CITYCARD_DEMO_CENTER_PORT", "47800"))
DEVICE_ID = "DEMO-COUNTER-01"
PASSPHRASE = "citycard-demo"  # noqa: S105 - the demo's throwaway keystores only
STAFF = (  # username, name, role, password — shown on the demo panel
    ("admin", "管理员", Role.ADMIN, "Kaiguan-7391"),
    ("clerk1", "王芳", Role.CLERK, "Quancun-2468"),
    ("super1", "陈静", Role.SUPERVISOR, "Duizhang-1357"),
)


@dataclass(frozen=True)
class DemoCardInfo:
    """A card of the manifest: its name, description, profile file and holder."""

    name: str
    description: str
    profile: Path
    serial: str
    blacklisted: bool


def _issuer(directory: Path) -> list[DemoCardInfo]:
    manifest = directory / MANIFEST_NAME
    if not manifest.exists():
        create_demo(directory, PASSPHRASE)
        print(f"demo: created virtual cards and a SAM keystore in {directory}")
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    return [
        DemoCardInfo(
            c["name"],
            c["description"],
            directory / c["profile"],
            c["serial"].upper(),
            bool(c.get("blacklisted")),
        )
        for c in doc["cards"]
    ]


class DemoCenter:
    """The clearing center as its own process on loopback (stopped with the demo)."""

    def __init__(self, directory: Path, tls: bool = True) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{(directory / 'center.sqlite3').resolve()}"
        self.tls_dir = directory / "tls"
        self.ca_file: Path | None = self.tls_dir / "ca.pem" if tls else None
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{CENTER_PORT}"
        self._directory = directory
        self._log = directory / "center.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._key_service: subprocess.Popen[bytes] | None = None

    def start(self, issuer_keystore: Path) -> None:
        """Start the key service and ``citycard-center serve``; wait until the center answers.

        The issuer keys stay in the key service's process (as with a cipher machine); the web
        process only holds the socket's path.
        """
        secret = self._directory / "key-service.passphrase"
        secret.write_text(PASSPHRASE, encoding="utf-8")
        secret.chmod(0o600)
        issuer_keystore.chmod(0o600)
        socket_path = self._directory / "key-service.sock"
        socket_path.unlink(missing_ok=True)
        with self._log.open("ab") as out:
            self._key_service = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "clearing.cli",
                    "key-service",
                    "--socket",
                    str(socket_path),
                    "--keystore",
                    str(issuer_keystore),
                    "--passphrase-file",
                    str(secret),
                    "--socket-mode",
                    "600",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while not socket_path.exists():
            if self._key_service.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the demo key service did not start; see {self._log}")
            time.sleep(0.05)
        tls: list[str] = []
        if self.ca_file is not None:
            if not self.ca_file.exists():  # the demo CA, made once (the counter trusts it)
                subprocess.run(  # noqa: S603 - our own interpreter and module
                    [sys.executable, "-m", "clearing.cli", "demo-ca", "--dir", str(self.tls_dir)],
                    check=True,
                    capture_output=True,
                )
            tls = ["--production", "--tls-cert", str(self.tls_dir / "center.pem")]
            tls += ["--tls-key", str(self.tls_dir / "center.key")]
        with self._log.open("ab") as out:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "clearing.cli",
                    "serve",
                    "--db",
                    self.db_url,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(CENTER_PORT),
                    "--log-level",
                    "warning",
                    "--key-service",
                    str(socket_path),
                    *tls,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the demo center exited; see {self._log}")
            try:
                context = None
                if self.ca_file is not None:
                    context = ssl.create_default_context(cafile=str(self.ca_file))
                with urllib.request.urlopen(  # noqa: S310 - our loopback URL
                    f"{self.base}/v1/time", timeout=1, context=context
                ) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the demo center did not answer on port {CENTER_PORT}")

    def enrolment_code(self, device_id: str) -> str:
        """A one-time enrolment code, as the center's administrator makes one."""
        out = subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "clearing.cli",
                "enrolment-code",
                "--db",
                self.db_url,
                "--device",
                device_id,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip().split()[-1]

    def register_cards(self, cards: list[DemoCardInfo]) -> None:
        """The issuer's issuance file: every demo card and its type, in the center's registry."""
        lines = ["card_serial,card_type"]
        for card in cards:
            profile = VirtualCityCard.from_file(card.profile).profile
            public = PublicFields.parse(profile.family, profile.public_file)
            lines.append(f"{card.serial},{public.card_type}")
        issued = self._directory / "issued-cards.csv"
        issued.write_text("\n".join(lines) + "\n", encoding="utf-8")
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "clearing.cli",
                "cards-register",
                "--db",
                self.db_url,
                str(issued),
            ],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        """Stop the center and its key service."""
        for process in (self._process, self._key_service):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


def _first_run(counter_dir: Path, center: DemoCenter, cards: list[DemoCardInfo], sam: Sam) -> None:
    terminal = sam.terminal_id.hex().upper()  # the terminal id is the SAM's
    center.register_cards(cards)
    init_counter(
        counter_dir,
        PASSPHRASE,
        DEVICE_ID,
        terminal,
        center_url=center.base,
        ca_file=center.ca_file,
        enrolment_code=center.enrolment_code(DEVICE_ID),
    )
    counter = open_counter(counter_dir, PASSPHRASE, sam=sam)
    try:
        username, name, _role, password = STAFF[0]
        counter.operators.create_first_admin(username, name, password)
        admin = counter.operators.sign_in(username, password)
        for username, name, role, password in STAFF[1:]:
            counter.operators.create_operator(admin, username, name, role, password)
        counter.operators.sign_out(admin)
        _register_demo_people(counter, counter_dir, cards)
    finally:
        counter.close()
    print(f"demo: counter {DEVICE_ID} set up in {counter_dir}, enrolled with {center.base}")


def _register_demo_people(counter: Counter, counter_dir: Path, cards: list[DemoCardInfo]) -> None:
    """Holders of the personalised cards (so loss reports find them); the lost card listed."""
    index_key = Keystore.open(counter_dir / "keystore.json", PASSPHRASE).get(HOLDER_INDEX_KEY)
    for card in cards:
        raw = VirtualCityCard.from_file(card.profile).profile.holder_file
        holder = HolderFields.parse(raw) if raw else None
        if holder is not None and holder.name and holder.id_number:
            holders.register(counter.store, index_key, card.serial, holder.name, holder.id_number)
        if card.blacklisted:
            at = to_micros(datetime.now(UTC))
            blacklist.add(counter.store, card.serial, "reported lost (demo)", at, source="demo")


class _InProcessReader:
    """The fallback reader: the chosen virtual card, driven in this process."""

    def __init__(self) -> None:
        self._card: VirtualCityCard | None = None
        self._lock = threading.Lock()

    def put(self, card: VirtualCityCard | None) -> None:
        with self._lock:
            self._card = card

    def connect(self) -> CardTransport:
        with self._lock:
            if self._card is None:
                raise CardRemovedError("no card on the in-process reader")
            return InProcessTransport(self._card)


def _staff_note() -> str:
    lines = [f"{u} / {p}  ({r.value})" for u, _n, r, p in STAFF]
    return "Demo staff (username / password):\n" + "\n".join(lines)


def main() -> int:
    """Set the demo up (first run) and open the counter window."""
    from app.logs import configure_logging  # noqa: PLC0415

    configure_logging(DEMO_DIR / "logs")
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        if "DEMO_SCREENSHOT" not in os.environ:
            print(
                "demo: no display here (DISPLAY is not set). Run `make demo` on a desktop, "
                "or `xvfb-run make demo`; DEMO_SCREENSHOT=out.png renders one frame offscreen.",
                file=sys.stderr,
            )
            return 2
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from app.settings import FILE_NAME, load_settings  # noqa: PLC0415
    from app.ui import startup  # noqa: PLC0415 - Qt only once a display is known
    from app.ui.demo_panel import DemoPanel  # noqa: PLC0415
    from app.ui.i18n import LanguageSwitcher  # noqa: PLC0415
    from app.ui.qt_app import make_application  # noqa: PLC0415

    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    cards = _issuer(DEMO_DIR)
    paths = {c.name: c.profile for c in cards}
    counter_config = DEMO_DIR / "counter" / "center.json"
    # a demo set up before the center spoke TLS keeps its plain-http center
    plain = counter_config.exists() and '"http://' in counter_config.read_text("utf-8")
    center = DemoCenter(DEMO_DIR / "center", tls=not plain)
    center.start(DEMO_DIR / KEYSTORE_NAME)
    cleanup: list[Callable[[], None]] = [center.stop]
    try:
        counter_dir = DEMO_DIR / "counter"
        sam, sam_note = _demo_sam(cleanup)
        if not (counter_dir / "keystore.json").exists():
            try:
                _first_run(counter_dir, center, cards, sam)
            except BaseException:  # a half-made demo counter would never start: start over
                center.stop()
                shutil.rmtree(counter_dir, ignore_errors=True)
                shutil.rmtree(DEMO_DIR / "center", ignore_errors=True)
                raise
        app = make_application()
        settings = load_settings(counter_dir / FILE_NAME).settings
        languages = LanguageSwitcher(app)
        languages.switch(settings.language)
        _renew_isam(sam)
        counter = open_counter(counter_dir, PASSPHRASE, sam=sam)
        cleanup.append(counter.close)
        tap, remove, connect, reader_name, note, watch = _reader(paths, cleanup)
        note = f"{note}\n{sam_note}"
        panel = DemoPanel(
            [(c.name, c.description) for c in cards], tap, remove, f"{note}\n\n{_staff_note()}"
        )
        gui = startup.assemble(counter, connect, reader_name, side_panel=panel)
        cleanup.append(gui.close)
        startup.wire_window(gui, data_dir=counter_dir, settings=settings, languages=languages)
        watch(gui.bridge.card_presented, gui.bridge.card_taken_away)
        counter.start_sync()
        gui.window.start()
        shot = os.environ.get("DEMO_SCREENSHOT")
        if shot:
            from PySide6.QtCore import QTimer  # noqa: PLC0415

            tap(cards[0].name)

            def save() -> None:
                gui.window.grab().save(shot)
                app.quit()

            QTimer.singleShot(3000, save)
        return app.exec()
    finally:
        for step in reversed(cleanup):
            try:
                step()
            except Exception:  # keep shutting the rest down
                log.exception("demo shutdown step failed")


Watch = Callable[[Callable[[], None], Callable[[], None]], None]


def _renew_isam(sam: ApduSam) -> None:
    """The center's daily contact with the demo ISAM: its offline brakes start afresh."""
    renewal_key = Keystore.open(DEMO_DIR / KEYSTORE_NAME, PASSPHRASE).get(ISAM_RENEWAL_KEY_NAME)
    when = datetime.now(UTC).astimezone(CARD_TIMEZONE).replace(tzinfo=None, microsecond=0)
    counter, stamp, mac = parse_renewal(
        make_renewal(renewal_key, bytes.fromhex(sam.serial_text), int(time.time()), when).hex()
    )
    sam.renew(counter, stamp, mac)


def _demo_sam(cleanup: list[Callable[[], None]]) -> tuple[ApduSam, str]:
    """The demo's PSAM/ISAM (``psam.json``) in "Virtual PCD 00 01", else in process."""
    path = DEMO_DIR / SAM_PROFILE_NAME
    if not path.exists():
        raise RuntimeError(
            f"{path} is missing: this demo directory predates the SAM. "
            f"Delete {DEMO_DIR} and run the demo again."
        )
    try:
        from app.card.pcsc import PcscTransport  # noqa: PLC0415
        from cardsim.pcscd import ensure_pcscd  # noqa: PLC0415
        from cardsim.vpcd import VpcdBridge  # noqa: PLC0415

        daemon = ensure_pcscd()
        cleanup.append(daemon.stop)
        bridge = VpcdBridge(VirtualPsam.from_file(path), slot=SAM_SLOT)
        bridge.insert()
        cleanup.append(bridge.remove)
        deadline = time.monotonic() + 10.0
        while True:
            try:
                sam = ApduSam.open(PcscTransport(SAM_READER))
                break
            except CardError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        return sam, f"SAM {sam.serial_text} in “{SAM_READER}” (PSAM + ISAM)."
    except Exception as exc:  # any failure of the PC/SC stack: fall back, visibly
        log.warning("the SAM cannot be served through pcscd (%s); in process instead", exc)
        sam = ApduSam.open(InProcessTransport(VirtualPsam.from_file(path)))
        return sam, f"SAM {sam.serial_text} in process (pcscd/vpcd not available)."


def _reader(
    paths: dict[str, Path], cleanup: list[Callable[[], None]]
) -> tuple[Callable[[str], None], Callable[[], None], Callable[[], CardTransport], str, str, Watch]:
    """Tap/remove controls, the card connection, the reader's name and note, and its watcher."""
    try:
        from app.card.pcsc import CardWatcher, PcscTransport  # noqa: PLC0415
        from cardsim.pcscd import ensure_pcscd  # noqa: PLC0415
        from cardsim.vpcd import VpcdBridge  # noqa: PLC0415

        daemon = ensure_pcscd()
        cleanup.append(daemon.stop)
        current: list[VpcdBridge] = []

        def remove() -> None:
            while current:
                current.pop().remove()

        def tap(name: str) -> None:
            remove()
            vpcd = VpcdBridge(VirtualCityCard.from_file(paths[name]))
            vpcd.insert()
            current.append(vpcd)

        def watch(present: Callable[[], None], absent: Callable[[], None]) -> None:
            watcher = CardWatcher.for_reader(READER, present, absent)
            watcher.start()
            cleanup.append(watcher.stop)

        cleanup.append(remove)
        return (
            tap,
            remove,
            lambda: PcscTransport(READER),
            READER,
            "Reader: pcscd + vpcd, “Virtual PCD 00 00”.",
            watch,
        )
    except Exception as exc:  # any failure of the PC/SC stack: fall back, visibly
        log.warning("pcscd/vpcd not usable (%s); using the in-process reader", exc)
        fallback = _InProcessReader()
        hooks: list[tuple[Callable[[], None], Callable[[], None]]] = []

        def tap_in_process(name: str) -> None:
            fallback.put(VirtualCityCard.from_file(paths[name]))
            for present, _absent in hooks:
                present()

        def remove_in_process() -> None:
            fallback.put(None)
            for _present, absent in hooks:
                absent()

        def watch_in_process(present: Callable[[], None], absent: Callable[[], None]) -> None:
            hooks.append((present, absent))

        note = f"pcscd/vpcd not available ({exc}); using an in-process reader."
        return (
            tap_in_process,
            remove_in_process,
            fallback.connect,
            "in-process virtual reader",
            note,
            watch_in_process,
        )


if __name__ == "__main__":
    raise SystemExit(main())
