"""CoNLL / IOB: one token per line with its entity tag, read and written (entities only).

Read: CoNLL-2003 style columns separated by spaces or tabs — the token first, the
tag last, anything between (part of speech, chunk) kept in
``meta["conll"]["columns"]`` (one string per token) when it says something.
A ``-DOCSTART-`` line starts a new document (a file without one is one
document); a blank line ends a sentence. Tags may be IOB1 (``I-`` starts an
entity unless it continues one of the same type; ``B-`` only between two
neighbours of the same type), IOB2 (``B-`` starts every entity), BIOES / BILOU
(``S-``/``U-`` single tokens, ``E-``/``L-`` last tokens), or plain IO (``PER``).
The label is what follows the prefix (``B-12`` → ``12``).

CoNLL has tokens, not text, so the text is rebuilt: the tokens of a sentence
joined by single spaces, sentences joined by ``\\n`` (so the original spacing —
"U.S ." rather than "U.S." — is what the file says). Each document's meta records
its number in the file and the line it starts on (``meta["conll"]``).

Written: for each document ``-DOCSTART- -X- O O`` and a blank line, then one
``token TAG`` per line in IOB2 (``B-``/``I-``/``O``), a blank line after each
sentence. Tokens come from :mod:`newsmark.formats.tokens`, cut at every entity
boundary so every entity covers whole tokens; a sentence ends where the text has
a line break (but never inside an entity). Only spans of kind ``entity`` are
written, and only ones that do not overlap: of overlapping entities the first
(then the longest) is kept. Rejected spans (negative examples) are not written.
What is left out, and labels whose spaces became ``_``, is reported in
:attr:`ConllWriter.problems`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsmark.formats._foreign import RejectedCount, TextMap, decode_error
from newsmark.formats.interchange import AtomicTextWriter, error, import_origin, imported_span, warning
from newsmark.formats.tokens import Token, TokenIndex, tokenize
from newsmark.model import AnnotatedDocument, NewDocument, Problem, Span, SpanKind
from newsmark.text import DecodeError, decode_bytes, guess_title

NAME = "conll"
TITLE = "CoNLL / IOB (entities)"
EXTENSIONS = (".conll", ".iob", ".bio", ".conll03")
DIRECTORY = False

DOCSTART = "-DOCSTART-"
_TAG = re.compile(r"^([BIESLU])-(.+)$")


def read(path: Path) -> Iterator[AnnotatedDocument | Problem]:
    path = Path(path)
    try:
        content, _ = decode_bytes(path.read_bytes(), str(path))
    except (DecodeError, OSError) as exc:
        yield error(path, decode_error(exc), getattr(exc, "line", None))
        return
    doc = _Builder(path, 1, 1)
    for number, line in enumerate(content.lstrip("\ufeff").split("\n"), 1):
        cols = line.split()
        if not cols:
            doc.end_sentence()
            continue
        if cols[0] == DOCSTART:
            yield from doc.finish()
            doc = _Builder(path, number + 1, doc.number + (1 if doc.sentences else 0))
            continue
        if cols[0] == "#" and len(cols) > 2 and "=" in cols:
            continue  # a comment line ("# sent_id = 3")
        if len(cols) == 1:
            doc.problems.append(warning(path, f"{cols[0]!r} has no tag column; read as O", number))
            cols.append("O")
        doc.add(cols[0], cols[-1], cols[1:-1], number)
    yield from doc.finish()


class _Builder:
    """The tokens of one document as they are read, then the document."""

    def __init__(self, path: Path, line: int, number: int) -> None:
        self.path, self.line, self.number = path, line, number
        self.sentences: list[list[tuple[str, str, list[str], int]]] = []
        self.open = False
        self.problems: list[Problem] = []

    def add(self, token: str, tag: str, middle: list[str], line: int) -> None:
        if not self.open:
            self.sentences.append([])
            self.open = True
        self.sentences[-1].append((token, tag, middle, line))

    def end_sentence(self) -> None:
        self.open = False

    def finish(self) -> Iterator[AnnotatedDocument | Problem]:
        if not self.sentences:
            yield from self.problems
            return
        origin = import_origin(NAME, self.path)
        parts: list[str] = []
        pos = 0
        raw_spans: list[tuple[int, int, str, int]] = []
        columns: list[str] = []
        for s, sentence in enumerate(self.sentences):
            if s:
                parts.append("\n")
                pos += 1
            starts: list[tuple[int, int]] = []
            for t, (token, _, middle, _) in enumerate(sentence):
                if t:
                    parts.append(" ")
                    pos += 1
                starts.append((pos, pos + len(token)))
                parts.append(token)
                pos += len(token)
                columns.append(" ".join(middle))
            for first, last, label in decode([tag for _, tag, _, _ in sentence]):
                raw_spans.append((starts[first][0], starts[last][1], label, sentence[first][3]))
        textmap = TextMap("".join(parts))
        spans: list[Span] = []
        for start, end, label, line in raw_spans:
            mapped = textmap.span(start, end)
            if mapped is None:
                self.problems.append(warning(self.path, f"the {label} entity starting here: {textmap.why_not(start, end)}; dropped", line))
                continue
            spans.append(imported_span(mapped[0], mapped[1], label, origin))
        meta: dict[str, Any] = {"document": self.number, "line": self.sentences[0][0][3]}
        if any(c.strip("_- ").replace("-X-", "") for c in columns):
            meta["columns"] = columns
        yield from self.problems
        document = NewDocument(text=textmap.text, title=guess_title(textmap.text), meta={NAME: meta}, origin=str(self.path))
        yield AnnotatedDocument(document=document, spans=spans, line=meta["line"])


def decode(tags: list[str]) -> list[tuple[int, int, str]]:
    """Entities ``(first token, last token, label)`` of one sentence's tags, in any of the IOB schemes."""
    out: list[tuple[int, int, str]] = []
    current: list[Any] | None = None  # [first, last, label]

    def close() -> None:
        nonlocal current
        if current is not None:
            out.append((current[0], current[1], current[2]))
            current = None

    for i, tag in enumerate(tags):
        if tag in ("O", "_"):
            close()
            continue
        match = _TAG.match(tag)
        prefix, label = match.groups() if match else ("I", tag)
        same = current is not None and current[2] == label
        if prefix == "B" or (prefix == "I" and not same):
            close()
            current = [i, i, label]
        elif prefix == "I":
            current[1] = i  # type: ignore[index]
        elif prefix in "EL":
            if same:
                current[1] = i  # type: ignore[index]
            else:
                close()
                current = [i, i, label]
            close()
        else:  # S, U
            close()
            current = [i, i, label]
            close()
    close()
    return out


