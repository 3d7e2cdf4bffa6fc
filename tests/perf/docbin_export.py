"""How big, how fast and how much memory a spaCy DocBin export of ~100k spans takes.

    .venv/bin/python tests/perf/docbin_export.py [articles] [marks per article] [words per article]

Defaults: 1,000 synthetic articles of 600 words with 100 entity marks each
(plus a claim every 60), i.e. ~100k spans, all accepted. Each step runs in this
process; peak memory is the process's maximum resident set size (``ru_maxrss``)
after the step, against the figure after spaCy has been imported and the
documents built (the documents themselves are counted in the baseline).
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 1000
    per_doc = int(argv[1]) if len(argv) > 1 else 100
    words = int(argv[2]) if len(argv) > 2 else 600

    import spacy  # noqa: F401  (counted in the baseline)
    from spacy.tokens import DocBin

    from newsmark.model import AnnotatedDocument, NewDocument, Origin, Span, SpanKind, SpanStatus
    from newsmark.nlp import docbin

    docs = []
    for i in range(n):
        text = corpus.article(random.Random(i), words)
        spans = [
            Span(s, e, label, kind=SpanKind(kind), status=SpanStatus.ACCEPTED, origin=Origin.USER, origin_detail="bench", id=i * 1000 + j)
            for j, (s, e, label, kind) in enumerate(corpus.marks(text, per_doc, seed=i))
        ]
        docs.append(AnnotatedDocument(NewDocument(text=text, title=f"article {i}"), spans=spans, id=i + 1))
    n_spans = sum(len(d.spans) for d in docs)
    n_chars = sum(len(d.text) for d in docs)
    base = rss_mb()
    out = Path(tempfile.mkdtemp(prefix="newsmark-docbin-")) / "export.spacy"

    t0 = time.perf_counter()
    w = docbin.writer(out)
    for d in docs:
        w.write(d)
    t_add = time.perf_counter() - t0
    n_tokens = sum(len(a) for a in w.docbin.tokens)
    after_add = rss_mb()
    w.commit()
    t_write = time.perf_counter() - t0
    after_write = rss_mb()

    t0 = time.perf_counter()
    count = sum(1 for item in docbin.read(out) if isinstance(item, AnnotatedDocument))
    t_read = time.perf_counter() - t0
    after_read = rss_mb()

    t0 = time.perf_counter()
    nlp = spacy.blank("en")
    plain = sum(len(doc.ents) for doc in DocBin().from_disk(out).get_docs(nlp.vocab))
    t_spacy = time.perf_counter() - t0

    print(f"{n:,} documents, {n_spans:,} spans, {n_chars:,} characters, {n_tokens:,} tokens")
    print(f"file: {out.stat().st_size / 1e6:.1f} MB")
    print(f"write: {t_write:.1f} s ({t_add:.1f} s building the DocBin, {t_write - t_add:.1f} s serialising), {n / t_write:.0f} documents/s")
    print(f"peak memory over the baseline ({base:.0f} MB): {after_add - base:.0f} MB after adding, {after_write - base:.0f} MB after writing")
    print(f"read back: {count:,} documents in {t_read:.1f} s, peak {after_read - base:.0f} MB over the baseline")
    print(f"plain spaCy DocBin().from_disk().get_docs(): {plain:,} entities in {t_spacy:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
