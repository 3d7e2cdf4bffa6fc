"""The side panels: the inspector of the selected mark, the list of marks, the label legend."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsmark.model import ClaimType, Event, Origin, RelationLabel, Span, SpanKind, SpanStatus
from newsmark.ui.editor import Editor
from newsmark.ui.models import SPAN_ID_ROLE, MarksFilter, MarksModel
from newsmark.ui.widgets import TagEdit, swatch

STATUS_WORD = {SpanStatus.SUGGESTED: "Pending", SpanStatus.ACCEPTED: "Accepted", SpanStatus.REJECTED: "Rejected"}


def section_title(text: str) -> QLabel:
    label = QLabel(text.upper())
    font = label.font()
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
    font.setBold(True)
    font.setLetterSpacing(font.SpacingType.PercentageSpacing, 108)
    label.setFont(font)
    label.setForegroundRole(label.foregroundRole())
    label.setEnabled(False)  # the palette's muted text colour, light or dark
    return label


class NoteEdit(QPlainTextEdit):
    """A mark's note, saved after a short pause in typing, when focus leaves it, or on Ctrl+Return.

    ``paused`` (a save within a spell of typing) and ``committed`` (the spell is
    over) carry the text; :meth:`load` shows a stored note without counting as typing.
    """

    PAUSE_MS = 600

    paused = Signal(str)
    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.pause = QTimer(self, singleShot=True, interval=self.PAUSE_MS)
        self.pause.timeout.connect(lambda: self.paused.emit(self.toPlainText()))
        self.textChanged.connect(self._typed)

    def load(self, text: str) -> None:
        self._loading = True
        try:
            self.pause.stop()
            self.setPlainText(text)
            self.moveCursor(QTextCursor.MoveOperation.End)
        finally:
            self._loading = False

    def _typed(self) -> None:
        if not self._loading:
            self.pause.start()  # restarts: saved once typing pauses

    def typing(self) -> bool:
        """Text typed and not saved yet."""
        return self.pause.isActive()

    def commit(self) -> None:
        self.pause.stop()
        self.committed.emit(self.toPlainText())

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.commit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.commit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.clearFocus()
            return
        super().keyPressEvent(event)


def describe_event(event: Event) -> str:
    when = event.at.astimezone().strftime("%d %b %H:%M") if isinstance(event.at, datetime) else ""
    action = event.action.split(".", 1)[-1]
    detail = ""
    before, after = event.before or {}, event.after or {}
    if action == "update":
        changed = [k for k in after if k not in ("document_id",) and before.get(k) != after.get(k)]
        bits = []
        for key in changed:
            if key in ("tags",):
                continue
            bits.append(f"{key} {before.get(key)!s} → {after.get(key)!s}")
        detail = "; ".join(bits)
    elif action == "create":
        detail = f"{after.get('label', '')} [{after.get('start')}, {after.get('end')})"
    elif action == "tags":
        detail = ", ".join(after.get("tags", [])) or "(none)"
    return f"{when} · {event.actor} · {action}" + (f": {detail}" if detail else "")


class Inspector(QWidget):
    """Everything about the selected mark, editable in place."""

    HISTORY_DELAY_MS = 120

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self._span_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(section_title("Mark"))
        self.quote = QLabel()
        self.quote.setWordWrap(True)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.quote)
        self.empty = QLabel("No mark selected.\nJ / Tab: next mark · K / Shift+Tab: previous\nSelect text and press 1–9 to mark it.")
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        layout.addWidget(self.empty)

        self.form_widget = QWidget()
        form = QFormLayout(self.form_widget)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.label_box = QComboBox()
        self.label_box.activated.connect(self._relabel)
        form.addRow("Label", self.label_box)
        self.kind = QLabel()
        form.addRow("Kind", self.kind)
        status_row = QHBoxLayout()
        self.status = QLabel()
        self.accept_button = QToolButton(text="Accept")
        self.accept_button.setToolTip("Accept (A)")
        self.accept_button.clicked.connect(lambda: self.editor.accept(self._span_id, advance=False))
        self.reject_button = QToolButton(text="Reject")
        self.reject_button.setToolTip("Reject (X)")
        self.reject_button.clicked.connect(lambda: self.editor.reject(self._span_id, advance=False))
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.accept_button)
        status_row.addWidget(self.reject_button)
        form.addRow("Status", status_row)
        self.claim_type = QComboBox()
        self.claim_type.addItem("—", None)
        for ct in ClaimType:
            self.claim_type.addItem(ct.title, ct)
        self.claim_type.activated.connect(self._set_claim_type)
        form.addRow("Claim type", self.claim_type)
        speaker_row = QHBoxLayout()
        self.speaker = QLabel()
        self.speaker_button = QToolButton(text="Set…")
        self.speaker_button.setToolTip("Choose the speaker of this claim: pick it in the text (S) or from a list (Shift+S)")
        self.speaker_menu = QMenu(self)
        self.speaker_menu.aboutToShow.connect(self._fill_speaker_menu)
        # the menu pops up on click (not setMenu: its arrow would be drawn over "Set…")
        self.speaker_button.clicked.connect(
            lambda: self.speaker_menu.popup(self.speaker_button.mapToGlobal(self.speaker_button.rect().bottomLeft()))
        )
        speaker_row.addWidget(self.speaker, 1)
        speaker_row.addWidget(self.speaker_button)
        form.addRow("Speaker", speaker_row)
        self.score = QLabel()
        form.addRow("Score", self.score)
        self.origin = QLabel()
        self.origin.setWordWrap(True)
        form.addRow("Origin", self.origin)
        self.tags = TagEdit(editor.library.all_tags)
        self.tags.tagsEdited.connect(lambda tags: self.editor.set_tags(tags, self._span_id))
        form.addRow("Tags", self.tags)
        self.note = NoteEdit()
        self.note.setPlaceholderText("A note on this mark (saved as you type)")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(64)
        self._note_span: int | None = None  # the mark whose note the field holds
        self._note_known = ""  # that note as the library has it
        self._note_burst = 0  # saves within one spell of typing are one undo step
        self.note.paused.connect(lambda text: self._save_note(text, end=False))
        self.note.committed.connect(lambda text: self._save_note(text, end=True))
        editor.leaving.connect(self.flush_note)
        form.addRow("Note", self.note)
        self.form = form
        layout.addWidget(self.form_widget)
        layout.addWidget(section_title("History"))
        self._labels_shown: tuple = ()
        self._history_of: int | None = None  # the mark whose history the list shows (None: to be read)
        # The history is read once the selection has settled (not for every mark J passes over,
        # nor inside the keystroke that made an edit), and only while the list can be seen.
        self._history_timer = QTimer(self, singleShot=True, interval=self.HISTORY_DELAY_MS)
        self._history_timer.timeout.connect(self._load_history)
        self.history = QListWidget()
        self.history.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.history.setAlternatingRowColors(True)
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(60)
        layout.addWidget(self.history, 1)
        editor.selectionChanged.connect(self.show_mark)
        editor.documentOpened.connect(lambda _doc: self.show_mark(None))
        self.show_mark(None)

    def _fill_labels(self) -> None:
        labels = tuple((lab.name, lab.hotkey, lab.color) for lab in self.editor.palette.labels)
        if labels == self._labels_shown:
            return  # the same labels: the box is kept, not rebuilt for every mark
        self._labels_shown = labels
        self.label_box.clear()
        for lab in self.editor.palette.labels:
            key = f"  ({lab.hotkey})" if lab.hotkey else ""
            self.label_box.addItem(swatch(lab.color), f"{lab.name}{key}", lab.name)

    # ------------------------------------------------------------------ the note

    def _save_note(self, text: str, *, end: bool) -> None:
        span_id = self._note_span
        if span_id is not None and span_id in self.editor.spans and text != self._note_known:
            self._note_known = text  # before the save: the refresh it causes must not reload the field
            if not self.editor.set_note(text, span_id, burst=self._note_burst):
                self._note_known = self.editor.spans[span_id].note if span_id in self.editor.spans else ""
        if end:
            self._note_burst += 1

    def flush_note(self) -> None:
        """Save a note being typed now (before the selection or the article changes, or on close)."""
        if self.note.typing():
            self.note.commit()

    def show_mark(self, span_id: object) -> None:
        span = self.editor.span(span_id if isinstance(span_id, int) else None)
        new_id = span.id if span else None
        if new_id != self._note_span:
            self.flush_note()
            self._note_burst += 1
        self._span_id = new_id
        self.form_widget.setVisible(span is not None)
        self.quote.setVisible(span is not None)
        self.empty.setVisible(span is None)
        if new_id != self._history_of:
            self.history.clear()  # another mark: never show the last one's history under it
        self._history_of = None
        if span is None:
            self._note_span, self._note_known = None, ""
            self.note.load("")
            return
        text = " ".join(self.editor.span_text(span).split())
        self.quote.setText(f"“{text if len(text) < 400 else text[:399] + '…'}”")
        self._fill_labels()
        self.label_box.setCurrentIndex(max(0, self.label_box.findData(span.label)))
        self.kind.setText(span.kind.value)
        self.status.setText(STATUS_WORD[span.status])
        self.accept_button.setEnabled(span.status != SpanStatus.ACCEPTED)
        self.reject_button.setEnabled(span.status != SpanStatus.REJECTED)
        is_claim = span.kind == SpanKind.CLAIM
        for widget in (self.claim_type, self.speaker, self.speaker_button):
            widget.setEnabled(is_claim)
        self.claim_type.setCurrentIndex(max(0, self.claim_type.findData(span.claim_type)))
        if is_claim:
            speaker = self.editor.speaker_of(span.id)  # type: ignore[arg-type]
            if speaker is not None:
                who = " ".join(self.editor.span_text(speaker).split())
                person = self._resolved_person(speaker.id)  # type: ignore[arg-type]
                name = " ".join(self.editor.span_text(person).split()) if person is not None else ""
                self.speaker.setText(f"“{who if len(who) <= 34 else who[:33] + '…'}”" + (f" → {name}" if name else ""))
                self.speaker.setToolTip(f"“{who}” ({speaker.label})" + (f", resolved to {name} ({person.label})" if person is not None else ""))
            else:
                self.speaker.setText("none")
                self.speaker.setToolTip("")
        else:
            claims = self.editor.claims_of(span.id)  # type: ignore[arg-type]
            self.speaker.setText(f"speaker of {len(claims)} claim{'s' if len(claims) != 1 else ''}" if claims else "—")
        self.score.setText(f"{span.score:.2f}" if span.score is not None else "—")
        origin = {Origin.MODEL: "model", Origin.USER: "you" if span.origin_detail == self.editor.library.actor else "user", Origin.IMPORT: "import"}[span.origin]
        self.origin.setText(origin + (f" · {span.origin_detail}" if span.origin_detail else ""))
        self.tags.set_tags(span.tags)
        if span.id != self._note_span or (span.note != self._note_known and not self.note.typing()):
            # another mark, or its note changed elsewhere (undo): show the stored note
            if span.id == self._note_span:
                self._note_burst += 1  # typing after an undo starts a new step
            self._note_span, self._note_known = span.id, span.note
            self.note.load(span.note)
        self._history_timer.start()

    def load_history_now(self) -> None:
        """Read the history at once (tests; or anything that must not wait for the pause)."""
        self._history_timer.stop()
        self._load_history()

    def _load_history(self) -> None:
        """The selected mark's edit history, read from the library only while the list can be seen."""
        if self._span_id is None or self._history_of == self._span_id or not self.history.isVisible():
            return
        self._history_of = self._span_id
        self.history.clear()
        self.history.addItems([describe_event(event) for event in self.editor.history(self._span_id)])

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self._load_history()  # shown again (splitter, layout): read what was skipped while hidden

    def _relabel(self, index: int) -> None:
        name = self.label_box.itemData(index)
        if self._span_id is not None and name:
            self.editor.relabel(name, self._span_id)

    def _set_claim_type(self, index: int) -> None:
        if self._span_id is not None:
            self.editor.set_claim_type(self.claim_type.itemData(index), self._span_id)

    def _resolved_person(self, source_id: int) -> Span | None:
        """The person a pronoun speaker resolves to (its ``resolves_to`` link), unless that mark was rejected."""
        for rel in self.editor.relations:
            if rel.head == source_id and rel.label == RelationLabel.RESOLVES_TO:
                person = self.editor.span(rel.tail)
                if person is not None and person.status != SpanStatus.REJECTED:
                    return person
        return None

    def _fill_speaker_menu(self) -> None:
        fill_speaker_menu(self.speaker_menu, self.editor, self._span_id)


