"""Pronoun speakers resolved to the person they name: "he said" → Basem Naim.

After the claim detector has found its claims, every claim whose source is a
lone *he* or *she* (or *him*/*her*, the agent of a passive) gets the PERSON
entity it most likely refers to, as a token span in ``FoundClaim.resolved``
(the suggestions turn it into a ``resolves_to`` relation from the pronoun
source to that entity). The rules, over spaCy's entities, parse and morphology
(no spaCy import here):

- **Who can be meant**: every PERSON entity, and a proper noun that is the
  last name of a PERSON entity elsewhere in the article (the tagger often
  calls a lone ``Lynch`` an organisation after ``Loretta E. Lynch``); the
  link then goes to the latest full mention of that name before it.
- **Where to look**: the sentences before the pronoun's, at most
  :data:`MAX_SENTENCES_BACK` of them and no further back than the previous
  :data:`MAX_PARAGRAPHS_BACK` paragraphs; in the pronoun's own sentence only a
  subject before it (``Naim arrived and he said …``); never a person named
  inside the claim itself (``“… Donald has put forth …,” she said``) unless
  that person is a source there too.
- **Nearest sentence first**: a person only talked about — named inside
  another claim's content and not its source — comes after everyone else
  (``… asked him to praise Mark Dunn, the owner said. He said …``); then the
  most recent sentence that holds a compatible person wins; within it, the person at the head of a claim's *source* (or a
  pronoun source already resolved to them — so a chain of ``he said`` keeps its
  person) beats a subject, which beats any other mention
  (``Clinton communication director Jennifer Palmieri`` → Palmieri, not
  Clinton); then the earlier mention (subjects come first in English).
- **Agreement**: the pronoun's gender comes from spaCy's morphology
  (``Gender=Masc``/``Fem``; the word itself when the tagger gives none). A
  person's gender is known when the text tells it — a title (``Mr.``,
  ``Mrs.``, ``Ms.``), a gendered noun in the person's own phrase (``a
  spokeswoman``, see :data:`GENDERED_NOUNS`), an earlier resolution, the
  pronouns of sentences that mention that person alone (``Clinton said her
  plan …``) — or, as weaker evidence, a common given name
  (``lexicon.MASCULINE_GIVEN_NAMES``/``FEMININE_GIVEN_NAMES``) as the first
  word of a name, or alone when it is no one's surname in the article. A full name
  is looked up as itself; a lone last name by the votes of every mention of
  it (so ``Clinton`` stays open when both Bill and Hillary appear). A person
  whose gender is unknown is compatible with both; one whose gender disagrees
  is never chosen. Plural pronouns (*they*) are not resolved: a PERSON
  entity is one person.

When nothing compatible is in reach, the pronoun stays unresolved: a wrong
name is worse than none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsmark.nlp import lexicon

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

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

_SOURCE, _SUBJECT, _MENTION, _TALKED_ABOUT = 3, 2, 1, 0


def pronoun_gender(tok: Token) -> str | None:
    """``"Masc"``/``"Fem"`` for he/she/him/her, from the morphology first; None for any other token."""
    word = tok.lower_
    if word not in PRONOUN_GENDER:
        return None
    morph = tok.morph.get("Gender") if tok.has_morph() else []
    if morph and morph[0] in ("Masc", "Fem"):
        return morph[0]
    return PRONOUN_GENDER[word]


def _name_words(tokens: Iterable[Token]) -> list[str]:
    return [t.text.lower() for t in tokens if t.is_alpha and t.lower_ not in TITLE_GENDER and len(t.text) > 1]


def _key(words: list[str]) -> str:
    """A person's key: the full name for several words, the last name for one."""
    return " ".join(words)


class _Genders:
    """What the article (and the given-name lists) say about each person's gender, by full name and by last name."""

    def __init__(self) -> None:
        self.votes: dict[str, dict[str, int]] = {}

    def add(self, words: list[str], gender: str, weight: int = 1) -> None:
        if not words:
            return
        for key in {_key(words), words[-1]}:
            box = self.votes.setdefault(key, {})
            box[gender] = box.get(gender, 0) + weight

    def of(self, words: list[str]) -> str | None:
        """By the full name when it is known, else (one word) by the last name shared by every mention."""
        if not words:
            return None
        box = self.votes.get(_key(words))
        if not box:
            return None
        best = max(box.items(), key=lambda kv: kv[1])
        if sum(1 for v in box.values() if v == best[1]) != 1:
            return None
        return best[0]


