"""The editing session: the open article, its marks, the selected mark, undo.

Widgets never call the store to change anything: they call an :class:`Editor`
method, which builds an undo command (:mod:`newsmark.ui.commands`), runs it
through the store and pushes it on the :class:`QUndoStack`. The editor keeps a
copy of the open article's marks and relations, patched only where a command
touched them (from what the store call returned: no re-reading), with an index
in reading order and running counts, and tells the widgets through signals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from newsmark.model import ClaimType, Document, Label, Origin, Relation, RelationLabel, ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.store import NotFound, StoreError
from newsmark.ui import tokens
from newsmark.ui.commands import AddMarks, ChangeMarks, DeleteMarks, EditNote, SetDocumentStatus, SetDocumentTags, SetMarkTags, SetSpeaker, StoreCommand, Touched
from newsmark.ui.markindex import MarkIndex, key_of
from newsmark.ui.offsets import OffsetMap
from newsmark.ui.palette import Palette, claim_label_for, claim_type_of

if TYPE_CHECKING:  # the Library (SQLAlchemy) loads after the window is up: newsmark.store.opening
    from newsmark.store import Library

LAST_DOCUMENT = "ui.last_document"
LAST_MARK = "ui.last_mark"

SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE", "SOURCE")


class Editor(QObject):
    """The open article and every action on it."""

    documentOpened = Signal(object)  # Document | None
    marksChanged = Signal(object)  # set[int] of changed span ids, or None for "everything"
    selectionChanged = Signal(object)  # span id | None
    documentChanged = Signal(int)  # status/tags/counts of this document changed
    refused = Signal(str)  # an action was refused: the reason, for the user
    message = Signal(str)  # something to say in the status bar
    leaving = Signal()  # the selection or the article is about to change: save what is being typed
    pickingChanged = Signal(object)  # claim id whose speaker the next click picks, or None

    def __init__(self, library: Library, palette: Palette | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.palette = palette or Palette.load(library)
        self.undo_stack = QUndoStack(self)
        self.doc: Document | None = None
        self.offsets = OffsetMap("")
        self.spans: dict[int, Span] = {}
        self.relations: list[Relation] = []
        self.index = MarkIndex()  # every mark, in reading order
        self.label_counts: Counter[str] = Counter()  # marks not rejected, by label
        self._status_counts: Counter[SpanStatus] = Counter()  # entity and claim marks, by status
        self._speakers: dict[int, int] = {}  # claim id -> its speaker's id
        self._saved_position: tuple[object, object] | None = None
        self.selected: int | None = None
        self.show_rejected = False
        self.picking: int | None = None  # "pick speaker": the claim waiting for a click on its speaker
        self._save_mark = QTimer(self, singleShot=True, interval=400)
        self._save_mark.timeout.connect(self.save_position)

    # ------------------------------------------------------------------ loading

    @property
    def text(self) -> str:
        return self.doc.text if self.doc else ""

    def open_document(self, doc_id: int | None, *, select: int | None = None) -> None:
        if doc_id is None:
            self.doc, self.selected = None, None
            self._set_marks([], [])
            self.offsets = OffsetMap("")
            self.documentOpened.emit(None)
            return
        if self.doc is not None and self.doc.id == doc_id:
            if select is not None:
                self.select(select)
            return
        self.leaving.emit()
        self.cancel_pick()
        self.doc = self.library.get_document(doc_id)
        self.offsets = OffsetMap(self.doc.text)
        self._set_marks(self.library.spans(doc_id), self.library.relations(doc_id))
        self.palette.ensure({s.label for s in self.spans.values()}, {s.label: s.kind for s in self.spans.values()})
        self.selected = None
        self._save_mark.start()  # where the user is, written a moment later (and on close): not on the way in
        self.documentOpened.emit(self.doc)
        if select is not None and select in self.spans:
            self.select(select)

    def reload_marks(self) -> None:
        """Re-read the open article's marks (after a model run replaced its suggestions)."""
        if self.doc is None:
            return
        self._set_marks(self.library.spans(self.doc.id), self.library.relations(self.doc.id))
        self.palette.ensure({s.label for s in self.spans.values()}, {s.label: s.kind for s in self.spans.values()})
        if self.selected is not None and self.selected not in self.spans:
            self.selected = None
            self.selectionChanged.emit(None)
        self.marksChanged.emit(None)
        self.documentChanged.emit(self.doc.id)

    def reload_document(self) -> None:
        if self.doc is not None:
            self.doc = self.library.get_document(self.doc.id)
            self.documentChanged.emit(self.doc.id)

    # ------------------------------------------------------------------ the copy of the marks

    def _set_marks(self, spans: Iterable[Span], relations: list[Relation]) -> None:
        self.spans = {s.id: s for s in spans}  # type: ignore[misc]
        self.index.build(self.spans.values())
        self.label_counts = Counter(s.label for s in self.spans.values() if s.status != SpanStatus.REJECTED)
        self._status_counts = Counter(s.status for s in self.spans.values() if s.kind in (SpanKind.ENTITY, SpanKind.CLAIM))
        self._set_relations(relations)

    def _set_relations(self, relations: list[Relation]) -> None:
        self.relations = relations
        self._speakers = {}
        for rel in relations:
            if rel.label == RelationLabel.SPEAKER:
                self._speakers.setdefault(rel.head, rel.tail)

    def _put(self, span_id: int, new: Span | None) -> None:
        """Replace one mark of the copy (``None``: it is gone), keeping the index and counts in step."""
        old = self.spans.pop(span_id, None)
        if old is not None:
            self.index.remove(old)
            if old.status != SpanStatus.REJECTED:
                self.label_counts[old.label] -= 1
                if self.label_counts[old.label] <= 0:
                    del self.label_counts[old.label]
            if old.kind in (SpanKind.ENTITY, SpanKind.CLAIM):
                self._status_counts[old.status] -= 1
        if new is not None:
            self.spans[span_id] = new
            self.index.add(new)
            if new.status != SpanStatus.REJECTED:
                self.label_counts[new.label] += 1
            if new.kind in (SpanKind.ENTITY, SpanKind.CLAIM):
                self._status_counts[new.status] += 1

    def save_position(self) -> None:
        """Remember the article and mark the user is at (only what changed is written)."""
        if self.doc is None:
            return
        position = (self.doc.id, self.selected)
        if position == self._saved_position:
            return
        if self._saved_position is None or self._saved_position[0] != self.doc.id:
            self.library.set_setting(LAST_DOCUMENT, self.doc.id)
        self.library.set_setting(LAST_MARK, {"document": self.doc.id, "mark": self.selected})
        self._saved_position = position

    def last_position(self) -> tuple[int | None, int | None]:
        doc_id = self.library.get_setting(LAST_DOCUMENT)
        mark = self.library.get_setting(LAST_MARK) or {}
        mark_id = mark.get("mark") if isinstance(mark, dict) and mark.get("document") == doc_id else None
        return doc_id, mark_id

    # ------------------------------------------------------------------ queries

    def span(self, span_id: int | None) -> Span | None:
        return self.spans.get(span_id) if span_id is not None else None

    def span_text(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def is_visible(self, span: Span) -> bool:
        if span.status == SpanStatus.REJECTED and not self.show_rejected:
            return False
        return self.palette.is_shown(span.label)

    def ordered(self) -> list[Span]:
        """Visible marks in reading order (longer first where two start together)."""
        spans = self.spans
        return [s for s in (spans[i] for i in self.index.ids()) if self.is_visible(s)]

    def speaker_of(self, claim_id: int) -> Span | None:
        speaker = self._speakers.get(claim_id)
        return self.spans.get(speaker) if speaker is not None else None

    def claims_of(self, speaker_id: int) -> list[Span]:
        return [self.spans[r.head] for r in self.relations if r.tail == speaker_id and r.label == RelationLabel.SPEAKER and r.head in self.spans]

    def speaker_candidates(self, claim: Span, limit: int = 12) -> list[Span]:
        """Marks that could be a claim's speaker, nearest first."""
        found = [
            s
            for s in self.spans.values()
            if s.id != claim.id
            and s.status != SpanStatus.REJECTED
            and (s.kind == SpanKind.SOURCE or (s.kind == SpanKind.ENTITY and s.label in SPEAKER_LABELS))
        ]

        def distance(s: Span) -> int:
            if s.overlaps(claim):
                return 0
            return claim.start - s.end if s.end <= claim.start else s.start - claim.end

        return sorted(found, key=lambda s: (distance(s), s.start))[:limit]

    def counts(self) -> tuple[int, int, int]:
        """(pending, accepted, rejected) entity and claim marks, as the library list counts them (kept as marks change)."""
        c = self._status_counts
        return c[SpanStatus.SUGGESTED], c[SpanStatus.ACCEPTED], c[SpanStatus.REJECTED]

    def marks_at(self, cp: int) -> list[Span]:
        """Visible marks covering the character at ``cp``, innermost first."""
        hits = [s for s in (self.spans[i] for i in self.index.covering(cp)) if self.is_visible(s)]
        return sorted(hits, key=lambda s: (s.length, s.kind != SpanKind.ENTITY))

    def history(self, span_id: int, limit: int = 50) -> list[Any]:
        return self.library.events(target=("span", span_id), limit=limit)

    # ------------------------------------------------------------------ selection & navigation

    def select(self, span_id: int | None) -> None:
        if span_id is not None and span_id not in self.spans:
            span_id = None
        if span_id == self.selected:
            return
        self.leaving.emit()
        self.selected = span_id
        self.selectionChanged.emit(span_id)
        self._save_mark.start()

    def _walk(self, span: Span | None, step: int, pending_only: bool = False) -> Span | None:
        """The nearest visible mark after (``step`` > 0) or before ``span`` in reading order; from an end if ``span`` is None."""
        if span is None:
            ids = self.index.ids() if step > 0 else reversed([k[2] for k in self.index.keys])
        else:
            ids = self.index.after(key_of(span)) if step > 0 else self.index.before(key_of(span))
        for span_id in ids:
            candidate = self.spans[span_id]
            if (not pending_only or candidate.status == SpanStatus.SUGGESTED) and self.is_visible(candidate):
                return candidate
        return None

    def next_mark(self, step: int = 1, *, pending_only: bool = False) -> Span | None:
        current = self.span(self.selected)
        target = self._walk(current, step, pending_only)
        if target is None:
            return None
        self.select(target.id)
        return target

    # ------------------------------------------------------------------ running commands

    def execute(self, command: StoreCommand) -> bool:
        """Run a command through the store; push it for undo only if the store accepted it."""
        try:
            touched = command.do()
        except (StoreError, NotFound) as exc:
            self.refused.emit(str(exc))
            return False
        except Exception as exc:  # e.g. the disk or a lock: the store rolled the action back
            self.refused.emit(f"Not saved: {exc}")
            raise
        command._skip_redo = True
        self.undo_stack.push(command)
        self.applied(touched)
        return True

    def command_failed(self, command: StoreCommand, verb: str, exc: Exception) -> None:
        """An undo or redo the store refused. The store changed nothing (one transaction, or
        the part done was reversed); the stack, which already moved past the step, is cleared."""
        reason = str(exc) or type(exc).__name__
        self.refused.emit(f"Could not {verb} “{command.text()}”: {reason}. Nothing was changed; the undo history was cleared.")
        QTimer.singleShot(0, self.undo_stack.clear)  # not from inside the stack's own undo()/redo()
        if self.doc is not None:
            self.reload_marks()
            self.reload_document()

    def applied(self, touched: Touched) -> None:
        """Refresh what a command (done, undone or redone) changed."""
        if self.doc is None or touched.doc_id != self.doc.id:
            self.open_document(touched.doc_id)  # undo in another article: show it
            if touched.select is not None:
                self.select(touched.select)
            self.documentChanged.emit(touched.doc_id)
            return
        changes = touched.changes or {}
        for span_id in touched.spans:
            if span_id in changes:
                new = changes[span_id]  # what the store call returned (or the command knows): no query
            else:
                try:
                    new = self.library.get_span(span_id)
                except NotFound:
                    new = None
            if new is None or new is not self.spans.get(span_id):
                self._put(span_id, new)
        if touched.relations:
            self._set_relations(self.library.relations(self.doc.id))
        if touched.document:
            self.doc = self.library.get_document(self.doc.id)
        else:
            # any mark edit moves a new article to "in progress" (the store does it): keep in step
            if self.doc.status == ReviewStatus.NEW and touched.spans:
                self.doc.status = ReviewStatus.IN_PROGRESS
        self.palette.ensure({self.spans[i].label for i in touched.spans if i in self.spans})
        self.marksChanged.emit(set(touched.spans))
        self.documentChanged.emit(self.doc.id)
        if self.selected is not None and self.selected not in self.spans:
            self.selected = None
            self.selectionChanged.emit(None)
        if touched.select is not None and touched.select in self.spans:
            if touched.select == self.selected:
                self.selectionChanged.emit(self.selected)  # the mark itself changed
            else:
                self.select(touched.select)
        elif self.selected is not None and self.selected in touched.spans:
            self.selectionChanged.emit(self.selected)

    def refuse(self, message: str) -> bool:
        self.refused.emit(message)
        return False

    # ------------------------------------------------------------------ overlap rule

    def _overlap_check(self, kind: SpanKind, label: str, start: int, end: int, ignore: Iterable[int] = ()) -> tuple[bool, list[int]]:
        """Entities may not share characters. Returns (allowed, pending suggestions to reject).

        An entity inside a claim is normal; two entities on the same characters
        are refused, unless the overlapping one is a still-pending suggestion,
        which the new mark replaces (it is rejected in the same undo step).
        """
        if kind != SpanKind.ENTITY:
            return True, []
        skip = set(ignore)
        to_reject: list[int] = []
        for s in [self.spans[i] for i in self.index.overlapping(start, end)]:
            if s.id in skip or s.kind != SpanKind.ENTITY or s.status == SpanStatus.REJECTED:
                continue
            if not self.palette.allows_overlap(s.label, label):
                if s.status == SpanStatus.SUGGESTED:
                    to_reject.append(s.id)  # type: ignore[arg-type]
                else:
                    self.refused.emit(
                        f"“{self.text[start:end]}” overlaps the {s.label} mark “{self.text[s.start:s.end]}”. "
                        "Two entities cannot share characters: delete or shrink that one first."
                    )
                    return False, []
        return True, to_reject

    # ------------------------------------------------------------------ actions

    def create_mark(self, start: int, end: int, label: str | Label, *, exact: bool = False) -> Span | None:
        """Mark ``[start, end)`` (code points) with ``label``, snapped to tokens unless ``exact``."""
        if self.doc is None:
            return None
        lab = label if isinstance(label, Label) else self.palette.get(label)
        bounds = tokens.exact(self.text, start, end) if exact else tokens.snap(self.text, start, end)
        if bounds is None:
            self.refuse("Nothing to mark there: the selection holds only spaces or punctuation.")
            return None
        start, end = bounds
        for s in [self.spans[i] for i in self.index.at(start, end)]:
            if s.label == lab.name and s.kind == lab.kind and s.status != SpanStatus.REJECTED:
                if s.status == SpanStatus.SUGGESTED:
                    self.accept(s.id)
                else:
                    self.select(s.id)
                return self.spans.get(s.id)
        ok, reject = self._overlap_check(lab.kind, lab.name, start, end)
        if not ok:
            return None
        span = Span(
            start,
            end,
            lab.name,
            kind=lab.kind,
            status=SpanStatus.ACCEPTED,
            origin=Origin.USER,
            claim_type=(claim_type_of(lab) or ClaimType.ASSERTION) if lab.kind == SpanKind.CLAIM else None,
        )
        command = AddMarks(self, self.doc.id, [span], f"Mark “{self._short(start, end)}” as {lab.name}", reject=reject)
        if not self.execute(command):
            return None
        return self.spans.get(command.ids[0])  # type: ignore[arg-type]

    def _short(self, start: int, end: int) -> str:
        text = " ".join(self.text[start:end].split())
        return text if len(text) <= 30 else text[:29] + "…"

    def _target(self, span_id: int | None) -> Span | None:
        span = self.span(span_id if span_id is not None else self.selected)
        if span is None:
            self.message.emit("No mark selected: press J or Tab to go to the next one, or click one.")
        return span

    def set_status(self, status: SpanStatus, span_id: int | None = None, *, advance: bool = True) -> bool:
        span = self._target(span_id)
        if span is None or self.doc is None:
            return False
        if span.status == status:
            if advance:
                self.next_mark()
            return True
        if status == SpanStatus.ACCEPTED:
            ok, _ = self._overlap_check(span.kind, span.label, span.start, span.end, ignore=[span.id])  # type: ignore[list-item]
            if not ok:
                return False
        verb = {SpanStatus.ACCEPTED: "Accept", SpanStatus.REJECTED: "Reject", SpanStatus.SUGGESTED: "Reopen"}[status]
        done = self.execute(ChangeMarks(self, self.doc.id, [(span.id, {"status": status})], f"{verb} “{self._short(span.start, span.end)}”", select=span.id))  # type: ignore[list-item]
        if done and advance:
            self.next_mark()
        return done

    def accept(self, span_id: int | None = None, *, advance: bool = True) -> bool:
        return self.set_status(SpanStatus.ACCEPTED, span_id, advance=advance)

    def reject(self, span_id: int | None = None, *, advance: bool = True) -> bool:
        return self.set_status(SpanStatus.REJECTED, span_id, advance=advance)

    def delete(self, span_id: int | None = None) -> bool:
        span = self._target(span_id)
        if span is None or self.doc is None:
            return False
        following = self._neighbour(span)
        done = self.execute(DeleteMarks(self, self.doc.id, [span.id], f"Delete “{self._short(span.start, span.end)}”"))  # type: ignore[list-item]
        if done and following is not None:
            self.select(following)
        return done

    def _neighbour(self, span: Span) -> int | None:
        """The visible mark to select once ``span`` is gone: the next one, else the previous one."""
        if not self.is_visible(span):
            return None
        other = self._walk(span, 1) or self._walk(span, -1)
        return other.id if other is not None else None

    def relabel(self, label: str | Label, span_id: int | None = None) -> bool:
        span = self._target(span_id)
        if span is None or self.doc is None:
            return False
        lab = label if isinstance(label, Label) else self.palette.get(label)
        changes: dict[str, Any] = {"label": lab.name, "status": SpanStatus.ACCEPTED}
        if lab.kind != span.kind:
            changes["kind"] = lab.kind
        if lab.kind == SpanKind.CLAIM:
            wanted = claim_type_of(lab) or span.claim_type or ClaimType.ASSERTION
            if wanted != span.claim_type:
                changes["claim_type"] = wanted
        elif span.claim_type is not None:
            changes["claim_type"] = None
        ok, reject = self._overlap_check(lab.kind, lab.name, span.start, span.end, ignore=[span.id])  # type: ignore[list-item]
        if not ok:
            return False
        steps = [(span.id, changes)] + [(i, {"status": SpanStatus.REJECTED}) for i in reject]
        return self.execute(ChangeMarks(self, self.doc.id, steps, f"Relabel “{self._short(span.start, span.end)}” as {lab.name}", select=span.id))  # type: ignore[list-item]

    def resize(self, edge: str, span_id: int | None = None) -> bool:
        """Move one edge by a token: ``grow_start``, ``shrink_start``, ``grow_end`` or ``shrink_end``."""
        span = self._target(span_id)
        if span is None or self.doc is None:
            return False
        start, end = getattr(tokens, edge)(self.text, span.start, span.end)
        if (start, end) == (span.start, span.end):
            self.message.emit("The mark cannot move further that way.")
            return False
        ok, reject = self._overlap_check(span.kind, span.label, start, end, ignore=[span.id])  # type: ignore[list-item]
        if not ok:
            return False
        steps = [(span.id, {"start": start, "end": end, "status": SpanStatus.ACCEPTED})] + [(i, {"status": SpanStatus.REJECTED}) for i in reject]
        return self.execute(ChangeMarks(self, self.doc.id, steps, f"Resize “{self._short(start, end)}”", select=span.id))  # type: ignore[list-item]

    def set_note(self, note: str, span_id: int | None = None, *, burst: object = None) -> bool:
        """Save a mark's note. Saves with the same ``burst`` (one spell of typing) are one undo step."""
        span = self._target(span_id)
        if span is None or self.doc is None or span.note == note:
            return False
        return self.execute(EditNote(self, self.doc.id, span.id, note, burst))  # type: ignore[arg-type]

    def set_claim_type(self, claim_type: ClaimType | None, span_id: int | None = None) -> bool:
        span = self._target(span_id)
        if span is None or self.doc is None or span.claim_type == claim_type:
            return False
        changes: dict[str, Any] = {"claim_type": claim_type}
        label = claim_label_for(claim_type) if claim_type else None
        if label and claim_type_of(span.label) is not None and label != span.label:
            changes["label"] = label  # the scheme names claim labels after their type: keep them in step
        if span.status == SpanStatus.SUGGESTED:
            changes["status"] = SpanStatus.ACCEPTED
        title = claim_type.title if claim_type else "none"
        return self.execute(ChangeMarks(self, self.doc.id, [(span.id, changes)], f"Claim type: {title}", select=span.id))  # type: ignore[list-item]

    def set_tags(self, tags: Iterable[str], span_id: int | None = None) -> bool:
        span = self._target(span_id)
        if span is None or self.doc is None:
            return False
        clean = sorted({t.strip() for t in tags if t.strip()})
        if clean == sorted(span.tags):
            return False
        return self.execute(SetMarkTags(self, self.doc.id, span.id, clean))  # type: ignore[arg-type]

    def set_document_tags(self, tags: Iterable[str]) -> bool:
        if self.doc is None:
            return False
        clean = sorted({t.strip() for t in tags if t.strip()})
        if clean == sorted(self.doc.tags):
            return False
        return self.execute(SetDocumentTags(self, self.doc.id, clean))

    def set_speaker(self, speaker_id: int | None, claim_id: int | None = None) -> bool:
        claim = self._target(claim_id)
        if claim is None or self.doc is None:
            return False
        if claim.kind != SpanKind.CLAIM:
            return self.refuse("Only a claim has a speaker: select a claim first.")
        if speaker_id is not None and speaker_id not in self.spans:
            return self.refuse("That mark is not in this article.")
        current = self.speaker_of(claim.id)  # type: ignore[arg-type]
        if (current.id if current else None) == speaker_id:
            return False
        return self.execute(SetSpeaker(self, self.doc.id, claim.id, speaker_id))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ pick a speaker by clicking it

    def start_pick_speaker(self, claim_id: int | None = None) -> bool:
        """Wait for a click on the mark of the claim's speaker (see :meth:`pick`); Esc cancels."""
        claim = self._target(claim_id)
        if claim is None or self.doc is None:
            return False
        if claim.kind != SpanKind.CLAIM:
            return self.refuse("Only a claim has a speaker: select a claim first (J / Tab to move, or click one).")
        self.picking = claim.id
        self.pickingChanged.emit(claim.id)
        return True

    def cancel_pick(self) -> bool:
        if self.picking is None:
            return False
        self.picking = None
        self.pickingChanged.emit(None)
        return True

    def pick(self, span_id: int | None) -> bool:
        """The click while picking a speaker: ``span_id`` becomes the claim's speaker.

        A click beside any mark, or on the claim itself, is refused and picking goes on.
        """
        claim_id = self.picking
        if claim_id is None:
            return False
        if claim_id not in self.spans:
            self.cancel_pick()
            return self.refuse("The claim is gone (deleted or undone): no speaker set.")
        if span_id is None or span_id not in self.spans:
            return self.refuse("That is not a mark. Click the mark of who says it, or press Esc to cancel.")
        if span_id == claim_id:
            return self.refuse("A claim cannot be its own speaker. Click the mark of who says it, or press Esc to cancel.")
        self.cancel_pick()
        claim, speaker = self.spans[claim_id], self.spans[span_id]
        current = self.speaker_of(claim_id)
        if current is not None and current.id == span_id:
            self.select(claim_id)
            self.message.emit(f"“{self._short(speaker.start, speaker.end)}” already is the speaker of this claim.")
            return True
        if not self.set_speaker(span_id, claim_id):
            return False
        self.message.emit(f"Speaker of “{self._short(claim.start, claim.end)}”: “{self._short(speaker.start, speaker.end)}”.")
        return True

    def label_all_occurrences(self, span_id: int | None = None) -> int:
        """Give every other occurrence of the mark's text the mark's label. Returns how many were marked."""
        span = self._target(span_id)
        if span is None or self.doc is None:
            return 0
        needle = self.text[span.start : span.end]
        new: list[Span] = []
        accept: list[int] = []
        reject: list[int] = []
        skipped = 0
        for start, end in tokens.occurrences(self.text, needle):
            if (start, end) == (span.start, span.end):
                continue
            same = [s for s in (self.spans[i] for i in self.index.at(start, end)) if s.kind == span.kind and s.status != SpanStatus.REJECTED]
            if any(s.label == span.label and s.status == SpanStatus.ACCEPTED for s in same):
                continue
            pending_same = [s for s in same if s.label == span.label and s.status == SpanStatus.SUGGESTED]
            if pending_same:
                accept.append(pending_same[0].id)  # type: ignore[arg-type]
                continue
            if span.kind == SpanKind.ENTITY:
                clash = [s for s in (self.spans[i] for i in self.index.overlapping(start, end)) if s.kind == SpanKind.ENTITY and s.status != SpanStatus.REJECTED]
                if any(s.status != SpanStatus.SUGGESTED for s in clash):
                    skipped += 1
                    continue
                reject += [s.id for s in clash]  # type: ignore[misc]
            new.append(Span(start, end, span.label, kind=span.kind, status=SpanStatus.ACCEPTED, origin=Origin.USER, claim_type=span.claim_type))
        total = len(new) + len(accept)
        if total and span.status == SpanStatus.SUGGESTED:
            accept.append(span.id)  # type: ignore[arg-type] - labelling every one affirms this one too
        if total == 0:
            self.message.emit(f"No other occurrence of “{self._short(span.start, span.end)}” to mark" + (f" ({skipped} overlap other marks)." if skipped else "."))
            return 0
        command = AddMarks(self, self.doc.id, new, f"Mark every “{self._short(span.start, span.end)}” as {span.label}", reject=sorted(set(reject)), accept=accept)
        if not self.execute(command):
            return 0
        self.select(span.id)
        note = f"; {skipped} skipped: they overlap other marks" if skipped else ""
        self.message.emit(f"Marked {total} more occurrence{'s' if total != 1 else ''} of “{self._short(span.start, span.end)}” as {span.label}{note}.")
        return total

    def set_document_status(self, status: ReviewStatus) -> bool:
        if self.doc is None or self.doc.status == status:
            return False
        return self.execute(SetDocumentStatus(self, self.doc.id, status))
