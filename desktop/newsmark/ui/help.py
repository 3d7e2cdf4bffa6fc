"""The keyboard shortcuts sheet (F1 or ?), built from the window's actions so it never lies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from newsmark.ui.mainwindow import MainWindow

GROUPS: list[tuple[str, list[str]]] = [
    ("Move", ["next", "previous", "next_pending", "escape", "focus_reader", "focus_library", "find"]),
    ("Review a mark", ["accept", "reject", "delete", "claim_menu", "label_all", "tag", "note", "pick_speaker", "speaker", "show_rejected"]),
    ("Boundaries (by a word)", ["grow_start", "grow_end", "shrink_start", "shrink_end"]),
    ("Article", ["done_next", "undo", "redo", "import_files", "import_folder", "paste"]),
]


def keys(action) -> str:  # type: ignore[no-untyped-def]
    seqs = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts() if not s.isEmpty()]
    return "  or  ".join(dict.fromkeys(seqs))


class ShortcutsDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = []
        for title, names in GROUPS:
            rows.append(f"<tr><td colspan=2 style='padding-top:10px'><b>{title}</b></td></tr>")
            for name in names:
                action = window.actions_by_name.get(name)
                if action is None:
                    continue
                rows.append(
                    f"<tr><td style='padding-right:18px'><code>{keys(action)}</code></td><td>{action.text().replace('&', '')}</td></tr>"
                )
        labels = []
        for lab in window.editor.palette.numbered():
            labels.append(f"<tr><td><code>{lab.hotkey}</code></td><td><span style='background:{lab.color};color:black'>&nbsp;{lab.name}&nbsp;</span></td></tr>")
        html = (
            "<p>Select text and press a number to mark it; with a mark selected, a number relabels it. "
            "Hold Ctrl or Alt while selecting to keep the exact characters (otherwise the selection snaps to whole words).</p>"
            f"<table>{''.join(labels)}</table><table>{''.join(rows)}</table>"
            "<p>Every change is saved at once. Undo goes back through everything done since the app started.</p>"
        )
        label = QLabel(html)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addWidget(label)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 640)
