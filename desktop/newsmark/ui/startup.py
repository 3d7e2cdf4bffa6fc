"""What the app may ask before the window opens: the passphrase of an encrypted library,
patience while a library is checked, and what to do with a library that failed its check.

:func:`open_library_interactively` runs the whole start-up: it returns the open
library, or None when the user chose to quit (or the library cannot be used;
the user has then been told why).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from newsmark import APP_NAME
from newsmark.errors import log_exception, user_message
from newsmark.services import startup
from newsmark.services.backups import BackupError, restore_library
from newsmark.store import Library, SchemaError

T = TypeVar("T")

CHECK_DIALOG_DELAY_MS = 400  # a check that ends sooner shows no dialog at all


def _icon_label(widget: QWidget, pixmap: QStyle.StandardPixmap) -> QLabel:
    label = QLabel()
    size = widget.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
    label.setPixmap(widget.style().standardIcon(pixmap).pixmap(size, size))
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    return label


def _headline(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.15)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def _body(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class PassphraseDialog(QDialog):
    """Asks for the passphrase of an encrypted library; shows why the last one did not open it."""

    def __init__(self, path: Path, error: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — encrypted library")
        self.setMinimumWidth(440)
        outer = QHBoxLayout(self)
        outer.addWidget(_icon_label(self, QStyle.StandardPixmap.SP_MessageBoxQuestion))
        column = QVBoxLayout()
        outer.addLayout(column, 1)
        column.addWidget(_headline("This library is encrypted"))
        column.addWidget(_body(f"Enter the passphrase of <b>{path.name}</b> to open it.<br><span style='color: palette(mid)'>{path}</span>"))
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("Passphrase")
        self.field.setAccessibleName("Passphrase")
        column.addWidget(self.field)
        self.error = QLabel(error or "")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setVisible(bool(error))
        column.addWidget(self.error)
        self.buttons = QDialogButtonBox()
        self.open_button = self.buttons.addButton("Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.setDefault(True)
        self.open_button.setEnabled(False)
        self.field.textChanged.connect(lambda text: self.open_button.setEnabled(bool(text)))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self.field.setFocus()

    def passphrase(self) -> str:
        return self.field.text()


class CheckingDialog(QDialog):
    """Shown while a library is checked in full (only if the check takes a moment)."""

    def __init__(self, path: Path, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(_headline(f"Checking {path.name}…"))
        layout.addWidget(_body(f"Newsmark checks the whole library before opening it because {reason}. This can take a few seconds for a large library."))
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy
        bar.setTextVisible(False)
        layout.addWidget(bar)


class RecoveryDialog(QDialog):
    """A library failed its check at start: offer the latest good backup, or quit."""

    def __init__(self, damaged: startup.DamagedLibrary, parent: QWidget | None = None):
        super().__init__(parent)
        self.damaged = damaged
        self.setWindowTitle(f"{APP_NAME} — the library is damaged")
        self.setMinimumWidth(520)
        outer = QHBoxLayout(self)
        outer.addWidget(_icon_label(self, QStyle.StandardPixmap.SP_MessageBoxWarning))
        column = QVBoxLayout()
        outer.addLayout(column, 1)
        column.addWidget(_headline("This library is damaged"))
        count = len(damaged.problems)
        column.addWidget(
            _body(
                f"Newsmark checked <b>{damaged.path.name}</b> before opening it and found "
                f"{'a problem' if count == 1 else f'{count} problems'}. To protect your work it was not opened."
            )
        )
        self.details = QPlainTextEdit("\n".join(damaged.problems[:200]))
        self.details.setReadOnly(True)
        lines = min(max(len(damaged.problems), 1), 5)
        self.details.setFixedHeight(self.details.fontMetrics().lineSpacing() * lines + 14)
        self.details.setAccessibleName("Problems found")
        column.addWidget(self.details)
        self.buttons = QDialogButtonBox()
        backup = damaged.good_backup
        if backup is not None:
            when = backup.taken_at.astimezone().strftime("%A %d %B %Y, %H:%M")
            column.addWidget(
                _body(
                    f"The latest good backup was taken on <b>{when}</b> ({backup.reason.replace('-', ' ')}). "
                    "Restoring it puts it in place of the damaged file; the damaged file is kept in the "
                    "<i>backups</i> folder, so nothing is thrown away. Edits made after the backup are not in it."
                )
            )
            self.restore_button: QPushButton | None = self.buttons.addButton("Restore this backup", QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.setDefault(True)
        else:
            column.addWidget(
                _body(
                    "There is no good backup of it. The file was left exactly as it is: keep a copy of it "
                    f"somewhere safe ({damaged.path}). Most of it can often be rescued with SQLite's "
                    "<i>.recover</i> command."
                )
            )
            self.restore_button = None
        self.quit_button = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)


def run_in_thread(work: Callable[[], T], on_slow: Callable[[], None] | None = None, delay_ms: int = CHECK_DIALOG_DELAY_MS) -> T:
    """Run ``work`` in a thread while Qt keeps painting; ``on_slow`` is called if it takes longer than ``delay_ms``."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="newsmark-start-check", daemon=True)
    thread.start()
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(30)
    poll.timeout.connect(lambda: loop.quit() if not thread.is_alive() else None)
    slow = QTimer()
    slow.setSingleShot(True)
    if on_slow is not None:
        slow.timeout.connect(on_slow)
        slow.start(delay_ms)
    poll.start()
    if thread.is_alive():
        loop.exec()
    poll.stop()
    slow.stop()
    thread.join()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["value"]  # type: ignore[return-value]


