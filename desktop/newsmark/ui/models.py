"""Qt item models: thin adapters over the store, loading rows lazily.

:class:`LibraryModel` lists documents through :meth:`Library.list_documents`
a page at a time (``canFetchMore``/``fetchMore``), so a library of 10,000
articles opens at once; sorting and filtering are done by the store.
:class:`MarksModel` lists the current article's marks as held by the
:class:`~newsmark.ui.editor.Editor`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont

from newsmark.model import ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.store import DocumentQuery, DocumentSummary, NotFound

if TYPE_CHECKING:  # the Library (SQLAlchemy) loads after the window is up: newsmark.store.opening
    from newsmark.store import Library

Index = QModelIndex | QPersistentModelIndex

DOC_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SPAN_ID_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3


# asked for every visible cell at each repaint: combined once (an enum "|" is a Python call)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


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

    def update_document(self, doc_id: int, **fields: Any) -> bool:
        """Change fields of one row from what the caller knows (e.g. the open article's counts, kept
        by the editor as marks change), without a query. False if the row is not loaded."""
        for i, s in enumerate(self._rows):
            if s.id == doc_id:
                new = replace(s, **fields)
                if new != s:
                    self._rows[i] = new
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
        return _ROW_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.SORT_KEYS.get(column)
        if key is None:
            return
        self._sort_column, self._sort_order = column, order
        self.query = replace(self.query, order_by=key, descending=order == Qt.SortOrder.DescendingOrder)
        self.reload()


STATUS_TEXT = {SpanStatus.SUGGESTED: "pending", SpanStatus.ACCEPTED: "accepted", SpanStatus.REJECTED: "rejected"}


def _key(span: Span) -> tuple[int, int, int]:
    return (span.start, -span.end, span.id or 0)


@dataclass
class MarkFilter:
    """Which marks the list shows: by status (or not the rejected ones), kind and label."""

    status: SpanStatus | None = None
    kind: SpanKind | None = None
    show_rejected: bool = False
    hidden_labels: set[str] = field(default_factory=set)

    def accepts(self, span: Span) -> bool:
        if span.label in self.hidden_labels:
            return False
        if self.status is not None:
            if span.status != self.status:
                return False
        elif span.status == SpanStatus.REJECTED and not self.show_rejected:
            return False
        return self.kind is None or span.kind == self.kind


class MarksModel(QAbstractTableModel):
    """The marks of the article being read that its :class:`MarkFilter` lets through, in reading order.

    Set wholesale when an article opens (or the filter changes); after an edit only the
    rows of the changed marks are changed, inserted, removed or moved (found by bisection
    on the sorted keys), so a list of 15,000 marks is never reset — nor re-filtered row by
    row in Python — for one edit. (The text filter is the proxy's, in C++.)
    """

    COLUMNS = ("Text", "Label", "Status")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.filter = MarkFilter()
        self._spans: list[Span] = []
        self._keys: list[tuple[int, int, int]] = []  # (start, -end, id) of each row, sorted
        self._key_of: dict[int, tuple[int, int, int]] = {}
        self._text = ""

    def set_marks(self, text: str, spans: Iterable[Span]) -> None:
        accepts = self.filter.accepts
        self.beginResetModel()
        self._text = text
        self._spans = sorted((s for s in spans if accepts(s)), key=_key)
        self._keys = [_key(s) for s in self._spans]
        self._key_of = {s.id: k for s, k in zip(self._spans, self._keys) if s.id is not None}
        self.endResetModel()

    def update_spans(self, spans: list[Span], removed: set[int]) -> bool:
        """Apply changed, new and removed marks row by row. Always True (kept for callers that reset otherwise)."""
        for span_id in removed:
            self._remove(span_id)
        last = len(self.COLUMNS) - 1
        accepts = self.filter.accepts
        for span in spans:
            if not accepts(span):  # filtered out now (e.g. rejected): its row goes, if it had one
                self._remove(span.id)  # type: ignore[arg-type]
                continue
            key = _key(span)
            old = self._key_of.get(span.id)  # type: ignore[arg-type]
            if old == key:  # same place in the list: the row changes in place
                row = bisect_left(self._keys, key)
                self._spans[row] = span
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
                continue
            if old is not None:
                self._remove(span.id)  # type: ignore[arg-type] - moved: out of its old row ...
            row = bisect_left(self._keys, key)  # ... and into its new one
            self.beginInsertRows(QModelIndex(), row, row)
            self._spans.insert(row, span)
            self._keys.insert(row, key)
            self._key_of[span.id] = key  # type: ignore[index]
            self.endInsertRows()
        return True

    def _remove(self, span_id: int) -> None:
        row = self.row_of(span_id)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._spans[row]
        del self._keys[row]
        del self._key_of[span_id]
        self.endRemoveRows()

    def span_at_row(self, row: int) -> Span | None:
        return self._spans[row] if 0 <= row < len(self._spans) else None

    def row_of(self, span_id: int) -> int:
        key = self._key_of.get(span_id)
        if key is None:
            return -1
        row = bisect_left(self._keys, key)
        return row if row < len(self._keys) and self._keys[row] == key else -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._spans)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # asked for every role of every visible cell at each repaint: one dict lookup decides
        handler = _MARK_ROLES.get(role)
        if handler is None:
            return None
        row = index.row()
        if not 0 <= row < len(self._spans):
            return None
        return handler(self, self._spans[row], index.column())

    def _display(self, s: Span, col: int) -> Any:
        if col == 0:
            snippet = " ".join(self._text[s.start : s.end].split())
            return snippet if len(snippet) <= 80 else snippet[:77] + "…"
        if col == 1:
            return s.label
        if col == 2:
            return STATUS_TEXT[s.status]
        return None

    def _tooltip(self, s: Span, col: int) -> Any:
        if col == 0:
            return self._text[s.start : s.end]
        if col == 1:
            return f"{s.label} ({s.kind.value}" + (f", {s.claim_type.title}" if s.claim_type else "") + ")"
        return None

    def _font(self, s: Span, col: int) -> Any:
        if s.status == SpanStatus.SUGGESTED and col == 2:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _foreground(self, s: Span, col: int) -> Any:
        return QBrush(QColor(128, 128, 128)) if s.status == SpanStatus.REJECTED else None

    def _span_id(self, s: Span, col: int) -> Any:
        return s.id

    def _sort_key(self, s: Span, col: int) -> Any:
        return (s.start, -s.end) if col == 0 else self._display(s, col)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS


_MARK_ROLES = {
    Qt.ItemDataRole.DisplayRole: MarksModel._display,
    Qt.ItemDataRole.ToolTipRole: MarksModel._tooltip,
    Qt.ItemDataRole.FontRole: MarksModel._font,
    Qt.ItemDataRole.ForegroundRole: MarksModel._foreground,
    SPAN_ID_ROLE: MarksModel._span_id,
    SORT_ROLE: MarksModel._sort_key,
}


class MarksFilter(QSortFilterProxyModel):
    """Filters the marks list by the text typed (case-insensitive, any column); the rest is :class:`MarkFilter`'s."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
