"""From a processed Doc to Suggestions: kinds, labels, relations and exact code-point offsets."""

from __future__ import annotations

import multiprocessing

import pytest

from newsmark.model import ClaimType, Origin, RelationLabel, SpanKind, SpanStatus, Suggestions
from newsmark.nlp import suggest
from newsmark.nlp.suggest import annotate, doc_to_suggestions

TEXT = (
    "Anna Berg, a spokeswoman for the city, told Radio North, “The work is finished. The bridge is safe.”\n\n"
    "The bridge will reopen in March, the mayor of Tromsø said.\n\n"
    "Unemployment fell to 4.2 percent in June."
)


def by_text(text: str, found: Suggestions, kind: SpanKind) -> dict[str, int]:
    return {text[s.start : s.end]: i for i, s in enumerate(found.spans) if s.kind == kind}


@pytest.fixture(scope="module")
def suggested(nlp) -> Suggestions:  # type: ignore[no-untyped-def]
    return doc_to_suggestions(nlp(TEXT), "test-model 1.0")


def test_every_span_is_a_model_suggestion(suggested: Suggestions) -> None:
    assert suggested.model == "test-model 1.0"
    assert suggested.spans
    for span in suggested.spans:
        assert span.status == SpanStatus.SUGGESTED and span.origin == Origin.MODEL
        assert span.origin_detail == "test-model 1.0"
        assert TEXT[span.start : span.end] == TEXT[span.start : span.end].strip()


def test_entities_claims_sources_and_cues(suggested: Suggestions) -> None:
    entities = {TEXT[s.start : s.end]: s.label for s in suggested.spans if s.kind == SpanKind.ENTITY}
    assert entities.get("Anna Berg") == "PERSON"
    assert "March" in entities and entities["March"] == "DATE"
    claims = {TEXT[s.start : s.end]: s for s in suggested.spans if s.kind == SpanKind.CLAIM}
    quote = claims["“The work is finished. The bridge is safe.”"]
    assert (quote.label, quote.claim_type) == ("QUOTE", ClaimType.DIRECT_QUOTE) and 0 < (quote.score or 0) <= 1
    reported = claims["The bridge will reopen in March"]
    assert (reported.label, reported.claim_type) == ("REPORTED", ClaimType.REPORTED)
    stat = claims["Unemployment fell to 4.2 percent in June."]
    assert (stat.label, stat.claim_type) == ("STATISTIC", ClaimType.STATISTIC)
    assert set(by_text(TEXT, suggested, SpanKind.SOURCE)) == {"Anna Berg, a spokeswoman for the city", "the mayor of Tromsø"}
    assert set(by_text(TEXT, suggested, SpanKind.CUE)) == {"told Radio North", "said"}
    assert {s.label for s in suggested.spans if s.kind == SpanKind.SOURCE} == {"SOURCE"}
    assert {s.label for s in suggested.spans if s.kind == SpanKind.CUE} == {"CUE"}


def test_relations_tie_claims_to_speaker_and_cue_and_speakers_to_entities(suggested: Suggestions) -> None:
    spans = suggested.spans
    rel = {(TEXT[spans[r.head].start : spans[r.head].end], r.label, TEXT[spans[r.tail].start : spans[r.tail].end]) for r in suggested.relations}
    quote = "“The work is finished. The bridge is safe.”"
    assert (quote, RelationLabel.SPEAKER, "Anna Berg, a spokeswoman for the city") in rel
    assert (quote, RelationLabel.CUE, "told Radio North") in rel
    assert ("The bridge will reopen in March", RelationLabel.SPEAKER, "the mayor of Tromsø") in rel
    assert ("Anna Berg, a spokeswoman for the city", RelationLabel.ENTITY, "Anna Berg") in rel
    for r in suggested.relations:
        assert r.origin == Origin.MODEL and r.origin_detail == "test-model 1.0"
        head, tail = spans[r.head], spans[r.tail]
        if r.label in (RelationLabel.SPEAKER, RelationLabel.CUE):
            assert head.kind == SpanKind.CLAIM and tail.kind == (SpanKind.SOURCE if r.label == RelationLabel.SPEAKER else SpanKind.CUE)
        else:
            assert head.kind == SpanKind.SOURCE and tail.kind == SpanKind.ENTITY and tail.label in ("PERSON", "ORG", "NORP", "GPE")
            assert head.overlaps(tail)


