"""A note is saved after a short pause in typing (one undo step per spell of typing), on leaving, and on close."""

from __future__ import annotations

from newsmark.store import Library

from .test_editing import article, by_text, open_window, press  # noqa: F401 - article is a fixture

_ = article


def test_note_is_saved_after_a_pause_in_typing(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    note = window.inspector.note
    naim = by_text(lib, doc, "Basem Naim")[0]
    ed.select(naim.id)
    press(qtbot, window, "n")
    assert note.hasFocus()
    steps = ed.undo_stack.count()

    qtbot.keyClicks(note, "Spelled")
    assert lib.get_span(naim.id).note == ""  # not on every key
    qtbot.waitUntil(lambda: lib.get_span(naim.id).note == "Spelled", timeout=3000)  # after the pause, still typing
    assert note.hasFocus() and note.toPlainText() == "Spelled"
    qtbot.keyClicks(note, " Naeem")
    qtbot.waitUntil(lambda: lib.get_span(naim.id).note == "Spelled Naeem", timeout=3000)
    assert note.toPlainText() == "Spelled Naeem" and note.textCursor().position() == len("Spelled Naeem")
    assert ed.undo_stack.count() == steps + 1  # two saves, one spell of typing: one step

    qtbot.keyClicks(note, " elsewhere")
    window.reader.setFocus()  # leaving saves at once
    assert lib.get_span(naim.id).note == "Spelled Naeem elsewhere"
    assert ed.undo_stack.count() == steps + 1

    # a new spell of typing is a new step
    note.setFocus()
    qtbot.keyClicks(note, "!")
    note.commit()  # Ctrl+Return
    assert lib.get_span(naim.id).note == "Spelled Naeem elsewhere!"
    assert ed.undo_stack.count() == steps + 2

    window.actions_by_name["undo"].trigger()
    assert lib.get_span(naim.id).note == "Spelled Naeem elsewhere"
    assert note.toPlainText() == "Spelled Naeem elsewhere"  # the field shows the undone note, focus or not
    window.actions_by_name["undo"].trigger()
    assert lib.get_span(naim.id).note == "" and note.toPlainText() == ""


def test_note_typed_goes_to_its_own_mark(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    note = window.inspector.note
    naim, cnn = by_text(lib, doc, "Basem Naim")[0], by_text(lib, doc, "CNN")[0]
    ed.select(naim.id)
    note.setFocus()
    qtbot.keyClicks(note, "for Naim")
    ed.select(cnn.id)  # the selection moves while the note is still being typed (no pause yet)
    assert lib.get_span(naim.id).note == "for Naim" and lib.get_span(cnn.id).note == ""
    assert ed.selected == cnn.id and note.toPlainText() == ""


def test_note_being_typed_is_saved_on_close(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    naim = by_text(lib, doc, "Basem Naim")[0]
    window.editor.select(naim.id)
    note = window.inspector.note
    note.setFocus()
    qtbot.keyClicks(note, "half a thought")
    assert note.typing()
    window.close()
    assert lib.get_span(naim.id).note == "half a thought"
    path = lib.path
    again = Library.open(path)
    try:
        assert again.get_span(naim.id).note == "half a thought"
    finally:
        again.close()

