"""Every user action is one store transaction and one undo step; a failure in any part changes nothing.

For each compound action (it touches several marks or relations) the database
is compared after do, undo and redo, the write transactions are counted, and
one part is made to fail (monkeypatched) to check that the library is left
exactly as it was and the undo stack is not left pointing at a half-done step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtWidgets import QApplication

from newsmark.model import Origin, RelationLabel, Span, SpanKind, SpanStatus
from newsmark.store import Library, StoreError

from .conftest import find
from .test_editing import TEXT, article, by_text, open_window  # noqa: F401 - article is a fixture

_ = article


def state(lib: Library, doc: int) -> tuple:  # type: ignore[type-arg]
    """Everything an action may change (times of the last update aside)."""
    spans = sorted(
        (s.id, s.start, s.end, s.label, s.kind, s.status, s.origin, s.origin_detail, s.claim_type, s.note, tuple(s.tags), s.created_at, s.edited_from)
        for s in lib.spans(doc)
    )
    relations = sorted((r.id, r.head, r.tail, r.label, r.origin, r.origin_detail) for r in lib.relations(doc))
    return spans, relations


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the store's write transactions (``Library._write``)."""
    count = [0]
    original = Library._write

    @contextmanager
    def counting(self):  # type: ignore[no-untyped-def]
        count[0] += 1
        with original(self) as session:
            yield session

    monkeypatch.setattr(Library, "_write", counting)
    yield count


@contextmanager
def failing(name: str, when=lambda *a, **k: True) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """While inside, ``Library.<name>`` raises when ``when(*args)`` is true (and works normally otherwise)."""
    original = getattr(Library, name)

    def fail(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if when(*args, **kwargs):
            raise StoreError(f"{name} failed (test)")
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Library, name, fail)
        yield


def undo(window) -> None:  # type: ignore[no-untyped-def]
    window.actions_by_name["undo"].trigger()


def redo(window) -> None:  # type: ignore[no-untyped-def]
    window.actions_by_name["redo"].trigger()


# ---------------------------------------------------------------------------- create over a suggestion


def test_a_new_mark_replacing_a_suggestion(article, make_window, qtbot, writes) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    doha = by_text(lib, doc, "Doha")[0]
    before = state(lib, doc)
    # a failure in the second part (rejecting the suggestion) lands nothing, and leaves no undo step
    with failing("_update_span_in", lambda _session, span_id, _changes: span_id == doha.id), qtbot.waitSignal(ed.refused):
        assert ed.create_mark(*find(TEXT, "Officials in Doha"), "ORG") is None
    assert state(lib, doc) == before and ed.undo_stack.count() == 0

    writes[0] = 0
    made = ed.create_mark(*find(TEXT, "Officials in Doha"), "ORG")
    assert writes[0] == 1 and ed.undo_stack.count() == 1
    assert lib.get_span(doha.id).status == SpanStatus.REJECTED and lib.get_span(made.id).status == SpanStatus.ACCEPTED
    done = state(lib, doc)

    writes[0] = 0
    undo(window)
    assert state(lib, doc) == before
    assert writes[0] == 1  # one delete_spans(…, update=[status back])
    assert made.id not in ed.spans and ed.spans[doha.id].status == SpanStatus.SUGGESTED

    writes[0] = 0
    redo(window)
    assert writes[0] == 1 and state(lib, doc) == done  # the same mark, the same id and creation time
    assert ed.spans[made.id].status == SpanStatus.ACCEPTED and ed.spans[doha.id].status == SpanStatus.REJECTED


