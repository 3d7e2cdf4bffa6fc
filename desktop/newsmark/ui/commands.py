"""Undo commands: each one a user action, carried out by ONE store call.

Every user action is one transaction in the library and one step on the undo
stack: a command's :meth:`StoreCommand.do` makes exactly one store call
(``add_spans``, ``update_spans``, ``delete_spans``, ``set_speaker`` …), and its
:meth:`StoreCommand.revert` makes the inverse call (``delete_spans`` ↔
``restore_spans``, ``update_spans`` with the values from before …). The store
runs each call in one transaction, so a refused or failing action changes
nothing at all.

The compound inverses are single calls too: undoing marks that also accepted
or rejected other marks is ``delete_spans(ids, update=[…status back…])``, and
undoing a speaker change is ``restore_relations(removed, delete=[new link])``,
which puts the replaced links back with their ids and origin (a model's link
stays the model's).

:meth:`Editor.execute` runs a command's ``do`` first and only pushes it on the
undo stack when the store accepted it, so a refused action leaves no empty step
behind. ``redo`` after an undo calls ``do`` again; ids of re-created marks and
relations are kept so that the other commands on the stack still find them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from newsmark.model import ClaimType, Relation, ReviewStatus, Span, SpanKind, SpanStatus

if TYPE_CHECKING:
    from newsmark.ui.editor import Editor

SPAN_FIELDS = ("start", "end", "label", "kind", "claim_type", "status", "note", "score", "edited_from")

NOTE_COMMAND_ID = 0x4E4F5445  # "NOTE": consecutive saves of one note while typing merge into one step


@dataclass
class Touched:
    """What a command changed, so the editor can refresh only that.

    ``changes`` holds the new state of marks in ``spans`` as the store call
    returned it (``None``: deleted), so the editor patches its copy without
    reading the marks back; a mark in ``spans`` but not in ``changes`` is
    re-read from the store.
    """

    doc_id: int
    spans: set[int] = field(default_factory=set)
    relations: bool = False
    document: bool = False
    select: int | None = None
    changes: dict[int, Span | None] = field(default_factory=dict)


_CONVERT = {
    "kind": SpanKind,
    "status": SpanStatus,
    "claim_type": lambda value: ClaimType(value) if value else None,
}


def changed(span: Span, fields: dict[str, Any], when: datetime | None = None) -> Span:
    """``span`` with ``fields`` changed as ``Library.update_spans`` changes them (and a new update time)."""
    values = {key: _CONVERT[key](value) if key in _CONVERT else value for key, value in fields.items()}
    return replace(span, **values, tags=list(span.tags), updated_at=when or datetime.now(timezone.utc))


def after_updates(changes: list[tuple[int, dict[str, Any]]], befores: list[Span]) -> dict[int, Span | None]:
    """The marks after ``update_spans(changes)``, from the states before that it returned (in order)."""
    when = datetime.now(timezone.utc)
    out: dict[int, Span | None] = {}
    for (span_id, fields), before in zip(changes, befores):
        out[span_id] = changed(out.get(span_id) or before, fields, when)
    return out


class StoreCommand(QUndoCommand):
    def __init__(self, editor: Editor, doc_id: int, text: str) -> None:
        super().__init__(text)
        self.editor = editor
        self.doc_id = doc_id
        self._skip_redo = False

    # the store work -----------------------------------------------------
    def do(self) -> Touched:
        raise NotImplementedError

    def revert(self) -> Touched:
        raise NotImplementedError

    # QUndoCommand --------------------------------------------------------
    def redo(self) -> None:
        if self._skip_redo:  # already done by Editor.execute before the push
            self._skip_redo = False
            return
        self._run(self.do, "redo")

    def undo(self) -> None:
        self._run(self.revert, "undo")

    def _run(self, work: Any, verb: str) -> None:
        try:
            touched = work()
        except Exception as exc:  # noqa: BLE001 - a failed undo/redo is reported, never raised into Qt
            self.editor.command_failed(self, verb, exc)
            return
        self.editor.applied(touched)


class AddMarks(StoreCommand):
    """Create marks, and accept or reject others in the same step.

    E.g. a new entity that replaces the pending suggestions it overlaps, or
    "label every occurrence" (new marks + pending ones accepted). One
    ``add_spans`` call; undo deletes the new marks and puts the others'
    status back.
    """

    def __init__(
        self,
        editor: Editor,
        doc_id: int,
        spans: list[Span],
        text: str,
        *,
        reject: list[int] = (),  # type: ignore[assignment]
        accept: list[int] = (),  # type: ignore[assignment]
    ) -> None:
        super().__init__(editor, doc_id, text)
        self.spans = list(spans)
        self.ids: list[int | None] = [None] * len(spans)
        self.reject, self.accept = list(reject), list(accept)
        # the status each accepted/rejected mark had before (the editor holds the open article's marks)
        self.status_before: list[tuple[int, SpanStatus]] = []
        for span_id in self.reject + self.accept:
            span = editor.spans.get(span_id)
            if span is None:
                span = editor.library.get_span(span_id)
            self.status_before.append((span_id, span.status))

    def do(self) -> Touched:
        created = self.editor.library.add_spans(
            self.doc_id, self.spans, span_ids=self.ids, reject=self.reject, accept=self.accept
        )
        self.ids = [s.id for s in created]
        touched = Touched(self.doc_id, spans={*self.ids, *self.reject, *self.accept})  # type: ignore[arg-type]
        touched.changes = {s.id: s for s in created}  # type: ignore[misc]
        touched.changes.update(self._statuses([(i, SpanStatus.REJECTED) for i in self.reject] + [(i, SpanStatus.ACCEPTED) for i in self.accept]))
        touched.select = self.ids[0] if len(self.ids) == 1 else None
        return touched

    def _statuses(self, statuses: list[tuple[int, SpanStatus]]) -> dict[int, Span | None]:
        """The editor's copies of these marks with a new status (those it does not hold are re-read)."""
        when = datetime.now(timezone.utc)
        spans = self.editor.spans
        return {i: changed(spans[i], {"status": status}, when) for i, status in statuses if i in spans}

    def revert(self) -> Touched:
        # one transaction: the new marks go, the others get their status back
        deleted = self.editor.library.delete_spans(
            [i for i in self.ids if i is not None],
            update=[(span_id, {"status": status}) for span_id, status in self.status_before],
        )
        # redo re-creates them as they were (same ids, same creation time)
        self.spans = [span for span, _ in deleted]
        touched = Touched(self.doc_id, spans={*self.ids, *self.reject, *self.accept}, relations=any(rels for _, rels in deleted))  # type: ignore[arg-type]
        touched.changes = {span.id: None for span, _ in deleted}  # type: ignore[misc]
        touched.changes.update(self._statuses(self.status_before))
        return touched


