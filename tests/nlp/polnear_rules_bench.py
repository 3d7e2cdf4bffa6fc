"""Dev helper: score the attribution rules on PolNeAR over cached parses (seconds per run, not minutes).

    .venv/bin/python tests/nlp/polnear_rules_bench.py ../shared/data/polnear/train
    .venv/bin/python tests/nlp/polnear_rules_bench.py ../shared/data/polnear/dev --cache /tmp/newsmark-polnear

The first run parses every article with the pipeline *without* the claim detector and stores the
Docs as a DocBin in the cache folder (outside the repository: no PolNeAR text is ever written
here); later runs read the DocBin back, run only the claim detector (the rules as they are in the
working tree) and score exactly as ``newsmark eval attribution`` does (same gold reading, same
suggestions, same matching). Delete the cache after changing the pipeline or the spaCy model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="a PolNeAR split: DIR/text/*.txt + DIR/attributions/*.ann")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsmark-polnear-cache"))
    args = parser.parse_args(argv)

    from spacy.tokens import DocBin

    from newsmark.formats.brat_gold import list_gold_articles
    from newsmark.nlp.claims import FACTORY, ClaimDetector
    from newsmark.nlp.loader import load_pipeline
    from newsmark.nlp.suggest import doc_to_suggestions
    from newsmark.services.evaluation import PRF, ROLES, gold_attribution_spans, predicted_attribution_spans, score_spans

    articles = list_gold_articles(args.dir)
    key = hashlib.sha256(str(args.dir.resolve()).encode()).hexdigest()[:12]
    bin_path, names_path = args.cache / f"{key}.spacy", args.cache / f"{key}.json"
    nlp = load_pipeline()
    if not bin_path.is_file():
        args.cache.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        docbin = DocBin(store_user_data=False)
        with nlp.select_pipes(disable=[FACTORY]):
            for doc in nlp.pipe((a.text() for a in articles), batch_size=16):
                docbin.add(doc)
        docbin.to_disk(bin_path)
        names_path.write_text(json.dumps([a.text_path.name for a in articles]), encoding="utf-8")
        print(f"parsed {len(articles)} articles in {time.perf_counter() - started:.0f} s, cached in {bin_path}")
    names = json.loads(names_path.read_text(encoding="utf-8"))
    if names != [a.text_path.name for a in articles]:
        raise SystemExit(f"{bin_path} holds other articles: delete it and run again")
    docs = list(DocBin().from_disk(bin_path).get_docs(nlp.vocab))
    detector = ClaimDetector(factual=False)  # unattributed claims do not count here
    exact = {r: PRF() for r in ROLES}
    overlap = {r: PRF() for r in ROLES}
    cpu = time.process_time()
    for doc, article in zip(docs, articles, strict=True):
        predicted = predicted_attribution_spans(doc_to_suggestions(detector(doc), "bench"))
        gold = gold_attribution_spans(article.ann_paths[:1], article.text_path)
        for role in ROLES:
            e, o = score_spans(doc.text, predicted[role], gold[role])
            exact[role].add(e)
            overlap[role].add(o)
    cpu = time.process_time() - cpu
    print("| role | match | P | R | F1 | predicted | gold |\n|---|---|---:|---:|---:|---:|---:|")
    for role in ROLES:
        for name, table in (("exact", exact), ("overlap", overlap)):
            p = table[role]
            print(f"| {role} | {name} | {p.precision:.3f} | {p.recall:.3f} | {p.f1:.3f} | {p.predicted} | {p.gold} |")
    print(f"\nrules + suggestions + scoring: {cpu:.1f} s CPU for {len(docs)} articles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
