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
- **claims**: the attribution tagger of :mod:`newsmark.nlp.tagger`, saved as
  the ``newsmark_tagger`` component (:class:`newsmark.nlp.learned.LearnedAttribution`).
  It learns the accepted claim (as Content), source and cue marks as
  ``O``/``B``/``I`` tags per role, from parse features **and the attribution
  rules' own predictions**, so it learns to correct the rules; a model trained
  from an earlier Newsmark model is trained afresh on all the done articles
  (they include the earlier ones). With ``TrainOptions.stack_folds`` a second
  tagger is stacked on the first one's cross-validated predictions.

Memory grows with the articles, never with the passes: each training text is
parsed once by the frozen base pipeline; the tagger keeps its features as one
row of hashed ids per token (int32, about 200 bytes a token) and its gold tags;
the entity recognizer (and stacking) keep the parse as a compact ``DocBin`` per
batch, whose ``Doc`` objects exist only while they are learned from. Training is single-process (no ``n_process``), uses no
torch, and thinc's CPU ops run on one thread (BLIS); ``TrainOptions.threads``
caps NumPy's BLAS pool as well when ``threadpoolctl`` is installed.

``should_cancel`` is asked between batches (:class:`TrainingCancelled`) and while
the articles are parsed;
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
from newsmark.nlp.learned import SPANCAT, TAGGER

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

Offsets = tuple[int, int, str]
FROZEN_NOT_NEEDED = ("newsmark_claims", "newsmark_learned_claims")
EARLIER_CLAIMS = (TAGGER, SPANCAT)  # an earlier Newsmark model's claims part: not run while parsing, replaced when claims are trained


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
    claims_learn_rate: float = 0.05  # the tagger's Adagrad rate (held-out PolNeAR train: 0.05 beat 0.2 and 0.1 at 50, 200 and 672 articles)
    stack_folds: int = 0  # ≥ 2: a second tagger stacked on the first's cross-validated predictions (costs folds + 1 more fits)
    dropout: float = 0.1  # of the entity recognizer's updates
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
    stage: str = "entities"  # "parsing", "claims" or "entities"
    share: float | None = None  # of the whole run, when the stage knows it better than epoch/batch

    @property
    def fraction(self) -> float:
        if self.share is not None:
            return min(1.0, max(0.0, self.share))
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
    ner_skipped: str = ""  # why the entity recognizer was left as it was, if it was
    claims_epochs: int = 0  # full passes of the attribution tagger
    claims_stacked: bool = False
    claims_roles: list[str] = field(default_factory=list)  # roles with marks to learn from (the others: the rules' spans)
    claims_seconds: float = 0.0
    parse_seconds: float = 0.0
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


