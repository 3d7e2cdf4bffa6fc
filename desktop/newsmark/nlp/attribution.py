"""The claim detector's rules, over a parsed spaCy ``Doc``.

This module never imports spaCy: it only reads the tokens, tags and
dependency arcs of a ``Doc`` it is given (so ``import newsmark.nlp.attribution``
stays cheap). The spaCy component that calls it lives in :mod:`newsmark.nlp.claims`.

Three passes, in this order (a token used by an earlier pass is not reused):

1. **Direct quotes** (:func:`find_quotes` over the text): a quotation that
   stands on its own — it opens its sentence, or follows a frame such as
   ``X told CNN,`` / ``X said:`` — becomes a ``direct_quote`` claim, with its
   speaker and cue taken from the frame before it or from the one after it
   (``“…,” he said`` / ``“…,” said X, a spokesman``). A paragraph that is only
   a quotation inherits the speaker of the quotation just before it (same
   paragraph or the previous one). Quotations inside a sentence that goes on
   around them (scare quotes, quoted phrases, anything after ``said that``)
   are *not* separate claims: they belong to the reported statement or
   assertion around them.
2. **Reported statements** (dependency parse): a reporting verb (``say``,
   ``tell``, ``add``, ``expect`` …, see :mod:`.lexicon`) with a clausal
   complement (``X said (that) …``), a reporting verb that hangs off the clause
   it reports (``…, X said.``), and ``according to X``. The speaker is the
   subject's whole noun phrase (appositions and relative clauses included),
   inherited through ``adding``/``and added``; the cue is the verb with its
   auxiliaries and particle, plus the addressee of ``tell`` (``told CNN``).
   Also: ``according to X``; ``call X Y``; stance verbs with a noun-phrase
   object (``criticized the accord``, low score); parenthetical frames (``This
   campaign, he says, is different``); a paragraph ``Name: statement``
   (headlines, transcripts). Dropped afterwards: beliefs/stances nested in
   someone else's statement, first/second-person opinions (``I think …``), and
   passive expectations without an agent (``talks are expected to …``).
3. **Check-worthy assertions** in sentences no attribution covers: see
   :mod:`newsmark.nlp.factual`.

docs/quality.md gives the measured figures and the known failure modes.

All positions here are token indexes, ``[start, end)``.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsmark.model import ClaimType
from newsmark.nlp import lexicon
from newsmark.nlp.quotes import QUOTE_TOKENS, find_quotes

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

    from newsmark.nlp.checkworthy import CheckworthyModel

TokSpan = tuple[int, int]

SENT_FINAL = frozenset(".!?")
DASHES = frozenset(("―", "—", "–", "-", "--"))
TRIM_PUNCT = frozenset(",;:—–-")
SUBJECT_DEPS = frozenset(("nsubj", "nsubjpass", "csubj"))
CLAUSE_DEPS = frozenset(("ccomp", "parataxis", "ROOT", "conj", "advcl", "xcomp", "relcl", "acl", "csubj"))
# scare quotes: a standalone quotation needs at least this many words unless a frame names its speaker
MIN_QUOTE_WORDS = 3


@dataclass(slots=True)
class FoundClaim:
    """One claim found in a Doc, as token spans."""

    claim_type: ClaimType
    content: TokSpan
    score: float
    source: TokSpan | None = None
    cue: TokSpan | None = None
    rule: str = ""
    resolved: TokSpan | None = None  # a pronoun source's person (a PERSON entity), see newsmark.nlp.speakers

    def to_json(self) -> dict[str, Any]:
        """Plain data (it travels in ``doc.user_data`` and through ``Doc.to_bytes``)."""
        data = {
            "type": self.claim_type.value,
            "content": list(self.content),
            "score": round(self.score, 3),
            "source": list(self.source) if self.source else None,
            "cue": list(self.cue) if self.cue else None,
            "rule": self.rule,
        }
        if self.resolved:
            data["resolved"] = list(self.resolved)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FoundClaim:
        return cls(
            ClaimType(data["type"]),
            (int(data["content"][0]), int(data["content"][1])),
            float(data["score"]),
            tuple(data["source"]) if data.get("source") else None,  # type: ignore[arg-type]
            tuple(data["cue"]) if data.get("cue") else None,  # type: ignore[arg-type]
            data.get("rule", ""),
            tuple(data["resolved"]) if data.get("resolved") else None,  # type: ignore[arg-type]
        )


class _Layout:
    """Per-document helpers: paragraphs, sentences, char → token."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        n = len(doc)
        self.idx = [0] * n
        self.para = [0] * n
        p = 0
        for i, t in enumerate(doc):
            self.idx[i] = t.idx
            self.para[i] = p
            if t.is_space and "\n" in t.text or t.whitespace_ == "\n":
                p += 1
        self._para_bounds: dict[int, list[int]] = {}
        for i, p_id in enumerate(self.para):
            bounds = self._para_bounds.setdefault(p_id, [i, i + 1])
            bounds[1] = i + 1
        self.sent_start = [0] * n
        self.sent_end = [n] * n
        self.sents: list[Span] = list(doc.sents) if doc.has_annotation("SENT_START") else []
        for sent in self.sents:
            start, end = sent.start, sent.end
            for i in range(start, end):
                self.sent_start[i] = start
                self.sent_end[i] = end
        self.quotes = find_quotes(doc.text)
        self.used = [False] * n  # tokens taken by a claim's content, source or cue

    def para_start(self, i: int) -> int:
        return self._para_bounds[self.para[i]][0]

    def para_end(self, i: int) -> int:
        return self._para_bounds[self.para[i]][1]

    def bounds(self, i: int) -> TokSpan:
        """The sentence of token ``i``, cut to its paragraph."""
        return max(self.sent_start[i], self.para_start(i)), min(self.sent_end[i], self.para_end(i))

    def token_at(self, char: int) -> int:
        return max(0, bisect_right(self.idx, char) - 1)

    def char_span_to_tokens(self, start: int, end: int) -> TokSpan:
        first = self.token_at(start)
        last = self.token_at(max(start, end - 1))
        return first, last + 1


# ---------------------------------------------------------------- small helpers


def _is_word(tok: Token) -> bool:
    return tok.is_alpha or tok.like_num


def _words(doc: Doc, span: TokSpan) -> int:
    return sum(1 for i in range(*span) if _is_word(doc[i]))


