"""Starting the app: QApplication, the library, the sample articles on first start, the window."""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from newsmark import APP_NAME
from newsmark.store.opening import OpeningLibrary, open_in_background
from newsmark.ui.mainwindow import MainWindow
from newsmark.ui.theme import apply_theme

if TYPE_CHECKING:  # the Library (SQLAlchemy) loads after the window is up: newsmark.store.opening
    from newsmark.store import Library

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
            from newsmark.services.backups import scheduled_backup

            outcome: object = scheduled_backup(self.library)
        except Exception as exc:  # noqa: BLE001 - reported in the window, never raised into a thread
            outcome = exc
        self.finished.emit(outcome)

    def _report(self, outcome: object) -> None:
        from newsmark.services.backups import ScheduledBackup

        if isinstance(outcome, Exception):
            from newsmark.errors import user_message
            from newsmark.ui.errors import report

            report(outcome, "taking the scheduled backup")  # logged; a bug is also shown with its details
            self.window.statusBar().showMessage(f"The scheduled backup failed: {user_message(outcome)}", 15000)
        elif isinstance(outcome, ScheduledBackup) and outcome.problems:
            QMessageBox.warning(
                self.window,
                APP_NAME,
                "A backup of this library just failed its integrity check, so the library itself may be damaged.\n\n"
                f"{outcome.problems[0]}\n\nQuit Newsmark and start it again: it will check the library and offer the latest good backup.",
            )
        elif isinstance(outcome, ScheduledBackup) and outcome.made is not None:
            self.window.statusBar().showMessage(f"Backed up the library to {outcome.made}", 6000)


class LibraryOpened(QObject):
    """Brings the end of an :class:`OpeningLibrary`'s thread to the main thread."""

    opened = Signal(object)  # None, or the exception opening raised


def open_library(db: str | None) -> Library | OpeningLibrary | None:
    """The library for the window: straight away when it can be used as it is, else after the start-up questions.

    A plain library at this schema that needs no check comes back as an
    :class:`OpeningLibrary` (the window shows its first screen while SQLAlchemy
    loads in a thread, see :mod:`newsmark.store.opening`); any other goes through
    :func:`newsmark.ui.startup.open_library_interactively` (passphrase, check,
    recovery, samples on first start). None: the user chose to quit.
    """
    opening = open_in_background(db)
    if opening is not None:
        return opening
    from newsmark.services.importer import load_seeds_if_new
    from newsmark.ui.startup import open_library_interactively

    library = open_library_interactively(db)
    if library is not None:
        load_seeds_if_new(library)
    return library


def run(db: str | None) -> int:
    """Open the library named by ``db`` (or the default one) in the window; return the exit code.

    Before the window: the passphrase of an encrypted library, a full check when
    the file needs one (a damaged library is offered its latest good backup), see
    :mod:`newsmark.ui.startup` — or nothing, when the library can be used as it is.
    After it: the last article, the model, and the scheduled backup, once the
    library is open.
    """
    app = application()
    from newsmark.ui.errors import install_error_handling

    install_error_handling(app)  # any uncaught error: a dialog with Copy details, and the log
    from newsmark.ui.collector import install as collect_on_gui_thread

    collect_on_gui_thread(app)  # reference cycles freed on this thread, never on a worker's (ui/collector.py)
    apply_theme(app)
    library = open_library(db)
    if library is None:
        return 1
    try:
        window = build_main_window(library, restore=False)  # type: ignore[arg-type] - an OpeningLibrary stands in
        window.show()

        def ready(error: BaseException | None = None) -> None:
            if error is not None:
                from newsmark.errors import log_exception, user_message
                from newsmark.ui.errors import is_expected

                log_exception((type(error), error, error.__traceback__), where="opening the library", expected=is_expected(error))

                QMessageBox.critical(window, APP_NAME, f"Newsmark cannot open the library {library.describe()}.\n\n{user_message(error)}")
                app.exit(1)
                return
            QTimer.singleShot(0, window.restore_position)  # the window first, then the last article (it may be long)
            window.auto_annotate = True
            QTimer.singleShot(300, lambda: window.start_annotation(None))  # then the model
            QTimer.singleShot(2000, BackgroundBackup(library, window).start)  # type: ignore[arg-type]

        if isinstance(library, OpeningLibrary):
            opened = LibraryOpened(window)
            opened.opened.connect(ready)  # queued: the thread's signal runs ready() on this thread
            library.when_open(opened.opened.emit)
            QTimer.singleShot(0, library.start)  # after the window's first paint
        else:
            ready()
        return app.exec()
    finally:
        from newsmark.services.startup import close_library

        close_library(library)  # type: ignore[arg-type]
