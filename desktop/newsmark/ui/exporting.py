"""File → Export: the journalist's work out as training data, with the CLI's options and a progress bar.

The export runs in the background (:class:`~newsmark.ui.jobs.BackgroundJob`)
through :func:`newsmark.services.interchange.export`, which writes beside the
destination and renames into place: Stop or an error leaves no half file.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from newsmark.model import Label, ReviewStatus, SpanKind, SpanStatus
from newsmark.services.interchange import ExportProgress, ExportQuery, ExportSummary, FormatInfo, available_formats, export, preview
from newsmark.store import Library
from newsmark.ui.jobs import BackgroundJob
from newsmark.ui.widgets import swatch

SETTING = "ui.export"  # the last format and folder, so the next export starts there

FORMAT_NOTES = {
    "newsmark": "One article per line with its marks, relations and provenance. Prodigy and spaCy users load it directly.",
    "spacy": "spaCy's binary training format: entities in doc.ents, claims in doc.spans[\"claims\"]; for spacy train.",
    "prodigy": "Prodigy JSONL (the same lines as Newsmark JSONL: spans, tokens, relations, answer).",
    "doccano": "doccano JSONL: entities and relations with character offsets.",
    "label-studio": "A Label Studio JSON task list with annotations (and predictions for unreviewed suggestions).",
    "brat": "A folder with a .txt and an .ann file per article (brat standoff), plus annotation.conf.",
    "conll": "CoNLL/IOB, one token per line: entities only, without overlaps (claims do not fit this format).",
}

_KIND_TITLES = [(SpanKind.ENTITY, "Entities"), (SpanKind.CLAIM, "Claims"), (SpanKind.SOURCE, "Speakers"), (SpanKind.CUE, "Cues")]


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose Alt+letter moves the focus to ``widget`` (QFormLayout only does that for widget rows)."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def default_out_path(info: FormatInfo, folder: Path | None = None) -> Path:
    stem = f"newsmark-export-{date.today().isoformat()}"
    base = folder or Path.home()
    if info.directory:
        return base / stem
    return base / (stem + (info.extensions[0] if info.extensions else ".jsonl"))


class ExportDialog(QDialog):
    """Choose what to export and where; shows how much that is before it starts."""

    exported = Signal(object)  # ExportSummary (tests wait on it)

    def __init__(self, library: Library, labels: list[Label], parent: QWidget | None = None, *, current_doc: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export training data")
        self.library = library
        self.current_doc = current_doc
        self.job: BackgroundJob | None = None
        self.summary: ExportSummary | None = None
        self.formats = [f for f in available_formats() if f.can_write]
        saved = library.get_setting(SETTING) or {}

        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form)

        self.format_box = QComboBox()
        for info in self.formats:
            self.format_box.addItem(info.title, info.name)
        index = self.format_box.findData(saved.get("format", "newsmark"))
        self.format_box.setCurrentIndex(max(index, 0))
        self.format_note = QLabel()
        self.format_note.setWordWrap(True)
        self.format_note.setObjectName("hint")
        fmt_col = QVBoxLayout()
        fmt_col.addWidget(self.format_box)
        fmt_col.addWidget(self.format_note)
        form.addRow(_buddy("&Format:", self.format_box), fmt_col)

        scope = QVBoxLayout()
        self.scope_done = QRadioButton("Articles marked &done")
        self.scope_all = QRadioButton("&All articles")
        self.scope_current = QRadioButton("Only the article that is &open")
        self.scope_current.setEnabled(current_doc is not None)
        self.scope_done.setChecked(True)
        self.scope_group = QButtonGroup(self)
        for button in (self.scope_done, self.scope_all, self.scope_current):
            self.scope_group.addButton(button)
            scope.addWidget(button)
        form.addRow("Articles:", scope)

        dates = QHBoxLayout()
        self.from_check = QCheckBox("from")
        self.from_date = QDateEdit(QDate.currentDate().addMonths(-1))
        self.to_check = QCheckBox("to")
        self.to_date = QDateEdit(QDate.currentDate())
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.from_check.toggled.connect(self.from_date.setEnabled)
        self.to_check.toggled.connect(self.to_date.setEnabled)
        for w in (self.from_check, self.from_date, self.to_check, self.to_date):
            dates.addWidget(w)
        dates.addStretch(1)
        form.addRow("Published:", dates)

        self.tags = QLineEdit()
        self.tags.setPlaceholderText("any tags, comma-separated (on the article or one of its marks)")
        form.addRow("&Tags:", self.tags)

        kinds = QHBoxLayout()
        self.kind_boxes: dict[SpanKind, QCheckBox] = {}
        for kind, title in _KIND_TITLES:
            box = QCheckBox(title)
            box.setChecked(True)
            self.kind_boxes[kind] = box
            kinds.addWidget(box)
        kinds.addStretch(1)
        form.addRow("Marks:", kinds)

        self.label_list = QListWidget()
        self.label_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.label_list.setFlow(QListWidget.Flow.LeftToRight)
        self.label_list.setWrapping(True)
        self.label_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.label_list.setMaximumHeight(112)
        for label in labels:
            item = QListWidgetItem(swatch(label.color), label.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, label.name)
            item.setToolTip(label.description or label.name)
            self.label_list.addItem(item)
        label_col = QVBoxLayout()
        label_col.addWidget(self.label_list)
        all_none = QHBoxLayout()
        for text, state in (("All labels", Qt.CheckState.Checked), ("None", Qt.CheckState.Unchecked)):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, s=state: self._check_all_labels(s))
            all_none.addWidget(button)
        all_none.addStretch(1)
        label_col.addLayout(all_none)
        form.addRow(_buddy("&Labels:", self.label_list), label_col)

        self.with_rejected = QCheckBox("Include &rejected suggestions, as negative examples")
        self.with_suggested = QCheckBox("Include suggestions nobody has &reviewed yet")
        extras = QVBoxLayout()
        extras.addWidget(self.with_rejected)
        extras.addWidget(self.with_suggested)
        form.addRow("", extras)

        out_row = QHBoxLayout()
        self.out_edit = QLineEdit()
        self.out_edit.setObjectName("exportPath")
        browse = QPushButton("&Browse…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)
        form.addRow(_buddy("&Save to:", self.out_edit), out_row)
        folder = Path(saved["folder"]) if saved.get("folder") else None
        self.out_edit.setText(str(default_out_path(self._format(), folder)))

        self.preview_label = QLabel()
        self.preview_label.setObjectName("exportPreview")
        layout.addWidget(self.preview_label)
        self.progress = QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.hide()
        layout.addWidget(self.result_label)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.show_button = self.buttons.addButton("Show in &folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.show_button.hide()
        self.export_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self._close_or_stop)
        self.show_button.clicked.connect(self._show_in_folder)
        layout.addWidget(self.buttons)

        self._preview_timer = QTimer(self, singleShot=True, interval=150)
        self._preview_timer.timeout.connect(self.update_preview)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        for signal in (
            self.scope_group.buttonToggled,
            self.from_check.toggled,
            self.to_check.toggled,
            self.from_date.dateChanged,
            self.to_date.dateChanged,
            self.tags.textChanged,
            self.label_list.itemChanged,
            self.with_rejected.toggled,
            self.with_suggested.toggled,
            *(box.toggled for box in self.kind_boxes.values()),
        ):
            signal.connect(lambda *_: self._preview_timer.start())
        self._format_changed()
        self.update_preview()
        self.resize(620, self.sizeHint().height())

    # ------------------------------------------------------------------ the choices

    def _format(self) -> FormatInfo:
        return self.formats[max(self.format_box.currentIndex(), 0)]

    def _format_changed(self) -> None:
        info = self._format()
        self.format_note.setText(FORMAT_NOTES.get(info.name, ""))
        current = Path(self.out_edit.text().strip() or default_out_path(info))
        stem = current.name.split(".")[0] if current.name else f"newsmark-export-{date.today().isoformat()}"
        name = stem if info.directory else stem + (info.extensions[0] if info.extensions else "")
        self.out_edit.setText(str(current.with_name(name)))
        conll = info.name == "conll"
        for kind, box in self.kind_boxes.items():
            if kind != SpanKind.ENTITY:
                box.setEnabled(not conll)
        # only some formats can say "this is not an entity"; the others leave rejected marks out
        self.with_rejected.setEnabled(info.negatives)
        self.with_rejected.setToolTip("" if info.negatives else f"{info.title} has no place for negative examples: rejected marks are left out")
        self._preview_timer.start()

    def _check_all_labels(self, state: Qt.CheckState) -> None:
        self.label_list.blockSignals(True)
        for i in range(self.label_list.count()):
            self.label_list.item(i).setCheckState(state)
        self.label_list.blockSignals(False)
        self._preview_timer.start()

    def query(self) -> ExportQuery:
        """The ExportQuery the dialog's choices amount to."""
        if self.scope_current.isChecked() and self.current_doc is not None:
            statuses: tuple[ReviewStatus, ...] = ()
            ids: tuple[int, ...] = (self.current_doc,)
        elif self.scope_all.isChecked():
            statuses, ids = (), ()
        else:
            statuses, ids = (ReviewStatus.DONE,), ()
        labels = [self.label_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.label_list.count())]
        checked = [name for i, name in enumerate(labels) if self.label_list.item(i).checkState() == Qt.CheckState.Checked]
        conll = self._format().name == "conll"
        kinds = [k for k, box in self.kind_boxes.items() if box.isChecked()]
        if conll:
            kinds_query: tuple[SpanKind, ...] = (SpanKind.ENTITY,)  # the only kind CoNLL can hold
        elif len(kinds) == len(self.kind_boxes):
            kinds_query = ()
        else:
            kinds_query = tuple(kinds)
        span_statuses = [SpanStatus.ACCEPTED]
        if self.with_rejected.isChecked() and self.with_rejected.isEnabled():
            span_statuses.append(SpanStatus.REJECTED)
        if self.with_suggested.isChecked():
            span_statuses.append(SpanStatus.SUGGESTED)
        return ExportQuery(
            statuses=statuses,
            ids=ids,
            tags=tuple(t.strip() for t in self.tags.text().split(",") if t.strip()),
            published_from=self.from_date.date().toString("yyyy-MM-dd") if self.from_check.isChecked() else None,
            published_to=self.to_date.date().toString("yyyy-MM-dd") if self.to_check.isChecked() else None,
            span_statuses=tuple(span_statuses),
            # every label checked = no label filter (labels met later, e.g. in an import, are included too)
            labels=() if len(checked) == len(labels) else tuple(checked) or ("\x00none",),
            kinds=kinds_query,
        )

    def update_preview(self) -> tuple[int, int]:
        query = self.query()
        if not self._format().name == "conll" and not any(b.isChecked() for b in self.kind_boxes.values()):
            self.preview_label.setText("Choose at least one kind of mark.")
            self.export_button.setEnabled(False)
            return 0, 0
        docs, marks = preview(self.library, query)
        self.preview_label.setText(f"<b>{docs}</b> article{'s' if docs != 1 else ''} with <b>{marks:,}</b> mark{'s' if marks != 1 else ''} will be exported.")
        if docs == 0 and self.scope_done.isChecked():
            self.preview_label.setText(self.preview_label.text() + " No article is marked done yet: choose “All articles” or mark articles done (Ctrl+Enter).")
        self.export_button.setEnabled(docs > 0 and self.job is None)
        return docs, marks

    def _browse(self) -> None:
        info = self._format()
        current = self.out_edit.text().strip()
        if info.directory:
            folder = QFileDialog.getExistingDirectory(self, "Export into a new, empty folder", str(Path(current).parent))
            if folder:
                self.out_edit.setText(folder)
            return
        patterns = " ".join(f"*{ext}" for ext in info.extensions)
        path, _ = QFileDialog.getSaveFileName(self, "Export to", current, f"{info.title} ({patterns});;All files (*)")
        if path:
            self.out_edit.setText(path)

    # ------------------------------------------------------------------ running

    def start(self) -> BackgroundJob | None:
        """Check the destination and start the export in the background."""
        text = self.out_edit.text().strip()
        if not text:
            QMessageBox.warning(self, "Export", "Choose where to save the export.")
            return None
        out = Path(text).expanduser()
        info = self._format()
        if info.directory and out.exists() and (not out.is_dir() or any(out.iterdir())):
            QMessageBox.warning(self, "Export", f"{out} already exists and is not an empty folder. Choose a new folder: Newsmark never mixes an export with other files.")
            return None
        replace = False  # an existing file is replaced only if the user says so here
        if not info.directory and out.exists():
            if out.is_dir():
                QMessageBox.warning(self, "Export", f"{out} is a folder; give a file name.")
                return None
            if not self.ask_replace(out):
                return None
            replace = True
        self.library.set_setting(SETTING, {"format": info.name, "folder": str(out.parent)})
        query = self.query()
        library = self.library
        name = info.name
        self.job = BackgroundJob(
            lambda progress, cancelled: export(library, name, out, query, replace=replace, on_progress=progress, should_cancel=cancelled),
            self,
            what="exporting",
        )
        self.job.progress.connect(self._progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(self._failed)
        self.export_button.setEnabled(False)
        self.close_button.setText("&Stop")
        self.result_label.hide()
        self.show_button.hide()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.job.start()
        return self.job

    def ask_replace(self, out: Path) -> bool:
        """Whether to replace the file ``out`` (the question defaults to No)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Replace file?", f"“{out.name}” already exists in {out.parent}.", parent=self)
        box.setObjectName("replaceQuestion")
        box.setInformativeText("Replace it with this export? What the file holds now will be lost.")
        replace = box.addButton("&Replace", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is replace

    def _progress(self, p: ExportProgress) -> None:
        if p.documents_total:
            self.progress.setRange(0, p.documents_total)
            self.progress.setValue(p.documents_done)
            self.progress.setFormat(f"%v / %m articles · {p.spans_done:,} marks")

    def _finished(self, summary: ExportSummary) -> None:
        self.job = None
        self.summary = summary
        self.progress.hide()
        self.close_button.setText("&Close")
        self.export_button.setEnabled(True)
        text = html.escape(summary.headline())
        if summary.problems:
            text += "<br>" + "<br>".join(html.escape(str(p)) for p in summary.problems[:8])
            if len(summary.problems) > 8:
                text += f"<br>… and {len(summary.problems) - 8} more"
        self.result_label.setText(text)
        self.result_label.show()
        self.show_button.setVisible(not summary.cancelled)
        self.exported.emit(summary)

    def _failed(self, message: str) -> None:
        self.job = None
        self.progress.hide()
        self.close_button.setText("&Close")
        self.export_button.setEnabled(True)
        self.result_label.setText(
            f"<b>The export failed.</b> {html.escape(message)} Nothing was written; a file already at that place is as it was."
        )
        self.result_label.show()

    def _close_or_stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.close_button.setText("Stopping…")
            return
        self.reject()

    def _show_in_folder(self) -> None:
        if self.summary is not None:
            target = self.summary.path if self.summary.path.is_dir() else self.summary.path.parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def reject(self) -> None:
        if self.job is not None:  # Esc while exporting stops the export first
            self.job.cancel()
            self.job.wait(10000)
        super().reject()
