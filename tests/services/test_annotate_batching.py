"""Pre-annotation writes a few documents per transaction, reports each once it is committed, and cancels cleanly."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from newsmark.model import NewDocument
from newsmark.services.annotate import AnnotateProgress, annotate_documents
from newsmark.store import DocumentQuery, Library

TEXT = "“The talks will resume on Monday,” the minister said. According to the ministry, exports fell."


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from newsmark.nlp.loader import load_pipeline

    return load_pipeline("blank:en")  # quotes and 'according to' only: fast


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch, library: Library) -> list[int]:
    """Write transactions on this test's library (another test's background thread may write to its own)."""
    count = [0]
    original = Library._write

    @contextmanager
    def counting(self):  # type: ignore[no-untyped-def]
        if self is library:
            count[0] += 1
        with original(self) as session:
            yield session

    monkeypatch.setattr(Library, "_write", counting)
    return count


def add(library: Library, n: int, run: str = "") -> list[int]:
    ids = [library.add_document(NewDocument(text=f"{TEXT} ({run}{i})", title=str(i))).doc_id for i in range(n)]
    assert None not in ids  # (a text already in the library is not added again)
    return ids  # type: ignore[return-value]


def test_a_spacy_batch_is_one_commit_and_every_document_is_reported_once_stored(library: Library, nlp, writes) -> None:  # type: ignore[no-untyped-def]
    ids = add(library, 12)
    seen: list[AnnotateProgress] = []

    def progress(p: AnnotateProgress) -> None:
        # reported only once committed: another connection already sees it
        assert p.doc_id not in library.document_ids(DocumentQuery(unannotated=True))
        seen.append(p)

    writes[0] = 0
    summary = annotate_documents(library, nlp, ids, batch_size=4, n_process=1, on_progress=progress, commit_seconds=60)
    assert summary.documents == 12 and summary.added > 0 and not summary.cancelled
    assert [p.doc_id for p in seen] == ids and [p.done for p in seen] == list(range(1, 13))
    assert writes[0] == 3  # three spaCy batches of four
    assert library.document_ids(DocumentQuery(unannotated=True)) == []


def test_commit_seconds_zero_writes_each_document_at_once(library: Library, nlp, writes) -> None:  # type: ignore[no-untyped-def]
    ids = add(library, 5)
    writes[0] = 0
    annotate_documents(library, nlp, ids, batch_size=5, n_process=1, commit_seconds=0)
    assert writes[0] == 5


def test_cancel_stores_what_was_finished_and_nothing_else(library: Library, nlp) -> None:  # type: ignore[no-untyped-def]
    ids = add(library, 12)
    done: list[int] = []
    summary = annotate_documents(
        library, nlp, ids, batch_size=4, n_process=1, commit_seconds=60, on_progress=lambda p: done.append(p.doc_id), should_cancel=lambda: len(done) >= 4
    )
    assert summary.cancelled and summary.documents == len(done) == 4
    assert sorted(library.document_ids(DocumentQuery(unannotated=True))) == sorted(ids[4:])


def test_a_failing_write_stops_the_run_with_what_was_committed_reported(library: Library, nlp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from newsmark.store import StoreError

    ids = add(library, 8)
    original = Library._replace_suggestions_in

    def failing(self, session, doc_id, suggestions):  # type: ignore[no-untyped-def]
        if doc_id == ids[5]:
            raise StoreError("the disk is full (test)")
        return original(self, session, doc_id, suggestions)

    monkeypatch.setattr(Library, "_replace_suggestions_in", failing)
    done: list[int] = []
    with pytest.raises(StoreError, match="disk is full"):
        annotate_documents(library, nlp, ids, batch_size=2, n_process=1, commit_seconds=60, on_progress=lambda p: done.append(p.doc_id))
    assert done == ids[:5]  # the batch [4, 5] stored 4 before 5 failed
    assert sorted(library.document_ids(DocumentQuery(unannotated=True))) == sorted(ids[5:])


@pytest.mark.slow
def test_two_worker_processes_store_what_one_process_stores(library: Library, nlp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """`newsmark annotate -j 2`: the same suggestions in the database, progress in order, a cancel keeps what was finished."""
    import multiprocessing

    from newsmark.nlp import suggest

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("fork is not available on this system")
    monkeypatch.setattr(suggest, "start_method", lambda **_: "fork")  # as from the command line (the app spawns; tested in tests/nlp)
    one, two = add(library, 10, "a"), add(library, 10, "b")
    annotate_documents(library, nlp, one, batch_size=4, n_process=1)
    seen: list[int] = []
    summary = annotate_documents(library, nlp, two, batch_size=4, n_process=2, on_progress=lambda p: seen.append(p.doc_id))
    assert summary.documents == 10 and not summary.cancelled and seen == two

    def marks(doc_id: int) -> list[tuple[int, int, str, str]]:
        return sorted((s.start, s.end, s.label, s.origin_detail) for s in library.spans(doc_id))

    assert marks(two[3]) and [marks(d) for d in one] == [marks(d) for d in two]

    three = add(library, 40, "c")
    done: list[int] = []
    summary = annotate_documents(
        library, nlp, three, batch_size=4, n_process=2, on_progress=lambda p: done.append(p.doc_id), should_cancel=lambda: len(done) >= 4
    )
    assert summary.cancelled and 4 <= summary.documents < 40 and done == three[: summary.documents]
    assert sorted(library.document_ids(DocumentQuery(unannotated=True))) == sorted(three[summary.documents :])
    assert multiprocessing.active_children() == []
