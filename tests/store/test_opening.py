"""Opening a library while the window shows its first screen (newsmark.store.opening)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from newsmark.model import NewDocument, ReviewStatus, Span, SpanKind, SpanStatus, Suggestions
from newsmark.store import HEAD, DocumentQuery, Library
from newsmark.store import health
from newsmark.store.opening import OpeningLibrary, open_in_background, read_first_screen

SETTINGS = {
    "seeds_loaded": True,
    "ui.last_document": 2,
    "ratio": 1.5,
    "annotator": "Ana",
    "digits": "12",
    "nothing": None,
    "flags": [True, False, None, 3],
    "ui.window": {"zoom": 0, "geometry": "AdnQywAD"},
}


def make_library(path: Path, *, documents: int = 5) -> None:
    """A library with varied rows: statuses, counts by kind and status, missing fields, ties in import time."""
    lib = Library.open(path)
    try:
        ids = []
        for i in range(documents):
            text = f"Document {i} — Émile said “bonjour” 👋 and Москва replied {'x' * i}."
            added = lib.add_document(NewDocument(text=text, title=f"Títle {i} 🗞", source=None if i % 2 else "Gazette", published=None if i % 3 else "2024-07-0{i % 9 + 1}"))
            assert added.doc_id is not None
            ids.append(added.doc_id)
        kinds = [SpanKind.ENTITY, SpanKind.CLAIM, SpanKind.SOURCE, SpanKind.CUE]
        for n, doc_id in enumerate(ids[:-1]):
            spans = [Span(j, j + 3, "PERSON" if j % 2 else "QUOTE", kind=kinds[(j + n) % 4]) for j in range(0, 2 * (n + 2), 2)]
            lib.replace_suggestions(doc_id, Suggestions(spans=spans, model="test 1"))
            marks = lib.spans(doc_id)
            lib.update_spans([(marks[0].id, {"status": SpanStatus.ACCEPTED})])
            if len(marks) > 2:
                lib.update_spans([(marks[1].id, {"status": SpanStatus.REJECTED})])
        lib.set_document_status(ids[0], ReviewStatus.DONE)
        lib.set_document_tags(ids[1], ["gaza", "Beta", "alpha"])
        for key, value in SETTINGS.items():
            lib.set_setting(key, value)
    finally:
        lib.close()
    health.record(path, checked=True)  # as after a clean close of a checked library


@pytest.fixture
def made(db_path: Path) -> Path:
    make_library(db_path)
    return db_path


def test_the_first_screen_is_what_the_library_itself_answers(made: Path) -> None:
    first = read_first_screen(made)
    assert first is not None and first.complete and len(first.documents) == 5
    with Library.open(made) as lib:
        assert first.documents == lib.list_documents(DocumentQuery(limit=200))
        assert first.tags == lib.all_tags() == ["alpha", "Beta", "gaza"]
        for key in [*SETTINGS, "never-set"]:
            assert OpeningLibrary(first).get_setting(key, "default") == lib.get_setting(key, "default"), key
    counts = {d.title: (d.pending, d.accepted, d.rejected) for d in first.documents}
    assert counts["Títle 4 🗞"] == (0, 0, 0) and sum(sum(c) for c in counts.values()) > 0


def test_only_the_unfiltered_first_page_is_answered(db_path: Path) -> None:
    make_library(db_path, documents=5)
    first = read_first_screen(db_path, page=3)
    assert first is not None and not first.complete and len(first.documents) == 3
    assert first.answers(DocumentQuery(limit=3)) and first.answers(DocumentQuery(limit=2))
    assert not first.answers(DocumentQuery(limit=4)) and not first.answers(None)
    for query in (DocumentQuery(limit=2, offset=1), DocumentQuery(limit=2, search="x"), DocumentQuery(limit=2, descending=True), DocumentQuery(limit=2, order_by="title"), DocumentQuery(limit=2, statuses=[ReviewStatus.DONE])):
        assert not first.answers(query), query
    assert [d.id for d in first.list_documents(DocumentQuery(limit=2))] == [d.id for d in first.documents[:2]]


def test_rows_handed_out_are_copies(made: Path) -> None:
    first = read_first_screen(made)
    assert first is not None
    rows = first.list_documents(DocumentQuery(limit=200))
    rows[0].title = "changed"
    assert first.documents[0].title != "changed"


def _older_schema(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0004'")
    con.commit()
    con.close()
    health.record(path, checked=True)


def _samples_not_loaded(path: Path) -> None:
    with Library.open(path) as lib:
        lib.set_setting("seeds_loaded", False)
    health.record(path, checked=True)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda p: p.unlink(), id="missing"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.write_bytes(os.urandom(4096)), id="encrypted-or-foreign"),
        pytest.param(lambda p: health.forget(p), id="needs-a-check"),
        pytest.param(lambda p: Path(str(p) + "-wal").write_bytes(b"x" * 100), id="not-closed-cleanly"),
        pytest.param(_older_schema, id="older-schema"),
        pytest.param(_samples_not_loaded, id="samples-not-loaded"),
    ],
)
def test_libraries_that_need_the_usual_way_get_none(made: Path, spoil) -> None:  # type: ignore[no-untyped-def]
    assert read_first_screen(made) is not None
    spoil(made)
    assert read_first_screen(made) is None
    assert open_in_background(made) is None


def test_a_read_only_library_takes_the_usual_way(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(The usual start-up says the library is read-only before the window opens.) os.access is faked: root may write anything."""
    import newsmark.store.opening as opening

    assert read_first_screen(made) is not None
    monkeypatch.setattr(opening.os, "access", lambda path, mode: not (mode & os.W_OK))
    assert read_first_screen(made) is None


