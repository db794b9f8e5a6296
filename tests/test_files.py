"""The one atomic writer: POSIX with real fsyncs, Windows through a simulated ``os`` layer."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from app import files
from app.files import REPLACE_ATTEMPTS, atomic_write, is_disk_full

O_BINARY = 0x8000  # Windows' _O_BINARY


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


class RecordingOs:
    """The real ``os``, every call passed through, the file-system calls recorded in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._paths: dict[int, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def open(self, path: Any, flags: int, mode: int = 0o777) -> int:
        fd = os.open(path, flags, mode)
        self._paths[fd] = "dir" if Path(path).is_dir() else "tmp"
        self.calls.append(("open", self._paths[fd]))
        return fd

    def write(self, fd: int, data: Any) -> int:
        self.calls.append(("write", self._paths[fd]))
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        self.calls.append(("fsync", self._paths[fd]))
        os.fsync(fd)  # the real one

    def close(self, fd: int) -> None:
        os.close(fd)

    def replace(self, src: Any, dst: Any) -> None:
        self.calls.append(("replace", "tmp"))
        os.replace(src, dst)


class SimulatedWindowsOs(RecordingOs):
    """What a Windows ``os`` does differently, on top of the real file system.

    - ``name`` is ``"nt"`` and ``O_BINARY`` exists; a file opened without it is in text mode,
      where the C runtime turns every ``\\n`` written into ``\\r\\n`` (as on Windows);
    - opening a directory fails with ``PermissionError`` (there is no handle to fsync);
    - ``replace`` over a file another process holds open fails with a sharing violation
      (``winerror`` 32) while ``held_for`` attempts remain.
    """

    name = "nt"
    O_BINARY = O_BINARY

    def __init__(self, held_for: int = 0) -> None:
        super().__init__()
        self.held_for = held_for
        self.text_mode: set[int] = set()

    def open(self, path: Any, flags: int, mode: int = 0o777) -> int:
        if Path(path).is_dir():
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        fd = super().open(path, flags & ~O_BINARY, mode)
        if not flags & O_BINARY:
            self.text_mode.add(fd)
        return fd

    def write(self, fd: int, data: Any) -> int:
        chunk = bytes(data)
        if fd in self.text_mode:
            os.write(fd, chunk.replace(b"\n", b"\r\n"))
            self.calls.append(("write", "tmp"))
            return len(chunk)
        return super().write(fd, chunk)

    def close(self, fd: int) -> None:
        self.text_mode.discard(fd)
        os.close(fd)

    def replace(self, src: Any, dst: Any) -> None:
        if self.held_for > 0:
            self.held_for -= 1
            self.calls.append(("replace-refused", "tmp"))
            exc = PermissionError(errno.EACCES, "The process cannot access the file", str(dst))
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc
        super().replace(src, dst)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(files, "_sleep", waited.append)
    return waited


def test_replaces_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    atomic_write(target, b"old")
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert _leftovers(tmp_path) == []
    assert target.stat().st_mode & 0o077 == 0


def test_posix_fsyncs_the_file_before_the_rename_and_the_directory_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layer = RecordingOs()
    monkeypatch.setattr(files, "_os", layer)
    atomic_write(tmp_path / "f.json", b"{}\n" * 1000)
    ops = layer.calls
    assert ops.index(("fsync", "tmp")) < ops.index(("replace", "tmp"))
    assert ops.index(("replace", "tmp")) < ops.index(("fsync", "dir"))
    assert (tmp_path / "f.json").read_bytes() == b"{}\n" * 1000


def test_windows_layer_skips_the_directory_and_writes_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layer = SimulatedWindowsOs()
    monkeypatch.setattr(files, "_os", layer)
    data = b'{\n  "base_url": "https://center"\n}\n'
    atomic_write(tmp_path / "center.json", data)
    assert (tmp_path / "center.json").read_bytes() == data  # no \r\n: opened in binary mode
    assert ("fsync", "tmp") in layer.calls
    assert not any(kind == "dir" for _, kind in layer.calls)


def test_the_simulated_layer_bites_a_writer_without_the_windows_branch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The simulation is not toothless: the old keystore routine (dir fsync) fails on it."""
    layer = SimulatedWindowsOs()
    monkeypatch.setattr(files, "_os", layer)
    monkeypatch.setattr(files, "on_windows", lambda: False)  # a writer that forgets Windows
    with pytest.raises(PermissionError):
        atomic_write(tmp_path / "keystore.json", b"{}")


def test_windows_sharing_violation_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b"old")
    layer = SimulatedWindowsOs(held_for=3)  # an antivirus scanner holds the file a moment
    monkeypatch.setattr(files, "_os", layer)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert len(sleeps) == 3
    assert sleeps == sorted(sleeps)  # backing off
    assert _leftovers(tmp_path) == []


def test_windows_sharing_violation_that_lasts_gives_up_keeping_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b"old")
    monkeypatch.setattr(files, "_os", SimulatedWindowsOs(held_for=10**6))
    with pytest.raises(PermissionError):
        atomic_write(target, b"new")
    assert len(sleeps) == REPLACE_ATTEMPTS - 1
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_posix_permission_error_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    target = tmp_path / "f.bin"
    atomic_write(target, b"old")

    def refused(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(PermissionError):
        atomic_write(target, b"new")
    assert sleeps == []
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_failed_fsync_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.bin"
    atomic_write(target, b"old")

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        atomic_write(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_full_disk_keeps_the_old_file(small_fs: Path) -> None:
    """A real full file system (tmpfs): ENOSPC, the old file intact, no temporary file."""
    target = small_fs / "keystore.json"
    atomic_write(target, b"old" * 100)
    with pytest.raises(OSError) as raised:
        atomic_write(target, b"x" * (2 * 1024 * 1024))  # larger than the whole file system
    assert is_disk_full(raised.value)
    assert target.read_bytes() == b"old" * 100
    assert _leftovers(small_fs) == []


def test_the_callers_use_the_one_writer() -> None:
    """No second copy: nothing in app/ fsyncs a file of its own but app/files.py."""
    root = Path(__file__).resolve().parent.parent / "app"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if p.name != "files.py" and "fsync(" in p.read_text("utf-8")
    ]
    assert offenders == []
