"""Export benchmark: 1,000,000 marks to Newsmark JSONL against a raw sqlite3 + json.dumps dump.

    .venv/bin/python tests/perf/bench_export.py [--runs 3] [--docs 10000]

Builds two libraries with the synthetic corpus (10,000 and 1,000 done articles of
about 300 words, 100 accepted marks each: 1,000,000 and 100,000 marks), then, each
in a fresh process so peak memory is its own:

- ``newsmark``: ``services.interchange.export`` to Newsmark JSONL (what
  ``newsmark export`` runs: filters, tokens, relations, provenance, atomic rename;
  on two or more cores its worker processes render the lines), and the same
  with ``workers=1`` (everything in one process);
- ``raw``: one ``sqlite3`` query joining documents and marks (the same columns the
  export writes: the article's fields and meta, each mark's place, label, kind, status,
  origin, claim type, score and note), grouped per document and written with one
  ``json.dumps`` per line — the floor for any exporter of the same rows. (Newsmark
  JSONL also writes Prodigy's ``tokens`` and each mark's token range, which the raw
  dump does not: that work is inside the ratio.)

Reports the medians, the speed ratio raw_time / newsmark_time (target ≥ 0.5) and
peak RSS at 100k and at 1M marks (flat memory: the two should be close).
Results are merged into ``tests/perf/results.json`` under ``"export"``.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository, for tests.perf.corpus
sys.path.insert(0, str(HERE.parents[1] / "desktop"))

NEWSMARK_ARM = """
import sys, time
def peak_kib():
    # VmHWM: this process's own peak RSS (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
