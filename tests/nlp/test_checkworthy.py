"""The check-worthiness model: features, fitting, files, its place in the claim detector, and the shipped weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmark.nlp.checkworthy import (
    CheckworthyModel,
    CheckworthyModelError,
    best_threshold,
    binary_scores,
    default_model_path,
    fit,
    load_model,
    sentence_features,
)

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TRAIN_TSV = SHARED_DATA / "checkworthy" / "CT24_checkworthy_english_train.tsv"
DEV_TSV = SHARED_DATA / "checkworthy" / "CT24_checkworthy_english_dev.tsv"

# sentences written for these tests: debate-style claims (Yes) and talk around them (No)
YES = [
    "Unemployment fell to 4.2 percent in June.",
    "We have lost 800,000 manufacturing jobs since 2001.",
    "The deficit doubled under this administration.",
    "My opponent voted against the defence bill eleven times.",
    "Crime in our cities rose by 12 percent last year.",
    "The state spends $3 billion a year on prisons.",
    "Half of all families now pay more in taxes than in 1990.",
    "The governor cut school funding by 20 percent.",
    "Our trade deficit with China reached $300 billion.",
    "Nine million people lost their health insurance.",
    "He raised taxes 48 times as a senator.",
    "The program has created two million jobs since 2009.",
]
NO = [
    "Thank you very much for having me tonight.",
    "I want to talk about the future of this country.",
    "Let me answer that question.",
    "It is good to be here in Ohio.",
    "What a wonderful crowd this is.",
    "We need to come together as a people.",
    "I believe in the American dream.",
    "Well, I think you have to look at it differently.",
    "That is a great question, Jim.",
    "I respect my opponent very much.",
    "We can do better than this.",
    "Let us move on to the next topic.",
]


def _tsv(path: Path, yes: list[str], no: list[str]) -> Path:
    lines = ["Sentence_id\tText\tclass_label"]
    for i, text in enumerate(yes + no):
        lines.append(f"{i}\t{text}\t{'Yes' if i < len(yes) else 'No'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- features and fitting


def test_features_read_words_tags_entities_and_the_parse(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Unemployment fell to 4.2 percent in June.")
    feats = sentence_features(doc[:])
    assert len(feats) == len(set(feats))
    assert {"w:unemployment", "w:0.0", "b:<s> unemployment", "b:. </s>", "hasnum", "root:fall", "roottag:VBD", "e:PERCENT"} <= set(feats)
    assert any(f.startswith("p:") for f in feats) and any(f.startswith("pp:") for f in feats)
    assert "subj:NOUN" in feats
    # a pronoun subject is kept as the word; digits are read as 0 anywhere
    assert "subj:we" in sentence_features(nlp("We lost 800 jobs.")[:])
    assert sentence_features(nlp("It cost $31 million.")[:]) == sentence_features(nlp("It cost $57 million.")[:])


def test_fit_learns_a_separable_toy_problem_and_scores_half_at_the_threshold() -> None:
    rows = [["w:percent", "w:the"], ["w:percent", "w:a"], ["w:hello", "w:the"], ["w:hello", "w:a"]] * 5
    labels = [True, True, False, False] * 5
    model = fit(rows, labels, min_count=1, l2=0.0, steps=200, learning_rate=0.1)
    assert model.weights["w:percent"] > 0 > model.weights["w:hello"]
    assert model.logit(["w:percent", "w:the"]) > 0 > model.logit(["w:hello", "w:the"])
    # rare features are left out
    assert "w:rare" not in fit([*rows, ["w:rare"]], [*labels, True], min_count=2, steps=10).weights
    model.threshold = model.logit(["w:percent"])
    assert model.score_features(["w:percent"]) == pytest.approx(0.5)
    assert model.score_features(["w:hello"]) < 0.5
    assert model.logit([]) == model.bias


def test_threshold_search_by_hand() -> None:
    logits = [2.0, 1.0, 0.5, -0.5, -1.0]
    labels = [True, True, False, True, False]
    scores = binary_scores(logits, labels, 0.0)
    assert (scores.tp, scores.fp, scores.fn, scores.tn) == (2, 1, 1, 1)
    threshold, best = best_threshold(logits, labels, low=-2, high=2, step=0.5)
    # -0.5 (tp 3, fp 1: F1 0.857) beats 0.0 and 1.0 (F1 0.667 and 0.8)
    assert threshold == -0.5 and best.f1 == pytest.approx(6 / 7)


# ---------------------------------------------------------------- files


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = CheckworthyModel({"w:percent": 1.25, "hasnum": 0.5}, bias=-0.3, threshold=-0.6, meta={"note": "by hand"})
    path = model.save(tmp_path / "sub" / "m.json")
    assert not list(path.parent.glob("*.tmp"))
    again = CheckworthyModel.load(path)
    assert again == model
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "newsmark-checkworthy"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a JSON file"),
        ('{"format": "something else"}', "not a Newsmark check-worthiness model"),
        ('{"format": "newsmark-checkworthy", "version": 99, "features_version": 1, "weights": {}}', "train it again"),
        ('{"format": "newsmark-checkworthy", "version": 1, "features_version": 1, "weights": {"w:a": "x"}}', "finite numbers"),
        ('{"format": "newsmark-checkworthy", "version": 1, "features_version": 1, "weights": {}, "bias": "x"}', "must be numbers"),
    ],
)
def test_bad_model_files_are_named_with_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CheckworthyModelError, match=message) as info:
        CheckworthyModel.load(path)
    assert str(path) in str(info.value)
    with pytest.raises(CheckworthyModelError, match="missing"):
        load_model(tmp_path / "nowhere.json")


def test_the_shipped_model_is_small_plain_json_with_its_provenance() -> None:
    path = default_model_path()
    assert path.is_file(), f"{path} is missing: run `newsmark train-checkworthy {TRAIN_TSV}`"
    assert path.stat().st_size < 3_000_000
    model = load_model()
    assert len(model.weights) > 1000
    assert "CC BY 4.0" in model.meta["licence"]
    assert model.meta["trained_on"]["file"] == "CT24_checkworthy_english_train.tsv"
    assert "dev" not in model.meta["trained_on"]["file"]
    assert model.meta["selection"]["chosen_l2"] in [row["l2"] for row in model.meta["selection"]["grid"]]


@pytest.mark.needs_data
def test_the_shipped_model_was_trained_on_this_train_file() -> None:
    if not TRAIN_TSV.is_file():
        pytest.skip(f"{TRAIN_TSV} is absent: the shared data folder is needed")
    import hashlib

    assert load_model().meta["trained_on"]["sha256"] == hashlib.sha256(TRAIN_TSV.read_bytes()).hexdigest()


# ---------------------------------------------------------------- in the claim detector


def _hand_model(tmp_path: Path) -> Path:
    """Check-worthy exactly when the sentence holds a number (weights written by hand)."""
    return CheckworthyModel({"hasnum": 100.0}, bias=-1.0, threshold=0.0).save(tmp_path / "numbers.json")


def test_the_detector_asks_the_model_about_unattributed_sentences(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    from newsmark.nlp.claims import FACTORY, claims_of

    detector = nlp.get_pipe(FACTORY)
    saved = detector.checkworthy_model
    try:
        detector.checkworthy_model = str(_hand_model(tmp_path))
        doc = nlp(
            "The council approved the new budget on Monday. Unemployment fell to 4 percent. "
            "Prices are higher than ever before in 3 cities.\n\n“We will fight,” the mayor said."
        )
        found = claims_of(doc)
        rules = {c.rule for c in found}
        texts = {doc[c.content[0]:c.content[1]].text: c for c in found}
        assert "The council approved the new budget on Monday." not in texts  # no number: not check-worthy to this model
        assert texts["Unemployment fell to 4 percent."].rule == "checkworthy:statistic"
        assert texts["Unemployment fell to 4 percent."].score > 0.99
        assert any(r.startswith("checkworthy:") for r in rules)
        # attributions keep their rules
        assert any(c.claim_type.value == "direct_quote" and c.rule.startswith("quote") for c in found)
        # the rules alone, for comparison
        detector.checkworthy_model = ""
        found = claims_of(nlp("The council approved the new budget on Monday."))
        assert found and found[0].rule == "factual:assertion"
    finally:
        detector.checkworthy_model = saved


def test_the_shipped_model_in_the_detector(nlp) -> None:  # type: ignore[no-untyped-def]
    from newsmark.nlp.claims import claims_of

    doc = nlp("We have lost 800,000 manufacturing jobs since 2001. Thank you all for coming tonight.")
    found = claims_of(doc)
    assert [doc[c.content[0]:c.content[1]].text for c in found] == ["We have lost 800,000 manufacturing jobs since 2001."]
    assert found[0].rule.startswith("checkworthy:") and found[0].score >= 0.5


def test_a_bad_model_named_in_the_settings_fails_when_the_pipeline_is_built(tmp_path: Path) -> None:
    from newsmark.nlp.claims import ClaimDetector

    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(CheckworthyModelError, match="bad.json"):
        ClaimDetector(checkworthy_model=str(bad))
    assert ClaimDetector(checkworthy_model="").checkworthy is None
    assert ClaimDetector(factual=False).checkworthy is None


def test_the_shipped_model_missing_falls_back_to_the_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsmark.nlp.claims import ClaimDetector

    monkeypatch.setenv("NEWSMARK_RESOURCES", str(tmp_path))
    detector = ClaimDetector()
    assert detector.checkworthy is None and "missing" in (detector.model_problem or "")


# ---------------------------------------------------------------- training and evaluation


def test_train_checkworthy_end_to_end(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    from newsmark.services.checkworthy_training import train_checkworthy
    from newsmark.services.evaluation import eval_checkworthy

    tsv = _tsv(tmp_path / "train.tsv", YES, NO)
    messages: list[str] = []
    report = train_checkworthy(tsv, nlp, tmp_path / "out" / "m.json", seed=3, steps=150, min_count=1, progress=messages.append)
    assert report.sentences == 24 and report.positives == 12
    assert len(report.grid) == 3 and report.chosen_l2 in [row["l2"] for row in report.grid]
    assert any("parsing" in m for m in messages) and any("refitting" in m for m in messages)
    model = CheckworthyModel.load(report.path)
    assert model.meta["selection"]["seed"] == 3 and model.meta["trained_on"]["sentences"] == 24
    assert model.threshold == report.threshold
    assert "| L2 |" in report.to_markdown()
    # same seed, same file: the same model
    again = train_checkworthy(tsv, nlp, tmp_path / "again.json", seed=3, steps=150, min_count=1)
    assert CheckworthyModel.load(again.path).weights == model.weights
    # it learned its own training sentences
    scored = eval_checkworthy(tsv, nlp, model_path=report.path)
    assert scored.f1 > 0.8
    with pytest.raises(ValueError, match="too few"):
        train_checkworthy(_tsv(tmp_path / "tiny.tsv", YES[:3], NO[:3]), nlp, tmp_path / "x.json")


def test_eval_checkworthy_modes(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    from newsmark.services.evaluation import eval_checkworthy

    tsv = tmp_path / "cw.tsv"
    tsv.write_text(
        "Sentence_id\tText\tclass_label\n"
        "1\tUnemployment fell to 4.2 percent in June.\tYes\n"
        "2\tThe mayor said the bridge was safe.\tYes\n"
        "3\tWhat a day it was for all 3 of us!\tNo\n"
        "4\tI love this town.\tNo\n",
        encoding="utf-8",
    )
    numbers = _hand_model(tmp_path)
    by_model = eval_checkworthy(tsv, nlp, model_path=numbers)
    assert (by_model.tp, by_model.fp, by_model.fn, by_model.tn) == (1, 1, 1, 1)
    assert "numbers.json (model)" in by_model.model
    # the detector also counts the reported statement; "What a day …" is still the model's to decide
    detector = eval_checkworthy(tsv, nlp, mode="detector", model_path=numbers)
    assert (detector.tp, detector.fp, detector.fn, detector.tn) == (2, 1, 0, 1)
    assert detector.by_type.get("reported") == 1
    with pytest.raises(ValueError, match="mode"):
        eval_checkworthy(tsv, nlp, mode="guess")


@pytest.mark.slow
@pytest.mark.needs_data
def test_checkthat_dev_meets_the_floor(nlp) -> None:  # type: ignore[no-untyped-def]
    from newsmark.services.evaluation import eval_checkworthy

    if not DEV_TSV.is_file():
        pytest.skip(f"{DEV_TSV} is absent: the CheckThat! figures need the shared data folder")
    report = eval_checkworthy(DEV_TSV, nlp)
    assert report.sentences == 1032
    assert report.f1 >= 0.85, report.to_markdown()


def test_the_train_checkworthy_and_eval_commands(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsmark.cli import main

    tsv = _tsv(tmp_path / "train.tsv", YES, NO)
    out = tmp_path / "m.json"
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(tmp_path / "l.sqlite"), "train-checkworthy", str(tsv), "-o", str(out), "--seed", "5"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Check-worthiness model written to" in result.output and out.is_file()
    assert CheckworthyModel.load(out).meta["selection"]["seed"] == 5
    result = runner.invoke(main, ["--db", str(tmp_path / "l.sqlite"), "eval", "checkworthy", str(tsv), "--checkworthy-model", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sentences"] == 24
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    result = runner.invoke(main, ["--db", str(tmp_path / "l.sqlite"), "eval", "checkworthy", str(tsv), "--checkworthy-model", str(bad)])
    assert result.exit_code != 0 and "bad.json" in result.output
