"""JSON Lines: one article per line, bad lines reported by number, good lines still imported."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from article_helpers import only_error, read_all

from newsmark.formats import articles
from newsmark.model import ProblemKind


def write_lines(path: Path, lines: list[str | bytes], newline: bytes = b"\n") -> Path:
    path.write_bytes(newline.join(line if isinstance(line, bytes) else line.encode() for line in lines) + newline)
    return path


def test_each_line_is_a_document_with_its_metadata_lifted(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [
        json.dumps({"text": "First story.\r\nSecond line.", "meta": {"title": "One", "source": "Wire", "url": "https://w.example/1",
                                                                    "author": "Ann", "date": "2024-01-02", "section": "world", "id": 17}}),
        json.dumps({"text": "Cafe\u0301 story", "title": "Top-level title", "url": "https://w.example/2", "lang": "fr"}),
        json.dumps({"text": "No metadata at all\nbody"}, ensure_ascii=False),
    ])
    docs, problems = read_all(path)
    assert problems == []
    one, two, three = docs
    assert one.text == "First story.\nSecond line."
    assert (one.title, one.source, one.url, one.author, one.published) == ("One", "Wire", "https://w.example/1", "Ann", "2024-01-02")
    assert one.meta == {"section": "world", "id": 17, "file": "a.jsonl", "format": "jsonl", "line": 1}
    assert one.origin == str(path)
    assert (two.text, two.title, two.url, two.meta["lang"]) == ("Café story", "Top-level title", "https://w.example/2", "fr")
    assert three.title == "No metadata at all"


def test_meta_wins_over_top_level_fields_and_published_over_date(tmp_path: Path) -> None:
    record = {"text": "x", "title": "top", "meta": {"title": "nested", "published": "2020-05-01", "date": "2020-05-02"}}
    docs, _ = read_all(write_lines(tmp_path / "a.jsonl", [json.dumps(record)]))
    assert (docs[0].title, docs[0].published, docs[0].meta["date"], docs[0].meta["title"]) == ("nested", "2020-05-01", "2020-05-02", "top")


def test_bad_lines_are_reported_by_line_number_and_the_rest_imported(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mixed.jsonl", [
        '{"text": "good one"}',  # 1
        "",  # 2: blank lines are skipped
        "   ",  # 3
        "{not json",  # 4
        '["a", "list"]',  # 5
        '{"title": "no text here", "url": "u"}',  # 6
        '{"text": 42}',  # 7
        '{"text": "  \\n "}',  # 8
        '{"text": "fine", "meta": "not an object"}',  # 9
        b'{"text": "caf\xe9"}',  # 10: Latin-1 byte in a UTF-8 file
        '{"text": "lone \\ud800 surrogate"}',  # 11
        "[" * 100_000 + "]" * 100_000,  # 12: nested too deeply for the parser
        '{"text": "good two"}',  # 13
    ])
    docs, problems = read_all(path)
    assert [d.text for d in docs] == ["good one", "good two"]
    assert [d.meta["line"] for d in docs] == [1, 13]
    assert all(p.kind == ProblemKind.ERROR and p.path == str(path) for p in problems)
    assert [(p.line, p.message) for p in problems] == [
        (4, "not valid JSON: Expecting property name enclosed in double quotes at column 2"),
        (5, 'expected a JSON object {"text": ...}, got a list'),
        (6, 'no "text" field (the keys are: "title", "url")'),
        (7, '"text" must be a string, got a number'),
        (8, 'empty "text"'),
        (9, '"meta" must be an object, got a string'),
        (10, "invalid UTF-8 at column 14 (byte 0xE9); JSON Lines files must be UTF-8"),
        (11, '"text" contains an unpaired surrogate (a lone \\ud800-\\udfff escape), which is not valid Unicode'),
        (12, "not valid JSON: nested too deeply"),
    ]
    assert str(problems[0]) == f"{path}:4: error: not valid JSON: Expecting property name enclosed in double quotes at column 2"


def test_crlf_lines_and_a_bom_on_the_first_line_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "win.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + b'{"text": "one"}\r\n{"text": "two"}\r\n')
    docs, problems = read_all(path)
    assert problems == []
    assert [d.text for d in docs] == ["one", "two"]


def test_a_last_line_without_newline_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "one"}\n{"text": "two"}')
    assert [d.text for d in read_all(path)[0]] == ["one", "two"]


def test_the_size_limit_applies_per_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(articles, "MAX_ARTICLE_BYTES", 64)
    monkeypatch.setattr(articles, "_READ_CHUNK", 16)
    path = write_lines(tmp_path / "big.jsonl", [
        '{"text": "short"}',
        json.dumps({"text": "x" * 500}),
        '{"text": "after the long line"}',
        json.dumps({"text": "y" * 51}),  # exactly 64 bytes with its newline: allowed
        json.dumps({"text": "z" * 200}),  # the last line, too long
    ])
    docs, problems = read_all(path)
    assert [d.meta["line"] for d in docs] == [1, 3, 4]
    assert [(p.line, p.message) for p in problems] == [
        (2, "the line is 513 bytes; one article may be at most 64 bytes"),
        (5, "the line is 213 bytes; one article may be at most 64 bytes"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file (no articles in it)"),
        (b"\n\n  \n", "empty file (no articles in it)"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "looks like a binary file, not text"),
    ],
)
def test_empty_or_binary_jsonl_gives_one_error(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(data)
    assert only_error(path).message.startswith(message)


def test_a_file_of_bad_lines_lists_the_first_ones_and_counts_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(articles, "MAX_PROBLEMS_PER_FILE", 3)
    path = write_lines(tmp_path / "csv.jsonl", ["id,text"] + [f"{n},story {n}" for n in range(9)] + ['{"text": "ok"}'])
    docs, problems = read_all(path)
    assert [d.text for d in docs] == ["ok"]
    assert [p.line for p in problems] == [1, 2, 3, None]
    assert problems[-1].message == "7 more bad lines not listed (10 in all)"


def test_pretty_printed_json_is_reported_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "pretty.jsonl"
    path.write_text(json.dumps({"text": "a"}, indent=2), encoding="utf-8")
    docs, problems = read_all(path)
    assert docs == []
    assert [p.line for p in problems] == [1, 2, 3]