def test_a_failing_undo_leaves_the_library_as_it_was(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    made = ed.create_mark(*find(TEXT, "Officials in Doha"), "ORG")
    done = state(lib, doc)
    # the undo fails in its second part (the suggestion's status back): its first part (the delete) is rolled back too
    with failing("_update_span_in"), qtbot.waitSignal(ed.refused) as refusal:
        undo(window)
    assert "Could not undo" in refusal.args[0]
    assert state(lib, doc) == done  # one transaction: nothing changed
    assert made.id in ed.spans
    QApplication.processEvents()
    assert ed.undo_stack.count() == 0  # no step left pointing at a state that is not there


# ---------------------------------------------------------------------------- label every occurrence


def test_label_every_occurrence_is_one_step(article, make_window, qtbot, writes) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    hamas = by_text(lib, doc, "Hamas")[0]
    # another suggestion lies across a later "Hamas": labelling replaces it (rejects it) in the same step
    clash = lib.add_span(doc, Span(*find(TEXT, "Hamas had"), "EVENT", origin=Origin.MODEL))
    ed.reload_marks()
    before = state(lib, doc)

    # the third new mark fails: none of them lands, nothing is accepted or rejected
    calls = [0]

    def third(*_args, **_kw) -> bool:  # type: ignore[no-untyped-def]
        calls[0] += 1
        return calls[0] == 3

    with failing("_add_span_in", third):
        assert ed.label_all_occurrences(hamas.id) == 0
    assert state(lib, doc) == before and ed.undo_stack.count() == 0

    writes[0] = 0
    assert ed.label_all_occurrences(hamas.id) == 3
    assert writes[0] == 1 and ed.undo_stack.count() == 1
    marks = by_text(lib, doc, "Hamas")
    assert len(marks) == 4 and {(m.label, m.status) for m in marks} == {("ORG", SpanStatus.ACCEPTED)}
    assert lib.get_span(clash.id).status == SpanStatus.REJECTED
    done = state(lib, doc)

    writes[0] = 0
    undo(window)
    assert state(lib, doc) == before and writes[0] == 1
    writes[0] = 0
    redo(window)
    assert state(lib, doc) == done and writes[0] == 1


# ---------------------------------------------------------------------------- relabel / resize over a suggestion


def test_relabel_and_resize_that_reject_suggestions(article, make_window, qtbot, writes) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    naim = by_text(lib, doc, "Basem Naim")[0]
    cnn = by_text(lib, doc, "CNN")[0]
    inner = lib.add_span(doc, Span(*find(TEXT, "Naim"), "NORP", origin=Origin.MODEL))  # a suggestion inside Basem Naim
    there = lib.add_span(doc, Span(*find(TEXT, "there"), "NORP", origin=Origin.MODEL))  # one just after CNN
    ed.reload_marks()
    before = state(lib, doc)

    for action, rejected in ((lambda: ed.relabel("ORG", naim.id), inner), (lambda: ed.resize("grow_end", cnn.id), there)):
        with failing("_update_span_in", lambda _s, span_id, _c, rejected=rejected: span_id == rejected.id):
            assert action() is False
        assert state(lib, doc) == before and ed.undo_stack.count() == 0

    writes[0] = 0
    assert ed.relabel("ORG", naim.id)
    assert ed.resize("grow_end", cnn.id)
    assert writes[0] == 2 and ed.undo_stack.count() == 2  # one transaction, one step each
    assert (lib.get_span(naim.id).label, lib.get_span(inner.id).status) == ("ORG", SpanStatus.REJECTED)
    assert TEXT[lib.get_span(cnn.id).start : lib.get_span(cnn.id).end] == "CNN there"
    assert lib.get_span(there.id).status == SpanStatus.REJECTED
    done = state(lib, doc)

    writes[0] = 0
    undo(window)
    assert lib.get_span(there.id).status == SpanStatus.SUGGESTED and TEXT[lib.get_span(cnn.id).start : lib.get_span(cnn.id).end] == "CNN"
    undo(window)
    assert state(lib, doc) == before and writes[0] == 2
    writes[0] = 0
    redo(window)
    redo(window)
    assert state(lib, doc) == done and writes[0] == 2


# ---------------------------------------------------------------------------- delete and undo


def test_delete_and_undo_brings_back_the_models_relations(article, make_window, qtbot, writes) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    source = by_text(lib, doc, "Officials in Doha", kind=SpanKind.SOURCE)[0]
    lib.set_span_tags(source.id, ["verify"])
    ed.reload_marks()
    before = state(lib, doc)
    assert [(r.origin, r.origin_detail) for r in lib.relations(doc)] == [(Origin.MODEL, "test-model 1")]

    with failing("_delete_span_in"):
        assert ed.delete(source.id) is False
    assert state(lib, doc) == before and ed.undo_stack.count() == 0

    writes[0] = 0
    assert ed.delete(source.id)
    assert writes[0] == 1 and lib.relations(doc) == []
    done = state(lib, doc)

    writes[0] = 0
    undo(window)
    assert writes[0] == 1
    assert state(lib, doc) == before  # same id, tags, creation time; the link is the model's again, same id
    assert ed.speaker_of(by_text(lib, doc, TEXT[source.start : source.start + 56], kind=SpanKind.CLAIM)[0].id).id == source.id

    writes[0] = 0
    redo(window)
    assert state(lib, doc) == done and writes[0] == 1

    # undoing the delete fails half-way (the relation): the mark is not half put back
    with failing("_add_relation_in"), qtbot.waitSignal(ed.refused):
        undo(window)
    assert state(lib, doc) == done and source.id not in ed.spans
    QApplication.processEvents()
    assert ed.undo_stack.count() == 0


# ---------------------------------------------------------------------------- speaker


def test_set_speaker_replacing_the_models_speaker(article, make_window, qtbot, writes) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    ed = window.editor
    claim = [s for s in lib.spans(doc) if s.kind == SpanKind.CLAIM][0]
    source = by_text(lib, doc, "Officials in Doha", kind=SpanKind.SOURCE)[0]
    naim = by_text(lib, doc, "Basem Naim")[0]
    (model_link,) = lib.relations(doc)
    before = state(lib, doc)

    # the new link fails: the old one was not removed either
    with failing("_add_relation_in"):
        assert ed.set_speaker(naim.id, claim.id) is False
    assert state(lib, doc) == before and ed.undo_stack.count() == 0

    writes[0] = 0
    assert ed.set_speaker(naim.id, claim.id)
    assert writes[0] == 1 and ed.undo_stack.count() == 1
    assert [(r.head, r.tail, r.label, r.origin) for r in lib.relations(doc)] == [(claim.id, naim.id, RelationLabel.SPEAKER, Origin.USER)]
    assert ed.speaker_of(claim.id).id == naim.id

    writes[0] = 0
    undo(window)
    assert writes[0] == 1  # one restore_relations(old link, delete=[new link])
    assert [(r.id, r.head, r.tail, r.label, r.origin) for r in lib.relations(doc)] == [
        (model_link.id, claim.id, source.id, RelationLabel.SPEAKER, Origin.MODEL)
    ]
    assert state(lib, doc) == before
    assert ed.speaker_of(claim.id).id == source.id

    writes[0] = 0
    redo(window)
    assert writes[0] == 1 and [(r.head, r.tail) for r in lib.relations(doc)] == [(claim.id, naim.id)]
    done = state(lib, doc)

    # the undo fails in its second part (putting the old link back): the new link's deletion is rolled back too
    with failing("_add_relation_in", lambda _session, _head, tail, *_a, **_k: tail == source.id), qtbot.waitSignal(ed.refused):
        undo(window)
    assert state(lib, doc) == done
    QApplication.processEvents()
    assert ed.undo_stack.count() == 0

    # clearing the speaker, and its undo, are one transaction each
    writes[0] = 0
    assert ed.set_speaker(None, claim.id)
    assert lib.relations(doc) == [] and writes[0] == 1
    undo(window)
    assert [(r.head, r.tail) for r in lib.relations(doc)] == [(claim.id, naim.id)] and writes[0] == 2


def test_undo_of_set_speaker_keeps_the_models_link_as_it_was(article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc, _ = article
    window = open_window(make_window, lib, doc, qtbot)
    claim = [s for s in lib.spans(doc) if s.kind == SpanKind.CLAIM][0]
    before = state(lib, doc)
    window.editor.set_speaker(by_text(lib, doc, "Basem Naim")[0].id, claim.id)
    undo(window)
    assert state(lib, doc) == before
