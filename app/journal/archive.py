"""The auditor's archive: export a journal to plain files, and verify such files standalone.

Layout of an archive directory (docs/journal-format.md):

- ``device.json``      device id, terminal id, SM2 public key and its fingerprint, schema, counts
- ``records.jsonl``    one JSON object per record, fields as in the canonical order, bytes in hex
- ``records.csv``      the same records for a spreadsheet (not used by the verifier)
- ``checkpoints.jsonl`` the signed checkpoints
- ``README.txt``       how to verify
- ``manifest.json``    size, SHA-256 and SM3 of every file above
- ``manifest.sig``     SM2 signature (hex) of ``manifest.json`` with the device key

Without the journal's MAC key an auditor cannot recompute record MACs; the SM2 checkpoints
cover every record's bytes (batch digests), and the export signs a last checkpoint first, so
every exported record is covered by a signature checkable with the public key alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.crypto.sm2 import Sm2Error, sm2_verify
from app.crypto.sm3 import sm3_digest
from app.files import atomic_write
from app.journal.canonical import fingerprint
from app.journal.database import head_revision
from app.journal.errors import JournalError
from app.journal.journal import CheckpointReason, Journal
from app.journal.records import (
    CHECKPOINT_COLUMNS,
    RECORD_COLUMNS,
    Checkpoint,
    checkpoint_json,
    jsonable,
    record_json,
)
from app.journal.verify import ChainVerifier, Problem, VerificationReport, feed

FORMAT = "citycard-journal-archive/1"
DATA_FILES = ("device.json", "records.jsonl", "records.csv", "checkpoints.jsonl", "README.txt")
_BYTES_FIELDS = {"mac1", "mac2", "tac", "prev_mac", "mac", "head_mac", "batch_digest"}
_BYTES_FIELDS |= {"prev_signature", "public_key", "signature"}

README = """City card counter — journal archive ({format})

Device {device_id}, terminal {terminal_id}, records seq {first}..{last}, exported {exported}.
Device SM2 public key fingerprint: {fingerprint}
(compare it with the one the clearing center registered for this device).

Verify with:   citycard-counter journal verify --archive <this directory>
The byte formats (canonical record and checkpoint encodings, MACs, signatures) are documented
in docs/journal-format.md of the application's source.
"""


class ArchiveError(JournalError):
    """An archive cannot be written or read at all (as opposed to a problem found in it)."""

    advice = "Check the directory given; nothing was changed in the journal."


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    directory: Path
    records: int
    checkpoints: int
    last_seq: int
    fingerprint: str


def _from_json(name: str, value: object) -> object:
    if name in _BYTES_FIELDS and isinstance(value, str):
        return bytes.fromhex(value)
    return value


def _lines(objects: Iterator[dict[str, Any]]) -> bytes:
    return b"".join(
        json.dumps(o, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        for o in objects
    )


def export_archive(journal: Journal, out: Path) -> ExportSummary:
    """Write ``journal`` to the new directory ``out`` (refuses a non-empty one)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ArchiveError(
            "{path} exists and is not an empty directory; nothing was written.", path=str(out)
        )
    if journal.problem is None:
        journal.checkpoint(CheckpointReason.EXPORT)
    # a broken journal is exported as it is: the auditor's verifier will name its problems
    records = journal.records()
    checkpoints = journal.checkpoints()
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    files["records.jsonl"] = _lines(record_json(r) for r in records)
    files["checkpoints.jsonl"] = _lines(checkpoint_json(c) for c in checkpoints)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(RECORD_COLUMNS)
    for r in records:
        writer.writerow([jsonable(getattr(r, n)) for n in RECORD_COLUMNS])
    files["records.csv"] = text.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM
    last = records[-1].seq if records else 0
    key_fingerprint = fingerprint(journal.public_key)
    device = {
        "format": FORMAT,
        "device_id": journal.device_id,
        "terminal_id": journal.terminal_id,
        "public_key": journal.public_key.hex().upper(),
        "fingerprint": key_fingerprint,
        "schema": head_revision(),
        "app_version": __version__,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": len(records),
        "checkpoints": len(checkpoints),
        "last_seq": last,
    }
    files["device.json"] = json.dumps(device, indent=2, ensure_ascii=False).encode("utf-8")
    files["README.txt"] = README.format(
        format=FORMAT,
        device_id=journal.device_id,
        terminal_id=journal.terminal_id,
        first=records[0].seq if records else 0,
        last=last,
        exported=device["exported_at"],
        fingerprint=key_fingerprint,
    ).encode("utf-8")
    for name, data in files.items():
        atomic_write(out / name, data)
    manifest = json.dumps(
        {
            "format": FORMAT,
            "files": {
                name: {
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "sm3": sm3_digest(data).hex(),
                }
                for name, data in files.items()
            },
        },
        indent=2,
    ).encode("utf-8")
    atomic_write(out / "manifest.json", manifest)
    signature = journal.sign(manifest)
    atomic_write(out / "manifest.sig", signature.hex().upper().encode("ascii") + b"\n")
    return ExportSummary(out, len(records), len(checkpoints), last, key_fingerprint)


