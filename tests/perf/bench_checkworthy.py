"""What the check-worthiness model adds to the claim detector, per 1,000-word article.

    .venv/bin/python tests/perf/bench_checkworthy.py                  # synthetic articles (corpus.py)
    .venv/bin/python tests/perf/bench_checkworthy.py --polnear ../shared/data/polnear/dev
    .venv/bin/python tests/perf/bench_checkworthy.py --json

Not a test (pytest ignores tests/perf). The articles are parsed once by spaCy;
then, over the same parsed Docs, it times

- ``detect()`` with the shipped model deciding the unattributed sentences, and
  ``detect()`` with the hand-set rules alone: the difference is what the model
  adds to the claim detector (the target: under 20 ms per 1,000 words);
- the model alone: features and score of every sentence of the article (an
  upper bound: the detector only asks about sentences no attribution covers);
- reading the model file (once per process).

Each figure is the fastest of ``--runs`` interleaved passes over all articles
in CPU time of the process (the machine may be shared), divided by their words /
1,000. The results go to ``docs/quality.md`` by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def _texts(args: argparse.Namespace) -> tuple[str, list[str]]:
    if args.polnear:
        folder = Path(args.polnear) / "text"
        paths = sorted(folder.glob("*.txt"))[: args.articles]
        if not paths:
            raise SystemExit(f"error: no .txt files in {folder}")
        return f"PolNeAR {Path(args.polnear).name} ({len(paths)} articles)", [p.read_text(encoding="utf-8") for p in paths]
    return f"synthetic ({args.articles} articles of ~1,000 words, corpus.py seed 7)", [t for _, t in corpus.articles(args.articles, words=1000, seed=7)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--polnear", default=None, metavar="DIR", help="real articles: DIR/text/*.txt")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: the best installed)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from newsmark.nlp.attribution import detect
    from newsmark.nlp.checkworthy import CheckworthyModel, DocFeatures, default_model_path
    from newsmark.nlp.claims import FACTORY
    from newsmark.nlp.loader import load_pipeline, model_id

    started = time.perf_counter()
    model = CheckworthyModel.load(default_model_path())
    load_ms = (time.perf_counter() - started) * 1000

    nlp = load_pipeline(args.model)
    corpus_name, texts = _texts(args)
    with nlp.select_pipes(disable=[FACTORY]):
        docs = list(nlp.pipe(texts, batch_size=16))
    words = sum(sum(1 for t in doc if not (t.is_space or t.is_punct)) for doc in docs)
    per_k = words / 1000

    def model_on_every_sentence() -> None:
        for d in docs:
            features = DocFeatures(d)
            for s in d.sents:
                model.logit(features.span(s.start, s.end))

    # the machine may be shared: the three are interleaved, timed in CPU time of this
    # process (time.process_time), and the fastest pass of each is kept
    jobs = {
        "with_model": lambda: [detect(d, checkworthy=model) for d in docs],
        "rules_only": lambda: [detect(d) for d in docs],
        "model_alone": model_on_every_sentence,
    }
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(args.runs):
        for name, fn in jobs.items():
            t0 = time.process_time()
            fn()
            times[name].append((time.process_time() - t0) * 1000 / per_k)
    with_model, rules_only, model_alone = (min(times[k]) for k in ("with_model", "rules_only", "model_alone"))
    result = {
        "corpus": corpus_name,
        "pipeline": model_id(nlp),
        "words": words,
        "runs": args.runs,
        "ms_per_1000_words": {
            "detect_with_model": round(with_model, 2),
            "detect_rules_only": round(rules_only, 2),
            "added_by_model": round(with_model - rules_only, 2),
            "model_alone_every_sentence": round(model_alone, 2),
        },
        "model_load_ms": round(load_ms, 1),
        "model_file_bytes": default_model_path().stat().st_size,
        "model_features": len(model.weights),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        ms = result["ms_per_1000_words"]
        print(f"Check-worthiness model cost — {corpus_name}, {words:,} words, {result['pipeline']}, fastest of {args.runs} runs (CPU time)\n")
        print("| per 1,000 words | ms |\n|---|---:|")
        print(f"| detect() with the model | {ms['detect_with_model']:.2f} |")
        print(f"| detect() with the rules alone | {ms['detect_rules_only']:.2f} |")
        print(f"| **added by the model** | **{ms['added_by_model']:.2f}** |")
        print(f"| the model alone on every sentence | {ms['model_alone_every_sentence']:.2f} |")
        print(f"\nmodel file: {result['model_file_bytes']:,} bytes, {result['model_features']:,} features, read in {load_ms:.0f} ms (once per process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
