"""Pronoun speakers resolved to the person they name: "he said" → Basem Naim.

After the claim detector has found its claims, every claim whose source is a
lone *he* or *she* (or *him*/*her*, the agent of a passive) gets the PERSON
entity it most likely refers to, as a token span in ``FoundClaim.resolved``
(the suggestions turn it into a ``resolves_to`` relation from the pronoun
source to that entity). The rules, over spaCy's entities, parse and morphology
(no spaCy import here):

- **Where to look**: the sentences before the pronoun's, at most
  :data:`MAX_SENTENCES_BACK` of them and no further back than the previous
  :data:`MAX_PARAGRAPHS_BACK` paragraphs; in the pronoun's own sentence only a
  subject before it (``Naim arrived and he said …``).
- **Nearest sentence first**: a person whose gender the text gives and
  agrees comes before one whose gender is unknown; then the most recent
  sentence that holds a compatible person wins; within it, a person who is
  the *source* of a claim (or a pronoun source already resolved to them)
  beats a person who is a subject, who beats any other mention; then the
  earlier mention (subjects come first in English).
- **Agreement**: the pronoun's gender comes from spaCy's morphology
  (``Gender=Masc``/``Fem``; the word itself when the tagger gives none). A
  person's gender is known when the text tells it: a title (``Mr.``,
  ``Mrs.``, ``Ms.``), a gendered noun in the person's own phrase (``a
  spokeswoman``, ``his wife``… see :data:`GENDERED_NOUNS`), an earlier
  resolution in the same article, or the pronouns of sentences that mention
  that person alone (``Clinton said her plan …``). A person whose gender the
  text does not tell is compatible with both. Plural pronouns (*they*) are
  not resolved: a PERSON entity is one person.

When nothing compatible is in reach, the pronoun stays unresolved: a wrong
name is worse than none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

    from newsmark.nlp.attribution import FoundClaim, TokSpan

MAX_SENTENCES_BACK = 3
MAX_PARAGRAPHS_BACK = 2

PRONOUN_GENDER = {"he": "Masc", "him": "Masc", "she": "Fem", "her": "Fem"}
POSSESSIVE_GENDER = {"his": "Masc", "him": "Masc", "he": "Masc", "himself": "Masc", "she": "Fem", "her": "Fem", "hers": "Fem", "herself": "Fem"}
TITLE_GENDER = {
    "mr": "Masc", "mr.": "Masc", "sir": "Masc", "lord": "Masc",
    "mrs": "Fem", "mrs.": "Fem", "ms": "Fem", "ms.": "Fem", "miss": "Fem", "lady": "Fem", "dame": "Fem", "madam": "Fem",
}  # fmt: skip
GENDERED_NOUNS = {
    **dict.fromkeys(
        (
            "spokesman", "chairman", "congressman", "businessman", "councilman", "alderman", "assemblyman",
            "father", "husband", "son", "brother", "uncle", "nephew", "grandfather", "king", "prince",
            "actor", "widower", "boyfriend", "man", "boy", "gentleman", "sportsman", "anchorman", "policeman",
        ),
        "Masc",
    ),
    **dict.fromkeys(
        (
            "spokeswoman", "chairwoman", "congresswoman", "businesswoman", "councilwoman", "assemblywoman",
            "mother", "wife", "daughter", "sister", "aunt", "niece", "grandmother", "queen", "princess",
            "actress", "widow", "girlfriend", "woman", "girl", "lady", "sportswoman", "anchorwoman", "policewoman",
        ),
        "Fem",
    ),
}  # fmt: skip

_SOURCE, _SUBJECT, _MENTION = 3, 2, 1


def pronoun_gender(tok: Token) -> str | None:
    """``"Masc"``/``"Fem"`` for he/she/him/her, from the morphology first; None for any other token."""
    word = tok.lower_
    if word not in PRONOUN_GENDER:
        return None
    morph = tok.morph.get("Gender") if tok.has_morph() else []
    if morph and morph[0] in ("Masc", "Fem"):
        return morph[0]
    return PRONOUN_GENDER[word]


def _name_keys(ent: Span) -> tuple[str, str]:
    words = [t.text for t in ent if t.is_alpha and t.lower_ not in TITLE_GENDER]
    full = " ".join(words).lower()
    return full, (words[-1].lower() if words else full)


class _Genders:
    """What the article says about each person's gender, by full name and by last name."""

    def __init__(self) -> None:
        self.votes: dict[str, dict[str, int]] = {}

    def add(self, ent: Span, gender: str, weight: int = 1) -> None:
        for key in _name_keys(ent):
            if key:
                box = self.votes.setdefault(key, {})
                box[gender] = box.get(gender, 0) + weight

    def of(self, ent: Span) -> str | None:
        full, last = _name_keys(ent)
        for key in (full, last):
            box = self.votes.get(key)
            if box:
                best = max(box.items(), key=lambda kv: kv[1])
                if sum(1 for v in box.values() if v == best[1]) == 1:
                    return best[0]
        return None


