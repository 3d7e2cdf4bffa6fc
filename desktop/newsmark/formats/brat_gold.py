"""Reading gold attributions in brat standoff (PolNeAR style), for evaluation.

A brat ``.ann`` file beside a ``.txt`` holds, one per line:

- text-bound annotations ``T12<TAB>Source 759 766<TAB>sources``; a discontinuous
  span lists its fragments ``start end;start end``; offsets are code-point
  offsets into the ``.txt``, half-open;
- events ``E3<TAB>Attribution:T12 Cue:T11 Source:T10 Content:T9`` tying the
  parts of one attribution (``Attribution-no-source`` when there is no source;
  a second content is ``Content2``);
- notes ``#1<TAB>AnnotatorNotes T66<TAB>...`` and other lines, kept out of the way.

A text-bound annotation's text may itself contain line breaks (brat writes
them as they are): a line that does not start a new annotation continues the
previous one. Malformed lines are reported in :attr:`BratDocument.problems`
(``"file:line: message"``) rather than raised, so one bad line does not lose a
whole article; offsets outside the text are problems too.

This module reads; it never imports the nlp layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_ID = re.compile(r"^([TERAMN#*]\d*)\t")
_TB = re.compile(r"^(T\d+)\t(\S+) ((?:\d+ \d+;)*\d+ \d+)(?:\t(.*))?$")

ROLES = ("Source", "Cue", "Content")


@dataclass(frozen=True, slots=True)
class TextBound:
    """A text-bound annotation: id, type and its fragments (``[(start, end), ...]`` in text order)."""

    id: str
    type: str
    fragments: tuple[tuple[int, int], ...]
    text: str = ""

    @property
    def start(self) -> int:
        return min(s for s, _ in self.fragments)

    @property
    def end(self) -> int:
        return max(e for _, e in self.fragments)

    @property
    def discontinuous(self) -> bool:
        return len(self.fragments) > 1


@dataclass(slots=True)
class Attribution:
    """One attribution event: its source (may be None), cue and content(s)."""

    id: str
    type: str  # "Attribution" or "Attribution-no-source"
    source: TextBound | None = None
    cue: TextBound | None = None
    contents: list[TextBound] = field(default_factory=list)

    def role(self, name: str) -> list[TextBound]:
        """The annotations of a role: ``"source"``, ``"cue"`` or ``"content"``."""
        name = name.lower()
        if name == "source":
            return [self.source] if self.source else []
        if name == "cue":
            return [self.cue] if self.cue else []
        if name == "content":
            return list(self.contents)
        raise ValueError(f"unknown role {name!r} (expected source, cue or content)")


@dataclass(slots=True)
class BratDocument:
    """The text-bound annotations and attribution events of one ``.ann`` file."""

    path: str
    textbounds: dict[str, TextBound] = field(default_factory=dict)
    attributions: list[Attribution] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def is_annotation_line(line: str) -> bool:
    """Whether ``line`` starts a brat annotation (``T1\t``, ``R2\t``, ``#3\t`` ...), not the continuation of a text."""
    return _ID.match(line) is not None


def match_textbound(line: str) -> re.Match[str] | None:
    """The match of a well-formed text-bound line (``T1\tType 0 4;6 9\ttext``), else ``None``."""
    return _TB.match(line)


def textbound_of(match: re.Match[str]) -> TextBound:
    """The :class:`TextBound` of a :func:`match_textbound` match (fragments sorted, not checked against the text)."""
    tid, ttype, frag_text, covered = match.groups()
    fragments = [tuple(int(x) for x in frag.split()) for frag in frag_text.split(";")]
    return TextBound(tid, ttype, tuple(sorted(fragments)), covered or "")  # type: ignore[arg-type]


def parse_ann(ann: str, text: str | None = None, path: str = "<ann>") -> BratDocument:
    """Parse the content of a ``.ann`` file; ``text`` (the ``.txt``) lets offsets be checked."""
    result = BratDocument(path=path)
    events: list[tuple[int, str, str]] = []
    last_tb: str | None = None
    for number, line in enumerate(ann.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if not is_annotation_line(line):
            if last_tb is None:
                result.problems.append(f"{path}:{number}: not a brat annotation line: {line[:60]!r}")
            continue  # the continuation of a text-bound annotation's text
        if line.startswith("T"):
            match = match_textbound(line)
            if not match:
                result.problems.append(f"{path}:{number}: malformed text-bound annotation: {line[:60]!r}")
                last_tb = None
                continue
            tb = textbound_of(match)
            bad = False
            for start, end in tb.fragments:
                if end < start or (text is not None and end > len(text)):
                    result.problems.append(f"{path}:{number}: {tb.id} fragment {start}-{end} is outside the text")
                    bad = True
            last_tb = tb.id
            if bad:
                continue
            result.textbounds[tb.id] = tb
        elif line.startswith("E"):
            last_tb = None
            parts = line.split("\t")
            if len(parts) < 2 or not parts[1].strip():
                result.problems.append(f"{path}:{number}: malformed event: {line[:60]!r}")
                continue
            events.append((number, parts[0], parts[1]))
        else:
            last_tb = None  # notes, relations, attributes: not used here
    for number, eid, body in events:
        args = body.split()
        try:
            pairs = [arg.split(":", 1) for arg in args]
            etype, trigger = pairs[0]
        except ValueError:
            result.problems.append(f"{path}:{number}: malformed event: {body[:60]!r}")
            continue
        if trigger not in result.textbounds:
            result.problems.append(f"{path}:{number}: {eid} refers to unknown {trigger}")
        event = Attribution(eid, etype)
        if any(len(pair) != 2 for pair in pairs[1:]):
            result.problems.append(f"{path}:{number}: malformed event argument (expected Role:Id): {body[:60]!r}")
        for pair in pairs[1:]:
            if len(pair) != 2:
                continue
            role, ref = pair
            tb = result.textbounds.get(ref)
            if tb is None:
                result.problems.append(f"{path}:{number}: {eid} refers to unknown {ref}")
                continue
            base = role.rstrip("0123456789")
            if base == "Source":
                event.source = tb
            elif base == "Cue":
                event.cue = tb
            elif base == "Content":
                event.contents.append(tb)
        if etype.startswith("Attribution"):
            result.attributions.append(event)
    return result


def read_ann(ann_path: Path | str, text_path: Path | str | None = None) -> BratDocument:
    """Read one ``.ann`` file (UTF-8); with ``text_path`` its offsets are checked against the text."""
    ann_path = Path(ann_path)
    problems: list[str] = []
    text = _read_utf8(Path(text_path), problems, "its offsets are not checked") if text_path is not None else None
    ann = _read_utf8(ann_path, problems, "no annotations read from it")
    result = parse_ann(ann, text, str(ann_path)) if ann is not None else BratDocument(path=str(ann_path))
    result.problems[:0] = problems
    return result


def _read_utf8(path: Path, problems: list[str], consequence: str) -> str | None:
    """The file's text, or None with a located problem when it is not UTF-8 (brat files always are)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); {consequence}")
        return None


@dataclass(slots=True)
class GoldArticle:
    """One article of a PolNeAR-style folder: its text and every annotator's ``.ann``."""

    name: str
    text_path: Path
    ann_paths: list[Path]

    def text(self) -> str:
        return self.text_path.read_text(encoding="utf-8")


_SUFFIX = re.compile(r"^(?P<name>.+)_(?P<annotator>[0-9A-Za-z]{2,8})$")


def annotator_of(ann_path: Path) -> str:
    """The annotator code of ``name_xxxx.ann`` (``""`` when there is none)."""
    match = _SUFFIX.match(ann_path.stem)
    return match.group("annotator") if match else ""


def list_gold_articles(folder: Path | str) -> list[GoldArticle]:
    """The articles of ``folder/text/*.txt`` with their ``folder/attributions/*.ann`` files, by name.

    ``.ann`` files are matched to a text as ``<text stem>.ann`` or
    ``<text stem>_<annotator>.ann``. Texts without any ``.ann`` are left out.
    Raises ``FileNotFoundError`` naming the folder when ``text/`` or
    ``attributions/`` is missing.
    """
    folder = Path(folder)
    text_dir, ann_dir = folder / "text", folder / "attributions"
    for needed in (text_dir, ann_dir):
        if not needed.is_dir():
            raise FileNotFoundError(f"{needed} is missing: expected DIR/text/*.txt and DIR/attributions/*.ann")
    texts = {txt.stem: txt for txt in sorted(text_dir.glob("*.txt"))}
    by_stem: dict[str, list[Path]] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        if ann.stem in texts:
            by_stem.setdefault(ann.stem, []).append(ann)
            continue
        match = _SUFFIX.match(ann.stem)
        if match and match.group("name") in texts:
            by_stem.setdefault(match.group("name"), []).append(ann)
    articles = [GoldArticle(stem, txt, by_stem[stem]) for stem, txt in texts.items() if stem in by_stem]
    return articles
