"""HTML pages: main text, metadata, nothing fetched, nothing executed, bad pages refused clearly."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pytest
from article_helpers import FIXTURES, only_error, read_all, read_one

from newsmark.model import ProblemKind

PAGE = FIXTURES / "harbour-page.html"

PARAGRAPHS = [
    "The council voted on Tuesday evening to keep the town library open on Sundays, reversing a decision taken in the spring to save money.",
    "Librarians had collected more than two thousand signatures in six weeks, and the mayor said the petition had changed several minds.",
    "The extra opening hours will cost about forty thousand euros a year, which the council plans to find by delaying the repainting of the town hall.",
]


def page(body: str, head: str = "<title>Library stays open on Sundays</title>", charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<!DOCTYPE html><html><head>{meta}{head}</head><body>{body}</body></html>"


def article(*extra: str) -> str:
    return "<article>" + "".join(f"<p>{text}</p>" for text in PARAGRAPHS) + "".join(extra) + "</article>"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records any attempt to resolve a name, connect or open a URL (pytest-socket also blocks sockets)."""
    attempts: list[str] = []

    def record(name: str):  # type: ignore[no-untyped-def]
        def refuse(*args: object, **kwargs: object) -> None:
            attempts.append(f"{name}{args!r}")
            raise OSError("network access attempted in a test")

        return refuse

    monkeypatch.setattr(socket, "getaddrinfo", record("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", record("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", record("connect"))
    monkeypatch.setattr(urllib.request, "urlopen", record("urlopen"))
    return attempts


def test_a_news_page_gives_its_article_text_and_metadata(no_network: list[str]) -> None:
    doc = read_one(PAGE)
    assert doc.title == "Harbour bridge reopens after repairs"
    assert doc.source == "The Coastal Courier"
    assert doc.url == "https://courier.example/news/harbour-bridge-reopens"
    assert doc.author == "Mira Okafor"
    assert doc.published == "2025-03-14"
    assert doc.meta == {
        "file": "harbour-page.html",
        "format": "html",
        "encoding": "utf-8",
        "description": "The old harbour bridge carries traffic again after eight months of repairs.",
        "language": "en",
    }
    paragraphs = doc.text.split("\n\n")
    assert "The old harbour bridge carried cars again on Friday morning" in paragraphs[1]
    assert "Cars: from Friday\nBuses: from Monday" in paragraphs  # a list is one paragraph, an item per line
    assert paragraphs[-1].startswith("Shop owners on the quay")
    assert no_network == []


def test_scripts_styles_images_and_page_furniture_never_reach_the_text(no_network: list[str]) -> None:
    text = read_one(PAGE).text
    for leak in ["LEAK", "document.write", "font-family", "tracker", "https://", "cookies", "Most read", "All rights reserved", "Sport"]:
        assert leak not in text
    assert "\r" not in text and "\n\n\n" not in text
    assert no_network == []


def test_remote_resources_in_a_page_are_never_fetched(tmp_path: Path, no_network: list[str]) -> None:
    body = article(
        '<img src="http://127.0.0.1:9/pixel.gif"><link rel="stylesheet" href="http://127.0.0.1:9/a.css">'
        '<iframe src="http://127.0.0.1:9/frame"></iframe><object data="http://127.0.0.1:9/o"></object>'
        '<script src="http://127.0.0.1:9/s.js"></script>'
    )
    head = '<title>Library</title><base href="http://127.0.0.1:9/"><meta http-equiv="refresh" content="0; url=http://127.0.0.1:9/">'
    path = tmp_path / "remote.html"
    path.write_text(page(body, head), encoding="utf-8")
    doc = read_one(path)
    assert "127.0.0.1" not in doc.text
    assert no_network == []


def test_an_xml_entity_cannot_pull_in_a_local_or_remote_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    doctype = f'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    path = tmp_path / "xxe.html"
    path.write_text(doctype + page(article("<p>&xxe;</p>")).removeprefix("<!DOCTYPE html>"), encoding="utf-8")
    assert "TOP-SECRET" not in read_one(path).text


def test_paragraphs_are_separated_by_a_blank_line_and_line_breaks_kept(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_text(page(article("<p>Opening hours:<br>Sunday 10–16<br>Monday closed</p>")), encoding="utf-8")
    text = read_one(path).text
    assert text.split("\n\n")[:3] == PARAGRAPHS
    assert "Opening hours:\nSunday 10–16\nMonday closed" in text


def test_malformed_html_is_still_read(tmp_path: Path) -> None:
    broken = "<html><head><title>Broken</title><body><div><p>" + "</p><p>".join(PARAGRAPHS) + "<b><i>unclosed</p></div></span></table>"
    path = tmp_path / "broken.html"
    path.write_text(broken, encoding="utf-8")
    doc = read_one(path)
    assert PARAGRAPHS[0] in doc.text
    assert doc.title == "Broken"


def test_deeply_nested_html_is_refused_quickly_without_crashing(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text(page("<div>" * 100_000 + article() + "</div>" * 100_000), encoding="utf-8")
    started = time.perf_counter()
    problem = only_error(path)
    assert time.perf_counter() - started < 5
    assert "nested more than 255 levels deep" in problem.message


def test_moderately_nested_html_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_text(page("<div>" * 200 + article() + "</div>" * 200), encoding="utf-8")
    assert PARAGRAPHS[1] in read_one(path).text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('<script>document.body.innerHTML = "<p>Rendered later</p>"</script><noscript>Enable JavaScript</noscript>', "the page has no text"),
        ("", "the page has no text"),
    ],
)
def test_a_page_without_article_text_is_refused_with_a_reason(tmp_path: Path, body: str, reason: str) -> None:
    path = tmp_path / "empty.html"
    path.write_text(page(body), encoding="utf-8")
    assert only_error(path).message.startswith(reason)


def test_a_page_of_navigation_only_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.html"
    path.write_text(page('<nav><a href="/">Home</a></nav><footer>© 2025 Town News</footer>'), encoding="utf-8")
    assert only_error(path).message.startswith("no article text found")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n \n", "empty file (only whitespace)"),
        (b"\x00\x01\x02<html>", "looks like a binary file"),
    ],
)
def test_empty_or_binary_html_files_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "x.htm"
    path.write_bytes(data)
    assert only_error(path).message.startswith(message)


