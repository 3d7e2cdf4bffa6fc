"""Hypothesis strategies for annotated documents: overlapping marks, relations, emoji and other scripts.

Shared by the store round-trip tests and the format tests that want whole documents.
"""

from __future__ import annotations

from hypothesis import strategies as st

from newsmark.model import (
    AnnotatedDocument,
    ClaimType,
    NewDocument,
    Origin,
    Relation,
    RelationLabel,
    ReviewStatus,
    Span,
    SpanKind,
    SpanStatus,
)
from newsmark.text import normalize_text

# Words from several scripts, emoji (non-BMP) and combining marks already composed (NFC).
WORDS = [
    "Basem", "Naim", "said", "“we", "agree”", "Hamas", "Gaza", "ceasefire", "2024", "3.5%", "—",
    "東京", "岸田", "文雄", "مرحبا", "بايدن", "שלום", "נתניהו", "Москва", "Зеленский", "Łódź", "café",
    "👋", "🇵🇸", "👩‍👩‍👧", "𝔘𝔫𝔦", "🙂", "x", "a",
]
# Labels with the kind the label scheme gives them (the app sets a mark's kind from its label).
LABEL_KINDS = {
    "PERSON": SpanKind.ENTITY,
    "ORG": SpanKind.ENTITY,
    "GPE": SpanKind.ENTITY,
    "DATE": SpanKind.ENTITY,
    "MY_LABEL": SpanKind.ENTITY,
    "Pos-Reg": SpanKind.ENTITY,
    "QUOTE": SpanKind.CLAIM,
    "REPORTED": SpanKind.CLAIM,
    "SOURCE": SpanKind.SOURCE,
    "CUE": SpanKind.CUE,
}
LABELS = list(LABEL_KINDS)


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))
    seps = draw(st.lists(st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", ", "]), min_size=len(words), max_size=len(words)))
    text = "".join(w + s for w, s in zip(words, seps)).strip()
    return normalize_text(text) or "x"


@st.composite
def spans(draw: st.DrawFn, text: str) -> Span:
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + 40)))
    label = draw(st.sampled_from(LABELS))
    kind = LABEL_KINDS[label]
    return Span(
        start=start,
        end=end,
        label=label,
        kind=kind,
        status=draw(st.sampled_from(list(SpanStatus))),
        origin=draw(st.sampled_from(list(Origin))),
        origin_detail=draw(st.sampled_from(["", "alice", "en_core_web_sm 3.8.0", "doccano: x.jsonl"])),
        claim_type=draw(st.sampled_from(list(ClaimType))) if kind == SpanKind.CLAIM else None,
        score=draw(st.one_of(st.none(), st.floats(0, 1, allow_nan=False).map(lambda f: round(f, 4)))),
        note=draw(st.sampled_from(["", "check this", "Notiz 👀"])),
        tags=sorted(set(draw(st.lists(st.sampled_from(["check", "quote", "élection", "🔥"]), max_size=2)))),
    )


@st.composite
def annotated_documents(draw: st.DrawFn) -> AnnotatedDocument:
    text = draw(texts())
    marks = draw(st.lists(spans(text), max_size=12))
    marks.sort(key=lambda s: (s.start, s.end))
    relations: list[Relation] = []
    if len(marks) >= 2:
        pairs = draw(st.lists(st.tuples(st.integers(0, len(marks) - 1), st.integers(0, len(marks) - 1)), max_size=6))
        seen = set()
        for head, tail in pairs:
            label = draw(st.sampled_from([*RelationLabel, "Pos-Reg"]))
            key = (head, tail, str(label))
            if head != tail and key not in seen:
                seen.add(key)
                relations.append(Relation(head=head, tail=tail, label=label, origin=draw(st.sampled_from(list(Origin)))))
    for i, span in enumerate(marks):
        if i and draw(st.booleans()) and draw(st.booleans()):
            span.edited_from = draw(st.integers(0, i - 1))
    return AnnotatedDocument(
        document=NewDocument(
            text=text,
            title=draw(st.sampled_from(["", "Talks resume", "東京 news 🙂"])),
            source=draw(st.sampled_from([None, "CNN", "Haaretz"])),
            url=draw(st.sampled_from([None, "https://example.org/a"])),
            author=draw(st.sampled_from([None, "Ana Díaz"])),
            published=draw(st.sampled_from([None, "2024-05-02", "2024-05-02T10:00:00Z"])),
            meta=draw(st.sampled_from([{}, {"section": "world"}, {"nested": {"a": [1, 2]}}])),
        ),
        spans=marks,
        relations=relations,
        status=draw(st.sampled_from(list(ReviewStatus))),
        tags=sorted(set(draw(st.lists(st.sampled_from(["election", "gaza", "✓"]), max_size=2)))),
    )
