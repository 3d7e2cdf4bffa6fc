"""Every error reaches the user: a readable dialog with *Copy details*, and a line in the log.

:func:`install` (called by :func:`newsmark.ui.app.run`) makes an exception that
nothing caught — in a slot, in a Qt event handler, in a background thread —
end in the error dialog (:mod:`newsmark.ui.errordialog`) instead of a traceback on a
terminal nobody sees.
Background jobs hand their failures to :func:`report` themselves.

What the dialog says depends on the error:

- a problem of the machine (disk full, read-only disk or file, no permission,
  a library another program keeps busy …): that, in plain words, and what to
  do (:func:`newsmark.errors.environment_message`);
- Newsmark's own refusals (the store's :class:`~newsmark.store.StoreError`, a
  wrong passphrase …): their message, which is written for the user;
- anything else is a bug: the dialog says so plainly, that the work is saved,
  and offers the technical details to copy and send.

Each is written to the log (:mod:`newsmark.errors`): an unexpected error with its
full report. The same error repeating (an exception in a paint handler raises
at every repaint) is shown once and counted; errors arriving while the dialog
is open are added to it. The dialog is always built on the GUI thread.
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from newsmark import errors

if TYPE_CHECKING:  # the dialog is imported when an error first needs it
    from newsmark.ui.errordialog import ErrorDialog, ErrorReport


def _expected_classes() -> tuple[type[BaseException], ...]:
    """Newsmark's own refusals, whose messages are written for the user (only if their modules are loaded)."""
    found: list[type[BaseException]] = []
    for module, names in (
        ("newsmark.store", ("StoreError", "SchemaError")),
        ("newsmark.store.engine", ("PassphraseError",)),
        ("newsmark.store.backup", ("BackupError",)),
        ("newsmark.services.interchange", ("FormatError",)),
        ("newsmark.services.settings", ("SettingError",)),
    ):
        loaded = sys.modules.get(module)
        for name in names:
            cls = getattr(loaded, name, None) if loaded is not None else None
            if isinstance(cls, type) and issubclass(cls, BaseException):
                found.append(cls)
    return tuple(found)


def is_expected(exc: BaseException) -> bool:
    """An error of the machine or one of Newsmark's refusals (not a bug): shown in plain words, logged in one line."""
    plain_os = (FileExistsError, FileNotFoundError, IsADirectoryError, NotADirectoryError)  # their messages name the file
    return errors.is_environment_error(exc) or isinstance(exc, (*plain_os, *_expected_classes()))


