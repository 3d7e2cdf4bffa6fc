"""Synthetic articles for the training tests: short, varied, with their marks as a journalist accepted them."""

from __future__ import annotations

from newsmark.model import AnnotatedDocument, NewDocument, ReviewStatus, Span, SpanKind, SpanStatus

PEOPLE = ["Maria Lopez", "John Smith", "Aiko Tanaka", "Omar Haddad", "Lena Fischer", "Pavel Novak", "Grace Mensah", "Ravi Patel"]
PLACES = ["Zorbland", "Kettleford", "Marrow Bay", "Ostavia"]
THINGS = ["the bridge", "the library", "the harbour", "the tram line"]


def article(k: int) -> tuple[str, list[tuple[str, str, SpanKind]]]:
    """Article ``k``: text and its marks as (substring, label, kind)."""
    person = PEOPLE[k % len(PEOPLE)]
    place = PLACES[k % len(PLACES)]
    thing = THINGS[k % len(THINGS)]
    content = f"{thing} will reopen in {2020 + k % 9}"
    text = (
        f"The mayor of {place}, {person}, said that {content}. "
        f"Residents of {place} were not convinced.\n\n"
        f"The council met on Monday."
    )
    marks = [
        (person, "PERSON", SpanKind.ENTITY),
        (place, "GPE", SpanKind.ENTITY),
        (f"The mayor of {place}, {person}", "SOURCE", SpanKind.SOURCE),
        ("said", "CUE", SpanKind.CUE),
        (content, "REPORTED", SpanKind.CLAIM),
    ]
    return text, marks


def spans_of(text: str, marks: list[tuple[str, str, SpanKind]], status: SpanStatus = SpanStatus.ACCEPTED) -> list[Span]:
    out = []
    for sub, label, kind in marks:
        start = text.index(sub)
        out.append(Span(start, start + len(sub), label, kind=kind, status=status))
    return out


def annotated(k: int) -> AnnotatedDocument:
    text, marks = article(k)
    return AnnotatedDocument(NewDocument(text=text, title=f"article {k}"), spans_of(text, marks), status=ReviewStatus.DONE)


def fill_library(library, n: int, *, done: int | None = None) -> list[int]:  # type: ignore[no-untyped-def]
    """``n`` articles with accepted marks, the first ``done`` (default all) marked done. Returns their ids."""
    ids = []
    for k in range(n):
        text, marks = article(k)
        doc_id = library.add_document(NewDocument(text=text, title=f"article {k}")).doc_id
        library.add_spans(doc_id, spans_of(text, marks))
        if done is None or k < done:
            library.set_document_status(doc_id, ReviewStatus.DONE)
        ids.append(doc_id)
    return ids
