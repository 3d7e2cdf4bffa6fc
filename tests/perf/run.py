"""Newsmark's benchmarks. Not part of the test run; one command runs them all and rewrites docs/performance.md:

    .venv/bin/python tests/perf/run.py            # everything (a few minutes)
    .venv/bin/python tests/perf/run.py reader     # only some: startup reader edit library import annotate

Every figure is the median of several runs in one process (or fresh processes,
for start-up), on synthetic data made by ``corpus.py``. Results are also kept in
``tests/perf/results.json`` so a partial run updates only its own sections.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

RESULTS = HERE / "results.json"
DOC = REPO / "docs" / "performance.md"


def median_of(fn: Callable[[], float], runs: int) -> tuple[float, list[float]]:
    values = [fn() for _ in range(runs)]
    return statistics.median(values), values


def temp_library(name: str = "bench.sqlite"):  # type: ignore[no-untyped-def]
    from newsmark.store import Library

    folder = Path(tempfile.mkdtemp(prefix="newsmark-bench-"))
    os.environ["NEWSMARK_DATA_DIR"] = str(folder)
    lib = Library.open(folder / name)
    lib.set_setting("seeds_loaded", True)
    return lib


def add_marked_article(lib, words: int, count: int, seed: int) -> int:  # type: ignore[no-untyped-def]
    import random

    from newsmark.model import NewDocument, Span, SpanKind, Suggestions

    text = corpus.article(random.Random(seed), words)
    doc = lib.add_document(NewDocument(text=text, title=f"{words:,} words, {count:,} marks")).doc_id
    spans = [Span(s, e, label, kind=SpanKind(kind)) for s, e, label, kind in corpus.marks(text, count, seed=seed)]
    lib.replace_suggestions(doc, Suggestions(spans=spans, model="bench 0"))
    return doc


# ---------------------------------------------------------------------------------------- start-up

STARTUP_SCRIPT = r"""
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
from newsmark.ui.app import application, build_main_window
from newsmark.store import Library
app = application()
lib = Library.open(os.environ["BENCH_DB"])
w = build_main_window(lib)
w.show()
from PySide6.QtCore import QTimer
def shown():
    print(f"{time.time() - t0:.4f}", flush=True)
    os._exit(0)
