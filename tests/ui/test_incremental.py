"""An edit refreshes only what it changed: no marks, relations or library rows read back, only the
changed blocks laid out again, the marks list changed row by row, the history read lazily.

(The figures themselves are measured by ``tests/perf/run.py reader``; these tests pin the
behaviour that makes them possible, and check that the patched copies stay equal to the library.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtWidgets import QApplication

from newsmark.model import SpanKind, SpanStatus
from newsmark.store import Library
from newsmark.ui.markindex import MarkIndex
from newsmark.ui.models import MarksModel
from newsmark.ui.reader import ReaderView

from .conftest import add_doc, find, span_at
from .test_editing import TEXT, article, by_text, open_window  # noqa: F401 - article is a fixture

_ = article

READS = ("get_span", "spans", "relations", "document_summary", "list_documents", "events", "get_document")


@contextmanager
def counting_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:  # type: ignore[type-arg]
    """Counts the library's read calls made while inside."""
    calls: Counter[str] = Counter()
    for name in READS:
        original = getattr(Library, name)

        def spy(self, *args, _name=name, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Library, name, spy)
    yield calls
    monkeypatch.undo()


def same_as_library(window, lib: Library, doc: int) -> None:  # type: ignore[no-untyped-def]
    """The editor's patched copy, index, counts and the marks list equal a fresh read of the library."""
    ed = window.editor
    stored = {s.id: s for s in lib.spans(doc)}
    assert set(ed.spans) == set(stored)
    for span_id, span in stored.items():
        mine = ed.spans[span_id]
        fields = ("start", "end", "label", "kind", "status", "claim_type", "note", "origin", "edited_from")
        assert {f: getattr(mine, f) for f in fields} == {f: getattr(span, f) for f in fields}
        assert sorted(mine.tags) == sorted(span.tags)
    assert ed.index.keys == sorted((s.start, -s.end, s.id) for s in stored.values())
    entity_or_claim = [s for s in stored.values() if s.kind in (SpanKind.ENTITY, SpanKind.CLAIM)]
    assert ed.counts() == tuple(sum(s.status == st for s in entity_or_claim) for st in (SpanStatus.SUGGESTED, SpanStatus.ACCEPTED, SpanStatus.REJECTED))
    assert ed.label_counts == Counter(s.label for s in stored.values() if s.status != SpanStatus.REJECTED)
    assert [(r.id, r.head, r.tail) for r in ed.relations] == [(r.id, r.head, r.tail) for r in lib.relations(doc)]
    model = window.marks_panel.model
    shown = sorted((s for s in stored.values() if model.filter.accepts(s)), key=lambda s: (s.start, -s.end, s.id))
    assert [model.span_at_row(r).id for r in range(model.rowCount())] == [s.id for s in shown]
    summary = lib.document_summary(doc)
    row = window.library_model.summary(window.library_model.row_of(doc))
    assert (row.status, row.pending, row.accepted, row.rejected) == (summary.status, summary.pending, summary.accepted, summary.rejected)