class ErrorReporter(QObject):
    """Receives errors from any thread; logs them, and shows them on the GUI thread."""

    shown = Signal(object)  # ErrorDialog (tests wait on it)
    _deliver = Signal(object)  # (type, error, traceback, where) from another thread, queued to the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: ErrorDialog | None = None
        self.seen: dict[tuple[str, ...], int] = {}
        self.reports: list[ErrorReport] = []
        self._deliver.connect(lambda item: self.process(*item), Qt.ConnectionType.QueuedConnection)
        self._previous_hooks: tuple[object, object] | None = None

    # -- receiving --------------------------------------------------------------

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, where: str | None = None) -> ErrorReport | None:
        """From any thread: the error is logged and shown by the GUI thread. Never raises.

        Another thread only hands the error over (a queued signal): the report,
        the log and the dialog are made on the GUI thread, so that a background
        thread allocates as little as possible while Qt objects may be about.
        """
        try:
            if threading.current_thread() is not threading.main_thread():
                self._deliver.emit((exc_type, exc, tb, where))
                return None
            return self.process(exc_type, exc, tb, where)
        except Exception:  # noqa: BLE001 - an error while reporting an error: the terminal is the last resort
            sys.__excepthook__(exc_type, exc, tb)
            return None

    def process(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, where: str | None = None) -> ErrorReport | None:
        """On the GUI thread: log the error and show it (once per kind of error per session)."""
        try:
            if errors.current_log_file() is None:
                errors.setup_logging()
            from newsmark.ui.errordialog import build_report  # noqa: PLC0415 - only when an error comes

            report = build_report((exc_type, exc, tb), where)
            count = self.seen.get(report.signature, 0) + 1
            self.seen[report.signature] = count
            if count <= 3:
                errors.log_exception((exc_type, exc, tb), where=where, expected=report.expected, report=report.details)
            elif count in (10, 100, 1000):
                errors.logger().error("The same error again (%d times now): %s", count, report.signature)
            if count > 1:
                return None  # shown once per session
            self.reports.append(report)
            QTimer.singleShot(0, lambda: self._present(report))  # not inside the paint handler or slot that failed
            return report
        except Exception:  # noqa: BLE001 - an error while reporting an error: the terminal is the last resort
            sys.__excepthook__(exc_type, exc, tb)
            return None

    def _present(self, report: ErrorReport) -> None:
        from newsmark.ui.errordialog import ErrorDialog  # noqa: PLC0415

        if QApplication.instance() is None:
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add(report)
            return
        parent = QApplication.activeWindow()
        if isinstance(parent, ErrorDialog):
            parent = None
        dialog = ErrorDialog(report, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.dialog = dialog
        dialog.open()
        self.shown.emit(dialog)

    # -- hooks ---------------------------------------------------------------------

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.handle(exc_type, exc, tb)

    def threading_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a background task"
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, where=f"working in the background ({name})")

    def install(self) -> ErrorReporter:
        """Become the receiver of uncaught exceptions.

        The hooks set are plain functions of this module, never this object's
        bound methods: every ``threading.Thread`` keeps the ``sys.excepthook``
        of the moment it was made, and a thread object can outlive its thread
        and be freed on another one (CPython replaces a finished Qt thread's
        entry when a new thread gets the same id) — a QObject held that way
        would be deleted off the GUI thread, and Qt crashes.
        """
        global _hooked
        if self._previous_hooks is None:
            self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = _sys_excepthook
        threading.excepthook = _threading_excepthook
        _hooked = self
        return self

    def uninstall(self) -> None:
        global _reporter, _hooked
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks  # type: ignore[assignment]
            self._previous_hooks = None
        if _hooked is self:
            _hooked = None
        if _reporter is self:
            _reporter = None


_reporter: ErrorReporter | None = None
_hooked: ErrorReporter | None = None  # the reporter the hooks below hand errors to


def _sys_excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    receiver = _hooked
    if receiver is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    receiver.excepthook(exc_type, exc, tb)


def _threading_excepthook(args: threading.ExceptHookArgs) -> None:
    receiver = _hooked
    if receiver is None:
        threading.__excepthook__(args)
        return
    receiver.threading_hook(args)


def install(parent: QObject | None = None) -> ErrorReporter:
    """Route uncaught exceptions (slots, event handlers, threads) to the error dialog and the log."""
    global _reporter
    if _reporter is None:
        _reporter = ErrorReporter(parent or QApplication.instance())
    return _reporter.install()


def reporter() -> ErrorReporter | None:
    return _reporter


def report(exc: BaseException, where: str | None = None) -> ErrorReport | None:
    """A background job's failure: logged; shown in the dialog unless it is expected (its owner says it in place)."""
    info: errors.ExcInfo = (type(exc), exc, exc.__traceback__)
    if is_expected(exc):
        errors.log_exception(info, where=where, expected=True)
        return None
    if _reporter is not None:
        return _reporter.handle(*info, where=where)
    errors.log_exception(info, where=where)
    return None


def install_error_handling(app: QApplication, *, log_after_ms: int = 1500) -> ErrorReporter:
    """What the app does at start: the hooks now (cheap); the log file and the crash log once the window is up.

    An error before then sets the log up itself.
    """
    installed = install(app)

    def start_logs() -> None:
        errors.setup_logging()
        errors.enable_crash_log()

    QTimer.singleShot(log_after_ms, start_logs)
    return installed
