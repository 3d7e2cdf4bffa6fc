"""spaCy ``DocBin`` (``.spacy``): annotations as spaCy training data, and back.

The file is what ``spacy train`` reads (``[paths] train = "export.spacy"``) and
what ``DocBin().from_disk(path).get_docs(nlp.vocab)`` returns. Per document:

- the ``Doc``'s words are Newsmark's span-aligned tokens
  (:func:`newsmark.formats.tokens.tokenize`, cut at every span start and end),
  so every span is exactly a token span; whitespace that is not a single space
  after a word becomes a whitespace token, as spaCy's own tokenizer does, and
  ``doc.text`` is the document's text exactly (checked on every write);
- ``doc.ents``: the accepted entities, without overlaps (the longest wins, then
  the first), leaving out entities that begin or end with whitespace (spaCy's
  NER refuses to train on those, error E024);
- span groups, each span in exactly one: ``doc.spans["entities"]`` all accepted
  entities (overlaps allowed), ``["claims"]``, ``["sources"]``, ``["cues"]`` the
  accepted claims, sources and cues, ``["suggested"]`` and ``["rejected"]`` the
  spans not yet reviewed and the rejected ones (negative examples) when the
  export includes them — never in ``doc.ents``;
- ``doc.user_data["newsmark"]``: what spaCy cannot hold (a ``Span`` has no
  attributes of its own in a ``DocBin``): the document's id, meta, review
  status, tags and annotators, and every span with its offsets, label, kind,
  status, origin, claim type, score, tags, note, edit link, and the relations.
  The file is written with ``store_user_data=True``.

The ``Doc``s are built on a bare ``spacy.vocab.Vocab()``, not on a language's
(``blank("en")`` or ``blank("xx")``): articles come in any language, a ``DocBin``
stores the tokens' strings and not a vocabulary, and whoever reads the file
passes their own (``nlp.vocab`` of an English or any other pipeline). A bare
vocabulary costs 0.1 ms where ``spacy.blank("xx")`` costs 70-170 ms, and the
bytes of the file do not depend on it but for a few strings it lists.

Reading prefers ``user_data["newsmark"]``, which gives the exported documents
back exactly. A ``DocBin`` made by anyone else (or whose spans were changed
after the export, so they no longer match the record) is read from spaCy's own
annotations: ``doc.ents`` and every span group become spans with
``origin=import``, ``origin_detail="spacy: <file>"``; the groups named
``claims``/``sources``/``cues`` give their kind, ``suggested``/``rejected``
their status, anything else is an accepted entity. A span that is both in
``doc.ents`` and in a group is read once.

Memory: a ``DocBin`` is one compressed msgpack object, so the writer keeps the
documents' token arrays until :meth:`DocBinWriter.commit` (about 24 bytes a
token: only ``ORTH``, ``ENT_IOB``, ``ENT_TYPE`` and ``SPACY`` are stored, which is
all a Newsmark export sets) and the reader loads the whole file. Only this
module imports spaCy, and only inside functions (layer rule).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
import unicodedata
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from newsmark.formats.interchange import AtomicTextWriter, check_span, error, import_origin, imported_span, warning
from newsmark.formats.tokens import tokenize
from newsmark.model import (
    AnnotatedDocument,
    ClaimType,
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
from newsmark.text import guess_title, normalize_text

NAME = "spacy"
TITLE = "spaCy DocBin"
EXTENSIONS = (".spacy",)
DIRECTORY = False
NEGATIVE_EXAMPLES = True  # doc.spans["rejected"]

USER_DATA_KEY = "newsmark"
RECORD_VERSION = 1
ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE")  # ORTH and SPACY (the spaces) are always stored

GROUP_OF_KIND = {SpanKind.ENTITY: "entities", SpanKind.CLAIM: "claims", SpanKind.SOURCE: "sources", SpanKind.CUE: "cues"}
GROUP_OF_STATUS = {SpanStatus.SUGGESTED: "suggested", SpanStatus.REJECTED: "rejected"}
GROUPS = ("entities", "claims", "sources", "cues", "suggested", "rejected")
_KIND_OF_GROUP = {group: kind for kind, group in GROUP_OF_KIND.items()}
_STATUS_OF_GROUP = {group: status for status, group in GROUP_OF_STATUS.items()}


def group_of(span: Span) -> str:
    """The span group a span is written to."""
    if span.status != SpanStatus.ACCEPTED:
        return GROUP_OF_STATUS[SpanStatus(span.status)]
    return GROUP_OF_KIND[SpanKind(span.kind)]


def _vocab():  # type: ignore[no-untyped-def]
    """A bare, language-neutral vocabulary: a ``DocBin`` stores strings, not a vocabulary (see the notes)."""
    from spacy.vocab import Vocab

    return Vocab()


# ---------------------------------------------------------------------------- writing


def words_and_spaces(text: str, starts: set[int], ends: set[int]) -> tuple[list[str], list[bool]]:
    """spaCy ``Doc`` words and spaces for ``text`` such that every offset in ``starts``
    begins a token and every offset in ``ends`` ends one.

    Words are :func:`tokenize`'s tokens; the whitespace between them is a single
    space after the word before (``spaces[i]``) when that space is not itself the
    edge of a span, and whitespace tokens otherwise (cut at span edges too).
    ``"".join(w + " " * s for w, s in zip(words, spaces)) == text``.
    """
    cuts = sorted(starts | ends)
    words: list[str] = []
    spaces: list[bool] = []

    def gap(begin: int, end: int) -> None:
        if begin >= end:
            return
        if words and not spaces[-1] and text[begin] == " " and begin not in starts and begin + 1 not in ends:
            spaces[-1] = True
            begin += 1
        points = cuts[bisect_right(cuts, begin) : bisect_left(cuts, end)]
        for a, b in zip([begin, *points], [*points, end]):
            if a < b:
                words.append(text[a:b])
                spaces.append(False)

    position = 0
    for token in tokenize(text, boundaries=cuts):
        gap(position, token.start)
        words.append(text[token.start : token.end])
        spaces.append(False)
        position = token.end
    gap(position, len(text))
    return words, spaces


def _clean(value: Any) -> Any:
    """``value`` as msgpack stores it faithfully: dicts with string keys, lists, scalars."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _put(record: dict[str, Any], key: str, value: Any, default: Any = None) -> None:
    """Set ``key`` unless ``value`` is the field's default (kept small: most fields of most spans are)."""
    if value is None or value == default:
        return
    record[key] = _clean(value)


