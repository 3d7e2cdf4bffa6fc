"""The vocabulary of Newsmark: documents, spans, relations, labels, statuses.

Plain dataclasses and enums only. No Qt, no SQL, no spaCy: every other layer
speaks in these types, so they must stay importable in a bare interpreter.

Offsets: every ``start``/``end`` is a Python code-point offset into the
document's stored (normalised) text, half-open ``[start, end)``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class StrEnum(str, enum.Enum):
    """An enum whose members compare equal to (and serialise as) their value."""

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: str | StrEnum) -> StrEnum:
        """Accept the value, the member name, or a human spelling ('in progress')."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            exact = cls._value2member_map_.get(value)  # the common case, without the loop below
            if exact is not None:
                return exact  # type: ignore[return-value]
        text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
        for member in cls:
            if text in (member.value, member.name.lower()):
                return member
        allowed = ", ".join(m.value for m in cls)
        raise ValueError(f"{value!r} is not a valid {cls.__name__} (expected one of: {allowed})")


class ReviewStatus(StrEnum):
    """Where a document is in the journalist's review."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def title(self) -> str:
        return {"new": "New", "in_progress": "In progress", "done": "Done"}[self.value]


class SpanKind(StrEnum):
    """What a span marks.

    ``entity`` and ``claim`` are what the journalist reviews; ``source`` (the
    speaker of a claim, e.g. "Basem Naim, a member of Hamas' political bureau")
    and ``cue`` (the reporting verb or phrase, e.g. "told CNN") are the parts of
    an attribution and are tied to their claim by a :class:`Relation`.
    """

    ENTITY = "entity"
    CLAIM = "claim"
    SOURCE = "source"
    CUE = "cue"


class SpanStatus(StrEnum):
    """The review state of a span. Only ``suggested`` spans are ever replaced by a model."""

    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Origin(StrEnum):
    """Who made a span: a model (name + version), the user (annotator) or an import (tool + file)."""

    MODEL = "model"
    USER = "user"
    IMPORT = "import"


class ClaimType(StrEnum):
    """The kind of claim a claim span is."""

    DIRECT_QUOTE = "direct_quote"  # “...” with a speaker
    REPORTED = "reported"  # X said that ..., according to X ...
    STATISTIC = "statistic"  # numbers, percentages, amounts stated as fact
    COMPARISON = "comparison"  # more / less / the largest ... stated as fact
    PREDICTION = "prediction"  # will / is expected to ...
    ASSERTION = "assertion"  # other unattributed factual assertion worth checking

    @property
    def title(self) -> str:
        return {
            "direct_quote": "Direct quote",
            "reported": "Reported statement",
            "statistic": "Statistic",
            "comparison": "Comparison",
            "prediction": "Prediction",
            "assertion": "Assertion",
        }[self.value]


class RelationLabel(StrEnum):
    """Labels of relations from a claim span to the parts of its attribution."""

    SPEAKER = "speaker"  # claim -> source span
    CUE = "cue"  # claim -> cue span
    ENTITY = "entity"  # source span -> the entity span it names (e.g. PERSON)
    RESOLVES_TO = "resolves_to"  # pronoun source ("he") -> the named source it refers to


def relation_label(value: RelationLabel | str) -> RelationLabel | str:
    """Newsmark's own relation labels as the enum; any other label (from another tool) as its text."""
    if isinstance(value, RelationLabel):
        return value
    text = str(value).strip()
    if not text:
        raise ValueError("a relation label cannot be empty")
    try:
        return RelationLabel(text)
    except ValueError:
        return text


@dataclass(slots=True)
class Label:
    """One label of a label scheme (see ``resources/labels.json``)."""

    name: str
    kind: SpanKind = SpanKind.ENTITY
    color: str = "#9e9e9e"
    description: str = ""
    shown: bool = True
    hotkey: str | None = None
    builtin: bool = True
    color_dark: str = ""  # background behind white text in dark mode ("" = derive from ``color``)
    may_overlap: bool = False  # an entity of this label may share characters with another entity


@dataclass(slots=True)
class NewDocument:
    """A document as produced by an importer, before it is stored.

    ``text`` must already be normalised (see :func:`newsmark.text.normalize_text`).
    ``origin`` names where it came from (a file path, "paste", "seed" ...), for
    messages and for the document's meta.
    """

    text: str
    title: str = ""
    source: str | None = None  # publication or site name
    url: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as precise as known
    meta: dict[str, Any] = field(default_factory=dict)
    origin: str = ""


