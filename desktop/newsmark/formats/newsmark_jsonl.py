"""Newsmark JSONL: the default export, one document per line, Prodigy-compatible.

The format (``meta.format == "newsmark/1"``) is documented field by field in
``docs/formats.md`` and described by ``resources/schemas/newsmark-export.schema.json``.
In short::

    {"text": ..., "meta": {"format": "newsmark/1", "id", "title", "source", "url", "author",
                           "published", "status", "tags", "annotators", "annotated_by", "extra"},
     "tokens": [{"text", "start", "end", "id", "ws"}],
     "spans": [accepted marks], "rejected_spans": [...], "suggested_spans": [...],
     "relations": [{"head", "child", "head_span", "child_span", "label",
                    "head_id", "child_id", "origin", "origin_detail"}],
     "answer": "accept"}

A span's ``id`` is local to its line (its index in the document's list of
spans); ``speaker``, ``cue`` and ``edited_from`` refer to those ids. The
reader puts the spans of the three lists back in id order, so
``write(read(write(docs)))`` is byte-identical to ``write(docs)``.

The relations are the truth about speakers and cues. A span's ``speaker`` /
``cue`` field is a convenience for readers that do not follow relations
(it names the tail of the span's first ``speaker`` / ``cue`` relation); when it
disagrees with the relations the reader keeps the relations and warns.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsmark.formats._jsonlines import TextMap, document_text, escape_line_breaks, is_int, json_type, records
from newsmark.formats.interchange import AtomicTextWriter, check_span, error, import_origin, warning
from newsmark.formats.tokens import Token, tokenize
from newsmark.model import (
    AnnotatedDocument,
    ClaimType,
    NewDocument,
    Origin,
    Problem,
    Relation,
    RelationLabel,
    ReviewStatus,
    Span,
    SpanKind,
    SpanStatus,
    relation_label,
)

NAME = "newsmark"
TITLE = "Newsmark JSONL (Prodigy-compatible)"
EXTENSIONS: tuple[str, ...] = (".jsonl",)
DIRECTORY = False
NEGATIVE_EXAMPLES = True  # rejected marks have a list of their own

FORMAT = "newsmark/1"
FORMAT_VERSION = 1

# Which list of a line holds the spans of each status, in the order they are written.
SPAN_LISTS: tuple[tuple[str, SpanStatus], ...] = (
    ("spans", SpanStatus.ACCEPTED),
    ("rejected_spans", SpanStatus.REJECTED),
    ("suggested_spans", SpanStatus.SUGGESTED),
)
_META_FIELDS = ("format", "id", "title", "source", "url", "author", "published", "status", "tags", "annotators", "annotated_by", "extra")
_TOP_FIELDS = ("text", "meta", "tokens", "relations", "answer") + tuple(name for name, _ in SPAN_LISTS)
# Where a reader keeps keys of a line that this format does not define (e.g. Prodigy's _input_hash).
OTHER_KEYS = "jsonl"


# --- writing ----------------------------------------------------------------------------------------


def _value(cls: type[Any], value: Any) -> str:
    """The stored value of an enum member or of its value (``SpanKind.CLAIM`` or ``"claim"`` → ``"claim"``)."""
    known = _VALUES[cls].get(value)  # a dict lookup: calling the Enum costs a microsecond, a million marks a second
    return known if known is not None else cls(value).value


_VALUES: dict[type[Any], dict[Any, str]] = {
    cls: {key: member.value for member in cls for key in (member, member.value)} for cls in (SpanKind, SpanStatus, Origin, ClaimType)
}


def _record(doc: AnnotatedDocument) -> tuple[dict[str, Any], list[Token]]:
    """The JSON object of one document without its ``tokens``, and the tokens."""
    text = doc.text
    spans = doc.spans
    tokens = tokenize(text, [s.start for s in spans] + [s.end for s in spans])
    token_range = _TokenRanges(tokens)
    ranges = [token_range(s.start, s.end) for s in spans]

    speaker: dict[int, int] = {}
    cue: dict[int, int] = {}
    for rel in doc.relations:
        _check_index(rel.head, len(spans), "relation head")
        _check_index(rel.tail, len(spans), "relation tail")
        if rel.label == RelationLabel.SPEAKER:
            speaker.setdefault(rel.head, rel.tail)
        elif rel.label == RelationLabel.CUE:
            cue.setdefault(rel.head, rel.tail)

    lists: dict[str, list[dict[str, Any]]] = {status.value: [] for _, status in SPAN_LISTS}
    for i, span in enumerate(spans):
        item: dict[str, Any] = {"id": i, "start": span.start, "end": span.end, "text": text[span.start : span.end], "label": span.label}
        if ranges[i] is not None:
            item["token_start"], item["token_end"] = ranges[i]
        item["kind"] = _value(SpanKind, span.kind)
        item["origin"] = _value(Origin, span.origin)
        item["origin_detail"] = span.origin_detail
        if span.claim_type is not None:
            item["claim_type"] = _value(ClaimType, span.claim_type)
        if span.score is not None and math.isfinite(span.score):
            item["score"] = float(span.score)
        if i in speaker:
            item["speaker"] = speaker[i]
        if i in cue:
            item["cue"] = cue[i]
        if span.tags:
            item["tags"] = list(span.tags)
        if span.note:
            item["note"] = span.note
        if span.edited_from is not None:
            _check_index(span.edited_from, len(spans), "edited_from")
            item["edited_from"] = span.edited_from
        lists[_value(SpanStatus, span.status)].append(item)

    relations = []
    for rel in doc.relations:
        head, tail = spans[rel.head], spans[rel.tail]
        item = {}
        if ranges[rel.head] is not None and ranges[rel.tail] is not None:
            item["head"] = ranges[rel.head][1]  # type: ignore[index]
            item["child"] = ranges[rel.tail][1]  # type: ignore[index]
        item["head_span"] = _span_ref(head, ranges[rel.head])
        item["child_span"] = _span_ref(tail, ranges[rel.tail])
        item["label"] = str(rel.label)
        item["head_id"] = rel.head
        item["child_id"] = rel.tail
        item["origin"] = _value(Origin, rel.origin)
        item["origin_detail"] = rel.origin_detail
        relations.append(item)

    d = doc.document
    record: dict[str, Any] = {
        "text": text,
        "meta": {
            "format": FORMAT,
            "id": doc.id,
            "title": d.title,
            "source": d.source,
            "url": d.url,
            "author": d.author,
            "published": d.published,
            "status": ReviewStatus(doc.status).value,
            "tags": list(doc.tags),
            "annotators": list(doc.annotators),
            "annotated_by": doc.annotated_by,
            "extra": d.meta,
        },
        "spans": lists[SpanStatus.ACCEPTED.value],
    }
    if lists[SpanStatus.REJECTED.value]:
        record["rejected_spans"] = lists[SpanStatus.REJECTED.value]
    if lists[SpanStatus.SUGGESTED.value]:
        record["suggested_spans"] = lists[SpanStatus.SUGGESTED.value]
    record["relations"] = relations
    record["answer"] = "accept"
    return record, tokens


def to_record(doc: AnnotatedDocument) -> dict[str, Any]:
    """The JSON object of one document (see the module docstring)."""
    record, tokens = _record(doc)
    text = record.pop("text")
    meta = record.pop("meta")
    return {
        "text": text,
        "meta": meta,
        "tokens": [{"text": text[start:end], "start": start, "end": end, "id": i, "ws": ws} for i, (start, end, ws) in enumerate(tokens)],
        **record,
    }


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_STRING = json.encoder.encode_basestring  # how that encoder writes a string (ensure_ascii=False)


def dumps(doc: AnnotatedDocument) -> str:
    """One document as its line of Newsmark JSONL (without the newline): ``dumps_line(to_record(doc))``.

    The tokens, three quarters of a line, are written straight from their
    tuples (no dict per token for the JSON encoder to walk): exports run about a
    third faster. A test holds the two to the same bytes.
    """
    record, tokens = _record(doc)
    text = record.pop("text")
    meta = record.pop("meta")
    tokens_json = ",".join(
        [f'{{"text":{_STRING(text[start:end])},"start":{start},"end":{end},"id":{i},"ws":{"true" if ws else "false"}}}' for i, (start, end, ws) in enumerate(tokens)]
    )
    line = f'{{"text":{_STRING(text)},"meta":{_ENCODE(meta)},"tokens":[{tokens_json}],{_ENCODE(record)[1:]}'
    return escape_line_breaks(line)


class NewsmarkWriter(AtomicTextWriter):
    """Writes Newsmark JSONL, one line per document; the file appears on :meth:`commit`."""

    def write(self, doc: AnnotatedDocument) -> None:
        self.out.write(dumps(doc))
        self.out.write("\n")
        self.count += 1


def writer(path: Path) -> NewsmarkWriter:
    return NewsmarkWriter(path)


class _TokenRanges:
    """Inclusive token range of a character span: the tokens it covers (exact when the span is token-aligned)."""

    def __init__(self, tokens: list[Token]) -> None:
        self._starts = [t.start for t in tokens]
        self._ends = [t.end for t in tokens]

    def __call__(self, start: int, end: int) -> tuple[int, int] | None:
        first = bisect_left(self._starts, start)
        last = bisect_right(self._ends, end) - 1
        return (first, last) if first <= last else None


def _span_ref(span: Span, tokens: tuple[int, int] | None) -> dict[str, Any]:
    ref: dict[str, Any] = {"start": span.start, "end": span.end}
    if tokens is not None:
        ref["token_start"], ref["token_end"] = tokens
    ref["label"] = span.label
    return ref


def _check_index(index: int, size: int, what: str) -> None:
    if not 0 <= index < size:
        raise ValueError(f"{what} {index} is not an index into the document's {size} spans")


# --- reading ----------------------------------------------------------------------------------------


def sniff(path: Path) -> bool:
    """Whether the first document of ``path`` says it is Newsmark JSONL (``meta.format``)."""
    for item in records(path):
        if isinstance(item, Problem):
            return False
        meta = item[1].get("meta")
        return isinstance(meta, dict) and isinstance(meta.get("format"), str) and meta["format"].startswith("newsmark/")
    return False


def read(path: Path) -> Iterator[AnnotatedDocument | Problem]:
    """The documents of a Newsmark JSONL file; bad lines become located errors, bad marks warnings."""
    path = Path(path)
    for item in records(path):
        if isinstance(item, Problem):
            yield item
            continue
        number, record = item
        problems: list[Problem] = []
        try:
            doc = from_record(record, path, number, problems)
        except ValueError as exc:
            yield from problems
            yield error(path, str(exc), number)
            continue
        yield from problems
        doc.line = number
        yield doc


class _Line:
    """Reading one line: where it is, the text map, and the warnings so far."""

    def __init__(self, path: Path, number: int, problems: list[Problem]) -> None:
        self.path = path
        self.number = number
        self.problems = problems
        self.origin = import_origin(NAME, path)

    def warn(self, message: str) -> None:
        self.problems.append(warning(self.path, message, self.number))


def from_record(record: dict[str, Any], path: Path, number: int, problems: list[Problem]) -> AnnotatedDocument:
    """The document of one parsed line. Raises ``ValueError`` when the line as a whole is unusable;
    appends a warning to ``problems`` for each mark or field that is dropped or guessed."""
    line = _Line(path, number, problems)
    text_map = TextMap(document_text(record))
    if text_map.changed:
        line.warn("the text was normalised (line endings, Unicode NFC); offsets were re-mapped onto it")
    meta = record.get("meta", {})
    if not isinstance(meta, dict):
        raise ValueError(f'"meta" must be an object, got {json_type(meta)}')
    fmt = meta.get("format", FORMAT)
    if not isinstance(fmt, str) or not fmt.startswith("newsmark/"):
        raise ValueError(f'"meta.format" must be "{FORMAT}", got {fmt!r}')
    version = fmt.removeprefix("newsmark/")
    if not version.isdigit() or int(version) > FORMAT_VERSION:
        raise ValueError(f'written in format "{fmt}", which this version of Newsmark cannot read (it reads "{FORMAT}")')
    for key in ("relations", *(name for name, _ in SPAN_LISTS)):
        if key in record and not isinstance(record[key], list):
            raise ValueError(f'"{key}" must be a list, got {json_type(record[key])}')

    document = _document(meta, text_map.text, line)
    others = {key: value for key, value in record.items() if key not in _TOP_FIELDS}
    if others:
        document.meta.setdefault(OTHER_KEYS, {}).update(others)
    document.origin = str(path)

    # Spans of the three lists, put back in id order (ids are indexes when Newsmark wrote the file).
    parsed: list[tuple[int | None, int, Span, dict[str, Any]]] = []
    seen_ids: set[int] = set()
    order = 0
    for key, status in SPAN_LISTS:
        for position, item in enumerate(record.get(key, [])):
            where = f"{key}[{position}]"
            result = _span(item, status, text_map, line, where)
            if result is None:
                continue
            span, local_id = result
            if local_id is not None and local_id in seen_ids:
                line.warn(f"{where}: span id {local_id} is used twice in the line; this span was dropped")
                continue
            if local_id is not None:
                seen_ids.add(local_id)
            parsed.append((local_id, order, span, item))
            order += 1
    # Spans with an id first, by id; spans without one after them, in file order.
    parsed.sort(key=lambda entry: (entry[0] is None, entry[0] if entry[0] is not None else 0, entry[1]))
    spans = [entry[2] for entry in parsed]
    index_of: dict[int, int] = {local_id: i for i, (local_id, _, _, _) in enumerate(parsed) if local_id is not None}
    dropped = _dropped_ids(record, seen_ids)

    for i, (local_id, _, span, item) in enumerate(parsed):
        if "edited_from" in item and item["edited_from"] is not None:
            target = item["edited_from"]
            if is_int(target) and target in index_of:
                span.edited_from = index_of[target]
            else:
                line.warn(f"span {_name(local_id, i)}: edited_from {target!r} names no span of the line; the link was dropped")

    relations = []
    for position, item in enumerate(record.get("relations", [])):
        rel = _relation(item, spans, index_of, dropped, line, f"relations[{position}]")
        if rel is not None:
            relations.append(rel)

    _check_conveniences(parsed, relations, index_of, line)

    status = _enum(ReviewStatus, meta.get("status", "new"), ReviewStatus.NEW, line, "meta.status")
    return AnnotatedDocument(
        document=document,
        spans=spans,
        relations=relations,
        status=status,  # type: ignore[arg-type]
        tags=_strings(meta.get("tags", []), line, "meta.tags"),
        id=meta.get("id") if is_int(meta.get("id")) else _bad_id(meta.get("id"), line),
        annotators=_strings(meta.get("annotators", []), line, "meta.annotators"),
        annotated_by=_optional_string(meta.get("annotated_by"), line, "meta.annotated_by"),
        kinds_known=True,
    )


def _document(meta: dict[str, Any], text: str, line: _Line) -> NewDocument:
    extra = meta.get("extra", {})
    if not isinstance(extra, dict):
        line.warn(f'"meta.extra" must be an object, got {json_type(extra)}; it is kept as meta.extra.extra')
        extra = {"extra": extra}
    extra = dict(extra)
    # Keys a person or another tool added to "meta" are kept with the document's own meta.
    for key, value in meta.items():
        if key in _META_FIELDS:
            continue
        if key in extra:
            line.warn(f'"meta.{key}" is also in "meta.extra"; the value in "meta.extra" was kept')
            continue
        extra[key] = value
    title = meta.get("title", "")
    if not isinstance(title, str):
        line.warn(f'"meta.title" must be a string, got {json_type(title)}; the title was left empty')
        title = ""
    return NewDocument(
        text=text,
        title=title,
        source=_optional_string(meta.get("source"), line, "meta.source"),
        url=_optional_string(meta.get("url"), line, "meta.url"),
        author=_optional_string(meta.get("author"), line, "meta.author"),
        published=_optional_string(meta.get("published"), line, "meta.published"),
        meta=extra,
    )


def _span(item: object, status: SpanStatus, text_map: TextMap, line: _Line, where: str) -> tuple[Span, int | None] | None:
    if not isinstance(item, dict):
        line.warn(f"{where}: a span must be an object, got {json_type(item)}; dropped")
        return None
    local_id = item.get("id")
    if local_id is not None and not is_int(local_id):
        line.warn(f"{where}: span id must be a whole number, got {local_id!r}; dropped")
        return None
    name = where if local_id is None else f"{where} (id {local_id})"
    start, end = item.get("start"), item.get("end")
    why = check_span(text_map.raw, start, end, item.get("text"))
    if why is not None:
        line.warn(f"{name}: {why}; the span was dropped")
        return None
    mapped = text_map.span(start, end)  # type: ignore[arg-type]
    if mapped is None:
        line.warn(f"{name}: offsets [{start}, {end}) fall inside a character or line ending that normalising the text changes; dropped")
        return None
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        line.warn(f"{name}: the label must be a non-empty string, got {label!r}; the span was dropped")
        return None
    kind = _enum(SpanKind, item.get("kind", "entity"), SpanKind.ENTITY, line, f"{name}: kind")
    origin = _enum(Origin, item.get("origin", Origin.IMPORT.value), Origin.IMPORT, line, f"{name}: origin")
    detail = item.get("origin_detail")
    if "origin" not in item and detail is None:
        detail = line.origin
    if not isinstance(detail, str):
        if detail is not None:
            line.warn(f"{name}: origin_detail must be a string, got {json_type(detail)}; left empty")
        detail = ""
    claim_type = item.get("claim_type")
    if claim_type is not None:
        claim_type = _enum(ClaimType, claim_type, None, line, f"{name}: claim_type")
    score = item.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        line.warn(f"{name}: score must be a number, got {json_type(score)}; left out")
        score = None
    note = item.get("note", "")
    if not isinstance(note, str):
        line.warn(f"{name}: note must be a string, got {json_type(note)}; left out")
        note = ""
    span = Span(
        start=mapped[0],
        end=mapped[1],
        label=label,
        kind=kind,  # type: ignore[arg-type]
        status=status,
        origin=origin,  # type: ignore[arg-type]
        origin_detail=detail,
        claim_type=claim_type,  # type: ignore[arg-type]
        score=None if score is None else float(score),
        note=note,
        tags=_strings(item.get("tags", []), line, f"{name}: tags"),
    )
    return span, local_id


def _dropped_ids(record: dict[str, Any], kept: set[int]) -> set[int]:
    """Ids that appear on span objects of the line but whose span was not kept."""
    ids = set()
    for key, _ in SPAN_LISTS:
        for item in record.get(key, []):
            if isinstance(item, dict) and is_int(item.get("id")):
                ids.add(item["id"])
    return ids - kept


def _relation(
    item: object, spans: list[Span], index_of: dict[int, int], dropped: set[int], line: _Line, where: str
) -> Relation | None:
    if not isinstance(item, dict):
        line.warn(f"{where}: a relation must be an object, got {json_type(item)}; dropped")
        return None
    ends = []
    for end_name, id_key, span_key in (("head", "head_id", "head_span"), ("child", "child_id", "child_span")):
        local_id = item.get(id_key)
        if local_id is not None:
            if is_int(local_id) and local_id in index_of:
                ends.append(index_of[local_id])
                continue
            why = "whose span was dropped" if is_int(local_id) and local_id in dropped else "that no span of the line has"
            line.warn(f"{where}: {id_key} is {local_id!r}, an id {why}; the relation was dropped")
            return None
        found = find_span(spans, item.get(span_key))
        if found is None:
            line.warn(f"{where}: no {id_key} and no span of the line matches its {span_key}; the relation was dropped")
            return None
        ends.append(found)
    raw_label = item.get("label")
    if not isinstance(raw_label, str) or not raw_label.strip():
        line.warn(f"{where}: the label must be a non-empty string, got {raw_label!r}; the relation was dropped")
        return None
    origin = _enum(Origin, item.get("origin", Origin.IMPORT.value), Origin.IMPORT, line, f"{where}: origin")
    detail = item.get("origin_detail")
    if "origin" not in item and detail is None:
        detail = line.origin
    if not isinstance(detail, str):
        detail = ""
    return Relation(head=ends[0], tail=ends[1], label=relation_label(raw_label), origin=origin, origin_detail=detail)  # type: ignore[arg-type]


def find_span(spans: list[Span], ref: object) -> int | None:
    """Index of the span a ``head_span``/``child_span`` object describes (start, end and, if given, label)."""
    if not isinstance(ref, dict):
        return None
    start, end, label = ref.get("start"), ref.get("end"), ref.get("label")
    for i, span in enumerate(spans):
        if span.start == start and span.end == end and (label is None or span.label == label):
            return i
    return None


def _check_conveniences(
    parsed: list[tuple[int | None, int, Span, dict[str, Any]]], relations: list[Relation], index_of: dict[int, int], line: _Line
) -> None:
    """Warn where a span's ``speaker``/``cue`` field disagrees with the relations (which are kept)."""
    first: dict[tuple[int, str], int] = {}
    for rel in relations:
        if rel.label in (RelationLabel.SPEAKER, RelationLabel.CUE):
            first.setdefault((rel.head, str(rel.label)), rel.tail)
    for i, (local_id, _, _, item) in enumerate(parsed):
        for field in ("speaker", "cue"):
            if field not in item:
                continue
            said = item[field]
            truth = first.get((i, field))
            if said is None and truth is None:
                continue
            if is_int(said) and said in index_of and index_of[said] == truth:
                continue
            related = "no" if truth is None else f"span {parsed[truth][0] if parsed[truth][0] is not None else truth} as"
            line.warn(
                f"span {_name(local_id, i)}: its {field} field says {said!r} but the relations give it {related} {field}; "
                "the relations were kept"
            )


def _name(local_id: int | None, index: int) -> str:
    return str(local_id) if local_id is not None else f"#{index}"


def _enum(kind: type, value: object, default: object, line: _Line, where: str) -> object:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind.parse(value)  # type: ignore[attr-defined]
    except ValueError:
        shown = "none" if default is None else f'"{default}"'
        line.warn(f"{where}: {value!r} is not one of {', '.join(m.value for m in kind)}; {shown} was used")  # type: ignore[attr-defined]
        return default


def _strings(value: object, line: _Line, where: str) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    line.warn(f"{where} must be a list of strings, got {json_type(value)}; left empty")
    return []


def _optional_string(value: object, line: _Line, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    line.warn(f"{where} must be a string or null, got {json_type(value)}; left empty")
    return None


def _bad_id(value: object, line: _Line) -> None:
    if value is not None:
        line.warn(f"meta.id must be a whole number or null, got {value!r}; left out")
    return None
