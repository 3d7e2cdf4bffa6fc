"""Starting the app: QApplication, the library, the sample articles on first start, the window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from newsmark import APP_NAME
from newsmark.services.importer import load_seeds_if_new
from newsmark.store import Library, SchemaError
from newsmark.ui.mainwindow import MainWindow
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


def build_main_window(library: Library) -> MainWindow:
    """The main window on an open library (the app and the tests build it the same way)."""
    return MainWindow(library)


def run(db: str | None) -> int:
    """Open the library named by ``db`` (or the default one) in the window; return the exit code."""
    app = application()
    apply_theme(app)
    try:
        library = Library.open(db)
    except SchemaError as exc:
        QMessageBox.critical(None, APP_NAME, f"Newsmark cannot open this library.\n\n{exc}")
        return 1
    except Exception as exc:  # noqa: BLE001 - an unreadable or damaged file gets a message, not a traceback
        QMessageBox.critical(None, APP_NAME, f"Newsmark cannot open the library {db or '(default)'}.\n\n{exc}")
        return 1
    try:
        load_seeds_if_new(library)
        window = build_main_window(library)
        window.show()
        window.auto_annotate = True
        QTimer.singleShot(300, lambda: window.start_annotation(None))  # the window first, then the model
        return app.exec()
    finally:
        library.close()
