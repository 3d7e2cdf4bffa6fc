"""Pronoun speakers resolved to the person they name (sentences written for these tests)."""

from __future__ import annotations

import pytest

from newsmark.model import RelationLabel, SpanKind


@pytest.fixture(scope="module")
def resolved(nlp):  # type: ignore[no-untyped-def]
    """Text -> [(source text, resolved person or None)] for every claim with a source."""
    from newsmark.nlp.claims import claims_of

    def run(text: str) -> list[tuple[str, str | None]]:
        doc = nlp(text)
        out = []
        for claim in claims_of(doc):
            if claim.source:
                person = doc[claim.resolved[0] : claim.resolved[1]].text if claim.resolved else None
                out.append((doc[claim.source[0] : claim.source[1]].text, person))
        return out

    return run


def test_he_after_a_named_speaker_in_the_previous_paragraph(resolved) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Basem Naim, a member of Hamas' political bureau, told CNN that the talks had stalled.\n\n"
        "He said the group would not accept the proposal."
    )
    assert resolved(text) == [("Basem Naim, a member of Hamas' political bureau", None), ("He", "Basem Naim")]


def test_the_speaker_beats_a_person_named_in_what_was_said(resolved) -> None:  # type: ignore[no-untyped-def]
    text = "Maria Lopez told reporters that Tom Becker had resigned. She said the board would meet on Friday."
    assert ("She", "Maria Lopez") in resolved(text)


def test_a_chain_of_pronouns_keeps_the_person(resolved) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Yoav Gallant visited the northern border on Tuesday.\n\n"
        "He said the army was ready for any scenario.\n\n"
        "He added that reservists would be called up next week."
    )
    assert [r for r in resolved(text) if r[0] == "He"] == [("He", "Yoav Gallant"), ("He", "Yoav Gallant")]


def test_gender_told_by_the_text_is_respected(resolved) -> None:  # type: ignore[no-untyped-def]
    # "Ms." and "spokeswoman" make these two women; the nearer man cannot be "she"
    text = "Ms. Okafor opened the hearing. Daniel Price, the committee chairman, spoke next. She said the report was late."
    assert ("She", "Okafor") in resolved(text)
    text = "Anna Berg, a spokeswoman for the ministry, answered first. Paul Dorn followed. He said the figures were wrong."
    assert ("He", "Paul Dorn") in resolved(text)


def test_no_person_in_reach_leaves_the_pronoun_alone(resolved) -> None:  # type: ignore[no-untyped-def]
    # ("The ministry" is a source too — publishing is an attribution — and resolves to nobody either)
    assert resolved("The ministry published the figures on Monday. He said they were wrong.") == [("The ministry", None), ("He", None)]
    far = (
        "Basem Naim spoke on Monday.\n\nThe talks went on.\n\nThe delegations left.\n\n"
        "Nothing was signed.\n\nThe border stayed shut.\n\nHe said the deal was dead."
    )
    assert ("He", None) in resolved(far)


def test_resolution_becomes_a_resolves_to_relation(nlp) -> None:  # type: ignore[no-untyped-def]
    from newsmark.nlp.suggest import doc_to_suggestions

    text = "Basem Naim told CNN that the talks had stalled.\n\nHe said the group would wait. He added that nothing was agreed."
    suggestions = doc_to_suggestions(nlp(text), "test")
    spans = suggestions.spans
    links = [(spans[r.head], spans[r.tail]) for r in suggestions.relations if r.label == RelationLabel.RESOLVES_TO]
    # two claims share the source "He"? no: two "He" sources, each linked once to the PERSON entity
    assert links, [(s.kind, text[s.start : s.end]) for s in spans]
    for source, person in links:
        assert source.kind == SpanKind.SOURCE and text[source.start : source.end] == "He"
        assert person.kind == SpanKind.ENTITY and person.label == "PERSON" and text[person.start : person.end] == "Basem Naim"
    assert len({(id(a), id(b)) for a, b in links}) == len(links)


def test_resolution_survives_the_doc_round_trip(nlp) -> None:  # type: ignore[no-untyped-def]
    from spacy.tokens import Doc

    from newsmark.nlp.claims import claims_of

    doc = nlp("Basem Naim told CNN that the talks had stalled.\n\nHe said the group would wait.")
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [c.resolved for c in claims_of(again)] == [c.resolved for c in claims_of(doc)]
    assert any(c.resolved for c in claims_of(again))


def test_pronoun_gender_reads_the_morphology(nlp) -> None:  # type: ignore[no-untyped-def]
    from newsmark.nlp.speakers import pronoun_gender

    doc = nlp("He and she met him and her and them.")
    assert [pronoun_gender(t) for t in doc] == ["Masc", None, "Fem", None, "Masc", None, "Fem", None, None, None]


def test_the_head_of_a_source_is_the_speaker_not_the_name_before_it(resolved) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Harper communication director Jennifer Walsh said the senator had been misquoted.\n\n"
        "“We will publish the full transcript,” she said."
    )
    assert ("she", "Jennifer Walsh") in resolved(text)


def test_a_common_given_name_of_the_other_gender_is_not_chosen(resolved) -> None:  # type: ignore[no-untyped-def]
    text = "Kevin was asleep on the sofa.\n\n“Here he is at last,” she said."
    assert resolved(text) == [("she", None)]


def test_a_person_named_inside_the_quote_is_not_its_speaker(resolved) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Hillary Clinton spoke to supporters in Ohio on Monday.\n\n"
        "“The plan that Maria Lopez has put forward would fail,” she said."
    )
    assert ("she", "Hillary Clinton") in resolved(text)


def test_a_gendered_word_before_the_name_counts(resolved) -> None:  # type: ignore[no-untyped-def]
    # "Terry" is given to men and women; "widow" says which
    text = "Paul Novak spoke first. “We are still waiting,” said widow Terry Strada. She added that the families would sue."
    assert ("She", "Terry Strada") in resolved(text)


def test_someone_only_talked_about_is_not_the_speaker(resolved) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Ed Schultz met reporters on Friday. "
        "The station had never asked him to praise Mark Dunn, the owner said. "
        "He said the network gave him a free hand."
    )
    assert ("He", "Ed Schultz") in resolved(text)