# ---------------------------------------------------------------------- writing


def conll_label(label: str) -> str:
    """A label as a tag column can hold it: no whitespace (idempotent)."""
    return "_".join(str(label).split()) or "_"


def _stable_tokens(text: str, boundaries: set[int]) -> list[Token]:
    """Tokens cut at ``boundaries``, each cut again as the tokeniser would cut it alone.

    A cut can leave a piece (``'s`` of ``it's``) that the tokeniser would split
    further once it stands between spaces in the rebuilt text; splitting it now
    keeps a write → read → write round trip identical.
    """
    out: list[Token] = []
    for token in tokenize(text, boundaries):
        pieces = tokenize(text[token.start : token.end])
        if len(pieces) == 1:
            out.append(token)
            continue
        for k, piece in enumerate(pieces):
            last = k == len(pieces) - 1
            out.append(Token(token.start + piece.start, token.start + piece.end, token.ws if last else False))
    return out


def entities_to_write(doc: AnnotatedDocument) -> tuple[list[Span], list[Span]]:
    """The entity spans CoNLL can hold (no overlaps: first, then longest, wins) and the overlapping ones left out."""
    entities = sorted(
        (s for s in doc.spans if s.kind is SpanKind.ENTITY), key=lambda s: (s.start, -(s.end - s.start))
    )
    kept: list[Span] = []
    dropped: list[Span] = []
    for span in entities:
        if kept and span.start < max(k.end for k in kept):
            dropped.append(span)
        else:
            kept.append(span)
    return kept, dropped


