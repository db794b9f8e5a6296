"""A SoftHSM2 token of the tests' own: a private token directory, a user PIN in a 0600 file.

SoftHSM reads ``SOFTHSM2_CONF`` once per process (at ``C_Initialize``), so one token serves the
whole test session; each test imports the master keys it needs and removes them again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from clearing.keys.token import TokenSettings

MODULES = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/local/lib/softhsm/libsofthsm2.so"),
)
LABEL = "citycard-test"
PIN = "4711-test-pin"
SO_PIN = "0815-test-so-pin"


class SoftHsmUnavailableError(RuntimeError):
    """SoftHSM2 is not installed (scripts/setup-system.sh installs it)."""


def module_path() -> Path:
    """The SoftHSM2 PKCS#11 module."""
    for path in MODULES:
        if path.exists():
            return path
    raise SoftHsmUnavailableError("libsofthsm2.so not found: run scripts/setup-system.sh")


def create_token(directory: Path) -> TokenSettings:
    """Initialise a token in ``directory`` and point this process's SoftHSM at it."""
    if shutil.which("softhsm2-util") is None:
        raise SoftHsmUnavailableError("softhsm2-util not found: run scripts/setup-system.sh")
    tokens = directory / "tokens"
    tokens.mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", LABEL, "--pin", PIN,
         "--so-pin", SO_PIN],
        check=True, capture_output=True, env={**os.environ, "SOFTHSM2_CONF": str(conf)},
    )  # fmt: skip
    pin_file = directory / "user.pin"
    pin_file.write_text(PIN + "\n")
    pin_file.chmod(0o600)
    return TokenSettings(module_path(), LABEL, pin_file)
