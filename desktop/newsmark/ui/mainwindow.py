"""The main window: library on the left, the article in the centre, mark panels on the right."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from newsmark import APP_NAME
from newsmark.model import Document, ReviewStatus, SpanKind, SpanStatus
from newsmark.services.importer import ImportSummary, import_text
from newsmark.ui.editor import Editor
from newsmark.ui.delegates import LibraryDelegate
from newsmark.ui.models import DOC_ID_ROLE, LibraryModel
from newsmark.ui.palette import Palette
from newsmark.ui.panels import Inspector, Legend, MarksPanel, fill_speaker_menu, section_title
from newsmark.ui.reader import READER_FONTS, ReaderView
from newsmark.ui.widgets import Banner, TagEdit, swatch

if TYPE_CHECKING:  # the dialogs and jobs are imported when first used, not at start-up; the Library after the window is up
    from newsmark.store import Library
    from newsmark.ui.exporting import ExportDialog
    from newsmark.ui.importing import ImportJob

WINDOW_SETTING = "ui.window"
UPGRADE_SETTING = "ui.upgrade_announced"  # the backup already announced (so it is said once)

STATUS_FILTERS: list[tuple[str, tuple[ReviewStatus, ...]]] = [
    ("All articles", ()),
    ("To review", (ReviewStatus.NEW, ReviewStatus.IN_PROGRESS)),
    ("New", (ReviewStatus.NEW,)),
    ("In progress", (ReviewStatus.IN_PROGRESS,)),
    ("Done", (ReviewStatus.DONE,)),
]


SORTS: list[tuple[str, int, Qt.SortOrder]] = [
    ("Imported (oldest first)", -1, Qt.SortOrder.AscendingOrder),
    ("Imported (newest first)", -2, Qt.SortOrder.DescendingOrder),
    ("Date published (newest first)", 2, Qt.SortOrder.DescendingOrder),
    ("Date published (oldest first)", 2, Qt.SortOrder.AscendingOrder),
    ("Title", 0, Qt.SortOrder.AscendingOrder),
    ("Source", 1, Qt.SortOrder.AscendingOrder),
    ("Review status", 3, Qt.SortOrder.AscendingOrder),
    ("Most marks to review first", 4, Qt.SortOrder.DescendingOrder),
    ("Fewest marks to review first", 4, Qt.SortOrder.AscendingOrder),
    ("Most marks accepted first", 5, Qt.SortOrder.DescendingOrder),
]


def _option(view: QTableView) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    option.initFrom(view)
    return option


def format_published(value: str | None) -> str:
    """'2024-07' -> 'July 2024'; '2024-07-05' -> '5 July 2024'; anything else as it is."""
    if not value:
        return ""
    import calendar

    parts = value[:10].split("-")
    try:
        if len(parts) == 1:
            return parts[0]
        month = calendar.month_name[int(parts[1])]
        if len(parts) == 2:
            return f"{month} {parts[0]}"
        return f"{int(parts[2])} {month} {parts[0]}"
    except (ValueError, IndexError):
        return value


class MainWindow(QMainWindow):
    importFinished = Signal(object)  # ImportSummary (tests wait on it)
    annotateFinished = Signal(object)  # AnnotateSummary | None

    def __init__(self, library: Library, palette: Palette | None = None, *, restore: bool = True) -> None:
        """``restore=False``: the caller opens the last article (:meth:`restore_position`) once the window is up."""
        super().__init__()
        self.library = library
        self.editor = Editor(library, palette, self)
        self.import_job: ImportJob | None = None
        self.annotate_job = None
        self.label_popup_enabled = True
        self.auto_annotate = False  # the app turns it on (run); tests keep spaCy out
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.actions_by_name: dict[str, QAction] = {}

        self.library_model = LibraryModel(library, self)
        self._build_library_pane()
        self._build_reader_pane()
        self.inspector = Inspector(self.editor)
        self.marks_panel = MarksPanel(self.editor)
        self.legend = Legend(self.editor)
        self.legend.visibilityChanged.connect(self._visibility_changed)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.legend)
        right.addWidget(self.inspector)
        right.addWidget(self.marks_panel)
        right.setStretchFactor(0, 0)
        right.setStretchFactor(1, 1)
        right.setStretchFactor(2, 1)
        right.setSizes([170, 470, 260])
        right.setChildrenCollapsible(False)
        self.right_splitter = right

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.library_pane)
        split.addWidget(self.reader_pane)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([340, 760, 340])
        split.setChildrenCollapsible(False)
        self.splitter = split
        self.banner = Banner()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(split, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_status_bar()

        self.editor.documentOpened.connect(self._document_opened)
        self.editor.documentChanged.connect(self._document_changed)
        self.editor.refused.connect(self._refused)
        self.editor.pickingChanged.connect(self._picking_changed)
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.editor.undo_stack.indexChanged.connect(lambda _i: self._update_counts())
        self.reader.selectionMade.connect(self._selection_made)
        self.reader.markClicked.connect(self._mark_clicked)
        self.reader.contextMenuAt.connect(self._context_menu)

        self.resize(1440, 900)
        self._restore_window()
        if restore:
            self.restore_position()
        self._announce_upgrade()
        self.reader.setFocus()  # the keys (J, A, X, 1–9 …) work at once, not typed into the search box

    # ------------------------------------------------------------------ building

    def _build_library_pane(self) -> None:
        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(8, 8, 4, 4)
        layout.setSpacing(6)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search articles  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_filters)
        layout.addWidget(self.search)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.status_filter = QComboBox()
        for title, _ in STATUS_FILTERS:
            self.status_filter.addItem(title)
        self.status_filter.setToolTip("Show articles by review status")
        self.tag_filter = QComboBox()
        self.tag_filter.setToolTip("Show articles with this tag")
        self.label_filter = QComboBox()
        self.label_filter.setToolTip("Show articles with a mark of this label")
        for box in (self.status_filter, self.tag_filter, self.label_filter):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(6)
            box.activated.connect(lambda _i: self._apply_filters())
            row.addWidget(box, 1)
        self._fill_filter_boxes()
        layout.addLayout(row)
        sort_row = QHBoxLayout()
        sort_row.setSpacing(4)
        self.sort_box = QComboBox()
        for title, column, order in SORTS:
            self.sort_box.addItem(title, (column, order))
        self.sort_box.setToolTip("Order of the list")
        self.sort_box.activated.connect(self._apply_sort)
        sort_row.addWidget(QLabel("Sort"))
        sort_row.addWidget(self.sort_box, 1)
        layout.addLayout(sort_row)
        view = QTableView()
        view.setModel(self.library_model)
        view.setItemDelegateForColumn(0, LibraryDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.verticalHeader().hide()
        view.horizontalHeader().hide()
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(LibraryDelegate().sizeHint(view.viewOptions() if hasattr(view, "viewOptions") else _option(view), QModelIndex()).height())
        header = view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, LibraryModel.COLUMNS.__len__()):
            view.setColumnHidden(col, True)
        view.selectionModel().currentRowChanged.connect(self._library_row_changed)
        self.library_model.modelReset.connect(self._reselect_current)
        layout.addWidget(view, 1)
        self.library_view = view
        self.library_pane = pane
        pane.setMinimumWidth(240)

    def _fill_filter_boxes(self) -> None:
        current_tag = self.tag_filter.currentData()
        self.tag_filter.clear()
        self.tag_filter.addItem("Any tag", None)
        for tag in self.library.all_tags():
            self.tag_filter.addItem(tag, tag)
        self.tag_filter.setCurrentIndex(max(0, self.tag_filter.findData(current_tag)))
        current_label = self.label_filter.currentData()
        self.label_filter.clear()
        self.label_filter.addItem("Any label", None)
        for lab in self.editor.palette.labels:
            self.label_filter.addItem(swatch(lab.color), lab.name, lab.name)
        self.label_filter.setCurrentIndex(max(0, self.label_filter.findData(current_label)))

    def _build_reader_pane(self) -> None:
        pane = QWidget()
        pane.setAutoFillBackground(True)
        pane.setBackgroundRole(self.palette().ColorRole.Base)
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        header = QWidget()
        header.setAutoFillBackground(True)
        header.setBackgroundRole(self.palette().ColorRole.Base)
        outer = QHBoxLayout(header)
        outer.setContentsMargins(24, 22, 24, 6)
        column = QWidget()
        column.setMaximumWidth(self._column_width())
        col = QVBoxLayout(column)
        col.setContentsMargins(34, 0, 34, 0)
        col.setSpacing(6)
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = QFont()
        title_font.setFamilies(READER_FONTS)
        title_font.setPointSizeF(18)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        col.addWidget(self.title_label)
        meta_row = QHBoxLayout()
        self.meta_label = QLabel()
        self.meta_label.setEnabled(False)
        self.meta_label.setWordWrap(True)
        meta_row.addWidget(self.meta_label, 1)
        self.done_button = QPushButton("Done → next")
        self.done_button.setToolTip("Mark this article done and open the next one (Ctrl+Return)")
        self.done_button.clicked.connect(self.done_and_next)
        meta_row.addWidget(self.done_button)
        col.addLayout(meta_row)
        tag_row = QHBoxLayout()
        tag_label = QLabel("Tags")
        tag_label.setEnabled(False)
        tag_row.addWidget(tag_label)
        self.doc_tags = TagEdit(self.library.all_tags)
        self.doc_tags.setPlaceholderText("tags for this article")
        self.doc_tags.setFrame(False)
        self.doc_tags.tagsEdited.connect(self._doc_tags_edited)
        tag_row.addWidget(self.doc_tags, 1)
        col.addLayout(tag_row)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Plain)
        rule.setEnabled(False)
        col.addWidget(rule)
        outer.addStretch(1)
        outer.addWidget(column, 100)
        outer.addStretch(1)
        self.header = header
        self.header_column = column
        layout.addWidget(header)
        self.reader = ReaderView(self.editor)
        layout.addWidget(self.reader, 1)
        self.empty_label = QLabel("No article open.\nImport files (Ctrl+O), drop them on this window, or paste text (Ctrl+Shift+V).")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)
        layout.addWidget(self.empty_label)
        self.reader_pane = pane

    def _column_width(self) -> int:
        font = QFont()
        font.setFamilies(READER_FONTS)
        font.setPointSizeF(12.5)
        from PySide6.QtGui import QFontMetrics

        return int(45 * QFontMetrics(font).horizontalAdvance("M")) + 2 * 34

    def _action(self, name: str, text: str, slot: Callable[[], object], shortcuts: Sequence[str | QKeySequence] = (), *, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            seqs: list[QKeySequence] = []
            for item in shortcuts:
                for seq in QKeySequence.keyBindings(item) if isinstance(item, QKeySequence.StandardKey) else [QKeySequence(item)]:
                    if not seq.isEmpty() and seq not in seqs:  # a key twice would make the shortcut ambiguous
                        seqs.append(seq)
            action.setShortcuts(seqs)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        ed = self.editor
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self._action("import_files", "&Import files…", self.import_files_dialog, [QKeySequence.StandardKey.Open]))
        file_menu.addAction(self._action("import_folder", "Import &folder…", self.import_folder_dialog, ["Ctrl+Shift+O"]))
        file_menu.addAction(
            self._action(
                "import_merge",
                "Import annotations into articles &already here…",
                self.import_merge_dialog,
                tip="Marks from a colleague's export (or another tool) are added to the same articles in your library; marks you have are kept",
            )
        )
        file_menu.addAction(self._action("paste", "&Paste as new article…", self.paste_dialog, ["Ctrl+Shift+V"]))
        file_menu.addAction(self._action("export", "&Export training data…", self.export_dialog, ["Ctrl+E"], tip="Newsmark JSONL, spaCy, Prodigy, doccano, Label Studio, brat or CoNLL"))
        file_menu.addSeparator()
        file_menu.addAction(self._action("annotate_new", "Suggest marks for new articles", lambda: self.start_annotation(None)))
        file_menu.addAction(
            self._action("annotate_this", "Suggest marks for this article again", lambda: self.editor.doc and self.start_annotation([self.editor.doc.id]))
        )
        from newsmark.ui.training import add_training_action

        add_training_action(self, file_menu)  # File → Train from my corrections (ui/training.py)
        file_menu.addSeparator()
        file_menu.addAction(self._action("preferences", "&Preferences…", self.edit_preferences, [QKeySequence.StandardKey.Preferences, "Ctrl+,"]))
        file_menu.addSeparator()
        file_menu.addAction(self._action("quit", "&Quit", self.close, [QKeySequence.StandardKey.Quit, "Ctrl+Q"]))

        edit = menu.addMenu("&Edit")
        undo = ed.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = ed.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for name, action in (("undo", undo), ("redo", redo)):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
            self.actions_by_name[name] = action
            edit.addAction(action)
        edit.addSeparator()
        edit.addAction(self._action("accept", "&Accept mark", lambda: ed.accept(), ["A"]))
        edit.addAction(self._action("reject", "Re&ject mark", lambda: ed.reject(), ["X"]))
        edit.addAction(self._action("delete", "&Delete mark", lambda: ed.delete(), [QKeySequence.StandardKey.Delete, "Backspace"]))
        relabel = edit.addMenu("Re&label / mark selection as")
        self.relabel_menu = relabel
        for n in range(1, 10):
            edit_action = self._action(f"label_{n}", f"Label {n}", lambda n=n: self.label_key(str(n)), [str(n)])
            relabel.addAction(edit_action)
        self._refresh_label_actions()
        edit.addAction(self._action("claim_menu", "Mark as &claim…", self.claim_menu, ["C"]))
        edit.addSeparator()
        edit.addAction(self._action("grow_start", "Extend start by a word", lambda: ed.resize("grow_start"), ["Alt+Left"]))
        edit.addAction(self._action("grow_end", "Extend end by a word", lambda: ed.resize("grow_end"), ["Alt+Right"]))
        edit.addAction(self._action("shrink_start", "Shrink start by a word", lambda: ed.resize("shrink_start"), ["Alt+Shift+Right"]))
        edit.addAction(self._action("shrink_end", "Shrink end by a word", lambda: ed.resize("shrink_end"), ["Alt+Shift+Left"]))
        edit.addSeparator()
        edit.addAction(self._action("label_all", "Label &every occurrence of this text", lambda: ed.label_all_occurrences(), ["E"]))
        edit.addAction(self._action("tag", "&Tag mark…", self.focus_tags, ["T"]))
        edit.addAction(self._action("note", "&Note on mark…", self.focus_note, ["N"]))
        edit.addAction(self._action("pick_speaker", "Pick &speaker in the text…", self.pick_speaker, ["S"], tip="Then click the mark of who says the selected claim (Esc cancels)"))
        edit.addAction(self._action("speaker", "Choose speaker from a list…", self.speaker_menu, ["Shift+S"]))
        edit.addSeparator()
        edit.addAction(self._action("done_next", "Article d&one → next", self.done_and_next, ["Ctrl+Return", "Ctrl+Enter"]))

        view = menu.addMenu("&View")
        view.addAction(self._action("next", "&Next mark", lambda: ed.next_mark(1), ["J", "Tab"]))
        view.addAction(self._action("previous", "&Previous mark", lambda: ed.next_mark(-1), ["K", "Shift+Tab", "Backtab"]))
        view.addAction(self._action("next_pending", "Next &pending mark", lambda: ed.next_mark(1, pending_only=True), ["Shift+J"]))
        view.addAction(self._action("escape", "Clear selection", self.clear_selection, ["Escape"]))
        view.addSeparator()
        self.rejected_action = self._action("show_rejected", "Show &rejected marks", lambda: self.legend.rejected.toggle(), ["R"])
        self.rejected_action.setCheckable(True)
        self.legend.rejected.toggled.connect(self.rejected_action.setChecked)
        view.addAction(self.rejected_action)
        self.popup_action = QAction("Label menu after selecting text", self, checkable=True, checked=True)
        self.popup_action.toggled.connect(lambda on: setattr(self, "label_popup_enabled", on))
        view.addAction(self.popup_action)
        view.addSeparator()
        view.addAction(self._action("zoom_in", "Larger text", lambda: self.reader.zoomIn(1), [QKeySequence.StandardKey.ZoomIn, "Ctrl+="]))
        view.addAction(self._action("zoom_out", "Smaller text", lambda: self.reader.zoomOut(1), [QKeySequence.StandardKey.ZoomOut]))
        view.addSeparator()
        view.addAction(self._action("find", "Search the library", self.focus_search, [QKeySequence.StandardKey.Find]))
        view.addAction(self._action("focus_reader", "Go to the article", lambda: self.reader.setFocus(), ["Ctrl+2"]))
        view.addAction(self._action("focus_library", "Go to the library list", lambda: self.library_view.setFocus(), ["Ctrl+1"]))

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("shortcuts", "&Keyboard shortcuts", self.show_shortcuts, [QKeySequence.StandardKey.HelpContents, "F1", "?"]))
        help_menu.addAction(self._action("about", "&About Newsmark", self.about))

    def _refresh_label_actions(self) -> None:
        for n in range(1, 10):
            action = self.actions_by_name[f"label_{n}"]
            lab = self.editor.palette.by_hotkey(str(n))
            action.setVisible(lab is not None)
            if lab is not None:
                action.setText(lab.name)
                action.setIcon(swatch(lab.color))

    def _announce_upgrade(self) -> None:
        """Opening upgraded an older library: say so once, with where the copy of the old one is."""
        backup = self.library.upgrade_backup
        if backup is None or self.library.get_setting(UPGRADE_SETTING) == str(backup):
            return
        self.library.set_setting(UPGRADE_SETTING, str(backup))
        self.banner.show_message(
            f"This library was upgraded for this version of Newsmark. A copy of it as it was before is kept at <b>{html.escape(str(backup))}</b>",
            "Show folder",
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(backup).parent))),
        )
        self.banner.label.setToolTip(str(backup))
        # once the window is shown: a message shown before would not hide the status bar's own widgets
        QTimer.singleShot(0, lambda: self.statusBar().showMessage(f"Library upgraded; the old one is backed up at {backup}", 30000))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.path_label = QLabel(self.library.describe())
        self.path_label.setToolTip("The library file: every edit is saved here the moment you make it")
        self.path_label.setEnabled(False)
        bar.addWidget(self.path_label)
        self.pick_label = QLabel()  # what a click is expected to do while picking a speaker
        font = self.pick_label.font()
        font.setBold(True)
        self.pick_label.setFont(font)
        self.pick_label.hide()
        bar.insertWidget(0, self.pick_label)
        self._reader_cursor: Qt.CursorShape | None = None
        self.counts_label = QLabel()
        bar.addPermanentWidget(self.counts_label)
        self.model_label = QLabel("Model: not loaded")
        self.model_label.setToolTip("The language model that suggests marks")
        bar.addPermanentWidget(self.model_label)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.progress.hide()
        bar.addPermanentWidget(self.progress)
        self.cancel_button = QToolButton(text="Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_import)
        bar.addPermanentWidget(self.cancel_button)
        self._update_counts()

    # ------------------------------------------------------------------ library list

    def _apply_sort(self, index: int) -> None:
        column, order = self.sort_box.itemData(index)
        if column < 0:
            self.library_model.set_query(order_by="imported_at", descending=order == Qt.SortOrder.DescendingOrder)
        else:
            self.library_model.sort(column, order)

    def _apply_filters(self) -> None:
        _, statuses = STATUS_FILTERS[self.status_filter.currentIndex()]
        self.library_model.set_query(
            search=self.search.text().strip(), statuses=statuses, tag=self.tag_filter.currentData(), label=self.label_filter.currentData()
        )
        self._update_counts()

    def _library_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        doc_id = current.data(DOC_ID_ROLE)
        if doc_id is not None and (self.editor.doc is None or self.editor.doc.id != doc_id):
            self.editor.open_document(doc_id)

    def _select_row(self, row: int) -> None:
        index = self.library_model.index(row, 0)
        if index.isValid():
            self.library_view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.library_view.scrollTo(index)

    def _reselect_current(self) -> None:
        if self.editor.doc is None:
            return
        row = self.library_model.row_of(self.editor.doc.id)
        if row >= 0:
            blocker = self.library_view.selectionModel().blockSignals(True)
            self.library_view.selectionModel().setCurrentIndex(
                self.library_model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.library_view.selectionModel().blockSignals(blocker)
            self.library_view.viewport().update()

    def open_document(self, doc_id: int, select_mark: int | None = None) -> None:
        """Open an article and show it selected in the list (if the filter shows it)."""
        self.editor.open_document(doc_id, select=select_mark)
        self._reselect_current()

    def restore_position(self) -> None:
        """Open the article (and mark) the user was at last time, else the first one."""
        doc_id, mark_id = self.editor.last_position()
        if doc_id is not None:
            try:
                self.open_document(int(doc_id), mark_id)
                return
            except Exception:  # noqa: BLE001 - the article may have been deleted since
                pass
        if self.library_model.rowCount() > 0:
            self._select_row(0)
        else:
            self.editor.open_document(None)

    # ------------------------------------------------------------------ the open article

    def _document_opened(self, doc: Document | None) -> None:
        has = doc is not None
        self.reader.setVisible(has)
        self.header.setVisible(has)
        self.empty_label.setVisible(not has)
        if doc is None:
            self.setWindowTitle(APP_NAME)
            return
        self.setWindowTitle(f"{doc.title or 'Untitled'} — {APP_NAME}")
        self.title_label.setText(doc.title or "(untitled)")
        self.doc_tags.set_tags(doc.tags)
        self._reselect_current()
        self._document_changed(doc.id)

    def _document_changed(self, doc_id: int) -> None:
        doc = self.editor.doc
        if doc is None or doc.id != doc_id:
            self.library_model.refresh_document(doc_id)  # only that row, re-read from the store
            return
        # the open article: its row from what the editor holds (counts kept as marks change), no query
        pending, accepted, rejected = self.editor.counts()
        self.library_model.update_document(
            doc_id, title=doc.title, source=doc.source, published=doc.published, status=doc.status, pending=pending, accepted=accepted, rejected=rejected
        )
        bits = [b for b in (doc.source, format_published(doc.published), doc.author) if b]
        bits.append(doc.status.title)
        self.meta_label.setText("  ·  ".join(bits))
        self.done_button.setText("Done ✓" if doc.status == ReviewStatus.DONE else "Done → next")
        if sorted(doc.tags) != self.doc_tags.tags() and not self.doc_tags.hasFocus():
            self.doc_tags.set_tags(doc.tags)
        self._update_counts()

    def _update_counts(self) -> None:
        if not hasattr(self, "counts_label"):
            return
        pending, accepted, _rejected = self.editor.counts()
        shown = self.library_model.rowCount()
        more = "+" if self.library_model.canFetchMore() else ""
        article = f"{pending} pending · {accepted} accepted in this article" if self.editor.doc else "no article open"
        self.counts_label.setText(f"{shown}{more} articles  ·  {article}")

    def _doc_tags_edited(self, tags: list[str]) -> None:
        if self.editor.set_document_tags(tags):
            self._fill_filter_boxes()

    def done_and_next(self) -> None:
        doc = self.editor.doc
        if doc is None:
            return
        row = self.library_model.row_of(doc.id)
        self.editor.set_document_status(ReviewStatus.DONE)
        self.editor.save_position()
        if row < 0:
            return
        nxt = row + 1
        if nxt >= self.library_model.rowCount() and self.library_model.canFetchMore():
            self.library_model.fetchMore()
        if nxt < self.library_model.rowCount():
            self._select_row(nxt)
            self.statusBar().showMessage(f"“{doc.title}” marked done.", 4000)
        else:
            self.statusBar().showMessage(f"“{doc.title}” marked done. That was the last article in the list.", 6000)

    # ------------------------------------------------------------------ reader interaction

    def _visibility_changed(self) -> None:
        self.reader.refresh(None)
        self.marks_panel.apply_visibility()
        if self.editor.selected is not None and not self.editor.is_visible(self.editor.spans[self.editor.selected]):
            self.editor.select(None)

    def _mark_clicked(self, span_id: int | None) -> None:
        if self.editor.picking is not None:
            self.editor.pick(span_id)
            return
        self.editor.select(span_id)

    def pick_speaker(self) -> None:
        """S: the next click on a mark makes it the selected claim's speaker (S again or Esc: cancel)."""
        if self.editor.picking is not None:
            self.cancel_pick()
            return
        self.editor.start_pick_speaker()

    def cancel_pick(self) -> None:
        if self.editor.cancel_pick():
            self.statusBar().showMessage("Speaker not changed.", 3000)

    def _picking_changed(self, claim_id: int | None) -> None:
        viewport = self.reader.viewport()
        claim = self.editor.span(claim_id)
        if claim is not None:
            self.statusBar().clearMessage()  # so the prompt is not drawn over a message
            short = " ".join(self.editor.span_text(claim).split())
            short = short if len(short) <= 40 else short[:39] + "…"
            self.pick_label.setText(f"Pick the speaker of “{short}”: click the mark of who says it — Esc to cancel")
            self.pick_label.show()
            if self._reader_cursor is None:
                self._reader_cursor = viewport.cursor().shape()
            viewport.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.pick_label.hide()
            if self._reader_cursor is not None:
                viewport.setCursor(self._reader_cursor)
                self._reader_cursor = None

    def _selection_made(self, start: int, end: int, exact: bool) -> None:
        if self.editor.picking is not None:
            self.cancel_pick()  # a text selection instead of a click: the user moved on
        self._pending_exact = exact
        if self.label_popup_enabled:
            self.label_menu_for_selection(self.reader.viewport().mapToGlobal(self.reader.point_of(max(start, end - 1))) + QPoint(0, 14))

    def label_menu_for_selection(self, global_pos: QPoint) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("labelPopup")
        self._fill_label_menu(menu, create=True)
        menu.popup(global_pos)
        self.label_popup = menu
        return menu

    def _fill_label_menu(self, menu: QMenu, *, create: bool) -> None:
        palette = self.editor.palette
        for lab in palette.labels:
            if lab.kind == SpanKind.CLAIM or not lab.shown:
                continue
            if lab.hotkey or not create:
                text = f"&{lab.hotkey}  {lab.name}" if lab.hotkey else lab.name
                action = menu.addAction(swatch(lab.color), text)
                action.triggered.connect(lambda _=False, name=lab.name: self._apply_label(name, create))
        claims = menu.addMenu("Claim")
        for lab in palette.claim_labels():
            action = claims.addAction(swatch(palette.ink(lab.name), hollow=True), f"&{lab.name}")
            action.triggered.connect(lambda _=False, name=lab.name: self._apply_label(name, create))
        if create:
            others = [lab for lab in palette.labels if lab.kind != SpanKind.CLAIM and not lab.hotkey]
            if others:
                more = menu.addMenu("More labels")
                for lab in others:
                    more.addAction(swatch(lab.color), lab.name).triggered.connect(lambda _=False, name=lab.name: self._apply_label(name, True))

    def _apply_label(self, name: str, create: bool) -> None:
        if create:
            self.mark_selection(name)
        else:
            self.editor.relabel(name)

    def mark_selection(self, label: str, *, exact: bool | None = None) -> bool:
        rng = self.reader.selection_range()
        if rng is None:
            return False
        exact = getattr(self, "_pending_exact", False) if exact is None else exact
        span = self.editor.create_mark(rng[0], rng[1], label, exact=exact)
        self._pending_exact = False
        if span is not None:
            self.reader.clear_text_selection()
        return span is not None

    def label_key(self, key: str) -> None:
        """A number key: mark the selected text with that label, or relabel the selected mark."""
        lab = self.editor.palette.by_hotkey(key)
        if lab is None:
            return
        popup = getattr(self, "label_popup", None)
        if popup is not None and popup.isVisible():
            popup.close()
        if self.reader.selection_range() is not None:
            self.mark_selection(lab.name)
        else:
            self.editor.relabel(lab.name)

    def claim_menu(self) -> None:
        menu = QMenu(self)
        palette = self.editor.palette
        create = self.reader.selection_range() is not None
        for lab in palette.claim_labels():
            action = menu.addAction(swatch(palette.ink(lab.name), hollow=True), f"&{lab.name.title()}")
            action.triggered.connect(lambda _=False, name=lab.name: self._apply_label(name, create))
        menu.popup(self._menu_anchor())
        self.claim_popup = menu

    def _menu_anchor(self) -> QPoint:
        span = self.editor.span(self.editor.selected)
        rng = self.reader.selection_range()
        if rng is not None:
            point = self.reader.point_of(max(rng[0], rng[1] - 1))
        elif span is not None:
            point = self.reader.point_of(span.end - 1)
        else:
            point = QPoint(40, 40)
        return self.reader.viewport().mapToGlobal(point) + QPoint(0, 14)

    def speaker_menu(self) -> None:
        menu = QMenu(self)
        fill_speaker_menu(menu, self.editor, self.editor.selected)
        menu.popup(self._menu_anchor())
        self.speaker_popup = menu

    def focus_tags(self) -> None:
        if self.editor.selected is None:
            self.statusBar().showMessage("Select a mark to tag it (J / Tab for the next one).", 4000)
            return
        self.inspector.tags.setFocus()
        self.inspector.tags.end(False)

    def focus_note(self) -> None:
        if self.editor.selected is None:
            self.statusBar().showMessage("Select a mark to write a note on it.", 4000)
            return
        self.inspector.note.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def clear_selection(self) -> None:
        if self.editor.picking is not None:
            self.cancel_pick()  # Esc while picking a speaker cancels only that
            return
        self.reader.clear_text_selection()
        self.editor.select(None)

    def _context_menu(self, global_pos: QPoint, span_id: int | None) -> None:
        menu = self.build_context_menu(span_id)
        menu.popup(global_pos)
        self.context_popup = menu

    def build_context_menu(self, span_id: int | None) -> QMenu:
        menu = QMenu(self)
        ed = self.editor
        span = ed.span(span_id)
        if self.reader.selection_range() is not None:
            marks = menu.addMenu("Mark selection as")
            self._fill_label_menu(marks, create=True)
            menu.addAction("Copy", self.reader.copy)
            if span is None:
                return menu
            menu.addSeparator()
        if span is None:
            menu.addAction("Select text, then choose a label (or press 1–9)").setEnabled(False)
            return menu
        ed.select(span.id)
        title = menu.addAction(f"{span.label} · {'pending' if span.status == SpanStatus.SUGGESTED else span.status.value}")
        title.setEnabled(False)
        menu.addAction("Accept\tA", lambda: ed.accept(span.id, advance=False)).setEnabled(span.status != SpanStatus.ACCEPTED)
        menu.addAction("Reject\tX", lambda: ed.reject(span.id, advance=False)).setEnabled(span.status != SpanStatus.REJECTED)
        relabel = menu.addMenu("Relabel")
        self._fill_label_menu(relabel, create=False)
        menu.addAction("Delete\tDel", lambda: ed.delete(span.id))
        menu.addSeparator()
        menu.addAction("Tag…\tT", self.focus_tags)
        menu.addAction("Note…\tN", self.focus_note)
        if span.kind == SpanKind.CLAIM:
            menu.addAction("Pick speaker in the text…\tS", lambda: ed.start_pick_speaker(span.id))
            speakers = menu.addMenu("Set speaker")
            fill_speaker_menu(speakers, ed, span.id)
            clear = menu.addAction("Clear speaker", lambda: ed.set_speaker(None, span.id))
            clear.setEnabled(ed.speaker_of(span.id) is not None)  # type: ignore[arg-type]
        menu.addSeparator()
        short = " ".join(ed.span_text(span).split())
        short = short if len(short) <= 24 else short[:23] + "…"
        menu.addAction(f"Label every “{short}” in the article as {span.label}\tE", lambda: ed.label_all_occurrences(span.id))
        return menu

    def _refused(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        QApplication.beep()

    # ------------------------------------------------------------------ importing

    def import_files_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import articles or annotations",
            str(Path.home()),
            "Articles and annotations (*.txt *.md *.html *.htm *.json *.jsonl *.pdf *.docx *.ann *.conll *.iob *.spacy);;"
            "Articles (*.txt *.md *.html *.htm *.json *.jsonl *.pdf *.docx);;"
            "Annotations: Newsmark, Prodigy, doccano, Label Studio, brat, CoNLL, spaCy (*.jsonl *.json *.ann *.conll *.iob *.spacy);;"
            "All files (*)",
        )
        if files:
            self.start_import(files)

    def import_merge_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import annotations, adding marks to articles already in the library",
            str(Path.home()),
            "Annotations: Newsmark, Prodigy, doccano, Label Studio, brat, CoNLL, spaCy (*.jsonl *.json *.ann *.conll *.iob *.spacy);;All files (*)",
        )
        if files:
            self.start_import(files, merge=True)

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of articles", str(Path.home()))
        if folder:
            self.start_import([folder])

    def paste_dialog(self) -> None:
        from newsmark.ui.importing import PasteDialog

        dialog = PasteDialog(self, QApplication.clipboard().text())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.paste_text(dialog.text.toPlainText(), dialog.title.text().strip() or None)

    def paste_text(self, text: str, title: str | None = None) -> ImportSummary:
        summary = import_text(self.library, text, title)
        self._after_import(summary)
        if summary.added:
            self.open_document(summary.added[0].doc_id)  # type: ignore[arg-type]
        return summary

    def start_import(self, paths: Sequence[str | Path], *, merge: bool = False) -> ImportJob | None:
        if self.import_job is not None:
            self.statusBar().showMessage("An import is already running.", 4000)
            return None
        from newsmark.ui.importing import ImportJob

        job = ImportJob(self.library, list(paths), self, merge=merge)
        job.progress.connect(self._import_progress)
        job.finished.connect(self._import_finished)
        self.import_job = job
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.statusBar().showMessage("Importing…")
        job.start()
        return job

    def cancel_import(self) -> None:
        if self.import_job is not None:
            self.import_job.cancel()
            self.statusBar().showMessage("Cancelling the import…")
        if self.annotate_job is not None:
            self.annotate_job.cancel()
            self.statusBar().showMessage("Stopping the model after this article…")

    def _import_progress(self, progress) -> None:  # type: ignore[no-untyped-def]
        if progress.files_total:
            self.progress.setRange(0, progress.files_total)
            self.progress.setValue(progress.files_done)
        from newsmark.ui.importing import progress_text

        self.statusBar().showMessage(progress_text(progress))

    def _import_finished(self, summary: ImportSummary) -> None:
        self.import_job = None
        self.progress.hide()
        self.cancel_button.hide()
        self._after_import(summary)
        fresh = [r.doc_id for r in summary.added if not r.annotated]  # annotated imports bring their own marks
        if fresh and self.auto_annotate:
            self.start_annotation(fresh)  # type: ignore[arg-type]
        if summary.problems or summary.duplicates or summary.cancelled:
            from newsmark.ui.importing import ImportSummaryDialog

            dialog = ImportSummaryDialog(summary, self)
            dialog.setModal(False)
            dialog.open()
            self.import_dialog = dialog
        self.importFinished.emit(summary)

    def _after_import(self, summary: ImportSummary) -> None:
        if getattr(summary, "new_labels", None):
            self._reload_labels()  # labels first met in imported annotations join the legend
        self.library_model.reload()
        self._fill_filter_boxes()
        self.statusBar().showMessage(summary.headline(), 8000)
        self._update_counts()
        if self.editor.doc is None and self.library_model.rowCount():
            self._select_row(0)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.start_import(paths)

    # ------------------------------------------------------------------ the model

    def start_annotation(self, doc_ids: Sequence[int] | None = None):  # type: ignore[no-untyped-def]
        """Load the model (in the background) and suggest marks for ``doc_ids`` or every new article."""
        from newsmark.ui.annotating import AnnotateJob

        if self.annotate_job is not None:
            self.statusBar().showMessage("The model is already at work.", 4000)
            return None
        job = AnnotateJob(self.library, doc_ids, self)
        worker = job.worker
        worker.modelLoaded.connect(self._model_loaded)
        worker.modelFailed.connect(self._model_failed)
        worker.progress.connect(self._annotate_progress)
        worker.documentDone.connect(self._annotated)
        worker.finished.connect(self._annotate_finished)
        self.annotate_job = job
        self.model_label.setText("Model: loading…")
        job.start()
        return job

    def _model_loaded(self, model: str) -> None:
        self.model_label.setText(f"Model: {model}")

    def _model_failed(self, why: str) -> None:
        self.model_label.setText("Model: not available")
        self.model_label.setToolTip(why)
        self.statusBar().showMessage(f"No suggestions: {why.splitlines()[0] if why else ''}", 10000)

    def _annotate_progress(self, progress) -> None:  # type: ignore[no-untyped-def]
        self.progress.setRange(0, max(1, progress.total))
        self.progress.setValue(progress.done)
        self.progress.show()
        self.cancel_button.show()
        self.statusBar().showMessage(f"Suggesting marks: {progress.done}/{progress.total} articles, {progress.words_per_second:,.0f} words/s")

    def _annotated(self, doc_id: int) -> None:
        self.library_model.refresh_document(doc_id)
        if self.editor.doc is not None and self.editor.doc.id == doc_id:
            self.editor.reload_marks()

    def _annotate_finished(self, summary) -> None:  # type: ignore[no-untyped-def]
        job, self.annotate_job = self.annotate_job, None
        if job is not None:
            job.wait()
        if self.import_job is None:
            self.progress.hide()
            self.cancel_button.hide()
        if summary is not None:
            self.library_model.reload()
            self.statusBar().showMessage(summary.headline(), 8000)
        self.annotateFinished.emit(summary)

    # ------------------------------------------------------------------ help, window state

    def show_shortcuts(self) -> None:
        from newsmark.ui.help import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.open()
        self.shortcuts_dialog = dialog

    def about(self) -> None:
        from newsmark import __version__

        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Read news with its people, places and claims marked; correct, tag and export "
            "them as training data.<br>Everything stays on this computer.",
        )

    def _restore_window(self) -> None:
        state = self.library.get_setting(WINDOW_SETTING) or {}
        try:
            if state.get("geometry"):
                self.restoreGeometry(QByteArray(base64.b64decode(state["geometry"])))
            if state.get("splitter"):
                self.splitter.restoreState(QByteArray(base64.b64decode(state["splitter"])))
            if state.get("right"):
                self.right_splitter.restoreState(QByteArray(base64.b64decode(state["right"])))
            if state.get("zoom"):
                self.reader.zoomIn(int(state["zoom"]))
        except Exception:  # noqa: BLE001 - a damaged setting only costs the layout
            pass

    def save_state(self) -> None:
        zoom = round(self.reader.font().pointSizeF() - 12.5)
        self.library.set_setting(
            WINDOW_SETTING,
            {
                "geometry": base64.b64encode(bytes(self.saveGeometry().data())).decode(),
                "splitter": base64.b64encode(bytes(self.splitter.saveState().data())).decode(),
                "right": base64.b64encode(bytes(self.right_splitter.saveState().data())).decode(),
                "zoom": zoom,
            },
        )
        self.editor.save_position()

    def _reload_labels(self) -> None:
        fresh = Palette.load(self.editor.library)
        self.editor.palette.labels[:] = fresh.labels
        self.editor.palette.from_scheme = fresh.from_scheme
        self.legend.fill()
        self.editor.reload_marks()

    def export_dialog(self) -> ExportDialog:
        """File → Export: the choices of `newsmark export`, with a preview of how much and a progress bar."""
        from newsmark.ui.exporting import ExportDialog

        dialog = ExportDialog(self.library, list(self.editor.palette.labels), self, current_doc=self.editor.doc.id if self.editor.doc else None)
        dialog.setModal(True)
        dialog.open()
        self.export_window = dialog
        return dialog

    def edit_preferences(self) -> None:
        """Preferences (model, processes, your name, your labels); labels take effect at once."""
        from newsmark.ui.preferences import edit_preferences

        dialog = edit_preferences(self.editor.library, self)
        if dialog.changed_labels:
            self._reload_labels()
        if dialog.changed_model:
            self.statusBar().showMessage("The new model is used for the next annotation run (File menu or newsmark annotate --all).", 8000)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.import_job is not None:
            self.import_job.cancel()
            self.import_job.thread.quit()
            self.import_job.thread.wait(5000)
        if self.annotate_job is not None:
            self.annotate_job.cancel()
            self.annotate_job.wait(15000)
        self.inspector.flush_note()  # a note being typed is saved, whatever has the focus
        focus = QApplication.focusWidget()
        if focus is not None:
            focus.clearFocus()  # commits tags being edited
        try:
            self.save_state()
        except Exception:  # noqa: BLE001 - never block closing
            pass
        super().closeEvent(event)