def _trim(doc: Doc, span: TokSpan, extra: frozenset[str] = frozenset()) -> TokSpan | None:
    """Drop surrounding whitespace and separating punctuation from a token span."""
    start, end = span
    while start < end and (doc[start].is_space or doc[start].text in TRIM_PUNCT or doc[start].text in extra):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in TRIM_PUNCT or doc[end - 1].text in extra):
        end -= 1
    return (start, end) if end > start else None


def _subtree_span(tok: Token) -> TokSpan:
    return tok.left_edge.i, tok.right_edge.i + 1


def _lemma(tok: Token) -> str:
    """The lemma, or — in a pipeline without a lemmatizer — a few common reporting forms mapped by hand."""
    lemma = tok.lemma_
    if lemma:
        lemma = lemma.lower()
        # the small English lemmatizer reads "hoping" as a form of "hop"
        return "hope" if lemma == "hop" and tok.lower_.startswith("hop") and "hopp" not in tok.lower_ else lemma
    return lexicon.REPORTING_FORMS.get(tok.lower_, tok.lower_)


def _is_verb(tok: Token) -> bool:
    """A verb by the tagger, or any word at all in a pipeline without one."""
    pos = tok.pos_
    return pos in ("VERB", "AUX") if pos else tok.is_alpha


def _is_reporting(tok: Token) -> bool:
    return _lemma(tok) in lexicon.REPORTING_VERBS and _is_verb(tok) and tok.tag_ != "MD"


def _is_stance(tok: Token) -> bool:
    lemma = tok.lemma_.lower()
    return (lemma in lexicon.STANCE_VERBS or lemma in lexicon.STANCE_PREPOSITIONS) and tok.pos_ == "VERB"


def _subject(tok: Token) -> Token | None:
    """The subject of a verb, inherited through adding / and added / to say."""
    seen = 0
    cur = tok
    while seen < 4:
        passive = False
        for child in cur.children:
            if child.dep_ in ("nsubjpass", "auxpass"):
                passive = True
        if passive:
            # "was told by X" — the agent speaks; "it is expected that …" has no speaker
            for child in cur.children:
                if child.dep_ == "agent":
                    objs = [c for c in child.children if c.dep_ == "pobj"]
                    return objs[0] if objs else None
            return None
        for child in cur.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child
        if cur.dep_ in ("conj", "advcl", "xcomp") and cur.head.i != cur.i:
            # "said ..., adding that", "said X and added Y", "declined to say"
            if cur.dep_ == "advcl" and cur.tag_ != "VBG":
                return None
            cur = cur.head
            seen += 1
            continue
        return None
    return None


def _holder(verb: Token) -> Token | None:
    """Who holds the view of a verb that has no subject of its own: the subject of the clause it serves
    (``won by denouncing X``, ``met her to discuss X``), or the noun a participle describes (``groups
    backing Cruz``, ``a poll showing …``)."""
    head = verb.head
    if head.i == verb.i:
        return None
    if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and head.pos_ == "ADP" and head.head.pos_ in ("VERB", "AUX"):
        return _subject(head.head)
    if verb.dep_ == "advcl" and head.pos_ in ("VERB", "AUX") and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return _subject(head)
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and head.pos_ in ("NOUN", "PROPN", "PRON") and head.i < verb.i:
        return head
    return None


def _cue_span(doc: Doc, verb: Token, stop: int | None = None) -> TokSpan:
    """The verb with its auxiliaries/negation just before it, its particle, and tell's addressee."""
    start = verb.i
    while start > 0 and doc[start - 1].dep_ in ("aux", "auxpass", "neg") and doc[start - 1].head.i == verb.i:
        start -= 1
    end = verb.i + 1
    for child in verb.children:
        if child.i == end and child.dep_ == "prt":
            end += 1
    if _lemma(verb) == "tell":
        for child in verb.children:
            if child.dep_ in ("dobj", "dative", "iobj") and child.left_edge.i == end:
                right = child.right_edge.i + 1
                if right - child.i <= 4 and (stop is None or right <= stop):
                    end = right
    return start, end


