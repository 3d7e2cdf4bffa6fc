"""What a pipeline trained by Newsmark adds at prediction time: learned claims, sources and cues.

A pipeline trained from the user's corrections (:mod:`newsmark.nlp.training`)
carries ``newsmark_tagger`` (:data:`TAGGER`, :class:`LearnedAttribution`): the
attribution tagger of :mod:`newsmark.nlp.tagger`, stacked on the rules. The
loader puts the rule-based ``newsmark_claims`` just before it; it reads the
rules' claims, tags Source / Cue / Content with the rules' predictions among its
features, links the tags into claims, and puts them in place of the rules'
attributions (the rules' unattributed claims — statistics, assertions … — stay
where no learned claim overlaps them). Its raw spans are kept in
``doc.spans["newsmark_claims"]`` (:data:`SPANS_KEY`, labels ``SOURCE``, ``CUE``,
``REPORTED``). Without ``newsmark_claims`` before it (a bare ``spacy.load``) it
runs the attribution rules itself.

Pipelines trained by earlier versions carry instead a spaCy ``spancat``
component, ``newsmark_spancat``, that writes its
predictions to ``doc.spans["newsmark_claims"]`` (:data:`SPANS_KEY`), labelled
with the claim labels (``QUOTE``, ``REPORTED`` …), ``SOURCE`` and ``CUE``.

Two things here make those predictions reach the suggestions:

- :func:`register` registers the candidate generator the spancat was trained
  with (``newsmark.attribution_suggester.v1``), so that the saved pipeline loads;
  the loader calls it before ``spacy.load``.
- :func:`add_learned_claims` adds the ``newsmark_learned_claims`` component after
  the rule-based ``newsmark_claims`` when the pipeline has the spancat. It turns
  each learned claim span into a claim, links it to the nearest learned source
  and cue of its sentence (else of the sentence before or after, when that
  source/cue has no claim of its own), and merges them with the rules' claims:
  a learned claim replaces every rule claim it overlaps (keeping the rule's
  source or cue where it found none, and the rule's pronoun resolution), and the
  rule claims that overlap no learned claim stay (``rules="merge"``, the
  default; ``rules="replace"`` drops them). It rewrites ``doc.spans["claims"]``,
  ``["sources"]``, ``["cues"]`` and ``doc._.newsmark_claims``, which is what
  :func:`newsmark.nlp.suggest.doc_to_suggestions` reads, so nothing downstream
  changes.

spaCy is imported only inside functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from newsmark.labels import CLAIM_TYPE_LABELS, CUE_LABEL, LABEL_CLAIM_TYPES, SOURCE_LABEL
from newsmark.model import ClaimType
from newsmark.nlp.attribution import FoundClaim

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

SPANS_KEY = "newsmark_claims"
TAGGER = "newsmark_tagger"
SPANCAT = "newsmark_spancat"
FACTORY = "newsmark_learned_claims"
SUGGESTER = "newsmark.attribution_suggester.v1"
MAX_NGRAM = 5
MAX_CANDIDATE = 160  # tokens: longer candidates (a quotation over many sentences) are not proposed
LEARNED_RULE = "learned"

_QUOTES = frozenset('"“”„«»‘’\'')
TokSpan = tuple[int, int]


# ------------------------------------------------------------------ candidates


def edge_trim(doc: Doc, start: int, end: int) -> TokSpan | None:
    """The span without punctuation or space tokens at either edge (None if nothing is left)."""
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return (start, end) if end > start else None


def candidate_spans(doc: Doc, max_ngram: int = MAX_NGRAM) -> list[TokSpan]:
    """Spans that may be a claim's content, source or cue, edge-trimmed, sorted, each once.

    Word n-grams (1..``max_ngram``) within a sentence (sources, cues); every
    dependency subtree, also without a leading ``that``/conjunction; every
    sentence and the parts of a sentence left and right of each comma, colon or
    quotation mark (``"…," he said``); and what stands between quotation marks
    of a paragraph. The rules' own contents, sources and cues are added by the
    caller when a parse is there (see :func:`suggest_spans`).
    """
    n = len(doc)
    found: set[TokSpan] = set()

    def add(start: int, end: int) -> None:
        if 0 <= start < end <= n:
            span = edge_trim(doc, start, end)
            if span is not None and span[1] - span[0] <= MAX_CANDIDATE:
                found.add(span)

    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    for sent in sents:
        s, e = sent.start, sent.end
        add(s, e)
        for i in range(s, e):
            if doc[i].is_space:
                continue
            for size in range(1, max_ngram + 1):
                if i + size > e:
                    break
                if not (doc[i + size - 1].is_punct or doc[i + size - 1].is_space):
                    add(i, i + size)
            tok = doc[i]
            if tok.is_punct and (tok.text in (",", ":", ";", "—", "–") or tok.text in _QUOTES):
                add(s, i)
                add(i + 1, e)
    # runs of whole sentences within a paragraph (a quotation, an answer in a transcript),
    # also from just after a colon ("WALLACE: ...")
    paragraph: list[tuple[int, int]] = []

    def runs() -> None:
        for a in range(len(paragraph)):
            starts = [paragraph[a][0]]
            starts += [i + 1 for i in range(*paragraph[a]) if doc[i].text == ":"]
            for b in range(a + 1, min(len(paragraph), a + 8)):
                for start in starts:
                    add(start, paragraph[b][1])
        paragraph.clear()

    for sent in sents:
        if paragraph and any("\n" in doc[i].text or "\n" in doc[i].whitespace_ for i in range(paragraph[-1][0], paragraph[-1][1])):
            runs()
        paragraph.append((sent.start, sent.end))
    runs()
    if doc.has_annotation("DEP"):
        for tok in doc:
            left, right = tok.left_edge.i, tok.right_edge.i + 1
            if right - left >= 2:
                add(left, right)
                if doc[left].dep_ in ("mark", "cc", "prep", "advmod") or doc[left].lower_ in ("that", "if", "whether"):
                    add(left + 1, right)
                if tok.pos_ in ("VERB", "AUX"):  # from the verb to the end of its clause ("said that ...")
                    add(tok.i + 1, right)
    opened: int | None = None
    for tok in doc:
        if "\n" in tok.text:
            opened = None
        elif tok.text in _QUOTES and tok.text not in ("'", "’"):
            if opened is None:
                opened = tok.i
            else:
                add(opened, tok.i + 1)
                add(opened + 1, tok.i)
                opened = None
    return sorted(found)


def _rule_spans(doc: Doc) -> list[TokSpan]:
    from newsmark.nlp.attribution import detect

    out: list[TokSpan] = []
    for claim in detect(doc, factual=False):
        for span in (claim.content, claim.source, claim.cue):
            if span:
                trimmed = edge_trim(doc, *span)
                if trimmed:
                    out.append(trimmed)
    return out


def suggest_spans(doc: Doc, max_ngram: int = MAX_NGRAM, rules: bool = True) -> list[TokSpan]:
    """:func:`candidate_spans` plus, on a parsed Doc, the spans the attribution rules find."""
    spans = set(candidate_spans(doc, max_ngram))
    if rules and doc.has_annotation("DEP"):
        spans.update(_rule_spans(doc))
    return sorted(spans)


class AttributionSuggester:
    """The spancat's candidate generator (a plain class, so that it pickles for ``n_process > 1``)."""

    def __init__(self, max_ngram: int = MAX_NGRAM, rules: bool = True) -> None:
        self.max_ngram = max_ngram
        self.rules = rules

    def __call__(self, docs: Iterable[Doc], *, ops: Any = None) -> Any:
        import numpy
        from thinc.api import get_current_ops
        from thinc.types import Ragged

        ops = ops or get_current_ops()
        arrays, lengths = [], []
        for doc in docs:
            spans = suggest_spans(doc, self.max_ngram, self.rules)
            arrays.append(numpy.asarray(spans, dtype="i").reshape(-1, 2))
            lengths.append(len(spans))
        data = numpy.concatenate(arrays) if arrays else numpy.zeros((0, 2), dtype="i")
        return Ragged(ops.asarray2i(data), ops.asarray1i(numpy.asarray(lengths, dtype="i")))