def test_an_edit_reads_nothing_back(article, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    hamas, cnn = by_text(lib, doc, "Hamas")[0], by_text(lib, doc, "CNN")[0]
    ed.select(hamas.id)
    QApplication.processEvents()
    with counting_reads(monkeypatch) as reads:
        assert ed.accept(advance=False)
        assert ed.relabel("GPE", cnn.id)
        made = ed.create_mark(*find(TEXT, "political bureau"), "ORG")
        assert made is not None
        assert ed.delete(made.id)
        QApplication.processEvents()
    assert sum(reads.values()) == 0, reads  # the store calls' own answers are enough
    same_as_library(window, lib, doc)

    # undo and redo patch the copy the same way
    for _ in range(4):
        ed.undo_stack.undo()
    same_as_library(window, lib, doc)
    for _ in range(4):
        ed.undo_stack.redo()
    same_as_library(window, lib, doc)


def test_speaker_tags_and_label_every_occurrence_keep_the_copy_in_step(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    claim = [s for s in lib.spans(doc) if s.kind == SpanKind.CLAIM][0]
    naim = by_text(lib, doc, "Basem Naim")[0]
    hamas = by_text(lib, doc, "Hamas")[0]
    assert ed.set_speaker(naim.id, claim.id)
    assert ed.speaker_of(claim.id).id == naim.id
    assert ed.set_tags(["check", " verify "], naim.id)
    assert ed.label_all_occurrences(hamas.id) == 3
    same_as_library(window, lib, doc)
    while ed.undo_stack.canUndo():
        ed.undo_stack.undo()
    same_as_library(window, lib, doc)
    assert ed.speaker_of(claim.id).id == by_text(lib, doc, "Officials in Doha", kind=SpanKind.SOURCE)[0].id


def test_only_the_changed_blocks_are_laid_out_again(article, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    laid_out: list[int] = []
    everything: list[int] = []
    original = ReaderView._format_block

    def spy(self, doc_, block, number, *, mark_dirty):  # type: ignore[no-untyped-def]
        if mark_dirty:
            laid_out.append(number)
        return original(self, doc_, block, number, mark_dirty=mark_dirty)

    monkeypatch.setattr(ReaderView, "_format_block", spy)
    monkeypatch.setattr(ReaderView, "_relayout_all", lambda self: everything.append(1))
    thursday = by_text(lib, doc, "Thursday")[0]
    assert ed.accept(thursday.id, advance=False)
    block = window.reader.document().findBlock(thursday.start).blockNumber()
    assert laid_out == [block] and not everything
    # a blank line between paragraphs is no block of its own: three paragraphs, three blocks
    assert window.reader.document().blockCount() == 3
    assert window.reader.shown_text() == TEXT


def test_the_marks_list_changes_row_by_row(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    model = window.marks_panel.model
    seen: Counter[str] = Counter()
    model.modelReset.connect(lambda: seen.update(["reset"]))
    model.dataChanged.connect(lambda *_: seen.update(["changed"]))
    model.rowsInserted.connect(lambda *_: seen.update(["inserted"]))
    model.rowsRemoved.connect(lambda *_: seen.update(["removed"]))
    hamas = by_text(lib, doc, "Hamas")[0]
    assert ed.accept(hamas.id, advance=False)
    assert seen == Counter(changed=1)
    made = ed.create_mark(*find(TEXT, "political bureau"), "ORG")
    assert seen["inserted"] == 1
    assert ed.resize("grow_end", made.id)  # it moves in the list: out of its row, into another
    assert ed.reject(hamas.id, advance=False)  # rejected marks are not listed: its row goes
    assert seen["reset"] == 0
    same_as_library(window, lib, doc)
    window.legend.rejected.setChecked(True)  # "Show rejected": the list is filled again, once
    assert seen["reset"] == 1 and model.row_of(hamas.id) >= 0
    same_as_library(window, lib, doc)


def test_marks_model_row_changes_pass_the_model_tester(seeded: Library, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    doc = seeded.list_documents()[0].id
    text = seeded.get_document(doc).text
    a = seeded.add_span(doc, span_at(text, "Hamas", "ORG"))
    b = seeded.add_span(doc, span_at(text, "Israel", "GPE"))
    model = MarksModel()
    model.set_marks(text, [a, b])
    qtmodeltester.check(model)
    c = seeded.add_span(doc, span_at(text, "Netanyahu", "PERSON"))
    model.update_spans([c], set())
    moved = seeded.update_span(a.id, start=a.start, end=a.end + 2) and seeded.get_span(a.id)
    model.update_spans([moved], set())
    model.update_spans([], {b.id})
    rejected = seeded.update_span(c.id, status=SpanStatus.REJECTED) and seeded.get_span(c.id)
    model.update_spans([rejected], set())
    assert [model.span_at_row(r).id for r in range(model.rowCount())] == [a.id]
    qtmodeltester.check(model)


def test_the_history_is_read_once_the_selection_settles(article, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed, inspector = window.editor, window.inspector
    marks = [s.id for s in ed.ordered()]
    with counting_reads(monkeypatch) as reads:
        for span_id in marks:  # J J J …: no history read for the marks passed over
            ed.select(span_id)
        assert reads["events"] == 0 and inspector.history.count() == 0
        qtbot.waitUntil(lambda: reads["events"] == 1, timeout=2000)
    assert ed.accept(advance=False)
    qtbot.waitUntil(lambda: inspector.history.count() == 1, timeout=2000)  # the accept, once read
    assert "accepted" in inspector.history.item(0).text()


def test_mark_index_answers_like_a_scan() -> None:
    import random

    from newsmark.model import Span

    rng = random.Random(7)
    spans = []
    for i in range(1, 400):
        start = rng.randrange(0, 2000)
        spans.append(Span(start, start + rng.randrange(1, 60), "X", id=i))
    index = MarkIndex(spans)
    for span in spans[::3]:  # patched, not rebuilt
        index.remove(span)
    kept = [s for k, s in enumerate(spans) if k % 3]
    for cp, end in ((0, 1), (500, 540), (1999, 2100), (700, 701)):
        expect = sorted((s.start, -s.end, s.id) for s in kept if s.start < end and cp < s.end)
        assert [k for k in index.keys if k[2] in set(index.overlapping(cp, end))] == expect
    first = kept[10]
    assert index.at(first.start, first.end) == sorted(s.id for s in kept if (s.start, s.end) == (first.start, first.end))
    key = (first.start, -first.end, first.id)
    assert list(index.after(key)) == [k[2] for k in sorted((s.start, -s.end, s.id) for s in kept) if k > key]
    assert list(index.before(key)) == [k[2] for k in sorted(((s.start, -s.end, s.id) for s in kept), reverse=True) if k < key]


def test_next_mark_skips_hidden_labels_and_rejected_marks(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    window.legend.set_shown("ORG", False)
    doha = by_text(lib, doc, "Doha")[0]
    ed.reject(doha.id, advance=False)
    ed.select(None)
    seen = []
    while (mark := ed.next_mark()) is not None:
        seen.append(mark.id)
    expected = [s.id for s in sorted(lib.spans(doc), key=lambda s: (s.start, -s.end, s.id)) if s.label != "ORG" and s.status != SpanStatus.REJECTED]
    assert seen == expected
    back = []
    while (mark := ed.next_mark(-1)) is not None:
        back.append(mark.id)
    assert back == list(reversed(expected))[1:]


def test_blank_lines_and_astral_text_in_the_reader(seeded: Library, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    text = "Héllo 👋 world.\n\n\nSecond 山田 paragraph 𝒜.\n\nThird\n"
    doc = add_doc(seeded, text, title="Blank lines")
    mark = seeded.add_span(doc, span_at(text, "paragraph", "EVENT"))
    window = make_window(seeded)
    window.open_document(doc)
    assert window.reader.shown_text() == text
    assert window.reader.document().blockCount() == 4  # "\n\n\n" is one paragraph break and two blank lines
    assert window.reader.mark_at(window.reader.point_of(mark.start + 2)) == mark.id
