"""Journal verify and the auditors' export, for the supervisor.

Verify re-checks the whole chain (sequence, MACs, order, signatures, totals) and says the result
in plain words: intact, or broken at the first bad record with what to do. Export writes the
documented archive (records as CSV/JSON, checkpoints, signatures, public key) into a new folder
and checks the written archive with its own files, as an auditor would. Both run on the pool.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.clock import format_time
from app.journal.archive import ExportSummary, export_archive, verify_archive
from app.journal.verify import VerificationReport
from app.services.progress import CancelToken, Progress
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label


@dataclass(frozen=True)
class ExportResult:
    """What the export wrote, and what checking the written archive found."""

    summary: ExportSummary
    check: VerificationReport


def default_export_dir(device_id: str, now: datetime | None = None) -> Path:
    """A new folder in the home directory named after the device and the time."""
    stamp = format_time(now or datetime.now(UTC), "%Y%m%d-%H%M%S")  # the counter's zone
    return Path.home() / f"journal-archive-{device_id}-{stamp}"


class JournalDialog(FlowDialog):
    """Verify the journal; export it for auditors."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("journalDialog")
        self.setWindowTitle(self.tr("Journal: verify and export"))
        self.report: VerificationReport | None = None
        self.exported: ExportResult | None = None
        journal = ctx.counter.journal

        verify_box = QGroupBox(self.tr("Verify"), self)
        verify_layout = QVBoxLayout(verify_box)
        explain = QLabel(
            self.tr(
                "Re-checks every record of the journal: nothing missing, nothing changed, "
                "signatures and totals right."
            ),
            verify_box,
        )
        explain.setWordWrap(True)
        self.verify_button = self.make_button(self.tr("&Verify the journal"), self.verify)
        self.verify_result = QLabel("", verify_box)
        self.verify_result.setObjectName("verifyResult")
        self.verify_result.setWordWrap(True)
        verify_row = QHBoxLayout()
        verify_row.addWidget(self.verify_button)
        verify_row.addStretch(1)
        verify_layout.addWidget(explain)
        verify_layout.addLayout(verify_row)
        verify_layout.addWidget(self.verify_result)

        export_box = QGroupBox(self.tr("Export for auditors"), self)
        export_layout = QVBoxLayout(export_box)
        export_explain = QLabel(
            self.tr(
                "Writes the whole journal with its signatures into a new, empty folder. The "
                "auditor checks it with: citycard-counter journal verify --archive FOLDER"
            ),
            export_box,
        )
        export_explain.setWordWrap(True)
        self.folder = QLineEdit(str(default_export_dir(journal.device_id)), export_box)
        self.folder.setObjectName("exportFolder")
        self.browse_button = self.make_button(self.tr("&Browse…"), self.browse)
        self.export_button = self.make_button(self.tr("&Export"), self.export)
        self.export_result = QLabel("", export_box)
        self.export_result.setObjectName("exportResult")
        self.export_result.setWordWrap(True)
        self.lock_while_busy(self.folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(form_label(self.tr("&Folder:"), self.folder, self))
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse_button)
        folder_row.addWidget(self.export_button)
        export_layout.addWidget(export_explain)
        export_layout.addLayout(folder_row)
        export_layout.addWidget(self.export_result)

        self.close_button = self.make_button(self.tr("Close"), self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(verify_box)
        layout.addWidget(export_box)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.on_enter(self.folder, self.export)
        order = [
            self.verify_button, self.folder, self.browse_button, self.export_button,
            self.close_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.setMinimumWidth(640)
        self.verify_button.setFocus()

    # -- verify --------------------------------------------------------------------------------

    def verify(self) -> None:
        """Check the whole chain (on the pool)."""
        journal = self.ctx.counter.journal

        def work(_token: CancelToken, _progress: Progress) -> VerificationReport:
            return journal.verify(full=True)

        self.verify_result.setText("")
        self.run(work, self._verified, label=self.tr("Verifying the journal"))

    def _verified(self, report: VerificationReport) -> None:
        self.report = report
        if report.ok:
            self.verify_result.setText(
                self.tr(
                    "OK: the journal is intact. {records} records (no. {first} to {last}) and "
                    "{checkpoints} signed checkpoints checked; nothing is missing or changed."
                ).format(
                    records=report.records_checked,
                    first=report.first_seq or 0,
                    last=report.last_seq,
                    checkpoints=report.checkpoints_checked,
                )
            )
            self.say_done(self.tr("The journal verified OK."))
            return
        first = report.first_problem
        self.verify_result.setText(
            self.tr(
                "BROKEN: the journal has {count} problem(s). The first is at {where}: {reason}."
            ).format(
                count=len(report.problems),
                where=self._where(first.seq, first.checkpoint) if first else "—",
                reason=first.reason if first else "",
            )
        )
        self.say_problem(
            self.tr("The journal failed verification."),
            self.tr(
                "Stop taking money at this counter and call the supervisor. Export the journal "
                "for the auditors now: nothing is deleted or repaired here."
            ),
        )

    def _where(self, seq: int | None, checkpoint: int | None) -> str:
        if seq is not None:
            return self.tr("record no. {seq}").format(seq=seq)
        if checkpoint is not None:
            return self.tr("checkpoint {number}").format(number=checkpoint)
        return self.tr("the journal as a whole")

    # -- export --------------------------------------------------------------------------------

    def browse(self) -> None:
        """Choose the parent folder of the new archive folder."""
        current = Path(self.folder.text().strip() or str(Path.home()))
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Where to put the archive folder"), str(current.parent)
        )
        if chosen:
            self.folder.setText(str(Path(chosen) / current.name))
        self.folder.setFocus()

    def export(self) -> None:
        """Write the archive into the folder typed (on the pool), then check it."""
        text = self.folder.text().strip()
        if not text:
            self.say_problem(self.tr("Type the folder to export to."))
            self.folder.setFocus()
            return
        out = Path(text).expanduser()
        journal = self.ctx.counter.journal
        checking = self.tr("Checking the written archive")

        def work(_token: CancelToken, progress: Progress) -> ExportResult:
            summary = export_archive(journal, out)
            progress(checking)
            return ExportResult(summary, verify_archive(out))

        self.export_result.setText("")
        self.run(work, self._exported, label=self.tr("Exporting the journal"))

    def _exported(self, result: ExportResult) -> None:
        self.exported = result
        summary = result.summary
        self.export_result.setText(
            self.tr(
                "Exported {records} records and {checkpoints} checkpoints (up to no. {last}) to "
                "{folder}. Device key fingerprint {fingerprint}."
            ).format(
                records=summary.records,
                checkpoints=summary.checkpoints,
                last=summary.last_seq,
                folder=summary.directory,
                fingerprint=summary.fingerprint,
            )
        )
        if result.check.ok:
            self.say_done(self.tr("The archive was written and checks OK with its own files."))
        else:
            first = result.check.first_problem
            self.say_problem(
                self.tr(
                    "The archive was written, but checking it found problems: {problem}"
                ).format(problem=str(first) if first else ""),
                self.tr("Keep the archive and call the supervisor."),
            )
