"""Plain text and Markdown files, sidecars, choosing files, size limits, pasted text."""

from __future__ import annotations

import codecs
import json
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from article_helpers import FIXTURES, only_error, read_all, read_one

from newsmark.formats import articles
from newsmark.formats.articles import (
    MAX_ARTICLE_BYTES,
    SUPPORTED_SUFFIXES,
    iter_article_files,
    read_articles,
    read_pasted,
)
from newsmark.model import NewDocument, Problem, ProblemKind
from newsmark.text import text_hash

# --- .txt and .md ------------------------------------------------------------------------------


def test_plain_text_is_normalised_and_titled_by_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "storm.txt"
    path.write_bytes("\r\n  Storm closes schools\r\n\r\nCafe\u0301 owners said the wind was \u201cthe worst\u201d.\r\n".encode())
    doc = read_one(path)
    assert doc.text == "\n  Storm closes schools\n\nCafé owners said the wind was “the worst”.\n"
    assert doc.title == "Storm closes schools"
    assert doc.origin == str(path)
    assert doc.meta == {"file": "storm.txt", "format": "txt", "encoding": "utf-8"}
    assert doc.source is doc.url is doc.author is doc.published is None


def test_the_stored_text_keeps_offsets_of_the_normalised_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Line one\r\nJose\u0301 spoke.\r\n".encode())
    doc = read_one(path)
    start = doc.text.index("José")
    assert (start, doc.text[start : start + 4]) == (9, "José")


def test_markdown_title_is_the_first_level_one_heading(tmp_path: Path) -> None:
    path = tmp_path / "talks.md"
    path.write_text("Intro line\n\n## Background\n\n# Ministers meet in Geneva #\n\nText.\n", encoding="utf-8")
    doc = read_one(path)
    assert doc.title == "Ministers meet in Geneva"
    assert doc.text.startswith("Intro line\n")  # Markdown is stored as written
    assert doc.meta["format"] == "md"


def test_markdown_without_level_one_uses_the_first_heading_then_the_first_line(tmp_path: Path) -> None:
    sub = tmp_path / "sub.markdown"
    sub.write_text("Some text\n### Detail heading\n", encoding="utf-8")
    plain = tmp_path / "plain.md"
    plain.write_text("#hashtag is not a heading\nmore\n", encoding="utf-8")
    assert read_one(sub).title == "Detail heading"
    assert read_one(plain).title == "#hashtag is not a heading"


def test_sidecar_metadata_wins_and_extra_keys_go_to_meta(tmp_path: Path) -> None:
    path = tmp_path / "deal.md"
    path.write_text("# Heading in the file\n\nBody.\n", encoding="utf-8")
    (tmp_path / "deal.md.meta.json").write_text(
        json.dumps({"title": " Ceasefire  talks ", "source": "CNN", "url": "https://x.example/a", "author": "A. Writer",
                    "date": "2024-07", "desk": "world", "tags": ["war"]}),
        encoding="utf-8",
    )
    doc = read_one(path)
    assert (doc.title, doc.source, doc.url, doc.author, doc.published) == ("Ceasefire talks", "CNN", "https://x.example/a", "A. Writer", "2024-07")
    assert doc.meta == {"desk": "world", "tags": ["war"], "file": "deal.md", "format": "md", "encoding": "utf-8"}


def test_published_is_preferred_to_date_in_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Body\n", encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text('{"date": "2020", "published": 2021}', encoding="utf-8")
    doc = read_one(path)
    assert doc.published == "2021"
    assert doc.meta["date"] == "2020"


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ('{"title": "x",\n  oops}', "metadata ignored: not valid JSON", 2),
        ('["a list"]', "metadata ignored: expected a JSON object", None),
    ],
)
def test_a_broken_sidecar_is_ignored_with_a_warning(tmp_path: Path, content: str, message: str, line: int | None) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Real title\nBody\n", encoding="utf-8")
    sidecar = tmp_path / "a.txt.meta.json"
    sidecar.write_text(content, encoding="utf-8")
    docs, problems = read_all(path)
    assert [d.title for d in docs] == ["Real title"]
    assert len(problems) == 1
    assert problems[0].kind == ProblemKind.WARNING
    assert problems[0].path == str(sidecar)
    assert problems[0].message.startswith(message)
    assert problems[0].line == line


def test_sample_articles_in_the_repository_import_cleanly() -> None:
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    files = list(iter_article_files([seeds]))
    assert files
    for file in files:
        doc = read_one(file)
        assert doc.title and doc.text.strip()


# --- encodings and bad bytes -------------------------------------------------------------------


def test_cp1252_file_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Le président a dit « non » à l’accord.\r\n".encode("cp1252"))
    docs, problems = read_all(path)
    assert docs[0].text == "Le président a dit « non » à l’accord.\n"
    assert docs[0].meta["encoding"] == "cp1252"
    assert [(p.kind, p.path) for p in problems] == [(ProblemKind.WARNING, str(path))]
    assert "not UTF-8: read it as cp1252" in problems[0].message


