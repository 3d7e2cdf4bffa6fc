"""The inspector's speaker line names the person a pronoun speaker resolves to ("“He” → Basem Naim")."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmark.model import ClaimType, Relation, RelationLabel, Span, SpanKind, SpanStatus, Suggestions
from newsmark.store import Library

from .conftest import add_doc, find

TEXT = (
    "Basem Naim, a member of Hamas’ political bureau, told CNN there is nothing official yet.\n\n"
    "He said the group would wait for an answer from Israel."
)


@pytest.fixture
def resolved_article(tmp_path: Path):  # type: ignore[no-untyped-def]
    lib = Library.open(tmp_path / "speakers.sqlite")
    lib.set_setting("seeds_loaded", True)
    doc = add_doc(lib, TEXT, title="Talks")

    def at(needle: str, label: str, **kw) -> Span:  # type: ignore[no-untyped-def]
        s, e = find(TEXT, needle)
        return Span(s, e, label, **kw)

    spans = [
        at("Basem Naim", "PERSON"),
        at("the group would wait for an answer from Israel", "REPORTED", kind=SpanKind.CLAIM, claim_type=ClaimType.REPORTED),
        at("He", "SOURCE", kind=SpanKind.SOURCE),
        at("there is nothing official yet", "REPORTED", kind=SpanKind.CLAIM, claim_type=ClaimType.REPORTED),
        at("Basem Naim, a member of Hamas’ political bureau", "SOURCE", kind=SpanKind.SOURCE),
    ]
    relations = [
        Relation(1, 2, RelationLabel.SPEAKER),
        Relation(2, 0, RelationLabel.RESOLVES_TO),
        Relation(3, 4, RelationLabel.SPEAKER),
    ]
    lib.replace_suggestions(doc, Suggestions(spans=spans, relations=relations, model="test-model 1"))
    yield lib, doc
    lib.close()


def _claim(lib: Library, doc: int, text: str) -> Span:
    return next(s for s in lib.spans(doc) if s.kind == SpanKind.CLAIM and TEXT[s.start : s.end] == text)


def test_a_resolved_pronoun_speaker_shows_the_person(resolved_article, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    lib, doc = resolved_article
    window = make_window(lib)
    window.open_document(doc)
    claim = _claim(lib, doc, "the group would wait for an answer from Israel")
    window.editor.select(claim.id)
    assert window.inspector.speaker.text() == "“He” → Basem Naim"
    assert "resolved to Basem Naim (PERSON)" in window.inspector.speaker.toolTip()
    # a named speaker shows as before, without an arrow
    window.editor.select(_claim(lib, doc, "there is nothing official yet").id)
    assert window.inspector.speaker.text() == "“Basem Naim, a member of Hamas’ po…”"
    # the person rejected: the pronoun alone
    person = next(s for s in lib.spans(doc) if s.label == "PERSON")
    assert window.editor.reject(person.id, advance=False)
    assert lib.get_span(person.id).status == SpanStatus.REJECTED
    window.editor.select(claim.id)
    assert window.inspector.speaker.text() == "“He”"
