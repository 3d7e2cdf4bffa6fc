"""How good are the suggestions? Scoring the claim detector against gold data.

``eval_attribution(DIR, nlp)`` — PolNeAR-style brat gold (``DIR/text/*.txt``,
``DIR/attributions/*.ann``). What is compared, per role (source, cue, content):

- predictions: the spans of the app's own suggestions
  (:func:`newsmark.nlp.suggest.doc_to_suggestions`) — the content of every
  ``QUOTE``/``REPORTED`` claim, every ``SOURCE`` and every ``CUE`` span. The
  unattributed claim types (statistic, comparison, prediction, assertion) are
  not attributions and are left out. Each distinct span counts once.
- gold: the Source, Cue and Content of every ``Attribution`` and
  ``Attribution-no-source`` event, each distinct span once. A discontinuous
  gold span (``start end;start end``) keeps its fragments.
- **one annotator per article**: PolNeAR gives some articles several ``.ann``
  files (``name_xxxx.ann``, one per annotator). Their union would count the
  same attribution several times with slightly different boundaries, so the
  first file in name order is used (deterministic; ``annotator="all"`` takes
  the union instead, for comparison).
- **exact**: a prediction matches a gold span when both, with surrounding
  whitespace, punctuation and quotation marks stripped, have the same start
  and end — compared with the gold span as a whole (first to last fragment)
  and with each of its fragments.
- **overlap**: a prediction matches a gold span of the same role when they
  share at least one character (after the same stripping) in any fragment.
- precision = matched predictions / predictions; recall = matched gold spans /
  gold spans (neither side is forced one-to-one); F1 their harmonic mean.

``eval_checkworthy(FILE.tsv, nlp)`` — CheckThat! sentences: by default a
sentence is predicted check-worthy when the check-worthiness model says so (the
model that decides for every sentence no attribution covers); ``mode="detector"``
counts a sentence when the claim detector marks a claim of any type in it, and
``mode="rules"`` does the same with the hand-set rules instead of the model.
Precision, recall and F1 of the "Yes" class, and accuracy.

Run it yourself: ``python -m newsmark.services.evaluation attribution DIR``,
``... checkworthy FILE.tsv``, ``... throughput DIR`` (``--model NAME``, ``--limit N``).
"""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsmark.formats.brat_gold import list_gold_articles, read_ann
from newsmark.formats.checkworthy import read_checkworthy
from newsmark.labels import CLAIM_TYPE_LABELS
from newsmark.model import ClaimType, SpanKind, Suggestions

Language = Any  # a spaCy pipeline; only newsmark.nlp imports spaCy (lazily)

ROLES = ("source", "cue", "content")
ATTRIBUTION_LABELS = frozenset((CLAIM_TYPE_LABELS[ClaimType.DIRECT_QUOTE], CLAIM_TYPE_LABELS[ClaimType.REPORTED]))

Fragments = tuple[tuple[int, int], ...]


# ---------------------------------------------------------------- scores


@dataclass(slots=True)
class PRF:
    """Counts behind a precision/recall/F1 figure."""

    matched_predicted: int = 0
    predicted: int = 0
    matched_gold: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched_predicted / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.matched_predicted += other.matched_predicted
        self.predicted += other.predicted
        self.matched_gold += other.matched_gold
        self.gold += other.gold


