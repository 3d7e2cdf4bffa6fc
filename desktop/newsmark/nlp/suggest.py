"""From a processed spaCy ``Doc`` to :class:`~newsmark.model.Suggestions`.

Offsets: spaCy's ``token.idx`` and ``Span.start_char`` are Python code-point
offsets into ``doc.text``, which is the text that was given, so they are used
as they are (tests check this with emoji, CJK and Arabic text).

Per document the suggestions are, in this order of ``spans``:

- every entity of ``doc.ents`` (kind ``entity``);
- every claim (kind ``claim``, label = the claim type's label, ``claim_type``, ``score``);
- its source (kind ``source``, label ``SOURCE``) and cue (kind ``cue``, label ``CUE``),
  each distinct span once, shared by the claims that have it;

and the relations, by index into ``spans``: claim → source ``speaker``,
claim → cue ``cue``, source → entity ``entity`` for every PERSON, ORG,
NORP or GPE entity that overlaps the source, and pronoun source → PERSON
entity ``resolves_to`` where the detector resolved "he"/"she" to a name.
"""

from __future__ import annotations

import pickle
from collections.abc import Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from newsmark.labels import CLAIM_TYPE_LABELS, CUE_LABEL, SOURCE_LABEL
from newsmark.model import Origin, Relation, RelationLabel, Span, SpanKind, SpanStatus, Suggestions
from newsmark.nlp.claims import claims_of
from newsmark.parallel import can_start_workers, ordered_map, start_method

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

K = TypeVar("K", bound=Hashable)

SPEAKER_ENTITY_LABELS = frozenset(("PERSON", "ORG", "NORP", "GPE"))
_STRIP_SOURCE = " \t\n\r,;:"


def _char_span(doc: Doc, start_tok: int, end_tok: int) -> tuple[int, int]:
    start = doc[start_tok].idx
    last = doc[end_tok - 1]
    return start, last.idx + len(last.text)


def _strip(text: str, start: int, end: int, chars: str) -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def doc_to_suggestions(doc: Doc, model: str) -> Suggestions:
    """The entities and claims of a processed Doc as suggested spans (see the module notes)."""
    text = doc.text

    def new_span(start: int, end: int, label: str, kind: SpanKind, **extra: object) -> Span:
        return Span(
            start=start,
            end=end,
            label=label,
            kind=kind,
            status=SpanStatus.SUGGESTED,
            origin=Origin.MODEL,
            origin_detail=model,
            **extra,  # type: ignore[arg-type]
        )

    spans: list[Span] = []
    relations: list[Relation] = []
    entity_index: list[tuple[int, Span]] = []
    for ent in doc.ents:
        start, end = _strip(text, ent.start_char, ent.end_char, " \t\n\r")
        if end <= start:
            continue
        span = new_span(start, end, ent.label_, SpanKind.ENTITY)
        entity_index.append((len(spans), span))
        spans.append(span)

    part_index: dict[tuple[SpanKind, int, int], int] = {}

    def part(kind: SpanKind, label: str, tokens: tuple[int, int] | None, strip: str) -> int | None:
        if not tokens:
            return None
        start, end = _char_span(doc, *tokens)
        start, end = _strip(text, start, end, strip)
        if end <= start:
            return None
        key = (kind, start, end)
        if key not in part_index:
            part_index[key] = len(spans)
            spans.append(new_span(start, end, label, kind))
            if kind == SpanKind.SOURCE:
                for e_index, entity in entity_index:
                    if entity.label in SPEAKER_ENTITY_LABELS and entity.start < end and start < entity.end:
                        relations.append(
                            Relation(part_index[key], e_index, RelationLabel.ENTITY, origin=Origin.MODEL, origin_detail=model)
                        )
        return part_index[key]

    resolved: set[tuple[int, int]] = set()
    for claim in claims_of(doc):
        start, end = _char_span(doc, *claim.content)
        start, end = _strip(text, start, end, " \t\n\r")
        if end <= start:
            continue
        claim_index = len(spans)
        spans.append(
            new_span(
                start,
                end,
                CLAIM_TYPE_LABELS[claim.claim_type],
                SpanKind.CLAIM,
                claim_type=claim.claim_type,
                score=round(float(claim.score), 3),
            )
        )
        source_index = part(SpanKind.SOURCE, SOURCE_LABEL, claim.source, _STRIP_SOURCE)
        if source_index is not None:
            relations.append(Relation(claim_index, source_index, RelationLabel.SPEAKER, origin=Origin.MODEL, origin_detail=model))
            if claim.resolved:  # pronoun source -> the PERSON entity it names
                person = _char_span(doc, *claim.resolved)
                for e_index, entity in entity_index:
                    if (entity.start, entity.end) == person and (source_index, e_index) not in resolved:
                        resolved.add((source_index, e_index))
                        relations.append(Relation(source_index, e_index, RelationLabel.RESOLVES_TO, origin=Origin.MODEL, origin_detail=model))
        cue_index = part(SpanKind.CUE, CUE_LABEL, claim.cue, _STRIP_SOURCE)
        if cue_index is not None:
            relations.append(Relation(claim_index, cue_index, RelationLabel.CUE, origin=Origin.MODEL, origin_detail=model))
    return Suggestions(spans=spans, relations=relations, model=model)