def _overlaps(a: TokSpan, b: TokSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _clip(span: TokSpan, avoid: TokSpan) -> TokSpan | None:
    """``span`` without the part that overlaps ``avoid`` (keep the larger side)."""
    if not _overlaps(span, avoid):
        return span
    left = (span[0], avoid[0]) if avoid[0] > span[0] else None
    right = (avoid[1], span[1]) if avoid[1] < span[1] else None
    options = [s for s in (left, right) if s]
    if not options:
        return None
    return max(options, key=lambda s: s[1] - s[0])


def _source_span(doc: Doc, subj: Token, avoid: list[TokSpan]) -> TokSpan | None:
    span: TokSpan | None = _subtree_span(subj)
    # "Mr. Kamin, who emphasized that …": a relative clause that reports something is an attribution of its own
    for tok in doc[span[0] : span[1]]:
        if tok.dep_ == "relcl" and tok.i > subj.i and (_is_reporting(tok) or _is_stance(tok)) and tok.left_edge.i > subj.i:
            span = (span[0], tok.left_edge.i)
            break
    for a in avoid:
        if span is None:
            return None
        if _overlaps(span, a):
            # keep the part that holds the subject's head word
            if a[0] <= subj.i < a[1]:
                return None
            span = (span[0], a[0]) if a[0] > subj.i else (a[1], span[1])
    if span is None:
        return None
    return _trim_to_words(doc, span)


def _trim_to_words(doc: Doc, span: TokSpan) -> TokSpan | None:
    """Without leading/trailing tokens that hold no letter or digit (punctuation, quotation marks, emoji),
    and without a dateline before a dash ("WASHINGTON (AP) — Donald Trump …")."""
    start, end = span
    for k in range(end - 1, start, -1):
        if doc[k].text in ("—", "–", "--", "―") and k + 1 < end:
            start = k + 1
            break
    while start < end and not any(ch.isalnum() for ch in doc[start].text):
        start += 1
    while end > start and not any(ch.isalnum() for ch in doc[end - 1].text):
        end -= 1
    return (start, end) if end > start else None


def _fallback_source(doc: Doc, verb: Token, lo: int) -> TokSpan | None:
    """``…, an official and a source familiar with the talks said.`` when the parser found no subject."""
    i = verb.i - 1
    while i >= lo and doc[i].dep_ in ("aux", "auxpass", "neg", "advmod") and doc[i].head.i == verb.i:
        i -= 1
    end = i + 1
    while i >= lo and doc[i].text not in (",", ";", ":", "(", "—", "–") and doc[i].text not in QUOTE_TOKENS:
        if doc[i].pos_ in ("VERB",) and doc[i].dep_ not in ("amod", "acl", "relcl", "compound"):
            return None
        i -= 1
    start = i + 1
    if end <= start or end - start > 14:
        return None
    if not any(doc[k].pos_ in ("NOUN", "PROPN", "PRON") or (not doc[k].pos_ and doc[k].is_alpha) for k in range(start, end)):
        return None
    return start, end


# ---------------------------------------------------------------- pass 1: direct quotes


def _frame_after(doc: Doc, lay: _Layout, q_end: int) -> tuple[Token, Token | None, TokSpan] | None:
    """``“…,” he said`` / ``“…,” said X, a spokesman``: (verb, subject, window)."""
    n = len(doc)
    end = q_end
    para = lay.para[q_end - 1]
    name = _dash_name(doc, q_end)
    if name is not None:
        return doc[name[0] - 1] if doc[name[0] - 1].text in DASHES else doc[q_end], None, name  # “…” ― Pamela Padilla
    while end < n and end - q_end < 30:
        tok = doc[end]
        if lay.para[end] != para or tok.text in QUOTE_TOKENS or (tok.is_space and "\n" in tok.text):
            break
        if tok.text in SENT_FINAL:
            break
        end += 1
    window = (q_end, end)
    for i in range(q_end, end):
        tok = doc[i]
        if _is_reporting(tok) and _lemma(tok) not in lexicon.CLAUSE_ONLY:
            subj = _subject(tok)
            if i - q_end > 12 and not (subj is not None and q_end <= subj.left_edge.i and subj.right_edge.i < i):
                return None  # far from the quote, and not because of a long speaker ("X, who …, told CBS")
            before = [doc[k] for k in range(q_end, i)]
            if any(b.pos_ in ("VERB",) and b.dep_ not in ("relcl", "acl", "amod") for b in before) and not (
                subj is not None and subj.i >= q_end
            ):
                return None
            if any(b.text in SENT_FINAL for b in before):
                return None
            if any(c.dep_ in ("ccomp", "xcomp") and c.i > tok.i and c.left_edge.i <= tok.i + 2 for c in tok.children):
                return None  # “Title,” X said the show is … — the verb reports something else
            if subj is not None and not (q_end <= subj.i < end):
                subj = None
            return tok, subj, window
    return _manner_frame(doc, q_end, end)


def _manner_frame(doc: Doc, q_end: int, end: int) -> tuple[Token, Token | None, TokSpan] | None:
    """``“…,” he mocks.`` / ``“…!” Oliver barked.``: a quote that ends on a comma (or ! ?) and a short
    subject + verb that close the sentence — the verb says how it was said, whatever verb it is."""
    k = q_end - 1
    while k > 0 and doc[k].text in QUOTE_TOKENS:
        k -= 1
    if doc[k].text not in (",", "!", "?", "—", "–"):
        return None
    for i in range(q_end, min(end, q_end + 8)):
        tok = doc[i]
        if tok.pos_ != "VERB" or tok.dep_ not in ("ROOT", "parataxis", "ccomp", "conj"):
            continue
        subj = next((c for c in tok.children if c.dep_ == "nsubj" and q_end <= c.left_edge.i and c.i < i), None)
        if subj is None or any(doc[m].pos_ == "VERB" for m in range(q_end, subj.left_edge.i)):
            return None
        if any(c.dep_ in ("dobj", "ccomp", "xcomp", "attr", "acomp", "oprd") and c.i > tok.i for c in tok.children):
            return None  # “…,” he wrote a letter / he seemed angry: not a frame
        if not _near_sentence_end(doc, tok):
            return None
        return tok, subj, (q_end, end)
    return None


def _dash_name(doc: Doc, q_end: int) -> TokSpan | None:
    """``“…” ― Pamela Padilla`` (a dash, maybe a no-break space, then a name on the same line): the name."""
    k = q_end
    while k < len(doc) and doc[k].is_space and "\n" not in doc[k].text:
        k += 1
    if k >= len(doc) or doc[k].text not in DASHES:
        return None
    k += 1
    while k < len(doc) and doc[k].is_space and "\n" not in doc[k].text:
        k += 1
    start = end = k
    while end < len(doc) and end - start < 5 and doc[end].is_alpha and (doc[end].pos_ == "PROPN" or doc[end].text[:1].isupper()):
        end += 1
    return (start, end) if end > start and doc[start].text[:1].isupper() else None


def _frame_before(doc: Doc, lay: _Layout, q_start: int, lo: int) -> tuple[Token, Token | None] | None:
    """``X told CNN, “…`` / ``X said: “…``: (verb, subject) when the quote completes the verb."""
    i = q_start - 1
    while i >= lo and doc[i].is_space:
        i -= 1
    if i < lo:
        return None
    last = doc[i]
    if last.text not in (",", ":") and not _is_reporting(last):
        # "said that “…" belongs to the reported statement, not to a direct quote
        return None
    for k in range(i, max(lo - 1, i - 10), -1):
        tok = doc[k]
        colon_frame = last.text == ":" and tok.pos_ == "VERB" and _subject(tok) is not None
        if colon_frame or (_is_reporting(tok) and (_lemma(tok) not in lexicon.CLAUSE_ONLY or last.text in (":", ","))):
            between = [doc[m] for m in range(k + 1, q_start)]
            if any(b.pos_ == "VERB" for b in between):
                return None
            if any(b.lower_ == "that" for b in between):
                return None
            subj = _subject(tok)
            return tok, subj
    return None


def _quote_claims(doc: Doc, lay: _Layout) -> list[FoundClaim]:
    found: list[FoundClaim] = []
    prev_end_tok = 0
    last_attributed: FoundClaim | None = None
    last_attributed_para = -10
    for quote in lay.quotes:
        qs, qe = lay.char_span_to_tokens(quote.start, quote.end)
        if qe <= qs:
            continue
        inner_words = _words(doc, (qs, qe))
        if inner_words == 0:
            continue
        para = lay.para[qs]
        # what stands before the quote in its sentence (not before an earlier quote)
        lo = qs
        while lo > prev_end_tok and lay.para[lo - 1] == para and doc[lo - 1].text not in SENT_FINAL:
            lo -= 1
        before = [doc[k] for k in range(lo, qs) if _is_word(doc[k])]
        prev_quote_end = prev_end_tok
        prev_end_tok = qe
        speaker: Token | None = None
        verb: Token | None = None
        after_window: TokSpan | None = None
        standalone = False
        rule = ""
        if before:
            frame = _frame_before(doc, lay, qs, lo)
            if frame is None:
                continue  # a quotation inside a sentence: a scare quote or part of a reported clause
            verb, speaker = frame
            standalone, rule = True, "quote:frame-before"
        elif qs > 0 and _starts_paragraph(doc, lay, qs):
            # "He said:" closing the paragraph before
            k = qs - 1
            while k > 0 and doc[k].is_space:
                k -= 1
            if doc[k].text == ":" and k >= prev_quote_end:
                frame = _frame_before(doc, lay, qs, max(lay.sent_start[k], lay.para_start(k), prev_quote_end))
                if frame is not None:
                    verb, speaker = frame
                    lo = max(lay.sent_start[k], lay.para_start(k))
                    standalone, rule = True, "quote:frame-before"
        if verb is None:
            after = _frame_after(doc, lay, qe)
            if after is not None:
                verb, speaker, after_window = after
                standalone, rule = True, "quote:frame-after"
            else:
                trailing = 0
                k = qe
                while k < len(doc) and lay.para[k] == para and doc[k].text not in SENT_FINAL and doc[k].text not in QUOTE_TOKENS:
                    if _is_word(doc[k]):
                        trailing += 1
                    k += 1
                if trailing and inner_words <= 6:
                    continue  # “Pretty significant” was how he put it
                if inner_words < MIN_QUOTE_WORDS:
                    continue
                standalone, rule = True, "quote:alone"
        if not standalone:
            continue
        content = (qs, qe)
        claim = FoundClaim(ClaimType.DIRECT_QUOTE, content, 0.6, rule=rule)
        if verb is not None:
            claim.cue = _cue_span(doc, verb, stop=qs if verb.i < qs else None)
            if speaker is not None and speaker.lower_ not in lexicon.NON_SPEAKERS:
                lo_bound = after_window[0] if after_window else lo
                hi_bound = after_window[1] if after_window else qs
                src = _source_span(doc, speaker, [content, claim.cue])
                if src is not None:
                    src = (max(src[0], lo_bound), min(src[1], hi_bound))
                    src = _trim(doc, src) if src[1] > src[0] else None
                claim.source = src
            if verb.text in DASHES and after_window is not None:
                claim.source, claim.cue = after_window, (verb.i, verb.i + 1)
            if claim.source is None and after_window is not None:
                # "“…,” said Naim, a spokesman." — the speaker follows the verb
                claim.source = _speaker_after_verb(doc, verb, after_window)
            if claim.source is None:
                claim.source = _fallback_source(doc, verb, lo if verb.i < qs else qe)
            claim.score = 0.95 if claim.source else 0.75
        elif last_attributed is not None and (
            para == last_attributed_para or (para == last_attributed_para + 1 and _starts_paragraph(doc, lay, qs))
        ):
            claim.source, claim.cue = last_attributed.source, last_attributed.cue
            claim.score, claim.rule = 0.8, "quote:continues"
        if claim.source is not None:
            last_attributed, last_attributed_para = claim, lay.para[qe - 1]
        found.append(claim)
    return found


def _starts_paragraph(doc: Doc, lay: _Layout, i: int) -> bool:
    return i == 0 or lay.para[i - 1] != lay.para[i]


def _speaker_after_verb(doc: Doc, verb: Token, window: TokSpan) -> TokSpan | None:
    for child in verb.children:
        if child.i > verb.i and window[0] <= child.i < window[1] and child.pos_ in ("PROPN", "NOUN", "PRON"):
            if child.dep_ in ("nsubj", "dobj", "attr", "npadvmod", "appos", "dative", "oprd", "nsubjpass"):
                span = (child.left_edge.i, min(child.right_edge.i + 1, window[1]))
                return _trim(doc, span)
    # unparsed: take the run of nouns after the verb up to punctuation
    k = verb.i + 1
    while k < window[1] and doc[k].pos_ in ("DET", "PROPN", "NOUN", "ADJ", "PRON", "NUM") and doc[k].text not in TRIM_PUNCT:
        k += 1
    if k > verb.i + 1 and any(doc[m].pos_ in ("PROPN", "NOUN", "PRON") for m in range(verb.i + 1, k)):
        return verb.i + 1, k
    return None


# ---------------------------------------------------------------- pass 2: reported statements


def _content_of(doc: Doc, verb: Token) -> tuple[TokSpan, str] | None:
    """The clause (or, for stance verbs, the object) a reporting verb reports, and the rule that found it."""
    lemma = _lemma(verb)
    children = list(verb.children)
    if any(c.dep_ == "agent" for c in children) and (lemma in lexicon.STANCE_VERBS or lemma in lexicon.REPORTING_VERBS):
        # "Trump is supported by far fewer publications", "was called a charlatan by physicians"
        subjects = [c for c in children if c.dep_ == "nsubjpass" and c.i < verb.i and c.lower_ not in lexicon.NON_SPEAKERS]
        if subjects:
            return _subtree_span(subjects[0]), "reported:stance"
    if _is_passive(verb) and (lemma in lexicon.STANCE_VERBS or lemma in lexicon.REPORTING_VERBS) and lemma not in lexicon.NO_PASSIVE_CONTENT:
        # "X was said to be furious", "talks are expected to resume", "is seen as a conservative icon": nobody named
        comps = [c for c in children if c.i > verb.i and c.dep_ in ("xcomp", "ccomp", "oprd")]
        comps += [c for c in children if c.i > verb.i and c.dep_ == "prep" and c.lower_ in ("as", "of", "for", "with")]
        subjects = [c for c in children if c.dep_ == "nsubjpass" and c.lower_ not in ("it", "there")]
        if any(c.dep_ in ("parataxis", "ccomp", "advcl") and c.i > verb.i and _is_reporting(c) for c in children):
            return None  # "… are expected to last weeks, the source said": the source's statement
        if comps:
            return (comps[0].left_edge.i, max(c.right_edge.i for c in comps) + 1), "reported:passive"
        if subjects and subjects[0].i < verb.i:
            return _subtree_span(subjects[0]), "reported:passive"
    comps = [c for c in children if c.dep_ == "ccomp"]
    if comps:
        comp = min(comps, key=lambda c: abs(c.i - verb.i))
        return _subtree_span(comp), "reported:ccomp"
    if lemma in lexicon.SPEECH_VERBS or lemma in ("expect", "believe", "think", "show"):
        found = _clause_after(doc, verb)
        if found is not None:
            return found, "reported:clause"
    xcomps = [c for c in children if c.dep_ == "xcomp" and c.i > verb.i]
    if xcomps and lemma in lexicon.XCOMP_VERBS:
        xcomp = xcomps[0]
        objs = [c for c in children if c.dep_ in ("dobj", "dative") and verb.i < c.i < xcomp.i]
        start = objs[0].left_edge.i if objs and lemma not in ("tell", "ask", "urge") else xcomp.left_edge.i
        return (start, xcomp.right_edge.i + 1), "reported:xcomp"
    if lemma == "call":
        objs = [c for c in children if c.dep_ == "dobj" and c.i > verb.i]
        preds = [c for c in children if c.dep_ in ("oprd", "xcomp", "attr", "acomp") and c.i > verb.i]
        if objs and preds:
            return (objs[0].left_edge.i, max(p.right_edge.i for p in preds) + 1), "reported:call"
    if lemma in lexicon.SPEECH_VERBS and lemma not in lexicon.STANCE_VERBS:
        objs = [c for c in children if c.dep_ == "dobj" and c.i > verb.i and c.lower_ not in lexicon.EMPTY_OBJECTS]
        if objs and any(t.pos_ in ("VERB", "AUX") for t in objs[0].subtree):
            # "says the movement that's sweeping the country appeals to …": a clause the parser read as an object
            return (objs[0].left_edge.i, verb.right_edge.i + 1), "reported:object-clause"
    if lemma in ("see", "view", "regard", "perceive"):
        # "voters see Clinton as the stronger candidate": the object and what it is seen as
        objs = [c for c in children if c.dep_ == "dobj" and c.i > verb.i]
        as_ = [c for c in children if c.dep_ == "prep" and c.lower_ == "as" and c.i > verb.i]
        if objs and as_ and objs[0].i < as_[0].i:
            return (objs[0].left_edge.i, as_[0].right_edge.i + 1), "reported:see-as"
    if lemma in lexicon.STANCE_VERBS or lemma in lexicon.STANCE_PREPOSITIONS or (
        lemma in lexicon.REPORTING_VERBS and lemma not in lexicon.NO_OBJECT_CONTENT
    ):
        deps = ("dobj", "xcomp") if lemma in lexicon.STANCE_VERBS else ("dobj",)
        objs = [c for c in children if c.dep_ in deps and c.i > verb.i and c.lower_ not in lexicon.EMPTY_OBJECTS]
        if objs and lemma not in lexicon.NO_OBJECT_CONTENT:
            end = objs[0].right_edge.i + 1
            for c in children:
                if c.dep_ == "prep" and c.i == end and c.lower_ in ("for", "of", "over", "as"):
                    end = c.right_edge.i + 1
            return (objs[0].left_edge.i, end), "reported:stance"
        for c in children:
            if c.dep_ == "prep" and verb.i < c.i <= verb.i + 3 and c.lower_ in lexicon.STANCE_PREPOSITIONS.get(lemma, ()):
                pobj = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
                if pobj:
                    return (pobj[0].left_edge.i, c.right_edge.i + 1), "reported:stance"
    if lemma in lexicon.NEEDS_CONTENT or (lemma in lexicon.STANCE_VERBS and lemma not in lexicon.SPEECH_VERBS):
        return None
    head = verb.head
    if verb.dep_ in ("parataxis", "ccomp", "advcl", "conj") and head.i != verb.i:
        if head.i < verb.i:
            # "…, he said."  — the verb hangs off the clause it reports
            if not _near_sentence_end(doc, verb):
                return None
            # news style puts the whole sentence before ", X said." (even "A, but B, X said.")
            start = head.left_edge.i
            while start > 0 and not doc[start - 1].is_space and doc[start - 1].text not in SENT_FINAL and doc[start - 1].text not in QUOTE_TOKENS:
                start -= 1
            return (start, verb.left_edge.i), "reported:hanging"
        left, right = verb.left_edge.i, verb.right_edge.i
        comma_before = doc[left].text == "," or (left > 0 and doc[left - 1].text == ",")
        comma_after = doc[right].text == "," or (right + 1 < len(doc) and doc[right + 1].text == ",")
        if verb.dep_ in ("parataxis", "ccomp") and comma_before and comma_after:
            # "This campaign, he says, is different."
            return (head.left_edge.i, head.right_edge.i + 1), "reported:parenthetical"
    return None


def _clause_after(doc: Doc, verb: Token) -> TokSpan | None:
    """A clause after the verb that the parser hung elsewhere: ``said on Friday that …``, ``told the Post he was …``."""
    k = verb.i + 1
    limit = min(len(doc), verb.i + 14)
    while k < limit:
        tok = doc[k]
        if tok.text in SENT_FINAL or tok.text in QUOTE_TOKENS or tok.is_space or tok.text in (";", ":"):
            return None
        head = tok.head
        if tok.lower_ in ("that", "whether", "if") and tok.dep_ in ("mark", "nsubj") and head.i > k:
            return k, head.right_edge.i + 1
        if tok.dep_ in ("nsubj", "nsubjpass", "expl") and head.i > k and head.pos_ in ("VERB", "AUX") and head.i != verb.i:
            if tok.left_edge.i == k:
                return k, head.right_edge.i + 1
        if tok.pos_ in ("VERB", "AUX") and tok.i != verb.i and tok.dep_ not in ("aux", "auxpass", "amod"):
            return None
        k += 1
    return None


def _near_sentence_end(doc: Doc, verb: Token) -> bool:
    """Nothing but adverbials after the verb, or a comma (", the source said, adding …")."""
    if verb.i + 1 < len(doc) and doc[verb.i + 1].text == ",":
        return True
    k = verb.i + 1
    steps = 0
    while k < len(doc) and steps < 8:
        tok = doc[k]
        if tok.text in SENT_FINAL or tok.is_space or tok.text in QUOTE_TOKENS:
            return True
        if tok.pos_ == "VERB":
            return False
        k += 1
        steps += 1
    return k >= len(doc)


def _reported_claims(doc: Doc, lay: _Layout, taken: list[TokSpan]) -> list[FoundClaim]:
    found: list[FoundClaim] = []
    for tok in doc:
        if lay.used[tok.i]:
            continue
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            claim = _according_to(doc, lay, tok)
            if claim is not None:
                found.append(claim)
                _mark(lay, claim)
            continue
        if tok.lower_ == "in" and tok.dep_ == "prep":
            claim = _in_poll_claim(doc, lay, tok)
            if claim is not None:
                found.append(claim)
                _mark(lay, claim)
                continue
        if tok.pos_ == "ADJ" and tok.lower_ in lexicon.ATTITUDE_ADJECTIVES and tok.dep_ == "acomp":
            claim = _attitude_claim(doc, lay, tok)
            if claim is not None:
                found.append(claim)
                _mark(lay, claim)
            continue
        if tok.pos_ == "NOUN" and tok.lemma_.lower() in lexicon.NOUN_CUES:
            claim = _noun_claim(doc, lay, tok)
            if claim is not None:
                found.append(claim)
                _mark(lay, claim)
            continue
        if _lemma(tok) in lexicon.SEEM_VERBS and tok.pos_ in ("VERB", "AUX"):
            claim = _seem_claim(doc, lay, tok)
            if claim is not None:
                found.append(claim)
                _mark(lay, claim)
            continue
        if not (_is_reporting(tok) or _is_stance(tok)):
            continue
        got = _content_of(doc, tok)
        if got is None:
            continue
        content, rule = got
        lo, hi = lay.bounds(tok.i)
        subj = _subject(tok)
        if subj is None and not _is_passive(tok):
            subj = _holder(tok)
        cue = _cue_span(doc, tok, stop=content[0] if content[0] > tok.i else None)
        source: TokSpan | None = None
        if subj is not None and subj.lower_ not in lexicon.NON_SPEAKERS and lo <= subj.i < hi:
            source = _source_span(doc, subj, [cue] if rule == "reported:parenthetical" else [content, cue])
            if source is not None:
                source = _trim(doc, (max(source[0], lay.para_start(tok.i)), min(source[1], lay.para_end(tok.i))))
                if source is not None and not source[0] <= subj.i < source[1]:
                    source = None
        elif subj is None and rule in ("reported:hanging", "reported:ccomp") and content[1] <= tok.i:
            source = _fallback_source(doc, tok, lo)
        parenthetical = rule == "reported:parenthetical" and content[0] < cue[0] and cue[1] < content[1]
        if source is not None and not parenthetical:
            clipped = _clip(content, source)
            if clipped is None:
                continue
            content = clipped
        if not parenthetical:
            clipped_c = _clip(content, cue)
            if clipped_c is None:
                continue
            content = clipped_c
        # never reach past the sentence and paragraph of the verb (bad parses join sentences)
        trimmed = _trim(doc, (max(content[0], lo), min(content[1], hi)), frozenset(SENT_FINAL))
        if trimmed is None or _words(doc, trimmed) < (1 if rule == "reported:stance" else 2):
            continue  # a stance's object may be one name ("endorsed Trump")
        content = trimmed
        if any(_contains(t, content) for t in taken):
            continue  # the statement is a quotation already claimed
        lemma = _lemma(tok)
        if rule == "reported:stance" and source is None:
            continue
        if source is None and rule != "reported:passive" and lemma not in lexicon.SPEECH_VERBS and _is_passive(tok):
            continue
        content = _balance_quotes(doc, content, hi)
        score = 0.85 if lemma in lexicon.SPEECH_VERBS else 0.6
        if rule == "reported:stance":
            score = 0.45
        if source is None:
            score -= 0.2
        kind = ClaimType.REPORTED
        if rule == "reported:passive" and source is None and lemma in lexicon.PREDICTION_LEMMAS:
            # "talks are expected to resume": a forecast nobody signs — the whole sentence, its cue kept
            kind = ClaimType.PREDICTION
            whole = _trim(doc, (lo, hi))
            content = whole if whole is not None else content
            score = 0.7  # as the check-worthy pass scores "is expected to"
        claim = FoundClaim(kind, content, score, source, cue, rule)
        found.append(claim)
        _mark(lay, claim)
    return found


def _is_passive(tok: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children)


def _balance_quotes(doc: Doc, span: TokSpan, limit: int) -> TokSpan:
    """Take in the closing quotation mark (and the full stop before it) of a quote the span opens."""
    opened = 0
    for i in range(*span):
        text = doc[i].text
        if text in ("“", "``"):
            opened += 1
        elif text in ("”", "''") and opened:
            opened -= 1
    if opened <= 0:
        return span
    end = span[1]
    for k in range(end, min(limit, end + 2)):
        if doc[k].text in ("”", "''", '"'):
            return span[0], k + 1
        if doc[k].text not in SENT_FINAL and doc[k].text != ",":
            break
    return span


def _contains(outer: TokSpan, inner: TokSpan) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _according_to(doc: Doc, lay: _Layout, tok: Token) -> FoundClaim | None:
    to = doc[tok.i + 1]
    objs = [c for c in to.children if c.dep_ == "pobj"]
    if objs:
        source = _trim(doc, _subtree_span(objs[0]))
    else:
        k = tok.i + 2
        while k < len(doc) and doc[k].text not in TRIM_PUNCT and doc[k].text not in SENT_FINAL:
            k += 1
        source = (tok.i + 2, k) if k > tok.i + 2 else None
    if source is None:
        return None
    cue = (tok.i, tok.i + 2)
    s_start, s_end = lay.sent_start[tok.i], lay.sent_end[tok.i]
    phrase = (tok.i, max(source[1], tok.i + 2))
    left = _trim(doc, (s_start, phrase[0]))
    right = _trim(doc, (phrase[1], s_end), frozenset(SENT_FINAL))
    options = [s for s in (left, right) if s and _words(doc, s) >= 2]
    if not options:
        return None
    if len(options) == 2:
        # "Talks, according to X, are expected …": the side that holds the clause's verb
        head = tok.head
        holding = [s for s in options if s[0] <= head.i < s[1]]
        content = holding[0] if holding else max(options, key=lambda s: s[1] - s[0])
    else:
        content = options[0]
    return FoundClaim(ClaimType.REPORTED, content, 0.9, source, cue, "reported:according-to")


def _noun_claim(doc: Doc, lay: _Layout, noun: Token) -> FoundClaim | None:
    """``Trump's claim that …``, ``a statement from the White House that …``, ``her refusal to meet …``:
    a noun of saying or stance with its holder and a clause saying what (a bare object, "criticism of
    the deal", is too often no attribution in PolNeAR's sense, measured on its train split)."""
    children = list(noun.children)
    content: TokSpan | None = None
    for c in children:
        if c.i > noun.i and c.dep_ in ("acl", "ccomp", "relcl") and any(g.dep_ == "mark" and g.lower_ in ("that", "whether") for g in c.children):
            content = (c.left_edge.i, c.right_edge.i + 1)
            break
        if c.i > noun.i and c.dep_ == "acl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children):
            content = (c.left_edge.i, c.right_edge.i + 1)
            break
    if content is None and noun.lemma_.lower() in lexicon.NOUN_OBJECT_CUES:
        for c in children:
            if c.i > noun.i and c.dep_ == "prep" and c.lower_ in ("of", "for", "on", "against", "about", "over", "with", "to", "toward", "towards"):
                objs = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
                if objs:
                    content = (objs[0].left_edge.i, objs[0].right_edge.i + 1)
                    break
    if content is None:
        return None
    source: TokSpan | None = None
    for c in children:
        if c.dep_ == "poss":
            source = _trim_to_words(doc, _subtree_span(c))
        elif c.dep_ == "compound" and c.pos_ == "PROPN" and c.ent_type_ in ("ORG", "PERSON", "NORP", "GPE"):
            source = _trim_to_words(doc, _subtree_span(c))
        elif c.dep_ == "prep" and c.lower_ in ("from", "by") and c.i > noun.i:
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                source = _trim_to_words(doc, _subtree_span(objs[0]))
    if source is None or _overlaps(source, content):
        return None
    lo, hi = lay.bounds(noun.i)
    content = _trim(doc, (max(content[0], lo), min(content[1], hi)), frozenset(SENT_FINAL))
    cue = (noun.i, noun.i + 1)
    if content is None or any(lay.used[i] for i in range(source[0], source[1])) or lay.used[noun.i]:
        return None
    return FoundClaim(ClaimType.REPORTED, content, 0.4, source, cue, "reported:noun")


def _in_poll_claim(doc: Doc, lay: _Layout, prep: Token) -> FoundClaim | None:
    """``In a CBS News poll last week, Clinton led Sanders 56 to 32``: a survey or study that opens the
    clause (before a comma) is the source of what the clause says, like ``according to``."""
    objs = [c for c in prep.children if c.dep_ == "pobj"]
    if not objs or objs[0].lemma_.lower() not in lexicon.SURVEY_NOUNS:
        return None
    head = prep.head
    lo, hi = lay.bounds(prep.i)
    end = prep.right_edge.i + 1
    if end >= hi or doc[end].text != "," or head.i < end or head.pos_ not in ("VERB", "AUX"):
        return None
    if prep.i != lo and doc[prep.i - 1].text != ",":
        return None
    content = _trim(doc, (end + 1, head.right_edge.i + 1), frozenset(SENT_FINAL))
    source = _trim_to_words(doc, _subtree_span(objs[0]))
    if content is None or source is None or _words(doc, content) < 2 or any(lay.used[i] for i in range(prep.i, end)):
        return None
    return FoundClaim(ClaimType.REPORTED, content, 0.6, source, (prep.i, prep.i + 1), "reported:in-poll")


def _attitude_claim(doc: Doc, lay: _Layout, adj: Token) -> FoundClaim | None:
    """``Voters are skeptical of the plan``, ``She was reluctant to endorse him``, ``It is unclear whether …``:
    a copula and an adjective of attitude, with what the attitude is about (an object, an infinitive or a
    clause); the holder is the subject (nobody for ``it``)."""
    verb = adj.head
    if verb.pos_ not in ("AUX", "VERB") or _lemma(verb) not in ("be", "remain", "become", "grow", "feel", "sound", "stay"):
        return None
    content: TokSpan | None = None
    cue_end = adj.i + 1
    for c in adj.children:
        if c.i <= adj.i:
            continue
        if c.dep_ == "prep" and c.lower_ in ("about", "of", "with", "on", "in", "over", "at", "toward", "towards", "to", "for", "that"):
            objs = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
            if objs:
                content = (objs[0].left_edge.i, objs[0].right_edge.i + 1)
                cue_end = c.i + 1
                break
        if c.dep_ in ("xcomp", "ccomp"):
            content = (c.left_edge.i, c.right_edge.i + 1)
            break
    if content is None:
        for c in verb.children:  # "it is unclear whether …": the clause hangs off the copula
            if c.dep_ == "ccomp" and c.i > adj.i:
                content = (c.left_edge.i, c.right_edge.i + 1)
                break
    if content is None:
        return None
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i), None)
    source: TokSpan | None = None
    if subj is not None and subj.lower_ not in ("it", "there", "this", "that", "what"):
        source = _source_span(doc, subj, [content])
    elif subj is None or subj.lower_ != "it":
        return None
    start = verb.i
    while start > 0 and doc[start - 1].dep_ in ("aux", "neg") and doc[start - 1].head.i == verb.i:
        start -= 1
    cue = (start, cue_end) if start < adj.i and all(doc[k].dep_ in ("neg", "advmod", "aux") or k in (verb.i, adj.i) or k >= adj.i for k in range(start, cue_end)) else (adj.i, cue_end)
    lo, hi = lay.bounds(adj.i)
    content = _trim(doc, (max(content[0], lo), min(content[1], hi)), frozenset(SENT_FINAL))
    if content is None or any(lay.used[i] for i in range(*cue)) or (source is not None and any(lay.used[i] for i in range(*source))):
        return None
    return FoundClaim(ClaimType.REPORTED, content, 0.45, source, cue, "reported:attitude")


