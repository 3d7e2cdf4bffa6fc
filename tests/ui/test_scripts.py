"""Emoji, characters outside the BMP, CJK, Arabic and Hebrew before and inside marks:
every mark lands on exactly its characters, on screen and in the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor

from newsmark.model import Span, SpanStatus
from newsmark.store import Library

from .conftest import add_doc, find
from .test_editing import activate, drag, press

TEXT = (
    "👋🏽 Breaking 🇯🇵: 山田 花子 (Hanako Yamada) met 𠮷野 officials.\n\n"
    "Egypt's منى الشريف said 📈 exports rose 23%, and דוד לוי agreed 🤝 with 𝒳avier Ruiz."
)


@pytest.fixture
def scripts(tmp_path: Path):  # type: ignore[no-untyped-def]
    lib = Library.open(tmp_path / "scripts.sqlite")
    lib.set_setting("seeds_loaded", True)
    doc = add_doc(lib, TEXT, title="Scripts 🌍")
    yield lib, doc
    lib.close()


def on_screen(window, span: Span) -> str:  # type: ignore[no-untyped-def]
    """The characters the reader shows under a mark."""
    qs, qe = window.editor.offsets.range_to_qt(span.start, span.end)
    cursor = QTextCursor(window.reader.document())
    cursor.setPosition(qs)
    cursor.setPosition(qe, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\u2029", "\n")


@pytest.mark.parametrize("needle", ["山田 花子", "𠮷野", "منى الشريف", "דוד לוי", "𝒳avier Ruiz", "exports rose 23%"])
def test_stored_marks_are_drawn_on_their_characters(scripts, make_window, needle: str) -> None:  # type: ignore[no-untyped-def]
    lib, doc = scripts
    start, end = find(TEXT, needle)
    span = lib.add_span(doc, Span(start, end, "PERSON", status=SpanStatus.ACCEPTED))
    window = make_window(lib)
    window.open_document(doc)
    assert on_screen(window, window.editor.spans[span.id]) == needle
    # the reader draws it where the text is: its fragments cover the glyphs of those characters
    qs, qe = window.editor.offsets.range_to_qt(start, end)
    assert (qs, qe, span.id) in window.reader._marks
    assert window.reader.fragments(qs, qe)
    # and a click on it selects it
    window.reader.markClicked.emit(window.reader.mark_at(window.reader.point_of(start)))
    assert window.editor.selected == span.id


@pytest.mark.parametrize("needle", ["花子", "𠮷野", "الشريف", "לוי", "𝒳avier"])
def test_a_mouse_selection_after_emoji_stores_the_right_offsets(scripts, make_window, qtbot, needle: str) -> None:  # type: ignore[no-untyped-def]
    lib, doc = scripts
    window = make_window(lib)
    window.open_document(doc)
    activate(qtbot, window)
    window.popup_action.setChecked(False)
    start, end = find(TEXT, needle)
    drag(window, start, end, inset=True)  # a sloppy selection inside the word: it snaps to it
    press(qtbot, window, "1")
    made = [s for s in lib.spans(doc) if s.origin.value == "user"]
    assert [TEXT[s.start : s.end] for s in made] == [needle]
    assert on_screen(window, window.editor.spans[made[0].id]) == needle


def test_resizing_across_astral_characters(scripts, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc = scripts
    window = make_window(lib)
    window.open_document(doc)
    start, end = find(TEXT, "Ruiz")
    span = lib.add_span(doc, Span(start, end, "PERSON", status=SpanStatus.ACCEPTED))
    window.editor.open_document(None)
    window.open_document(doc, span.id)
    window.editor.resize("grow_start")
    stored = lib.get_span(span.id)
    assert TEXT[stored.start : stored.end] == "𝒳avier Ruiz"
    assert on_screen(window, window.editor.spans[span.id]) == "𝒳avier Ruiz"
