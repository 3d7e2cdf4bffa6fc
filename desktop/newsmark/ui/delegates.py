"""How a library row is drawn: the title on one line, source · date · status under it, counts on the right."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from newsmark.model import ReviewStatus
from newsmark.ui.models import LibraryModel, short_date

STATUS_DOT = {ReviewStatus.NEW: "#3d7bd9", ReviewStatus.IN_PROGRESS: "#e0a030", ReviewStatus.DONE: "#4caf50"}


class LibraryDelegate(QStyledItemDelegate):
    PAD = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(200, fm.height() * 2 + 4 + 2 * self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        model = index.model()
        summary = model.summary(index.row()) if isinstance(model, LibraryModel) else None
        if summary is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        text_color = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        dim = QColor(text_color)
        dim.setAlphaF(0.62)
        rect = opt.rect.adjusted(self.PAD + 10, self.PAD, -self.PAD, -self.PAD)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # status dot
        dot = QColor(STATUS_DOT[summary.status])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(dot)
        fm = QFontMetrics(opt.font)
        painter.drawEllipse(opt.rect.left() + 7, rect.top() + fm.height() // 2 - 3, 7, 7)
        # counts, right
        small = QFont(opt.font)
        small.setPointSizeF(max(7.0, opt.font.pointSizeF() * 0.88))
        sfm = QFontMetrics(small)
        counts = []
        if summary.pending:
            counts.append(f"{summary.pending} pending")
        if summary.accepted:
            counts.append(f"{summary.accepted} ✓")
        count_text = "  ".join(counts)
        count_w = sfm.horizontalAdvance(count_text) + 4 if count_text else 0
        # title
        title_font = QFont(opt.font)
        title_font.setBold(summary.status == ReviewStatus.NEW)
        painter.setFont(title_font)
        painter.setPen(text_color if summary.status != ReviewStatus.DONE or selected else dim)
        tfm = QFontMetrics(title_font)
        title_rect = QRect(rect.left(), rect.top(), rect.width(), tfm.height())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, tfm.elidedText(summary.title or "(untitled)", Qt.TextElideMode.ElideRight, title_rect.width()))
        # meta line
        painter.setFont(small)
        painter.setPen(dim)
        meta = "  ·  ".join(b for b in (summary.source or "", short_date(summary.published), summary.status.title) if b)
        meta_rect = QRect(rect.left(), title_rect.bottom() + 4, rect.width() - count_w - 6, sfm.height())
        painter.drawText(meta_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, sfm.elidedText(meta, Qt.TextElideMode.ElideRight, meta_rect.width()))
        if count_text:
            painter.drawText(QRect(rect.right() - count_w, meta_rect.top(), count_w, sfm.height()), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count_text)
        painter.restore()
