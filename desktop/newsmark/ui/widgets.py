"""Small reusable widgets: a tag editor with completion, a colour swatch icon, a message banner."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QCompleter, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QWidget


@lru_cache(maxsize=512)
def swatch(color: str, size: int = 12, *, hollow: bool = False) -> QIcon:
    """A small square of ``color`` (drawn once per colour: menus and lists ask for the same ones often)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    if hollow:
        p.setPen(c)
        p.setBrush(Qt.BrushStyle.NoBrush)
    else:
        p.setPen(c.darker(130))
        p.setBrush(c)
    p.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    p.end()
    return QIcon(pix)


def split_tags(text: str) -> list[str]:
    return sorted({t.strip() for t in text.split(",") if t.strip()})


class TagEdit(QLineEdit):
    """Comma-separated tags, completing the tag being typed from the tags already used.

    ``tagsEdited`` is emitted with the new list when editing finishes (Return or focus out)
    and the list differs from what was set.
    """

    tagsEdited = Signal(list)

    def __init__(self, all_tags: Callable[[], Iterable[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all_tags = all_tags
        self._set: list[str] = []
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setWidget(self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._completer.activated.connect(self._insert)
        self.textEdited.connect(self._complete)
        self.editingFinished.connect(self._finish)
        self.setPlaceholderText("tag, another tag")
        self.setClearButtonEnabled(True)

    def set_tags(self, tags: Iterable[str]) -> None:
        self._set = sorted(tags)
        self.setText(", ".join(self._set))

    def tags(self) -> list[str]:
        return split_tags(self.text())

    def _prefix(self) -> str:
        return self.text()[: self.cursorPosition()].split(",")[-1].strip()

    def _complete(self, _text: str) -> None:
        prefix = self._prefix()
        if not prefix:
            self._completer.popup().hide()
            return
        taken = set(self.tags())
        self._model.setStringList([t for t in self._all_tags() if t not in taken or t.lower().startswith(prefix.lower())])
        self._completer.setCompletionPrefix(prefix)
        if self._completer.completionCount():
            self._completer.complete()
        else:
            self._completer.popup().hide()

    def _insert(self, tag: str) -> None:
        head = self.text()[: self.cursorPosition()]
        tail = self.text()[self.cursorPosition() :]
        parts = head.split(",")
        parts[-1] = (" " if len(parts) > 1 else "") + tag
        new_head = ",".join(parts) + ", "
        self.setText(new_head + tail.lstrip(", "))
        self.setCursorPosition(len(new_head))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._completer.popup().isVisible() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            event.ignore()  # the completer's popup takes it
            return
        if event.key() == Qt.Key.Key_Escape:
            self.set_tags(self._set)
            self.clearFocus()
            return
        super().keyPressEvent(event)

    def _finish(self) -> None:
        if self._completer.popup().isVisible():
            return
        tags = self.tags()
        if tags != self._set:
            self._set = tags
            self.tagsEdited.emit(tags)


class Banner(QFrame):
    """A message across the top of the window that stays until closed (not a dialog: work goes on)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self._slot: Callable[[], object] | None = None
        self.action_button = QPushButton()
        self.action_button.clicked.connect(lambda _checked=False: self._slot() if self._slot is not None else None)
        self.action_button.hide()
        layout.addWidget(self.action_button)
        self.close_button = QToolButton(text="✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close this message")
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.close_button)
        self.hide()

    def show_message(self, text: str, action: str = "", slot: Callable[[], object] | None = None) -> None:
        self.label.setText(text)
        self._slot = slot
        if action and slot is not None:
            self.action_button.setText(action)
            self.action_button.show()
        else:
            self.action_button.hide()
        self.show()
