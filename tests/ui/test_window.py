"""The main window on a real library: opens with the samples, shows articles, imports, restores."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from newsmark.model import Origin, ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.services.importer import import_paths
from newsmark.store import DocumentQuery, Library
from newsmark.ui.models import DOC_ID_ROLE, LibraryModel, MarksModel

from .conftest import add_doc, span_at


def titles(window) -> list[str]:  # type: ignore[no-untyped-def]
    model = window.library_model
    return [model.summary(r).title for r in range(model.rowCount())]


def test_opens_with_the_sample_articles(seeded: Library, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded)
    assert window.library_model.rowCount() == 3
    assert any("Netanyahu" in t for t in titles(window))
    # the first article is open, its text in the reader, its title above it
    doc = window.editor.doc
    assert doc is not None
    assert window.reader.shown_text() == doc.text
    assert window.title_label.text() == doc.title
    assert str(seeded.path) in window.path_label.text()
    assert "3 articles" in window.counts_label.text()
    assert window.focusWidget() is window.reader  # J, A, X … work at once (not typed into the search box)


def test_selecting_an_article_shows_its_text(seeded: Library, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded)
    view = window.library_view
    index = window.library_model.index(2, 0)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    doc_id = index.data(DOC_ID_ROLE)
    assert window.editor.doc.id == doc_id
    assert window.reader.shown_text() == seeded.get_document(doc_id).text
    assert seeded.get_document(doc_id).title in window.windowTitle()


def test_import_through_the_service_shows_in_the_list(seeded: Library, make_window, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text("Rain in Lisbon\n\nIt rained in Lisbon on Monday, the weather service said.\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    with qtbot.waitSignal(window.importFinished, timeout=20000) as blocker:
        window.start_import([folder])
    summary = blocker.args[0]
    assert len(summary.added) == 1
    assert any("empty.txt" in line for line in summary.details())  # the problem names the file
    assert window.library_model.rowCount() == 4
    assert window.import_dialog.isVisible()  # the summary lists the problem
    window.import_dialog.close()
    # an import made elsewhere (the CLI) shows after a reload
    (folder / "two.txt").write_text("Snow in Oslo\n\nSnow fell in Oslo.\n", encoding="utf-8")
    import_paths(seeded, [folder / "two.txt"])
    window.library_model.reload()
    assert window.library_model.rowCount() == 5


def test_paste_adds_and_opens_an_article(seeded: Library, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded)
    summary = window.paste_text("Fog in Porto\n\nFog closed Porto's airport on Sunday.", "Fog in Porto")
    assert len(summary.added) == 1
    assert window.editor.doc.title == "Fog in Porto"
    assert window.library_model.rowCount() == 4


def test_search_and_status_filter(seeded: Library, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded)
    window.search.setText("Geneva")
    window._apply_filters()
    assert titles(window) == [t for t in titles(window) if "Geneva" in t] and len(titles(window)) == 1
    window.search.clear()
    doc_id = seeded.list_documents()[0].id
    seeded.set_document_status(doc_id, ReviewStatus.DONE)
    window.status_filter.setCurrentIndex(4)  # Done
    window._apply_filters()
    assert [window.library_model.summary(r).id for r in range(window.library_model.rowCount())] == [doc_id]


def test_restart_restores_the_last_article_and_mark(tmp_path: Path, make_window) -> None:  # type: ignore[no-untyped-def]
    from newsmark.services.importer import load_seeds_if_new

    db = tmp_path / "lib.sqlite"
    lib = Library.open(db)
    load_seeds_if_new(lib)
    third = seeded_id = lib.list_documents()[2].id
    text = lib.get_document(third).text
    span = lib.add_span(third, span_at(text, "Geneva", "GPE"))
    window = make_window(lib)
    window.open_document(seeded_id)
    window.editor.select(span.id)
    window.close()
    lib.close()

    lib2 = Library.open(db)
    try:
        window2 = make_window(lib2)
        assert window2.editor.doc.id == third
        assert window2.editor.selected == span.id
        current = window2.library_view.currentIndex()
        assert current.data(DOC_ID_ROLE) == third
    finally:
        window2.close()
        lib2.close()


def test_library_model_passes_the_model_tester(seeded: Library, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    for i in range(7):
        add_doc(seeded, f"Article number {i} about harbours and ministers.", title=f"Extra {i}")
    model = LibraryModel(seeded, page_size=4)
    assert model.rowCount() == 4 and model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 10 and not model.canFetchMore()
    qtmodeltester.check(model)
    fresh = LibraryModel(seeded, page_size=4)
    qtmodeltester.check(fresh)  # the tester fetches the further pages itself
    model.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    assert model.summary(0).title == max(s.title for s in seeded.list_documents())
    model.set_query(search="harbours")
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == len(seeded.list_documents(DocumentQuery(search="harbours"))) == 7


def test_library_opens_lazily(seeded: Library) -> None:
    for i in range(30):
        add_doc(seeded, f"Short article {i}.", title=f"N{i}")
    model = LibraryModel(seeded, page_size=10)
    assert model.rowCount() == 10  # only the first page is read
    assert model.row_of(seeded.list_documents()[-1].id) == 32  # fetched on demand


def test_marks_model_passes_the_model_tester(seeded: Library, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    doc = seeded.list_documents()[0].id
    text = seeded.get_document(doc).text
    spans = [seeded.add_span(doc, span_at(text, "Hamas", "ORG")), seeded.add_span(doc, span_at(text, "Israel", "GPE", kind=SpanKind.ENTITY))]
    model = MarksModel()
    model.set_marks(text, spans)
    qtmodeltester.check(model)
    assert model.rowCount() == 2


def test_an_edit_refreshes_only_its_row(seeded: Library, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded)
    model = window.library_model
    doc = window.editor.doc
    text = doc.text
    other = next(model.summary(r).id for r in range(model.rowCount()) if model.summary(r).id != doc.id)
    seeded.add_span(other, span_at(seeded.get_document(other).text, "the", "ORG"))  # a pending mark elsewhere
    resets: list[int] = []
    changed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.row(), b.row())))
    row = model.row_of(doc.id)
    made = window.editor.create_mark(*_find(text, "Israel"), "GPE")
    assert made is not None
    assert resets == [] and set(changed) == {(row, row)}  # the list was not reloaded, one row re-read
    fresh = seeded.document_summary(doc.id)
    shown = model.summary(row)
    assert (shown.accepted, shown.pending, shown.status) == (fresh.accepted, fresh.pending, fresh.status) == (1, 0, ReviewStatus.IN_PROGRESS)
    # the other article's row still shows what it showed (it was not re-read): 0 pending
    assert model.summary(model.row_of(other)).pending == 0
    window.editor.undo_stack.undo()
    assert model.summary(row).accepted == 0 and resets == []


def test_sort_by_marks_to_review_and_accepted(seeded: Library, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded)
    ids = [d.id for d in seeded.list_documents()]
    for n, doc_id in enumerate(ids):  # 0, 1, 2 pending marks; 2, 1, 0 accepted
        text = seeded.get_document(doc_id).text
        for i in range(n):
            seeded.add_span(doc_id, Span(i * 3, i * 3 + 2, "ORG"))
        for i in range(len(ids) - 1 - n):
            seeded.add_span(doc_id, Span(20 + i * 3, 22 + i * 3, "ORG", status=SpanStatus.ACCEPTED, origin=Origin.USER))
        assert text
    for title, expected in (("Most marks to review first", ids[::-1]), ("Fewest marks to review first", ids), ("Most marks accepted first", ids)):
        index = window.sort_box.findText(title)
        window.sort_box.setCurrentIndex(index)
        window._apply_sort(index)
        assert [window.library_model.summary(r).id for r in range(window.library_model.rowCount())] == expected, title
    assert window.library_model.summary(0).accepted == 2


def _find(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def test_an_upgraded_library_says_so_once(tmp_path: Path, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from newsmark.store.engine import make_engine, resolve_url
    from newsmark.store.migrate import ensure_schema

    db = tmp_path / "old.sqlite"
    engine = make_engine(resolve_url(db))
    ensure_schema(engine, db, target="0001")  # a library as the first schema left it
    engine.dispose()
    lib = Library.open(db)
    try:
        backup = lib.upgrade_backup
        assert backup is not None and backup.exists()
        window = make_window(lib)
        assert QApplication.activeModalWidget() is None  # work goes on: no dialog to dismiss
        assert window.banner.isVisible() and str(backup) in window.banner.label.text()
        qtbot.waitUntil(lambda: str(backup) in window.statusBar().currentMessage(), timeout=3000)
        qtbot.mouseClick(window.banner.close_button, Qt.MouseButton.LeftButton)
        assert not window.banner.isVisible()
        window.close()
        again = make_window(lib)  # said once: not again for the same upgrade
        assert not again.banner.isVisible()
        again.close()
    finally:
        lib.close()
    fresh = Library.open(tmp_path / "new.sqlite")
    try:
        assert not make_window(fresh).banner.isVisible()
    finally:
        fresh.close()
