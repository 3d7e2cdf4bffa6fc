"""Qt item models: thin adapters over the store, loading rows lazily.

:class:`LibraryModel` lists documents through :meth:`Library.list_documents`
a page at a time (``canFetchMore``/``fetchMore``), so a library of 10,000
articles opens at once; sorting and filtering are done by the store.
:class:`MarksModel` lists the current article's marks as held by the
:class:`~newsmark.ui.editor.Editor`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont

from newsmark.model import ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.store import DocumentQuery, DocumentSummary, Library, NotFound

Index = QModelIndex | QPersistentModelIndex

DOC_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SPAN_ID_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3


def short_date(value: str | None) -> str:
    """An ISO date as the list shows it ('2024-07-05T10:00:00' -> '2024-07-05')."""
    if not value:
        return ""
    return value[:10]


class LibraryModel(QAbstractTableModel):
    """The library's documents, fetched from the store in pages of ``page_size``."""

    COLUMNS = ("Title", "Source", "Date", "Status", "Pending", "Accepted")
    SORT_KEYS = {0: "title", 1: "source", 2: "published", 3: "status", 4: "pending", 5: "accepted"}

    def __init__(self, library: Library, parent: Any = None, *, page_size: int = 200) -> None:
        super().__init__(parent)
        self.library = library
        self.page_size = page_size
        self.query = DocumentQuery(order_by="imported_at")
        self._rows: list[DocumentSummary] = []
        self._more = True
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._resetting = False
        self.reload()

    # ----------------------------------------------------------------- loading

    def reload(self) -> None:
        """Re-read the first page (after a filter, a sort or an import)."""
        self._resetting = True
        try:
            self.beginResetModel()
            self._rows = self._page(0)
            self._more = len(self._rows) == self.page_size
            self.endResetModel()
        finally:
            self._resetting = False

    def _page(self, offset: int) -> list[DocumentSummary]:
        return self.library.list_documents(replace(self.query, limit=self.page_size, offset=offset))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        if self._resetting:
            # asked from inside the reset's own signal (a view or a tester): rows can't be
            # inserted while the reset is in flight, so fetch as soon as it is over
            QTimer.singleShot(0, self.fetchMore)
            return
        rows = self._page(len(self._rows))
        self._more = len(rows) == self.page_size
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def set_query(self, **changes: Any) -> None:
        self.query = replace(self.query, **changes)
        self.reload()

    # ----------------------------------------------------------------- rows

    def summary(self, row: int) -> DocumentSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, doc_id: int) -> int:
        """The row showing ``doc_id``, fetching further pages if need be; -1 if filtered out."""
        while True:
            for i, s in enumerate(self._rows):
                if s.id == doc_id:
                    return i
            if not self._more:
                return -1
            self.fetchMore()

    def refresh_document(self, doc_id: int) -> bool:
        """Re-read one row from the store (its counts or status changed) without reloading the list.

        The row stays where it is even if the new values would sort or filter it
        elsewhere: rows do not jump away while the user works; the next reload
        (a filter, a sort, an import) puts it in its place. False if not loaded.
        """
        for i, s in enumerate(self._rows):
            if s.id == doc_id:
                try:
                    self._rows[i] = self.library.document_summary(doc_id)
                except NotFound:
                    return False  # deleted meanwhile: the next reload drops it
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.COLUMNS) - 1))
                return True
        return False

    # ----------------------------------------------------------------- Qt API

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section >= 4:
                return ("Marks still to review", "Marks accepted")[section - 4]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        s = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return s.title or "(untitled)"
            if col == 1:
                return s.source or ""
            if col == 2:
                return short_date(s.published)
            if col == 3:
                return s.status.title
            if col == 4:
                return s.pending
            if col == 5:
                return s.accepted
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return s.title
            if col == 2 and s.published:
                return s.published
        elif role == Qt.ItemDataRole.TextAlignmentRole:
            if col >= 4:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == Qt.ItemDataRole.FontRole:
            if s.status == ReviewStatus.NEW and col == 0:
                font = QFont()
                font.setBold(True)
                return font
        elif role == Qt.ItemDataRole.ForegroundRole:
            if s.status == ReviewStatus.DONE:
                return QBrush(QColor(128, 128, 128))
        elif role == DOC_ID_ROLE:
            return s.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.SORT_KEYS.get(column)
        if key is None:
            return
        self._sort_column, self._sort_order = column, order
        self.query = replace(self.query, order_by=key, descending=order == Qt.SortOrder.DescendingOrder)
        self.reload()


