"""Fine-tuning a pipeline from the user's corrections (spaCy only; imported lazily).

What is trained, from :class:`~newsmark.model.AnnotatedDocument` objects (the
accepted — and, for one purpose below, rejected — marks of done articles):

- **entities**: the base pipeline's own ``ner``, resumed from its weights with a
  small learning rate (``TrainOptions.ner_learn_rate``, 2e-4: a tenth of spaCy's
  default). Against catastrophic forgetting, the gold entities of each training
  text are the user's accepted entity marks **plus the base model's own
  predictions on the same text for every label the user never corrected** (a
  label is "corrected" when it appears on an accepted or rejected entity mark
  of any training article); a base prediction that overlaps a user's mark or
  equals a rejected one is left out. So the model is taught what the user
  changed and reminded of everything else it already knew.
- **claims**: a new ``spancat`` component, ``newsmark_spancat``, writing to
  ``doc.spans["newsmark_claims"]``, trained on the accepted claim (its label:
  ``QUOTE``, ``REPORTED`` …), source (``SOURCE``) and cue (``CUE``) marks. It has
  its own small tok2vec (words, affixes, shape, tag and dependency label), so
  the tagger and parser it reads are not disturbed, and its candidates come
  from :func:`newsmark.nlp.learned.suggest_spans` (n-grams, parse subtrees,
  clauses, sentence runs, quotations and the rules' own spans).

Memory stays bounded by the batch, not the library: each training text is
parsed once by the frozen base pipeline, and kept only as a compact ``DocBin``
per batch (plus its gold offsets); a batch's ``Doc`` objects exist only while it
is being learned from. Training is single-process (no ``n_process``), uses no
torch, and thinc's CPU ops run on one thread (BLIS); ``TrainOptions.threads``
caps NumPy's BLAS pool as well when ``threadpoolctl`` is installed.

``should_cancel`` is asked between batches (:class:`TrainingCancelled`);
``max_minutes`` ends training early, between batches, keeping what was
learned (``TrainOutcome.timed_out``). Nothing here writes outside the folder
it is given; the caller writes to a temporary folder and renames it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsmark.labels import CUE_LABEL, SOURCE_LABEL
from newsmark.model import AnnotatedDocument, SpanKind, SpanStatus
from newsmark.nlp.learned import SPANCAT, SPANS_KEY, SUGGESTER

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

Offsets = tuple[int, int, str]
FROZEN_NOT_NEEDED = ("newsmark_claims", "newsmark_learned_claims")


class TrainingCancelled(Exception):
    """The user stopped training; nothing was kept."""


class NothingToLearn(ValueError):
    """The training articles carry no mark that a component could learn from."""


@dataclass(slots=True)
class TrainOptions:
    epochs: int = 10
    max_minutes: float | None = 10.0
    batch_size: int = 2  # articles per update: small data wants many small steps
    ner: bool = True
    claims: bool = True
    ner_learn_rate: float = 2e-4
    claims_learn_rate: float = 2e-3
    negative_weight: float = 0.2  # of the "no claim, source or cue here" class: most candidates are negatives
    dropout: float = 0.1
    seed: int = 13
    threads: int = 2
    keep_base_entities: bool = True  # mix the base model's predictions in for labels the user never corrected


@dataclass(slots=True)
class Gold:
    """What one training text teaches, as character offsets into ``text``."""

    text: str
    entities: list[Offsets] = field(default_factory=list)
    rejected_entities: set[Offsets] = field(default_factory=set)
    claims: list[Offsets] = field(default_factory=list)  # claim, SOURCE and CUE marks


@dataclass(slots=True)
class TrainProgress:
    epoch: int
    epochs: int
    batch: int
    batches: int
    losses: dict[str, float]
    elapsed: float

    @property
    def fraction(self) -> float:
        total = self.epochs * self.batches
        return min(1.0, ((self.epoch - 1) * self.batches + self.batch) / total) if total else 1.0


@dataclass(slots=True)
class TrainOutcome:
    articles: int = 0
    epochs_done: int = 0
    batches_done: int = 0
    seconds: float = 0.0
    timed_out: bool = False
    trained: list[str] = field(default_factory=list)  # "ner", "claims"
    entity_labels: list[str] = field(default_factory=list)
    corrected_entity_labels: list[str] = field(default_factory=list)
    claim_labels: list[str] = field(default_factory=list)
    losses: dict[str, float] = field(default_factory=dict)  # of the last epoch


def gold_of(document: AnnotatedDocument) -> Gold:
    """The accepted entity, claim, source and cue marks of a document (rejected entities aside)."""
    gold = Gold(document.text)
    for span in document.spans:
        item = (span.start, span.end, span.label)
        if span.kind == SpanKind.ENTITY:
            if span.status == SpanStatus.ACCEPTED:
                gold.entities.append(item)
            elif span.status == SpanStatus.REJECTED:
                gold.rejected_entities.add(item)
        elif span.status == SpanStatus.ACCEPTED:
            label = SOURCE_LABEL if span.kind == SpanKind.SOURCE else CUE_LABEL if span.kind == SpanKind.CUE else span.label
            gold.claims.append((span.start, span.end, label))
    return gold


def limit_threads(threads: int) -> Any:
    """A context that caps NumPy's BLAS threads (threadpoolctl, when installed), else a no-op."""
    import contextlib

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(max(1, threads))


