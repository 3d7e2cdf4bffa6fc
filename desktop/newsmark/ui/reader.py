"""The reader: the article's text with its marks drawn on and in it.

Built for size. The text sits in a read-only :class:`QTextEdit` (whose layout
supports a comfortable line height); marks are drawn in two ways:

- entity backgrounds, the dashed underline of suggested entities (and the
  strike-through of rejected marks) are :class:`QTextLayout.FormatRange` lists
  set on each block's layout, so Qt paints them with the text. After an edit
  only the blocks that the changed marks cover (before and after) are given new
  formats and re-laid out, and only the bands of the view where they are get
  repainted;
- what must stay visible *around* entities — claim underlines and the bar in
  the left margin, the outline of the selected mark and of its speaker — is
  painted over the text in :meth:`paintEvent`, only for the marks in the area
  being repainted (found by bisection, the area's blocks found by bisection
  over the laid-out blocks' positions).

Every position handed to or taken from Qt goes through the editor's
:class:`~newsmark.ui.offsets.OffsetMap`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextBlock,
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

# A newline right after a newline (the blank line between paragraphs) goes into the document as a
# line separator (U+2028, one character, like the newline: offsets do not move) at the start of the
# next paragraph, instead of as an empty paragraph of its own. It looks the same, and there are half
# as many blocks: Qt's layout walks every block after the one an edit re-lays out, so each edit costs
# about a third less in a long article.
_BLANK_LINE = re.compile(r"(?<=\n)\n")


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
        self._styles: dict[tuple, object] = {}  # pens and colours of what paintEvent draws over the text
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # always there: the text column never changes width between a short article and a long
        # one (nor does Qt lay the new article out twice, before and after its scroll bar appears)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
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
        self._shown_selection: int | None = None  # the mark outlined as selected
        self._blank_lines: list[int] = []  # code points of the newlines shown as line separators
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
            self._blank_lines = [m.start() for m in _BLANK_LINE.finditer(text)]
            cursor.insertText(_BLANK_LINE.sub("\u2028", text) if self._blank_lines else text)
            self._attaching = doc
            self.refresh(None)
            self._attaching = None
            # QTextLayout.setFormats notes each formatted block as "changed" in its document, and
            # nothing flushes that note while the document has no layout: left alone, the first
            # edit would flush it and re-lay out every block from the first formatted one to the
            # last. An empty edit block flushes it now, while there is no layout to redo.
            flush = QTextCursor(doc)
            flush.beginEditBlock()
            flush.endEditBlock()
            self.setDocument(doc)  # the previous document, a child of this view, is deleted by Qt
        finally:
            self.setUpdatesEnabled(True)
        self._shown_selection = self.editor.selected
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
                self._styles.clear()
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
            full = QColor(self.editor.palette.color(span.label, dark=self._dark))
            color = full
            if span.status != SpanStatus.ACCEPTED:
                # a suggestion: the same hue, half as strong, and a dashed underline (drawn by Qt with
                # the text: nothing to compute per mark at each repaint)
                base = self.palette().color(QPalette.ColorRole.Base)
                color = QColor((full.red() + base.red()) // 2, (full.green() + base.green()) // 2, (full.blue() + base.blue()) // 2)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(full.darker(170 if not self._dark else 60))
            fmt.setBackground(color)
        self._formats[key] = fmt  # type: ignore[assignment]
        return fmt

    def _rebuild_index(self, changed: set[int] | None = None) -> None:
        """The sorted index of visible marks: rebuilt whole, or patched for the changed ones."""
        offsets = self.editor.offsets
        spans = self.editor.spans
        if changed is None:
            hidden = {lab.name for lab in self.editor.palette.labels if not lab.shown}
            rejected = None if self.editor.show_rejected else SpanStatus.REJECTED
            shown = [s for s in spans.values() if s.status != rejected and s.label not in hidden]  # = editor.is_visible
            if offsets.has_astral:
                marks = [(offsets.to_qt(s.start), offsets.to_qt(s.end), s.id) for s in shown]
            else:  # Qt positions are the code points
                marks = [(s.start, s.end, s.id) for s in shown]
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
            self._formats.clear()  # (the labels' colours may have changed: Preferences)
            self._styles.clear()
            self._rebuild_index(None)
            self._drawn = {}
            # one walk down the blocks, each given the marks found in it by bisection
            block, number = doc.begin(), 0
            while block.isValid():
                self._format_block(doc, block, number, mark_dirty=False)
                block, number = block.next(), number + 1
            self._relayout_all()
            return
        was = self._ranges_of(changed)  # before the index forgets where the changed marks were drawn
        blocks: set[int] = set()
        for qs, qe in was:  # the blocks each changed mark covered before, and covers now
            blocks.update(range(doc.findBlock(qs).blockNumber(), doc.findBlock(max(qs, qe - 1)).blockNumber() + 1))
        self._rebuild_index(changed)
        if len(blocks) > 64:
            self._format_blocks(sorted(blocks), mark_dirty=False)
            self._relayout_all()  # one relayout of everything beats many per-block ones
            return
        self._format_blocks(sorted(blocks), mark_dirty=True)  # each block laid out again, alone
        self._update_ranges(was)  # repaint only where the changed marks were and are (gutter bars too)

    def _relayout_all(self) -> None:
        if self._attaching is None:  # (a document being built is laid out when it is attached)
            doc = self.document()
            doc.markContentsDirty(0, doc.characterCount())
        self.viewport().update()

    def _format_blocks(self, numbers: list[int], *, mark_dirty: bool = True) -> None:
        doc = self._doc()
        for number in numbers:
            block = doc.findBlockByNumber(number)
            if block.isValid():
                self._format_block(doc, block, number, mark_dirty=mark_dirty)

    def _format_block(self, doc: QTextDocument, block: QTextBlock, number: int, *, mark_dirty: bool) -> None:
        """Give one block the formats of the marks in it; ``mark_dirty``: have Qt lay it out again now."""
        bpos, blen = block.position(), block.length()
        marks = self.marks_between(bpos, bpos + blen)
        if not marks and number not in self._formatted:
            return
        spans = self.editor.spans
        ranges = []
        for qs, qe, span_id in marks:
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
            return
        if mark_dirty:
            doc.markContentsDirty(bpos, blen)

    # ------------------------------------------------------------------ geometry

    def _offset(self) -> QPointF:
        return QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())

    def fragments(self, qs: int, qe: int, off: QPointF | None = None) -> list[QRectF]:
        """Rectangles (viewport coordinates) covering the text of the Qt range ``[qs, qe)``, one per line."""
        doc = self.document()
        off = self._offset() if off is None else off
        rects: list[QRectF] = []
        block = doc.findBlock(qs)
        while block.isValid() and block.position() < qe:
            bpos = block.position()
            layout = block.layout()
            a = max(qs, bpos) - bpos
            b = min(qe, bpos + block.length() - 1) - bpos
            if b > a and layout.lineCount():
                origin = layout.position() + off
                ox, oy = origin.x(), origin.y()
                # only the lines the range is on (not a walk over every line of the paragraph)
                first, last = layout.lineForTextPosition(a), layout.lineForTextPosition(b - 1)
                if first.isValid() and last.isValid():
                    for i in range(first.lineNumber(), last.lineNumber() + 1):
                        line = layout.lineAt(i)
                        ls = line.textStart()
                        le = ls + line.textLength()
                        if le <= a or ls >= b:
                            continue
                        x1 = line.cursorToX(max(a, ls))[0]
                        x2 = line.cursorToX(min(b, le))[0]
                        if x2 < x1:
                            x1, x2 = x2, x1
                        rects.append(QRectF(ox + x1, oy + line.y(), max(1.0, x2 - x1), line.height()))
            block = block.next()
        return rects

    def visible_range(self, area: QRect | None = None) -> tuple[int, int]:
        """The Qt range of the whole blocks shown in ``area`` of the viewport (all of it by default)."""
        area = self.viewport().rect() if area is None else area
        dy = self.verticalScrollBar().value()
        first = self._block_at(area.top() + dy)
        last = self._block_at(area.bottom() + 1 + dy)
        return first.position(), last.position() + last.length()

    def _block_at(self, y: float) -> QTextBlock:
        """The block at height ``y`` of the document, by bisection over the laid-out blocks.

        (A hit test from a point beside the text walks every block of the document.)
        Blocks Qt has not laid out yet (it lays long documents out in the background,
        from the top) count as below any height.
        """
        doc = self.document()
        lo, hi = 0, doc.blockCount() - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            layout = doc.findBlockByNumber(mid).layout()
            if layout.lineCount() and layout.position().y() <= y:
                lo = mid
            else:
                hi = mid - 1
        return doc.findBlockByNumber(lo)

    def _ranges_of(self, span_ids: Iterable[int | None]) -> list[tuple[int, int]]:
        """The Qt ranges where these marks were last drawn and where they are now."""
        out = []
        for span_id in span_ids:
            if span_id is None:
                continue
            drawn = self._drawn.get(span_id)
            if drawn is not None:
                out.append(drawn)
            span = self.editor.span(span_id)
            if span is not None:
                out.append(self.editor.offsets.range_to_qt(span.start, span.end))
        return out

    def update_marks(self, span_ids: Iterable[int | None]) -> None:
        """Repaint (soon) only where these marks are or were drawn."""
        self._update_ranges(self._ranges_of(span_ids))

    def _update_ranges(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Ask for a repaint of the bands of the viewport these Qt ranges lie in, the gutter's bars included."""
        width, height = self.viewport().width(), self.viewport().height()
        off = self._offset()
        for qs, qe in set(ranges):
            rects = self.fragments(qs, qe, off)
            if not rects:
                continue
            top, bottom = rects[0].top() - 4, rects[-1].bottom() + 6
            if bottom < 0 or top > height:
                continue
            self.viewport().update(QRect(0, int(top), width, int(bottom - top) + 1))

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
        before = self._shown_selection
        after = span_id if isinstance(span_id, int) else None
        self._shown_selection = after
        if after is not None:
            self.scroll_to_mark(after)  # (a scroll repaints the whole view anyway)
        # the outline of the mark that was selected and of the one that is, and their claims' speakers
        marks = {before, after}
        for claim in (before, after):
            speaker = self.editor.speaker_of(claim) if claim is not None else None
            if speaker is not None:
                marks.add(speaker.id)
        self.update_marks(marks)

    # ------------------------------------------------------------------ painting

    def _claim_style(self, span: Span, chosen: bool) -> tuple[QPen, QColor]:
        """The pen of a claim's line and the colour of its bar (made once per look, then reused)."""
        key = ("claim", span.label, span.claim_type, span.status, chosen)
        style = self._styles.get(key)
        if style is None:
            color = QColor(claim_color(span.claim_type) if span.claim_type else self.editor.palette.ink(span.label))
            if span.status == SpanStatus.SUGGESTED and not chosen:
                # paler, but opaque: where two claims' bars meet they must not add up to a darker blot
                color = mix(color, self.palette().color(QPalette.ColorRole.Base), 0.6)
            pen = QPen(color, 3.0 if chosen else 2.0 if span.status == SpanStatus.ACCEPTED else 1.5)
            if span.status == SpanStatus.SUGGESTED:
                pen.setStyle(Qt.PenStyle.DashLine)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            style = self._styles[key] = (pen, color)
        return style  # type: ignore[return-value]

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._marks:
            return
        qs, qe = self.visible_range(event.rect())  # only the marks where the repaint is asked for
        marks = self.marks_between(qs, qe)
        selected = self.editor.selected
        if not marks and selected is None:
            return
        spans = self.editor.spans
        height = self.viewport().height()
        off = self._offset()
        bar_x = off.x() + GUTTER / 2 - 2
        # gathered first, then drawn a pen at a time
        lines: dict[int, tuple[QPen, list[QLineF]]] = {}
        bars: list[tuple[QRectF, QColor]] = []
        outline: list[QRectF] = []
        for ms, me, span_id in marks:
            span = spans[span_id]
            if span.status == SpanStatus.REJECTED:
                continue
            rects = None
            if span.kind == SpanKind.CLAIM:
                rects = self.fragments(ms, me, off)
                if not rects:
                    continue
                chosen = span_id == selected
                pen, color = self._claim_style(span, chosen)
                group = lines.setdefault(id(pen), (pen, []))[1]
                for rect in rects:
                    y = rect.bottom() + 2.5
                    group.append(QLineF(rect.left(), y, rect.right(), y))
                top, bottom = max(-2.0, rects[0].top()), min(height + 2.0, rects[-1].bottom() + 3)
                bars.append((QRectF(bar_x - (1 if chosen else 0), top, 5 if chosen else 3, bottom - top), color))
                continue  # a selected claim shows by its heavier line and bar, not by boxes
            if span_id == selected:
                outline = rects if rects is not None else self.fragments(ms, me, off)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for rect, color in bars:
            painter.fillRect(rect, color)
        for pen, group in lines.values():
            painter.setPen(pen)
            painter.drawLines(group)
        if outline:
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for rect in outline:
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
        """The text as the reader holds it (block breaks and blank lines as \n, no-break spaces kept)."""
        raw = self.document().toRawText().replace("\u2029", "\n")
        if not self._blank_lines:
            return raw
        chars = list(raw)  # (a Python string: indexed by code point, like the article)
        for cp in self._blank_lines:
            chars[cp] = "\n"
        return "".join(chars)

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