def _seem_claim(doc: Doc, lay: _Layout, verb: Token) -> FoundClaim | None:
    """``The conflict seemed far away to Europeans``, ``Trump appears to believe …``: an impression, whose
    holder is the ``to`` phrase when there is one (else nobody named)."""
    children = list(verb.children)
    comps = [c for c in children if c.i > verb.i and c.dep_ in ("xcomp", "acomp", "ccomp", "attr", "oprd")]
    comps += [c for c in children if c.i > verb.i and c.dep_ == "prep" and c.lower_ in ("like", "as")]
    if not comps:
        return None
    source: TokSpan | None = None
    holder_prep: TokSpan | None = None
    for c in [*children, *(g for comp in comps for g in comp.children)]:
        if c.dep_ == "prep" and c.lower_ == "to" and c.i > verb.i and source is None:
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                source = _trim_to_words(doc, _subtree_span(objs[0]))  # "seemed unrealistic to many economists"
                holder_prep = _subtree_span(c)
    end = max(c.right_edge.i for c in comps) + 1
    cue = _cue_span(doc, verb)
    content: TokSpan | None = (cue[1], end)
    if holder_prep is not None:
        content = _clip(content, holder_prep)  # type: ignore[arg-type]
    lo, hi = lay.bounds(verb.i)
    subj = next((c for c in children if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ not in ("it", "there")), None)
    if content is not None:
        content = _trim(doc, (max(content[0], lo), min(content[1], hi)), frozenset(SENT_FINAL))
    if (content is None or _words(doc, content) < 1) and subj is not None:
        content = _subtree_span(subj)
    if content is None or _words(doc, content) < 1 or any(lay.used[i] for i in range(*cue)):
        return None
    return FoundClaim(ClaimType.REPORTED, content, 0.5, source, cue, "reported:seem")