def _collect_genders(doc: Doc, persons: list[Span], sources: list[TokSpan]) -> _Genders:
    genders = _Genders()
    for ent in persons:
        before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        first = ent[0].lower_
        title = TITLE_GENDER.get(first) or TITLE_GENDER.get(before)
        if title:
            genders.add(ent, title, 3)
        # "Basem Naim, a spokesman for …": a gendered noun in the phrase around the name
        phrase = next(((s, e) for s, e in sources if s <= ent.start and ent.end <= e), None)
        window = range(ent.end, phrase[1]) if phrase else range(ent.end, min(len(doc), ent.end + 6))
        for k in window:
            noun = doc[k]
            if noun.text in (".", ";") or noun.is_space:
                break
            gender = GENDERED_NOUNS.get(noun.lower_)
            if gender and noun.pos_ in ("NOUN", ""):
                genders.add(ent, gender, 2)
                break
    # sentences that name exactly one person: their gendered pronouns are most likely about that person
    if doc.has_annotation("SENT_START"):
        for sent in doc.sents:
            named = [e for e in persons if sent.start <= e.start < sent.end]
            keys = {_name_keys(e)[1] for e in named}
            if len(keys) != 1:
                continue
            seen = {POSSESSIVE_GENDER[t.lower_] for t in sent if t.lower_ in POSSESSIVE_GENDER and t.i > named[0].start}
            if len(seen) == 1:
                genders.add(named[0], seen.pop())
    return genders


def resolve_speakers(doc: Doc, claims: list[FoundClaim], para: list[int]) -> None:
    """Fill ``resolved`` of every claim whose source is a lone he/she (see the module notes). ``para``: paragraph of each token."""
    if not claims or not len(doc):
        return
    persons = [e for e in doc.ents if e.label_ == "PERSON"]
    if not persons:
        return
    has_sents = doc.has_annotation("SENT_START")
    sent_of = [0] * len(doc)
    if has_sents:
        for n, sent in enumerate(doc.sents):
            for i in range(sent.start, sent.end):
                sent_of[i] = n
    sources = sorted({c.source for c in claims if c.source})
    genders = _collect_genders(doc, persons, sources)
    # mentions: (token position, sentence, salience, the PERSON entity meant)
    mentions: list[tuple[int, int, int, Span]] = []
    for ent in persons:
        is_source = any(s <= ent.start and ent.end <= e for s, e in sources)
        root = ent.root
        is_subject = root.dep_ in ("nsubj", "nsubjpass") or (root.dep_ in ("appos", "compound") and root.head.dep_ in ("nsubj", "nsubjpass"))
        rank = _SOURCE if is_source else _SUBJECT if is_subject else _MENTION
        mentions.append((ent.start, sent_of[ent.start], rank, ent))
    for claim in sorted((c for c in claims if c.source), key=lambda c: c.source[0]):  # type: ignore[index]
        start, end = claim.source  # type: ignore[misc]
        if end - start != 1:
            continue
        pronoun = doc[start]
        gender = pronoun_gender(pronoun)
        if gender is None:
            continue
        here = sent_of[start]
        best: tuple[tuple[bool, int, int, int], Span] | None = None
        for pos, sent_n, rank, ent in mentions:
            if pos >= start or here - sent_n > MAX_SENTENCES_BACK or para[start] - para[pos] > MAX_PARAGRAPHS_BACK:
                continue
            if sent_n == here and rank < _SUBJECT:
                continue
            known = genders.of(ent)
            if known is not None and known != gender:
                continue
            # a person the text says agrees first, then the nearest sentence, salience, the earlier mention
            key = (known == gender, sent_n, rank, -pos)
            if best is None or key > best[0]:
                best = (key, ent)
        if best is None:
            continue
        ent = best[1]
        claim.resolved = (ent.start, ent.end)
        genders.add(ent, gender)
        # the resolved pronoun is now a mention of that person, as a source
        mentions.append((start, here, _SOURCE, ent))