def fill_speaker_menu(menu: QMenu, editor: Editor, claim_id: int | None) -> None:
    """Candidates for a claim's speaker (nearest first), and 'Clear'."""
    menu.clear()
    claim = editor.span(claim_id)
    if claim is None or claim.kind != SpanKind.CLAIM:
        menu.addAction("Select a claim first").setEnabled(False)
        return
    menu.addAction("Pick in the text…  (S)", lambda: editor.start_pick_speaker(claim.id))
    menu.addSeparator()
    candidates = editor.speaker_candidates(claim)
    if not candidates:
        menu.addAction("No person, organisation or source marked in this article").setEnabled(False)
    current = editor.speaker_of(claim.id)  # type: ignore[arg-type]
    for cand in candidates:
        text = " ".join(editor.span_text(cand).split())
        action = menu.addAction(swatch(editor.palette.color(cand.label)), f"{text[:48]}  ({cand.label})")
        action.setCheckable(True)
        action.setChecked(current is not None and current.id == cand.id)
        action.triggered.connect(lambda _=False, sid=cand.id: editor.set_speaker(sid, claim.id))
    menu.addSeparator()
    clear = menu.addAction("Clear speaker")
    clear.setEnabled(current is not None)
    clear.triggered.connect(lambda: editor.set_speaker(None, claim.id))


