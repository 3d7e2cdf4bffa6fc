"""Pre-annotation benchmark: ``newsmark annotate`` against bare spaCy ``nlp.pipe``, 1 and 2 processes.

    .venv/bin/python tests/perf/bench_annotate.py [--articles 1000] [--runs 3]

Runs in a process of its own with no Qt loaded, as ``newsmark annotate`` does
(the CLI forks its workers; the app, with Qt's threads, spawns them — that arm is
measured too). Synthetic articles of about 600 words (``tests/perf/corpus.py``),
the installed pipeline with the claim detector, batch size 32. Per process count,
interleaved so both arms see the same machine state:

- ``bare``: ``nlp.pipe(texts, batch_size=32, n_process=n)`` — spaCy alone, with
  the same pipeline (entities, parse and the claim detector), nothing stored;
- ``annotate``: ``services.annotate.annotate_documents`` on a fresh library holding
  the articles — read the texts, run the pipeline, turn the claims into marks and
  relations, write them (what ``newsmark annotate --all -j n`` does).

Reports the medians in words/second, ratio annotate ÷ bare per process count
(target ≥ 0.90) and the scaling 2 processes ÷ 1 process of ``annotate`` (target ≥ 1.6).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "desktop"))


def bench_annotate(articles: int = 1000, runs: int = 3, batch_size: int = 32) -> dict:
    import corpus

    from newsmark.model import NewDocument
    from newsmark.nlp import suggest
    from newsmark.nlp.loader import load_pipeline, model_id
    from newsmark.parallel import start_method
    from newsmark.services.annotate import annotate_documents
    from newsmark.store import Library

    assert "PySide6.QtCore" not in sys.modules, "run in a process without Qt, as the CLI is"
    texts = [text for _, text in corpus.articles(articles, words=600, seed=8)]
    words = sum(len(t.split()) for t in texts)
    nlp = load_pipeline()
    nlp(texts[0])
    folder = Path(tempfile.mkdtemp(prefix="newsmark-bench-annotate-"))
    os.environ["NEWSMARK_DATA_DIR"] = str(folder)
    out: dict = {"articles": articles, "words": words, "model": model_id(nlp), "batch_size": batch_size, "runs": runs}
    made = [0]

    def bare(n_process: int) -> float:
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            pass
        return words / (time.perf_counter() - started)

    def full(n_process: int) -> float:
        made[0] += 1
        lib = Library.open(folder / f"bench{made[0]}.sqlite")
        lib.set_setting("seeds_loaded", True)
        ids = [r.doc_id for r in lib.add_documents(NewDocument(text=t, title=str(i)) for i, t in enumerate(texts))]
        started = time.perf_counter()
        summary = annotate_documents(lib, nlp, ids, batch_size=batch_size, n_process=n_process)
        rate = words / (time.perf_counter() - started)
        assert summary.documents == articles and not summary.cancelled
        lib.close()
        (folder / f"bench{made[0]}.sqlite").unlink()
        return rate

    out["start_method_2"] = start_method()
    for n_process in (1, 2):
        bare_rates, full_rates = [], []
        for _ in range(runs):
            bare_rates.append(bare(n_process))
            full_rates.append(full(n_process))
            print(f"  {n_process} process(es): bare {bare_rates[-1]:,.0f}, annotate {full_rates[-1]:,.0f} words/s", file=sys.stderr, flush=True)
        out[f"bare_wps_{n_process}"] = statistics.median(bare_rates)
        out[f"annotate_wps_{n_process}"] = statistics.median(full_rates)
        out[f"all_bare_wps_{n_process}"] = bare_rates
        out[f"all_annotate_wps_{n_process}"] = full_rates
        out[f"ratio_{n_process}"] = statistics.median(f / b for f, b in zip(full_rates, bare_rates))
    out["scaling"] = out["annotate_wps_2"] / out["annotate_wps_1"]
    out["bare_scaling"] = out["bare_wps_2"] / out["bare_wps_1"]
    # the app's way: spawned workers (each imports spaCy and unpickles the pipeline), once
    real = suggest.start_method
    suggest.start_method = lambda **_: "spawn"  # type: ignore[assignment]
    try:
        out["annotate_wps_2_spawned"] = full(2)
    finally:
        suggest.start_method = real  # type: ignore[assignment]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(bench_annotate(args.articles, args.runs)))


if __name__ == "__main__":
    main()
