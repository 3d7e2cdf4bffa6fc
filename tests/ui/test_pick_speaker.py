"""Click-to-pick speaker: S on a claim, then a click on a mark makes it the speaker (Esc cancels)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from newsmark.model import Origin, RelationLabel, SpanKind

from .test_editing import article, by_text, click_mark, open_window, press  # noqa: F401 - article is a fixture

_ = article


def claim_of(lib, doc):  # type: ignore[no-untyped-def]
    return next(s for s in lib.spans(doc) if s.kind == SpanKind.CLAIM)


def click_claim(qtbot, window, claim) -> None:  # type: ignore[no-untyped-def]
    """Click a word of the claim that no entity covers ("agreed")."""
    cp = claim.start + window.editor.span_text(claim).index("agreed") + 1
    qtbot.mouseClick(window.reader.viewport(), Qt.MouseButton.LeftButton, pos=window.reader.point_of(cp))


def outlined(window, speaker, claim) -> bool:  # type: ignore[no-untyped-def]
    """Whether the reader draws the claim's colour just around the speaker's mark."""
    from PySide6.QtGui import QColor

    from newsmark.ui.palette import claim_color

    window.reader.viewport().repaint()
    image = window.reader.viewport().grab().toImage()
    want = QColor(claim_color(claim.claim_type))
    rect = window.reader.fragments(*window.editor.offsets.range_to_qt(speaker.start, speaker.end))[0].adjusted(-2, -1, 2, 1).toRect()
    for x in range(rect.left(), rect.right()):
        for y in (rect.top(), rect.bottom(), rect.bottom() + 1):
            c = image.pixelColor(x, y)
            if abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 60:
                return True
    return False


def test_pick_the_speaker_with_a_click(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    claim = claim_of(lib, doc)
    naim = by_text(lib, doc, "Basem Naim")[0]
    click_claim(qtbot, window, claim)
    assert ed.selected == claim.id
    steps = ed.undo_stack.count()

    press(qtbot, window, "s")
    assert ed.picking == claim.id
    assert window.pick_label.isVisible()  # the status bar says what a click will do
    assert "click the mark of who says it" in window.pick_label.text() and "Esc" in window.pick_label.text()
    assert window.reader.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor

    # a click beside the marks, or on the claim itself, is refused; picking goes on
    with qtbot.waitSignal(ed.refused) as refusal:
        qtbot.mouseClick(window.reader.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(window.reader.viewport().width() - 5, 5))
    assert "not a mark" in refusal.args[0] and ed.picking == claim.id
    with qtbot.waitSignal(ed.refused):
        click_claim(qtbot, window, claim)
    assert ed.picking == claim.id and ed.undo_stack.count() == steps

    click_mark(qtbot, window, naim)  # the speaker
    assert ed.picking is None and not window.pick_label.isVisible()
    assert [(r.head, r.tail, r.label, r.origin) for r in lib.relations(doc)] == [(claim.id, naim.id, RelationLabel.SPEAKER, Origin.USER)]
    assert ed.selected == claim.id  # the claim stays selected, its speaker shown
    assert "Basem Naim" in window.inspector.speaker.text()
    assert "Basem Naim" in window.statusBar().currentMessage()
    assert window.reader.viewport().cursor().shape() == Qt.CursorShape.IBeamCursor
    assert ed.undo_stack.count() == steps + 1  # one step
    assert outlined(window, naim, claim)  # the text shows who says the selected claim
    ed.select(None)
    assert not outlined(window, naim, claim)
    ed.select(claim.id)

    window.actions_by_name["undo"].trigger()
    assert [r.tail for r in lib.relations(doc)] == [by_text(lib, doc, "Officials in Doha", kind=SpanKind.SOURCE)[0].id]


def test_escape_cancels_picking(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    claim = claim_of(lib, doc)
    relations = lib.relations(doc)
    ed.select(claim.id)
    press(qtbot, window, "s")
    assert ed.picking == claim.id
    press(qtbot, window, Qt.Key.Key_Escape)
    assert ed.picking is None and not window.pick_label.isVisible()
    assert ed.selected == claim.id  # Esc cancelled the picking only
    assert "not changed" in window.statusBar().currentMessage()
    click_mark(qtbot, window, by_text(lib, doc, "Basem Naim")[0])  # now a click just selects
    assert lib.relations(doc) == relations
    assert ed.selected == by_text(lib, doc, "Basem Naim")[0].id


def test_pick_needs_a_claim(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    ed.select(by_text(lib, doc, "CNN")[0].id)
    with qtbot.waitSignal(ed.refused) as refusal:
        press(qtbot, window, "s")
    assert "select a claim" in refusal.args[0] and ed.picking is None
    # from the claim's context menu too, and opening another article cancels it
    claim = claim_of(lib, doc)
    menu = window.build_context_menu(claim.id)
    next(a for a in menu.actions() if a.text().startswith("Pick speaker")).trigger()
    assert ed.picking == claim.id
    window.open_document(window.library_model.summary(1).id)
    assert ed.picking is None and not window.pick_label.isVisible()