class MarksPanel(QWidget):
    """The article's marks in reading order, filterable; selecting one selects it in the reader."""

    FILTERS = [
        ("All marks", None, None),
        ("Pending", SpanStatus.SUGGESTED, None),
        ("Accepted", SpanStatus.ACCEPTED, None),
        ("Rejected", SpanStatus.REJECTED, None),
        ("Entities", None, SpanKind.ENTITY),
        ("Claims", None, SpanKind.CLAIM),
    ]

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.model = MarksModel(self)
        self.proxy = MarksFilter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(section_title("Marks"))
        row = QHBoxLayout()
        self.filter_box = QComboBox()
        for title, _, _ in self.FILTERS:
            self.filter_box.addItem(title)
        self.filter_box.currentIndexChanged.connect(self._filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by text")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        row.addWidget(self.filter_box)
        row.addWidget(self.search, 1)
        layout.addLayout(row)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 86)
        header.resizeSection(2, 70)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # always shown: the columns keep their width from one article to the next (and the list is
        # not laid out again, and painted twice, when an article brings or removes a scroll bar)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        layout.addWidget(self.view, 1)
        self._syncing = False
        editor.documentOpened.connect(lambda _doc: self.reload())
        editor.marksChanged.connect(self._marks_changed)
        editor.selectionChanged.connect(self._follow)

    def reload(self) -> None:
        self._sync_visibility()
        self.model.set_marks(self.editor.text, self.editor.spans.values())
        # lay the rows out now, not in a zero timer after the window's next repaint (which would
        # make the list be painted twice: once before that layout and once after it)
        self.view.doItemsLayout()
        self._follow(self.editor.selected)

    def _marks_changed(self, changed: object) -> None:
        if isinstance(changed, set):
            present = [self.editor.spans[i] for i in changed if i in self.editor.spans]
            removed = {i for i in changed if i not in self.editor.spans}
            if self.model.update_spans(present, removed):
                # the proxy re-filters the changed rows by itself (dynamicSortFilter)
                self._follow(self.editor.selected)
                return
        self.reload()

    def _sync_visibility(self) -> bool:
        """Take the shown labels and *Show rejected* from the editor; True if that changed anything."""
        hidden = {lab.name for lab in self.editor.palette.labels if not lab.shown}
        f = self.model.filter
        if (f.show_rejected, f.hidden_labels) == (self.editor.show_rejected, hidden):
            return False
        f.show_rejected, f.hidden_labels = self.editor.show_rejected, hidden
        return True

    def apply_visibility(self) -> None:
        if self._sync_visibility():
            self.reload()

    def _filter(self, index: int) -> None:
        _, status, kind = self.FILTERS[index]
        f = self.model.filter
        if (f.status, f.kind) != (status, kind):
            f.status, f.kind = status, kind
            self.reload()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self.editor.select(current.data(SPAN_ID_ROLE))

    def _follow(self, span_id: object) -> None:
        self._syncing = True
        try:
            row = self.model.row_of(span_id) if isinstance(span_id, int) else -1
            index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()
            if index.isValid():
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
                self.view.scrollTo(index)
            else:
                self.view.selectionModel().clearSelection()
        finally:
            self._syncing = False


