"""Pre-annotation with the real spaCy pipeline: provenance, the user's work kept, cancel, no model."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from newsmark.cli import main
from newsmark.model import NewDocument, Origin, SpanKind, SpanStatus
from newsmark.services.annotate import annotate_documents, documents_to_annotate
from newsmark.store import DocumentQuery, Library

ARTICLE = (
    "Basem Naim, a member of Hamas’ political bureau, told CNN, “there is nothing official about an effective "
    "agreement for ceasefire. Negotiations did not start yet.”\n\n"
    "Israeli Prime Minister Benjamin Netanyahu has authorized his negotiators to enter into detailed negotiations, "
    "an Israeli official and a source familiar with the negotiations said."
)


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from newsmark.nlp.loader import load_pipeline

    return load_pipeline()


def test_suggestions_are_stored_with_provenance(library: Library, nlp) -> None:  # type: ignore[no-untyped-def]
    doc_id = library.add_document(NewDocument(text=ARTICLE, title="t")).doc_id
    assert documents_to_annotate(library) == [doc_id]
    summary = annotate_documents(library, nlp, [doc_id])
    assert summary.documents == 1 and summary.added > 0 and summary.words == len(ARTICLE.split())
    spans = library.spans(doc_id)
    model = summary.model
    assert model.startswith("en_core_web_sm") and model.split()[-1].count(".") == 2
    assert all(s.origin == Origin.MODEL and s.origin_detail == model and s.status == SpanStatus.SUGGESTED for s in spans)
    people = {ARTICLE[s.start : s.end] for s in spans if s.label == "PERSON"}
    assert {"Basem Naim", "Benjamin Netanyahu"} <= people
    claims = [s for s in spans if s.kind == SpanKind.CLAIM]
    assert len(claims) >= 2
    sources = {ARTICLE[s.start : s.end] for s in spans if s.kind == SpanKind.SOURCE}
    assert "an Israeli official and a source familiar with the negotiations" in sources
    assert library.relations(doc_id), "claims are linked to their speakers"
    document = library.get_document(doc_id)
    assert document.annotated_by == model and document.annotated_at is not None
    assert documents_to_annotate(library) == []


def test_reannotation_keeps_every_user_decision(library: Library, nlp) -> None:  # type: ignore[no-untyped-def]
    doc_id = library.add_document(NewDocument(text=ARTICLE, title="t")).doc_id
    annotate_documents(library, nlp, [doc_id])
    entities = [s for s in library.spans(doc_id) if s.kind == SpanKind.ENTITY]
    assert len(entities) >= 4
    accepted, rejected, edited = entities[0], entities[1], entities[2]
    library.set_span_status(accepted.id, SpanStatus.ACCEPTED)
    library.set_span_status(rejected.id, SpanStatus.REJECTED)
    library.update_span(edited.id, label="ORG" if edited.label != "ORG" else "NORP", status=SpanStatus.ACCEPTED)
    before = {s.id: (s.start, s.end, s.label, s.status) for s in library.spans(doc_id) if s.status != SpanStatus.SUGGESTED}

    annotate_documents(library, nlp, documents_to_annotate(library, pending_only=False))
    after = library.spans(doc_id)
    kept = {s.id: (s.start, s.end, s.label, s.status) for s in after if s.id in before}
    assert kept == before
    # The rejected suggestion is not proposed again, and nothing lands on top of the user's marks.
    again = [s for s in after if s.status == SpanStatus.SUGGESTED and s.kind == SpanKind.ENTITY]
    assert all((s.start, s.end, s.label) != (rejected.start, rejected.end, rejected.label) for s in again)
    assert all(not (s.start < u.end and u.start < s.end) for s in again for u in (accepted, edited))


def test_cancel_keeps_finished_articles(library: Library, nlp) -> None:  # type: ignore[no-untyped-def]
    ids = [library.add_document(NewDocument(text=f"{ARTICLE} ({i})", title=str(i))).doc_id for i in range(4)]
    done: list[int] = []
    summary = annotate_documents(library, nlp, ids, batch_size=1, on_progress=lambda p: done.append(p.done), should_cancel=lambda: len(done) >= 2)
    assert summary.cancelled and summary.documents == 2
    assert len(library.document_ids(DocumentQuery(unannotated=True))) == 2


def test_cli_annotate_and_missing_model(db_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    lib = Library.open(db_path)
    lib.add_document(NewDocument(text=ARTICLE, title="t"))
    lib.close()
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(db_path), "annotate"])
    assert result.exit_code == 0, result.output
    assert "1 article annotated with en_core_web_sm" in result.output
    assert "Nothing to annotate." in runner.invoke(main, ["--db", str(db_path), "annotate", "--pending"]).output

    import newsmark.nlp.loader as loader

    monkeypatch.setattr(loader, "is_installed", lambda name: False)
    result = runner.invoke(main, ["--db", str(db_path), "annotate", "--all"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "No English spaCy pipeline is installed" in result.output and "pip install" in result.output