def make_suggester(max_ngram: int = MAX_NGRAM, rules: bool = True) -> Callable[..., Any]:
    return AttributionSuggester(max_ngram, rules)


# ------------------------------------------------------------------ the merge component


def _claim_type(label: str, doc: Doc, span: TokSpan) -> ClaimType:
    kind = LABEL_CLAIM_TYPES.get(label)
    if kind is not None:
        return kind
    # a label of the user's own (or PolNeAR's Content): a quotation mark makes it a quote
    text = doc[span[0] : span[1]].text
    return ClaimType.DIRECT_QUOTE if any(ch in _QUOTES for ch in text[:2]) else ClaimType.REPORTED


def _flat(value: Any) -> list[float]:
    try:
        return [float(v) for v in value]
    except TypeError:
        return [float(value)]


def _overlaps(a: TokSpan, b: TokSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def merge_learned(doc: Doc, rule_claims: list[FoundClaim], *, rules: str = "merge") -> list[FoundClaim]:
    """The learned claims of ``doc.spans[SPANS_KEY]`` merged with ``rule_claims`` (see the module notes)."""
    group = doc.spans[SPANS_KEY]
    scores = group.attrs.get("scores")
    sent_of = [0] * len(doc)
    if doc.has_annotation("SENT_START"):
        for k, sent in enumerate(doc.sents):
            for i in range(sent.start, sent.end):
                sent_of[i] = k
    contents: list[tuple[TokSpan, str, float]] = []
    parts: dict[str, list[TokSpan]] = {SOURCE_LABEL: [], CUE_LABEL: []}
    for j, span in enumerate(group):
        score = float(max(_flat(scores[j]))) if scores is not None and j < len(scores) else 1.0
        if span.label_ in parts:
            parts[span.label_].append((span.start, span.end))
        else:
            contents.append(((span.start, span.end), span.label_, score))
    # one claim per content: overlapping learned contents keep the higher-scored one
    kept: list[tuple[TokSpan, str, float]] = []
    for item in sorted(contents, key=lambda c: -c[2]):
        if not any(_overlaps(item[0], k[0]) for k in kept):
            kept.append(item)
    kept.sort(key=lambda c: c[0])
    claims = [FoundClaim(_claim_type(label, doc, span), span, score, rule=LEARNED_RULE) for span, label, score in kept]

    def distance(a: TokSpan, b: TokSpan) -> int:
        return max(a[0] - b[1], b[0] - a[1], 0)

    for label, attr in ((SOURCE_LABEL, "source"), (CUE_LABEL, "cue")):
        free = [p for p in parts[label] if not any(_overlaps(p, c.content) for c in claims)]
        used: set[TokSpan] = set()
        for max_sent in (0, 1):  # first within the sentence, then the one before or after
            for claim in claims:
                if getattr(claim, attr) is not None:
                    continue
                here = sent_of[claim.content[0]] if claim.content[0] < len(sent_of) else 0
                there = sent_of[claim.content[1] - 1]
                options = [
                    p for p in free
                    if (max_sent == 0 or p not in used)
                    and min(abs(sent_of[p[0]] - here), abs(sent_of[p[0]] - there)) <= max_sent
                ]
                if options:
                    best = min(options, key=lambda p: (distance(p, claim.content), p))
                    setattr(claim, attr, best)
                    used.add(best)
    out: list[FoundClaim] = []
    for claim in claims:
        for rule in rule_claims:
            if _overlaps(rule.content, claim.content):
                if claim.source is None and rule.source and not _overlaps(rule.source, claim.content):
                    claim.source = rule.source
                if claim.cue is None and rule.cue and not _overlaps(rule.cue, claim.content):
                    claim.cue = rule.cue
                if rule.resolved and claim.source == rule.source:
                    claim.resolved = rule.resolved
        out.append(claim)
    if rules == "merge":
        out += [r for r in rule_claims if not any(_overlaps(r.content, c.content) for c in claims)]
    out.sort(key=lambda c: (c.content[0], c.content[1]))
    return out


def _store_found(doc: Doc, found: Sequence[FoundClaim]) -> None:
    """Write the claims a learned component settled on where ``newsmark_claims`` keeps its own."""
    from spacy.tokens import Span

    from newsmark.nlp.claims import CLAIMS_KEY, CUES_KEY, EXTENSION, SOURCES_KEY

    sources = sorted({c.source for c in found if c.source})
    cues = sorted({c.cue for c in found if c.cue})
    doc.spans[CLAIMS_KEY] = [Span(doc, *c.content, label=CLAIM_TYPE_LABELS[c.claim_type]) for c in found]
    doc.spans[SOURCES_KEY] = [Span(doc, *s, label=SOURCE_LABEL) for s in sources]
    doc.spans[CUES_KEY] = [Span(doc, *c, label=CUE_LABEL) for c in cues]
    doc._.set(EXTENSION, [c.to_json() for c in found])


class LearnedClaims:
    """Pipeline component: learned claims (``doc.spans[SPANS_KEY]``) into the claim detector's output."""

    def __init__(self, name: str = FACTORY, *, rules: str = "merge") -> None:
        if rules not in ("merge", "replace"):
            raise ValueError("rules must be 'merge' or 'replace'")
        self.name = name
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        from newsmark.nlp.claims import claims_of, ensure_extension

        if SPANS_KEY not in doc.spans:
            return doc
        ensure_extension()
        found = merge_learned(doc, claims_of(doc), rules=self.rules)
        _store_found(doc, found)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


class LearnedAttribution:
    """Pipeline component ``newsmark_tagger``: the learned attribution model in place of the rules' attributions."""

    def __init__(self, name: str = TAGGER, model: Any = None) -> None:
        self.name = name
        self.model = model  # newsmark.nlp.tagger.AttributionModel (None until trained or loaded)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        from newsmark.nlp.attribution import detect
        from newsmark.nlp.claims import EXTENSION, claims_of, ensure_extension
        from newsmark.nlp.tagger import attributed, link, merge_with_rules

        if self.model is None:
            return doc
        ensure_extension()
        ran = doc._.get(EXTENSION) is not None  # newsmark_claims came before
        rule_claims = claims_of(doc) if ran else detect(doc, factual=False)
        rules = attributed(rule_claims)
        spans = self.model.spans(doc, rules)
        learned = link(doc, spans, rules)
        found = merge_with_rules(learned, rule_claims)
        raw = []
        for label, role_spans in zip((SOURCE_LABEL, CUE_LABEL, CLAIM_TYPE_LABELS[ClaimType.REPORTED]), spans, strict=True):
            raw += [Span(doc, start, end, label=label) for start, end in role_spans]
        doc.spans[SPANS_KEY] = sorted(raw, key=lambda s: (s.start, s.end))
        _store_found(doc, found)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def to_disk(self, path: Any, *, exclude: Any = ()) -> None:
        if self.model is None:
            raise ValueError("newsmark_tagger has no model to save")
        self.model.to_disk(path)

    def from_disk(self, path: Any, *, exclude: Any = ()) -> LearnedAttribution:
        from newsmark.nlp.tagger import AttributionModel

        self.model = AttributionModel.from_disk(path)
        return self


def register() -> None:
    """Register the suggester and the ``newsmark_learned_claims`` and ``newsmark_tagger`` factories (idempotent)."""
    import spacy
    from spacy.language import Language

    if SUGGESTER not in spacy.registry.misc:
        spacy.registry.misc(SUGGESTER)(make_suggester)
    if not Language.has_factory(FACTORY):

        @Language.factory(FACTORY, default_config={"rules": "merge"}, assigns=["doc.spans"])
        def make_learned(nlp: Any, name: str, rules: str) -> LearnedClaims:
            return LearnedClaims(name, rules=rules)

    if not Language.has_factory(TAGGER):

        @Language.factory(TAGGER, assigns=["doc.spans"])
        def make_tagger(nlp: Any, name: str) -> LearnedAttribution:
            return LearnedAttribution(name)


def has_learned_claims(nlp: Language) -> bool:
    """Whether the pipeline has an (earlier version's) trained spancat, which ``newsmark_learned_claims`` merges."""
    return SPANCAT in nlp.pipe_names


def has_tagger(nlp: Language) -> bool:
    return TAGGER in nlp.pipe_names


def add_learned_claims(nlp: Language, *, rules: str = "merge") -> Language:
    """Add ``newsmark_learned_claims`` after ``newsmark_claims`` when the pipeline has the trained spancat."""
    from newsmark.nlp.claims import FACTORY as RULES

    if not has_learned_claims(nlp):
        return nlp
    register()
    if FACTORY in nlp.pipe_names:
        nlp.get_pipe(FACTORY).rules = rules
        return nlp
    if RULES in nlp.pipe_names:
        nlp.add_pipe(FACTORY, after=RULES, config={"rules": rules})
    else:
        nlp.add_pipe(FACTORY, last=True, config={"rules": rules})
    return nlp