def test_utf16_with_bom_is_read_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Zoë’s report\r\nsecond".encode("utf-16-le"))
    docs, problems = read_all(path)
    assert problems == []
    assert docs[0].text == "Zoë’s report\nsecond"
    assert docs[0].meta["encoding"] == "utf-16"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"Title\n")
    doc = read_one(path)
    assert doc.text == "Title\n"
    assert doc.meta["encoding"] == "utf-8-sig"


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "empty file", None),
        (b" \r\n\t\n", "empty file (only whitespace)", None),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", "looks like a binary file, not text", None),
        ("First ünïcode line\n€".encode()[:-1], "truncated UTF-8", 2),
        ("naïve\nline two\nSão Paulo ".encode() + "Müller".encode("cp1252"), "mixed encodings: invalid UTF-8 at line 3", 3),
    ],
)
def test_bad_text_files_give_one_clear_error(tmp_path: Path, data: bytes, message: str, line: int | None) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    problem = only_error(path)
    assert problem.message.startswith(message)
    assert problem.line == line


def test_an_unsupported_type_is_refused_with_the_list_of_types(tmp_path: Path) -> None:
    path = tmp_path / "notes.rtf"
    path.write_text("{\\rtf1 hello}", encoding="ascii")
    problem = only_error(path)
    assert problem.message == "unsupported file type '.rtf' (supported: .txt, .md, .markdown, .html, .htm, .jsonl, .pdf, .docx)"
    assert "no extension" in only_error(tmp_path / "README").message


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    assert only_error(tmp_path / "gone.txt").message == "cannot read it: no such file or directory"


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf", ".docx"])
def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"huge{suffix}"
    with path.open("wb") as file:
        file.truncate(200 * 1024 * 1024)  # sparse: takes no disk space

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    started = time.perf_counter()
    problem = only_error(path)
    assert time.perf_counter() - started < 1
    assert problem.message == "is 200.0 MB; one article may be at most 50 MB"


def test_the_size_limit_is_a_module_constant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_ARTICLE_BYTES == 50 * 1024 * 1024
    path = tmp_path / "a.txt"
    path.write_text("x" * 2048, encoding="ascii")
    monkeypatch.setattr(articles, "MAX_ARTICLE_BYTES", 1024)
    assert only_error(path).message == "is 2048 bytes; one article may be at most 1024 bytes"


# --- choosing files ----------------------------------------------------------------------------


def test_folders_are_walked_sorted_skipping_hidden_sidecars_and_other_types(tmp_path: Path) -> None:
    for name in ["b.txt", "a.md", "c.HTML", "d.jsonl", "e.pdf", "f.docx", "g.htm", "h.markdown", "notes.csv", "image.png",
                 ".hidden.txt", "a.md.meta.json", "sub/z.txt", "sub/deeper/y.txt", ".git/config.txt", "_build/x.txt"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_article_files([tmp_path])]
    assert found == ["a.md", "b.txt", "c.HTML", "d.jsonl", "e.pdf", "f.docx", "g.htm", "h.markdown",
                     "_build/x.txt", "sub/z.txt", "sub/deeper/y.txt"]


def test_files_named_explicitly_are_kept_even_if_unsupported_and_each_file_comes_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "data.csv").write_text("x", encoding="utf-8")
    given = [tmp_path / "data.csv", tmp_path, tmp_path / "a.txt", tmp_path / ".." / tmp_path.name / "a.txt"]
    assert list(iter_article_files(given)) == [tmp_path / "data.csv", tmp_path / "a.txt"]
    assert "unsupported file type '.csv'" in only_error(tmp_path / "data.csv").message


def test_a_subfolder_that_cannot_be_listed_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: os.PathLike[str] | str) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert list(iter_article_files([tmp_path])) == [tmp_path / "a.txt", locked]
    assert only_error(locked).message == "cannot read it: permission denied"


def test_reading_a_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    assert only_error(tmp_path).message == "is a folder, not an article file"


def test_supported_suffixes_are_the_documented_ones() -> None:
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl", ".pdf", ".docx"}


def test_every_fixture_file_imports_without_errors() -> None:
    files = list(iter_article_files([FIXTURES]))
    assert files
    for file in files:
        assert all(item.kind != ProblemKind.ERROR for item in read_articles(file) if isinstance(item, Problem)), file


# --- pasted text -------------------------------------------------------------------------------


def test_pasted_text_is_normalised_and_titled() -> None:
    doc = read_pasted("  \r\nBreaking: cafe\u0301 closes\r\nMore text.", None)
    assert doc.text == "  \nBreaking: café closes\nMore text."
    assert doc.title == "Breaking: café closes"
    assert doc.origin == "paste"
    assert text_hash(doc.text) == text_hash("  \nBreaking: café closes\nMore text.")


def test_pasted_text_keeps_a_given_title() -> None:
    assert read_pasted("Body", title="  My   title ").title == "My title"
    assert read_pasted("Body", title="   ").title == "Body"


@pytest.mark.parametrize("text", ["", "   \r\n\t"])
def test_empty_pasted_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="the pasted text is empty"):
        read_pasted(text)


# --- robustness --------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".html", ".jsonl", ".pdf", ".docx"]))
def test_arbitrary_bytes_never_make_read_articles_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "input" + suffix)
        path.write_bytes(data)
        items = list(read_articles(path))
    assert items
    for item in items:
        assert isinstance(item, (NewDocument, Problem))
        if isinstance(item, NewDocument):
            assert item.text.strip() and item.title
            assert "\r" not in item.text