def _colon_claims(doc: Doc, lay: _Layout) -> list[FoundClaim]:
    """``Graham: Trump’s rhetoric destroying GOP’s chance`` / ``PENCE: Well, …`` at the start of a paragraph."""
    found: list[FoundClaim] = []
    starts = sorted({lay.para_start(i) for i in range(len(doc))})
    for start in starts:
        while start < len(doc) and doc[start].is_space:
            start += 1
        if start >= len(doc):
            continue
        end = lay.para_end(start)
        colon = next((k for k in range(start, min(end, start + 9)) if doc[k].text == ":"), None)
        if colon is None or colon == start:
            continue
        prefix = [doc[k] for k in range(start, colon)]
        if not prefix[0].text[:1].isupper() or any(t.pos_ in ("VERB", "AUX") or t.like_num for t in prefix):
            continue
        if not any(t.pos_ in ("PROPN", "NOUN") for t in prefix):
            continue
        if any(t.lower_ in lexicon.COLON_NOT_SOURCES for t in prefix):
            continue
        content = _trim(doc, (colon + 1, end), frozenset(SENT_FINAL))
        if content is None or _words(doc, content) < 3 or any(lay.used[k] for k in range(start, colon + 1)):
            continue
        claim = FoundClaim(ClaimType.REPORTED, content, 0.55, (start, colon), (colon, colon + 1), "reported:colon")
        found.append(claim)
        _mark(lay, claim)
    return found