def span_record(span: Span) -> dict[str, Any]:
    record: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "kind": str(span.kind),
        "status": str(span.status),
        "origin": str(span.origin),
    }
    _put(record, "origin_detail", span.origin_detail, "")
    _put(record, "claim_type", None if span.claim_type is None else str(span.claim_type))
    _put(record, "score", span.score)
    _put(record, "note", span.note, "")
    _put(record, "tags", list(span.tags), [])
    _put(record, "edited_from", span.edited_from)
    _put(record, "id", span.id)
    _put(record, "doc_id", span.doc_id)
    _put(record, "created_at", span.created_at)
    _put(record, "updated_at", span.updated_at)
    return record


def relation_record(rel: Relation) -> dict[str, Any]:
    record: dict[str, Any] = {"head": rel.head, "tail": rel.tail, "label": str(rel.label), "origin": str(rel.origin)}
    _put(record, "origin_detail", rel.origin_detail, "")
    _put(record, "id", rel.id)
    _put(record, "doc_id", rel.doc_id)
    return record


def document_record(doc: AnnotatedDocument) -> dict[str, Any]:
    """Everything of ``doc`` but its text, as stored in ``Doc.user_data["newsmark"]``."""
    d = doc.document
    record: dict[str, Any] = {"version": RECORD_VERSION, "status": str(doc.status)}
    _put(record, "id", doc.id)
    for key, default in (("title", ""), ("source", None), ("url", None), ("author", None), ("published", None), ("meta", {}), ("origin", "")):
        _put(record, key, getattr(d, key), default)
    _put(record, "tags", list(doc.tags), [])
    _put(record, "annotators", list(doc.annotators), [])
    _put(record, "annotated_by", doc.annotated_by)
    record["spans"] = [span_record(s) for s in doc.spans]
    record["relations"] = [relation_record(r) for r in doc.relations]
    return record