def test_a_url_takes_the_usual_way(made: Path) -> None:
    assert read_first_screen(f"sqlite:///{made}") is None


def test_the_head_revision_is_the_migrations_head() -> None:
    from newsmark.store.migrate import head_revision

    assert HEAD == head_revision()


def test_until_open_the_first_screen_answers_then_the_library_does(made: Path) -> None:
    opening = open_in_background(made)
    assert opening is not None and not opening.is_open
    assert opening.describe() == str(made.resolve()) and opening.path == made.resolve()
    assert opening.actor == "Ana" and opening.upgrade_backup is None
    assert [d.id for d in opening.list_documents(DocumentQuery(limit=200))] == [d.id for d in opening.first.documents]
    assert not opening.is_open  # none of that needed the library

    seen: list[BaseException | None] = []
    done = threading.Event()
    opening.when_open(lambda error: (seen.append(error), done.set()))
    opening.start()
    assert done.wait(60) and seen == [None] and opening.is_open
    opening.set_setting("ratio", 2.5)  # a write goes to the library
    assert opening.get_setting("ratio") == 2.5
    assert opening.get_document(opening.first.documents[0].id).title == "Títle 0 🗞"
    late: list[BaseException | None] = []
    opening.when_open(late.append)  # after the end: called at once
    assert late == [None]
    opening.close()


def test_a_call_the_first_screen_cannot_answer_waits_for_the_library(made: Path) -> None:
    opening = open_in_background(made)
    assert opening is not None
    assert opening.document_count() == 5  # starts the thread and waits
    assert opening.is_open
    assert opening.list_documents(DocumentQuery(order_by="title"))[0].title == "Títle 0 🗞"
    opening.close()


def test_a_failure_to_open_reaches_whoever_waits(made: Path) -> None:
    opening = open_in_background(made)
    assert opening is not None
    made.write_bytes(b"this is not a database at all" * 200)  # spoiled between the first screen and the open
    errors: list[BaseException | None] = []
    opening.when_open(errors.append)
    with pytest.raises(Exception) as raised:
        opening.wait()
    assert errors == [raised.value]
    with pytest.raises(Exception):
        opening.get_setting("annotator")  # once opening has ended, the first screen no longer answers …
    with pytest.raises(Exception):
        opening.get_document(1)  # … and what needs the library raises the error
    opening.close()  # nothing to close


def test_the_first_screen_and_the_window_need_no_sqlalchemy(made: Path, tmp_path: Path) -> None:
    """The real entry point: the window is shown with the library's rows before SQLAlchemy is imported; the last article opens after."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(sys.argv[:1])\n"
        "def window():\n"
        "    return next((w for w in QApplication.topLevelWidgets() if type(w).__name__ == 'MainWindow' and w.isVisible()), None)\n"
        "def shown():\n"
        "    w = window()\n"
        "    if w is None:\n"
        "        QTimer.singleShot(0, shown); return\n"
        "    print('shown', 'sqlalchemy' in sys.modules, w.library_model.rowCount(), flush=True)\n"
        "    QTimer.singleShot(0, article)\n"
        "def article():\n"
        "    w = window()\n"
        "    if w.editor.doc is None:\n"
        "        QTimer.singleShot(10, article); return\n"
        "    print('article', 'sqlalchemy' in sys.modules, w.editor.doc.id, flush=True)\n"
        "    app.quit()\n"
        "QTimer.singleShot(0, shown)\n"
        f"sys.argv = ['newsmark', '--db', {str(made)!r}]\n"
        "from newsmark.launch import main\n"
        "main()\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True, timeout=120, env=env)
    lines = [line.split() for line in out.stdout.splitlines() if line.startswith(("shown", "article"))]
    assert lines == [["shown", "False", "5"], ["article", "True", "2"]], out.stdout + out.stderr
    assert read_first_screen(made) is not None  # closed cleanly: the next start takes the same path