def _collect_genders(doc: Doc, persons: list[Span], sources: list[TokSpan]) -> _Genders:
    genders = _Genders()
    surnames = {w[-1] for w in (_name_words(e) for e in persons) if len(w) > 1}
    for ent in persons:
        words = _name_words(ent)
        before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        title = TITLE_GENDER.get(ent[0].lower_) or TITLE_GENDER.get(before)
        if title:
            genders.add(words, title, 3)
        if len(words) > 1 or (words and words[0] not in surnames):
            if words[0] in lexicon.MASCULINE_GIVEN_NAMES:
                genders.add(words, "Masc")
            elif words[0] in lexicon.FEMININE_GIVEN_NAMES:
                genders.add(words, "Fem")
        # "9/11 widow Terry Strada", "Congresswoman Ann Lee": a gendered noun just before the name
        k = ent.start - 1
        while k >= max(0, ent.start - 3) and doc[k].pos_ in ("NOUN", "PROPN", "ADJ", "NUM", "SYM", "PUNCT") and doc[k].text not in (",", ";", "(", "."):
            gender = GENDERED_NOUNS.get(doc[k].lower_)
            if gender:
                genders.add(words, gender, 2)
                break
            k -= 1
        # "Basem Naim, a spokesman for …": a gendered noun in the phrase around the name
        phrase = next(((s, e) for s, e in sources if s <= ent.start and ent.end <= e), None)
        window = range(ent.end, phrase[1]) if phrase else range(ent.end, min(len(doc), ent.end + 6))
        for k in window:
            noun = doc[k]
            if noun.text in (".", ";") or noun.is_space:
                break
            gender = GENDERED_NOUNS.get(noun.lower_)
            if gender and noun.pos_ in ("NOUN", ""):
                genders.add(words, gender, 2)
                break
    # sentences that name exactly one person: their gendered pronouns are most likely about that person
    if doc.has_annotation("SENT_START"):
        for sent in doc.sents:
            named = [e for e in persons if sent.start <= e.start < sent.end]
            keys = {_name_words(e)[-1] for e in named if _name_words(e)}
            if len(keys) != 1:
                continue
            seen = {POSSESSIVE_GENDER[t.lower_] for t in sent if t.lower_ in POSSESSIVE_GENDER and t.i > named[0].start}
            if len(seen) == 1:
                genders.add(_name_words(named[0]), seen.pop())
    return genders


def _span_root(doc: Doc, span: TokSpan) -> int:
    """The token of ``span`` whose head lies outside it (the first such)."""
    for i in range(*span):
        head = doc[i].head.i
        if head == i or not span[0] <= head < span[1]:
            return i
    return span[0]


def resolve_speakers(doc: Doc, claims: list[FoundClaim], para: list[int]) -> None:
    """Fill ``resolved`` of every claim whose source is a lone he/she (see the module notes). ``para``: paragraph of each token."""
    if not claims or not len(doc):
        return
    persons = [e for e in doc.ents if e.label_ == "PERSON" and _name_words(e)]
    if not persons:
        return
    sent_of = [0] * len(doc)
    if doc.has_annotation("SENT_START"):
        for n, sent in enumerate(doc.sents):
            for i in range(sent.start, sent.end):
                sent_of[i] = n
    sources = sorted({c.source for c in claims if c.source})
    source_heads = {_span_root(doc, s) for s in sources}
    contents = [c.content for c in claims if c.source]
    genders = _collect_genders(doc, persons, sources)
    by_last: dict[str, list[Span]] = {}
    for ent in persons:
        by_last.setdefault(_name_words(ent)[-1], []).append(ent)
    in_person = set()
    for ent in persons:
        in_person.update(range(ent.start, ent.end))

    # mentions: (start, end, sentence, salience, name words, the PERSON entities it may stand for)
    mentions: list[tuple[int, int, int, int, list[str], list[Span]]] = []

    def salience(start: int, end: int, root: Token) -> int:
        if any(start <= h < end for h in source_heads):
            return _SOURCE
        if any(c0 <= start < c1 for c0, c1 in contents):
            return _TALKED_ABOUT
        if root.dep_ in ("nsubj", "nsubjpass") or (root.dep_ in ("appos", "compound") and root.head.dep_ in ("nsubj", "nsubjpass")):
            return _SUBJECT
        return _MENTION

    for ent in persons:
        mentions.append((ent.start, ent.end, sent_of[ent.start], salience(ent.start, ent.end, ent.root), _name_words(ent), [ent]))
    # a last name the tagger did not call a person here ("Lynch said …" after "Loretta E. Lynch")
    for tok in doc:
        if tok.i in in_person or tok.pos_ != "PROPN" or tok.lower_ not in by_last:
            continue
        if tok.dep_ == "compound" or (tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN"):
            continue  # "the Clinton campaign", part of a longer name
        mentions.append((tok.i, tok.i + 1, sent_of[tok.i], salience(tok.i, tok.i + 1, tok), [tok.lower_], by_last[tok.lower_]))
    mentions.sort(key=lambda m: m[0])

    for claim in sorted((c for c in claims if c.source), key=lambda c: c.source[0]):  # type: ignore[index]
        start, end = claim.source  # type: ignore[misc]
        if end - start != 1:
            continue
        gender = pronoun_gender(doc[start])
        if gender is None:
            continue
        here = sent_of[start]
        c_start, c_end = claim.content
        best: tuple[tuple[bool, int, int, int], int, list[Span]] | None = None
        for m_start, m_end, sent_n, rank, words, ents in mentions:
            if m_start >= start or here - sent_n > MAX_SENTENCES_BACK or para[start] - para[m_start] > MAX_PARAGRAPHS_BACK:
                continue
            if sent_n == here and rank < _SUBJECT:
                continue
            if c_start <= m_start < c_end and rank != _SOURCE:
                continue  # a person named in what was said is rarely who said it (unless they speak there too)
            known = genders.of(words)
            if known is not None and known != gender:
                continue
            # someone only talked about in another claim comes last; then the nearest sentence,
            # salience, the earlier mention
            key = (rank > _TALKED_ABOUT, sent_n, rank, -m_start)
            if best is None or key > best[0]:
                best = (key, m_start, ents)
        if best is None:
            continue
        # the entity meant: the mention itself, or the latest full mention of that name before it
        candidates = best[2]
        earlier = [e for e in candidates if e.start <= best[1]]
        ent = max(earlier, key=lambda e: e.start) if earlier else candidates[0]
        claim.resolved = (ent.start, ent.end)
        genders.add(_name_words(ent), gender)
        # the resolved pronoun is now a mention of that person, as a source
        mentions.append((start, end, here, _SOURCE, _name_words(ent), [ent]))
        mentions.sort(key=lambda m: m[0])