class ChangeMarks(StoreCommand):
    """Change fields of one or more marks (accept, reject, relabel, resize, note, claim type): one ``update_spans``."""

    def __init__(self, editor: Editor, doc_id: int, changes: list[tuple[int, dict[str, Any]]], text: str, *, select: int | None = None) -> None:
        super().__init__(editor, doc_id, text)
        self.changes = changes
        self.before: list[tuple[int, dict[str, Any]]] = []
        self.select = select

    def do(self) -> Touched:
        befores = self.editor.library.update_spans(self.changes)
        self.before = [(span_id, {k: getattr(old, k) for k in fields}) for (span_id, fields), old in zip(self.changes, befores)]
        return Touched(self.doc_id, spans={i for i, _ in self.changes}, select=self.select, changes=after_updates(self.changes, befores))

    def revert(self) -> Touched:
        # reversed: if one mark was changed twice in the step, its first "before" wins
        undo = list(reversed(self.before))
        befores = self.editor.library.update_spans(undo)
        return Touched(self.doc_id, spans={i for i, _ in self.before}, select=self.select, changes=after_updates(undo, befores))


class EditNote(ChangeMarks):
    """The note of a mark. Saves made while one burst of typing goes on merge into one undo step."""

    def __init__(self, editor: Editor, doc_id: int, span_id: int, note: str, burst: object = None) -> None:
        super().__init__(editor, doc_id, [(span_id, {"note": note})], "Edit note", select=span_id)
        self.span_id = span_id
        self.burst = burst

    def do(self) -> Touched:
        touched = super().do()
        touched.select = None  # saved while typing, or on the way to another mark: never move the selection
        return touched

    def id(self) -> int:
        return NOTE_COMMAND_ID if self.burst is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditNote) or other.burst is None or other.burst != self.burst or other.span_id != self.span_id:
            return False
        # the store already holds the newer text; undo still goes back to the text before the burst
        self.changes = other.changes
        return True


