"""Learning from the user's corrections: train, compare, keep, activate if better, switch back.

The use case behind ``newsmark train`` and the app's "Train from my corrections":

1. the **done** articles of the library, with their accepted marks (and rejected
   entity marks, which tell the trainer which entity labels the user corrected);
2. a seeded split: a held-out share (``holdout``, 20 % by default, at least one
   article) is never trained on;
3. the **current** model (the ``nlp.model`` setting, or the best installed
   pipeline) is scored on the held-out articles;
4. a new pipeline is fine-tuned from it on the rest (:mod:`newsmark.nlp.training`),
   written to a temporary folder beside the others and scored on the same
   held-out articles;
5. it is renamed into place as ``<data>/models/newsmark-<n>/`` with
   ``newsmark-model.json`` (version, created, base model, article counts,
   options, both scores, seconds) — kept whether or not it is better;
6. it becomes the active model only when its held-out score beats the current
   one's (:meth:`Scores.headline`, below); otherwise a message says so.

A cancelled or failed run removes its temporary folder: there is never a half
model among the kept ones. :func:`use_model` switches to any kept model or back
to the base pipeline.

Scores (same comparison for old and new, computed with
:func:`newsmark.services.evaluation.score_spans`, the scorer of ``newsmark eval``):
entities exact (same start, end and label); claims, sources and cues exact and
overlap, whatever the claim's type. The **headline** is the mean of the entity
F1 and the overlap F1 of claims, sources and cues, over those that have gold
marks among the held-out articles.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from newsmark import paths
from newsmark.model import AnnotatedDocument, ReviewStatus, SpanKind, SpanStatus, Suggestions
from newsmark.services import settings
from newsmark.services.evaluation import PRF, score_spans
from newsmark.store import Library
from newsmark.store.interchange import ExportQuery, export_document_ids, iter_annotated

MANIFEST = "newsmark-model.json"
MODEL_PREFIX = "newsmark-"
MIN_ARTICLES = 5
ROLES = {SpanKind.CLAIM: "claim", SpanKind.SOURCE: "source", SpanKind.CUE: "cue"}
_NAME = re.compile(r"^newsmark-(\d+)$")


class TrainingError(Exception):
    """Training cannot start or finish; the message says what to do."""


class NotEnoughArticles(TrainingError):
    pass


# ------------------------------------------------------------------ scores


@dataclass(slots=True)
class Scores:
    """Held-out scores of one model: entities (exact) and claim/source/cue (exact and overlap)."""

    articles: int = 0
    entity: PRF = field(default_factory=PRF)
    exact: dict[str, PRF] = field(default_factory=lambda: {r: PRF() for r in ROLES.values()})
    overlap: dict[str, PRF] = field(default_factory=lambda: {r: PRF() for r in ROLES.values()})

    def headline(self) -> float:
        parts = [self.entity.f1] if self.entity.gold else []
        parts += [self.overlap[r].f1 for r in ROLES.values() if self.overlap[r].gold]
        return sum(parts) / len(parts) if parts else 0.0

    def to_dict(self) -> dict[str, Any]:
        def prf(p: PRF) -> dict[str, float | int]:
            return {"p": round(p.precision, 4), "r": round(p.recall, 4), "f1": round(p.f1, 4), "gold": p.gold, "predicted": p.predicted}

        return {
            "articles": self.articles,
            "headline": round(self.headline(), 4),
            "entity": prf(self.entity),
            **{f"{role} exact": prf(self.exact[role]) for role in ROLES.values()},
            **{f"{role} overlap": prf(self.overlap[role]) for role in ROLES.values()},
        }

    def summary(self) -> str:
        bits = [f"score {self.headline():.3f}"]
        if self.entity.gold:
            bits.append(f"entities F1 {self.entity.f1:.3f}")
        for role in ROLES.values():
            if self.overlap[role].gold:
                bits.append(f"{role}s F1 {self.exact[role].f1:.3f}/{self.overlap[role].f1:.3f}")
        return ", ".join(bits)


def score_document(scores: Scores, gold: AnnotatedDocument, predicted: Suggestions) -> None:
    """Add one held-out article's comparison to ``scores``."""
    text = gold.text
    accepted = [s for s in gold.spans if s.status == SpanStatus.ACCEPTED]
    labels = {s.label for s in accepted if s.kind == SpanKind.ENTITY} | {s.label for s in predicted.spans if s.kind == SpanKind.ENTITY}
    for label in sorted(labels):
        exact, _ = score_spans(
            text,
            [((s.start, s.end),) for s in predicted.spans if s.kind == SpanKind.ENTITY and s.label == label],
            [((s.start, s.end),) for s in accepted if s.kind == SpanKind.ENTITY and s.label == label],
        )
        scores.entity.add(exact)
    for kind, role in ROLES.items():
        exact, overlap = score_spans(
            text,
            [((s.start, s.end),) for s in predicted.spans if s.kind == kind],
            [((s.start, s.end),) for s in accepted if s.kind == kind],
        )
        scores.exact[role].add(exact)
        scores.overlap[role].add(overlap)
    scores.articles += 1


