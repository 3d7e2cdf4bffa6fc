"""A scripted editing session for the crash-safety harness (see test_crash_safety.py).

The session edits a library through exactly the :class:`~newsmark.store.Library`
calls the app's undo commands and background jobs make — a new mark that rejects
the suggestions it overlaps, relabel/accept/reject, grow a mark, delete and
undo the delete, speaker changes and their undo, tags, notes, review status,
document tags, a model run (``replace_suggestions``) and an import — chosen by
a seeded random generator from the library's current state. So the same seed on
the same starting file gives the same edits, and :func:`replay` can compute what
the library must hold after any number of them.

Run as a fork server (``python crash_session.py --server``): modules are
imported once; each ``{"db": ..., "seed": ..., "log": ...}`` line on stdin forks a
child that opens the library, prints ``ready``, then prints one line per edit
*after* the call has returned (stdout is the log file), until it is killed. The
server answers each request with the child's pid.

:func:`digest` summarises everything an edit can change (documents, statuses,
tags, marks, relations and the edit log), leaving out only the clock times.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from newsmark.model import (
    ClaimType,
    NewDocument,
    Origin,
    Relation,
    RelationLabel,
    ReviewStatus,
    Span,
    SpanKind,
    SpanStatus,
    Suggestions,
)
from newsmark.store import Library, StoreError

LABELS = ("PERSON", "ORG", "GPE", "DATE", "MONEY")
TAGS = ("check", "follow-up", "quote", "disputed", "source?")
WORDS = "the minister said talks in Cairo would resume after officials met negotiators on Monday".split()

SEED_TEXTS = [
    "Basem Naim, a member of Hamas' political bureau, told CNN there is nothing official yet. "
    "Negotiators met in Cairo on Monday, according to two officials familiar with the talks.\n\n"
    "“We will not accept any deal that does not end the war,” he said.",
    "The central bank raised rates by 0.5 percent, the largest rise since 2008, its governor said. "
    "Exports fell by 12 percent to $40 billion, the ministry reported on Tuesday.",
    "Officials in Geneva expect the grain talks to resume next month, a spokesperson for the United Nations said. "
    "Olena Kovalenko warned that prices would rise.",
]


def make_base(path: Path) -> None:
    """The starting library: three articles with model suggestions, as after an import and a model run."""
    lib = Library.open(path, actor="harness")
    try:
        for i, text in enumerate(SEED_TEXTS):
            doc_id = lib.add_document(NewDocument(text=text, title=f"Article {i}", origin=f"seed-{i}.txt")).doc_id
            assert doc_id is not None
            lib.replace_suggestions(doc_id, random_suggestions(random.Random(i), text))
    finally:
        lib.close()


def random_suggestions(r: random.Random, text: str) -> Suggestions:
    spans = []
    for _ in range(r.randint(3, 8)):
        start = r.randrange(0, len(text) - 12)
        spans.append(Span(start, start + r.randint(3, 12), r.choice(LABELS), score=round(r.random(), 3)))
    start = r.randrange(0, len(text) - 40)
    claim = Span(start, start + r.randint(15, 40), "CLAIM", kind=SpanKind.CLAIM, claim_type=r.choice(list(ClaimType)))
    source = Span(max(0, start - 12), max(0, start - 12) + 8, "SOURCE", kind=SpanKind.SOURCE)
    spans += [claim, source]
    return Suggestions(spans=spans, relations=[Relation(len(spans) - 2, len(spans) - 1, RelationLabel.SPEAKER)], model="harness-model 1.0")


class Session:
    """The edits, chosen from the library's state; remembers what an undo needs, like the app's undo stack."""

    def __init__(self, lib: Library, seed: int):
        self.lib = lib
        self.r = random.Random(seed)
        self.seed = seed
        self.deleted: list[tuple[Span, list[Relation]]] = []
        self.speaker_changes: list[tuple[list[Relation], Relation | None]] = []
        self.counter = 0
        self.texts = {doc_id: lib.get_document(doc_id).text for doc_id in sorted(lib.document_ids())}  # texts never change

    # ------------------------------------------------------------------ choosing
    def _doc(self) -> tuple[int, str]:
        doc_id = self.r.choice(sorted(self.texts))
        return doc_id, self.texts[doc_id]

    def _span(self, doc_id: int, kinds: tuple[SpanKind, ...] = ()) -> Span | None:
        spans = [s for s in self.lib.spans(doc_id) if not kinds or s.kind in kinds]
        return self.r.choice(spans) if spans else None

    # ------------------------------------------------------------------ the edits
    def new_mark(self) -> str:
        doc_id, text = self._doc()
        start = self.r.randrange(0, len(text) - 10)
        span = Span(start, start + self.r.randint(2, 10), self.r.choice(LABELS), status=SpanStatus.ACCEPTED, origin=Origin.USER)
        overlapping = [s.id for s in self.lib.spans(doc_id) if s.status == SpanStatus.SUGGESTED and s.kind == SpanKind.ENTITY and s.overlaps(span)]
        self.lib.add_spans(doc_id, [span], reject=overlapping)
        return f"new mark in {doc_id} rejecting {len(overlapping)}"

    def change_mark(self) -> str:
        doc_id, text = self._doc()
        span = self._span(doc_id)
        if span is None:
            return "no mark"
        choice = self.r.random()
        if choice < 0.3:
            changes: dict = {"label": self.r.choice(LABELS)}
        elif choice < 0.6:
            changes = {"status": self.r.choice([SpanStatus.ACCEPTED, SpanStatus.REJECTED])}
        else:
            changes = {"end": min(len(text), span.end + self.r.randint(1, 5))}
        self.lib.update_spans([(span.id, changes)])
        return f"update {span.id} {sorted(changes)}"

    def delete_mark(self) -> str:
        doc_id, _ = self._doc()
        span = self._span(doc_id)
        if span is None:
            return "no mark"
        self.deleted += self.lib.delete_spans([span.id])
        return f"delete {span.id}"

    def undo_delete(self) -> str:
        if not self.deleted:
            return self.new_mark()
        span, relations = self.deleted.pop()
        self.lib.restore_spans([(span, relations)])
        return f"restore {span.id}"

    def speaker(self) -> str:
        doc_id, _ = self._doc()
        claim = self._span(doc_id, (SpanKind.CLAIM,))
        if claim is None:
            return "no claim"
        candidate = self._span(doc_id, (SpanKind.SOURCE, SpanKind.ENTITY))
        speaker_id = candidate.id if candidate is not None and self.r.random() < 0.8 else None
        self.speaker_changes.append(self.lib.set_speaker(claim.id, speaker_id))
        return f"speaker of {claim.id} = {speaker_id}"

    def undo_speaker(self) -> str:
        if not self.speaker_changes:
            return self.speaker()
        removed, added = self.speaker_changes.pop()
        self.lib.restore_relations(removed, delete=[added.id] if added is not None and added.id is not None else [])
        return "undo speaker"

    def tags(self) -> str:
        doc_id, _ = self._doc()
        span = self._span(doc_id)
        if span is None:
            return "no mark"
        self.lib.set_span_tags(span.id, self.r.sample(TAGS, self.r.randint(0, 3)))
        return f"tags of {span.id}"

    def note(self) -> str:
        doc_id, _ = self._doc()
        span = self._span(doc_id)
        if span is None:
            return "no mark"
        self.lib.update_span(span.id, note=" ".join(self.r.choices(WORDS, k=self.r.randint(1, 8))))
        return f"note of {span.id}"

    def status(self) -> str:
        doc_id, _ = self._doc()
        self.lib.set_document_status(doc_id, self.r.choice(list(ReviewStatus)))
        return f"status of {doc_id}"

    def document_tags(self) -> str:
        doc_id, _ = self._doc()
        self.lib.set_document_tags(doc_id, self.r.sample(TAGS, self.r.randint(0, 2)))
        return f"document tags of {doc_id}"

    def model_run(self) -> str:
        doc_id, text = self._doc()
        added, removed = self.lib.replace_suggestions(doc_id, random_suggestions(self.r, text))
        return f"model run on {doc_id}: +{added} -{removed}"

    def import_article(self) -> str:
        self.counter += 1
        text = f"Run {self.seed} article {self.counter}: " + " ".join(self.r.choices(WORDS, k=30)) + "."
        result = self.lib.add_documents([NewDocument(text=text, title=f"Imported {self.seed}-{self.counter}", origin="harness.txt")])[0]
        if result.doc_id is not None:
            self.texts[result.doc_id] = text
        return f"import -> {result.doc_id}"

    def step(self) -> str:
        ops: list[tuple[Callable[[], str], int]] = [
            (self.new_mark, 6),
            (self.change_mark, 6),
            (self.delete_mark, 2),
            (self.undo_delete, 2),
            (self.speaker, 2),
            (self.undo_speaker, 1),
            (self.tags, 2),
            (self.note, 2),
            (self.status, 1),
            (self.document_tags, 1),
            (self.model_run, 1),
            (self.import_article, 1),
        ]
        op = self.r.choices([o for o, _ in ops], weights=[w for _, w in ops])[0]
        try:
            return op()
        except StoreError as exc:  # refused by the store (nothing changed): the same in the replay
            return f"refused: {exc}"


def replay(db: Path, seed: int, steps: int) -> list[str]:
    """Digests of the library after 0, 1, … ``steps`` edits of the session ``seed``."""
    lib = Library.open(db, actor="harness")
    try:
        session = Session(lib, seed)
        digests = [digest(db)]
        for _ in range(steps):
            session.step()
            digests.append(digest(db))
        return digests
    finally:
        lib.close()


def digest(db: Path) -> str:
    """Everything an edit can change, without clock times, as one hash."""
    con = sqlite3.connect(db)  # read only in effect; a read-only connection would leave an empty -wal behind
    try:
        parts = []
        for query in (
            "SELECT id, title, status, text_hash, annotated_by FROM documents ORDER BY id",
            'SELECT id, document_id, start, "end", label, kind, status, origin, origin_detail, claim_type, score, note, edited_from_id FROM spans ORDER BY id',
            "SELECT id, document_id, head_id, tail_id, label, origin, origin_detail FROM relations ORDER BY id",
            "SELECT document_id, tag_id FROM document_tags ORDER BY 1, 2",
            "SELECT span_id, tag_id FROM span_tags ORDER BY 1, 2",
            "SELECT id, name FROM tags ORDER BY id",
            "SELECT id, actor, action, target_type, target_id, document_id, before, after FROM events ORDER BY id",
        ):
            parts.append(json.dumps(con.execute(query).fetchall(), default=str))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    finally:
        con.close()


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)  # read only in effect; a read-only connection would leave an empty -wal behind
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "spans", "relations", "events")}
    finally:
        con.close()


def child(db: str, seed: int, log: str) -> None:
    """Edit until killed; each line is printed only after the edit's call returned (committed)."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.close(fd)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 - line-buffered, the log file
    lib = Library.open(db, actor="harness")
    session = Session(lib, seed)
    print("ready", flush=True)
    step = 0
    while True:
        what = session.step()
        step += 1
        print(json.dumps({"step": step, "edit": what}), flush=True)


def warm_up() -> None:
    """Run a short session on a scratch library so that the children start with SQLAlchemy's
    mappers configured and statements compiled (otherwise the first edits of every child are slow)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / "warm-up.sqlite"
        make_base(scratch)
        lib = Library.open(scratch, actor="harness")
        try:
            session = Session(lib, 0)
            for _ in range(60):
                session.step()
        finally:
            lib.close()


def server() -> None:
    """Fork a session per request line; children are reaped automatically (SIGCHLD ignored)."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    warm_up()
    print("server ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                child(request["db"], int(request["seed"]), request["log"])
            except BaseException:  # a bug in the session, not a kill: leave the traceback in the log
                import traceback

                traceback.print_exc(file=sys.stdout)
                sys.stdout.flush()
            finally:
                os._exit(1)
        print(pid, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--server"]:
        server()
    else:
        child(sys.argv[1], int(sys.argv[2]), sys.argv[3])