def load_base(name: str) -> Language:
    """The pipeline to start from (a package or a folder, e.g. an earlier Newsmark model), without the rule components."""
    import spacy

    from newsmark.nlp.learned import register

    register()
    if name.startswith("blank:"):
        nlp = spacy.blank(name.split(":", 1)[1] or "en")
        nlp.add_pipe("sentencizer")
        return nlp
    nlp = spacy.load(name)
    for pipe in FROZEN_NOT_NEEDED:
        if pipe in nlp.pipe_names:
            nlp.remove_pipe(pipe)
    return nlp


def spancat_config(max_ngram: int = 5, negative_weight: float = 0.2) -> dict[str, Any]:
    return {
        "spans_key": SPANS_KEY,
        "negative_weight": negative_weight,
        "allow_overlap": True,
        "suggester": {"@misc": SUGGESTER, "max_ngram": max_ngram, "rules": True},
        "model": {
            "@architectures": "spacy.SpanCategorizer.v1",
            "scorer": {"@layers": "Softmax.v2"},
            "reducer": {"@layers": "spacy.mean_max_reducer.v1", "hidden_size": 128},
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": 96,
                    "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG", "DEP"],
                    "rows": [5000, 1000, 2500, 2500, 200, 200],
                    "include_static_vectors": False,
                },
                "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 4, "window_size": 1, "maxout_pieces": 3},
            },
        },
    }