# ------------------------------------------------------------------ the trainer (spaCy, or a fake in tests)


class Trainer(Protocol):
    def score(self, model: str, documents: Sequence[AnnotatedDocument]) -> Scores: ...

    def train(
        self,
        base: str,
        documents: Iterable[AnnotatedDocument],
        out_dir: Path,
        *,
        max_minutes: float | None,
        epochs: int,
        should_cancel: Callable[[], bool],
        on_progress: Callable[[float], None],
        meta: dict[str, Any],
    ) -> dict[str, Any]: ...


class SpacyTrainer:
    """The real thing: :mod:`newsmark.nlp.training` and the pipelines the app loads."""

    def score(self, model: str, documents: Sequence[AnnotatedDocument]) -> Scores:
        from newsmark.nlp.loader import load_pipeline
        from newsmark.nlp.suggest import annotate

        nlp = load_pipeline(model)
        scores = Scores()
        by_index = {i: d for i, d in enumerate(documents)}
        for i, suggestions in annotate(((i, d.text) for i, d in by_index.items()), nlp, batch_size=8):
            score_document(scores, by_index[i], suggestions)
        return scores

    def train(self, base, documents, out_dir, *, max_minutes, epochs, should_cancel, on_progress, meta):  # type: ignore[no-untyped-def]
        from newsmark.nlp.training import NothingToLearn, TrainingCancelled, TrainOptions, train

        options = TrainOptions(epochs=epochs, max_minutes=max_minutes)
        try:
            _nlp, outcome = train(
                base, documents, out_dir, options, should_cancel=should_cancel, on_progress=lambda p: on_progress(p.fraction), meta=meta
            )
        except TrainingCancelled:
            raise Cancelled from None
        except NothingToLearn as exc:
            raise TrainingError(f"Nothing to learn: {exc}. Accept or correct some marks on your done articles first.") from exc
        return asdict(outcome)


class Cancelled(Exception):
    """Raised through the trainer when the user stops training."""


# ------------------------------------------------------------------ models on disk


@dataclass(slots=True)
class ModelInfo:
    name: str
    path: Path
    version: int
    created: str = ""
    base: str = ""
    train_articles: int = 0
    heldout_articles: int = 0
    old_score: float | None = None
    new_score: float | None = None
    seconds: float = 0.0
    activated: bool = False  # made active when it was trained
    active: bool = False  # the active model now
    manifest: dict[str, Any] = field(default_factory=dict)


def models_root(root: Path | None = None) -> Path:
    return Path(root) if root is not None else paths.data_dir() / "models"


def read_model(path: Path) -> ModelInfo | None:
    match = _NAME.match(path.name)
    manifest_path = path / MANIFEST
    if not match or not manifest_path.is_file():
        return None
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    scores = data.get("scores") or {}
    return ModelInfo(
        name=path.name,
        path=path,
        version=int(data.get("version", match.group(1))),
        created=str(data.get("created", "")),
        base=str(data.get("base", "")),
        train_articles=int(data.get("train_articles", 0)),
        heldout_articles=int(data.get("heldout_articles", 0)),
        old_score=(scores.get("old") or {}).get("headline"),
        new_score=(scores.get("new") or {}).get("headline"),
        seconds=float(data.get("seconds", 0.0)),
        activated=bool(data.get("activated", False)),
        manifest=data,
    )