def test_a_declared_legacy_charset_is_used_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "fr.html"
    body = article("<p>Le président a déclaré « non ».</p>")
    path.write_bytes(page(body, charset="windows-1252").encode("cp1252"))
    docs, problems = read_all(path)
    assert problems == []
    assert "Le président a déclaré « non »." in docs[0].text
    assert docs[0].meta["encoding"] == "cp1252"


def test_iso_8859_1_is_read_as_windows_1252_like_browsers_do(tmp_path: Path) -> None:
    path = tmp_path / "quotes.html"
    path.write_bytes(page(article("<p>She said “yes” – twice.</p>"), charset="iso-8859-1").encode("cp1252"))
    assert "She said “yes” – twice." in read_one(path).text


def test_a_wrong_declaration_is_corrected_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "liar.html"
    path.write_bytes(page(article("<p>Le président a déclaré que l’économie française allait mieux.</p>")).encode("cp1252"))
    docs, problems = read_all(path)
    assert "Le président a déclaré" in docs[0].text
    assert [p.kind for p in problems] == [ProblemKind.WARNING]
    assert problems[0].message.startswith("the page says it is in utf-8 but it is not; read it as cp1252")


def test_an_undeclared_legacy_page_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.html"
    path.write_bytes(page(article("<p>Zürich’s café</p>"), charset=None).encode("cp1252"))
    docs, problems = read_all(path)
    assert "Zürich’s café" in docs[0].text
    assert problems[0].message.startswith("not UTF-8: read it as cp1252")


def test_metadata_falls_back_to_the_page_head(tmp_path: Path) -> None:
    head = (
        '<title>Fallback title</title><link rel="canonical" href="https://news.example/library">'
        '<meta property="og:site_name" content="Town News">'
    )
    path = tmp_path / "meta.html"
    path.write_text(page(article(), head), encoding="utf-8")
    doc = read_one(path)
    assert (doc.title, doc.url, doc.source) == ("Fallback title", "https://news.example/library", "Town News")


def test_repeated_author_names_are_given_once(tmp_path: Path) -> None:
    head = '<title>T</title><meta name="author" content="Jo Doe; JO DOE;  Ann Lee ">'
    path = tmp_path / "authors.html"
    path.write_text(page(article(), head), encoding="utf-8")
    assert read_one(path).author == "Jo Doe; Ann Lee"


def test_a_sidecar_overrides_page_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_text(page(article()), encoding="utf-8")
    (tmp_path / "a.html.meta.json").write_text('{"title": "Edited title", "source": "Archive"}', encoding="utf-8")
    doc = read_one(path)
    assert (doc.title, doc.source) == ("Edited title", "Archive")


@pytest.mark.parametrize("void", ['<embed src="clip.swf">', '<source src="clip.mp4">', '<track src="captions.vtt">'])
def test_an_html5_void_element_does_not_swallow_the_rest_of_the_article(tmp_path: Path, void: str) -> None:
    """libxml2 does not know <embed>, <source>, <track> (nor <wbr>, <keygen>) as empty: it nested what followed
    inside them, and the extraction dropped it with them (found by the offline test's hostile page)."""
    path = tmp_path / "void.html"
    path.write_text(page(f"<article><p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p>{void}<p>{PARAGRAPHS[2]}</p></article>"), encoding="utf-8")
    assert read_one(path).text.split("\n\n") == PARAGRAPHS
