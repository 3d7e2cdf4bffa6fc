"""Work off the GUI thread: one function, run in a QThread, with progress, cancel and a result.

Imports and exports use it (annotation has its own worker because it also
reports the model's state). The function gets ``on_progress`` and
``should_cancel`` callables; whatever it returns arrives in ``finished``, and
an exception arrives in ``failed`` as a message instead of crashing the app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

Work = Callable[[Callable[[Any], None], Callable[[], bool]], Any]


class _Worker(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.work = work
        self.cancelled = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            result = self.work(self.progress.emit, self.cancelled.is_set)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the app keeps running
            self.failed.emit(str(exc) or type(exc).__name__)
            return
        self.finished.emit(result)


class BackgroundJob(QObject):
    """Runs ``work(on_progress, should_cancel)`` in its own thread; emits progress, then finished or failed."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread(self)
        self.worker = _Worker(work)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progress.connect(self.progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.result: Any = None
        self.error: str | None = None

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
        self.thread.quit()
        self.thread.wait()
        self.failed.emit(message)