def _ents(doc: AnnotatedDocument) -> list[Span]:
    """Accepted entities for ``doc.ents``: no overlaps (longest, then first, wins), no whitespace edges."""
    text = doc.text
    candidates = [
        (i, s)
        for i, s in enumerate(doc.spans)
        if s.kind == SpanKind.ENTITY and s.status == SpanStatus.ACCEPTED and not text[s.start].isspace() and not text[s.end - 1].isspace()
    ]
    candidates.sort(key=lambda item: (-item[1].length, item[1].start, item[0]))
    starts: list[int] = []  # of the taken spans, which never overlap: sorted by start is sorted by end too
    taken: list[Span] = []
    for _, span in candidates:
        k = bisect_left(starts, span.start)
        if (k < len(taken) and taken[k].start < span.end) or (k > 0 and taken[k - 1].end > span.start):
            continue
        starts.insert(k, span.start)
        taken.insert(k, span)
    return taken


def to_doc(doc: AnnotatedDocument, vocab):  # type: ignore[no-untyped-def]
    """The spaCy ``Doc`` a Newsmark document is written as (see the module notes)."""
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

    text = doc.text
    for i, span in enumerate(doc.spans):
        problem = check_span(text, span.start, span.end)
        if problem:
            raise ValueError(f"document {doc.id}: span {i} ({span.label}): {problem}")
    words, spaces = words_and_spaces(text, {s.start for s in doc.spans}, {s.end for s in doc.spans})
    sdoc = Doc(vocab, words=words, spaces=spaces)
    if sdoc.text != text:  # not an assert: this must hold with -O too
        raise ValueError(f"document {doc.id}: the spaCy Doc's text differs from the document's text")
    token_of_start: dict[int, int] = {}
    token_of_end: dict[int, int] = {}
    position = 0
    for i, (word, space) in enumerate(zip(words, spaces)):
        token_of_start[position] = i
        position += len(word)
        token_of_end[position] = i
        position += space

    def make(span: Span):  # type: ignore[no-untyped-def]
        first, last = token_of_start.get(span.start), token_of_end.get(span.end)
        if first is None or last is None:
            raise ValueError(f"document {doc.id}: span [{span.start}, {span.end}) is not aligned with the tokens")
        return SpacySpan(sdoc, first, last + 1, label=span.label)

    groups: dict[str, list] = {name: [] for name in GROUPS}
    for span in doc.spans:
        groups[group_of(span)].append(make(span))
    sdoc.ents = [make(s) for s in _ents(doc)]
    for name in GROUPS:
        if groups[name]:
            sdoc.spans[name] = groups[name]
    sdoc.user_data[USER_DATA_KEY] = document_record(doc)
    return sdoc


class DocBinWriter(AtomicTextWriter):
    """Collects the documents in a ``DocBin`` and writes it, atomically, on :meth:`commit`.

    The file is binary; the temporary file, the rename into place and the
    clean-up on abort are :class:`AtomicTextWriter`'s (the bytes go through its
    stream's binary buffer, no text is written).
    """

    def begin(self) -> None:
        from spacy.tokens import DocBin

        self.vocab = _vocab()
        self.docbin = DocBin(attrs=list(ATTRS), store_user_data=True)

    def write(self, doc: AnnotatedDocument) -> None:
        self.docbin.add(to_doc(doc, self.vocab))
        self.count += 1

    def end(self) -> None:
        data = self.docbin.to_bytes()
        self.docbin = None  # type: ignore[assignment]
        self.out.flush()
        self.out.buffer.write(data)  # type: ignore[attr-defined]


