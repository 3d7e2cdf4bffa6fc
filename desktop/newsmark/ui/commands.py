"""Undo commands: each one a user action, carried out through store operations.

:meth:`Editor.execute` runs a command's :meth:`StoreCommand.do` first and only
pushes it on the undo stack when the store accepted it, so a refused action
(e.g. overlapping entities) leaves no empty step behind. ``redo`` after an
undo calls ``do`` again; ids of re-created marks and relations are kept so
that later commands on the stack still find them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from newsmark.model import Relation, RelationLabel, ReviewStatus, Span, SpanStatus
from newsmark.store import NotFound

if TYPE_CHECKING:
    from newsmark.ui.editor import Editor

SPAN_FIELDS = ("start", "end", "label", "kind", "claim_type", "status", "note", "score")


@dataclass
class Touched:
    """What a command changed, so the editor can refresh only that."""

    doc_id: int
    spans: set[int] = field(default_factory=set)
    relations: bool = False
    document: bool = False
    select: int | None = None


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
        self.editor.applied(self.do())

    def undo(self) -> None:
        self.editor.applied(self.revert())


class AddMarks(StoreCommand):
    """Create marks (and reject the pending suggestions they replace)."""

    def __init__(self, editor: Editor, doc_id: int, spans: list[Span], text: str, *, reject: list[int] = (), accept: list[int] = ()) -> None:  # type: ignore[assignment]
        super().__init__(editor, doc_id, text)
        self.spans = spans
        self.ids: list[int | None] = [None] * len(spans)
        self.status_changes = ChangeMarks(editor, doc_id, [(i, {"status": SpanStatus.REJECTED}) for i in reject] + [(i, {"status": SpanStatus.ACCEPTED}) for i in accept], "")

    def do(self) -> Touched:
        lib = self.editor.library
        touched = self.status_changes.do() if self.status_changes.changes else Touched(self.doc_id)
        try:
            for i, span in enumerate(self.spans):
                created = lib.add_span(self.doc_id, span, span_id=self.ids[i])
                self.ids[i] = created.id
                touched.spans.add(created.id)  # type: ignore[arg-type]
        except Exception:
            self.revert()  # leave nothing half-done
            raise
        touched.select = self.ids[0] if len(self.ids) == 1 else touched.select
        return touched

    def revert(self) -> Touched:
        lib = self.editor.library
        touched = Touched(self.doc_id)
        for span_id in reversed(self.ids):
            if span_id is not None:
                try:
                    lib.delete_span(span_id)
                except NotFound:
                    pass  # never created (a failed do())
                touched.spans.add(span_id)
        if self.status_changes.changes:
            more = self.status_changes.revert()
            touched.spans |= more.spans
        touched.relations = True
        return touched


class ChangeMarks(StoreCommand):
    """Change fields of one or more marks (accept, reject, relabel, resize, note, claim type)."""

    def __init__(self, editor: Editor, doc_id: int, changes: list[tuple[int, dict[str, Any]]], text: str, *, select: int | None = None) -> None:
        super().__init__(editor, doc_id, text)
        self.changes = changes
        self.before: list[tuple[int, dict[str, Any]]] = []
        self.select = select

    def do(self) -> Touched:
        lib = self.editor.library
        self.before = []
        touched = Touched(self.doc_id, select=self.select)
        try:
            for span_id, fields in self.changes:
                old = lib.update_span(span_id, **fields)
                self.before.append((span_id, {k: getattr(old, k) for k in fields}))
                touched.spans.add(span_id)
        except Exception:
            self.revert()  # leave nothing half-done
            raise
        return touched

    def revert(self) -> Touched:
        lib = self.editor.library
        touched = Touched(self.doc_id, select=self.select)
        for span_id, fields in reversed(self.before):
            lib.update_span(span_id, **fields)
            touched.spans.add(span_id)
        return touched


class DeleteMarks(StoreCommand):
    """Delete marks with their relations; undo puts them back under their old ids."""

    def __init__(self, editor: Editor, doc_id: int, span_ids: list[int], text: str) -> None:
        super().__init__(editor, doc_id, text)
        self.span_ids = span_ids
        self.deleted: list[tuple[Span, list[Relation]]] = []

    def do(self) -> Touched:
        lib = self.editor.library
        self.deleted = [lib.delete_span(span_id) for span_id in self.span_ids]
        return Touched(self.doc_id, spans=set(self.span_ids), relations=True)

    def revert(self) -> Touched:
        lib = self.editor.library
        restored: set[int] = set()
        for span, _ in reversed(self.deleted):
            lib.add_span(self.doc_id, span, span_id=span.id)
            restored.add(span.id)  # type: ignore[arg-type]
        seen: set[int] = set()
        for _, rels in self.deleted:
            for rel in rels:
                if rel.id in seen:
                    continue
                seen.add(rel.id)  # type: ignore[arg-type]
                lib.add_relation(rel.head, rel.tail, rel.label, relation_id=rel.id)
        return Touched(self.doc_id, spans=restored, relations=True, select=self.span_ids[0] if len(self.span_ids) == 1 else None)


class SetMarkTags(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, span_id: int, tags: list[str], text: str = "Tag mark") -> None:
        super().__init__(editor, doc_id, text)
        self.span_id, self.tags = span_id, tags
        self.old: list[str] = []

    def do(self) -> Touched:
        self.old = self.editor.library.set_span_tags(self.span_id, self.tags)
        return Touched(self.doc_id, spans={self.span_id}, select=self.span_id)

    def revert(self) -> Touched:
        self.editor.library.set_span_tags(self.span_id, self.old)
        return Touched(self.doc_id, spans={self.span_id}, select=self.span_id)


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
    """Link a claim to the mark of its speaker (replacing any speaker it had), or unlink it."""

    def __init__(self, editor: Editor, doc_id: int, claim_id: int, speaker_id: int | None) -> None:
        super().__init__(editor, doc_id, "Set speaker" if speaker_id else "Clear speaker")
        self.claim_id, self.speaker_id = claim_id, speaker_id
        self.removed: list[Relation] = []
        self.added_id: int | None = None

    def do(self) -> Touched:
        lib = self.editor.library
        self.removed = [
            lib.delete_relation(rel.id)  # type: ignore[arg-type]
            for rel in lib.relations(self.doc_id)
            if rel.head == self.claim_id and rel.label == RelationLabel.SPEAKER
        ]
        if self.speaker_id is not None:
            rel = lib.add_relation(self.claim_id, self.speaker_id, RelationLabel.SPEAKER, relation_id=self.added_id)
            self.added_id = rel.id
        return Touched(self.doc_id, spans={self.claim_id}, relations=True, select=self.claim_id)

    def revert(self) -> Touched:
        lib = self.editor.library
        if self.speaker_id is not None and self.added_id is not None:
            lib.delete_relation(self.added_id)
        for rel in self.removed:
            lib.add_relation(rel.head, rel.tail, rel.label, relation_id=rel.id)
        return Touched(self.doc_id, spans={self.claim_id}, relations=True, select=self.claim_id)


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