class ConllWriter(AtomicTextWriter):
    """``token TAG`` lines, IOB2 (see the module doc)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        self.problems: list[Problem] = []
        self.rejected = RejectedCount("CoNLL")
        self._renamed: set[str] = set()
        self._other_kinds = 0

    def _doc_name(self, doc: AnnotatedDocument) -> str:
        name = f"document {doc.id}" if doc.id is not None else f"document {self.count + 1} of the export"
        return f"{name} ({doc.document.title!r})" if doc.document.title else name

    def write(self, doc: AnnotatedDocument) -> None:
        doc = self.rejected.filter(doc)
        self.count += 1
        self._other_kinds += sum(1 for s in doc.spans if s.kind is not SpanKind.ENTITY)
        kept, overlapping = entities_to_write(doc)
        text = doc.text
        if overlapping:
            shown = "; ".join(f"{s.label} {text[s.start:s.end]!r} [{s.start}, {s.end})" for s in overlapping[:5])
            more = f" and {len(overlapping) - 5} more" if len(overlapping) > 5 else ""
            self.problems.append(
                warning(self.path, f"{self._doc_name(doc)}: {len(overlapping)} entity mark(s) overlap others and were not written "
                        f"(CoNLL cannot hold overlapping entities): {shown}{more}")
            )
        tokens = _stable_tokens(text, {b for s in kept for b in (s.start, s.end)})
        if not tokens:
            self.problems.append(warning(self.path, f"{self._doc_name(doc)} has no tokens (blank text) and was not written"))
            return
        index = TokenIndex(tokens)
        tags = ["O"] * len(tokens)
        for span in kept:
            found = index.span(span.start, span.end)
            if found is None:
                # the span starts or ends in whitespace: it covers the tokens inside it
                inside = [i for i, t in enumerate(tokens) if span.start <= t.start and t.end <= span.end]
                if not inside:
                    self.problems.append(
                        warning(self.path, f"{self._doc_name(doc)}: the {span.label} mark [{span.start}, {span.end}) covers no token; not written")
                    )
                    continue
                found = (inside[0], inside[-1])
            label = self._label(span.label)
            tags[found[0]] = f"B-{label}"
            for i in range(found[0] + 1, found[1] + 1):
                tags[i] = f"I-{label}"
        lines = [f"{DOCSTART} -X- O O\n", "\n"]
        for i, token in enumerate(tokens):
            if i and "\n" in text[tokens[i - 1].end : token.start] and not tags[i].startswith("I-"):
                lines.append("\n")
            lines.append(f"{token.text(text)} {tags[i]}\n")
        lines.append("\n")
        self.out.write("".join(lines))

    def _label(self, label: str) -> str:
        safe = conll_label(label)
        if safe != label and label not in self._renamed:
            self._renamed.add(label)
            self.problems.append(warning(self.path, f"label {label!r} written as {safe!r} (a CoNLL tag cannot hold spaces)"))
        return safe

    def end(self) -> None:
        problem = self.rejected.problem(self.path)
        if problem is not None:
            self.problems.append(problem)
        if self._other_kinds:
            self.problems.append(
                warning(self.path, f"{self._other_kinds} claim, source and cue mark(s) were not written: the CoNLL export holds entities only")
            )


def writer(path: Path) -> ConllWriter:
    return ConllWriter(path)


def sniff(path: Path) -> bool:
    """A file whose first non-blank lines are ``token ... TAG`` columns with IOB tags (or ``-DOCSTART-``)."""
    path = Path(path)
    if path.is_dir():
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(16 * 1024).decode("utf-8", "replace")
    except OSError:
        return False
    lines = [line.split() for line in head.split("\n")[:-1] if line.strip()][:40]
    if not lines:
        return False
    if lines[0][0] == DOCSTART:
        return True
    tagged = [cols for cols in lines if len(cols) >= 2 and (cols[-1] == "O" or _TAG.match(cols[-1]))]
    return len(tagged) == len(lines) and any(cols[-1] != "O" for cols in tagged)
