"""The error dialog: what went wrong in plain words, what to do, and the details to copy.

Built by :class:`newsmark.ui.errors.ErrorReporter` when an error reaches the user
(imported only then, so start-up does not pay for it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
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
from newsmark.ui.errors import is_expected

UNEXPECTED_TITLE = "Something went wrong"
ENVIRONMENT_TITLE = "Newsmark could not finish"
UNEXPECTED_SUMMARY = "Newsmark ran into a problem it did not expect{where}."
UNEXPECTED_ADVICE = (
    "Your work is safe: Newsmark saves every change the moment you make it. You can carry on; "
    "if this happens again, click Copy details and send them to whoever looks after Newsmark for you."
)


class ErrorReport:
    """One error, as shown and logged."""

    __slots__ = ("title", "summary", "advice", "details", "expected", "signature", "more")

    def __init__(self, title: str, summary: str, advice: str, details: str, expected: bool, signature: tuple[str, ...] = ()) -> None:
        self.title = title
        self.summary = summary  # what happened, in plain words
        self.advice = advice  # what to do
        self.details = details  # the full report (Copy details)
        self.expected = expected
        self.signature = signature  # the same bug raised again has the same one
        self.more: list[str] = []  # errors that came while the dialog was open


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
