"""A large Newsmark JSONL export rendered by worker processes: the same bytes, in order, atomic, cancellable."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from newsmark.formats import doccano, newsmark_jsonl
from newsmark.model import AnnotatedDocument, NewDocument, Relation, RelationLabel, ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.services import interchange
from newsmark.services.interchange import export, export_workers
from newsmark.store import Library
from newsmark.store.interchange import add_annotated


def _article(i: int) -> AnnotatedDocument:
    text = f"Report {i} 👋: Minister Ana Díaz said on Monday that the harbour in Łódź will reopen, the agency reported."
    at = text.index("Ana")
    spans = [
        Span(at, at + 8, "PERSON", status=SpanStatus.ACCEPTED),
        Span(at - 9, at + 8, "SOURCE", kind=SpanKind.SOURCE, status=SpanStatus.ACCEPTED),
        Span(text.index("the harbour"), text.index(", the agency"), "REPORTED", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED),
        Span(0, 6, "ORG", status=SpanStatus.REJECTED),
    ]
    return AnnotatedDocument(NewDocument(text=text, title=f"Report {i}"), spans, [Relation(2, 1, RelationLabel.SPEAKER)], status=ReviewStatus.DONE)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    lib = Library.open(tmp_path_factory.mktemp("parallel") / "lib.sqlite")
    add_annotated(lib, [_article(i) for i in range(250)])
    yield lib
    lib.close()


@pytest.mark.slow
def test_workers_write_the_same_bytes_as_one_process(library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interchange, "_CHUNK", 30)  # several blocks, the last one short
    one = export(library, "newsmark", tmp_path / "one.jsonl", workers=1)
    seen: list[int] = []
    two = export(library, "newsmark", tmp_path / "two.jsonl", workers=2, on_progress=lambda p: seen.append(p.documents_done), progress_every=0)
    assert (one.documents, one.spans, one.relations) == (two.documents, two.spans, two.relations) == (250, 750, 250)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert seen == sorted(seen) and seen[-1] == 250 and len(seen) > 3  # progress a block at a time, forward only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.jsonl", "two.jsonl"]  # no temporary file left


@pytest.mark.slow
def test_stopping_a_parallel_export_leaves_no_file(library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interchange, "_CHUNK", 30)
    blocks: list[int] = []
    summary = export(
        library, "newsmark", tmp_path / "out.jsonl", workers=2, on_progress=lambda p: blocks.append(p.documents_done), progress_every=0,
        should_cancel=lambda: len(blocks) >= 2,
    )  # fmt: skip
    assert summary.cancelled and list(tmp_path.iterdir()) == []


def test_only_large_line_exports_of_a_plain_library_use_workers(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interchange, "usable_cores", lambda: 2)
    big = interchange.PARALLEL_MIN_DOCUMENTS
    assert export_workers(library, newsmark_jsonl, big) == 2
    assert export_workers(library, newsmark_jsonl, big - 1) == 1  # starting processes would cost more than it saves
    assert export_workers(library, doccano, big) == 1  # not a line-per-document writer with dumps()
    encrypted = SimpleNamespace(path=library.path, url=SimpleNamespace(password="secret"))
    assert export_workers(encrypted, newsmark_jsonl, big) == 1  # type: ignore[arg-type] - the key stays in this process
    monkeypatch.setattr(interchange, "usable_cores", lambda: 1)
    assert export_workers(library, newsmark_jsonl, big) == 1