class Legend(QWidget):
    """The labels with their colours, hotkeys and counts; a click shows or hides a label."""

    visibilityChanged = Signal()

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 4)
        layout.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(section_title("Labels"))
        top.addStretch(1)
        self.rejected = QPushButton("Show rejected")
        self.rejected.setCheckable(True)
        self.rejected.setFlat(True)
        self.rejected.setToolTip("Show rejected marks, struck through")
        self.rejected.toggled.connect(self._toggle_rejected)
        top.addWidget(self.rejected)
        layout.addLayout(top)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tree.itemClicked.connect(self._clicked)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # fixed widths (a key, a count up to 99,999): ResizeToContents would measure every row
        # again each time a count changes, i.e. at every edit
        fm = self.tree.fontMetrics()
        for column, sample in ((1, "MM"), (2, "99999")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, fm.horizontalAdvance(sample) + 2 * self.tree.style().pixelMetric(self.tree.style().PixelMetric.PM_FocusFrameHMargin) + 12)
        self.tree.setMinimumHeight(4 * self.tree.fontMetrics().height())
        layout.addWidget(self.tree, 1)
        self._filling = False
        self._rows: list[str] = []  # the labels listed, in order
        self._items: dict[str, QTreeWidgetItem] = {}
        editor.documentOpened.connect(self._marks_changed)
        editor.marksChanged.connect(self._marks_changed)
        self.fill()

    def _listed(self) -> list[str]:
        counts = self.editor.label_counts
        return [lab.name for lab in self.editor.palette.labels if lab.name in counts or lab.hotkey or lab.builtin]

    @staticmethod
    def _count_text(count: int) -> str:
        return str(count) if count else ""

    def _marks_changed(self, _changed: object) -> None:
        """Counts kept by the editor: only the numbers that changed are rewritten (the list is rebuilt if labels come or go)."""
        if self._listed() != self._rows:
            self.fill()
            return
        counts = self.editor.label_counts
        for name, item in self._items.items():
            text = self._count_text(counts.get(name, 0))
            if item.text(2) != text:
                item.setText(2, text)

    def fill(self) -> None:
        counts = self.editor.label_counts
        self._filling = True
        self.tree.clear()
        self._items = {}
        self._rows = self._listed()
        listed = set(self._rows)
        for lab in self.editor.palette.labels:
            if lab.name not in listed:
                continue
            item = QTreeWidgetItem([lab.name, lab.hotkey or "", self._count_text(counts.get(lab.name, 0))])
            claim = lab.kind == SpanKind.CLAIM
            dark = self.palette().color(self.palette().ColorRole.Base).lightness() < 128
            item.setIcon(0, swatch(self.editor.palette.ink(lab.name) if claim else self.editor.palette.color(lab.name, dark=dark), hollow=claim))
            item.setData(0, Qt.ItemDataRole.UserRole, lab.name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if not lab.shown:
                item.setIcon(0, swatch("#9e9e9e", hollow=True))
                for col in range(3):
                    font = item.font(col)
                    font.setStrikeOut(True)
                    item.setFont(col, font)
                    item.setForeground(col, self.palette().brush(self.palette().ColorGroup.Disabled, self.palette().ColorRole.Text))
            tip = f"{lab.name} ({lab.kind.value})" + (f": {lab.description}" if lab.description else "")
            tip += f"\nKey {lab.hotkey}" if lab.hotkey else ""
            tip += "\nClick to show or hide these marks."
            item.setToolTip(0, tip)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
            self._items[lab.name] = item
        self._filling = False

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        name = item.data(0, Qt.ItemDataRole.UserRole)
        self.set_shown(name, not self.editor.palette.get(name).shown)

    def set_shown(self, name: str, shown: bool) -> None:
        lab = self.editor.palette.get(name)
        if lab.shown == shown:
            return
        lab.shown = shown
        if not shown and self.editor.selected is not None and self.editor.spans[self.editor.selected].label == name:
            self.editor.select(None)
        self.fill()
        self.visibilityChanged.emit()

    def _toggle_rejected(self, on: bool) -> None:
        self.editor.show_rejected = on
        self.visibilityChanged.emit()
