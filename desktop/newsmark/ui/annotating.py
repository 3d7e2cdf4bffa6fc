"""Suggesting marks in the background: load the language model, then annotate the
articles that have no suggestions yet, one transaction per article.

The window is usable before the model has loaded; the status bar shows the model's
state and the progress, with Cancel. Only still-pending suggestions are ever
replaced (the store's rule), so a run never touches what the user decided.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from PySide6.QtCore import QObject, QThread, Signal, Slot

from newsmark.services import annotate as service
from newsmark.store import Library


class AnnotateWorker(QObject):
    modelLoaded = Signal(str)  # model id
    modelFailed = Signal(str)  # why (with what to install)
    progress = Signal(object)  # AnnotateProgress
    documentDone = Signal(int)  # doc id whose suggestions changed
    finished = Signal(object)  # AnnotateSummary | None

    def __init__(self, library: Library, doc_ids: Sequence[int] | None = None) -> None:
        super().__init__()
        self.library = library
        self.doc_ids = list(doc_ids) if doc_ids is not None else None
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            nlp = service.load_model(self.library)
        except Exception as exc:  # noqa: BLE001 - ModelNotAvailable or a broken install: say so, keep working
            self.modelFailed.emit(str(exc))
            self.finished.emit(None)
            return
        meta = getattr(nlp, "meta", None) or {}
        self.modelLoaded.emit(f"{meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}".strip("_ ") or "loaded")
        try:
            ids = self.doc_ids if self.doc_ids is not None else service.documents_to_annotate(self.library, pending_only=True)

            def on_progress(p: service.AnnotateProgress) -> None:
                self.progress.emit(p)
                if p.doc_id is not None:
                    self.documentDone.emit(p.doc_id)

            summary = service.annotate_documents(self.library, nlp, ids, on_progress=on_progress, should_cancel=self._cancel.is_set)
        except Exception as exc:  # noqa: BLE001 - said in the status bar; a bug also in the error dialog, and logged
            from newsmark.errors import user_message
            from newsmark.ui.errors import report

            report(exc, "suggesting marks")
            self.modelFailed.emit(f"annotation stopped: {user_message(exc)}")
            summary = None
        self.finished.emit(summary)


class AnnotateJob(QObject):
    """One background annotation run: owns its thread."""

    def __init__(self, library: Library, doc_ids: Sequence[int] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread(self)
        self.worker = AnnotateWorker(library, doc_ids)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self._stop)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel()

    def _stop(self, _summary: object) -> None:
        self.thread.quit()

    def wait(self, ms: int = 10000) -> None:
        self.thread.quit()
        self.thread.wait(ms)
