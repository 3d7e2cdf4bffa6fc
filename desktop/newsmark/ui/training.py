"""File → Train from my corrections: the training use case in the background.

A progress bar and a Cancel button of its own sit in the status bar while it
runs (so an import or an annotation run can go on beside it); at the end a
message gives the old and new held-out scores and whether the new model became
the active one (File → Preferences lists the trained models to switch back).
Closing the window cancels a run and waits for it: a cancelled run keeps
nothing (see :mod:`newsmark.services.training`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QProgressBar, QToolButton

from newsmark.ui.jobs import BackgroundJob

if TYPE_CHECKING:  # the training machinery is imported when a run starts, not with the window
    from newsmark.services.training import TrainingReport

ACTION = "train"


class TrainingController(QObject):
    """Owns one training run at a time, its status-bar widgets and the final message."""

    finished = Signal(object)  # TrainingReport | None (failed)

    def __init__(self, window: QMainWindow, **service_options: Any) -> None:
        super().__init__(window)
        self.window = window
        self.library = window.library  # type: ignore[attr-defined]
        self.service_options = service_options  # e.g. a trainer (tests), max_minutes
        self.job: BackgroundJob | None = None
        self.message_box: QMessageBox | None = None
        bar = window.statusBar()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.setFormat("Training %p%")
        self.progress.hide()
        self.cancel_button = QToolButton(text="Cancel training")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        window.installEventFilter(self)

    @property
    def running(self) -> bool:
        return self.job is not None

    def start(self) -> BackgroundJob | None:
        if self.job is not None:
            self.window.statusBar().showMessage("Training is already running.", 4000)
            return None
        library, options = self.library, dict(self.service_options)

        def work(on_progress, should_cancel):  # type: ignore[no-untyped-def]
            from newsmark.services.training import train_from_library

            return train_from_library(library, should_cancel=should_cancel, on_progress=lambda f, m: on_progress((f, m)), **options)

        job = BackgroundJob(work, self, what="learning from your corrections")
        job.progress.connect(self._progress)
        job.finished.connect(self._finished)
        job.failed.connect(self._failed)
        self.job = job
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.window.statusBar().showMessage("Training from your corrections…")
        job.start()
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.window.statusBar().showMessage("Stopping training after this batch…")

    def _progress(self, item: tuple[float, str]) -> None:
        fraction, message = item
        self.progress.setValue(round(fraction * 100))
        if self.cancel_button.isEnabled():
            self.window.statusBar().showMessage(message)

    def _done(self) -> None:
        self.job = None
        self.progress.hide()
        self.cancel_button.hide()

    def _finished(self, report: TrainingReport) -> None:
        self._done()
        if report.cancelled:
            self.window.statusBar().showMessage(report.message(), 8000)
        else:
            title = "New model is active" if report.activated else "New model kept, not active"
            self._show(QMessageBox.Icon.Information, title, report.message())
            self.window.statusBar().showMessage(title, 8000)
        self.finished.emit(report)

    def _failed(self, message: str) -> None:
        self._done()
        self._show(QMessageBox.Icon.Warning, "Training did not run", message)
        self.finished.emit(None)

    def _show(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setModal(False)
        box.open()
        self.message_box = box

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close and self.job is not None:
            self.job.cancel()
            self.job.thread.wait(60000)
        return False


def add_training_action(window: Any, menu: QMenu, **service_options: Any) -> TrainingController:
    """File → Train from my corrections, on ``window`` (a MainWindow), with its controller as ``window.training``."""
    controller = TrainingController(window, **service_options)
    window.training = controller
    menu.addAction(
        window._action(
            ACTION,
            "&Train from my corrections",
            controller.start,
            tip="Fine-tune entities and claims on your done articles; the new model is used only if it is better on articles held out",
        )
    )
    return controller


def __getattr__(name: str) -> Any:
    if name == "NotEnoughArticles":  # re-exported lazily (see the import note above)
        from newsmark.services.training import NotEnoughArticles

        return NotEnoughArticles
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ACTION", "NotEnoughArticles", "TrainingController", "add_training_action"]
