"""Finding or starting the PC/SC daemon with the vsmartcard vpcd driver.

Used by the demo, the integration tests and the benchmarks. Readiness is judged by vpcd's TCP
port listening (read from ``/proc/net/tcp``), which needs no PC/SC client and inserts no card.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cardsim.vpcd import vpcd_port

_DRIVER_DIR = Path("/usr/lib/pcsc/drivers")
_TCP_LISTEN = "0A"


class PcscdError(RuntimeError):
    """pcscd or vpcd is not available; the message says what to install or check."""


def pcscd_executable() -> str | None:
    """Path of the pcscd binary, or None."""
    found = shutil.which("pcscd")
    if found:
        return found
    return "/usr/sbin/pcscd" if Path("/usr/sbin/pcscd").exists() else None


def vpcd_installed() -> bool:
    """Whether pcscd and the vpcd driver are installed."""
    if pcscd_executable() is None or not _DRIVER_DIR.exists():
        return False
    return any(_DRIVER_DIR.rglob("libifdvpcd.so*"))


def pcscd_running() -> bool:
    """Whether a pcscd process exists."""
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "pcscd":
                return True
        except OSError:  # the process ended while we looked
            continue
    return False


def vpcd_listening(slot: int = 0) -> bool:
    """Whether vpcd listens for a virtual card on ``slot``'s port (IPv4 or IPv6)."""
    port = f"{vpcd_port(slot):04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[1].endswith(f":{port}") and fields[3] == _TCP_LISTEN:
                return True
    return False


@dataclass
class PcscdHandle:
    """A pcscd that is ready; ``process`` is set when we started it (and must stop it)."""

    process: subprocess.Popen[bytes] | None

    def stop(self) -> None:
        """Stop pcscd if this handle started it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def ensure_pcscd(timeout: float = 15.0) -> PcscdHandle:
    """Return a ready pcscd with vpcd listening, starting ``pcscd -f`` when none runs."""
    exe = pcscd_executable()
    if exe is None or not vpcd_installed():
        raise PcscdError("pcscd with the vsmartcard vpcd driver is not installed")
    process = None
    if not pcscd_running():
        process = subprocess.Popen(  # noqa: S603 - our own path to the system pcscd
            [exe, "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    handle = PcscdHandle(process)
    deadline = time.monotonic() + timeout
    while not vpcd_listening(0):
        if process is not None and process.poll() is not None:
            raise PcscdError(f"pcscd exited with status {process.returncode}")
        if time.monotonic() > deadline:
            handle.stop()
            raise PcscdError("pcscd runs but vpcd does not listen on its port")
        time.sleep(0.1)
    return handle