def list_models(library: Library | None = None, root: Path | None = None) -> list[ModelInfo]:
    """The kept models, oldest first; ``active`` marks the one the library uses."""
    folder = models_root(root)
    active = str(settings.get(library, "nlp.model")) if library is not None else ""
    out = []
    if folder.is_dir():
        for path in folder.iterdir():
            info = read_model(path) if path.is_dir() else None
            if info is not None:
                info.active = bool(active) and Path(active) == path
                out.append(info)
    return sorted(out, key=lambda m: m.version)


def _next_version(folder: Path) -> int:
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := _NAME.match(p.name))] if folder.is_dir() else []
    return max(numbers, default=0) + 1


def use_model(library: Library, name: str, root: Path | None = None) -> str:
    """Make a kept model (``newsmark-3``) active, or go back to the base pipeline (``base``). Returns a message."""
    models = list_models(library, root)
    if name == "base":
        active = next((m for m in models if m.active), None)
        base = active.base if active is not None else ""
        while base and any(str(m.path) == base for m in models):  # a model trained from a model: its own base
            base = next(m.base for m in models if str(m.path) == base)
        settings.set_value(library, "nlp.model", base or None)
        return f"Now using the base pipeline {base or '(the best English one installed)'}."
    found = next((m for m in models if m.name == name), None)
    if found is None:
        known = ", ".join(m.name for m in models) or "none yet — run `newsmark train`"
        raise TrainingError(f"There is no model called {name!r} (kept models: {known}).")
    settings.set_value(library, "nlp.model", str(found.path))
    return f"Now using {found.name} (held-out score {found.new_score:.3f})." if found.new_score is not None else f"Now using {found.name}."


def clean_stale(root: Path | None = None) -> None:
    """Remove temporary folders a crashed run may have left (never a kept model)."""
    folder = models_root(root)
    if folder.is_dir():
        for path in folder.glob(".tmp-*"):
            shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------ the use case


@dataclass(slots=True)
class TrainingReport:
    done_articles: int = 0
    train_articles: int = 0
    heldout_articles: int = 0
    base: str = ""
    dry_run: bool = False
    cancelled: bool = False
    model: ModelInfo | None = None
    old: Scores | None = None
    new: Scores | None = None
    activated: bool = False
    seconds: float = 0.0
    train_seconds: float = 0.0
    outcome: dict[str, Any] = field(default_factory=dict)

    def message(self) -> str:
        if self.cancelled:
            return "Training cancelled; nothing was kept."
        head = f"{self.done_articles} done articles: {self.train_articles} to train on, {self.heldout_articles} held out to compare. Base: {self.base}."
        if self.dry_run:
            return head + " (Dry run: nothing trained.)"
        lines = [head]
        if self.old is not None and self.new is not None:
            lines.append(f"Current model: {self.old.summary()}")
            lines.append(f"New model:     {self.new.summary()}")
        name = self.model.name if self.model else "the new model"
        if self.activated:
            lines.append(f"{name} is better on the held-out articles and is now the active model (`newsmark models use base` switches back).")
        else:
            lines.append(f"{name} is not better on the held-out articles: it was kept but not made active (`newsmark models use {name}` would use it).")
        if self.outcome.get("timed_out"):
            lines.append(f"Training stopped at the time limit after {self.outcome.get('epochs_done', 0)} full epochs.")
        lines.append(f"Training took {self.train_seconds:.0f} s, {self.seconds:.0f} s in all.")
        return "\n".join(lines)


