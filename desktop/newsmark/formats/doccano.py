"""doccano JSONL: sequence-labelling and relation-extraction exports, read and written.

Read, one JSON object per document, in any of doccano's export shapes:

- ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` (sequence labelling);
- ``{"text": ..., "entities": [{"id", "start_offset", "end_offset", "label"}, ...],
  "relations": [{"id", "from_id", "to_id", "type"}, ...]}`` (relation extraction);
- ``{"text": ..., "annotations": [{"label", "start_offset", "end_offset", "user"}, ...]}``
  (older exports, one entry per annotator: identical marks of several users become
  one span whose ``origin_detail`` names the users, who are also the document's
  ``annotators``);
- the text under ``"data"`` instead of ``"text"`` (doccano 1.x).

Objects may be one per line (JSON Lines), pretty-printed over several lines one
after another, or items of one JSON array; a problem names the line where its
object starts. Labels given as numbers (doccano's label ids, when the export was
made without the label names) are imported as their digits ("12") with one
warning per file. ``id`` and every key Newsmark has no field for (``meta``,
``Comments``, ``annotation_approver`` ...) are kept in ``meta["doccano"]``;
``title``/``source``/``url``/``author``/``published`` become the document's fields.
Offsets count the characters of the text as the file has it and are mapped
through Newsmark's normalisation (CRLF, NFC).

Written: the relation-extraction shape, one object per line:
``{"id", "text", "entities": [...], "relations": [...], <document fields>, <meta["doccano"] keys>}``,
entity ids = the span's index in the document, relation ids = the relation's index.
Every span is written whatever its kind (doccano has none), except rejected ones:
doccano has no negative examples, so they are left out (and counted in one
warning in :attr:`DoccanoWriter.problems`), with the relations touching them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsmark.formats._foreign import RejectedCount, TextMap, decode_error, json_values
from newsmark.formats.interchange import AtomicTextWriter, error, import_origin, imported_span, warning
from newsmark.model import AnnotatedDocument, NewDocument, Problem, Relation, Span, relation_label
from newsmark.text import DecodeError, decode_bytes, guess_title

NAME = "doccano"
TITLE = "doccano JSONL"
EXTENSIONS = (".jsonl", ".json")
DIRECTORY = False

DOCUMENT_FIELDS = ("title", "source", "url", "author", "published")
# keys the reader turns into text, marks or document fields (never copied into meta)
_CONSUMED = {"text", "entities", "relations", "label", "annotations", "id", *DOCUMENT_FIELDS}


def read(path: Path) -> Iterator[AnnotatedDocument | Problem]:
    path = Path(path)
    try:
        content, _ = decode_bytes(path.read_bytes(), str(path))
    except (DecodeError, OSError) as exc:
        yield error(path, decode_error(exc), getattr(exc, "line", None))
        return
    numeric_warned = False
    origin = import_origin(NAME, path)
    for item in json_values(content):
        where = f"item {item.index + 1}: " if item.in_array else ""
        if item.error is not None:
            yield error(path, where + item.error, item.line)
            continue
        problems: list[Problem] = []
        numeric: set[str] = set()
        doc = _document(item.value, path, item.line, where, origin, problems, numeric)
        if numeric and not numeric_warned:
            numeric_warned = True
            ids = ", ".join(sorted(numeric, key=lambda s: (len(s), s)))
            yield warning(
                path,
                "labels are doccano label ids (numbers), not names: they are imported as their digits "
                f"(here: {ids}); rename them in the label scheme if needed",
                item.line,
            )
        yield from problems
        if doc is not None:
            doc.line = item.line
            yield doc


def _document(
    obj: Any, path: Path, line: int, where: str, origin: str, problems: list[Problem], numeric: set[str]
) -> AnnotatedDocument | None:
    if not isinstance(obj, dict):
        problems.append(error(path, f"{where}expected a JSON object with a \"text\", found {type(obj).__name__}", line))
        return None
    text_key = "text" if "text" in obj else "data"
    raw = obj.get(text_key)
    if not isinstance(raw, str) or not raw.strip():
        what = "missing" if raw is None else ("empty" if isinstance(raw, str) else f"a {type(raw).__name__}")
        problems.append(error(path, f"{where}the document's \"text\" is {what}: nothing to import", line))
        return None
    textmap = TextMap(raw)
    meta: dict[str, Any] = {}
    fields: dict[str, str] = {}
    for key, value in obj.items():
        if key == text_key:
            continue
        if key in DOCUMENT_FIELDS and isinstance(value, str):
            fields[key] = value
        elif key == "id" or key not in _CONSUMED:
            meta[key] = value
        elif key == "label" and not _is_span_list(value):
            meta[key] = value  # a classification project's document labels
    spans: list[Span] = []
    ids: dict[Any, int] = {}
    relations: list[Relation] = []

    def label_of(value: Any, what: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, str) and not value.strip()):
            problems.append(warning(path, f"{where}{what} has no usable label ({value!r}); dropped", line))
            return None
        if isinstance(value, int):
            numeric.add(str(value))
        return str(value).strip()

    def add(start: Any, end: Any, label: str, what: str) -> int | None:
        mapped = textmap.span(start, end)
        if mapped is None:
            problems.append(warning(path, f"{where}{what}: {textmap.why_not(start, end)}; dropped", line))
            return None
        spans.append(imported_span(mapped[0], mapped[1], label, origin))
        return len(spans) - 1

    # the "label" list form
    if _is_span_list(obj.get("label")):
        for n, entry in enumerate(obj["label"], 1):
            if not isinstance(entry, list) or len(entry) < 3:
                problems.append(warning(path, f"{where}label {n} is not [start, end, label]: {entry!r}; dropped", line))
                continue
            label = label_of(entry[2], f"label {n}")
            if label is not None:
                add(entry[0], entry[1], label, f"label {n} {label!r}")
    # the entities (+ relations) form
    entities = obj.get("entities")
    if entities is not None and not isinstance(entities, list):
        problems.append(warning(path, f"{where}\"entities\" is not a list; ignored", line))
        entities = None
    for n, entity in enumerate(entities or [], 1):
        if not isinstance(entity, dict):
            problems.append(warning(path, f"{where}entity {n} is not an object; dropped", line))
            continue
        label = label_of(entity.get("label"), f"entity {n}")
        if label is None:
            continue
        index = add(entity.get("start_offset"), entity.get("end_offset"), label, f"entity {n} {label!r}")
        if index is not None and "id" in entity:
            key = _key(entity["id"])
            if key in ids:
                problems.append(warning(path, f"{where}entity id {entity['id']!r} is used twice; relations go to the first", line))
            else:
                ids[key] = index
    # the older per-user annotations form: identical marks of several users are one span
    annotations = obj.get("annotations")
    if annotations is not None and not isinstance(annotations, list):
        problems.append(warning(path, f"{where}\"annotations\" is not a list; ignored", line))
        annotations = None
    merged: dict[tuple[int, int, str], int] = {}
    users: dict[int, list[str]] = {}
    all_users: list[str] = []
    for n, entry in enumerate(annotations or [], 1):
        if not isinstance(entry, dict):
            problems.append(warning(path, f"{where}annotation {n} is not an object; dropped", line))
            continue
        label = label_of(entry.get("label"), f"annotation {n}")
        if label is None:
            continue
        mapped = textmap.span(entry.get("start_offset"), entry.get("end_offset"))
        user = entry.get("user")
        user_name = "" if user is None else str(user)
        if user_name and f"doccano user {user_name}" not in all_users:
            all_users.append(f"doccano user {user_name}")
        if mapped is not None and (mapped[0], mapped[1], label) in merged:
            index = merged[(mapped[0], mapped[1], label)]
        else:
            found = add(entry.get("start_offset"), entry.get("end_offset"), label, f"annotation {n} {label!r}")
            if found is None:
                continue
            index = found
            merged[(mapped[0], mapped[1], label)] = index  # type: ignore[index]
        if user_name and user_name not in users.setdefault(index, []):
            users[index].append(user_name)
    for index, names in users.items():
        spans[index].origin_detail = f"{origin} (user {', '.join(names)})"
    # relations
    rels = obj.get("relations")
    if rels is not None and not isinstance(rels, list):
        problems.append(warning(path, f"{where}\"relations\" is not a list; ignored", line))
        rels = None
    for n, rel in enumerate(rels or [], 1):
        if not isinstance(rel, dict):
            problems.append(warning(path, f"{where}relation {n} is not an object; dropped", line))
            continue
        head, tail = ids.get(_key(rel.get("from_id"))), ids.get(_key(rel.get("to_id")))
        kind = rel.get("type", rel.get("label"))
        if head is None or tail is None:
            missing = rel.get("from_id") if head is None else rel.get("to_id")
            problems.append(warning(path, f"{where}relation {n} refers to entity {missing!r}, which is not in the document (or was dropped); dropped", line))
            continue
        if isinstance(kind, bool) or not isinstance(kind, (str, int)) or not str(kind).strip():
            problems.append(warning(path, f"{where}relation {n} has no usable type ({kind!r}); dropped", line))
            continue
        relations.append(Relation(head=head, tail=tail, label=relation_label(str(kind)), origin=spans[head].origin, origin_detail=origin))
    if not fields.get("title", "").strip():  # doccano has no titles: the first line, as for an imported text file
        fields["title"] = guess_title(textmap.text)
    document = NewDocument(text=textmap.text, meta={NAME: meta} if meta else {}, origin=str(path), **fields)
    return AnnotatedDocument(document=document, spans=spans, relations=relations, annotators=all_users)


def _is_span_list(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(entry, list) for entry in value)


def _key(value: Any) -> Any:
    """Entity ids compare as text: ``1`` and ``"1"`` are the same entity."""
    return None if value is None else str(value)


class DoccanoWriter(AtomicTextWriter):
    """One relation-extraction object per line (see the module doc)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        self.problems: list[Problem] = []
        self.rejected = RejectedCount("doccano")

    def write(self, doc: AnnotatedDocument) -> None:
        self.out.write(json.dumps(to_object(self.rejected.filter(doc)), ensure_ascii=False) + "\n")
        self.count += 1

    def end(self) -> None:
        problem = self.rejected.problem(self.path)
        if problem is not None:
            self.problems.append(problem)


