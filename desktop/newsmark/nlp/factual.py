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

The weights were set by hand and the threshold picked on the CheckThat! 2024
*train* split (see docs/quality.md); nothing is learned from data.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsmark.model import ClaimType
from newsmark.nlp import lexicon

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

    from newsmark.nlp.attribution import FoundClaim, TokSpan

NUMBER_ENTS = frozenset(("PERCENT", "MONEY", "QUANTITY", "CARDINAL"))
NON_NUMBER_ENTS = frozenset(("DATE", "TIME", "ORDINAL"))
FACT_ENTS = frozenset(("ORG", "GPE", "NORP", "LAW", "PERSON", "FAC", "LOC", "EVENT"))
FIRST_PERSON = frozenset(("i", "we", "me", "us", "my", "our"))
SECOND_PERSON = frozenset(("you", "your"))
_YEAR = re.compile(r"^(1[89]|20)\d\d$")


def _signals(sent: Span) -> dict[ClaimType, float]:
    scores: dict[ClaimType, float] = {}

    def bump(kind: ClaimType, value: float) -> None:
        scores[kind] = max(scores.get(kind, 0.0), value)

    words = [t for t in sent if t.is_alpha]
    lowers = [t.lower_ for t in sent]
    if len(words) < 4:
        return {}
    # --- numbers
    ent_of = {}
    for ent in sent.ents:
        for t in ent:
            ent_of[t.i] = ent.label_
        if ent.label_ in ("PERCENT", "MONEY"):
            bump(ClaimType.STATISTIC, 0.9)
        elif ent.label_ in ("QUANTITY", "CARDINAL"):
            text = ent.text.lower()
            if text in ("one", "two", "a", "zero"):
                continue
            bump(ClaimType.STATISTIC, 0.7)
    for t in sent:
        if (t.like_num or t.tag_ == "CD") and ent_of.get(t.i) not in NON_NUMBER_ENTS and not _YEAR.match(t.text):
            if t.lower_ in ("one", "zero"):
                continue
            bump(ClaimType.STATISTIC, 0.6)
        if t.text in ("%", "$", "€", "£") or t.lower_ in ("percent", "per", "million", "billion", "trillion"):
            bump(ClaimType.STATISTIC, 0.85)
    if ClaimType.STATISTIC in scores and any(t.lemma_.lower() in lexicon.TREND_LEMMAS for t in sent):
        bump(ClaimType.STATISTIC, scores[ClaimType.STATISTIC] + 0.1)
    # --- comparisons
    has_than = "than" in lowers
    for t in sent:
        if t.tag_ in ("JJR", "RBR") and has_than:
            bump(ClaimType.COMPARISON, 0.75)
        elif t.tag_ in ("JJS", "RBS") and t.lower_ not in ("most", "least", "best") and t.i > sent.start and sent.doc[t.i - 1].lower_ in ("the", "'s", "’s"):
            bump(ClaimType.COMPARISON, 0.7)
        elif t.lower_ in ("record", "unprecedented") or (t.lower_ == "ever" and t.i > sent.start and sent.doc[t.i - 1].tag_ in ("JJS", "RBS")):
            bump(ClaimType.COMPARISON, 0.7)
    if any(lowers[i] == "first" and i + 1 < len(lowers) and lowers[i + 1] == "time" for i in range(len(lowers))):
        bump(ClaimType.COMPARISON, 0.65)
    if any(t.lemma_.lower() in ("double", "triple", "halve") for t in sent):
        bump(ClaimType.COMPARISON, 0.65)
    # --- predictions
    for t in sent:
        lemma = t.lemma_.lower()
        if t.tag_ == "MD" and lemma == "will" or (lemma == "go" and t.tag_ == "VBG" and t.i + 1 < sent.end and sent.doc[t.i + 1].lower_ == "to"):
            head = t.head
            subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
            if subj is not None and subj.lower_ in FIRST_PERSON | SECOND_PERSON:
                continue
            bump(ClaimType.PREDICTION, 0.6)
        elif lemma in lexicon.PREDICTION_LEMMAS and t.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in t.children):
            bump(ClaimType.PREDICTION, 0.7)
        elif t.lower_ in lexicon.PREDICTION_ADJECTIVES and t.i + 1 < sent.end and sent.doc[t.i + 1].lower_ == "to" and t.i > sent.start and sent.doc[t.i - 1].lemma_ == "be":
            bump(ClaimType.PREDICTION, 0.65)
    # --- other factual assertions
    root = sent.root
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    named = [e for e in sent.ents if e.label_ in FACT_ENTS]
    if named and root.pos_ in ("VERB", "AUX") and root.tag_ in ("VBD", "VBN", "VBZ", "VBP"):
        if subj is None or subj.lower_ not in FIRST_PERSON | SECOND_PERSON:
            bump(ClaimType.ASSERTION, 0.5 + min(0.15, 0.05 * len(named)))
    # --- what speaks against
    penalty = 0.0
    if sent.text.rstrip().rstrip("”\"’'").endswith("?"):
        penalty += 0.4
    if any(t.lower_ in lexicon.HEDGES for t in sent):
        penalty += 0.15
    if lowers[:2] in (["i", "think"], ["i", "believe"], ["i", "feel"]):
        penalty += 0.1
    return {k: max(0.0, min(1.0, v - penalty)) for k, v in scores.items()}


def factual_claims(doc: Doc, covered: list[TokSpan], *, min_score: float = 0.5) -> list[FoundClaim]:
    """One claim per sentence that holds a check-worthy assertion and no attribution."""
    from newsmark.nlp.attribution import FoundClaim

    if not doc.has_annotation("SENT_START"):
        return []
    found: list[FoundClaim] = []
    covered_sorted = sorted(covered)
    for sent in doc.sents:
        if any(c[0] < sent.end and sent.start < c[1] for c in covered_sorted):
            continue
        scores = _signals(sent)
        if not scores:
            continue
        kind, score = max(scores.items(), key=lambda kv: (kv[1], _PRIORITY[kv[0]]))
        if score < min_score:
            continue
        start, end = sent.start, sent.end
        while start < end and (doc[start].is_space or doc[start].is_punct and doc[start].text not in "“\"(‘'$"):
            start += 1
        while end > start and doc[end - 1].is_space:
            end -= 1
        if end > start:
            found.append(FoundClaim(kind, (start, end), score, rule=f"factual:{kind.value}"))
    return found


_PRIORITY = {
    ClaimType.STATISTIC: 4,
    ClaimType.COMPARISON: 3,
    ClaimType.PREDICTION: 2,
    ClaimType.ASSERTION: 1,
    ClaimType.DIRECT_QUOTE: 0,
    ClaimType.REPORTED: 0,
}
