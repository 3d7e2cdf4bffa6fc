"""Exports stream: the memory an export needs does not grow with the number of articles.

(The spaCy DocBin is the exception, documented in docs/formats.md: a DocBin is one
compressed object, so its writer keeps every document's token arrays until the end.)
tests/perf/bench_export.py measures the real thing (peak RSS at 100k and 1M marks);
this is the quick guard: the peak of Python allocations while exporting five times
as many articles stays about the same.
"""

from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path

import pytest

from newsmark.model import AnnotatedDocument, NewDocument, Relation, RelationLabel, ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.services.interchange import export
from newsmark.store import Library
from newsmark.store.interchange import ExportQuery, add_annotated

# The default, and the two JSON writers (Label Studio streams one array). brat writes a file per article and
# CoNLL a line per token: nothing there to pile up, and they are the slowest to run under tracemalloc.
STREAMING = ["newsmark", "doccano", "label-studio"]
SENTENCE = "Minister Ana Díaz 👋 said on Monday that the harbour in Łódź will reopen in May, the agency reported. "


def _article(i: int) -> AnnotatedDocument:
    text = f"Report {i}. " + SENTENCE * 3
    base = len(f"Report {i}. ")
    spans, relations = [], []
    for k in range(3):  # 9 marks and 6 relations an article
        at = base + k * len(SENTENCE)
        spans += [
            Span(at + 9, at + 17, "PERSON", status=SpanStatus.ACCEPTED),
            Span(at + 9, at + 17, "SOURCE", kind=SpanKind.SOURCE, status=SpanStatus.ACCEPTED),
            Span(at + 41, at + 76, "REPORTED", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED),
        ]
        relations += [Relation(3 * k + 2, 3 * k + 1, RelationLabel.SPEAKER), Relation(3 * k + 1, 3 * k, RelationLabel.ENTITY)]
    return AnnotatedDocument(NewDocument(text=text, title=f"Report {i}"), spans, relations, status=ReviewStatus.DONE)


@pytest.fixture(scope="module")
def libraries(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("memory")
    small, large = folder / "small.sqlite", folder / "large.sqlite"
    with Library.open(small) as library:
        add_annotated(library, [_article(i) for i in range(150)])
    shutil.copyfile(small, large)
    with Library.open(large) as library:
        add_annotated(library, (_article(i) for i in range(150, 750)))
    return {150: small, 750: large}


def _peak_while_exporting(db: Path, fmt: str, out: Path) -> int:
    with Library.open(db) as library:
        export(library, fmt, out.with_name(out.name + "-warm-up"), ExportQuery(ids=(1,)))  # imports, caches: not the export's growth
        tracemalloc.start()
        try:
            summary = export(library, fmt, out)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert summary.spans == 9 * summary.documents
    return peak


@pytest.mark.slow
@pytest.mark.parametrize("fmt", STREAMING)
def test_an_export_needs_no_more_memory_for_five_times_the_articles(libraries: dict[int, Path], fmt: str, tmp_path: Path) -> None:
    small = _peak_while_exporting(libraries[150], fmt, tmp_path / "small")
    large = _peak_while_exporting(libraries[750], fmt, tmp_path / "large")
    # Articles are read 100 at a time: the peak is about one chunk's worth whatever the total
    # (measured: within ±25% from 100 to 1,200 articles). Holding them all would need ~5x.
    assert large < 2 * small, f"{fmt}: peak {large:,} bytes for 750 articles against {small:,} for 150"