def _is_trim_char(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in ("P", "Z")


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without surrounding whitespace, punctuation and quotation marks (may become empty)."""
    while start < end and _is_trim_char(text[start]):
        start += 1
    while end > start and _is_trim_char(text[end - 1]):
        end -= 1
    return start, end


def _normalise(text: str, fragments: Iterable[tuple[int, int]]) -> Fragments:
    out = []
    for s, e in fragments:
        s, e = strip_span(text, s, e)
        if e > s:
            out.append((s, e))
    return tuple(sorted(out))


def score_spans(text: str, predicted: Iterable[Fragments], gold: Iterable[Fragments]) -> tuple[PRF, PRF]:
    """(exact, overlap) counts for one role of one document.

    Spans are tuples of fragments; both sides are stripped (see :func:`strip_span`)
    and deduplicated first; spans that strip to nothing are dropped.
    """
    preds = sorted({n for n in (_normalise(text, p) for p in predicted) if n})
    golds = sorted({n for n in (_normalise(text, g) for g in gold) if n})

    def exact(p: Fragments, g: Fragments) -> bool:
        hull = (g[0][0], max(e for _, e in g))
        candidates = {hull, *g}
        p_hull = (p[0][0], max(e for _, e in p))
        return p_hull in candidates or p == g

    def overlap(p: Fragments, g: Fragments) -> bool:
        return any(ps < ge and gs < pe for ps, pe in p for gs, ge in g)

    results = []
    for match in (exact, overlap):
        prf = PRF(predicted=len(preds), gold=len(golds))
        prf.matched_predicted = sum(1 for p in preds if any(match(p, g) for g in golds))
        prf.matched_gold = sum(1 for g in golds if any(match(p, g) for p in preds))
        results.append(prf)
    return results[0], results[1]


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- attribution


@dataclass(slots=True)
class AttributionReport:
    """PolNeAR-style attribution scores, per role, exact and overlap."""

    dataset: str
    model: str
    documents: int = 0
    words: int = 0
    seconds: float = 0.0
    annotator: str = "first"
    exact: dict[str, PRF] = field(default_factory=lambda: {r: PRF() for r in ROLES})
    overlap: dict[str, PRF] = field(default_factory=lambda: {r: PRF() for r in ROLES})
    problems: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str, float, float, float, int, int]]:
        """``(role, match, precision, recall, f1, predicted, gold)`` rows."""
        out = []
        for role in ROLES:
            for name, table in (("exact", self.exact), ("overlap", self.overlap)):
                prf = table[role]
                out.append((role, name, prf.precision, prf.recall, prf.f1, prf.predicted, prf.gold))
        return out

    def f1(self, role: str, match: str = "overlap") -> float:
        return (self.overlap if match == "overlap" else self.exact)[role].f1

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "model": self.model,
            "documents": self.documents,
            "words": self.words,
            "seconds": round(self.seconds, 2),
            "annotator": self.annotator,
            "scores": [
                {"role": r, "match": m, "precision": round(p, 4), "recall": round(rc, 4), "f1": round(f, 4), "predicted": np, "gold": ng}
                for r, m, p, rc, f, np, ng in self.rows()
            ],
        }

    def to_markdown(self) -> str:
        rows = [
            (role, match, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", str(np), str(ng))
            for role, match, p, r, f, np, ng in self.rows()
        ]
        head = (
            f"Attribution: {self.dataset} — {self.documents} articles, {self.words:,} words, "
            f"model {self.model}, annotator: {self.annotator}\n\n"
        )
        return head + _table(rows, ("role", "match", "precision", "recall", "F1", "predicted", "gold"))

    def __str__(self) -> str:
        return self.to_markdown()


def predicted_attribution_spans(suggestions: Suggestions) -> dict[str, list[Fragments]]:
    """The source, cue and content spans of a document's attributed claims."""
    out: dict[str, list[Fragments]] = {r: [] for r in ROLES}
    for span in suggestions.spans:
        if span.kind == SpanKind.CLAIM and span.label in ATTRIBUTION_LABELS:
            out["content"].append(((span.start, span.end),))
        elif span.kind == SpanKind.SOURCE:
            out["source"].append(((span.start, span.end),))
        elif span.kind == SpanKind.CUE:
            out["cue"].append(((span.start, span.end),))
    return out


def gold_attribution_spans(ann_paths: Sequence[Path], text_path: Path, problems: list[str] | None = None) -> dict[str, list[Fragments]]:
    out: dict[str, list[Fragments]] = {r: [] for r in ROLES}
    for ann_path in ann_paths:
        gold = read_ann(ann_path, text_path)
        if problems is not None:
            problems.extend(gold.problems)
        for attribution in gold.attributions:
            for role in ROLES:
                out[role].extend(tb.fragments for tb in attribution.role(role))
    return out


def eval_attribution(
    folder: Path | str,
    nlp: Language,
    limit: int | None = None,
    *,
    annotator: str = "first",
    batch_size: int = 16,
) -> AttributionReport:
    """Score source, cue and content spans against PolNeAR-style gold (see the module notes)."""
    from newsmark.nlp.loader import add_claim_detector, model_id
    from newsmark.nlp.suggest import doc_to_suggestions

    if annotator not in ("first", "all"):
        raise ValueError("annotator must be 'first' or 'all'")
    folder = Path(folder)
    articles = list_gold_articles(folder)
    if limit is not None:
        articles = articles[:limit]
    add_claim_detector(nlp)
    model = model_id(nlp)
    report = AttributionReport(dataset=str(folder), model=model, annotator=annotator)
    texts = [(a.text(), a) for a in articles]
    started = time.perf_counter()
    for doc, article in nlp.pipe(texts, as_tuples=True, batch_size=batch_size):
        suggestions = doc_to_suggestions(doc, model)
        anns = article.ann_paths[:1] if annotator == "first" else article.ann_paths
        gold = gold_attribution_spans(anns, article.text_path, report.problems)
        predicted = predicted_attribution_spans(suggestions)
        for role in ROLES:
            exact, overlap = score_spans(doc.text, predicted[role], gold[role])
            report.exact[role].add(exact)
            report.overlap[role].add(overlap)
        report.documents += 1
        report.words += sum(1 for t in doc if not (t.is_space or t.is_punct))
    report.seconds = time.perf_counter() - started
    return report


# ---------------------------------------------------------------- check-worthiness


@dataclass(slots=True)
class CheckworthyReport:
    """Sentence-level check-worthiness: the "Yes" class, and accuracy."""

    dataset: str
    model: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    by_type: dict[str, int] = field(default_factory=dict)  # predicted-positive sentences per claim type

    @property
    def sentences(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.sentences if self.sentences else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "model": self.model,
            "sentences": self.sentences,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "accuracy": round(self.accuracy, 4),
            "by_type": dict(self.by_type),
        }

    def to_markdown(self) -> str:
        head = f"Check-worthiness: {self.dataset} — {self.sentences} sentences, model {self.model}\n\n"
        table = _table(
            [(f"{self.precision:.3f}", f"{self.recall:.3f}", f"{self.f1:.3f}", f"{self.accuracy:.3f}", str(self.tp), str(self.fp), str(self.fn), str(self.tn))],
            ("P (Yes)", "R (Yes)", "F1 (Yes)", "accuracy", "TP", "FP", "FN", "TN"),
        )
        types = ", ".join(f"{k} {v}" for k, v in sorted(self.by_type.items()))
        return head + table + (f"\n\nPredicted check-worthy, by strongest claim type: {types}" if types else "")

    def __str__(self) -> str:
        return self.to_markdown()


CHECKWORTHY_MODES = ("model", "detector", "rules")


def eval_checkworthy(
    tsv: Path | str,
    nlp: Language,
    limit: int | None = None,
    *,
    batch_size: int = 64,
    mode: str = "model",
    model_path: Path | str | None = None,
) -> CheckworthyReport:
    """Sentence-level check-worthiness against a CheckThat! TSV (see the module notes).

    ``mode``: ``"model"`` — the check-worthiness model's decision on the
    sentence (what the claim detector uses for every sentence no attribution
    covers); ``"detector"`` — the sentence counts as check-worthy when the
    claim detector marks a claim of any type in it (attributions included);
    ``"rules"`` — the same with the hand-set rules instead of the model (the
    detector before the model, for comparison). ``model_path``: another model
    file than the shipped one.
    """
    from newsmark.nlp.checkworthy import load_model, sentence_features
    from newsmark.nlp.claims import FACTORY, claims_of
    from newsmark.nlp.loader import add_claim_detector, model_id

    if mode not in CHECKWORTHY_MODES:
        raise ValueError(f"mode must be one of {', '.join(CHECKWORTHY_MODES)}")
    tsv = Path(tsv)
    sentences = [s for s in read_checkworthy(tsv) if s.label is not None]
    if limit is not None:
        sentences = sentences[:limit]
    add_claim_detector(nlp)
    detector = nlp.get_pipe(FACTORY)
    saved = detector.checkworthy_model
    cw_model = None
    if mode != "rules":
        cw_model = load_model(model_path)  # a bad file stops here, with its name
    described = "rules" if mode == "rules" else Path(model_path).name if model_path else "checkworthy-en.json"
    report = CheckworthyReport(dataset=str(tsv), model=f"{model_id(nlp)} + {described} ({mode})")
    try:
        if mode == "rules":
            detector.checkworthy_model = ""
        elif model_path is not None:
            detector.checkworthy_model = str(model_path)
        if mode == "model":
            assert cw_model is not None
            with nlp.select_pipes(disable=[FACTORY]):
                docs = nlp.pipe(((s.text, s) for s in sentences), as_tuples=True, batch_size=batch_size)
                results = [(cw_model.logit(sentence_features(doc[:])) >= cw_model.threshold, None, item) for doc, item in docs]
        else:
            results = []
            for doc, item in nlp.pipe(((s.text, s) for s in sentences), as_tuples=True, batch_size=batch_size):
                claims = claims_of(doc)
                best = max(claims, key=lambda c: c.score).claim_type.value if claims else None
                results.append((bool(claims), best, item))
    finally:
        detector.checkworthy_model = saved
    for predicted, kind, item in results:
        if predicted and kind:
            report.by_type[kind] = report.by_type.get(kind, 0) + 1
        if predicted and item.label:
            report.tp += 1
        elif predicted:
            report.fp += 1
        elif item.label:
            report.fn += 1
        else:
            report.tn += 1
    return report


# ---------------------------------------------------------------- throughput


@dataclass(slots=True)
class ThroughputReport:
    dataset: str
    model: str
    documents: int
    words: int
    seconds_annotate: float
    seconds_bare: float
    n_process: int = 1

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds_annotate if self.seconds_annotate else 0.0

    @property
    def bare_words_per_second(self) -> float:
        return self.words / self.seconds_bare if self.seconds_bare else 0.0

    def to_markdown(self) -> str:
        ratio = self.words_per_second / self.bare_words_per_second if self.bare_words_per_second else 0.0
        return (
            f"Throughput: {self.dataset} — {self.documents} documents, {self.words:,} words, model {self.model}, "
            f"{self.n_process} process(es)\n\n"
            + _table(
                [
                    ("annotate() (pipeline + claims + suggestions)", f"{self.seconds_annotate:.2f}", f"{self.words_per_second:,.0f}"),
                    ("bare nlp.pipe (pipeline without the claim detector)", f"{self.seconds_bare:.2f}", f"{self.bare_words_per_second:,.0f}"),
                ],
                ("run", "seconds", "words/s"),
            )
            + f"\n\nannotate / bare: {ratio:.2f}"
        )


def measure_throughput(texts: Sequence[str], nlp: Language, *, n_process: int = 1, batch_size: int = 32, dataset: str = "") -> ThroughputReport:
    """Words per second of :func:`~newsmark.nlp.suggest.annotate`, and of the bare pipeline for comparison."""
    from newsmark.nlp.claims import FACTORY
    from newsmark.nlp.loader import add_claim_detector, model_id
    from newsmark.nlp.suggest import annotate

    add_claim_detector(nlp)
    words = sum(len(t.split()) for t in texts)
    started = time.perf_counter()
    for _ in annotate(enumerate(texts), nlp, batch_size=batch_size, n_process=n_process):
        pass
    seconds_annotate = time.perf_counter() - started
    started = time.perf_counter()
    with nlp.select_pipes(disable=[FACTORY]):
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            pass
    seconds_bare = time.perf_counter() - started
    return ThroughputReport(dataset, model_id(nlp), len(texts), words, seconds_annotate, seconds_bare, n_process)


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m newsmark.services.evaluation", description="Score Newsmark's claim detector on gold data.")
    parser.add_argument("--model", default=None, help="spaCy pipeline to load (default: the best English one installed)")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("attribution", help="PolNeAR-style brat gold: DIR/text/*.txt + DIR/attributions/*.ann")
    a.add_argument("dir", type=Path)
    a.add_argument("--limit", type=int, default=None)
    a.add_argument("--annotator", choices=("first", "all"), default="first")
    c = sub.add_parser("checkworthy", help="CheckThat! TSV (Sentence_id, Text, class_label)")
    c.add_argument("tsv", type=Path)
    c.add_argument("--limit", type=int, default=None)
    c.add_argument("--mode", choices=CHECKWORTHY_MODES, default="model")
    c.add_argument("--checkworthy-model", type=Path, default=None, help="another model file than the shipped one")
    t = sub.add_parser("throughput", help="words/second of annotate() over DIR/text/*.txt (or DIR/*.txt)")
    t.add_argument("dir", type=Path)
    t.add_argument("--n-process", type=int, default=1)
    for p in (a, c, t):
        p.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    args = parser.parse_args(argv)

    from newsmark.nlp.loader import ModelNotAvailable, load_pipeline

    try:
        nlp = load_pipeline(args.model)
    except ModelNotAvailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "attribution":
            report: Any = eval_attribution(args.dir, nlp, args.limit, annotator=args.annotator)
        elif args.command == "checkworthy":
            report = eval_checkworthy(args.tsv, nlp, args.limit, mode=args.mode, model_path=args.checkworthy_model)
        else:
            folder = args.dir / "text" if (args.dir / "text").is_dir() else args.dir
            texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
            if not texts:
                print(f"error: no .txt files in {folder}", file=sys.stderr)
                return 2
            nlp(texts[0])  # warm up
            report = measure_throughput(texts, nlp, n_process=args.n_process, dataset=str(folder))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "json", False) and hasattr(report, "to_dict"):
        import json

        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.to_markdown())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