def _token_span(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    from newsmark.nlp.learned import edge_trim

    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    return edge_trim(doc, span.start, span.end)


class _Batches:
    """Training texts parsed once by the frozen pipeline.

    For the tagger: each text's feature ids and gold tags (:mod:`newsmark.nlp.tagger`),
    computed right after parsing. For the entity recognizer and stacking: the
    parses, as compact DocBins per batch (only when ``keep_docs``).
    """

    def __init__(
        self,
        nlp: Language,
        golds: Sequence[Gold],
        batch_size: int,
        base_entities: bool,
        should_cancel: Callable[[], bool] | None,
        *,
        claims: bool = False,
        keep_docs: bool = True,
        on_parsed: Callable[[int], None] | None = None,
    ) -> None:
        from spacy.tokens import DocBin

        from newsmark.nlp.attribution import detect
        from newsmark.nlp.tagger import attributed, feature_ids, gold_tags, rule_edges_agree

        self.nlp = nlp
        self.stored: list[tuple[bytes, list[Gold], list[list[Offsets]]]] = []
        self.tagged: list[tuple[Any, Any]] = []  # (feature ids, gold tags) per text, in order
        self.edges: list[dict[str, tuple[int, int]]] = []  # per text: how often the rules' edges were the user's
        self.entity_changes = 0  # accepted entity marks the base model did not predict, and rejected ones
        self.batch_size = batch_size
        self.cache: dict[str, int] = {}
        done = 0
        earlier = [p for p in EARLIER_CLAIMS if p in nlp.pipe_names]
        with nlp.select_pipes(disable=earlier):
            for i in range(0, len(golds), batch_size):
                part = list(golds[i : i + batch_size])
                docbin = DocBin(store_user_data=False)
                predicted_ents = []
                for doc, gold in zip(nlp.pipe((g.text for g in part), batch_size=batch_size), part, strict=True):
                    predicted_ents.append([(e.start_char, e.end_char, e.label_) for e in doc.ents] if base_entities else [])
                    if base_entities:
                        base = set(predicted_ents[-1])
                        self.entity_changes += sum(1 for e in gold.entities if e not in base) + len(gold.rejected_entities)
                    if claims:
                        rules = attributed(detect(doc, factual=False))
                        spans = _role_spans(doc, gold)
                        self.tagged.append((feature_ids(doc, rules, self.cache), gold_tags(doc, spans)))
                        self.edges.append(rule_edges_agree(doc, spans, rules))
                    if keep_docs:
                        docbin.add(doc)
                self.stored.append((docbin.to_bytes() if keep_docs else b"", part, predicted_ents))
                done += len(part)
                if on_parsed is not None:
                    on_parsed(done)
                if should_cancel is not None and should_cancel():
                    raise TrainingCancelled

    def __len__(self) -> int:
        return len(self.stored)

    def docs(self, index: int) -> list[Doc]:
        from spacy.tokens import DocBin

        return list(DocBin(store_user_data=False).from_bytes(self.stored[index][0]).get_docs(self.nlp.vocab))

    def doc(self, j: int) -> Doc:
        """The parse of text ``j`` (in the order given)."""
        return self.docs(j // self.batch_size)[j % self.batch_size]

    def examples(self, index: int, corrected: set[str]) -> list[Any]:
        from spacy.tokens import Doc
        from spacy.training import Example

        _data, golds, predicted_ents = self.stored[index]
        out = []
        for doc, gold, base_ents in zip(self.docs(index), golds, predicted_ents, strict=True):
            doc.ents = []
            reference = Doc(self.nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
            reference.ents = _entities(reference, gold, base_ents, corrected)
            out.append(Example(doc, reference))
        return out


def _role_spans(doc: Doc, gold: Gold) -> dict[str, list[tuple[int, int]]]:
    """The accepted claim (content), source and cue marks of a text as token spans per role."""
    spans: dict[str, list[tuple[int, int]]] = {"source": [], "cue": [], "content": []}
    for start, end, label in gold.claims:
        tokens = _token_span(doc, start, end)
        if tokens is not None:
            spans["source" if label == SOURCE_LABEL else "cue" if label == CUE_LABEL else "content"].append(tokens)
    return spans


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
        n_texts = len(golds)
        # shares of the progress bar: parsing, the tagger, the entity recognizer
        parse_share = 0.3
        claims_share = (0.7 if not train_ner else 0.3) if train_claims else 0.0
        ner_share = 1.0 - parse_share - claims_share

        def report(stage: str, share: float, losses: dict[str, float] | None = None, epoch: int = 1, epochs: int = 1, batch: int = 0, batches: int = 0) -> None:
            if on_progress is not None:
                on_progress(TrainProgress(epoch, epochs, batch, batches, dict(losses or {}), time.monotonic() - started, stage, share))

        def over_time() -> bool:
            return deadline is not None and time.monotonic() > deadline

        parse_started = time.monotonic()
        batches = _Batches(
            nlp, golds, options.batch_size, options.keep_base_entities and train_ner, should_cancel,
            claims=train_claims, keep_docs=train_ner or options.stack_folds >= 2,
            on_parsed=lambda done: report("parsing", parse_share * done / max(1, n_texts)),
        )
        outcome.parse_seconds = round(time.monotonic() - parse_started, 1)
        if train_claims:
            from newsmark.nlp.tagger import FitOptions, choose_snap, fit_attribution, hash_features, stacked_strings

            claims_started = time.monotonic()
            timed_out = {"flag": False}

            def stop_claims() -> bool:
                if cancelled():
                    return True
                if over_time():
                    timed_out["flag"] = True
                    return True
                return False

            def stacked_ids(j: int, spans: list[list[tuple[int, int]]]) -> Any:
                return hash_features(stacked_strings(batches.doc(j), spans), batches.cache)

            model, fit = fit_attribution(
                batches.tagged,
                FitOptions(epochs=options.epochs, learn_rate=options.claims_learn_rate, seed=options.seed),
                stack_folds=options.stack_folds,
                stacked_ids=stacked_ids,
                should_stop=stop_claims,
                on_progress=lambda f: report("claims", parse_share + claims_share * f, epochs=options.epochs),
                snap=choose_snap(batches.edges),
            )
            if cancelled():
                raise TrainingCancelled
            model.meta = {"articles": n_texts, "labels": claim_labels, "epochs": fit.epochs_done, "stacked": fit.stacked, "snap": list(model.snap)}
            batches.tagged = []  # the features are not needed any more
            for pipe in (SPANCAT, "newsmark_learned_claims", TAGGER):
                if pipe in nlp.pipe_names:
                    nlp.remove_pipe(pipe)
            nlp.add_pipe(TAGGER, last=True).model = model
            outcome.trained.append("claims")
            outcome.claims_epochs = fit.epochs_done
            outcome.claims_stacked = fit.stacked
            outcome.claims_roles = [role for role, on in zip(("source", "cue", "content"), model.learned, strict=True) if on]
            outcome.claims_seconds = round(time.monotonic() - claims_started, 1)
            outcome.epochs_done = fit.epochs_done
            if timed_out["flag"]:
                outcome.timed_out = True
        if train_ner and options.keep_base_entities and batches.entity_changes == 0:
            # every accepted entity mark is what the base model suggested, none rejected: nothing to learn, only to lose
            train_ner = False
            outcome.ner_skipped = "no entity mark differs from the base model's suggestions"
        ner = nlp.get_pipe("ner") if train_ner else None
        if ner is not None:
            for label in entity_labels:
                ner.add_label(label)
            ner_opt = Adam(options.ner_learn_rate)
            outcome.trained.insert(0, "ner")
            order = list(range(len(batches)))
            ner_epochs = 0
            for epoch in range(1, options.epochs + 1):
                rng.shuffle(order)
                losses: dict[str, float] = {}
                for k, index in enumerate(order, 1):
                    if cancelled():
                        raise TrainingCancelled
                    if over_time() and outcome.batches_done:
                        outcome.timed_out = True
                        break
                    ner.update(batches.examples(index, corrected), sgd=ner_opt, drop=options.dropout, losses=losses)
                    outcome.batches_done += 1
                    report("entities", parse_share + claims_share + ner_share * ((epoch - 1) * len(order) + k) / (options.epochs * len(order)), losses, epoch, options.epochs, k, len(order))
                outcome.losses = {name: round(float(value), 4) for name, value in losses.items()}
                if outcome.timed_out:
                    break
                ner_epochs = epoch
            outcome.epochs_done = ner_epochs if not train_claims else min(ner_epochs, outcome.epochs_done)
        if cancelled():
            raise TrainingCancelled
        report("done", 1.0, outcome.losses, options.epochs, options.epochs, 1, 1)
    nlp.meta.update(meta or {})
    if out_dir is not None:
        nlp.to_disk(out_dir)
    outcome.seconds = time.monotonic() - started
    return nlp, outcome