QTimer.singleShot(0, shown)  # runs once the event loop is up and the window has been shown: responsive
app.exec()
"""

MODEL_SCRIPT = r"""
import os, time
t0 = float(os.environ["BENCH_T0"])
from newsmark.nlp.loader import load_pipeline, model_id
nlp = load_pipeline()
nlp("Warm-up sentence, the minister said.")
print(f"{time.time() - t0:.4f} {model_id(nlp)}", flush=True)
"""


def bench_startup(runs: int = 5) -> dict:
    lib = temp_library()
    from newsmark.services.importer import load_seeds_if_new

    lib.set_setting("seeds_loaded", False)
    load_seeds_if_new(lib)  # a realistic library: the samples are in it
    db = str(lib.path)
    lib.close()

    def once(script: str) -> list[str]:
        env = dict(os.environ, BENCH_DB=db, BENCH_T0=repr(time.time()))
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-2000:])
        return out.stdout.split()

    window, windows = median_of(lambda: float(once(STARTUP_SCRIPT)[0]), runs)
    model_runs = [once(MODEL_SCRIPT) for _ in range(3)]
    model = statistics.median(float(r[0]) for r in model_runs)
    return {"window_s": window, "window_runs": windows, "model_s": model, "model": " ".join(model_runs[0][1:])}


# ---------------------------------------------------------------------------------------- reader


def bench_reader(runs: int = 5) -> dict:
    from newsmark.ui.app import application, build_main_window

    app = application()
    lib = temp_library()
    small_doc = add_marked_article(lib, 5_000, 500, seed=5)
    big_doc = add_marked_article(lib, 100_000, 15_000, seed=6)
    blank = lib.add_document(__import__("newsmark.model", fromlist=["NewDocument"]).NewDocument(text="Empty page.", title="blank")).doc_id
    window = build_main_window(lib)
    window.resize(1440, 900)
    window.show()
    app.processEvents()

    def open_time(doc: int) -> float:
        window.open_document(blank)
        app.processEvents()
        started = time.perf_counter()
        window.open_document(doc)
        app.processEvents()  # laid out and painted
        window.reader.viewport().repaint()
        return time.perf_counter() - started

    small, _ = median_of(lambda: open_time(small_doc), runs)
    big, big_runs = median_of(lambda: open_time(big_doc), max(3, runs - 2))

    # Page-by-page scrolling through the whole big article: one frame = scroll + repaint.
    bar = window.reader.verticalScrollBar()
    # Qt lays a long document out in the background after it is shown; wait until that settles.
    settle_started, last, stable = time.perf_counter(), -1, 0
    settled_at = settle_started
    while stable < 50 and time.perf_counter() - settle_started < 20:  # unchanged for half a second
        app.processEvents()
        if bar.maximum() == last:
            stable += 1
        else:
            stable, last, settled_at = 0, bar.maximum(), time.perf_counter()
        time.sleep(0.01)
    layout_s = settled_at - settle_started
    page = max(1, bar.pageStep())
    frames = []
    bar.setValue(0)
    app.processEvents()
    while bar.value() < bar.maximum():
        started = time.perf_counter()
        bar.setValue(bar.value() + page)
        window.reader.viewport().repaint()
        frames.append((time.perf_counter() - started) * 1000)
    frames.sort()

    # Edit latency in the big article: key action -> store transaction committed -> repainted.
    editor = window.editor
    suggested = [s for s in editor.ordered() if s.status.value == "suggested"]

    def timed(action: Callable[[], object]) -> float:
        started = time.perf_counter()
        action()
        app.processEvents()
        window.reader.viewport().repaint()
        return (time.perf_counter() - started) * 1000

    accept_ms = []
    relabel_ms = []
    for span in suggested[100:107]:
        editor.select(span.id)
        accept_ms.append(timed(lambda: editor.accept(advance=False)))
        relabel_ms.append(timed(lambda: editor.relabel("ORG" if span.label != "ORG" else "GPE")))
    text = editor.text
    create_ms = []
    import re

    free = [m.span() for m in re.finditer(r"\b[a-z]{6,}\b", text)]
    taken = {(s.start, s.end) for s in editor.ordered()}
    candidates = [f for f in free[2000:] if not any(a < f[1] and f[0] < b for a, b in taken)][:7]
    for start, end in candidates:
        create_ms.append(timed(lambda: editor.create_mark(start, end, "EVENT", exact=True)))
    window.close()
    lib.close()
    return {
        "open_5k_ms": small * 1000,
        "open_100k_ms": big * 1000,
        "open_100k_runs_ms": [v * 1000 for v in big_runs],
        "scroll_frames": len(frames),
        "background_layout_s": layout_s,
        "scroll_median_ms": statistics.median(frames),
        "scroll_p95_ms": frames[int(len(frames) * 0.95) - 1],
        "scroll_max_ms": frames[-1],
        "accept_ms": statistics.median(accept_ms),
        "relabel_ms": statistics.median(relabel_ms),
        "create_ms": statistics.median(create_ms) if create_ms else None,
    }


# ---------------------------------------------------------------------------------------- library


def bench_library(n_docs: int = 10_000, marks_per_doc: int = 100, runs: int = 7) -> dict:
    """10,000 articles and 1,000,000 marks; rows are bulk-loaded with sqlite3 for speed (this is set-up, not the thing measured)."""
    import random
    import sqlite3

    from newsmark.store import DocumentQuery
    from newsmark.text import text_hash

    lib = temp_library()
    path = lib.path
    lib.close()
    r = random.Random(3)
    con = sqlite3.connect(path)
    now = "2026-01-01 00:00:00.000000"
    docs = []
    for i, (title, text) in enumerate(corpus.articles(n_docs, words=300, seed=4)):
        docs.append((title, now, now, text, text_hash(text), r.choice(["new", "in_progress", "done"]), "{}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"))
    con.executemany("INSERT INTO documents (title, imported_at, updated_at, text, text_hash, status, meta, published) VALUES (?,?,?,?,?,?,?,?)", docs)
    spans = (
        (d, k * 10, k * 10 + 5, r.choice(["PERSON", "ORG", "GPE"]), "entity", "model", "bench", r.choice(["suggested", "accepted"]), "", now, now)
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

    from newsmark.store import Library

    def open_view() -> float:
        started = time.perf_counter()
        lib = Library.open(path)
        lib.list_documents(DocumentQuery(limit=200))  # the first screenful; the view fetches more as it scrolls
        elapsed = time.perf_counter() - started
        lib.close()
        return elapsed

    opened, _ = median_of(open_view, runs)
    lib = Library.open(path)
    words = ["ceasefire", "Geneva", '"grain exports"', "tariff*", "Kovalenko"]
    searches = []
    for word in words:
        searches.append(median_of(lambda w=word: _timed(lambda: lib.list_documents(DocumentQuery(search=w, limit=200))), runs)[0])
    counted = _timed(lambda: lib.list_documents(DocumentQuery(order_by="pending", descending=True, limit=200)))
    lib.close()
    return {
        "documents": n_docs,
        "marks": n_docs * marks_per_doc,
        "open_ms": opened * 1000,
        "search_ms": statistics.median(searches) * 1000,
        "search_max_ms": max(searches) * 1000,
        "sort_by_pending_ms": counted * 1000,
    }


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------- import


def bench_import(n: int = 1000, runs: int = 3) -> dict:
    from newsmark.services.importer import import_paths

    folder = Path(tempfile.mkdtemp(prefix="newsmark-import-"))
    txt, html, jsonl = folder / "txt", folder / "html", folder / "jsonl"
    for d in (txt, html, jsonl):
        d.mkdir()
    lines = []
    for i, (title, text) in enumerate(corpus.articles(n, words=600, seed=7)):
        (txt / f"{i:05d}.txt").write_text(f"{title}\n\n{text}", encoding="utf-8")
        paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        (html / f"{i:05d}.html").write_text(
            f"<html><head><title>{title}</title><meta name='author' content='Desk'></head><body><nav>Home · World</nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article><footer>© Paper</footer></body></html>",
            encoding="utf-8",
        )
        lines.append(json.dumps({"text": text + f" ({i})", "meta": {"title": title}}))
    (jsonl / "all.jsonl").write_text("\n".join(lines), encoding="utf-8")

    out = {}
    for name, path in (("txt", txt), ("html", html), ("jsonl", jsonl)):
        def once() -> float:
            lib = temp_library()
            started = time.perf_counter()
            summary = import_paths(lib, [path])
            elapsed = time.perf_counter() - started
            assert len(summary.added) == n, summary.headline()
            lib.close()
            return n / elapsed

        out[f"{name}_docs_per_s"], _ = median_of(once, runs)
    out["articles"] = n
    return out


# ---------------------------------------------------------------------------------------- annotate


def bench_annotate(n: int = 150, batch_size: int = 32, runs: int = 3) -> dict:
    """``newsmark annotate`` (stream from the library, spaCy, store suggestions) against bare ``nlp.pipe``."""
    from newsmark.model import NewDocument
    from newsmark.nlp.loader import load_pipeline, model_id
    from newsmark.services.annotate import annotate_documents

    texts = [text for _, text in corpus.articles(n, words=600, seed=8)]
    words = sum(len(t.split()) for t in texts)
    nlp = load_pipeline()
    nlp(texts[0])
    out: dict = {"articles": n, "words": words, "model": model_id(nlp), "batch_size": batch_size}
    for n_process in (1, 2):
        def bare() -> float:
            started = time.perf_counter()
            for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
                pass
            return words / (time.perf_counter() - started)

        def full() -> float:
            lib = temp_library()
            ids = [r.doc_id for r in lib.add_documents(NewDocument(text=t, title=str(i)) for i, t in enumerate(texts))]
            started = time.perf_counter()
            annotate_documents(lib, nlp, ids, batch_size=batch_size, n_process=n_process)
            rate = words / (time.perf_counter() - started)
            lib.close()
            return rate

        # Interleave so both see the same machine state.
        bare_rates, full_rates = [], []
        for _ in range(runs):
            bare_rates.append(bare())
            full_rates.append(full())
        out[f"bare_wps_{n_process}"] = statistics.median(bare_rates)
        out[f"annotate_wps_{n_process}"] = statistics.median(full_rates)
        out[f"ratio_{n_process}"] = statistics.median(f / b for f, b in zip(full_rates, bare_rates))
    out["scaling"] = out["annotate_wps_2"] / out["annotate_wps_1"]
    return out


# ---------------------------------------------------------------------------------------- report

BENCHMARKS = {
    "startup": bench_startup,
    "reader": bench_reader,
    "library": bench_library,
    "import": bench_import,
    "annotate": bench_annotate,
}


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import PySide6
    import spacy
    import sqlite3

    return (
        f"{os.cpu_count()} cores ({cpu or platform.processor()}){mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, Qt/PySide6 {PySide6.__version__}, spaCy {spacy.__version__}"
    )


def verdict(value: float | None, target: float, higher_is_better: bool = False) -> str:
    if value is None:
        return "—"
    ok = value >= target if higher_is_better else value <= target
    return "✅ met" if ok else "❌ missed"


def render(results: dict) -> str:
    m = results.get("_machine", "")
    when = results.get("_when", "")
    lines = [
        "# Performance",
        "",
        "Figures from `tests/perf/run.py` (run it with `.venv/bin/python tests/perf/run.py`; "
        "`... run.py reader` runs one group). Medians of several runs; synthetic articles from `tests/perf/corpus.py`.",
        "",
        f"Machine: {m}. Measured {when}.",
        "",
        "| what | figure | target | |",
        "|---|---:|---:|---|",
    ]
    s = results.get("startup")
    if s:
        lines.append(f"| start-up: process start → main window shown and responsive (offscreen, 3 sample articles) | {s['window_s']:.2f} s | < 1 s | {verdict(s['window_s'], 1.0)} |")
        lines.append(f"| start-up: process start → language model ready ({s['model']}), in a separate process | {s['model_s']:.2f} s | reported | — |")
    r = results.get("reader")
    if r:
        lines += [
            f"| open a 5,000-word article with 500 marks (store read + layout + paint) | {r['open_5k_ms']:.0f} ms | < 50 ms | {verdict(r['open_5k_ms'], 50)} |",
            f"| open a 100,000-word article with 15,000 marks (+ claims) | {r['open_100k_ms']:.0f} ms | < 1,000 ms | {verdict(r['open_100k_ms'], 1000)} |",
            f"| that article: background layout after opening (the window stays responsive meanwhile) | {r['background_layout_s'] * 1000:.0f} ms | reported | — |",
            f"| scroll that article page by page ({r['scroll_frames']} frames): median / p95 / worst frame | {r['scroll_median_ms']:.1f} / {r['scroll_p95_ms']:.1f} / {r['scroll_max_ms']:.1f} ms | < 16 ms | {verdict(r['scroll_p95_ms'], 16)} (p95) |",
            f"| accept a mark in that article: key → committed → repainted | {r['accept_ms']:.1f} ms | < 30 ms | {verdict(r['accept_ms'], 30)} |",
            f"| relabel a mark in that article | {r['relabel_ms']:.1f} ms | < 30 ms | {verdict(r['relabel_ms'], 30)} |",
        ]
        if r.get("create_ms") is not None:
            lines.append(f"| create a mark in that article | {r['create_ms']:.1f} ms | < 30 ms | {verdict(r['create_ms'], 30)} |")
    lb = results.get("library")
    if lb:
        lines += [
            f"| library of {lb['documents']:,} articles / {lb['marks']:,} marks: open the library and read the first screen | {lb['open_ms']:.0f} ms | < 300 ms | {verdict(lb['open_ms'], 300)} |",
            f"| full-text search over it (median of 5 queries; slowest) | {lb['search_ms']:.1f} ms ({lb['search_max_ms']:.1f}) | < 50 ms | {verdict(lb['search_max_ms'], 50)} |",
            f"| sort it by pending marks | {lb['sort_by_pending_ms']:.0f} ms | reported | — |",
        ]
    im = results.get("import")
    if im:
        lines += [
            f"| import {im['articles']:,} .txt articles (600 words) | {im['txt_docs_per_s']:,.0f} articles/s | reported | — |",
            f"| import {im['articles']:,} .html pages | {im['html_docs_per_s']:,.0f} articles/s | reported | — |",
            f"| import {im['articles']:,} articles from one .jsonl | {im['jsonl_docs_per_s']:,.0f} articles/s | reported | — |",
        ]
    an = results.get("annotate")
    if an:
        lines += [
            f"| pre-annotation, 1 process: `annotate` (incl. database writes) ÷ bare `nlp.pipe`, same model and batch size ({an['annotate_wps_1']:,.0f} vs {an['bare_wps_1']:,.0f} words/s) | {an['ratio_1']:.2f} | ≥ 0.90 | {verdict(an['ratio_1'], 0.9, True)} |",
            f"| the same with 2 processes ({an['annotate_wps_2']:,.0f} vs {an['bare_wps_2']:,.0f} words/s) | {an['ratio_2']:.2f} | ≥ 0.90 | {verdict(an['ratio_2'], 0.9, True)} |",
            f"| 2 processes ÷ 1 process (annotate) | {an['scaling']:.2f}× | ≥ 1.6× | {verdict(an['scaling'], 1.6, True)} |",
        ]
    lines += ["", "Details of each run are in `tests/perf/results.json` (not committed). Notes:", ""]
    notes = results.get("_notes_md") or NOTES
    lines.append(notes)
    return "\n".join(lines) + "\n"


NOTES = """\
- Figures taken while other work runs on the same two cores are pessimistic in absolute time;
  the annotate ratio is interleaved run by run and less affected.