def test_source_spans_have_no_trailing_comma(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Basem Naim, a member of Hamas’ political bureau, told CNN, “there is nothing official about an agreement.”"
    found = doc_to_suggestions(nlp(text), "m")
    [source] = [text[s.start : s.end] for s in found.spans if s.kind == SpanKind.SOURCE]
    assert source == "Basem Naim, a member of Hamas’ political bureau"


@pytest.mark.parametrize(
    "prefix",
    [
        "🎉🇳🇴👩‍👩‍👧 ",  # emoji outside the BMP, flags and a ZWJ sequence
        "東京で会議が開かれた。 ",  # CJK
        "قال المتحدث إن الاجتماع انتهى. ",  # Arabic, right to left
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈. ",  # mathematical letters and Gothic
    ],
)
def test_offsets_are_code_points_with_wide_characters_before_and_inside(nlp, prefix: str) -> None:  # type: ignore[no-untyped-def]
    text = prefix + "“The bridge 🌉 is safe,” said Anna Berg of Tromsø 🇳🇴. Officials in 北京 and دبي said the ferry would cost 3 million euros."
    found = doc_to_suggestions(nlp(text), "m")
    got = {(s.kind, text[s.start : s.end]) for s in found.spans}
    assert (SpanKind.CLAIM, "“The bridge 🌉 is safe,”") in got
    assert (SpanKind.CUE, "said") in got
    assert any(kind == SpanKind.SOURCE and piece.startswith("Anna Berg") for kind, piece in got)
    assert any(kind == SpanKind.CLAIM and piece.startswith("the ferry would cost 3 million euros") for kind, piece in got)
    for span in found.spans:
        piece = text[span.start : span.end]
        assert piece and piece == piece.strip()
    claim = next(s for s in found.spans if text[s.start : s.end] == "“The bridge 🌉 is safe,”")
    assert claim.start == text.index("“The bridge")


def test_annotate_streams_in_input_order(nlp) -> None:  # type: ignore[no-untyped-def]
    pulled: list[int] = []

    def items():  # type: ignore[no-untyped-def]
        for i in range(5):
            pulled.append(i)
            yield i, f"Report {i}: the mayor said the bridge would reopen in March."

    stream = annotate(items(), nlp, batch_size=2)
    key, first = next(stream)
    assert key == 0 and len(pulled) < 5  # lazily read
    rest = list(stream)
    assert [k for k, _ in rest] == [1, 2, 3, 4]
    assert all(any(s.kind == SpanKind.CLAIM for s in found.spans) for _, found in [(key, first), *rest])


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_annotate_in_two_processes_gives_the_same_suggestions(nlp, method: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Newsmark's own workers (forked by the CLI, spawned by the app): the same suggestions, in input order, read lazily."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available on this system")
    monkeypatch.setattr(suggest, "start_method", lambda **_: method)
    items = [(i, TEXT.replace("Tromsø", f"Town {i}")) for i in range(7)]
    single = list(annotate(items, nlp, batch_size=2, n_process=1))
    pulled: list[int] = []

    def lazily():  # type: ignore[no-untyped-def]
        for key, text in items:
            pulled.append(key)
            yield key, text

    stream = annotate(lazily(), nlp, batch_size=2, n_process=2, chunk_size=1)
    first = next(stream)
    assert len(pulled) <= 5  # at most two chunks per worker handed out ahead, plus the one just taken
    double = [first, *stream]
    assert [k for k, _ in double] == list(range(7))
    for (_, a), (_, b) in zip(single, double, strict=True):
        assert a.spans == b.spans and a.relations == b.relations and a.model == b.model
    assert multiprocessing.active_children() == []  # the workers are gone


@pytest.mark.slow
def test_stopping_a_parallel_annotation_ends_its_workers(nlp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("fork is not available on this system")
    monkeypatch.setattr(suggest, "start_method", lambda **_: "fork")
    stream = annotate(((i, TEXT) for i in range(100)), nlp, batch_size=2, n_process=2, chunk_size=2)
    assert next(stream)[0] == 0
    stream.close()  # what a cancel does
    assert multiprocessing.active_children() == []
    # a text a worker cannot take: its error is raised here, not lost in the worker
    with pytest.raises(Exception, match="str"):
        list(annotate([(0, TEXT), (1, 42)], nlp, batch_size=1, n_process=2, chunk_size=1))  # type: ignore[list-item]
    assert multiprocessing.active_children() == []