def _drop_own_opinions(doc: Doc, claims: list[FoundClaim]) -> list[FoundClaim]:
    """"I think …", "we want …", "you know …" in the writer's (or debater's) own voice are opinions, not attributions."""
    kept = []
    for claim in claims:
        if claim.claim_type == ClaimType.REPORTED and claim.source and claim.cue:
            source = doc[claim.source[0]:claim.source[1]]
            lemma = _lemma(doc[claim.cue[0]:claim.cue[1]].root)
            if len(source) == 1 and source[0].lower_ in lexicon.FIRST_SECOND_PERSON and lemma not in lexicon.SPEECH_VERBS:
                continue
        kept.append(claim)
    return kept


def _drop_nested(doc: Doc, claims: list[FoundClaim]) -> list[FoundClaim]:
    """Beliefs and stances inside someone else's statement ("Fowler said he expects …") are part of it."""
    outer = [c.content for c in claims if c.cue and _lemma(doc[c.cue[-1] - 1]) in lexicon.SPEECH_VERBS or c.claim_type == ClaimType.DIRECT_QUOTE]
    kept = []
    for claim in claims:
        if claim.cue and claim.claim_type in (ClaimType.REPORTED, ClaimType.PREDICTION):
            verb = doc[claim.cue[0]:claim.cue[1]].root
            lemma = _lemma(verb)
            if lemma not in lexicon.SPEECH_VERBS or lemma in lexicon.STANCE_VERBS:
                if any(o != claim.content and o[0] <= claim.cue[0] and claim.cue[1] <= o[1] for o in outer):
                    continue
        kept.append(claim)
    return kept


