"""Work off the GUI thread: one function, run in a QThread, with progress, cancel and a result.

Imports and exports use it (annotation has its own worker because it also
reports the model's state). The function gets ``on_progress`` and
``should_cancel`` callables; whatever it returns arrives in ``finished``, and
an exception arrives in ``failed`` as a message instead of crashing the app:
in plain words for a problem of the machine (disk full, read-only …) or one of
Newsmark's refusals, which the job's owner shows in place; an unexpected error
(a bug) also goes to the error dialog with its details (:mod:`newsmark.ui.errors`).
Every failure is logged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from newsmark.errors import user_message

Work = Callable[[Callable[[Any], None], Callable[[], bool]], Any]


class _Worker(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.work = work
        self.cancelled = threading.Event()
        self.exception: BaseException | None = None

    @Slot()
    def run(self) -> None:
        try:
            result = self.work(self.progress.emit, self.cancelled.is_set)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the app keeps running
            self.exception = exc
            self.failed.emit(failure_message(exc))
            return
        self.finished.emit(result)


def failure_message(exc: BaseException) -> str:
    """A job's failure as a sentence for its owner to show."""
    from newsmark.ui.errors import is_expected  # noqa: PLC0415

    if is_expected(exc):
        return user_message(exc)
    return f"Newsmark ran into a problem it did not expect ({type(exc).__name__}: {exc}); the details are in the error window and the log."


class BackgroundJob(QObject):
    """Runs ``work(on_progress, should_cancel)`` in its own thread; emits progress, then finished or failed."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Work, parent: QObject | None = None, *, what: str = "working in the background") -> None:
        super().__init__(parent)
        self.what = what  # for the error report: "while exporting" …
        self.thread = QThread(self)
        self.worker = _Worker(work)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progress.connect(self.progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.result: Any = None
        self.error: str | None = None
        self.exception: BaseException | None = None

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancelled.set()

    @property
    def running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, ms: int = 10000) -> bool:
        self.thread.quit()
        return self.thread.wait(ms)

    def _finished(self, result: object) -> None:
        self.result = result
        self.thread.quit()
        self.thread.wait()
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self.error = message
        self.exception = self.worker.exception
        self.thread.quit()
        self.thread.wait()
        if self.exception is not None:
            from newsmark.ui.errors import report  # noqa: PLC0415

            report(self.exception, self.what)  # logged; a bug is also shown with its details
        self.failed.emit(message)
