"""What can be checked here of the installers that are built elsewhere (Inno Setup on Windows).

The .iss is parsed: the data directory is created with users' modify rights, never removed
(no [InstallDelete]/[UninstallDelete] entry reaches it, uninsneveruninstall on its [Dirs]), the
bundle it copies is the one the PyInstaller spec makes, and every local file it names exists.
The .desktop entry passes desktop-file-validate; the .deb script is valid shell.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path, PureWindowsPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
ISS = INSTALLERS / "windows" / "citycard-counter.iss"
SPEC = INSTALLERS / "citycard-counter.spec"
DATA_DIR = "{commonappdata}\\citycard-counter"


def parse_iss(text: str) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    """``#define`` values and each section's entries (``Key: value; …`` lines as dicts).

    [Setup]-like ``Key=value`` lines become one-key dicts. ``{#Name}`` is expanded.
    """
    defines: dict[str, str] = {}
    sections: dict[str, list[dict[str, str]]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        match = re.match(r'#define\s+(\w+)\s+"(.*)"$', line)
        if match:
            defines.setdefault(match.group(1), match.group(2))
            continue
        if line.startswith("#"):
            continue
        for name, value in defines.items():
            line = line.replace("{#" + name + "}", value)
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        if current in ("Setup",) or ":" not in line.split("=")[0]:
            key, _, value = line.partition("=")
            sections[current].append({key.strip(): value.strip()})
            continue
        entry = {}
        for part in re.findall(r'(\w+):\s*("[^"]*"|[^;]*)', line):
            entry[part[0]] = part[1].strip().strip('"')
        sections[current].append(entry)
    return defines, sections


@pytest.fixture(scope="module")
def iss():
    return parse_iss(ISS.read_text(encoding="utf-8"))


def _touches_data_dir(name: str) -> bool:
    lowered = name.lower().replace("/", "\\")
    return (
        "{commonappdata}" in lowered
        or "programdata" in lowered
        or "citycard-counter" in (lowered.removeprefix("{app}"))
    )


def test_the_parser_sees_the_sections(iss):
    defines, sections = iss
    assert defines["AppExe"] == "citycard-counter.exe"
    for name in ("Setup", "Files", "Dirs", "Icons", "UninstallDelete", "InstallDelete"):
        assert sections.get(name), name


def test_the_data_directory_is_never_deleted(iss):
    _, sections = iss
    for section in ("UninstallDelete", "InstallDelete"):
        for entry in sections.get(section, []):
            assert not _touches_data_dir(entry["Name"]), (section, entry)
            assert entry["Name"].startswith("{app}"), (section, entry)
    dirs = {e["Name"]: e for e in sections["Dirs"]}
    assert DATA_DIR in dirs
    for name, entry in dirs.items():
        if name.startswith(DATA_DIR):
            assert "uninsneveruninstall" in entry["Flags"].split()
            assert entry["Permissions"] == "users-modify"
    # nothing is installed into the data directory either (an upgrade would overwrite it)
    for entry in sections["Files"]:
        assert not _touches_data_dir(entry["DestDir"]), entry


def test_the_check_would_catch_a_deleted_data_directory():
    text = ISS.read_text(encoding="utf-8") + (
        '\n[UninstallDelete]\nType: filesandordirs; Name: "{commonappdata}\\citycard-counter"\n'
    )
    _, sections = parse_iss(text)
    assert any(_touches_data_dir(e["Name"]) for e in sections["UninstallDelete"])


def test_the_windows_data_directory_is_the_apps():
    """%ProgramData%\\citycard-counter is where app.paths looks on Windows (platformdirs)."""
    source = (ROOT / "app" / "paths.py").read_text(encoding="utf-8")
    assert 'APP_NAME = "citycard-counter"' in source
    assert "site_data_dir(APP_NAME, appauthor=False)" in source


def test_the_files_it_copies_exist(iss):
    defines, sections = iss
    spec = SPEC.read_text(encoding="utf-8")
    assert 'name="citycard-counter"' in spec and 'name="citycard-counter-cli"' in spec
    bundle = (ISS.parent / PureWindowsPath(defines["Bundle"]).as_posix()).resolve()
    assert bundle == ROOT / "dist" / "citycard-counter"  # the spec's COLLECT name, in dist/
    for entry in sections["Files"]:
        source = PureWindowsPath(entry["Source"])
        if str(source).startswith(str(PureWindowsPath(defines["Bundle"]))):
            continue  # the bundle: checked below when it has been built
        assert (ISS.parent / source.as_posix()).exists(), source
    setup = {k: v for e in sections["Setup"] for k, v in e.items()}
    assert (ISS.parent / setup["SetupIconFile"]).exists()
    exes = {defines["AppExe"], defines["CliExe"]}
    for entry in sections["Icons"] + sections["Run"]:
        target = entry["Filename"]
        if target.startswith("{app}\\"):
            name = target.removeprefix("{app}\\")
            assert name in exes, name
    if (bundle / "_internal").exists():  # a Linux build: the layout matches, minus ".exe"
        assert (bundle / "citycard-counter").exists()
        assert (bundle / "_internal" / "app" / "journal" / "migrations").is_dir()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_the_desktop_entry_is_valid():
    desktop = INSTALLERS / "linux" / "citycard-counter.desktop"
    result = subprocess.run(
        ["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    text = desktop.read_text(encoding="utf-8")
    assert "Exec=/opt/citycard-counter/citycard-counter gui" in text
    assert (INSTALLERS / "linux" / "citycard-counter.svg").exists()
    assert (INSTALLERS / "linux" / "citycard-counter.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_deb_script_is_valid_shell_and_declares_the_runtime():
    script = INSTALLERS / "linux" / "build-deb.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text(encoding="utf-8")
    for package in ("pcscd", "libpcsclite1", "fonts-noto-cjk", "libxcb-cursor0", "libcups2"):
        assert package in text
    assert "rm -rf /var/lib" not in text
