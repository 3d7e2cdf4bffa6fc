"""The learning-curve study's pieces: gold articles as corrections, points, the plot, the command's arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmark.cli import main
from newsmark.formats.brat_gold import list_gold_articles, read_ann
from newsmark.model import SpanKind, SpanStatus
from newsmark.services.evaluation import PRF, AttributionReport
from newsmark.services.learning_curve import CONTENT_LABEL, CurvePoint, annotated_from_gold, plot_points, point_of, write_points

TEXT = "Ann Lee said the dam will hold, and officials agreed. “It is safe,” she added."
ANN = (
    "T1\tSource 0 7\tAnn Lee\n"
    "T2\tCue 8 12\tsaid\n"
    "T3\tContent 13 30\tthe dam will hold\n"
    "T4\tAttribution 8 12\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T5\tContent 54 60;61 67\t“It is safe,”\n"
    "T6\tCue 72 77\tadded\n"
    "T8\tSource 68 71\tshe\n"
    "T7\tAttribution 72 77\tadded\n"
    "E2\tAttribution:T7 Content:T5 Cue:T6 Source:T8\n"
)


@pytest.fixture
def gold_dir(tmp_path: Path) -> Path:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "one.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "attributions" / "one_ab.ann").write_text(ANN, encoding="utf-8")
    (tmp_path / "attributions" / "one_cd.ann").write_text("T1\tSource 36 45\tofficials\n", encoding="utf-8")
    return tmp_path


def test_gold_attributions_become_accepted_marks_of_the_first_annotator(gold_dir: Path) -> None:
    article = list_gold_articles(gold_dir)[0]
    doc = annotated_from_gold(article)
    marks = [(TEXT[s.start : s.end], s.label, s.kind) for s in doc.spans]
    assert marks == [
        ("Ann Lee", "SOURCE", SpanKind.SOURCE),
        ("said", "CUE", SpanKind.CUE),
        ("the dam will hold", CONTENT_LABEL, SpanKind.CLAIM),
        ("“It is safe,”", CONTENT_LABEL, SpanKind.CLAIM),  # a discontinuous content: first to last fragment
        ("she", "SOURCE", SpanKind.SOURCE),
        ("added", "CUE", SpanKind.CUE),
    ]
    assert all(s.status == SpanStatus.ACCEPTED for s in doc.spans)
    assert "officials" not in {m[0] for m in marks}, "only the first annotator's file"


def test_points_carry_the_eval_scores_and_their_mean() -> None:
    report = AttributionReport(dataset="d", model="m")
    report.overlap["source"] = PRF(1, 2, 1, 2)  # F1 0.5
    report.overlap["cue"] = PRF(2, 2, 2, 2)  # 1.0
    report.overlap["content"] = PRF(0, 1, 0, 1)  # 0.0
    report.exact["source"] = PRF(1, 4, 1, 4)  # 0.25
    point = point_of(50, report)
    assert point.size == 50 and point.scores["source overlap"] == 0.5 and point.scores["source exact"] == 0.25
    assert point.attribution_f1 == pytest.approx(0.5)


def test_points_are_written_atomically_and_plotted(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    points = [CurvePoint(0, attribution_f1=0.7, scores={k: 0.7 for k in ("source overlap", "cue overlap", "content overlap", "source exact")})]
    for size, f1 in ((10, 0.6), (50, 0.75), (200, 0.8)):
        points.append(CurvePoint(size, epochs=2, attribution_f1=f1, scores={k: f1 for k in ("source overlap", "cue overlap", "content overlap", "source exact")}))
    out = tmp_path / "curve.json"
    write_points(points, out)
    assert [p["size"] for p in json.loads(out.read_text(encoding="utf-8"))] == [0, 10, 50, 200]
    png = tmp_path / "curve.png"
    plot_points(points, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curve.json", "curve.png"]


def test_command_refuses_bad_sizes(gold_dir: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "learning-curve", str(gold_dir), str(gold_dir), "--sizes", "ten"])
    assert result.exit_code == 2 and "sizes are numbers or 'all'" in result.output


@pytest.mark.needs_data
def test_real_polnear_article_keeps_every_gold_role(shared_data: Path) -> None:
    article = list_gold_articles(shared_data / "polnear" / "dev")[0]
    gold = read_ann(article.ann_paths[0], article.text_path)
    doc = annotated_from_gold(article)
    contents = {(tb.fragments[0][0], tb.fragments[-1][1]) for a in gold.attributions for tb in a.role("content")}
    assert {(s.start, s.end) for s in doc.spans if s.kind == SpanKind.CLAIM} == contents
    longest = {max(a.source.fragments, key=lambda f: f[1] - f[0]) for a in gold.attributions if a.source}
    assert {(s.start, s.end) for s in doc.spans if s.kind == SpanKind.SOURCE} == longest


def test_annotator_agreement_scores_the_second_annotator_against_the_first(gold_dir: Path, tmp_path: Path) -> None:
    from newsmark.services.learning_curve import annotator_agreement

    differing = annotator_agreement(gold_dir)
    assert differing.articles == 1
    assert differing.scores["source overlap"] == 0.0, "the second annotator's only source is one the first did not mark"
    assert differing.mean_overlap == 0.0
    same = tmp_path / "same"
    (same / "text").mkdir(parents=True)
    (same / "attributions").mkdir()
    (same / "text" / "one.txt").write_text(TEXT, encoding="utf-8")
    (same / "attributions" / "one_ab.ann").write_text(ANN, encoding="utf-8")
    (same / "attributions" / "one_cd.ann").write_text(ANN, encoding="utf-8")
    (same / "text" / "two.txt").write_text(TEXT, encoding="utf-8")
    (same / "attributions" / "two_ab.ann").write_text(ANN, encoding="utf-8")  # one annotator only: not counted
    agreed = annotator_agreement(same)
    assert agreed.articles == 1 and agreed.mean_overlap == 1.0 and agreed.scores["content exact"] == 1.0


def test_plot_draws_the_annotators_agreement(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from newsmark.services.learning_curve import Agreement

    points = [CurvePoint(0, attribution_f1=0.77, scores={"source overlap": 0.76})]
    points += [CurvePoint(n, attribution_f1=0.8, scores={"source overlap": 0.79}) for n in (10, 50)]
    png = tmp_path / "curve.png"
    plot_points(points, png, agreement=Agreement(articles=16, mean_overlap=0.853))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