STATUS_TEXT = {SpanStatus.SUGGESTED: "pending", SpanStatus.ACCEPTED: "accepted", SpanStatus.REJECTED: "rejected"}


class MarksModel(QAbstractTableModel):
    """The marks of the article being read: text, label, status. Set wholesale or row by row."""

    COLUMNS = ("Text", "Label", "Status")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._spans: list[Span] = []
        self._text = ""
        self._row_of: dict[int, int] = {}

    def set_marks(self, text: str, spans: list[Span]) -> None:
        self.beginResetModel()
        self._text = text
        self._spans = sorted(spans, key=lambda s: (s.start, -s.end, s.id or 0))
        self._row_of = {s.id: i for i, s in enumerate(self._spans) if s.id is not None}
        self.endResetModel()

    def update_spans(self, spans: list[Span], removed: set[int]) -> bool:
        """Change rows in place when only fields changed (order and set kept); False if a reset is needed."""
        if removed & set(self._row_of):
            return False
        rows = []
        for span in spans:
            row = self._row_of.get(span.id)  # type: ignore[arg-type]
            if row is None:
                return False
            old = self._spans[row]
            if (old.start, old.end) != (span.start, span.end):
                return False  # the order may change
            rows.append((row, span))
        for row, span in rows:
            self._spans[row] = span
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        return True

    def span_at_row(self, row: int) -> Span | None:
        return self._spans[row] if 0 <= row < len(self._spans) else None

    def row_of(self, span_id: int) -> int:
        return self._row_of.get(span_id, -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._spans)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._spans)):
            return None
        s = self._spans[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                snippet = " ".join(self._text[s.start : s.end].split())
                return snippet if len(snippet) <= 80 else snippet[:77] + "…"
            if col == 1:
                return s.label
            if col == 2:
                return STATUS_TEXT[s.status]
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return self._text[s.start : s.end]
            if col == 1:
                return f"{s.label} ({s.kind.value}" + (f", {s.claim_type.title}" if s.claim_type else "") + ")"
        elif role == Qt.ItemDataRole.FontRole and s.status == SpanStatus.SUGGESTED and col == 2:
            font = QFont()
            font.setItalic(True)
            return font
        elif role == Qt.ItemDataRole.ForegroundRole and s.status == SpanStatus.REJECTED:
            return QBrush(QColor(128, 128, 128))
        elif role == SPAN_ID_ROLE:
            return s.id
        elif role == SORT_ROLE:
            return (s.start, -s.end) if col == 0 else self.data(index)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class MarksFilter(QSortFilterProxyModel):
    """Filters the marks list by status/kind and by text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.status: SpanStatus | None = None
        self.kind: SpanKind | None = None
        self.show_rejected = False
        self.hidden_labels: set[str] = set()
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def _refilter(self, change) -> None:  # type: ignore[no-untyped-def]
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            change()
            self.invalidateFilter()

    def set_filter(self, *, status: SpanStatus | None = None, kind: SpanKind | None = None) -> None:
        def change() -> None:
            self.status, self.kind = status, kind

        self._refilter(change)

    def set_hidden(self, show_rejected: bool, hidden_labels: set[str]) -> None:
        def change() -> None:
            self.show_rejected, self.hidden_labels = show_rejected, set(hidden_labels)

        self._refilter(change)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, MarksModel)
        span = model.span_at_row(source_row)
        if span is None:
            return False
        if span.label in self.hidden_labels:
            return False
        if self.status is not None:
            if span.status != self.status:
                return False
        elif span.status == SpanStatus.REJECTED and not self.show_rejected:
            return False
        if self.kind is not None and span.kind != self.kind:
            return False
        return super().filterAcceptsRow(source_row, source_parent)
