"""Editing by keyboard and mouse through the real widgets; the database is checked after each action."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from newsmark.model import ClaimType, Relation, RelationLabel, ReviewStatus, Span, SpanKind, SpanStatus, Suggestions
from newsmark.store import Library

from .conftest import add_doc, find

TEXT = (
    "Basem Naim, a member of Hamas’ political bureau, told CNN there is nothing official yet.\n\n"
    "Officials in Doha said Hamas had agreed to the framework. Hamas later denied it.\n\n"
    "Israel and Hamas on Thursday both appeared inclined to underplay the developments."
)


@pytest.fixture
def article(tmp_path: Path):  # type: ignore[no-untyped-def]
    lib = Library.open(tmp_path / "edit.sqlite")
    lib.set_setting("seeds_loaded", True)
    doc = add_doc(lib, TEXT, title="Talks")
    other = add_doc(lib, "A second article about Geneva.", title="Second")

    def at(needle: str, label: str, nth: int = 0, **kw) -> Span:  # type: ignore[no-untyped-def]
        s, e = find(TEXT, needle, nth)
        return Span(s, e, label, **kw)

    spans = [
        at("Basem Naim", "PERSON"),
        at("Hamas", "ORG"),
        at("CNN", "ORG"),
        at("Doha", "GPE"),
        at("Thursday", "DATE"),
        at("Officials in Doha said Hamas had agreed to the framework", "REPORTED", kind=SpanKind.CLAIM, claim_type=ClaimType.REPORTED),
        at("Officials in Doha", "SOURCE", kind=SpanKind.SOURCE),
    ]
    lib.replace_suggestions(doc, Suggestions(spans=spans, relations=[Relation(5, 6, RelationLabel.SPEAKER)], model="test-model 1"))
    yield lib, doc, other
    lib.close()


def by_text(lib: Library, doc: int, text: str, **filters) -> list[Span]:  # type: ignore[no-untyped-def]
    out = [s for s in lib.spans(doc) if TEXT[s.start : s.end] == text]
    for key, value in filters.items():
        out = [s for s in out if getattr(s, key) == value]
    return out


def open_window(make_window, lib: Library, doc: int, qtbot):  # type: ignore[no-untyped-def]
    window = make_window(lib)
    window.open_document(doc)
    activate(qtbot, window)
    return window


def activate(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Shortcuts only reach the active window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.reader.setFocus()


def press(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.reader, key, modifiers)


def click_mark(qtbot, window, span: Span) -> None:  # type: ignore[no-untyped-def]
    point = window.reader.point_of(span.start)
    qtbot.mouseClick(window.reader.viewport(), Qt.MouseButton.LeftButton, pos=point)


def drag(window, start: int, end: int, modifiers=Qt.KeyboardModifier.NoModifier, *, inset: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Select [start, end) with a real mouse drag over the reader's viewport."""
    reader = window.reader
    offsets = window.editor.offsets

    def caret(cp: int) -> QPointF:  # where the caret for that position is drawn (bidi-aware)
        cursor = QTextCursor(reader.document())
        cursor.setPosition(offsets.to_qt(cp))
        rect = reader.cursorRect(cursor)
        return QPointF(rect.center())

    # ``inset``: press and release a character inside the edges, where bidi text has no ambiguous caret
    a, b = (caret(start + 1), caret(end - 1)) if inset and end - start > 2 else (caret(start), caret(end))
    vp = reader.viewport()

    def send(kind, pos, buttons):  # type: ignore[no-untyped-def]
        event = QMouseEvent(kind, pos, vp.mapToGlobal(pos), Qt.MouseButton.LeftButton, buttons, modifiers)
        QApplication.sendEvent(vp, event)

    send(QEvent.Type.MouseButtonPress, a, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseMove, QPointF((a.x() + b.x()) / 2, b.y()), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseMove, b, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton)


