"""Hypothesis strategies and helpers for the foreign-format tests (doccano, Label Studio, brat, CoNLL).

Generated documents have what real exports have and what breaks naive tools:
overlapping and nested spans, identical spans, relations, emoji and other
non-BMP characters, CJK and right-to-left scripts, combining accents, tabs,
blank lines and Unicode line separators.
"""

from __future__ import annotations

import tempfile
from unittest import mock
from collections.abc import Callable, Iterable
from pathlib import Path

from hypothesis import strategies as st

from newsmark.model import AnnotatedDocument, NewDocument, Origin, Problem, Relation, Span, SpanKind, SpanStatus
from newsmark.text import normalize_text

PIECES = [
    "Merkel", "said", "the", "budget", "ABC", "x", " ", " ", " ", "  ", "\n", "\n\n", ".", ", ", "'s", "-", "“", "”", "\t",
    "😀", "🎉 ", "𝔘𝔫𝔦", "👩‍💻",  # non-BMP, and a ZWJ sequence
    "中文新闻", "东京",  # CJK
    "שלום", "مرحبا",  # RTL
    "é", "Cafe\u0301", "q\u0301",  # composes under NFC / stays a combining sequence
    "\u2028", "\u00a0", "19", "%",
]
LABELS = ["PERSON", "ORG", "LOC", "Claim", "source of claim", "标签", "B-X", "O"]
RELATION_LABELS = ["speaker", "cue", "foundedBy", "Located", "resolves_to"]
MODELS = ["en_core_web_sm 3.8.0", "claims-v2", "tester", ""]

texts = (
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=20)
    .map(lambda parts: normalize_text("".join(parts)))
    .filter(lambda text: text.strip() != "")
)


# strategies built once (building one per draw is what makes generation slow)
_LABEL = st.sampled_from(LABELS)
_KIND = st.sampled_from(list(SpanKind))
_STATUS = st.sampled_from(list(SpanStatus))
_ORIGIN = st.sampled_from(list(Origin))
_MODEL = st.sampled_from(MODELS)
_SCORE = st.none() | st.sampled_from([0.5, 0.875, 1.0])
_NOTE = st.sampled_from(["", "", "checked", "two\nlines"])
_REL_LABEL = st.sampled_from(RELATION_LABELS)
_TITLE = st.sampled_from(["", "Budget vote", "Wahl: 😀 Ergebnis", "中文新闻"])
_ID = st.none() | st.integers(1, 10_000)
_UNIT = st.floats(0, 1, allow_nan=False, exclude_max=True)


@st.composite
def documents(draw: st.DrawFn, relations: bool = True) -> AnnotatedDocument:
    text = draw(texts)
    spans: list[Span] = []
    for _ in range(draw(st.integers(0, 7))):
        start = int(draw(_UNIT) * len(text))
        end = min(len(text), start + 1 + int(draw(_UNIT) * 12))
        spans.append(
            Span(
                start=start,
                end=end,
                label=draw(_LABEL),
                kind=draw(_KIND),
                status=draw(_STATUS),
                origin=draw(_ORIGIN),
                origin_detail=draw(_MODEL),
                score=draw(_SCORE),
                note=draw(_NOTE),
            )
        )
    spans.sort(key=lambda s: (s.start, s.end))  # as the store hands them
    rels: list[Relation] = []
    if relations and spans:
        for _ in range(draw(st.integers(0, 4))):
            rels.append(
                Relation(
                    head=int(draw(_UNIT) * len(spans)),
                    tail=int(draw(_UNIT) * len(spans)),
                    label=draw(_REL_LABEL),
                )
            )
    return AnnotatedDocument(document=NewDocument(text=text, title=draw(_TITLE)), spans=spans, relations=rels, id=draw(_ID))


def split(items: Iterable[AnnotatedDocument | Problem]) -> tuple[list[AnnotatedDocument], list[Problem]]:
    docs: list[AnnotatedDocument] = []
    problems: list[Problem] = []
    for item in items:
        (problems if isinstance(item, Problem) else docs).append(item)
    return docs, problems


def snapshot(path: Path) -> dict[str, bytes]:
    """A file's bytes, or every file of a folder by name."""
    if path.is_dir():
        return {child.name: child.read_bytes() for child in sorted(path.iterdir())}
    return {path.name: path.read_bytes()}


def write_all(make_writer: Callable[[Path], object], path: Path, docs: Iterable[AnnotatedDocument]) -> object:
    out = make_writer(path)
    for doc in docs:
        out.write(doc)  # type: ignore[attr-defined]
    out.commit()  # type: ignore[attr-defined]
    return out


def round_trip(module: object, docs: list[AnnotatedDocument], name: str) -> tuple[dict[str, bytes], dict[str, bytes], list[AnnotatedDocument], list[Problem]]:
    """write(docs) and write(read(write(docs))): both outputs, and what was read in between.

    ``fsync`` is skipped here (it is what makes these examples slow, and atomic
    output has tests of its own).
    """
    with tempfile.TemporaryDirectory() as tmp, mock.patch("newsmark.formats.interchange.os.fsync"):
        first, second = Path(tmp) / "a" / name, Path(tmp) / "b" / name
        write_all(module.writer, first, docs)  # type: ignore[attr-defined]
        read_docs, problems = split(module.read(first))  # type: ignore[attr-defined]
        write_all(module.writer, second, read_docs)  # type: ignore[attr-defined]
        return snapshot(first), snapshot(second), read_docs, problems