_WORKER: dict[str, Any] = {}  # in an annotation worker process: its pipeline and model id


def _start_annotator(pipeline: bytes | None) -> None:
    """In a worker: register Newsmark's components, then take the pipeline (pickled; ``None`` when forked)."""
    from newsmark.nlp import claims, learned
    from newsmark.nlp.loader import model_id

    claims.register()
    learned.register()
    if pipeline is not None:
        _WORKER["nlp"] = pickle.loads(pipeline)
    _WORKER["model"] = model_id(_WORKER["nlp"])


def _annotate_chunk(chunk: list[tuple[K, str]], batch_size: int) -> list[tuple[K, Suggestions]]:
    """In a worker: the suggestions of a chunk of ``(key, text)`` pairs — compact objects, not ``Doc``s."""
    nlp, model = _WORKER["nlp"], _WORKER["model"]
    pairs = ((text, key) for key, text in chunk)
    return [(key, doc_to_suggestions(doc, model)) for doc, key in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size)]


def annotate(
    items: Iterable[tuple[K, str]],
    nlp: Language,
    batch_size: int = 32,
    n_process: int = 1,
    chunk_size: int | None = None,
) -> Iterator[tuple[K, Suggestions]]:
    """Stream ``(key, Suggestions)`` for ``(key, text)`` pairs, in input order.

    Reads ``items`` lazily and yields as it goes; the claim detector is added
    to ``nlp`` if it is missing. With ``n_process > 1`` the pipeline runs in
    worker processes of Newsmark's own, each given ``chunk_size`` (default:
    ``batch_size``) texts at a time and sending back only the suggestions — not
    spaCy's ``n_process``, which sends every parsed ``Doc`` back to this
    process to be unpacked here, on a core the workers need (measured in
    docs/performance.md). Workers are forked from a single-threaded process
    (they share the loaded pipeline) and spawned from the app.
    """
    from spacy.util import minibatch

    from newsmark.nlp.loader import add_claim_detector, model_id

    add_claim_detector(nlp)
    model = model_id(nlp)
    if n_process > 1 and can_start_workers():
        method = start_method()
        if method == "fork":
            _WORKER["nlp"] = nlp  # inherited by the forked workers; nothing to pickle
            blob = None
        else:
            blob = pickle.dumps(nlp)
        try:
            for results in ordered_map(
                _annotate_chunk,
                minibatch(items, size=chunk_size or batch_size),  # lazy: lists of that many items
                workers=n_process,
                initializer=_start_annotator,
                initargs=(blob,),
                args=(batch_size,),
                method=method,
            ):
                yield from results
        finally:
            _WORKER.clear()
        return
    pairs = ((text, key) for key, text in items)
    for doc, key in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield key, doc_to_suggestions(doc, model)
