"""Importing in the background: a worker thread, a progress bar with Cancel, a summary.

The import itself is :func:`newsmark.services.interchange.import_any` (articles,
and annotation files with their marks, told apart by content); this
module only runs it off the GUI thread and reports. Each document is stored
whole or not at all by the service, so cancelling never leaves half an article.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from newsmark.model import Problem
from newsmark.services.importer import ImportProgress, ImportSummary
from newsmark.services.interchange import import_any
from newsmark.store import Library
from newsmark.ui.jobs import BackgroundJob


class ImportJob(BackgroundJob):
    """One background import of files and folders: articles and annotation files alike.

    A failure of the import itself (not of one file: those are in the summary)
    still ends in ``finished`` with a summary that says what stopped it.
    """

    def __init__(self, library: Library, paths: Sequence[Path | str], parent: QObject | None = None, *, merge: bool = False) -> None:
        self.paths = [Path(p) for p in paths]
        super().__init__(
            lambda progress, cancelled: import_any(library, self.paths, merge=merge, on_progress=progress, should_cancel=cancelled), parent, what="importing"
        )
        self.failed.connect(self._stopped)
        self.summary: ImportSummary | None = None
        self.finished.connect(self._keep)

    def _keep(self, summary: ImportSummary) -> None:
        self.summary = summary

    def _stopped(self, message: str) -> None:
        summary = ImportSummary()
        summary.problems.append(Problem(", ".join(str(p) for p in self.paths), f"the import stopped: {message}"))
        self.summary = summary
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
