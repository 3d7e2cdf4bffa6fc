"""Starting the app: QApplication, the library, the sample articles on first start, the window."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from newsmark import APP_NAME
from newsmark.services.backups import ScheduledBackup, scheduled_backup
from newsmark.services.importer import load_seeds_if_new
from newsmark.services.startup import close_library
from newsmark.store import Library
from newsmark.ui.mainwindow import MainWindow
from newsmark.ui.startup import open_library_interactively
from newsmark.ui.theme import apply_theme

ICON_NAMES = ("newsmark.svg", "newsmark.png", "icon.svg", "icon.png")


def app_icon() -> QIcon | None:
    try:
        from newsmark.paths import resources_dir

        folder = resources_dir()
    except FileNotFoundError:
        return None
    for name in ICON_NAMES:
        path = folder / name
        if path.is_file():
            return QIcon(str(path))
    return None


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), named for settings and the desktop."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_NAME)
    QApplication.setApplicationDisplayName(APP_NAME)
    QApplication.setDesktopFileName("newsmark")
    icon = app_icon()
    if icon is not None:
        QApplication.setWindowIcon(icon)
    return app  # type: ignore[return-value]


def build_main_window(library: Library, *, restore: bool = True) -> MainWindow:
    """The main window on an open library (the app and the tests build it the same way)."""
    return MainWindow(library, restore=restore)


class BackgroundBackup(QObject):
    """The scheduled backup, taken in a thread after the window is up; the outcome is shown on the main thread."""

    finished = Signal(object)

    def __init__(self, library: Library, window: MainWindow):
        super().__init__(window)
        self.library = library
        self.window = window
        self.finished.connect(self._report)
        self.thread = threading.Thread(target=self._run, name="newsmark-backup", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        try:
            outcome: object = scheduled_backup(self.library)
        except Exception as exc:  # noqa: BLE001 - reported in the window, never raised into a thread
            outcome = exc
        self.finished.emit(outcome)

    def _report(self, outcome: object) -> None:
        if isinstance(outcome, Exception):
            self.window.statusBar().showMessage(f"The scheduled backup failed: {outcome}", 15000)
        elif isinstance(outcome, ScheduledBackup) and outcome.problems:
            QMessageBox.warning(
                self.window,
                APP_NAME,
                "A backup of this library just failed its integrity check, so the library itself may be damaged.\n\n"
                f"{outcome.problems[0]}\n\nQuit Newsmark and start it again: it will check the library and offer the latest good backup.",
            )
        elif isinstance(outcome, ScheduledBackup) and outcome.made is not None:
            self.window.statusBar().showMessage(f"Backed up the library to {outcome.made}", 6000)


def run(db: str | None) -> int:
    """Open the library named by ``db`` (or the default one) in the window; return the exit code.

    Before the window: the passphrase of an encrypted library, a full check when
    the file needs one (a damaged library is offered its latest good backup), see
    :mod:`newsmark.ui.startup`. After it: the scheduled backup, in the background.
    """
    app = application()
    apply_theme(app)
    library = open_library_interactively(db)
    if library is None:
        return 1
    try:
        load_seeds_if_new(library)
        window = build_main_window(library, restore=False)
        window.show()
        QTimer.singleShot(0, window.restore_position)  # the window first, then the last article (it may be long)
        window.auto_annotate = True
        QTimer.singleShot(300, lambda: window.start_annotation(None))  # the window first, then the model
        backup = BackgroundBackup(library, window)
        QTimer.singleShot(2000, backup.start)
        return app.exec()
    finally:
        close_library(library)
