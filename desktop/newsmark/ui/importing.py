"""Importing in the background: a worker thread, a progress bar with Cancel, a summary.

The import itself is :func:`newsmark.services.importer.import_paths`; this
module only runs it off the GUI thread and reports. Each document is stored
whole or not at all by the service, so cancelling never leaves half an article.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from newsmark.services.importer import ImportProgress, ImportSummary, import_paths
from newsmark.store import Library


class ImportWorker(QObject):
    """Runs one import in a worker thread; emits progress and the summary."""

    progress = Signal(object)  # ImportProgress
    finished = Signal(object)  # ImportSummary

    def __init__(self, library: Library, paths: Sequence[Path | str]) -> None:
        super().__init__()
        self.library = library
        self.paths = [Path(p) for p in paths]
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            summary = import_paths(self.library, self.paths, on_progress=self.progress.emit, should_cancel=self._cancel.is_set)
        except Exception as exc:  # noqa: BLE001 - reported to the user, never a crash of the app
            from newsmark.model import Problem

            summary = ImportSummary()
            summary.problems.append(Problem(", ".join(str(p) for p in self.paths), f"the import stopped: {exc}"))
        self.finished.emit(summary)


class ImportJob(QObject):
    """One background import: owns the thread and the worker."""

    progress = Signal(object)
    finished = Signal(object)

    def __init__(self, library: Library, paths: Sequence[Path | str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread(self)
        self.worker = ImportWorker(library, paths)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progress.connect(self.progress)
        self.worker.finished.connect(self._done)
        self.summary: ImportSummary | None = None

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel()

    def _done(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.thread.quit()
        self.thread.wait()
        self.finished.emit(summary)


def progress_text(p: ImportProgress) -> str:
    name = Path(p.current).name if p.current else ""
    return f"Importing {p.files_done}/{p.files_total} files · {p.added} added" + (f" · {name}" if name else "")


class ImportSummaryDialog(QDialog):
    """What an import did, with every problem listed by file (and line)."""

    def __init__(self, summary: ImportSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished" if not summary.cancelled else "Import cancelled")
        layout = QVBoxLayout(self)
        headline = QLabel(summary.headline())
        font = headline.font()
        font.setBold(True)
        headline.setFont(font)
        headline.setWordWrap(True)
        layout.addWidget(headline)
        details = summary.details()
        if details:
            layout.addWidget(QLabel("Problems, by file and line:"))
            self.details = QPlainTextEdit("\n".join(details))
            self.details.setReadOnly(True)
            self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.details.setMinimumSize(560, 180)
            layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


class PasteDialog(QDialog):
    """Paste the text of an article (and optionally give it a title)."""

    def __init__(self, parent: QWidget | None = None, text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Paste as new article")
        layout = QVBoxLayout(self)
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title (optional: the first line is used otherwise)")
        layout.addWidget(self.title)
        self.text = QPlainTextEdit(text)
        self.text.setPlaceholderText("Paste the article's text here")
        self.text.setMinimumSize(560, 320)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add to library")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