@dataclass(slots=True)
class Document:
    """A stored document."""

    id: int
    title: str
    text: str
    text_hash: str
    status: ReviewStatus = ReviewStatus.NEW
    source: str | None = None
    url: str | None = None
    author: str | None = None
    published: str | None = None
    imported_at: datetime | None = None
    updated_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    annotated_by: str | None = None  # the model ("name version") that last suggested marks for it
    annotated_at: datetime | None = None


@dataclass(slots=True)
class Span:
    """A mark on a document's text.

    ``id`` is ``None`` until stored. ``origin_detail`` holds the model name and
    version (``"en_core_web_sm 3.8.0"``), the annotator's name, or the import's
    tool and file. ``edited_from`` links a user's edit to the suggestion it
    replaced. ``cue``/``speaker`` are conveniences filled when reading claims
    (ids of the related spans); the relation rows are the truth.
    """

    start: int
    end: int
    label: str
    kind: SpanKind = SpanKind.ENTITY
    status: SpanStatus = SpanStatus.SUGGESTED
    origin: Origin = Origin.MODEL
    origin_detail: str = ""
    claim_type: ClaimType | None = None
    score: float | None = None
    note: str = ""
    id: int | None = None
    doc_id: int | None = None
    edited_from: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    tags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"span offsets must satisfy 0 <= start < end, got [{self.start}, {self.end})")

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def same_place(self, other: Span) -> bool:
        return self.start == other.start and self.end == other.end


@dataclass(slots=True)
class Relation:
    """A labelled link between two spans of one document (claim -> speaker ...).

    Before storing, ``head``/``tail`` may be indexes into the list of new spans
    they were produced with (see :class:`Suggestions`); once stored they are span ids.
    """

    head: int
    tail: int
    label: RelationLabel | str = RelationLabel.SPEAKER  # a foreign tool's own relation labels stay strings
    id: int | None = None
    doc_id: int | None = None
    origin: Origin = Origin.MODEL
    origin_detail: str = ""


@dataclass(slots=True)
class Suggestions:
    """What a model proposes for one document: spans and relations between them.

    Relations refer to spans by their index in ``spans``.
    """

    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    model: str = ""  # "name version"


@dataclass(slots=True)
class AnnotatedDocument:
    """A document together with its marks, as an annotation format reads or writes it.

    ``spans`` carry their own ``status``/``origin``; ``relations`` refer to spans
    by their index in ``spans`` (``head``/``tail``), never by database id, so a
    document can travel between libraries and tools. ``id`` is the library's id
    of the document when it was exported (``None`` for foreign data).
    ``annotators`` lists who made or reviewed its marks. A span's ``edited_from``
    is, here too, an index into ``spans`` (the suggestion it was edited from).
    """

    document: NewDocument
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    status: ReviewStatus = ReviewStatus.NEW
    tags: list[str] = field(default_factory=list)
    id: int | None = None
    annotators: list[str] = field(default_factory=list)
    annotated_by: str | None = None  # the model ("name version") whose suggestions it carries
    # The file said what kind (entity/claim/source/cue) each mark is; otherwise kinds are
    # taken from the label scheme on import. Not part of the document's content.
    kinds_known: bool = field(default=False, compare=False)
    # Where the document starts in the file it was read from (1-based), when the format has
    # lines (JSONL, CoNLL): import messages about the document point there. Not content either.
    line: int | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        return self.document.text


@dataclass(slots=True)
class Event:
    """One entry of the edit log: who did what to which object, with before/after."""

    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: int | None
    doc_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class ProblemKind(StrEnum):
    ERROR = "error"  # the item was not imported
    WARNING = "warning"  # imported, but something was dropped or guessed
    DUPLICATE = "duplicate"  # not imported: the same text is already in the library


@dataclass(slots=True)
class Problem:
    """Something wrong with one input, located as precisely as possible.

    ``str(problem)`` is the message shown to the user: ``path:line: message``.
    """

    path: str
    message: str
    line: int | None = None
    kind: ProblemKind = ProblemKind.ERROR

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.kind.value}: {self.message}"