import resource
from pathlib import Path
from newsmark.store import Library
from newsmark.services.interchange import export
lib = Library.open(sys.argv[1])
workers = int(sys.argv[3]) if len(sys.argv) > 3 else None  # None: as newsmark export decides
started = time.perf_counter()
summary = export(lib, "newsmark", Path(sys.argv[2]), workers=workers)
elapsed = time.perf_counter() - started
lib.close()
# the largest worker process's peak (Linux: ru_maxrss of ended children, KiB)
print(elapsed, summary.spans, peak_kib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

RAW_ARM = """
import json, sqlite3, sys, time
def peak_kib():
    # VmHWM: this process's own peak RSS (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
started = time.perf_counter()
con = sqlite3.connect(sys.argv[1])
spans = 0
doc_cols = "d.id, d.title, d.source, d.url, d.author, d.published, d.status, d.meta, d.text"
span_cols = 's.start, s."end", s.label, s.kind, s.status, s.origin, s.origin_detail, s.claim_type, s.score, s.note'
with open(sys.argv[2], "w", encoding="utf-8") as out:
    current, doc, items = None, None, []
    rows = con.execute(
        f"SELECT {doc_cols}, {span_cols} FROM documents d JOIN spans s ON s.document_id = d.id "
        "WHERE d.status = 'done' AND s.status = 'accepted' ORDER BY d.id, s.start, s.\\"end\\", s.id"
    )
    for row in rows:
        if row[0] != current:
            if current is not None:
                out.write(json.dumps({**doc, "spans": items}, ensure_ascii=False) + "\\n")
            current, items = row[0], []
            doc = dict(zip(("id", "title", "source", "url", "author", "published", "status"), row[:7]), meta=json.loads(row[7]), text=row[8])
        items.append(dict(zip(("start", "end", "label", "kind", "status", "origin", "origin_detail", "claim_type", "score", "note"), row[9:])))
        spans += 1
    if current is not None:
        out.write(json.dumps({**doc, "spans": items}, ensure_ascii=False) + "\\n")
elapsed = time.perf_counter() - started
print(elapsed, spans, peak_kib())
"""

def build(path: Path, n_docs: int, marks_per_doc: int = 100) -> None:
    """A library of done articles with accepted marks, bulk-loaded (set-up, not measured)."""
    from newsmark.store import Library
    from newsmark.text import text_hash
    from tests.perf import corpus

    Library.open(path).close()  # the schema
    r = random.Random(5)
    con = sqlite3.connect(path)
    now = "2026-01-01 00:00:00.000000"
    docs = [
        (title, now, now, text, text_hash(text), "done", "{}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}")
        for i, (title, text) in enumerate(corpus.articles(n_docs, words=300, seed=4))
    ]
    con.executemany("INSERT INTO documents (title, imported_at, updated_at, text, text_hash, status, meta, published) VALUES (?,?,?,?,?,?,?,?)", docs)
    spans = (
        (d, k * 10, k * 10 + 5, r.choice(["PERSON", "ORG", "GPE"]), "entity", "model", "bench", "accepted", "", now, now)
        for d in range(1, n_docs + 1)
        for k in range(marks_per_doc)
    )
    con.executemany(
        'INSERT INTO spans (document_id, start, "end", label, kind, origin, origin_detail, status, note, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
        spans,
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()


def arm(code: str, db: Path, out: Path, *extra: str) -> tuple[float, int, int, int]:
    """(seconds, spans, peak RSS KiB of the process, of its largest worker or 0)."""
    result = subprocess.run([sys.executable, "-c", code, str(db), str(out), *extra], capture_output=True, text=True, check=True, cwd=HERE.parents[1])
    seconds, spans, rss_kib, *child = result.stdout.split()
    out.unlink(missing_ok=True)
    return float(seconds), int(spans), int(rss_kib), int(child[0]) if child else 0


def bench_export(runs: int = 3, docs: int = 10_000) -> dict:
    with tempfile.TemporaryDirectory(prefix="nm-export-") as tmp:
        folder = Path(tmp)
        big, small = folder / "big.sqlite", folder / "small.sqlite"
        build(big, docs)
        build(small, docs // 10)
        times: dict[str, list[float]] = {"newsmark": [], "one": [], "raw": []}
        spans = 0
        for _ in range(runs):  # alternate the arms so background load hits them alike
            seconds, spans, rss_big, worker_big = arm(NEWSMARK_ARM, big, folder / "out.jsonl")
            times["newsmark"].append(seconds)
            seconds, one_spans, rss_one, _ = arm(NEWSMARK_ARM, big, folder / "out.jsonl", "1")
            times["one"].append(seconds)
            seconds, raw_spans, raw_rss, _ = arm(RAW_ARM, big, folder / "raw.jsonl")
            times["raw"].append(seconds)
            assert raw_spans == spans == one_spans, (raw_spans, spans, one_spans)
        _, small_spans, rss_small, worker_small = arm(NEWSMARK_ARM, small, folder / "out.jsonl")
    newsmark_s = statistics.median(times["newsmark"])
    one_s = statistics.median(times["one"])
    raw_s = statistics.median(times["raw"])
    return {
        "spans": spans,
        "runs": runs,
        "newsmark_s": newsmark_s,
        "one_process_s": one_s,
        "raw_s": raw_s,
        "spans_per_s": spans / newsmark_s,
        "ratio": raw_s / newsmark_s,
        "ratio_one_process": raw_s / one_s,
        "rss_small_mib": rss_small / 1024,
        "small_spans": small_spans,
        "rss_big_mib": rss_big / 1024,
        "worker_rss_small_mib": worker_small / 1024,
        "worker_rss_big_mib": worker_big / 1024,
        "one_process_rss_big_mib": rss_one / 1024,
        "raw_rss_mib": raw_rss / 1024,
        "all_newsmark_s": times["newsmark"],
        "all_one_process_s": times["one"],
        "all_raw_s": times["raw"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    result = bench_export(args.runs, args.docs)
    print(json.dumps(result, indent=2))
    results_file = HERE / "results.json"
    data = json.loads(results_file.read_text()) if results_file.exists() else {}
    data["export"] = result
    results_file.write_text(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