def _token_span(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    from newsmark.nlp.learned import _edge_trim

    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    return _edge_trim(doc, span.start, span.end)


class _Batches:
    """Training texts parsed once by the frozen pipeline, kept as compact DocBins per batch."""

    def __init__(self, nlp: Language, golds: Sequence[Gold], batch_size: int, base_entities: bool, should_cancel: Callable[[], bool] | None) -> None:
        from spacy.tokens import DocBin

        self.nlp = nlp
        self.stored: list[tuple[bytes, list[Gold], list[list[Offsets]]]] = []
        self.batch_size = batch_size
        for i in range(0, len(golds), batch_size):
            part = list(golds[i : i + batch_size])
            docbin = DocBin(store_user_data=False)
            predicted_ents = []
            for doc in nlp.pipe((g.text for g in part), batch_size=batch_size):
                predicted_ents.append([(e.start_char, e.end_char, e.label_) for e in doc.ents] if base_entities else [])
                docbin.add(doc)
            self.stored.append((docbin.to_bytes(), part, predicted_ents))
            if should_cancel is not None and should_cancel():
                raise TrainingCancelled

    def __len__(self) -> int:
        return len(self.stored)

    def examples(self, index: int, corrected: set[str]) -> list[Any]:
        from spacy.tokens import Doc, DocBin
        from spacy.training import Example

        data, golds, predicted_ents = self.stored[index]
        docs = list(DocBin(store_user_data=False).from_bytes(data).get_docs(self.nlp.vocab))
        out = []
        for doc, gold, base_ents in zip(docs, golds, predicted_ents, strict=True):
            doc.ents = []
            reference = Doc(self.nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
            reference.ents = _entities(reference, gold, base_ents, corrected)
            spans = []
            for start, end, label in gold.claims:
                tokens = _token_span(reference, start, end)
                if tokens is not None:
                    spans.append(reference[tokens[0] : tokens[1]])
                    spans[-1].label_ = label
            reference.spans[SPANS_KEY] = spans
            out.append(Example(doc, reference))
        return out


def _entities(doc: Doc, gold: Gold, base_ents: list[Offsets], corrected: set[str]) -> list[Any]:
    from spacy.util import filter_spans

    mine = []
    for start, end, label in gold.entities:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            mine.append(span)
    mine = filter_spans(mine)
    taken = [(s.start_char, s.end_char) for s in mine]
    extra = []
    for start, end, label in base_ents:
        if label in corrected or (start, end, label) in gold.rejected_entities:
            continue
        if any(start < e and s < end for s, e in taken):
            continue
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            extra.append(span)
    return filter_spans(mine + extra)


def train(
    base: str | Language,
    documents: Iterable[AnnotatedDocument],
    out_dir: Path | str | None,
    options: TrainOptions | None = None,
    *,
    should_cancel: Callable[[], bool] | None = None,
    on_progress: Callable[[TrainProgress], None] | None = None,
    meta: dict[str, Any] | None = None,
) -> tuple[Language, TrainOutcome]:
    """Fine-tune ``base`` on ``documents`` and (when ``out_dir`` is given) save the pipeline there.

    Returns the trained pipeline and what happened. Raises :class:`NothingToLearn`
    when the documents hold no usable mark, :class:`TrainingCancelled` when
    ``should_cancel`` said so (``out_dir`` is then not written).
    """
    from thinc.api import Adam, fix_random_seed

    options = options or TrainOptions()
    started = time.monotonic()
    deadline = started + options.max_minutes * 60 if options.max_minutes else None
    cancelled = should_cancel or (lambda: False)
    golds = [gold_of(d) for d in documents]
    outcome = TrainOutcome(articles=len(golds))
    nlp = load_base(base) if isinstance(base, str) else base
    fix_random_seed(options.seed)
    rng = random.Random(options.seed)

    corrected = {label for g in golds for (_, _, label) in (*g.entities, *g.rejected_entities)}
    entity_labels = sorted({label for g in golds for (_, _, label) in g.entities})
    claim_labels = sorted({label for g in golds for (_, _, label) in g.claims})
    train_ner = options.ner and "ner" in nlp.pipe_names and bool(entity_labels)
    train_claims = options.claims and bool(claim_labels)
    if not (train_ner or train_claims):
        raise NothingToLearn("the articles hold no accepted entity, claim, source or cue mark to learn from")
    outcome.entity_labels = entity_labels
    outcome.corrected_entity_labels = sorted(corrected)
    outcome.claim_labels = claim_labels

    with limit_threads(options.threads):
        batches = _Batches(nlp, golds, options.batch_size, options.keep_base_entities and train_ner, should_cancel)
        ner = nlp.get_pipe("ner") if train_ner else None
        if ner is not None:
            for label in entity_labels:
                ner.add_label(label)
        spancat = None
        if train_claims:
            if SPANCAT in nlp.pipe_names:  # an earlier Newsmark model: resume it, new labels added
                spancat = nlp.get_pipe(SPANCAT)
                fresh = [label for label in claim_labels if label not in spancat.labels]
                if fresh:  # spancat cannot grow its output layer in place: start the claims part afresh
                    nlp.remove_pipe(SPANCAT)
                    spancat = None
            if spancat is None:
                spancat = nlp.add_pipe("spancat_singlelabel", name=SPANCAT, last=True, config=spancat_config(negative_weight=options.negative_weight))
                sample = [eg for i in range(min(len(batches), 2)) for eg in batches.examples(i, corrected)]
                spancat.initialize(lambda: sample, nlp=nlp, labels=claim_labels)
        ner_opt = Adam(options.ner_learn_rate)
        claims_opt = Adam(options.claims_learn_rate)
        if ner is not None:
            outcome.trained.append("ner")
        if spancat is not None:
            outcome.trained.append("claims")
        order = list(range(len(batches)))
        for epoch in range(1, options.epochs + 1):
            rng.shuffle(order)
            losses: dict[str, float] = {}
            for k, index in enumerate(order, 1):
                if cancelled():
                    raise TrainingCancelled
                if deadline is not None and time.monotonic() > deadline and outcome.batches_done:
                    outcome.timed_out = True
                    break
                examples = batches.examples(index, corrected)
                if ner is not None:
                    ner.update(examples, sgd=ner_opt, drop=options.dropout, losses=losses)
                if spancat is not None:
                    spancat.update(examples, sgd=claims_opt, drop=options.dropout, losses=losses)
                outcome.batches_done += 1
                if on_progress is not None:
                    on_progress(TrainProgress(epoch, options.epochs, k, len(batches), dict(losses), time.monotonic() - started))
            outcome.losses = {name: round(float(value), 4) for name, value in losses.items()}
            if outcome.timed_out:
                break
            outcome.epochs_done = epoch
        if cancelled():
            raise TrainingCancelled
    nlp.meta.update(meta or {})
    if out_dir is not None:
        nlp.to_disk(out_dir)
    outcome.seconds = time.monotonic() - started
    return nlp, outcome
