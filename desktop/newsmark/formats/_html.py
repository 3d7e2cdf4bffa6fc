"""HTML pages to article text, offline.

The page is parsed once with lxml (no network access: lxml's HTML parser never
loads external entities, DTDs or resources) and handed to trafilatura, which
finds the main text and the page's metadata. Nothing is fetched and no script
runs: scripts, styles, comments, images and links are dropped by the
extraction, and the result is rendered here from trafilatura's element tree as
plain paragraphs separated by a blank line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import lxml.etree
import lxml.html
import trafilatura

from newsmark.formats._decode import Unreadable

# trafilatura and htmldate log what they discard ("discarding data" ...); the user gets our Problem
# instead, so keep those records from Python's last-resort stderr handler (configured logging still gets them).
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

# libxml2 stops building the tree at this depth; deeper content is lost, so such a page is refused.
MAX_HTML_DEPTH = 255

# HTML5 void elements libxml2's HTML parser does not know as void: it nests what follows inside them
# ("<embed src=…><p>…" puts the rest of the article inside the embed, which the extraction then drops).
_VOID_UNKNOWN_TO_LIBXML2 = ("embed", "source", "track", "wbr", "keygen")
# Control characters: invisible in a page, and refused by lxml when text is moved in the tree (the two
# that are whitespace become spaces).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")
_CONTROL_SPACE = re.compile("[\x0b\x0c]")

# Text a reader would see in the page's body (not scripts, styles or templates).
_VISIBLE_TEXT = "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
# Block elements of trafilatura's output tree (a TEI-like vocabulary).
_LIST, _ITEM, _TABLE, _ROW, _CELL, _LINE_BREAK = "list", "item", "table", "row", "cell", "lb"


@dataclass(slots=True)
class Page:
    """What was read from a page: its main text and whatever metadata it carries."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    sitename: str | None = None
    description: str | None = None
    language: str | None = None


def extract_page(html: str) -> Page:
    """Extract the article from a page's markup; raise :class:`Unreadable` with the reason if there is none."""
    tree = _parse(html)
    try:
        # No URL is passed and no download function is used: extraction works on the tree alone.
        # Tables are kept when they are part of the article (trafilatura drops layout tables
        # with the rest of the boilerplate); comments, images and link targets are not.
        result = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            deduplicate=False,
        )
    except RecursionError:
        raise Unreadable("the page's HTML is nested too deeply to be read") from None
    except Exception as exc:  # noqa: BLE001 - the extractor is the boundary where a strange page becomes a message
        raise Unreadable(f"the page could not be read ({type(exc).__name__}: {exc})") from None
    if result is None or isinstance(result, dict) or result.body is None:
        raise Unreadable(_no_text_reason(tree))
    text = render_body(result.body)
    if not text:
        raise Unreadable(_no_text_reason(tree))
    fallback = _head_metadata(tree)
    return Page(
        text=text,
        title=_clean(result.title) or fallback.get("title"),
        author=_distinct_authors(result.author) or fallback.get("author"),
        published=_clean(result.date) or fallback.get("published"),
        url=_clean(result.url) or fallback.get("url"),
        sitename=_clean(result.sitename) or fallback.get("sitename"),
        description=_clean(result.description),
        language=_clean(result.language) or _clean(tree.get("lang")),
    )


def _parse(html: str) -> lxml.html.HtmlElement:
    # Parsed as UTF-8 bytes: lxml refuses a str that carries an XML encoding declaration.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False, no_network=True)
    html = _CONTROL_SPACE.sub(" ", _CONTROL.sub("", html))
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except lxml.etree.ParserError as exc:
        raise Unreadable(f"not HTML that can be read ({exc})") from None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        raise Unreadable(
            f"the page's HTML is nested more than {MAX_HTML_DEPTH} levels deep; it cannot be read whole, so it was not imported"
        )
    for element in list(tree.iter(*_VOID_UNKNOWN_TO_LIBXML2)):
        if (len(element) or element.text) and element.getparent() is not None:
            element.drop_tag()  # what libxml2 put inside goes back after it (the element itself holds no text)
    return tree


def _no_text_reason(tree: lxml.html.HtmlElement) -> str:
    if not "".join(tree.xpath(_VISIBLE_TEXT)).strip():
        return "the page has no text (an empty page, or one drawn entirely by scripts)"
    return "no article text found in the page (it looks like an index, a login page or a page of links)"


def render_body(body: Any) -> str:
    """Render trafilatura's output tree as paragraphs separated by a blank line.

    A paragraph, heading or quote is one paragraph, its explicit line breaks kept
    as single newlines; a list is one paragraph with an item per line; a table
    is one paragraph with a row per line and its cells separated by tabs.
    """
    blocks = (_render_block(element) for element in body)
    return "\n\n".join(block for block in blocks if block)


def _render_block(element: Any) -> str:
    if element.tag == _LIST:
        return "\n".join(filter(None, (_inline(item) for item in element.iterchildren(_ITEM))))
    if element.tag == _TABLE:
        rows = ("\t".join(_inline(cell) for cell in row.iterchildren(_CELL)) for row in element.iterchildren(_ROW))
        return "\n".join(row for row in rows if row.strip())
    return _inline(element)


def _inline(element: Any) -> str:
    """The text of an element, whitespace collapsed within lines, ``<lb/>`` as a line break."""
    pieces: list[str] = []
    _collect(element, pieces)
    lines = (" ".join(line.split()) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect(element: Any, pieces: list[str]) -> None:
    if element.text:
        pieces.append(element.text.replace("\n", " "))
    for child in element:
        if child.tag == _LINE_BREAK:
            pieces.append("\n")
        elif child.tag in (_LIST, _ITEM, _ROW):
            pieces.append("\n")
            _collect(child, pieces)
        else:
            _collect(child, pieces)
        if child.tail:
            pieces.append(child.tail.replace("\n", " "))


def _head_metadata(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Fallbacks when trafilatura finds no metadata: ``<title>``, Open Graph tags, the canonical link."""

    def first(*xpaths: str) -> str | None:
        for xpath in xpaths:
            for value in tree.xpath(xpath):
                cleaned = _clean(str(value))
                if cleaned:
                    return cleaned
        return None

    candidates = {
        "title": first("//meta[@property='og:title']/@content", "//title/text()"),
        "url": first("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"),
        "sitename": first("//meta[@property='og:site_name']/@content"),
        "author": first("//meta[@name='author']/@content"),
        "published": first("//meta[@property='article:published_time']/@content"),
    }
    return {key: value for key, value in candidates.items() if value}


def _distinct_authors(value: str | None) -> str | None:
    """trafilatura's "A; B" author list without repeats ("Jo Doe; JO DOE" is one author)."""
    names: dict[str, str] = {}
    for name in filter(None, (_clean(part) for part in (value or "").split(";"))):
        names.setdefault(name.casefold(), name)
    return "; ".join(names.values()) or None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None
