"""The reader: the article's text with its marks drawn on and in it.

Built for size. The text sits in a read-only :class:`QTextEdit` (whose layout
supports a comfortable line height); marks are drawn in two ways:

- entity backgrounds (and the strike-through of rejected marks) are
  :class:`QTextLayout.FormatRange` lists set on each block's layout, so Qt
  paints them with the text. After an edit only the blocks that the changed
  marks cover (before and after) are given new formats and re-laid out;
- what must stay visible *around* entities — claim underlines and the bar in
  the left margin, dashed underlines of suggested entities, the outline of
  the selected mark — is painted over the text in :meth:`paintEvent`, only for
  the marks that intersect the visible area (found by bisection).

Every position handed to or taken from Qt goes through the editor's
:class:`~newsmark.ui.offsets.OffsetMap`.
"""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QFrame, QTextEdit, QToolTip, QWidget

from newsmark.model import Span, SpanKind, SpanStatus
from newsmark.ui.editor import Editor
from newsmark.ui.palette import claim_color

READER_FONTS = ["Charter", "Georgia", "Source Serif 4", "Source Serif Pro", "Noto Serif", "DejaVu Serif", "Times New Roman", "serif"]
MAX_WIDTH_EM = 45
GUTTER = 34  # document margin; claim bars are drawn inside it


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``, opaque."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class ReaderView(QTextEdit):
    """Shows the editor's open article and its visible marks."""

    markClicked = Signal(object)  # span id | None
    selectionMade = Signal(int, int, bool)  # code-point start, end, exact (modifier held)
    contextMenuAt = Signal(QPoint, object)  # global position, span id | None

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self._attaching: QTextDocument | None = None
        self._dark = is_dark(self.palette())
        self._formats: dict[tuple, QTextCharFormat] = {}
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        font = QFont()
        font.setFamilies(READER_FONTS)
        font.setPointSizeF(12.5)
        font.setStyleHint(QFont.StyleHint.Serif)
        self.setFont(font)
        self.document().setDocumentMargin(GUTTER)
        # index of visible marks, in Qt positions
        self._marks: list[tuple[int, int, int]] = []  # (qstart, qend, span id), sorted
        self._starts: list[int] = []
        self._max_len = 0
        self._drawn: dict[int, tuple[int, int]] = {}  # span id -> the Qt range last drawn
        self._formatted: set[int] = set()  # block numbers that carry formats
        editor.documentOpened.connect(self._on_document)
        editor.marksChanged.connect(lambda changed: self.refresh(changed if isinstance(changed, set) else None))
        editor.selectionChanged.connect(self._on_selection)

    # ------------------------------------------------------------------ document

    def _on_document(self, doc: object) -> None:
        text = self.editor.text
        self.setUpdatesEnabled(False)
        try:
            self._formatted.clear()
            self._drawn.clear()
            # Build the new document detached from the view, put the marks' formats on its
            # blocks, then attach it: the view lays it out once, formats included.
            doc = QTextDocument(self)
            doc.setUndoRedoEnabled(False)
            doc.setDefaultFont(self.font())
            doc.setDocumentMargin(GUTTER)
            cursor = QTextCursor(doc)
            block = QTextBlockFormat()
            block.setLineHeight(155, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            block.setBottomMargin(2)
            cursor.setBlockFormat(block)  # every block inherits it as the text goes in
            cursor.insertText(text)
            self._attaching = doc
            self.refresh(None)
            self._attaching = None
            self.setDocument(doc)  # the previous document, a child of this view, is deleted by Qt
        finally:
            self.setUpdatesEnabled(True)
        self.verticalScrollBar().setValue(0)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        em = self.fontMetrics().horizontalAdvance("M")
        column = int(MAX_WIDTH_EM * em) + 2 * GUTTER
        side = max(0, (self.width() - column - self.verticalScrollBar().sizeHint().width()) // 2)
        self.setViewportMargins(side, 0, side, 0)
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.StyleChange):
            dark = is_dark(self.palette())
            if dark != self._dark:
                self._dark = dark
                self._formats.clear()
                self.refresh(None)

    # ------------------------------------------------------------------ formats

    def _format(self, span: Span) -> QTextCharFormat | None:
        key = (span.label, span.kind, span.status)
        if key in self._formats:
            return self._formats[key]
        fmt = QTextCharFormat()
        color = QColor(self.editor.palette.ink(span.label))
        if span.status == SpanStatus.REJECTED:
            fmt.setFontStrikeOut(True)
            fmt.setForeground(QColor(150, 150, 150))
        elif span.kind == SpanKind.CLAIM:
            fmt = None  # type: ignore[assignment] - drawn in paintEvent
        elif span.kind == SpanKind.CUE:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(color)
            fmt.setFontItalic(True)
        else:
            color = QColor(self.editor.palette.color(span.label, dark=self._dark))
            if span.status != SpanStatus.ACCEPTED:
                # a suggestion: the same hue, half as strong (plus a dashed underline, painted)
                base = self.palette().color(QPalette.ColorRole.Base)
                color = QColor(
                    (color.red() + base.red()) // 2, (color.green() + base.green()) // 2, (color.blue() + base.blue()) // 2
                )
            fmt.setBackground(color)
        self._formats[key] = fmt  # type: ignore[assignment]
        return fmt

    def _rebuild_index(self, changed: set[int] | None = None) -> None:
        """The sorted index of visible marks: rebuilt whole, or patched for the changed ones."""
        offsets = self.editor.offsets
        spans = self.editor.spans
        if changed is None:
            marks = [(offsets.to_qt(s.start), offsets.to_qt(s.end), s.id) for s in spans.values() if self.editor.is_visible(s)]
            marks.sort()
            self._marks = marks  # type: ignore[assignment]
            self._starts = [m[0] for m in marks]
            self._max_len = max((m[1] - m[0] for m in marks), default=0)
            return
        for span_id in changed:
            old = self._drawn.get(span_id)
            if old is not None:
                entry = (old[0], old[1], span_id)
                i = bisect_left(self._marks, entry)
                if i < len(self._marks) and self._marks[i] == entry:
                    del self._marks[i]
                    del self._starts[i]
            span = spans.get(span_id)
            if span is not None and self.editor.is_visible(span):
                entry = (offsets.to_qt(span.start), offsets.to_qt(span.end), span_id)
                i = bisect_left(self._marks, entry)
                self._marks.insert(i, entry)
                self._starts.insert(i, entry[0])
                self._max_len = max(self._max_len, entry[1] - entry[0])
            else:
                self._drawn.pop(span_id, None)

    def marks_between(self, qs: int, qe: int) -> list[tuple[int, int, int]]:
        """Visible marks intersecting the Qt range ``[qs, qe)``."""
        lo = bisect_left(self._starts, qs - self._max_len)
        hi = bisect_left(self._starts, qe)
        return [m for m in self._marks[lo:hi] if m[1] > qs]

    def _doc(self) -> QTextDocument:
        return self._attaching if self._attaching is not None else self.document()

    def refresh(self, changed: set[int] | None = None) -> None:
        """Re-draw marks: all of them (``None``) or only the blocks the changed ones cover."""
        doc = self._doc()
        if changed is None:
            self._rebuild_index(None)
            blocks: set[int] = set(self._formatted)
            self._drawn = {}
            for qs, qe, _ in self._marks:
                blocks.update(range(doc.findBlock(qs).blockNumber(), doc.findBlock(max(qs, qe - 1)).blockNumber() + 1))
        else:
            blocks = set()
            for span_id in changed:  # the blocks each changed mark covered before, and covers now
                ranges = [self._drawn.get(span_id)]
                span = self.editor.span(span_id)
                if span is not None:
                    ranges.append(self.editor.offsets.range_to_qt(span.start, span.end))
                for r in ranges:
                    if r is None:
                        continue
                    first, last = doc.findBlock(r[0]).blockNumber(), doc.findBlock(max(r[0], r[1] - 1)).blockNumber()
                    blocks.update(range(first, last + 1))
            self._rebuild_index(changed)
        whole = changed is None or len(blocks) > 64
        self._format_blocks(sorted(blocks), mark_dirty=not whole)
        if whole and self._attaching is None:  # one relayout of everything beats thousands of per-block ones
            doc.markContentsDirty(0, doc.characterCount())
        self.viewport().update()

    def _format_blocks(self, numbers: list[int], *, mark_dirty: bool = True) -> None:
        doc = self._doc()
        spans = self.editor.spans
        for number in numbers:
            block = doc.findBlockByNumber(number)
            if not block.isValid():
                continue
            bpos, blen = block.position(), block.length()
            ranges = []
            for qs, qe, span_id in self.marks_between(bpos, bpos + blen):
                span = spans[span_id]
                self._drawn[span_id] = (qs, qe)
                fmt = self._format(span)
                if fmt is None:
                    continue
                r = QTextLayout.FormatRange()
                r.start = max(qs, bpos) - bpos
                r.length = min(qe, bpos + blen - 1) - bpos - r.start
                if r.length <= 0:
                    continue
                r.format = fmt
                ranges.append((span.kind == SpanKind.ENTITY, r))
            layout = block.layout()
            if ranges:
                ranges.sort(key=lambda item: item[0])  # entity backgrounds last, on top
                layout.setFormats([r for _, r in ranges])
                self._formatted.add(number)
            elif number in self._formatted:
                layout.clearFormats()
                self._formatted.discard(number)
            else:
                continue
            if mark_dirty:
                doc.markContentsDirty(bpos, blen)

    # ------------------------------------------------------------------ geometry

    def _offset(self) -> QPointF:
        return QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())

    def fragments(self, qs: int, qe: int) -> list[QRectF]:
        """Rectangles (viewport coordinates) covering the text of the Qt range ``[qs, qe)``, one per line."""
        doc = self.document()
        off = self._offset()
        rects: list[QRectF] = []
        block = doc.findBlock(qs)
        while block.isValid() and block.position() < qe:
            bpos = block.position()
            layout = block.layout()
            origin = layout.position() + off
            a = max(qs, bpos) - bpos
            b = min(qe, bpos + block.length() - 1) - bpos
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                ls = line.textStart()
                le = ls + line.textLength()
                if le <= a or ls >= b:
                    continue
                x1 = line.cursorToX(max(a, ls))[0]
                x2 = line.cursorToX(min(b, le))[0]
                if x2 < x1:
                    x1, x2 = x2, x1
                rects.append(QRectF(origin.x() + x1, origin.y() + line.y(), max(1.0, x2 - x1), line.height()))
            block = block.next()
        return rects

    def visible_range(self) -> tuple[int, int]:
        vp = self.viewport()
        first = self.cursorForPosition(QPoint(0, 0)).position()
        last = self.cursorForPosition(QPoint(vp.width(), vp.height())).position()
        doc = self.document()
        # whole blocks at both ends
        first = doc.findBlock(first).position()
        end_block = doc.findBlock(last)
        return first, end_block.position() + end_block.length()

    def mark_at(self, point: QPoint) -> int | None:
        """The innermost visible mark drawn under ``point`` (viewport coordinates)."""
        pos = self.cursorForPosition(point).position()
        pointf = QPointF(point)
        best: tuple[int, int] | None = None
        for qs, qe, span_id in self.marks_between(pos - 1, pos + 1):
            for rect in self.fragments(qs, qe):
                if rect.adjusted(0, 0, 0, 2).contains(pointf):
                    span = self.editor.spans[span_id]
                    key = (qe - qs, 0 if span.kind == SpanKind.ENTITY else 1)
                    if best is None or key < best[0:2]:  # type: ignore[operator]
                        best = (key[0], key[1], span_id)  # type: ignore[assignment]
                    break
        return best[2] if best else None  # type: ignore[index,misc]

    def scroll_to_mark(self, span_id: int) -> None:
        span = self.editor.span(span_id)
        if span is None:
            return
        qs, qe = self.editor.offsets.range_to_qt(span.start, span.end)
        rects = self.fragments(qs, qe)
        if not rects:
            return
        top, bottom = rects[0].top(), rects[-1].bottom()
        height = self.viewport().height()
        if top < 0 or bottom > height:
            bar = self.verticalScrollBar()
            bar.setValue(int(bar.value() + top - height / 3))

    def _on_selection(self, span_id: object) -> None:
        if isinstance(span_id, int):
            self.scroll_to_mark(span_id)
        self.viewport().update()

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._marks:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        qs, qe = self.visible_range()
        spans = self.editor.spans
        selected = self.editor.selected
        height = self.viewport().height()
        bar_x = self._offset().x() + GUTTER / 2 - 2
        for ms, me, span_id in self.marks_between(qs, qe):
            span = spans[span_id]
            if span.status == SpanStatus.REJECTED:
                continue
            rects = None
            if span.kind == SpanKind.CLAIM:
                rects = self.fragments(ms, me)
                if not rects:
                    continue
                chosen = span_id == selected
                color = QColor(claim_color(span.claim_type) if span.claim_type else self.editor.palette.ink(span.label))
                if span.status == SpanStatus.SUGGESTED and not chosen:
                    # paler, but opaque: where two claims' bars meet they must not add up to a darker blot
                    color = mix(color, self.palette().color(QPalette.ColorRole.Base), 0.6)
                pen = QPen(color, 3.0 if chosen else 2.0 if span.status == SpanStatus.ACCEPTED else 1.5)
                if span.status == SpanStatus.SUGGESTED:
                    pen.setStyle(Qt.PenStyle.DashLine)
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                painter.setPen(pen)
                for rect in rects:
                    y = rect.bottom() + 2.5
                    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
                top, bottom = max(-2.0, rects[0].top()), min(height + 2.0, rects[-1].bottom() + 3)
                painter.fillRect(QRectF(bar_x - (1 if chosen else 0), top, 5 if chosen else 3, bottom - top), color)
                continue  # a selected claim shows by its heavier line and bar, not by boxes
            elif span.status == SpanStatus.SUGGESTED and span.kind in (SpanKind.ENTITY, SpanKind.SOURCE):
                rects = self.fragments(ms, me)
                color = QColor(self.editor.palette.color(span.label, dark=self._dark)).darker(170 if not self._dark else 60)
                pen = QPen(color, 1.2, Qt.PenStyle.DashLine)
                painter.setPen(pen)
                for rect in rects:
                    y = rect.bottom() - 0.5
                    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            if span_id == selected:
                rects = rects if rects is not None else self.fragments(ms, me)
                pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2.0)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                for rect in rects:
                    painter.drawRoundedRect(rect.adjusted(-2, -1, 2, 1), 3, 3)
        self._paint_speaker(painter, qs, qe)
        painter.end()

    def _paint_speaker(self, painter: QPainter, qs: int, qe: int) -> None:
        """The selected claim's speaker: a dotted outline in the claim's colour, so "who says it" shows in the text."""
        claim = self.editor.span(self.editor.selected)
        if claim is None or claim.kind != SpanKind.CLAIM:
            return
        speaker = self.editor.speaker_of(claim.id)  # type: ignore[arg-type]
        if speaker is None or not self.editor.is_visible(speaker):
            return
        ss, se = self.editor.offsets.range_to_qt(speaker.start, speaker.end)
        if se <= qs or ss >= qe:
            return
        color = QColor(claim_color(claim.claim_type) if claim.claim_type else self.editor.palette.ink(claim.label))
        pen = QPen(color, 1.6, Qt.PenStyle.DotLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for rect in self.fragments(ss, se):
            painter.drawRoundedRect(rect.adjusted(-2, -1, 2, 1), 3, 3)

    # ------------------------------------------------------------------ mouse

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cursor = self.textCursor()
        if cursor.hasSelection():
            start, end = self.editor.offsets.range_to_py(cursor.selectionStart(), cursor.selectionEnd())
            exact = bool(event.modifiers() & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier))
            self.selectionMade.emit(start, end, exact)
        else:
            self.markClicked.emit(self.mark_at(event.position().toPoint()))

    def shown_text(self) -> str:
        """The text as the reader holds it (block breaks as \n, no-break spaces kept)."""
        return self.document().toRawText().replace("\u2029", "\n")

    def selection_range(self) -> tuple[int, int] | None:
        """The current text selection in code points, if any."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self.editor.offsets.range_to_py(cursor.selectionStart(), cursor.selectionEnd())

    def select_text(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (code points) as if by mouse (used by tests and 'find')."""
        qs, qe = self.editor.offsets.range_to_qt(start, end)
        cursor = QTextCursor(self.document())
        cursor.setPosition(qs)
        cursor.setPosition(qe, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def clear_text_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def point_of(self, cp: int) -> QPoint:
        """The viewport point in the middle of the character at ``cp`` (tests, popups)."""
        qs = self.editor.offsets.to_qt(cp)
        rects = self.fragments(qs, qs + (2 if self.editor.offsets.to_qt(cp + 1) - qs == 2 else 1))
        return rects[0].center().toPoint() if rects else QPoint(0, 0)

    def contextMenuEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.contextMenuAt.emit(event.globalPos(), self.mark_at(self.viewport().mapFromGlobal(event.globalPos())))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            span_id = self.mark_at(event.pos())  # type: ignore[attr-defined]
            if span_id is not None:
                QToolTip.showText(event.globalPos(), self.describe(span_id), self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def describe(self, span_id: int) -> str:
        span = self.editor.spans[span_id]
        parts = [f"<b>{span.label}</b> · {span.kind.value} · {'pending' if span.status == SpanStatus.SUGGESTED else span.status.value}"]
        if span.kind == SpanKind.CLAIM:
            if span.claim_type:
                parts.append(span.claim_type.title)
            speaker = self.editor.speaker_of(span_id)
            parts.append("Speaker: " + (f"“{self.editor.span_text(speaker)}”" if speaker else "none"))
        claims = self.editor.claims_of(span_id)
        if claims:
            parts.append(f"Speaker of {len(claims)} claim{'s' if len(claims) != 1 else ''}")
        if span.score is not None:
            parts.append(f"Score {span.score:.2f}")
        if span.tags:
            parts.append("Tags: " + ", ".join(span.tags))
        return "<br>".join(parts)


__all__ = ["ReaderView", "is_dark"]
