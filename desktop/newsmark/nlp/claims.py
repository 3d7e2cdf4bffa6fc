"""The ``newsmark_claims`` spaCy component: claims, their sources and cues.

After it runs, a ``Doc`` holds:

- ``doc.spans["claims"]``: one span per claim, labelled with the claim type's
  label from ``resources/labels.json`` (``QUOTE``, ``REPORTED``, ``STATISTIC``,
  ``COMPARISON``, ``PREDICTION``, ``ASSERTION``);
- ``doc.spans["sources"]`` (label ``SOURCE``) and ``doc.spans["cues"]`` (label
  ``CUE``), each distinct span once;
- ``doc._.newsmark_claims``: a list, parallel to ``doc.spans["claims"]``, of
  plain dicts ``{"type", "content": [start, end], "score", "source": [start, end] | None,
  "cue": [start, end] | None, "rule"}`` in token indexes (plain data so that it
  survives ``Doc.to_bytes`` and spaCy's multiprocessing). :func:`claims_of`
  turns it back into :class:`~newsmark.nlp.attribution.FoundClaim` objects.

Which unattributed sentences become claims is decided by the check-worthiness
model (:mod:`newsmark.nlp.checkworthy`): the component's ``checkworthy_model``
setting is ``"default"`` (the model shipped in ``resources/models/``), a path
to another model file, or ``""`` for the hand-set rules alone. Attributed claims
(quotes, reported statements) always come from the rules.

spaCy is imported only inside functions: :func:`register` is called by the
loader before a pipeline is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsmark.labels import CLAIM_TYPE_LABELS, CUE_LABEL, SOURCE_LABEL
from newsmark.nlp.attribution import FoundClaim, detect
from newsmark.nlp.checkworthy import CheckworthyModel, CheckworthyModelError, load_model

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Iterator

    from spacy.tokens import Doc

FACTORY = "newsmark_claims"
EXTENSION = "newsmark_claims"
CLAIMS_KEY, SOURCES_KEY, CUES_KEY = "claims", "sources", "cues"
DEFAULT_MODEL = "default"  # the check-worthiness model shipped in resources/models/


class ClaimDetector:
    """Callable pipeline component (a plain class, so it pickles for ``n_process > 1``)."""

    def __init__(
        self, name: str = FACTORY, *, factual: bool = True, min_factual_score: float = 0.5, checkworthy_model: str = DEFAULT_MODEL
    ) -> None:
        self.name = name
        self.factual = factual
        self.min_factual_score = min_factual_score
        self.checkworthy_model = checkworthy_model
        self.model_problem: str | None = None
        self.checkworthy  # load now, so that a bad model file is reported when the pipeline is built  # noqa: B018

    @property
    def checkworthy(self) -> CheckworthyModel | None:
        """The check-worthiness model (read once per process), or None for the rules alone.

        A model file named in the settings that cannot be read raises
        :class:`CheckworthyModelError`; the shipped one missing (a broken
        install) falls back to the rules, with the reason in ``model_problem``.
        """
        if not self.factual or not self.checkworthy_model:
            return None
        if self.checkworthy_model == DEFAULT_MODEL:
            try:
                return load_model()
            except CheckworthyModelError as exc:
                self.model_problem = str(exc)
                return None
        return load_model(self.checkworthy_model)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        ensure_extension()
        found = detect(doc, factual=self.factual, min_factual_score=self.min_factual_score, checkworthy=self.checkworthy)
        claims, sources, cues = [], [], []
        seen_sources: set[tuple[int, int]] = set()
        seen_cues: set[tuple[int, int]] = set()
        for claim in found:
            claims.append(Span(doc, claim.content[0], claim.content[1], label=CLAIM_TYPE_LABELS[claim.claim_type]))
            if claim.source and claim.source not in seen_sources:
                seen_sources.add(claim.source)
                sources.append(Span(doc, claim.source[0], claim.source[1], label=SOURCE_LABEL))
            if claim.cue and claim.cue not in seen_cues:
                seen_cues.add(claim.cue)
                cues.append(Span(doc, claim.cue[0], claim.cue[1], label=CUE_LABEL))
        doc.spans[CLAIMS_KEY] = claims
        doc.spans[SOURCES_KEY] = sorted(sources, key=lambda s: (s.start, s.end))
        doc.spans[CUES_KEY] = sorted(cues, key=lambda s: (s.start, s.end))
        doc._.set(EXTENSION, [c.to_json() for c in found])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def __repr__(self) -> str:
        return f"ClaimDetector(factual={self.factual}, min_factual_score={self.min_factual_score}, checkworthy_model={self.checkworthy_model!r})"


def ensure_extension() -> None:
    from spacy.tokens import Doc

    if not Doc.has_extension(EXTENSION):
        Doc.set_extension(EXTENSION, default=None)


def register() -> None:
    """Register the ``newsmark_claims`` factory and the Doc extension (idempotent)."""
    from spacy.language import Language

    ensure_extension()
    if Language.has_factory(FACTORY):
        return

    @Language.factory(
        FACTORY,
        default_config={"factual": True, "min_factual_score": 0.5, "checkworthy_model": DEFAULT_MODEL},
        assigns=["doc.spans", f"doc._.{EXTENSION}"],
    )
    def make_claim_detector(nlp: Any, name: str, factual: bool, min_factual_score: float, checkworthy_model: str) -> ClaimDetector:
        return ClaimDetector(name, factual=factual, min_factual_score=min_factual_score, checkworthy_model=checkworthy_model)


def claims_of(doc: Doc) -> list[FoundClaim]:
    """The claims the component stored on ``doc`` (empty if it did not run)."""
    if not doc.has_extension(EXTENSION):
        return []
    data = doc._.get(EXTENSION) or []
    return [FoundClaim.from_json(item) for item in data]
