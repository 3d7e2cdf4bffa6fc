"""Readers for the evaluation data: brat standoff attributions and CheckThat! TSV files."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmark.formats.brat_gold import annotator_of, list_gold_articles, parse_ann, read_ann
from newsmark.formats.checkworthy import CheckworthyFormatError, read_checkworthy

TEXT = "Lund said: “We are ready.\n\n“We start Monday,” she added. Polls show 🎉 gains."

ANN = (
    "T1\tSource 0 4\tLund\n"
    "T2\tCue 5 9\tsaid\n"
    "T3\tContent 11 25;27 45\t“We are ready. “We start Monday,”\n"
    "T4\tAttribution 5 9\tsaid\n"
    "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    "T5\tCue 63 67\tshow\n"
    "T6\tContent 68 75\t🎉 gains\n"
    "T7\tContent2 57 62\tPolls\n"
    "T8\tAttribution-no-source 63 67\tshow\n"
    "E2\tAttribution-no-source:T8 Cue:T5 Content:T6 Content2:T7\n"
    "#1\tAnnotatorNotes T6\tA note\n"
    "T9\tDiscard 46 57\tshe added. \n"
    "still the text of T9, on a second line\n"
)


def test_textbounds_with_fragments_and_events() -> None:
    gold = parse_ann(ANN, TEXT, "a.ann")
    assert gold.problems == []
    [first, second] = gold.attributions
    assert first.type == "Attribution" and first.source and first.source.fragments == ((0, 4),)
    assert first.cue and TEXT[first.cue.start : first.cue.end] == "said"
    [content] = first.contents
    assert content.discontinuous and content.fragments == ((11, 25), (27, 45))
    assert [TEXT[s:e] for s, e in content.fragments] == ["“We are ready.", "“We start Monday,”"]
    assert second.type == "Attribution-no-source" and second.source is None
    assert [TEXT[c.start : c.end] for c in second.contents] == ["🎉 gains", "Polls"]
    assert second.role("content") == second.contents and second.role("source") == []
    assert "T9" in gold.textbounds  # a multi-line text does not break the parse


def test_offsets_are_code_points() -> None:
    gold = parse_ann(ANN, TEXT)
    tb = gold.textbounds["T6"]
    assert TEXT[tb.start : tb.end] == tb.text == "🎉 gains"


def test_bad_lines_become_problems_with_file_and_line() -> None:
    ann = "T1\tSource 0 4\tLund\nT2\tCue nine ten\tsaid\nT3\tCue 5 900\tsaid\nE1\tAttribution:T9 Source:T1\nE2\t\n"
    gold = parse_ann(ann, TEXT, "b.ann")
    assert [p.split(": ", 1)[0] for p in gold.problems] == ["b.ann:2", "b.ann:3", "b.ann:5", "b.ann:4"]
    assert "outside the text" in gold.problems[1] and "unknown T9" in gold.problems[3]
    assert list(gold.textbounds) == ["T1"]
    with pytest.raises(ValueError):
        gold.attributions[0].role("speaker")


def test_a_folder_of_articles_with_several_annotators(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "story_one.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "text" / "story_one_extra.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "text" / "lonely.txt").write_text("no gold", encoding="utf-8")
    for name in ("story_one_ab12.ann", "story_one_cd34.ann", "story_one_extra.ann", "orphan_ab12.ann"):
        (tmp_path / "attributions" / name).write_text(ANN, encoding="utf-8")
    articles = {a.name: a for a in list_gold_articles(tmp_path)}
    assert set(articles) == {"story_one", "story_one_extra"}
    assert [p.name for p in articles["story_one"].ann_paths] == ["story_one_ab12.ann", "story_one_cd34.ann"]
    assert [p.name for p in articles["story_one_extra"].ann_paths] == ["story_one_extra.ann"]
    assert annotator_of(articles["story_one"].ann_paths[1]) == "cd34"
    gold = read_ann(articles["story_one"].ann_paths[0], articles["story_one"].text_path)
    assert len(gold.attributions) == 2
    with pytest.raises(FileNotFoundError, match="attributions"):
        list_gold_articles(tmp_path / "text")


def test_checkthat_tsv_with_quoted_fields(tmp_path: Path) -> None:
    path = tmp_path / "cw.tsv"
    path.write_text(
        'Sentence_id\tText\tclass_label\n'
        '26\t"You know, I saw a movie - ""Crocodile Dundee."""\tNo\n'
        '80\tWe\'re consuming 50 percent of the world\'s cocaine.\t Yes \n'
        '\n',
        encoding="utf-8",
    )
    rows = read_checkworthy(path)
    assert [(r.id, r.text, r.label) for r in rows] == [
        ("26", 'You know, I saw a movie - "Crocodile Dundee."', False),
        ("80", "We're consuming 50 percent of the world's cocaine.", True),
    ]


def test_checkthat_without_labels_and_with_errors(tmp_path: Path) -> None:
    unlabelled = tmp_path / "test.tsv"
    unlabelled.write_text("tweet_id\ttweet_text\n1\tHello\n", encoding="utf-8")
    assert read_checkworthy(unlabelled)[0].label is None
    bad = tmp_path / "bad.tsv"
    bad.write_text("Sentence_id\tText\tclass_label\n1\tHello\tMaybe\n", encoding="utf-8")
    with pytest.raises(CheckworthyFormatError, match=r"bad.tsv:2: class_label must be Yes or No"):
        read_checkworthy(bad)
    short = tmp_path / "short.tsv"
    short.write_text("Sentence_id\tText\tclass_label\n1\tHello\n", encoding="utf-8")
    with pytest.raises(CheckworthyFormatError, match=r"short.tsv:2: expected 3 columns"):
        read_checkworthy(short)
    headless = tmp_path / "headless.tsv"
    headless.write_text("a\tb\n", encoding="utf-8")
    with pytest.raises(CheckworthyFormatError, match="no 'sentence_id' column"):
        read_checkworthy(headless)
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CheckworthyFormatError, match="empty"):
        read_checkworthy(empty)