def verify_archive(directory: Path) -> VerificationReport:
    """Check an archive with nothing but its own files (no database, no MAC key)."""
    if not (directory / "manifest.json").is_file():
        raise ArchiveError(
            "{path} is not a journal archive (no manifest.json).", path=str(directory)
        )
    problems: list[Problem] = []
    try:
        manifest_bytes = (directory / "manifest.json").read_bytes()
        manifest = json.loads(manifest_bytes)
        device = json.loads((directory / "device.json").read_bytes())
        public_key = bytes.fromhex(device["public_key"])
        device_id = str(device["device_id"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(
            "The archive's manifest or device file is unreadable: {reason}", reason=str(exc)
        ) from exc
    if manifest.get("format") != FORMAT:
        raise ArchiveError("Unknown archive format {found!r}.", found=manifest.get("format"))
    try:
        signature = bytes.fromhex((directory / "manifest.sig").read_text("ascii").strip())
        signed = sm2_verify(public_key, manifest_bytes, signature)
    except (OSError, ValueError, Sm2Error):
        signed = False
    if not signed:
        problems.append(Problem("manifest.sig is missing or does not verify with the device key"))
    for name in DATA_FILES:
        expected = manifest.get("files", {}).get(name)
        path = directory / name
        if expected is None or not path.is_file():
            problems.append(Problem(f"{name} is missing from the archive or its manifest"))
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != expected.get("sha256") or (
            sm3_digest(data).hex() != expected.get("sm3")
        ):
            problems.append(Problem(f"{name} differs from the manifest (altered after export)"))
    verifier = ChainVerifier(device_id, public_key, keys=None)
    checkpoints = list(_read_objects(directory / "checkpoints.jsonl", CHECKPOINT_COLUMNS, problems))
    pending = [Checkpoint(*c) for c in checkpoints]  # type: ignore[arg-type]
    feed(verifier, _read_objects(directory / "records.jsonl", RECORD_COLUMNS, problems), pending)
    report = verifier.report
    if verifier.state.checkpoint_number and pending and report.last_seq != pending[-1].seq:
        report.problems.append(
            Problem(
                f"records after seq {pending[-1].seq} are not covered by a signed checkpoint",
                report.last_seq,
            )
        )
    if not pending:
        report.problems.append(Problem("the archive has no signed checkpoint"))
    report.problems[:0] = problems
    report.totals = dict(verifier.state.totals)
    return report


def _read_objects(
    path: Path, columns: tuple[str, ...], problems: list[Problem]
) -> Iterator[tuple[object, ...]]:
    if not path.is_file():
        return
    with path.open("r", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                obj = json.loads(line)
                yield tuple(_from_json(n, obj[n]) for n in columns)
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(Problem(f"{path.name} line {number} is malformed ({exc})"))
