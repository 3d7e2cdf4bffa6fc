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

The two arms alternate every 100 articles (each run: bare on articles 0–99, annotate
on them, bare on 100–199, …), so a slow minute of the machine falls on both; each
arm's figure is all its words over all its time. The library fills up as the run
goes (≈ 200 marks an article), as it would.

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


def bench_annotate(articles: int = 1000, runs: int = 3, batch_size: int = 32, slice_size: int = 100, spawned_only: bool = False) -> dict:
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
    slices = [range(i, min(i + slice_size, articles)) for i in range(0, articles, slice_size)]

    def new_library() -> tuple[Library, list[int]]:
        made[0] += 1
        lib = Library.open(folder / f"bench{made[0]}.sqlite")
        lib.set_setting("seeds_loaded", True)
        return lib, [r.doc_id for r in lib.add_documents(NewDocument(text=t, title=str(i)) for i, t in enumerate(texts))]

    def one_run(n_process: int, method: str | None = None, parts: list[range] = slices) -> tuple[float, float]:
        """(bare, annotate) words/s over all the articles, the two arms alternating slice by slice."""
        lib, ids = new_library()
        bare_s = full_s = 0.0
        real = suggest.start_method
        if method:
            suggest.start_method = lambda **_: method  # type: ignore[assignment]
        try:
            for part in parts:
                started = time.perf_counter()
                for _ in nlp.pipe((texts[i] for i in part), batch_size=batch_size, n_process=n_process):
                    pass
                bare_s += time.perf_counter() - started
                started = time.perf_counter()
                summary = annotate_documents(lib, nlp, [ids[i] for i in part], batch_size=batch_size, n_process=n_process)
                full_s += time.perf_counter() - started
                assert summary.documents == len(part) and not summary.cancelled
        finally:
            suggest.start_method = real  # type: ignore[assignment]
        lib.close()
        (folder / f"bench{made[0]}.sqlite").unlink()
        return words / bare_s, words / full_s

    out["start_method_2"] = start_method()
    for n_process in (1, 2) if not spawned_only else ():
        bare_rates, full_rates = [], []
        for _ in range(runs):
            bare_rate, full_rate = one_run(n_process)
            bare_rates.append(bare_rate)
            full_rates.append(full_rate)
            print(f"  {n_process} process(es): bare {bare_rate:,.0f}, annotate {full_rate:,.0f} words/s", file=sys.stderr, flush=True)
        out[f"bare_wps_{n_process}"] = statistics.median(bare_rates)
        out[f"annotate_wps_{n_process}"] = statistics.median(full_rates)
        out[f"all_bare_wps_{n_process}"] = bare_rates
        out[f"all_annotate_wps_{n_process}"] = full_rates
        out[f"ratio_{n_process}"] = statistics.median(f / b for f, b in zip(full_rates, bare_rates))
    if not spawned_only:
        out["scaling"] = out["annotate_wps_2"] / out["annotate_wps_1"]
        out["bare_scaling"] = out["bare_wps_2"] / out["bare_wps_1"]
    # the app's way: spawned workers (each imports spaCy and unpickles the pipeline: once
    # per job, so here one job over all the articles, not one per slice), once
    out["annotate_wps_2_spawned"] = one_run(2, "spawn", parts=[range(articles)])[1]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spawned-only", action="store_true", help="only the app's way (spawned workers), e.g. to redo that row")
    args = parser.parse_args()
    print(json.dumps(bench_annotate(args.articles, args.runs, spawned_only=args.spawned_only)))


if __name__ == "__main__":
    main()
