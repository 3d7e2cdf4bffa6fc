"""Every error reaches the user: a readable dialog with *Copy details*, and a line in the log.

:func:`install` (called by :func:`newsmark.ui.app.run`) makes an exception that
nothing caught — in a slot, in a Qt event handler, in a background thread —
end in :class:`ErrorDialog` instead of a traceback on a terminal nobody sees.
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
from dataclasses import dataclass, field
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from newsmark import errors

UNEXPECTED_TITLE = "Something went wrong"
ENVIRONMENT_TITLE = "Newsmark could not finish"
UNEXPECTED_SUMMARY = "Newsmark ran into a problem it did not expect{where}."
UNEXPECTED_ADVICE = (
    "Your work is safe: Newsmark saves every change the moment you make it. You can carry on; "
    "if this happens again, click Copy details and send them to whoever looks after Newsmark for you."
)


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


@dataclass(slots=True)
class ErrorReport:
    """One error, as shown and logged."""

    title: str
    summary: str  # what happened, in plain words
    advice: str  # what to do
    details: str  # the full report (Copy details)
    expected: bool
    signature: tuple[str, ...] = ()
    more: list[str] = field(default_factory=list)  # errors that came while the dialog was open


def qt_versions() -> dict[str, str]:
    from PySide6 import __version__ as pyside  # noqa: PLC0415
    from PySide6.QtCore import qVersion  # noqa: PLC0415

    found = {"Qt": qVersion(), "PySide6": pyside}
    app = QGuiApplication.instance()
    if app is not None:
        found["Qt platform"] = QGuiApplication.platformName()
    return found


def build_report(exc_info: errors.ExcInfo, where: str | None = None) -> ErrorReport:
    exc = exc_info[1]
    expected = is_expected(exc)
    plain = errors.environment_message(exc)
    if plain is not None:
        title, summary, advice = ENVIRONMENT_TITLE, plain, ""
    elif expected:
        title, summary, advice = ENVIRONMENT_TITLE, errors.user_message(exc), ""
    else:
        title = UNEXPECTED_TITLE
        summary = UNEXPECTED_SUMMARY.format(where=f" while {where}" if where else "")
        advice = UNEXPECTED_ADVICE
    details = errors.report_text(exc_info, where=where, extra_versions=qt_versions(), summary=summary)
    return ErrorReport(title, summary, advice, details, expected, _signature(exc_info))


def _signature(exc_info: errors.ExcInfo) -> tuple[str, ...]:
    """The error's type and where it was raised: the same bug raised again has the same signature."""
    exc_type, _, tb = exc_info
    frames: list[str] = []
    while tb is not None:
        frames.append(f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}")
        tb = tb.tb_next
    return (exc_type.__name__, *frames[-3:])


class ErrorDialog(QDialog):
    """What went wrong, what to do; the details behind *Show details*, and *Copy details* to the clipboard."""

    def __init__(self, report: ErrorReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.report = report
        self.setWindowTitle(report.title)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel()
        kind = QStyle.StandardPixmap.SP_MessageBoxWarning if report.expected else QStyle.StandardPixmap.SP_MessageBoxCritical
        icon.setPixmap(self.style().standardIcon(kind).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        top.addWidget(icon)
        text = QVBoxLayout()
        self.heading = QLabel(report.title)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.summary = self._plain_label(report.summary)
        self.advice = self._plain_label(report.advice)
        self.advice.setVisible(bool(report.advice))
        self.more_label = self._plain_label("")
        self.more_label.hide()
        text.addWidget(self.heading)
        text.addWidget(self.summary)
        text.addWidget(self.advice)
        text.addWidget(self.more_label)
        top.addLayout(text, 1)
        layout.addLayout(top)

        self.details = QPlainTextEdit(report.details)
        self.details.setObjectName("errorDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumHeight(220)
        self.details.hide()
        layout.addWidget(self.details, 1)

        layout.addSpacing(6)
        log = errors.current_log_file()
        self.log_label = self._plain_label(f"The details are also kept in {log}" if log else "")
        self.log_label.setObjectName("hint")
        small = self.log_label.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.log_label.setFont(small)
        self.log_label.setForegroundRole(self.log_label.foregroundRole().PlaceholderText)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_label.setVisible(log is not None)
        layout.addWidget(self.log_label)

        self.buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.setAutoDefault(False)
        self.details_button = QPushButton("Show &details")
        self.details_button.setAutoDefault(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        self.details_button.clicked.connect(self.toggle_details)
        self.close_button.clicked.connect(self.accept)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._fit()

    def _fit(self) -> None:
        """As tall as the wrapped text needs at this width, no taller (word-wrapped labels make Qt guess high)."""
        width = max(self.width(), 560)
        layout = self.layout()
        self.resize(width, layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else self.sizeHint().height())

    @staticmethod
    def _plain_label(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)  # an error message is never rendered as markup
        label.setWordWrap(True)
        return label

    def copy_details(self) -> str:
        text = self.details.toPlainText()
        QGuiApplication.clipboard().setText(text)
        self.copy_button.setText("Copied")
        QTimer.singleShot(2000, lambda: self.copy_button.setText("&Copy details"))
        return text

    def toggle_details(self) -> None:
        show = not self.details.isVisible()
        self.details.setVisible(show)
        self.details_button.setText("Hide &details" if show else "Show &details")
        if show:
            self.resize(max(self.width(), 760), max(self.height(), 520))
        else:
            self.resize(560, self.height())
            self._fit()

    def add(self, report: ErrorReport) -> None:
        """Another error while this one is shown: counted here, its report appended to the details."""
        self.report.more.append(report.summary)
        n = len(self.report.more)
        self.more_label.setText(f"{n} more problem{'s' if n != 1 else ''} happened since; the details below include {'them' if n != 1 else 'it'}.")
        self.more_label.show()
        self.details.appendPlainText("\n" + "-" * 60 + "\n" + report.details)


class ErrorReporter(QObject):
    """Receives errors from any thread; logs them, and shows them on the GUI thread."""

    shown = Signal(object)  # ErrorDialog (tests wait on it)
    _deliver = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: ErrorDialog | None = None
        self.seen: dict[tuple[str, ...], int] = {}
        self.reports: list[ErrorReport] = []
        self._deliver.connect(self._present, Qt.ConnectionType.QueuedConnection)
        self._previous_hooks: tuple[object, object] | None = None

    # -- receiving --------------------------------------------------------------

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, where: str | None = None) -> ErrorReport | None:
        """Log the error and have it shown (from any thread). Never raises."""
        try:
            if errors.current_log_file() is None:
                errors.setup_logging()
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
            self._deliver.emit(report)  # queued: the dialog is built on the GUI thread
            return report
        except Exception:  # noqa: BLE001 - an error while reporting an error: the terminal is the last resort
            sys.__excepthook__(exc_type, exc, tb)
            return None

    def _present(self, report: ErrorReport) -> None:
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
        if self._previous_hooks is None:
            self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.threading_hook
        return self

    def uninstall(self) -> None:
        global _reporter
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks  # type: ignore[assignment]
            self._previous_hooks = None
        if _reporter is self:
            _reporter = None


_reporter: ErrorReporter | None = None


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
