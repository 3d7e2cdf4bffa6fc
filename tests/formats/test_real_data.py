"""The importers on real articles and pages from ../shared/data (skipped when it is absent).

HTML extraction is scored against the reference text of each page with two
word-level measures (see docs/import.md, "How well HTML extraction works"):

- ``ratio``: difflib's SequenceMatcher ratio on the two word lists — order-aware,
  so it penalises missing words, extra words (boilerplate) and words out of
  place alike. This is the asserted figure: an annotator needs the article's
  sentences whole and in order, not just its vocabulary.
- ``f1``: token-level F1 on word counts (bag of words), the usual figure in
  extraction benchmarks, reported beside it for comparison.

Run this file as a script to print the table that docs/import.md shows:
``/work/venv/bin/python tests/formats/test_real_data.py``.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import lxml.html
import pytest

from newsmark.formats.articles import read_articles
from newsmark.model import NewDocument, Problem, ProblemKind

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

# Floors: set just under what was measured (docs/import.md), so a regression shows.
PAGE_RATIO_FLOOR = 0.92
MEAN_RATIO_FLOOR = 0.96
TITLE_FLOOR = 0.75

pytestmark = pytest.mark.needs_data


def data_dir(*parts: str) -> Path:
    folder = SHARED_DATA.joinpath(*parts)
    if not folder.is_dir():
        pytest.skip(f"{folder} absent: the real-data tests need ../shared/data beside the repository")
    return folder


def words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def html_words(markup: str) -> list[str]:
    """The words of an HTML fragment: tags stripped, whitespace collapsed."""
    return words(" ".join(lxml.html.fromstring(markup).itertext()))


def ratio(got: list[str], expected: list[str]) -> float:
    return difflib.SequenceMatcher(None, got, expected, autojunk=False).ratio()


def f1(got: list[str], expected: list[str]) -> float:
    common = sum((Counter(got) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def title_similarity(got: str, expected: str) -> float:
    return difflib.SequenceMatcher(None, got.casefold(), expected.casefold()).ratio()


def only_document(path: Path) -> NewDocument:
    items = list(read_articles(path))
    errors = [item for item in items if isinstance(item, Problem) and item.kind == ProblemKind.ERROR]
    assert errors == [], errors
    docs = [item for item in items if isinstance(item, NewDocument)]
    assert len(docs) == 1
    return docs[0]


class Score(NamedTuple):
    corpus: str
    page: str
    ratio: float
    f1: float
    words: int
    expected_words: int
    title: str
    expected_title: str | None


def readability_scores() -> Iterator[Score]:
    for folder in sorted(p for p in data_dir("html", "readability").iterdir() if p.is_dir()):
        doc = only_document(folder / "source.html")
        expected = html_words((folder / "expected.html").read_text(encoding="utf-8"))
        metadata = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        got = words(doc.text)
        yield Score("readability", folder.name, ratio(got, expected), f1(got, expected), len(got), len(expected), doc.title, metadata.get("title"))


def benchmark_scores() -> Iterator[Score]:
    for page in sorted(data_dir("html", "extraction_benchmark").glob("*.html")):
        doc = only_document(page)
        reference = json.loads(page.with_name(page.stem + ".expected.json").read_text(encoding="utf-8"))
        expected = words(reference["articleBody"])
        got = words(doc.text)
        yield Score("extraction_benchmark", page.stem, ratio(got, expected), f1(got, expected), len(got), len(expected), doc.title, None)


# --- tests -------------------------------------------------------------------------------------


def test_every_wikinews_article_imports_as_it_is() -> None:
    folder = data_dir("articles", "wikinews")
    index = [json.loads(line) for line in (folder / "index.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    files = sorted(folder.glob("*.txt"))
    assert len(files) == len(index) > 0
    for entry in index:
        path = folder / entry["file"]
        doc = only_document(path)
        assert doc.text == path.read_text(encoding="utf-8")  # UTF-8 with \n already: stored unchanged
        assert len(doc.text) == entry["chars"]
        assert doc.text.count("\n\n") + 1 == entry["paragraphs"]
        assert doc.title.startswith(entry["title"])  # interviews carry the date on the title line
        assert doc.meta == {"file": entry["file"], "format": "txt", "encoding": "utf-8"}


def test_readability_pages_match_the_reference_text_and_titles() -> None:
    scores = list(readability_scores())
    assert len(scores) >= 8
    for score in scores:
        assert score.ratio >= PAGE_RATIO_FLOOR, score
        assert score.expected_title is not None
        assert title_similarity(score.title, score.expected_title) >= TITLE_FLOOR, score
    assert sum(s.ratio for s in scores) / len(scores) >= MEAN_RATIO_FLOOR
    exact_titles = sum(s.title == s.expected_title for s in scores)
    assert exact_titles >= len(scores) - 1


def test_extraction_benchmark_pages_match_the_article_body() -> None:
    scores = list(benchmark_scores())
    assert len(scores) >= 2
    for score in scores:
        assert score.ratio >= PAGE_RATIO_FLOOR, score
    assert sum(s.ratio for s in scores) / len(scores) >= MEAN_RATIO_FLOOR


def test_real_pages_keep_their_url_and_lose_their_scripts() -> None:
    for page in sorted(data_dir("html", "extraction_benchmark").glob("*.html")):
        doc = only_document(page)
        reference = json.loads(page.with_name(page.stem + ".expected.json").read_text(encoding="utf-8"))
        assert doc.url == reference["url"]
        assert "<script" not in doc.text and "function(" not in doc.text


# --- the table in docs/import.md ---------------------------------------------------------------


def print_table() -> None:
    scores = [*readability_scores(), *benchmark_scores()]
    print("| corpus | page | ratio | F1 | words (ours / reference) | title matches |")
    print("|---|---|---:|---:|---:|---|")
    for s in scores:
        if s.expected_title is None:
            title = "(no reference title)"
        elif s.title == s.expected_title:
            title = "exact"
        else:
            title = f"{title_similarity(s.title, s.expected_title):.2f}: “{s.title}” vs “{s.expected_title}”"
        print(f"| {s.corpus} | {s.page} | {s.ratio:.3f} | {s.f1:.3f} | {s.words} / {s.expected_words} | {title} |")
    mean_ratio = sum(s.ratio for s in scores) / len(scores)
    mean_f1 = sum(s.f1 for s in scores) / len(scores)
    print(f"| **mean** | {len(scores)} pages | **{mean_ratio:.3f}** | **{mean_f1:.3f}** | | |")
    print(f"\nlowest page ratio: {min(s.ratio for s in scores):.3f}")


if __name__ == "__main__":
    print_table()