- Misses and plans (issue 7): start-up is dominated by importing SQLAlchemy and Qt — plan: show
  the window before the store is imported, or lazy-load the ORM; pre-annotation — plan: commit
  several articles per transaction and build suggestions inside spaCy's worker processes.
- *Pre-annotation* streams texts from the library a chunk at a time into `nlp.pipe` and writes
  each article's suggestions in its own transaction as it comes out; `annotate` includes the
  claim detector, which bare `nlp.pipe` (the same loaded pipeline) runs too, so the ratio isolates
  the cost of reading texts and writing suggestions. The annotate benchmark uses 150 articles of
  ~600 words (not 1,000) to keep a run of the whole suite within a few minutes; pass a larger `n`
  to `bench_annotate` for the full figure.
- *Library* figures use rows bulk-loaded with `sqlite3` (set-up only); the measured path is
  `Library.open` + `Library.list_documents`, exactly what the app's library view calls.
- *Reader* figures drive the real `MainWindow` offscreen: `open_document` then processing events
  and painting the viewport.
"""


def main(argv: list[str]) -> int:
    wanted = argv or list(BENCHMARKS)
    unknown = [w for w in wanted if w not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in wanted:
        print(f"running {name} …", flush=True)
        started = time.perf_counter()
        results[name] = BENCHMARKS[name]()
        print(f"  {name}: {json.dumps(results[name])} ({time.perf_counter() - started:.0f} s)", flush=True)
        results["_machine"] = machine()
        results["_when"] = time.strftime("%Y-%m-%d")
        RESULTS.write_text(json.dumps(results, indent=2))
        DOC.write_text(render(results), encoding="utf-8")
    print(f"wrote {DOC}")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown of Qt objects


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
