"""brat standoff: a folder of ``.txt`` + ``.ann`` pairs, read and written.

Read: a folder (every ``<name>.txt`` with its ``<name>.ann``, in natural name
order), or one ``.ann`` or ``.txt`` file (with the other one beside it). Offsets
count the characters of the ``.txt`` as it is on disk — a Windows ``\\r\\n`` is
two, a UTF-8 byte-order mark one — and are mapped through Newsmark's
normalisation, so marks land on the same words after CRLF → LF and NFC.

- ``T`` text-bound annotations are spans (label = the type). A discontinuous one
  (``T3<TAB>Claim 10 20;25 40``) becomes the span covering all its fragments,
  with a warning; its fragments are kept in ``meta["brat"]["fragments"]``.
  A ``T`` whose stated text does not match the ``.txt`` at its offsets is dropped
  with a warning (whitespace differences are accepted: brat writes line breaks
  inside a span as spaces).
- ``R`` relations are relations from ``Arg1`` to ``Arg2`` (label = the type).
- ``E`` events keep their trigger ``T`` as a span; each argument becomes a
  relation from the trigger to the argument labelled ``"<EventType>:<Role>"``
  (the role without brat's numbering: ``Org-Arg2`` → ``Org-Arg``; an argument that
  is itself an event points at that event's trigger). The events as written are
  kept in ``meta["brat"]["events"]``.
- ``#`` notes (``AnnotatorNotes``) on a ``T`` become that span's ``note``; notes
  on anything else, ``A``/``M`` attributes, ``N`` normalisations and ``*``
  equivalences are kept in ``meta["brat"]`` (``notes``, ``attributes``,
  ``normalizations``, ``equivs``), with one warning per document saying so.
- Lines of any other kind, malformed lines and references to unknown ids are
  warnings naming the ``.ann`` and its line.

``meta["brat"]["file"]`` is the pair's name, so a re-export keeps it.

Written (``DIRECTORY``): one ``<name>.txt`` (the text, UTF-8, ``\\n``) and
``<name>.ann`` per document, ``<name>`` = the name the document was imported
under (``meta["brat"]["file"]``), else the library id, else a slug of its title
(made unique). Spans are
``T1``, ``T2`` … in the order given (rejected spans are left out — brat has no
negative examples — and counted in one warning), relations ``R1`` … , span notes
``#1`` … ``AnnotatorNotes``; labels with spaces get ``_`` (brat types cannot hold
spaces; reported in :attr:`BratWriter.problems`). An ``annotation.conf`` lists
the entity and relation types used (and allows overlapping marks), so the folder
opens in brat as it is. Document title, source and the like have no place in
brat and are not written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsmark.formats._foreign import RejectedCount, TextMap, decode_error, read_text_file, same_text
from newsmark.formats.brat_gold import is_annotation_line, match_textbound, textbound_of
from newsmark.formats.interchange import AtomicDirectory, error, import_origin, imported_span, safe_file_stem, warning
from newsmark.model import AnnotatedDocument, NewDocument, Origin, Problem, Relation, Span, relation_label
from newsmark.text import DecodeError, guess_title

NAME = "brat"
TITLE = "brat standoff (.txt + .ann)"
EXTENSIONS = (".ann",)
DIRECTORY = True

CONF = "annotation.conf"


def _natural(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def pairs(path: Path) -> list[tuple[Path | None, Path | None]] | None:
    """The (``.txt``, ``.ann``) pairs of a folder or of one file; ``None`` when ``path`` is neither."""
    if path.is_dir():
        stems: dict[str, list[Path | None]] = {}
        for child in path.iterdir():
            if child.is_file() and child.suffix in (".txt", ".ann"):
                stems.setdefault(child.stem, [None, None])[0 if child.suffix == ".txt" else 1] = child
        return [(txt, ann) for _, (txt, ann) in sorted(stems.items(), key=lambda kv: _natural(kv[0]))]
    if path.suffix.lower() == ".ann":
        txt = path.with_suffix(".txt")
        return [(txt if txt.exists() else None, path)]
    if path.suffix.lower() == ".txt":
        ann = path.with_suffix(".ann")
        return [(path, ann if ann.exists() else None)]
    return None


def read(path: Path) -> Iterator[AnnotatedDocument | Problem]:
    path = Path(path)
    if not path.exists():
        yield error(path, "no such file or folder")
        return
    found = pairs(path)
    if found is None:
        yield error(path, "not a brat folder, .ann or .txt file")
        return
    if not found:
        yield error(path, "the folder holds no .txt/.ann files")
        return
    for txt, ann in found:
        yield from _read_pair(txt, ann)


def _read_pair(txt: Path | None, ann: Path | None) -> Iterator[AnnotatedDocument | Problem]:
    if txt is None:
        assert ann is not None
        yield error(ann, f"no {ann.stem}.txt beside it: the annotations have no text to go on")
        return
    try:
        raw = read_text_file(txt)
    except (DecodeError, OSError) as exc:
        yield error(txt, decode_error(exc), getattr(exc, "line", None))
        return
    textmap = TextMap(raw)
    if not textmap.text.strip():
        yield error(txt, "the text is empty: nothing to import")
        return
    meta: dict[str, Any] = {"file": txt.stem}
    if ann is None:
        yield warning(txt, f"no {txt.stem}.ann beside it: imported without marks")
        yield AnnotatedDocument(document=NewDocument(text=textmap.text, title=guess_title(textmap.text), meta={NAME: meta}, origin=str(txt)))
        return
    try:
        content = read_text_file(ann).lstrip("\ufeff")
    except (DecodeError, OSError) as exc:
        yield error(ann, decode_error(exc), getattr(exc, "line", None))
        return
    problems: list[Problem] = []
    doc = _Ann(ann, textmap, meta, problems).read(content)
    yield from problems
    yield AnnotatedDocument(document=NewDocument(text=textmap.text, title=guess_title(textmap.text), meta={NAME: meta}, origin=str(txt)), **doc)


class _Ann:
    def __init__(self, path: Path, textmap: TextMap, meta: dict[str, Any], problems: list[Problem]) -> None:
        self.path, self.textmap, self.meta, self.problems = path, textmap, meta, problems
        self.origin = import_origin(NAME, path)
        self.spans: list[Span] = []
        self.relations: list[Relation] = []
        self.tb: dict[str, int] = {}  # T id -> span index
        self.triggers: dict[str, str] = {}  # E id -> its trigger's T id

    def warn(self, line: int, message: str) -> None:
        self.problems.append(warning(self.path, message, line))

    def read(self, content: str) -> dict[str, Any]:
        lines: list[list[Any]] = []  # [number, text]; a text-bound's text may continue on following lines
        for number, line in enumerate(content.split("\n"), 1):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            if is_annotation_line(line):
                lines.append([number, line])
            elif lines and lines[-1][1].startswith("T"):
                lines[-1][1] += "\n" + line
            else:
                self.warn(number, f"not a brat annotation line: {line[:60]!r}; ignored")
        for number, line in lines:
            if line.startswith("T"):
                self._textbound(number, line)
            elif line.startswith("E"):
                self._event_trigger(number, line)
        counts: dict[str, int] = {}
        for number, line in lines:
            kind = line[0]
            if kind == "T":
                continue
            if kind == "R":
                self._relation(number, line)
            elif kind == "E":
                self._event(number, line)
            elif kind == "#":
                self._note(number, line, counts)
            elif kind in "AM":
                self._keep(number, line, "attributes", counts, ("id", "name", "target", "value"))
            elif kind == "N":
                self._normalization(number, line, counts)
            elif kind == "*":
                parts = line.split("\t")
                body = parts[1].split() if len(parts) > 1 else []
                if len(body) < 3:
                    self.warn(number, f"malformed equivalence: {line[:60]!r}; ignored")
                    continue
                self.meta.setdefault("equivs", []).append(body)
                counts["equivalence(s)"] = counts.get("equivalence(s)", 0) + 1
            else:
                self.warn(number, f"{line.split(chr(9))[0]!r} annotations are not imported: {line[:60]!r}")
        if counts:
            kept = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.problems.append(warning(self.path, f"kept in the document's meta only (brat has them, Newsmark marks do not): {kept}"))
        if "events" in self.meta:
            n = len(self.meta["events"])
            self.problems.append(
                warning(self.path, f"{n} event(s) imported as their trigger marks and relations labelled '<EventType>:<Role>'; the events themselves are kept in meta")
            )
        return {"spans": self.spans, "relations": self.relations}

    def _textbound(self, number: int, line: str) -> None:
        first, _, more = line.partition("\n")  # a text-bound's text may go on over several lines
        match = match_textbound(first)
        if match is None:
            self.warn(number, f"malformed text-bound annotation: {first[:60]!r}; dropped")
            return
        tb = textbound_of(match)
        stated = tb.text + ("\n" + more if more else "")
        if tb.id in self.tb:
            self.warn(number, f"{tb.id} is defined twice; the second is dropped")
            return
        mapped = []
        for start, end in tb.fragments:
            span = self.textmap.span(start, end)
            if span is None:
                self.warn(number, f"{tb.id}: {self.textmap.why_not(start, end)}; dropped")
                return
            mapped.append(span)
        raw = self.textmap.raw
        actual = " ".join(raw[s:e] for s, e in tb.fragments)
        if stated and not same_text(stated, actual):
            self.warn(number, f"{tb.id}: the text at its offsets is {actual!r}, but the file says {stated!r}; dropped")
            return
        start, end = mapped[0][0], mapped[-1][1]
        if tb.discontinuous:
            self.warn(number, f"{tb.id} is discontinuous ({len(mapped)} fragments): imported as the span covering them; the fragments are kept in meta")
            self.meta.setdefault("fragments", {})[tb.id] = [list(f) for f in mapped]
        self.tb[tb.id] = len(self.spans)
        self.spans.append(imported_span(start, end, tb.type, self.origin))

    def _event_trigger(self, number: int, line: str) -> None:
        parts = line.split("\t")
        args = parts[1].split() if len(parts) > 1 else []
        if args and ":" in args[0]:
            self.triggers[parts[0]] = args[0].split(":", 1)[1]

    def _target(self, ref: str) -> int | None:
        return self.tb.get(self.triggers.get(ref, ref))

    def _add_relation(self, head: int, tail: int, label: str) -> None:
        self.relations.append(Relation(head=head, tail=tail, label=relation_label(label), origin=Origin.IMPORT, origin_detail=self.origin))

    def _relation(self, number: int, line: str) -> None:
        parts = line.split("\t")
        body = parts[1].split() if len(parts) > 1 else []
        if len(body) != 3 or not all(":" in arg for arg in body[1:]):
            self.warn(number, f"malformed relation: {line[:60]!r}; dropped")
            return
        ends = []
        for arg in body[1:]:
            ref = arg.split(":", 1)[1]
            index = self._target(ref)
            if index is None:
                self.warn(number, f"{parts[0]} refers to {ref}, which is not a mark of the document (or was dropped); dropped")
                return
            ends.append(index)
        self._add_relation(ends[0], ends[1], body[0])

    def _event(self, number: int, line: str) -> None:
        parts = line.split("\t")
        args = parts[1].split() if len(parts) > 1 else []
        if not args or not all(":" in arg for arg in args):
            self.warn(number, f"malformed event: {line[:60]!r}; ignored")
            return
        etype, trigger = args[0].split(":", 1)
        roles = [arg.split(":", 1) for arg in args[1:]]
        self.meta.setdefault("events", []).append({"id": parts[0], "type": etype, "trigger": trigger, "args": roles})
        head = self.tb.get(trigger)
        if head is None:
            self.warn(number, f"{parts[0]}'s trigger {trigger} is not a mark of the document; the event is kept in meta only")
            return
        for role, ref in roles:
            tail = self._target(ref)
            if tail is None:
                self.warn(number, f"{parts[0]} argument {role}:{ref} is not a mark of the document; that argument is kept in meta only")
                continue
            self._add_relation(head, tail, f"{etype}:{role.rstrip('0123456789') or role}")

    def _note(self, number: int, line: str, counts: dict[str, int]) -> None:
        parts = line.split("\t", 2)
        head = parts[1].split() if len(parts) > 1 else []
        if len(head) != 2:
            self.warn(number, f"malformed note: {line[:60]!r}; ignored")
            return
        text = parts[2] if len(parts) > 2 else ""
        index = self.tb.get(head[1])
        if index is not None and head[0] == "AnnotatorNotes":
            span = self.spans[index]
            span.note = f"{span.note}\n{text}" if span.note else text
            return
        self.meta.setdefault("notes", []).append({"id": parts[0], "type": head[0], "target": head[1], "text": text})
        counts["note(s)"] = counts.get("note(s)", 0) + 1

    def _keep(self, number: int, line: str, key: str, counts: dict[str, int], names: tuple[str, ...]) -> None:
        parts = line.split("\t")
        body = parts[1].split() if len(parts) > 1 else []
        if len(body) < 2:
            self.warn(number, f"malformed attribute: {line[:60]!r}; ignored")
            return
        self.meta.setdefault(key, []).append(dict(zip(names, [parts[0], *body])))
        counts["attribute(s)"] = counts.get("attribute(s)", 0) + 1

    def _normalization(self, number: int, line: str, counts: dict[str, int]) -> None:
        parts = line.split("\t", 2)
        body = parts[1].split() if len(parts) > 1 else []
        if len(body) != 3:
            self.warn(number, f"malformed normalisation: {line[:60]!r}; ignored")
            return
        entry = {"id": parts[0], "type": body[0], "target": body[1], "ref": body[2], "text": parts[2] if len(parts) > 2 else ""}
        self.meta.setdefault("normalizations", []).append(entry)
        counts["normalisation(s)"] = counts.get("normalisation(s)", 0) + 1


# ---------------------------------------------------------------------- writing

def file_stem(value: str) -> str:
    """A plain, portable file name from ``value`` (idempotent); ``""`` when nothing usable is left.

    See :func:`~newsmark.formats.interchange.safe_file_stem`: no separators, ``..``,
    control characters or Windows device names; at most 80 characters, 180 bytes.
    """
    return safe_file_stem(value)


def brat_type(label: str) -> str:
    """A label as a brat type: no whitespace (idempotent)."""
    return "_".join(str(label).split()) or "_"


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


class BratWriter:
    """Writes the ``.txt``/``.ann`` pairs into an :class:`AtomicDirectory` (see the module doc)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.folder = AtomicDirectory(path)
        self.problems: list[Problem] = []
        self.count = 0
        self.names: list[str] = []  # the file name (without .txt/.ann) of each document written, in order
        self._names: set[str] = {CONF.casefold()}
        self._entities: set[str] = set()
        self._relations: dict[str, tuple[set[str], set[str]]] = {}
        self._renamed: set[str] = set()
        self.rejected = RejectedCount("brat")

    def _name(self, doc: AnnotatedDocument) -> str:
        meta = doc.document.meta.get(NAME)
        stored = meta.get("file") if isinstance(meta, dict) and isinstance(meta.get("file"), str) else ""
        # The name the pair had when it was imported (a brat user gets their files back under their
        # own names), else the library id, else the title.
        base = file_stem(stored) or (str(doc.id) if doc.id is not None else "") or file_stem(doc.document.title) or "document"
        name, n = base, 1
        while name.casefold() in self._names:  # also unique where case does not count (Windows, macOS)
            n += 1
            name = f"{base}-{n}"
        self._names.add(name.casefold())
        self.names.append(name)
        return name

    def _type(self, label: str) -> str:
        safe = brat_type(label)
        if safe != label and label not in self._renamed:
            self._renamed.add(label)
            self.problems.append(warning(self.path, f"label {label!r} written as brat type {safe!r} (brat types cannot hold spaces)"))
        return safe

    def write(self, doc: AnnotatedDocument) -> None:
        doc = self.rejected.filter(doc)
        name = self._name(doc)
        text = doc.text
        lines: list[str] = []
        types: list[str] = []
        for i, span in enumerate(doc.spans, 1):
            kind = self._type(span.label)
            types.append(kind)
            self._entities.add(kind)
            lines.append(f"T{i}\t{kind} {span.start} {span.end}\t{_one_line(text[span.start : span.end])}\n")
        for j, rel in enumerate(doc.relations, 1):
            kind = self._type(str(rel.label))
            heads, tails = self._relations.setdefault(kind, (set(), set()))
            heads.add(types[rel.head])
            tails.add(types[rel.tail])
            lines.append(f"R{j}\t{kind} Arg1:T{rel.head + 1} Arg2:T{rel.tail + 1}\t\n")
        notes = 0
        for i, span in enumerate(doc.spans, 1):
            if span.note:
                notes += 1
                lines.append(f"#{notes}\tAnnotatorNotes T{i}\t{_one_line(span.note)}\n")
        self.folder.file(name + ".txt").write_text(text, encoding="utf-8", newline="")
        self.folder.file(name + ".ann").write_text("".join(lines), encoding="utf-8", newline="")
        self.count += 1

    def commit(self) -> None:
        try:
            conf = ["# brat configuration written by Newsmark: the types used in this export\n", "[entities]\n"]
            conf += [f"{kind}\n" for kind in sorted(self._entities)]
            conf.append("\n[relations]\n")
            for kind in sorted(self._relations):
                heads, tails = self._relations[kind]
                conf.append(f"{kind}\tArg1:{'|'.join(sorted(heads))}, Arg2:{'|'.join(sorted(tails))}\n")
            conf.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n")
            conf.append("\n[events]\n\n[attributes]\n")
            self.folder.file(CONF).write_text("".join(conf), encoding="utf-8", newline="")
            self.folder.commit()
            problem = self.rejected.problem(self.path)
            if problem is not None:
                self.problems.append(problem)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        self.folder.abort()

    def __enter__(self) -> BratWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def writer(path: Path) -> BratWriter:
    return BratWriter(path)


def sniff(path: Path) -> bool:
    """A folder holding ``.ann`` files, an ``.ann`` file, or a ``.txt`` with an ``.ann`` beside it."""
    path = Path(path)
    if path.is_dir():
        return any(child.suffix == ".ann" for child in path.iterdir())
    if path.suffix.lower() == ".ann":
        return True
    return path.suffix.lower() == ".txt" and path.with_suffix(".ann").exists()
