"""Unattributed assertions worth checking: statistics, comparisons, predictions, other factual claims.

Sentence by sentence, over the tokens, tags and entities of a parsed ``Doc``
(no spaCy import here). A sentence that an attribution already covers is
skipped. Each sentence gets a score from a few hand-weighted signals; it becomes
a claim when the score reaches ``min_score``. The claim's type is its strongest
signal:

- ``statistic``: a number that is not part of a date, time or ordinal
  (percentages and money weigh most), or a verb of change (doubled, fell …) next to one;
- ``comparison``: a comparative with *than*, a superlative (*the largest*), *record*, *ever*;
- ``prediction``: *will*/*'ll*/*going to* with a third-person subject, *is expected to*,
  *is set to*, *is likely to*, *forecast* …; first-person promises ("I will …") do not count;
- ``assertion``: a past or present statement in the third person about a named
  organisation, place, group, law or person, with no hedge and no question mark.

Which sentences become claims is decided by the trained check-worthiness model
(:mod:`newsmark.nlp.checkworthy`, trained on the CheckThat! 2024 *train* split)
when one is given: its score (0.5 at its operating point) is the claim's score,
and the signals above only choose the claim's type (``assertion`` when none
fires). Without a model the hand-set weights of the signals decide (their
threshold was picked on the same *train* split). See docs/quality.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsmark.model import ClaimType
from newsmark.nlp import lexicon

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

    from newsmark.nlp.attribution import FoundClaim, TokSpan
    from newsmark.nlp.checkworthy import CheckworthyModel

NUMBER_ENTS = frozenset(("PERCENT", "MONEY", "QUANTITY", "CARDINAL"))
NON_NUMBER_ENTS = frozenset(("DATE", "TIME", "ORDINAL"))
FACT_ENTS = frozenset(("ORG", "GPE", "NORP", "LAW", "PERSON", "FAC", "LOC", "EVENT"))
FIRST_PERSON = frozenset(("i", "we", "me", "us", "my", "our"))
SECOND_PERSON = frozenset(("you", "your"))
NOT_COMPARISONS = frozenset(("most", "least", "best", "latest", "last", "next", "first"))
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
# with a model: sentences shorter than this (in words) are never claims; a signal this strong names the type
MIN_MODEL_WORDS = 3
MIN_TYPE_SIGNAL = 0.5


def _signals(sent: Span, ents: list[Span]) -> dict[ClaimType, float]:
    scores: dict[ClaimType, float] = {}

    def bump(kind: ClaimType, value: float) -> None:
        scores[kind] = max(scores.get(kind, 0.0), value)

    toks = list(sent)
    words = [t for t in toks if t.is_alpha]
    lowers = [t.lower_ for t in toks]
    if len(words) < 4:
        return {}
    # --- numbers
    ent_of = {}
    for ent in ents:
        for t in ent:
            ent_of[t.i] = ent.label_
        if ent.label_ in ("PERCENT", "MONEY"):
            bump(ClaimType.STATISTIC, 0.9)
        elif ent.label_ in ("QUANTITY", "CARDINAL"):
            text = ent.text.lower()
            if text in ("one", "two", "a", "zero"):
                continue
            bump(ClaimType.STATISTIC, 0.7)
    for t in toks:
        if (t.like_num or t.tag_ == "CD") and ent_of.get(t.i) not in NON_NUMBER_ENTS and not _YEAR.match(t.text):
            if t.lower_ in ("one", "zero"):
                continue
            bump(ClaimType.STATISTIC, 0.6)
        if t.text in ("%", "$", "€", "£") or t.lower_ in ("percent", "per", "million", "billion", "trillion"):
            bump(ClaimType.STATISTIC, 0.85)
    if ClaimType.STATISTIC in scores and any(t.lemma_.lower() in lexicon.TREND_LEMMAS for t in toks):
        bump(ClaimType.STATISTIC, scores[ClaimType.STATISTIC] + 0.1)
    # --- comparisons
    has_than = "than" in lowers
    for t in toks:
        if t.tag_ in ("JJR", "RBR") and has_than:
            bump(ClaimType.COMPARISON, 0.75)
        elif t.tag_ in ("JJS", "RBS") and t.lower_ not in NOT_COMPARISONS and t.i > sent.start and sent.doc[t.i - 1].lower_ in ("the", "'s", "’s"):
            bump(ClaimType.COMPARISON, 0.7)
        elif t.lower_ in ("record", "unprecedented") or (t.lower_ == "ever" and t.i > sent.start and sent.doc[t.i - 1].tag_ in ("JJS", "RBS")):
            bump(ClaimType.COMPARISON, 0.7)
    if any(lowers[i] == "first" and i + 1 < len(lowers) and lowers[i + 1] == "time" for i in range(len(lowers))):
        bump(ClaimType.COMPARISON, 0.65)
    if any(t.lemma_.lower() in ("double", "triple", "halve") for t in toks):
        bump(ClaimType.COMPARISON, 0.65)
    # --- predictions
    for t in toks:
        lemma = t.lemma_.lower()
        going_to = lemma == "go" and t.tag_ == "VBG" and t.i + 1 < sent.end and sent.doc[t.i + 1].lower_ == "to"
        if (t.tag_ == "MD" and lemma == "will") or going_to:
            head = t.head
            subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
            if subj is not None and subj.lower_ in FIRST_PERSON | SECOND_PERSON:
                continue
            # a bare "will" is a forecast only when it is about something concrete (a name, a number)
            concrete = any(e.label_ in FACT_ENTS or e.label_ in NUMBER_ENTS or e.label_ == "DATE" for e in ents)
            bump(ClaimType.PREDICTION, 0.5 if concrete and subj is not None and subj.pos_ in ("PROPN", "NOUN") else 0.4)
        elif lemma in lexicon.PREDICTION_LEMMAS and t.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in t.children):
            bump(ClaimType.PREDICTION, 0.7)
        elif t.lower_ in lexicon.PREDICTION_ADJECTIVES and t.i + 1 < sent.end and sent.doc[t.i + 1].lower_ == "to" and t.i > sent.start and sent.doc[t.i - 1].lemma_ == "be":
            bump(ClaimType.PREDICTION, 0.65)
    # --- other factual assertions: something that happened or is the case, said of someone specific
    bump(ClaimType.ASSERTION, _assertion_score(sent, ents))
    # --- what speaks against
    penalty = 0.0
    if sent.text.rstrip().rstrip("”\"’'").endswith("?"):
        penalty += 0.4
    if any(t.lower_ in lexicon.HEDGES for t in toks):
        penalty += 0.15
    if lowers[:2] in (["i", "think"], ["i", "believe"], ["i", "feel"]):
        penalty += 0.1
    return {k: max(0.0, min(1.0, v - penalty)) for k, v in scores.items()}


def _assertion_score(sent: Span, ents: list[Span]) -> float:
    """Hand-set weights: past events and named actors raise it; opinion, modality and questions lower it."""
    root = sent.root
    toks = list(sent)
    score = 0.3
    if root.tag_ == "VBD" or (root.tag_ == "VBN" and any(c.dep_ == "aux" and c.lemma_ == "have" for c in root.children)):
        score += 0.15
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is not None:
        if subj.lower_ in ("i", "you", "it", "that", "this", "there"):
            score -= 0.1
        elif subj.ent_type_ or subj.pos_ == "PROPN" or subj.lower_ in ("he", "she"):
            score += 0.1
    labels = {e.label_ for e in ents}
    if labels & FACT_ENTS:
        score += 0.1
    if "DATE" in labels:
        score += 0.1
    if any(t.lemma_.lower() in lexicon.TREND_LEMMAS for t in toks):
        score += 0.1
    if any(c.tag_ == "MD" for c in root.children) or any(t.lower_ in ("should", "must", "ought") for t in toks):
        score -= 0.15
    if any(t.lemma_.lower() in lexicon.OPINION_LEMMAS for t in toks):
        score -= 0.15
    if root.lemma_ in ("be", "have") and root.tag_ in ("VBZ", "VBP") and not labels:
        score -= 0.05
    return score


def factual_claims(
    doc: Doc,
    covered: list[TokSpan],
    *,
    min_score: float = 0.5,
    sents: list[Span] | None = None,
    model: CheckworthyModel | None = None,
) -> list[FoundClaim]:
    """One claim per sentence that holds a check-worthy assertion and no attribution.

    With ``model``, the model's score decides and the signals give the type;
    without, the signals' hand-set scores do both.
    """
    from newsmark.nlp.attribution import FoundClaim

    if sents is None:
        if not doc.has_annotation("SENT_START"):
            return []
        sents = list(doc.sents)
    from newsmark.nlp.checkworthy import DocFeatures

    found: list[FoundClaim] = []
    doc_features: DocFeatures | None = None
    covered_sorted = sorted(covered)
    ents = list(doc.ents)
    e_index = 0
    for sent in sents:
        while e_index < len(ents) and ents[e_index].end <= sent.start:
            e_index += 1
        sent_ents = []
        k = e_index
        while k < len(ents) and ents[k].start < sent.end:
            sent_ents.append(ents[k])
            k += 1
        if any(c[0] < sent.end and sent.start < c[1] for c in covered_sorted):
            continue
        if model is not None:
            if doc_features is None:
                doc_features = DocFeatures(doc)
            features = doc_features.span(sent.start, sent.end)
            score = model.score_features(features)
            if score < min_score or sum(1 for f in features if f.startswith("w:") and f[2:3].isalpha()) < MIN_MODEL_WORDS:
                continue
            # the model decides; the signals only name the type
            signals = {k: v for k, v in _signals(sent, sent_ents).items() if v >= MIN_TYPE_SIGNAL}
            kind = max(signals.items(), key=lambda kv: (kv[1], _PRIORITY[kv[0]]))[0] if signals else ClaimType.ASSERTION
            rule = f"checkworthy:{kind.value}"
        else:
            scores = _signals(sent, sent_ents)
            if not scores:
                continue
            kind, score = max(scores.items(), key=lambda kv: (kv[1], _PRIORITY[kv[0]]))
            if score < min_score:
                continue
            rule = f"factual:{kind.value}"
        start, end = sent.start, sent.end
        while start < end and (doc[start].is_space or doc[start].is_punct and doc[start].text not in "“\"(‘'$"):
            start += 1
        while end > start and doc[end - 1].is_space:
            end -= 1
        if end > start:
            found.append(FoundClaim(kind, (start, end), score, rule=rule))
    return found


_PRIORITY = {
    ClaimType.STATISTIC: 4,
    ClaimType.COMPARISON: 3,
    ClaimType.PREDICTION: 2,
    ClaimType.ASSERTION: 1,
    ClaimType.DIRECT_QUOTE: 0,
    ClaimType.REPORTED: 0,
}