def ask_passphrase(path: Path, parent: QWidget | None = None) -> str | None:
    """``NEWSMARK_PASSPHRASE`` if it opens the library, else the dialog until a passphrase opens it; None to quit."""
    passphrase = startup.env_passphrase()
    error = None
    while True:
        if passphrase is None:
            dialog = PassphraseDialog(path, error, parent)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            passphrase = dialog.passphrase()
        try:
            startup.check_passphrase(path, passphrase)
            return passphrase
        except startup.PassphraseError as exc:
            error = (
                "That passphrase does not open this library. Check it (capitals count) and try again."
                if "wrong" in str(exc)
                else _capital(str(exc))
            )
            if "SQLCipher" in str(exc):  # not installed: asking again cannot help
                QMessageBox.critical(parent, APP_NAME, f"Newsmark cannot open this encrypted library.\n\n{_capital(str(exc))}")
                return None
            passphrase = None


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def open_library_interactively(db: str | None, parent: QWidget | None = None) -> Library | None:
    """The app's start: passphrase, check (with a dialog if it takes a moment), recovery, open."""
    path = startup.library_file(db)
    passphrase = None
    if path is not None and startup.needs_passphrase(db):
        passphrase = ask_passphrase(path, parent)
        if passphrase is None:
            return None
    while True:
        try:
            reason = startup.check_reason(path) if path is not None else None
            if reason is not None and path is not None:
                dialog = CheckingDialog(path, reason, parent)
                key = passphrase
                try:
                    run_in_thread(lambda: startup.full_check(path, key), on_slow=dialog.show)
                finally:
                    dialog.close()
            return startup.open_library(db, passphrase, check=False, passphrase_checked=passphrase is not None)
        except startup.DamagedLibrary as damaged:
            recovery = RecoveryDialog(damaged, parent)
            if recovery.exec() != QDialog.DialogCode.Accepted or damaged.good_backup is None:
                return None
            try:
                restore_library(damaged.path, str(damaged.good_backup.path), passphrase)
            except (BackupError, startup.PassphraseError, OSError) as exc:
                QMessageBox.critical(parent, APP_NAME, f"The backup could not be restored.\n\n{user_message(exc)}")
                return None
            continue  # the restored file was checked; open it
        except SchemaError as exc:
            QMessageBox.critical(parent, APP_NAME, f"Newsmark cannot open this library.\n\n{exc}")
            return None
        except startup.LibraryNotWritable as exc:  # a read-only disk or folder: said as it is, not as damage
            QMessageBox.critical(parent, APP_NAME, str(exc))
            return None
        except Exception as exc:  # noqa: BLE001 - an unreadable file gets a message, not a traceback
            from newsmark.ui.errors import is_expected

            log_exception((type(exc), exc, exc.__traceback__), where="opening the library", expected=is_expected(exc))
            QMessageBox.critical(parent, APP_NAME, f"Newsmark cannot open the library {db or '(default)'}.\n\n{user_message(exc)}")
            return None


def process_events() -> None:
    app = QApplication.instance()
    if app is not None:
        app.processEvents()