def split_ids(ids: Sequence[int], holdout: float, seed: int) -> tuple[list[int], list[int]]:
    """(train, held-out): a seeded shuffle; at least one article on each side."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    n_held = min(len(order) - 1, max(1, math.ceil(len(order) * holdout)))
    return sorted(order[n_held:]), sorted(order[:n_held])


def train_from_library(
    library: Library,
    *,
    holdout: float = 0.2,
    seed: int = 13,
    max_minutes: float | None = 10.0,
    epochs: int = 10,
    dry_run: bool = False,
    trainer: Trainer | None = None,
    root: Path | None = None,
    should_cancel: Callable[[], bool] | None = None,
    on_progress: Callable[[float, str], None] | None = None,
) -> TrainingReport:
    """Gather, split, score the current model, train, score the new one, keep it, activate it if better."""
    if not 0 < holdout < 1:
        raise TrainingError("--holdout must be between 0 and 1 (e.g. 0.2 for 20 %)")
    started = time.monotonic()
    trainer = trainer or SpacyTrainer()
    cancelled = should_cancel or (lambda: False)
    progress = on_progress or (lambda _f, _m: None)
    query = ExportQuery(statuses=(ReviewStatus.DONE,), span_statuses=(SpanStatus.ACCEPTED, SpanStatus.REJECTED))
    ids = export_document_ids(library, query)
    if len(ids) < MIN_ARTICLES:
        raise NotEnoughArticles(
            f"Mark at least {MIN_ARTICLES} articles done to train (you have {len(ids)}): "
            "the model learns from the marks you accepted or corrected on done articles, and some are held out to check it."
        )
    train_ids, held_ids = split_ids(ids, holdout, seed)
    report = TrainingReport(done_articles=len(ids), train_articles=len(train_ids), heldout_articles=len(held_ids), dry_run=dry_run)
    from newsmark.nlp.loader import resolve_model

    report.base = resolve_model(settings.get(library, "nlp.model") or None)
    if dry_run:
        return report
    heldout = list(iter_annotated(library, query, doc_ids=held_ids))
    progress(0.0, "Scoring the current model on the held-out articles…")
    report.old = trainer.score(report.base, heldout)
    if cancelled():
        report.cancelled = True
        return report

    folder = models_root(root)
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale(root)
    version = _next_version(folder)
    final = folder / f"{MODEL_PREFIX}{version}"
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{MODEL_PREFIX}{version}-", dir=folder))
    try:
        pipeline_dir = tmp / "pipeline"
        train_started = time.monotonic()
        progress(0.1, f"Training on {len(train_ids)} articles…")
        meta = {"name": f"newsmark_{version}", "version": f"{version}.0.0", "description": f"Newsmark model {version}, fine-tuned from {report.base}"}
        report.outcome = trainer.train(
            report.base,
            iter_annotated(library, query, doc_ids=train_ids),
            pipeline_dir,
            max_minutes=max_minutes,
            epochs=epochs,
            should_cancel=cancelled,
            on_progress=lambda f: progress(0.1 + 0.75 * f, f"Training on {len(train_ids)} articles…"),
            meta=meta,
        )
        report.train_seconds = time.monotonic() - train_started
        if cancelled():
            raise Cancelled
        # the pipeline's files move up into the model folder; the manifest goes beside them
        for item in pipeline_dir.iterdir():
            item.rename(tmp / item.name)
        pipeline_dir.rmdir()
        progress(0.85, "Scoring the new model on the held-out articles…")
        report.new = trainer.score(str(tmp), heldout)
        if cancelled():
            raise Cancelled
        report.activated = report.new.headline() > report.old.headline()
        report.seconds = time.monotonic() - started
        manifest = {
            "version": version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "base": report.base,
            "train_articles": report.train_articles,
            "heldout_articles": report.heldout_articles,
            "holdout": holdout,
            "seed": seed,
            "scores": {"old": report.old.to_dict(), "new": report.new.to_dict()},
            "activated": report.activated,
            "train_seconds": round(report.train_seconds, 1),
            "seconds": round(report.seconds, 1),
            "training": report.outcome,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        tmp.rename(final)
    except Cancelled:
        shutil.rmtree(tmp, ignore_errors=True)
        report.cancelled = True
        return report
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.model = read_model(final)
    if report.activated:
        settings.set_value(library, "nlp.model", str(final))
    if report.model is not None:
        report.model.active = report.activated
    progress(1.0, "Done.")
    return report