def test_select_text_and_press_a_number_creates_a_snapped_mark(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    window.popup_action.setChecked(False)
    s, e = find(TEXT, "political bureau")
    drag(window, s + 2, e - 3)  # a sloppy selection inside the words
    assert window.reader.selection_range() is not None
    press(qtbot, window, "5")  # label 5 in palette order
    label = window.editor.palette.by_hotkey("5").name
    made = by_text(lib, doc, "political bureau")
    assert [(m.label, m.status, m.origin.value) for m in made] == [(label, SpanStatus.ACCEPTED, "user")]
    assert window.editor.selected == made[0].id
    assert lib.get_document(doc).status == ReviewStatus.IN_PROGRESS


def test_popup_palette_after_a_mouse_selection(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    s, e = find(TEXT, "political")
    drag(window, s, e)
    popup = window.label_popup
    assert popup.isVisible()
    action = next(a for a in popup.actions() if a.text().startswith("&1"))
    action.trigger()
    assert [m.label for m in by_text(lib, doc, "political")] == [window.editor.palette.by_hotkey("1").name]


def test_exact_characters_with_a_modifier(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    window.popup_action.setChecked(False)
    s, _ = find(TEXT, "political")
    drag(window, s, s + 6, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, window, "1")
    assert [TEXT[m.start : m.end] for m in lib.spans(doc) if m.origin.value == "user"] == ["politi"]


def test_accept_reject_relabel_by_keyboard(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    naim = by_text(lib, doc, "Basem Naim")[0]
    click_mark(qtbot, window, naim)
    assert window.editor.selected == naim.id
    press(qtbot, window, "a")
    assert lib.get_span(naim.id).status == SpanStatus.ACCEPTED
    # accepting moved on to the next mark: Hamas
    hamas = by_text(lib, doc, "Hamas")[0]
    assert window.editor.selected == hamas.id
    press(qtbot, window, "x")
    assert lib.get_span(hamas.id).status == SpanStatus.REJECTED
    assert hamas.id not in {m[2] for m in window.reader._marks}  # rejected marks are hidden
    window.legend.rejected.setChecked(True)
    assert hamas.id in {m[2] for m in window.reader._marks}  # ... unless asked for
    cnn = by_text(lib, doc, "CNN")[0]
    assert window.editor.selected == cnn.id
    press(qtbot, window, "3")
    three = window.editor.palette.by_hotkey("3").name
    assert (lib.get_span(cnn.id).label, lib.get_span(cnn.id).status) == (three, SpanStatus.ACCEPTED)


def test_next_and_previous_mark(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    order = [s.id for s in sorted(lib.spans(doc), key=lambda s: (s.start, -s.end, s.id))]
    press(qtbot, window, "j")
    assert window.editor.selected == order[0]
    press(qtbot, window, "j")
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.editor.selected == order[2]
    press(qtbot, window, "k")
    assert window.editor.selected == order[1]


def test_extend_and_shrink_by_a_token(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    cnn = by_text(lib, doc, "CNN")[0]
    window.editor.select(cnn.id)
    press(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # start one word left
    span = lib.get_span(cnn.id)
    assert TEXT[span.start : span.end] == "told CNN"
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # end one word right
    span = lib.get_span(cnn.id)
    assert TEXT[span.start : span.end] == "told CNN there"
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)  # shrink start
    press(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)  # shrink end
    span = lib.get_span(cnn.id)
    assert TEXT[span.start : span.end] == "CNN"
    assert span.status == SpanStatus.ACCEPTED


def test_delete_then_undo_and_redo(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    source = by_text(lib, doc, "Officials in Doha", kind=SpanKind.SOURCE)[0]
    window.editor.select(source.id)
    press(qtbot, window, Qt.Key.Key_Delete)
    assert by_text(lib, doc, "Officials in Doha", kind=SpanKind.SOURCE) == []
    assert lib.relations(doc) == []  # its speaker link went with it
    press(qtbot, window, "z", Qt.KeyboardModifier.ControlModifier)
    back = lib.get_span(source.id)  # the same mark, under its old id
    assert (back.label, back.status) == ("SOURCE", SpanStatus.SUGGESTED)
    assert [(r.head, r.tail) for r in lib.relations(doc)] == [(by_text(lib, doc, TEXT[back.start : back.start + 56], kind=SpanKind.CLAIM)[0].id, source.id)]
    press(qtbot, window, "z", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert by_text(lib, doc, "Officials in Doha", kind=SpanKind.SOURCE) == []
    assert_index_fresh(window)


def assert_index_fresh(window) -> None:  # type: ignore[no-untyped-def]
    """The reader's incrementally patched index of marks equals one built from scratch."""
    patched = list(window.reader._marks)
    window.reader._rebuild_index(None)
    assert window.reader._marks == patched
    drawn = {span_id for _, _, span_id in patched}
    assert set(window.reader._drawn) == drawn


def test_undo_redo_every_kind_of_edit(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    before = {s.id: (s.start, s.end, s.label, s.status, s.note, tuple(s.tags)) for s in lib.spans(doc)}
    naim = by_text(lib, doc, "Basem Naim")[0]
    ed.select(naim.id)
    ed.accept(advance=False)
    ed.relabel("ORG")
    ed.resize("grow_end")
    ed.set_note("check spelling")
    ed.set_tags(["verify"])
    created = ed.create_mark(*find(TEXT, "framework"), "EVENT")
    assert created is not None
    n = ed.undo_stack.count()
    for _ in range(n):
        window.actions_by_name["undo"].trigger()
    after = {s.id: (s.start, s.end, s.label, s.status, s.note, tuple(s.tags)) for s in lib.spans(doc)}
    assert after == before
    for _ in range(n):
        window.actions_by_name["redo"].trigger()
    redone = lib.get_span(naim.id)
    assert (redone.label, redone.note, redone.tags, TEXT[redone.start : redone.end]) == ("ORG", "check spelling", ["verify"], "Basem Naim,")
    assert by_text(lib, doc, "framework", label="EVENT")
    assert_index_fresh(window)


def test_overlapping_entities_are_refused(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    window.popup_action.setChecked(False)
    naim = by_text(lib, doc, "Basem Naim")[0]
    lib.set_span_status(naim.id, SpanStatus.ACCEPTED)
    window.editor.open_document(None)
    window.open_document(doc)
    with qtbot.waitSignal(window.editor.refused) as refusal:
        window.reader.select_text(*find(TEXT, "Naim, a member"))
        press(qtbot, window, "2")
    assert "overlaps" in refusal.args[0]
    assert by_text(lib, doc, "Naim, a member") == []
    # an entity inside a claim is fine; a pending suggestion under a new mark is replaced by it
    window.reader.select_text(*find(TEXT, "Officials in Doha"))
    press(qtbot, window, "2")
    doha = by_text(lib, doc, "Doha")[0]
    assert lib.get_span(doha.id).status == SpanStatus.REJECTED
    assert by_text(lib, doc, "Officials in Doha", kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED)


def test_tags_with_completion_and_note(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    lib.set_document_tags(doc, ["fact-check"])  # a tag already used
    naim = by_text(lib, doc, "Basem Naim")[0]
    window.editor.select(naim.id)
    press(qtbot, window, "t")
    tags = window.inspector.tags
    assert tags.hasFocus()
    qtbot.keyClicks(tags, "fact")
    completer = tags._completer
    assert completer.completionCount() == 1 and completer.currentCompletion() == "fact-check"
    completer.activated.emit("fact-check")
    qtbot.keyClicks(tags, "spokesman")
    qtbot.keyClick(tags, Qt.Key.Key_Return)
    assert lib.get_span(naim.id).tags == ["fact-check", "spokesman"]
    window.reader.setFocus()
    press(qtbot, window, "n")
    note = window.inspector.note
    assert note.hasFocus()
    qtbot.keyClicks(note, "Spelled Naeem elsewhere")
    window.reader.setFocus()  # leaving the field saves it
    assert lib.get_span(naim.id).note == "Spelled Naeem elsewhere"
    # article tags, and filtering the library by tag
    window.doc_tags.setFocus()
    window.doc_tags.setText("fact-check, gaza")
    qtbot.keyClick(window.doc_tags, Qt.Key.Key_Return)
    assert lib.get_document(doc).tags == ["fact-check", "gaza"]
    window.tag_filter.setCurrentIndex(window.tag_filter.findData("gaza"))
    window._apply_filters()
    assert [window.library_model.summary(r).id for r in range(window.library_model.rowCount())] == [doc]


def test_speaker_of_a_claim(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    claim = [s for s in lib.spans(doc) if s.kind == SpanKind.CLAIM][0]
    naim = by_text(lib, doc, "Basem Naim")[0]
    window.editor.select(claim.id)
    assert window.editor.speaker_of(claim.id).label == "SOURCE"
    menu = window.build_context_menu(claim.id)
    speakers = next(a.menu() for a in menu.actions() if a.menu() and a.text() == "Set speaker")
    choice = next(a for a in speakers.actions() if a.text().startswith("Basem Naim"))
    choice.trigger()
    rels = [(r.head, r.tail, r.label) for r in lib.relations(doc)]
    assert rels == [(claim.id, naim.id, RelationLabel.SPEAKER)]
    assert "Basem Naim" in window.inspector.speaker.text()
    window.editor.set_speaker(None)
    assert lib.relations(doc) == []
    window.actions_by_name["undo"].trigger()
    assert [(r.head, r.tail) for r in lib.relations(doc)] == [(claim.id, naim.id)]


def test_label_every_occurrence(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    hamas = by_text(lib, doc, "Hamas")[0]
    click_mark(qtbot, window, hamas)
    press(qtbot, window, "e")
    marks = by_text(lib, doc, "Hamas")
    assert len(marks) == 4 and all(m.label == "ORG" and m.status == SpanStatus.ACCEPTED for m in marks)
    window.actions_by_name["undo"].trigger()  # one undo step for all of them
    assert [(m.id, m.status) for m in by_text(lib, doc, "Hamas")] == [(hamas.id, SpanStatus.SUGGESTED)]


def test_mark_done_goes_to_the_next_article(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, other = article
    window = open_window(make_window, lib, doc, qtbot)
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert lib.get_document(doc).status == ReviewStatus.DONE
    assert window.editor.doc.id == other
    window.actions_by_name["undo"].trigger()
    assert lib.get_document(doc).status == ReviewStatus.NEW
    assert window.editor.doc.id == doc  # undo shows the article it changed


def test_restart_shows_the_same_state(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    naim = by_text(lib, doc, "Basem Naim")[0]
    window.editor.select(naim.id)
    press(qtbot, window, "2")
    window.editor.set_note("keep")
    state = [(s.id, s.start, s.end, s.label, s.status, s.note) for s in lib.spans(doc)]
    window.close()
    path = lib.path
    lib.close()
    again = Library.open(path)
    try:
        window2 = make_window(again)
        assert window2.editor.doc.id == doc
        assert window2.editor.selected == naim.id
        assert [(s.id, s.start, s.end, s.label, s.status, s.note) for s in again.spans(doc)] == state
        assert window2.inspector.note.toPlainText() == "keep"
    finally:
        window2.close()
        again.close()


def test_context_menu_offers_the_mark_actions(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    naim = by_text(lib, doc, "Basem Naim")[0]
    menu = window.build_context_menu(naim.id)
    texts = [a.text().split("\t")[0] for a in menu.actions()]
    for wanted in ("Accept", "Reject", "Relabel", "Delete", "Tag…", "Note…"):
        assert wanted in texts
    assert any(t.startswith("Label every") for t in texts)
    relabel = next(a.menu() for a in menu.actions() if a.text() == "Relabel")
    next(a for a in relabel.actions() if a.text().endswith("GPE")).trigger()
    assert lib.get_span(naim.id).label == "GPE"


def test_shortcuts_sheet_lists_the_keys(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    press(qtbot, window, Qt.Key.Key_F1)
    dialog = window.shortcuts_dialog
    assert dialog.isVisible()
    from PySide6.QtWidgets import QLabel

    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    for key in ("Ctrl+Z", "Alt+Left", "Ctrl+Return"):
        assert key in text
    dialog.close()


_ = QPoint

