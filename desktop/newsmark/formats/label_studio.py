"""Label Studio JSON: exported text-labelling tasks, read and written.

Read: a JSON array of tasks (also a single task object, or tasks one per line),
each ``{"id", "data": {"text": ...}, "annotations": [{"result": [...]}],
"predictions": [{"model_version", "score", "result": [...]}]}``.

- The text is ``data["text"]``; when the task's text field has another name, the
  one string field of ``data`` is taken (several string fields and none called
  ``text``: the task is an error naming them). ``title``/``source``/``url``/
  ``author``/``published`` fields of ``data`` become the document's fields.
- Result items of type ``labels`` (``value.start``/``end``/``text``/``labels``) are
  spans, one per label. Items of ``annotations`` are ACCEPTED (``origin=import``);
  items of ``predictions`` are SUGGESTED with ``origin=model`` and
  ``origin_detail`` = the prediction's ``model_version`` followed by the tool and
  file (``"ner-v2 (label-studio: tasks.json)"``; ``"label-studio: tasks.json"``
  when the prediction names no model), and the item's (or else the prediction's)
  ``score``.
- Several annotations of one task (several annotators) are all taken; a mark that
  more than one of them made is one span whose ``origin_detail`` names them
  (``"label-studio: tasks.json (annotators 3, ann@example.org)"``, from
  ``completed_by``); they are also the document's ``annotators``. Annotations with
  ``was_cancelled`` are skipped with a warning.
- Items of type ``relation`` (``from_id``/``to_id``/``labels``/``direction``) are
  relations, one per label (``"relation"`` when it has none); ``direction: left``
  swaps head and tail; ``bi`` is kept as from → to with a warning.
- Offsets are code points. Older Label Studio versions counted UTF-16 units (an
  emoji is two); when ``value.text`` does not match the code-point offsets but
  matches UTF-16 ones, they are converted (with a warning). Offsets are then
  mapped through Newsmark's normalisation (CRLF, NFC).
- Other result types (``choices``, ``textarea`` …) are kept in
  ``meta["label-studio"]["results"]``; the task's other keys (``id``, ``meta``,
  ``created_at`` …) in ``meta["label-studio"]["task"]``; other ``data`` fields in
  ``meta["label-studio"]["data"]``.

Written: a JSON array streamed one task per line. Accepted spans go into one
annotation; suggested spans into one prediction per model (``model_version`` =
the ``origin_detail`` without the ``" (label-studio: <file>)"`` an import added,
see :func:`model_version`), with their ``score``. Rejected spans (negative examples)
have no place in Label Studio's task format: they are left out, with one warning
in :attr:`LabelStudioWriter.problems` counting them (relations touching them too).
Result ids are ``"s<n>"``, ``n`` the span's position in the task's output, so the
same marks always give the same file. A relation goes into the result list of its
head span.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsmark.formats._foreign import RejectedCount, TextMap, decode_error, json_values, same_text, utf16_to_code_points
from newsmark.formats.interchange import AtomicTextWriter, error, import_origin, warning
from newsmark.model import (
    AnnotatedDocument,
    NewDocument,
    Origin,
    Problem,
    Relation,
    Span,
    SpanStatus,
    relation_label,
)
from newsmark.text import DecodeError, decode_bytes, guess_title

NAME = "label-studio"
TITLE = "Label Studio JSON"
EXTENSIONS = (".json",)
DIRECTORY = False

DOCUMENT_FIELDS = ("title", "source", "url", "author", "published")
NO_LABEL = "relation"  # the label of a relation drawn without one


def read(path: Path) -> Iterator[AnnotatedDocument | Problem]:
    path = Path(path)
    try:
        content, _ = decode_bytes(path.read_bytes(), str(path))
    except (DecodeError, OSError) as exc:
        yield error(path, decode_error(exc), getattr(exc, "line", None))
        return
    for item in json_values(content):
        where = f"task {item.index + 1}: "
        if item.error is not None:
            yield error(path, where + item.error, item.line)
            continue
        problems: list[Problem] = []
        doc = _Task(path, item.line, where, problems).read(item.value)
        yield from problems
        if doc is not None:
            doc.line = item.line
            yield doc


class _Task:
    def __init__(self, path: Path, line: int, where: str, problems: list[Problem]) -> None:
        self.path, self.line, self.where, self.problems = path, line, where, problems
        self.origin = import_origin(NAME, path)
        self.spans: list[Span] = []
        self.span_sources: list[set[int]] = []  # which containers (annotation/prediction) made each span
        self.span_people: list[list[str]] = []
        self.by_key: dict[tuple[Any, ...], list[int]] = {}
        self.relations: list[Relation] = []
        self.rel_sources: dict[tuple[Any, ...], list[set[int]]] = {}
        self.local_ids: dict[tuple[int, str], int] = {}
        self.global_ids: dict[str, int] = {}
        self.utf16_warned = False
        self.pending: list[tuple[int, dict[str, Any], int, Origin, str]] = []  # relations, read once every mark is known

    def warn(self, message: str) -> None:
        self.problems.append(warning(self.path, self.where + message, self.line))

    def read(self, task: Any) -> AnnotatedDocument | None:
        if not isinstance(task, dict):
            self.problems.append(error(self.path, f"{self.where}expected a task object, found {type(task).__name__}", self.line))
            return None
        data = task.get("data")
        if not isinstance(data, dict):
            self.problems.append(error(self.path, f"{self.where}the task has no \"data\" object with its text", self.line))
            return None
        text_key = self._text_key(data)
        if text_key is None:
            return None
        raw = data[text_key]
        if not raw.strip():
            self.problems.append(error(self.path, f"{self.where}the task's text (data[{text_key!r}]) is empty", self.line))
            return None
        self.textmap = TextMap(raw)
        meta: dict[str, Any] = {}
        fields: dict[str, str] = {}
        extra_data = {}
        for key, value in data.items():
            if key == text_key:
                continue
            if key in DOCUMENT_FIELDS and isinstance(value, str):
                fields[key] = value
            else:
                extra_data[key] = value
        task_keys = {k: v for k, v in task.items() if k not in ("data", "annotations", "predictions")}
        if task_keys:
            meta["task"] = task_keys
        if extra_data:
            meta["data"] = extra_data
        if text_key != "text":
            meta["text_key"] = text_key
        others: list[Any] = []
        annotators: list[str] = []
        container = 0
        annotations = task.get("annotations", task.get("completions"))
        for n, annotation in enumerate(self._list(annotations, "annotations"), 1):
            container += 1
            if not isinstance(annotation, dict):
                self.warn(f"annotation {n} is not an object; skipped")
                continue
            if annotation.get("was_cancelled"):
                self.warn(f"annotation {n} was cancelled (skipped) in Label Studio; not imported")
                continue
            person = _person(annotation.get("completed_by"))
            if person and person not in annotators:
                annotators.append(person)
            results = self._list(annotation.get("result"), f"annotation {n} result")
            self._results(results, container, ("annotation",), SpanStatus.ACCEPTED, Origin.IMPORT, self.origin, None, person, others)
        for n, prediction in enumerate(self._list(task.get("predictions"), "predictions"), 1):
            container += 1
            if not isinstance(prediction, dict):
                self.warn(f"prediction {n} is not an object; skipped")
                continue
            version = prediction.get("model_version")
            version = "" if version is None else str(version)
            score = prediction.get("score")
            score = float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None
            results = self._list(prediction.get("result"), f"prediction {n} result")
            detail = f"{version} ({self.origin})" if version else self.origin  # the model, and where its suggestions came from
            self._results(results, container, ("prediction", version), SpanStatus.SUGGESTED, Origin.MODEL, detail, score, "", others)
        for pending in self.pending:
            self._relation(*pending)
        for index, people in enumerate(self.span_people):
            if people:
                self.spans[index].origin_detail = f"{self.origin} (annotators {', '.join(people)})"
        if others:
            meta["results"] = others
        if not fields.get("title", "").strip():  # a task without a title: the text's first line, as for an imported text file
            fields["title"] = guess_title(self.textmap.text)
        document = NewDocument(text=self.textmap.text, meta={NAME: meta} if meta else {}, origin=str(self.path), **fields)
        return AnnotatedDocument(document=document, spans=self.spans, relations=self.relations, annotators=annotators)

    def _text_key(self, data: dict[str, Any]) -> str | None:
        if isinstance(data.get("text"), str):
            return "text"
        strings = [k for k, v in data.items() if isinstance(v, str) and k not in DOCUMENT_FIELDS]
        if len(strings) == 1:
            return strings[0]
        found = ", ".join(repr(k) for k in strings) if strings else "none"
        self.problems.append(
            error(self.path, f"{self.where}cannot tell which field of \"data\" is the text: no \"text\" field, and string fields are {found}", self.line)
        )
        return None

    def _list(self, value: Any, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.warn(f"{what} is not a list; ignored")
            return []
        return value

    def _results(
        self,
        results: list[Any],
        container: int,
        group: tuple[Any, ...],
        status: SpanStatus,
        origin: Origin,
        detail: str,
        default_score: float | None,
        person: str,
        others: list[Any],
    ) -> None:
        for n, item in enumerate(results, 1):
            if not isinstance(item, dict):
                self.warn(f"result item {n} is not an object; dropped")
                continue
            kind = item.get("type")
            if kind == "relation":
                self.pending.append((n, item, container, origin, detail))
            elif kind == "labels":
                self._span(n, item, container, group, status, origin, detail, default_score, person)
            else:
                others.append(item)

    def _span(
        self,
        n: int,
        item: dict[str, Any],
        container: int,
        group: tuple[Any, ...],
        status: SpanStatus,
        origin: Origin,
        detail: str,
        default_score: float | None,
        person: str,
    ) -> None:
        value = item.get("value")
        if not isinstance(value, dict):
            self.warn(f"result item {n} has no \"value\"; dropped")
            return
        labels = value.get("labels")
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not [x for x in labels if isinstance(x, str) and x.strip()]:
            self.warn(f"result item {n} has no labels; dropped")
            return
        start, end = value.get("start"), value.get("end")
        stated = value.get("text")
        mapped = self.textmap.span(start, end)
        raw = self.textmap.raw
        if isinstance(stated, str) and (mapped is None or not same_text(stated, raw[start:end])):  # type: ignore[misc]
            converted = self._from_utf16(start, end, stated)
            if converted is not None:
                start, end = converted
                mapped = self.textmap.span(start, end)
            elif mapped is not None:
                self.warn(f"result item {n}: the text at [{start}, {end}) is {raw[start:end]!r}, but the file says {stated!r}; dropped")  # type: ignore[misc]
                return
        if mapped is None:
            self.warn(f"result item {n}: {self.textmap.why_not(start, end)}; dropped")
            return
        score = item.get("score")
        score = float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else default_score
        ident = item.get("id")
        for label in labels:
            if not isinstance(label, str) or not label.strip():
                continue
            label = label.strip()
            key = (*group, mapped[0], mapped[1], label)
            index = next((i for i in self.by_key.get(key, []) if container not in self.span_sources[i]), None)
            if index is None:
                index = len(self.spans)
                self.spans.append(
                    Span(start=mapped[0], end=mapped[1], label=label, status=status, origin=origin, origin_detail=detail, score=score)
                )
                self.span_sources.append(set())
                self.span_people.append([])
                self.by_key.setdefault(key, []).append(index)
            self.span_sources[index].add(container)
            if person and person not in self.span_people[index]:
                self.span_people[index].append(person)
            if ident is not None:
                self.local_ids.setdefault((container, str(ident)), index)
                self.global_ids.setdefault(str(ident), index)

    def _from_utf16(self, start: Any, end: Any, stated: str) -> tuple[int, int] | None:
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
            return None
        raw = self.textmap.raw
        a, b = utf16_to_code_points(raw, start), utf16_to_code_points(raw, end)
        if a is None or b is None or not a < b or not same_text(stated, raw[a:b]):
            return None
        if not self.utf16_warned:
            self.utf16_warned = True
            self.warn("offsets are counted in UTF-16 units (an older Label Studio); converted to characters")
        return a, b

    def _relation(self, n: int, item: dict[str, Any], container: int, origin: Origin, detail: str) -> None:
        ends = []
        for key in ("from_id", "to_id"):
            ident = item.get(key)
            index = None if ident is None else self.local_ids.get((container, str(ident)), self.global_ids.get(str(ident)))
            if index is None:
                self.warn(f"relation item {n} refers to {ident!r}, which is not a mark of the task (or was dropped); dropped")
                return
            ends.append(index)
        head, tail = ends
        direction = item.get("direction", "right")
        if direction == "left":
            head, tail = tail, head
        elif direction == "bi":
            self.warn(f"relation item {n} goes both ways; imported as from → to")
        labels = item.get("labels") or [NO_LABEL]
        if isinstance(labels, str):
            labels = [labels]
        elif not isinstance(labels, list):
            self.warn(f"relation item {n}: labels must be a list of strings, not {labels!r}; dropped")
            return
        for label in labels:
            if not isinstance(label, str) or not label.strip():
                continue
            key = (head, tail, label.strip())
            seen = self.rel_sources.setdefault(key, [])
            if any(container not in sources for sources in seen):
                next(s for s in seen if container not in s).add(container)
                continue
            seen.append({container})
            self.relations.append(Relation(head=head, tail=tail, label=relation_label(label), origin=origin, origin_detail=detail))


def _person(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("email") or value.get("username") or value.get("id")
    return "" if value is None or isinstance(value, bool) else str(value)


class LabelStudioWriter(AtomicTextWriter):
    """Tasks streamed into one JSON array (see the module doc)."""

    def __init__(self, path: Path | str) -> None:
        self.problems: list[Problem] = []
        self.rejected = RejectedCount("Label Studio's task format")
        super().__init__(path)

    def begin(self) -> None:
        self.out.write("[")

    def write(self, doc: AnnotatedDocument) -> None:
        task = to_task(self.rejected.filter(doc))
        self.out.write(("\n" if self.count == 0 else ",\n") + json.dumps(task, ensure_ascii=False))
        self.count += 1

    def end(self) -> None:
        self.out.write("\n]\n")
        problem = self.rejected.problem(self.path)
        if problem is not None:
            self.problems.append(problem)


def to_task(doc: AnnotatedDocument) -> dict[str, Any]:
    """The Label Studio task of one document (rejected spans are the caller's business: see the writer)."""
    meta = doc.document.meta.get(NAME)
    meta = meta if isinstance(meta, dict) else {}
    task: dict[str, Any] = {}
    stored_task = meta.get("task") if isinstance(meta.get("task"), dict) else {}
    if doc.id is not None:
        task["id"] = doc.id
    for key, value in stored_task.items():
        if key not in task and key not in ("data", "annotations", "predictions"):
            task[key] = value
    text_key = meta.get("text_key") if isinstance(meta.get("text_key"), str) else "text"
    data: dict[str, Any] = {text_key: doc.text}
    for key in DOCUMENT_FIELDS:
        value = getattr(doc.document, key)
        if value and key != text_key and not (key == "title" and value == guess_title(doc.text)):  # the reader guesses it back
            data[key] = value
    extra = meta.get("data") if isinstance(meta.get("data"), dict) else {}
    for key, value in extra.items():
        if key not in data:
            data[key] = value
    task["data"] = data
    # containers: the annotation first, then one prediction per model, in order of first appearance
    groups: dict[tuple[str, str], list[int]] = {("annotation", ""): []}
    for index, span in enumerate(doc.spans):
        if span.status is SpanStatus.REJECTED:
            continue
        key = ("annotation", "") if span.status is SpanStatus.ACCEPTED else ("prediction", model_version(span.origin_detail))
        groups.setdefault(key, []).append(index)
    ids: dict[int, str] = {}
    container_of: dict[int, tuple[str, str]] = {}
    for key, members in groups.items():
        for index in members:
            ids[index] = f"s{len(ids) + 1}"
            container_of[index] = key
    results: dict[tuple[str, str], list[dict[str, Any]]] = {key: [] for key in groups}
    for key, members in groups.items():
        for index in members:
            span = doc.spans[index]
            item: dict[str, Any] = {
                "id": ids[index],
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": span.start, "end": span.end, "text": doc.text[span.start : span.end], "labels": [span.label]},
            }
            if key[0] == "prediction" and span.score is not None:
                item["score"] = span.score
            results[key].append(item)
    for rel in doc.relations:
        if rel.head not in ids or rel.tail not in ids:
            continue
        results[container_of[rel.head]].append(
            {"from_id": ids[rel.head], "to_id": ids[rel.tail], "type": "relation", "direction": "right", "labels": [str(rel.label)]}
        )
    annotation = results.pop(("annotation", ""))
    task["annotations"] = [{"result": annotation}] if annotation else []
    task["predictions"] = [{"model_version": key[1], "result": items} for key, items in results.items()]
    return task


def model_version(origin_detail: str) -> str:
    """The ``model_version`` of a suggestion: its ``origin_detail`` without the file a Label Studio import noted.

    ``"ner-v2 (label-studio: tasks (1).json)"`` → ``"ner-v2"``; ``"label-studio: tasks.json"``
    → ``""``; anything else (``"en_core_web_sm 3.8.0"``) as it is.
    """
    prefix = f"{NAME}: "
    detail = origin_detail
    while not detail.startswith(prefix):
        cut = detail.find(f" ({prefix}")
        if cut < 0 or not detail.endswith(")"):
            return detail
        detail = detail[:cut]
    return ""


def writer(path: Path) -> LabelStudioWriter:
    return LabelStudioWriter(path)


_SNIFF_DATA = re.compile(r'"data"\s*:\s*\{')
_SNIFF_RESULT = re.compile(r'"(?:annotations|predictions|completions)"\s*:\s*\[')


def sniff(path: Path) -> bool:
    """A ``.json`` file whose first kilobytes show tasks with ``data`` and annotations or predictions."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() not in (".json", ".jsonl"):
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024).decode("utf-8", "replace")
    except OSError:
        return False
    head = head.lstrip("\ufeff \t\r\n")
    return head[:1] in ("{", "[") and _SNIFF_DATA.search(head) is not None and _SNIFF_RESULT.search(head) is not None
