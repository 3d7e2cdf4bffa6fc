"""Prodigy JSONL: annotations made in Prodigy (``prodigy db-out``) read into Newsmark.

What is read (see ``docs/formats.md``):

- ``ner_manual`` / ``spans_manual`` examples: ``spans`` with ``start``/``end``/``label``
  (``token_start``/``token_end`` are optional; a span given only in tokens is
  placed through the example's ``tokens``);
- ``rel.manual`` examples: ``relations`` whose ends are ``head_span``/``child_span``
  objects or ``head``/``child`` token indexes (the index of a span's last token);
  a span that appears only in a relation is added to the document;
- binary examples (``ner.teach``, ``ner.correct`` …): ``answer: accept`` makes the
  spans accepted, ``reject`` makes them REJECTED (negative examples), ``ignore``
  skips the example with a warning.

Lines about the same text (Prodigy's ``_input_hash`` is a hash of it) are merged
into one document: spans and relations are unioned, duplicates dropped; when two
lines disagree about a span's answer the later line wins, with a warning. The
merged document appears when the file's last line about its text has been read,
so the reader reads the file twice (the first pass keeps only a digest per text)
instead of holding every document.

Each example's ``meta`` and its other top-level keys (``_input_hash``,
``_task_hash``, ``_view_id``, ``_session_id``, ``answer``, ``_timestamp`` …) are
kept in ``document.meta["prodigy"]``; ``meta.title``/``source``/``url``/``author``
/``published`` (or ``date``) are lifted onto the document. Every answered example
has been reviewed by someone, so documents come in with status ``done``.

Writing: Newsmark JSONL is already Prodigy-compatible, so the writer is
Newsmark's own (:func:`newsmark.formats.newsmark_jsonl.writer`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsmark.formats import newsmark_jsonl
from newsmark.formats._jsonlines import TextMap, document_text, file_tokens, is_int, json_type, records
from newsmark.formats.interchange import check_span, error, import_origin, imported_span, warning
from newsmark.formats.tokens import Token
from newsmark.model import (
    AnnotatedDocument,
    NewDocument,
    Origin,
    Problem,
    Relation,
    ReviewStatus,
    Span,
    SpanKind,
    SpanStatus,
    relation_label,
)
from newsmark.text import guess_title

NAME = "prodigy"
TITLE = "Prodigy JSONL"
EXTENSIONS: tuple[str, ...] = (".jsonl",)
DIRECTORY = False
NEGATIVE_EXAMPLES = True  # written by the Newsmark JSONL writer

writer = newsmark_jsonl.writer

_ANSWERS = {"accept": SpanStatus.ACCEPTED, "reject": SpanStatus.REJECTED}
_LIFTED = ("title", "source", "url", "author", "published")
_DATA_KEYS = ("text", "tokens", "spans", "relations", "meta")
# Span keys the reader uses, and keys that only style Prodigy's display.
_SPAN_KEYS = frozenset({"start", "end", "label", "text", "token_start", "token_end", "kind", "type", "color"})


def sniff(path: Path) -> bool:
    """Whether the first example of ``path`` carries Prodigy's keys (and is not Newsmark's own JSONL)."""
    for item in records(path):
        if isinstance(item, Problem):
            return False
        record = item[1]
        meta = record.get("meta")
        if isinstance(meta, dict) and str(meta.get("format", "")).startswith("newsmark/"):
            return False
        return "text" in record and any(key in record for key in ("_input_hash", "_task_hash", "_view_id", "answer"))
    return False


@dataclass
class _Group:
    """A document being built from the lines about one text."""

    lines: list[int] = field(default_factory=list)
    text: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    where: dict[tuple[int, int, str], int] = field(default_factory=dict)  # (start, end, label) -> index
    answered_on: dict[int, int] = field(default_factory=dict)  # span index -> line that set its status
    relations: list[Relation] = field(default_factory=list)
    relation_keys: set[tuple[int, int, str]] = field(default_factory=set)
    annotators: list[str] = field(default_factory=list)


def read(path: Path) -> Iterator[AnnotatedDocument | Problem]:
    """The documents of a Prodigy JSONL file (examples about the same text merged).

    Newsmark JSONL is Prodigy JSONL with more in it: a file that says it is
    (``meta.format``) is read by the Newsmark reader, so nothing it carries is lost.
    """
    path = Path(path)
    if newsmark_jsonl.sniff(path):
        yield from newsmark_jsonl.read(path)
        return
    # First pass: the last line about each text, so that a merged document can be handed on at once.
    last_line: dict[bytes, int] = {}
    hash_text: dict[object, bytes] = {}
    for item in records(path):
        if isinstance(item, Problem):
            continue
        number, record = item
        text = record.get("text")
        if isinstance(text, str):
            last_line[_digest(text)] = number

    origin = import_origin(NAME, path)
    groups: dict[bytes, _Group] = {}
    ignored_keys: Counter[str] = Counter()
    first_ignored: dict[str, int] = {}
    for item in records(path):
        if isinstance(item, Problem):
            yield item
            continue
        number, record = item
        problems: list[Problem] = []
        try:
            text = document_text(record)
        except ValueError as exc:
            yield error(path, str(exc), number)
            continue
        key = _digest(text)
        input_hash = record.get("_input_hash")
        if input_hash is not None and hash_text.setdefault(input_hash, key) != key:
            problems.append(warning(path, f"_input_hash {input_hash} was seen on another line with a different text; kept apart", number))
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(text=text)
        try:
            _add_example(group, record, number, path, origin, problems, ignored_keys, first_ignored)
        except ValueError as exc:
            problems.append(error(path, str(exc), number))
        yield from problems
        if last_line.get(key) == number:
            del groups[key]
            if group.lines:
                yield _document(group, path)
    if ignored_keys:
        listed = ", ".join(f'"{key}" ({count} span{"s" if count != 1 else ""})' for key, count in ignored_keys.most_common())
        first = min(first_ignored.values())
        yield warning(path, f"span fields that Newsmark does not keep were not imported: {listed}; first on line {first}", first)


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _add_example(
    group: _Group,
    record: dict[str, Any],
    number: int,
    path: Path,
    origin: str,
    problems: list[Problem],
    ignored_keys: Counter[str],
    first_ignored: dict[str, int],
) -> None:
    """Merge one example (line) into its document. Raises ``ValueError`` when the whole line is unusable."""

    def warn(message: str) -> None:
        problems.append(warning(path, message, number))

    answer = record.get("answer", "accept")
    if answer == "ignore":
        warn('the annotator answered "ignore"; the example was skipped')
        return
    if answer not in _ANSWERS:
        raise ValueError(f'"answer" must be "accept", "reject" or "ignore", got {answer!r}')
    status = _ANSWERS[answer]
    meta = record.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ValueError(f'"meta" must be an object, got {json_type(meta)}')
    for key in ("spans", "relations"):
        if record.get(key) is not None and not isinstance(record[key], list):
            raise ValueError(f'"{key}" must be a list, got {json_type(record[key])}')
    text_map = TextMap(group.text)
    if text_map.changed and not group.lines:
        warn("the text was normalised (line endings, Unicode NFC); offsets were re-mapped onto it")
    tokens = file_tokens(record.get("tokens"))

    # The spans of this example, as indexes into the merged document's spans.
    local: list[int | None] = []
    for position, item in enumerate(record.get("spans") or []):
        where = f"spans[{position}]"
        span = _span(item, tokens, text_map, status, origin, warn, where)
        local.append(None if span is None else _merge_span(group, span, number, warn, where))
        if isinstance(item, dict):
            for key in item.keys() - _SPAN_KEYS:
                ignored_keys[key] += 1
                first_ignored.setdefault(key, number)

    for position, item in enumerate(record.get("relations") or []):
        where = f"relations[{position}]"
        if not isinstance(item, dict):
            warn(f"{where}: a relation must be an object, got {json_type(item)}; dropped")
            continue
        ends: list[int] = []
        for end_name in ("head", "child"):
            found = _relation_end(group, item, end_name, tokens, text_map, status, origin, number, warn, where)
            if found is None:
                break
            ends.append(found)
        if len(ends) != 2:
            continue
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            warn(f"{where}: the label must be a non-empty string, got {label!r}; the relation was dropped")
            continue
        key = (ends[0], ends[1], label.strip())
        if key in group.relation_keys:
            continue
        group.relation_keys.add(key)
        group.relations.append(Relation(head=ends[0], tail=ends[1], label=relation_label(label), origin=Origin.IMPORT, origin_detail=origin))

    # Document fields and everything else the example says.
    for name in _LIFTED:
        value = meta.get(name, meta.get("date") if name == "published" else None)
        if isinstance(value, str) and value.strip() and name not in group.fields:
            group.fields[name] = value.strip()
    example = {key: value for key, value in record.items() if key not in _DATA_KEYS}
    if meta:
        example["meta"] = meta
    group.examples.append(example)
    annotator = record.get("_annotator_id")
    if isinstance(annotator, str) and annotator and annotator not in group.annotators:
        group.annotators.append(annotator)
    group.lines.append(number)


def _span(
    item: object, tokens: list[Token] | None, text_map: TextMap, status: SpanStatus, origin: str, warn: Any, where: str
) -> Span | None:
    if not isinstance(item, dict):
        warn(f"{where}: a span must be an object, got {json_type(item)}; dropped")
        return None
    start, end = item.get("start"), item.get("end")
    if start is None and end is None:
        placed = _from_tokens(tokens, item.get("token_start"), item.get("token_end"))
        if placed is None:
            warn(f"{where}: no start/end offsets, and token_start/token_end do not name tokens of the example; dropped")
            return None
        start, end = placed
    why = check_span(text_map.raw, start, end, item.get("text"))
    if why is not None:
        warn(f"{where}: {why}; the span was dropped")
        return None
    mapped = text_map.span(start, end)  # type: ignore[arg-type]
    if mapped is None:
        warn(f"{where}: offsets [{start}, {end}) fall inside a character or line ending that normalising the text changes; dropped")
        return None
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        warn(f"{where}: the label must be a non-empty string, got {label!r}; the span was dropped")
        return None
    kind = SpanKind.ENTITY
    if isinstance(item.get("kind"), str) and item["kind"] in {k.value for k in SpanKind}:
        kind = SpanKind(item["kind"])
    return imported_span(mapped[0], mapped[1], label.strip(), origin, status=status, kind=kind)


def _from_tokens(tokens: list[Token] | None, first: object, last: object) -> tuple[int, int] | None:
    if tokens is None or not is_int(first) or not is_int(last):
        return None
    if not 0 <= first <= last < len(tokens):  # type: ignore[operator]
        return None
    return tokens[first].start, tokens[last].end  # type: ignore[index]


def _merge_span(group: _Group, span: Span, number: int, warn: Any, where: str) -> int:
    """Index of ``span`` in the merged document: an equal span already there, or the span appended."""
    key = (span.start, span.end, span.label)
    index = group.where.get(key)
    if index is None:
        group.where[key] = len(group.spans)
        group.answered_on[len(group.spans)] = number
        group.spans.append(span)
        return len(group.spans) - 1
    known = group.spans[index]
    if known.status != span.status:
        warn(
            f"{where}: [{span.start}, {span.end}) {span.label} was answered {_answer(known.status)} on line "
            f"{group.answered_on[index]} and {_answer(span.status)} here; the later answer was kept"
        )
        known.status = span.status
        group.answered_on[index] = number
    return index


def _answer(status: SpanStatus) -> str:
    return '"reject"' if status == SpanStatus.REJECTED else '"accept"'


def _relation_end(
    group: _Group,
    item: dict[str, Any],
    end_name: str,
    tokens: list[Token] | None,
    text_map: TextMap,
    status: SpanStatus,
    origin: str,
    number: int,
    warn: Any,
    where: str,
) -> int | None:
    ref = item.get(f"{end_name}_span")
    if isinstance(ref, dict):
        if ref.get("label") is None and is_int(ref.get("start")) and is_int(ref.get("end")):
            # No label: the relation can only name a span the example already has.
            place = text_map.span(ref["start"], ref["end"]) if 0 <= ref["start"] < ref["end"] <= len(text_map.raw) else None
            found = [i for i, span in enumerate(group.spans) if place is not None and (span.start, span.end) == place]
            if found:
                return found[0]
        span = _span(ref, tokens, text_map, status, origin, warn, f"{where}.{end_name}_span")
        if span is None:
            warn(f"{where}: the relation was dropped with its {end_name} span")
            return None
        key = (span.start, span.end, span.label)
        if key in group.where:
            return group.where[key]
        return _merge_span(group, span, number, warn, f"{where}.{end_name}_span")
    index = item.get(end_name)
    if is_int(index) and tokens is not None and 0 <= index < len(tokens):
        end = text_map.offset(tokens[index].end)
        candidates = [i for i, span in enumerate(group.spans) if span.end == end]
        if len(candidates) == 1:
            return candidates[0]
        reason = "no span ends" if not candidates else f"{len(candidates)} spans end"
        warn(f"{where}: {end_name} is token {index}, where {reason}; the relation was dropped")
        return None
    warn(f"{where}: neither {end_name}_span nor a {end_name} token index of the example; the relation was dropped")
    return None


def _document(group: _Group, path: Path) -> AnnotatedDocument:
    text = TextMap(group.text).text
    if len(group.examples) == 1:
        prodigy: dict[str, Any] = dict(group.examples[0])
        prodigy["line"] = group.lines[0]
    else:
        prodigy = _merged_examples(group.examples)
        prodigy["lines"] = group.lines
    fields = group.fields
    document = NewDocument(
        text=text,
        title=fields.get("title") or guess_title(text),
        source=fields.get("source"),
        url=fields.get("url"),
        author=fields.get("author"),
        published=fields.get("published"),
        meta={"prodigy": prodigy},
        origin=str(path),
    )
    return AnnotatedDocument(
        document=document,
        spans=group.spans,
        relations=group.relations,
        status=ReviewStatus.DONE,
        annotators=group.annotators,
        line=group.lines[0],
    )


def _merged_examples(examples: list[dict[str, Any]]) -> dict[str, Any]:
    """One dict for several examples: a key whose value is the same on every line once, else the list of values."""
    merged: dict[str, Any] = {}
    keys: list[str] = []
    for example in examples:
        keys.extend(key for key in example if key not in keys)
    for key in keys:
        values = [example.get(key) for example in examples]
        merged[key] = values[0] if all(value == values[0] for value in values) else values
    return merged
