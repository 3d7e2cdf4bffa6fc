"""Training the shipped check-worthiness model from a CheckThat!-format file.

``train_checkworthy(TRAIN.tsv, nlp, OUT)`` regenerates
``resources/models/checkworthy-en.json`` (the command is
``newsmark train-checkworthy TRAIN.tsv``):

1. every sentence of the file is parsed by the spaCy pipeline (without the
   claim detector) and turned into features
   (:func:`newsmark.nlp.checkworthy.sentence_features`);
2. the sentences are shuffled with ``seed`` and a share (``holdout``, 15 %)
   is held out; for each L2 strength of the grid a model is fitted on the rest
   and its best threshold (F1 of the "Yes" class) found on the held-out share;
3. the L2 strength with the best held-out F1 wins; the model is fitted again
   on *all* the training sentences with it, and keeps the threshold chosen on
   the held-out share.

Only the file given is read: no development or test data is looked at, so
scores on CheckThat! dev (``newsmark eval checkworthy DEV.tsv``) are honest.
The output records the file's SHA-256, the pipeline, the seed, the grid with
each held-out score, and the licence of the data.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsmark import __version__
from newsmark.formats.checkworthy import read_checkworthy

Language = Any  # a spaCy pipeline; only newsmark.nlp imports spaCy (lazily)

DATA_LICENCE = (
    "Trained on the CheckThat! 2024 English check-worthiness train split (ClaimBuster, "
    "Arslan, Hassan, Li & Tremayne 2020, doi:10.5281/zenodo.3609356), CC BY 4.0."
)
L2_GRID = (1e-6, 3e-6, 1e-5)


@dataclass(slots=True)
class CheckworthyTrainingReport:
    path: Path
    sentences: int
    positives: int
    features: int
    chosen_l2: float
    threshold: float
    holdout: dict[str, Any]
    grid: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_markdown(self) -> str:
        h = self.holdout
        lines = [
            f"Check-worthiness model written to {self.path}",
            f"trained on {self.sentences:,} sentences ({self.positives:,} check-worthy), {self.features:,} features, "
            f"L2 {self.chosen_l2:g}, threshold {self.threshold:+.2f} (logit), {self.seconds:.0f} s",
            "",
            "| L2 | held-out P | R | F1 | threshold |",
            "|---:|---:|---:|---:|---:|",
        ]
        for row in self.grid:
            lines.append(f"| {row['l2']:g} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['threshold']:+.2f} |")
        lines.append("")
        lines.append(f"chosen: held-out F1 {h['f1']:.3f} (P {h['precision']:.3f}, R {h['recall']:.3f})")
        return "\n".join(lines)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sentence_feature_rows(texts: Sequence[str], nlp: Language, batch_size: int = 256) -> list[list[str]]:
    """The check-worthiness features of each text (all of it, as one span), parsed without the claim detector."""
    from newsmark.nlp.checkworthy import sentence_features
    from newsmark.nlp.claims import FACTORY

    disabled = [FACTORY] if FACTORY in nlp.pipe_names else []
    with nlp.select_pipes(disable=disabled):
        return [sentence_features(doc[:]) for doc in nlp.pipe(texts, batch_size=batch_size)]


def train_checkworthy(
    train_tsv: Path | str,
    nlp: Language,
    out: Path | str,
    *,
    seed: int = 13,
    holdout: float = 0.15,
    l2_grid: Sequence[float] = L2_GRID,
    steps: int = 800,
    min_count: int = 3,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> CheckworthyTrainingReport:
    """Fit, select on a held-out share of the training file, refit on all of it, write ``out`` (see the module notes)."""
    from newsmark.nlp.checkworthy import best_threshold, fit
    from newsmark.nlp.loader import model_id

    say = progress or (lambda _msg: None)
    if not 0.0 < holdout < 0.5:
        raise ValueError("holdout must be between 0 and 0.5")
    if not l2_grid:
        raise ValueError("the L2 grid is empty")
    train_tsv = Path(train_tsv)
    started = time.perf_counter()
    sentences = [s for s in read_checkworthy(train_tsv) if s.label is not None]
    if limit is not None:
        sentences = sentences[:limit]
    labels = [bool(s.label) for s in sentences]
    if len(sentences) < 20 or sum(labels) < 5 or len(labels) - sum(labels) < 5:
        raise ValueError(f"{train_tsv}: too few labelled sentences to train on ({len(sentences)}, {sum(labels)} check-worthy)")
    say(f"parsing {len(sentences):,} sentences with {model_id(nlp)} …")
    rows = sentence_feature_rows([s.text for s in sentences], nlp)

    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    cut = len(order) - max(1, int(round(len(order) * holdout)))
    fit_ids, held_ids = order[:cut], order[cut:]
    grid: list[dict[str, Any]] = []
    for l2 in l2_grid:
        say(f"fitting with L2 {l2:g} on {len(fit_ids):,} sentences, scoring {len(held_ids):,} held out …")
        model = fit([rows[i] for i in fit_ids], [labels[i] for i in fit_ids], l2=l2, steps=steps, min_count=min_count)
        logits = [model.logit(rows[i]) for i in held_ids]
        threshold, scores = best_threshold(logits, [labels[i] for i in held_ids])
        grid.append({"l2": l2, "threshold": threshold, **scores.to_dict()})
    chosen = max(grid, key=lambda row: (row["f1"], -row["l2"]))
    say(f"refitting on all {len(rows):,} sentences with L2 {chosen['l2']:g} …")
    final = fit(rows, labels, l2=chosen["l2"], steps=steps, min_count=min_count)
    final.threshold = chosen["threshold"]
    final.meta = {
        "created_by": f"newsmark {__version__} (newsmark train-checkworthy)",
        "licence": DATA_LICENCE,
        "trained_on": {
            "file": train_tsv.name,
            "sha256": _sha256(train_tsv),
            "sentences": len(rows),
            "checkworthy": sum(labels),
        },
        "pipeline": model_id(nlp),
        "selection": {
            "seed": seed,
            "holdout": holdout,
            "steps": steps,
            "min_count": min_count,
            "grid": grid,
            "chosen_l2": chosen["l2"],
        },
    }
    path = final.save(out)
    return CheckworthyTrainingReport(
        path=path,
        sentences=len(rows),
        positives=sum(labels),
        features=len(final.weights),
        chosen_l2=chosen["l2"],
        threshold=final.threshold,
        holdout={k: chosen[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn", "tn")},
        grid=grid,
        seconds=time.perf_counter() - started,
    )