def writer(path: Path) -> DocBinWriter:
    return DocBinWriter(path)


def write(path: Path, docs: list[AnnotatedDocument]) -> None:
    """Write ``docs`` to ``path`` in one go (tests and scripts)."""
    out = writer(path)
    try:
        for doc in docs:
            out.write(doc)
    except BaseException:
        out.abort()
        raise
    out.commit()


# ---------------------------------------------------------------------------- reading


def sniff(path: Path) -> bool:
    """Whether ``path`` looks like a ``DocBin``: zlib data that opens as a msgpack map with its keys."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
        data = zlib.decompressobj().decompress(head, 512)
    except (OSError, zlib.error):
        return False
    if not data or not (0x80 <= data[0] <= 0x8F or data[0] in (0xDE, 0xDF)):
        return False
    return b"attrs" in data or b"version" in data or b"tokens" in data


def _list(value: Any) -> Any:
    """msgpack gives tuples back (spaCy loads with ``use_list=False``); Newsmark's meta has lists."""
    if isinstance(value, dict):
        return {k: _list(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_list(v) for v in value]
    return value


def _opt_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be text, got {value!r}")
    return value


def _int(record: dict[str, Any], key: str, optional: bool = False) -> int | None:
    value = record.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be a whole number, got {value!r}")
    return value


def _when(record: dict[str, Any], key: str) -> datetime | None:
    value = _opt_str(record, key)
    return None if value is None else datetime.fromisoformat(value)


def _str_list(record: dict[str, Any], key: str) -> list[str]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of text, got {value!r}")
    return value


def _span_from(record: Any, text: str) -> Span:
    if not isinstance(record, dict):
        raise ValueError(f"a span must be a map, got {record!r}")
    start, end = _int(record, "start"), _int(record, "end")
    problem = check_span(text, start, end)
    if problem:
        raise ValueError(problem)
    label = record.get("label")
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be non-empty text, got {label!r}")
    score = record.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        raise ValueError(f"score must be a number, got {score!r}")
    claim_type = _opt_str(record, "claim_type")
    return Span(
        start=start,  # type: ignore[arg-type]
        end=end,  # type: ignore[arg-type]
        label=label,
        kind=SpanKind(record.get("kind", "entity")),
        status=SpanStatus(record.get("status", "accepted")),
        origin=Origin(record.get("origin", "import")),
        origin_detail=_opt_str(record, "origin_detail") or "",
        claim_type=None if claim_type is None else ClaimType(claim_type),
        score=score,
        note=_opt_str(record, "note") or "",
        id=_int(record, "id", optional=True),
        doc_id=_int(record, "doc_id", optional=True),
        edited_from=_int(record, "edited_from", optional=True),
        created_at=_when(record, "created_at"),
        updated_at=_when(record, "updated_at"),
        tags=_str_list(record, "tags"),
    )


def _relation_from(record: Any, n_spans: int) -> Relation:
    if not isinstance(record, dict):
        raise ValueError(f"a relation must be a map, got {record!r}")
    head, tail = _int(record, "head"), _int(record, "tail")
    for name, value in (("head", head), ("tail", tail)):
        if not 0 <= value < n_spans:  # type: ignore[operator]
            raise ValueError(f"relation {name} {value} is not a span of the document ({n_spans} spans)")
    return Relation(
        head=head,  # type: ignore[arg-type]
        tail=tail,  # type: ignore[arg-type]
        label=relation_label(record.get("label", "")),
        origin=Origin(record.get("origin", "import")),
        origin_detail=_opt_str(record, "origin_detail") or "",
        id=_int(record, "id", optional=True),
        doc_id=_int(record, "doc_id", optional=True),
    )


def from_record(record: dict[str, Any], text: str) -> AnnotatedDocument:
    """The document a ``user_data["newsmark"]`` record describes (``ValueError`` if it is not one)."""
    if record.get("version") != RECORD_VERSION:
        raise ValueError(f"record version {record.get('version')!r}, this Newsmark reads version {RECORD_VERSION}")
    meta = record.get("meta", {})
    if not isinstance(meta, dict):
        raise ValueError(f"meta must be a map, got {meta!r}")
    spans_in = record.get("spans", [])
    relations_in = record.get("relations", [])
    if not isinstance(spans_in, list) or not isinstance(relations_in, list):
        raise ValueError("spans and relations must be lists")
    spans = [_span_from(s, text) for s in spans_in]
    for i, span in enumerate(spans):
        if span.edited_from is not None and not 0 <= span.edited_from < len(spans):
            raise ValueError(f"span {i} is edited from span {span.edited_from}, which is not a span of the document")
    annotated_by = _opt_str(record, "annotated_by")
    return AnnotatedDocument(
        document=NewDocument(
            text=text,
            title=_opt_str(record, "title") or "",
            source=_opt_str(record, "source"),
            url=_opt_str(record, "url"),
            author=_opt_str(record, "author"),
            published=_opt_str(record, "published"),
            meta=meta,
            origin=_opt_str(record, "origin") or "",
        ),
        spans=spans,
        kinds_known=True,
        relations=[_relation_from(r, len(spans)) for r in relations_in],
        status=ReviewStatus(record.get("status", "new")),
        tags=_str_list(record, "tags"),
        id=_int(record, "id", optional=True),
        annotators=_str_list(record, "annotators"),
        annotated_by=annotated_by,
    )


def _spacy_spans(sdoc) -> list[tuple[int, int, str, str]]:  # type: ignore[no-untyped-def]
    """(start, end, label, group) of ``doc.ents`` (group "ents") and every span group, each place+label once."""
    seen: set[tuple[int, int, str]] = set()
    out: list[tuple[int, int, str, str]] = []
    groups = [("ents", list(sdoc.ents))] + [(name, list(group)) for name, group in sdoc.spans.items()]
    # A group that says what it holds comes before doc.ents, so a duplicate keeps the group's kind/status.
    groups.sort(key=lambda item: item[0] not in _KIND_OF_GROUP and item[0] not in _STATUS_OF_GROUP)
    for name, spans in groups:
        for span in spans:
            key = (span.start_char, span.end_char, span.label_)
            if key in seen:
                continue
            seen.add(key)
            out.append((*key, name))
    out.sort(key=lambda item: (item[0], item[1]))
    return out


def _record_matches(doc: AnnotatedDocument, sdoc) -> bool:  # type: ignore[no-untyped-def]
    """Whether the span groups are still those the record was written with (not edited since)."""
    expected: dict[str, list[tuple[int, int, str]]] = {}
    for span in doc.spans:
        expected.setdefault(group_of(span), []).append((span.start, span.end, span.label))
    found = {name: [(x.start_char, x.end_char, x.label_) for x in group] for name, group in sdoc.spans.items() if len(group)}
    return found == expected


def _remap(original: str, normalised: str, offsets: set[int]) -> dict[int, int]:
    """Offsets of ``original`` carried into its normalised text (only those that map exactly)."""
    if original == normalised:
        return {o: o for o in offsets}
    mapped: dict[int, int] = {}
    for offset in offsets:
        before, after = normalize_text(original[:offset]), original[offset:]
        after = unicodedata.normalize("NFC", after.replace("\r\n", "\n").replace("\r", "\n"))
        if before + after == normalised:
            mapped[offset] = len(before)
    return mapped


def _foreign(sdoc, text: str, index: int, path: Path) -> tuple[AnnotatedDocument, list[Problem]]:  # type: ignore[no-untyped-def]
    """A document of a ``DocBin`` without Newsmark's record, from spaCy's own annotations."""
    problems: list[Problem] = []
    normalised = normalize_text(text)
    found = _spacy_spans(sdoc)
    where = _remap(text, normalised, {o for s in found for o in s[:2]})
    detail = import_origin(NAME, path)
    spans: list[Span] = []
    for start, end, label, group in found:
        if not label:
            problems.append(warning(path, f"document {index}: span [{start}, {end}) in {group} has no label; dropped"))
            continue
        if start not in where or end not in where or where[start] >= where[end]:
            problems.append(
                warning(path, f"document {index}: span [{start}, {end}) {label!r} dropped: normalising the text's line endings / Unicode moves its edges")
            )
            continue
        fields: dict[str, Any] = {}
        if group in _KIND_OF_GROUP:
            fields["kind"] = _KIND_OF_GROUP[group]
        if group in _STATUS_OF_GROUP:
            fields["status"] = _STATUS_OF_GROUP[group]
        spans.append(imported_span(where[start], where[end], label, detail, **fields))
    meta: dict[str, Any] = {"index": index}
    if sdoc.cats:
        meta["cats"] = {str(k): float(v) for k, v in sdoc.cats.items() if isinstance(v, (int, float)) and math.isfinite(v)}
    groups = {name: len(group) for name, group in sdoc.spans.items()}
    if groups:
        meta["span_groups"] = groups
    document = NewDocument(text=normalised, title=guess_title(normalised), meta={NAME: meta}, origin=str(path))
    return AnnotatedDocument(document=document, spans=spans), problems


def read(path: Path) -> Iterator[AnnotatedDocument | Problem]:
    """The documents of a ``.spacy`` file (see the module notes); never raises for bad input."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield error(path, f"cannot read the file: {exc.strerror or exc}")
        return
    from spacy.tokens import DocBin

    try:
        docbin = DocBin().from_bytes(data)
    except Exception as exc:  # zlib, msgpack, numpy: all mean "not a DocBin"
        yield error(path, f"not a spaCy DocBin (.spacy) file: {exc}")
        return
    vocab = _vocab()
    try:
        docs = docbin.get_docs(vocab)
        for index, sdoc in enumerate(docs):
            yield from _read_doc(sdoc, index, path)
    except Exception as exc:  # a damaged file fails while spaCy rebuilds its Docs
        yield error(path, f"the DocBin is damaged: {exc}")


def _read_doc(sdoc, index: int, path: Path) -> Iterator[AnnotatedDocument | Problem]:  # type: ignore[no-untyped-def]
    text = sdoc.text  # spaCy builds it token by token: once
    record = sdoc.user_data.get(USER_DATA_KEY)
    if record is not None:
        record = _list(record)
        fallback = "reading spaCy's spans instead"
        if not isinstance(record, dict):
            yield warning(path, f"document {index}: the Newsmark record is not a map; {fallback}")
        elif text != normalize_text(text):
            yield warning(path, f"document {index}: the text is not normalised as Newsmark stores it; {fallback}")
        else:
            try:
                doc = from_record(record, text)
            except (KeyError, ValueError, TypeError) as exc:
                yield warning(path, f"document {index}: the Newsmark record cannot be read ({exc}); {fallback}")
            else:
                if _record_matches(doc, sdoc):
                    yield doc
                    return
                yield warning(path, f"document {index}: its spans were changed after the Newsmark export; reading spaCy's spans, with Newsmark's document details")
                foreign, problems = _foreign(sdoc, text, index, path)
                yield from problems
                _keep_document_details(foreign, doc)
                yield foreign
                return
    doc, problems = _foreign(sdoc, text, index, path)
    yield from problems
    yield doc


def _keep_document_details(doc: AnnotatedDocument, details: AnnotatedDocument) -> None:
    """The document-level fields of a record whose spans no longer apply, laid over a document read from spaCy's spans."""
    meta = dict(details.document.meta)
    meta.update(doc.document.meta)
    details.document.meta = meta
    details.document.origin = details.document.origin or doc.document.origin
    doc.document = details.document
    doc.status, doc.tags, doc.id = details.status, details.tags, details.id
    doc.annotators, doc.annotated_by = details.annotators, details.annotated_by