def to_object(doc: AnnotatedDocument) -> dict[str, Any]:
    """The doccano object of one document."""
    extra = doc.document.meta.get(NAME)
    extra = extra if isinstance(extra, dict) else {}
    obj: dict[str, Any] = {}
    ident = doc.id if doc.id is not None else extra.get("id")
    if ident is not None:
        obj["id"] = ident
    obj["text"] = doc.text
    obj["entities"] = [
        {"id": i, "label": span.label, "start_offset": span.start, "end_offset": span.end} for i, span in enumerate(doc.spans)
    ]
    obj["relations"] = [
        {"id": i, "from_id": rel.head, "to_id": rel.tail, "type": str(rel.label)} for i, rel in enumerate(doc.relations)
    ]
    for key in DOCUMENT_FIELDS:
        value = getattr(doc.document, key)
        if value and not (key == "title" and value == guess_title(doc.text)):  # a title the reader would guess is not written
            obj[key] = value
    for key, value in extra.items():
        if key not in obj and key not in _CONSUMED:
            obj[key] = value
    return obj


def writer(path: Path) -> DoccanoWriter:
    return DoccanoWriter(path)


_SNIFF = re.compile(r'"start_offset"|"label"\s*:\s*\[\s*\[\s*-?\d')


def sniff(path: Path) -> bool:
    """A ``.jsonl``/``.json`` file whose first kilobytes show doccano's offsets or label lists."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() not in EXTENSIONS:
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024).decode("utf-8", "replace")
    except OSError:
        return False
    head = head.lstrip("\ufeff \t\r\n")
    return head[:1] in ("{", "[") and _SNIFF.search(head) is not None and '"result"' not in head