class DeleteMarks(StoreCommand):
    """Delete marks with their relations (``delete_spans``); undo puts them back exactly (``restore_spans``)."""

    def __init__(self, editor: Editor, doc_id: int, span_ids: list[int], text: str) -> None:
        super().__init__(editor, doc_id, text)
        self.span_ids = span_ids
        self.deleted: list[tuple[Span, list[Relation]]] = []

    def do(self) -> Touched:
        self.deleted = self.editor.library.delete_spans(self.span_ids)
        return Touched(self.doc_id, spans=set(self.span_ids), relations=any(r for _, r in self.deleted), changes=dict.fromkeys(self.span_ids))

    def revert(self) -> Touched:
        self.editor.library.restore_spans(self.deleted)
        return Touched(
            self.doc_id,
            spans=set(self.span_ids),
            relations=any(r for _, r in self.deleted),
            select=self.span_ids[0] if len(self.span_ids) == 1 else None,
            changes={span.id: span for span, _ in self.deleted},  # type: ignore[misc] - put back exactly as they were
        )


class SetMarkTags(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, span_id: int, tags: list[str], text: str = "Tag mark") -> None:
        super().__init__(editor, doc_id, text)
        self.span_id, self.tags = span_id, tags
        self.old: list[str] = []

    def do(self) -> Touched:
        self.old = self.editor.library.set_span_tags(self.span_id, self.tags)
        return self._touched(self.tags)

    def revert(self) -> Touched:
        self.editor.library.set_span_tags(self.span_id, self.old)
        return self._touched(self.old)

    def _touched(self, tags: list[str]) -> Touched:
        touched = Touched(self.doc_id, spans={self.span_id}, select=self.span_id)
        span = self.editor.spans.get(self.span_id)
        if span is not None:  # the store keeps them trimmed, once each; read back sorted by name
            touched.changes = {self.span_id: replace(span, tags=sorted({t.strip() for t in tags if t.strip()}), updated_at=datetime.now(timezone.utc))}
        return touched


class SetDocumentTags(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, tags: list[str]) -> None:
        super().__init__(editor, doc_id, "Tag article")
        self.tags = tags
        self.old: list[str] = []

    def do(self) -> Touched:
        self.old = self.editor.library.set_document_tags(self.doc_id, self.tags)
        return Touched(self.doc_id, document=True)

    def revert(self) -> Touched:
        self.editor.library.set_document_tags(self.doc_id, self.old)
        return Touched(self.doc_id, document=True)


class SetSpeaker(StoreCommand):
    """Link a claim to the mark of its speaker, replacing any speaker it had, or unlink it: one ``set_speaker``.

    Undo removes the new link and puts the replaced ones back under their old ids, with
    their origin, in one ``restore_relations`` call.
    """

    def __init__(self, editor: Editor, doc_id: int, claim_id: int, speaker_id: int | None) -> None:
        super().__init__(editor, doc_id, "Set speaker" if speaker_id else "Clear speaker")
        self.claim_id, self.speaker_id = claim_id, speaker_id
        self.removed: list[Relation] = []
        self.added: Relation | None = None

    def _touched(self) -> Touched:
        spans = {self.claim_id} | {r.tail for r in self.removed}
        if self.speaker_id is not None:
            spans.add(self.speaker_id)
        held = self.editor.spans
        # the marks themselves do not change (only the links between them): redrawn, not re-read
        return Touched(self.doc_id, spans=spans, relations=True, select=self.claim_id, changes={i: held[i] for i in spans if i in held})

    def do(self) -> Touched:
        self.removed, self.added = self.editor.library.set_speaker(self.claim_id, self.speaker_id)
        return self._touched()

    def revert(self) -> Touched:
        if self.added is None and not self.removed:
            return self._touched()
        # one transaction: the link this command made goes, the ones it replaced come back as they were
        self.editor.library.restore_relations(self.removed, delete=[self.added.id] if self.added is not None else [])  # type: ignore[list-item]
        return self._touched()


class SetDocumentStatus(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, status: ReviewStatus) -> None:
        super().__init__(editor, doc_id, f"Mark article {status.title.lower()}")
        self.status, self.old = status, ReviewStatus.NEW

    def do(self) -> Touched:
        self.old = self.editor.library.set_document_status(self.doc_id, self.status)
        return Touched(self.doc_id, document=True)

    def revert(self) -> Touched:
        self.editor.library.set_document_status(self.doc_id, self.old)
        return Touched(self.doc_id, document=True)
