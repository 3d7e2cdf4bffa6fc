"""Scoring against gold: span matching by hand, tiny fixtures end to end, and the real PolNeAR dev floors."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmark.services.evaluation import (
    PRF,
    eval_attribution,
    eval_checkworthy,
    main,
    score_spans,
    strip_span,
)

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

ARTICLE = "The mayor said that the bridge would reopen in March.\n\nThe ferry will stop, the harbour master said.\n"


def at(text: str, piece: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


def test_strip_span_drops_spaces_punctuation_and_quotes() -> None:
    text = ' “Hello, world.” '
    assert text[slice(*strip_span(text, 0, len(text)))] == "Hello, world"
    assert strip_span(",,", 0, 2)[0] == strip_span(",,", 0, 2)[1]


def test_prf_by_hand() -> None:
    prf = PRF(matched_predicted=3, predicted=4, matched_gold=3, gold=6)
    assert (prf.precision, prf.recall) == (0.75, 0.5)
    assert prf.f1 == pytest.approx(0.6)
    assert PRF().f1 == 0.0


def test_exact_and_overlap_matching_by_hand() -> None:
    text = "aaa bbb ccc ddd eee fff"
    predicted = [((0, 7),), ((8, 11),), ((16, 19),), ((20, 23),)]  # "aaa bbb", "ccc", "eee", "fff"
    gold = [
        ((0, 7),),  # exact
        ((8, 11), (16, 19)),  # discontinuous "ccc | eee": each fragment matches exactly
        ((12, 19),),  # "ddd eee": overlaps "eee" only
        ((4, 7),),  # "bbb": inside "aaa bbb"
        ((0, 3),),  # "aaa": also inside "aaa bbb"
    ]
    exact, overlap = score_spans(text, predicted, gold)
    # exact: predictions matched: "aaa bbb", "ccc", "eee" (3 of 4); gold matched: 1st, 2nd (2 of 5)
    assert (exact.matched_predicted, exact.predicted, exact.matched_gold, exact.gold) == (3, 4, 2, 5)
    # overlap: "fff" matches nothing; every gold span is touched
    assert (overlap.matched_predicted, overlap.predicted, overlap.matched_gold, overlap.gold) == (3, 4, 5, 5)


def test_duplicates_and_punctuation_only_spans_count_once_or_not_at_all() -> None:
    text = "said, said"
    exact, overlap = score_spans(text, [((0, 4),), ((0, 5),), ((4, 5),)], [((0, 4),), ((0, 4),)])
    assert (exact.predicted, exact.gold, exact.matched_predicted, exact.matched_gold) == (1, 1, 1, 1)


def test_whole_discontinuous_span_matches_its_hull() -> None:
    text = "This campaign, he says, is different."
    hull = ((0, len(text) - 1),)
    exact, _ = score_spans(text, [hull], [((0, 13), (24, 36))])
    assert exact.matched_predicted == 1 and exact.matched_gold == 1


def _write_gold(folder: Path) -> None:
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    (folder / "text" / "bridge.txt").write_text(ARTICLE, encoding="utf-8")
    mayor, said1 = at(ARTICLE, "The mayor"), at(ARTICLE, "said")
    content1 = at(ARTICLE, "that the bridge would reopen in March.")
    master, said2 = at(ARTICLE, "harbour master"), at(ARTICLE, "said", 1)
    content2 = at(ARTICLE, "The ferry will stop")
    content3 = at(ARTICLE, "The mayor said that the bridge")
    first = "\n".join(
        [
            f"T1\tSource {mayor[0]} {mayor[1]}\tThe mayor",
            f"T2\tCue {said1[0]} {said1[1]}\tsaid",
            f"T3\tContent {content1[0]} {content1[1]}\tthat the bridge would reopen in March.",
            f"T4\tAttribution {said1[0]} {said1[1]}\tsaid",
            "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
            f"T5\tSource {master[0]} {master[1]}\tharbour master",
            f"T6\tCue {said2[0]} {said2[1]}\tsaid",
            f"T7\tContent {content2[0]} {content2[1]}\tThe ferry will stop",
            f"T8\tAttribution {said2[0]} {said2[1]}\tsaid",
            "E2\tAttribution:T8 Content:T7 Cue:T6 Source:T5",
            f"T9\tContent {content3[0]} {content3[1]}\tThe mayor said that the bridge",
            f"T10\tAttribution-no-source {said1[0]} {said1[1]}\tsaid",
            "E3\tAttribution-no-source:T10 Cue:T2 Content:T9",
        ]
    )
    (folder / "attributions" / "bridge_aaaa.ann").write_text(first + "\n", encoding="utf-8")
    ferry = at(ARTICLE, "ferry")
    second = f"T1\tSource {ferry[0]} {ferry[1]}\tferry\nT2\tAttribution 0 3\tThe\nE1\tAttribution:T2 Source:T1\n"
    (folder / "attributions" / "bridge_bbbb.ann").write_text(second, encoding="utf-8")


def test_eval_attribution_on_a_tiny_fixture(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    _write_gold(tmp_path)
    report = eval_attribution(tmp_path, nlp)
    assert report.documents == 1 and report.annotator == "first" and report.problems == []
    # predictions: sources "The mayor", "the harbour master"; cues "said" x2;
    # contents "that the bridge would reopen in March", "The ferry will stop"
    source_exact, source_overlap = report.exact["source"], report.overlap["source"]
    assert (source_exact.precision, source_exact.recall) == (0.5, 0.5)
    assert (source_overlap.precision, source_overlap.recall) == (1.0, 1.0)
    assert report.f1("cue", "exact") == 1.0
    content_exact, content_overlap = report.exact["content"], report.overlap["content"]
    assert (content_exact.matched_predicted, content_exact.predicted, content_exact.matched_gold, content_exact.gold) == (2, 2, 2, 3)
    assert content_exact.f1 == pytest.approx(0.8)
    assert (content_overlap.precision, content_overlap.recall) == (1.0, 1.0)
    table = report.to_markdown()
    assert "| source | exact | 0.500 | 0.500 | 0.500 | 2 | 2 |" in table
    assert report.to_dict()["scores"][0] == {"role": "source", "match": "exact", "precision": 0.5, "recall": 0.5, "f1": 0.5, "predicted": 2, "gold": 2}


def test_all_annotators_take_the_union(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    _write_gold(tmp_path)
    report = eval_attribution(tmp_path, nlp, annotator="all")
    # the second annotator adds the source "ferry", which no prediction touches
    assert report.exact["source"].gold == 3 and report.overlap["source"].matched_gold == 2
    with pytest.raises(ValueError):
        eval_attribution(tmp_path, nlp, annotator="some")


def test_eval_checkworthy_on_a_tiny_fixture(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    tsv = tmp_path / "cw.tsv"
    tsv.write_text(
        "Sentence_id\tText\tclass_label\n"
        "1\tUnemployment fell to 4.2 percent in June.\tYes\n"
        '2\t"The mayor said the ""bridge"" was safe."\tYes\n'
        "3\tWhat a day!\tNo\n"
        "4\tI love this town.\tYes\n"
        "5\tThe harbour is bigger than the one in Oslo.\tNo\n",
        encoding="utf-8",
    )
    report = eval_checkworthy(tsv, nlp, mode="rules")  # the hand-set rules (the model has its own tests)
    assert (report.tp, report.fp, report.fn, report.tn) == (2, 1, 1, 1)
    assert report.precision == pytest.approx(2 / 3) and report.recall == pytest.approx(2 / 3)
    assert report.f1 == pytest.approx(2 / 3) and report.accuracy == pytest.approx(0.6)
    assert report.by_type == {"statistic": 1, "reported": 1, "comparison": 1}
    assert "| 0.667 | 0.667 | 0.667 | 0.600 | 2 | 1 | 1 | 1 |" in report.to_markdown()


def test_the_module_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_gold(tmp_path)
    assert main(["--model", "blank:en", "attribution", str(tmp_path), "--json"]) == 0
    assert '"documents": 1' in capsys.readouterr().out
    assert main(["--model", "blank:en", "attribution", str(tmp_path / "nowhere")]) == 2
    assert "missing" in capsys.readouterr().err
    assert main(["--model", "blank:en", "throughput", str(tmp_path)]) == 0
    assert "words/s" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.needs_data
def test_polnear_dev_meets_the_overlap_floors(nlp) -> None:  # type: ignore[no-untyped-def]
    dev = SHARED_DATA / "polnear" / "dev"
    if not dev.is_dir():
        pytest.skip(f"{dev} is absent: the PolNeAR figures need the shared data folder beside the repository")
    report = eval_attribution(dev, nlp)
    assert report.documents == 84
    # floors a little under the figures in docs/quality.md (source 0.776 / exact 0.739, cue 0.759, content 0.826)
    assert report.f1("source", "overlap") >= 0.765, report.to_markdown()
    assert report.f1("source", "exact") >= 0.73, report.to_markdown()
    assert report.f1("cue", "overlap") >= 0.75, report.to_markdown()
    assert report.f1("content", "overlap") >= 0.815, report.to_markdown()