def _mark(lay: _Layout, claim: FoundClaim) -> None:
    for span in (claim.source, claim.cue):
        if span:
            for i in range(*span):
                lay.used[i] = True


# ---------------------------------------------------------------- entry point


def detect(
    doc: Doc, *, factual: bool = True, min_factual_score: float = 0.5, checkworthy: CheckworthyModel | None = None
) -> list[FoundClaim]:
    """All claims of a parsed Doc, sorted by position (see the module notes for the passes).

    ``checkworthy``: the model that decides which unattributed sentences are claims
    (without one, the hand-set signals of :mod:`newsmark.nlp.factual` decide).
    """
    from newsmark.nlp.factual import factual_claims
    from newsmark.nlp.speakers import resolve_speakers

    lay = _Layout(doc)
    claims = _quote_claims(doc, lay)
    for claim in claims:
        _mark(lay, claim)
    # The words inside a quotation are the speaker's, not the writer's: their verbs attribute
    # nothing here. That holds for every claimed quote and for any other quotation of 4+ words.
    for claim in claims:
        for i in range(*claim.content):
            lay.used[i] = True
    for quote in lay.quotes:
        qs, qe = lay.char_span_to_tokens(quote.start, quote.end)
        if _words(doc, (qs, qe)) >= 4:
            for i in range(qs, qe):
                lay.used[i] = True
    quote_spans = [c.content for c in claims]
    claims += _colon_claims(doc, lay)
    claims += _reported_claims(doc, lay, quote_spans)
    claims = _drop_own_opinions(doc, _drop_nested(doc, claims))
    resolve_speakers(doc, claims, lay.para)
    if factual:
        covered = [c.content for c in claims]
        claims += factual_claims(doc, covered, min_score=min_factual_score, sents=lay.sents, model=checkworthy)
    claims.sort(key=lambda c: (c.content[0], c.content[1]))
    return claims
