"""Hypothesis strategies for bad input: mutated real files and generated hostile ones.

Every importer gets two kinds of input:

- **mutations of a valid file** of its format (written here, or by the format's
  own writer): truncated anywhere (also inside a UTF-8 sequence), bytes flipped,
  hostile chunks inserted (NUL bytes, BOMs, lone surrogates, quotes and brackets,
  huge numbers, a line of hundreds of thousands of characters), a BOM in front,
  re-encoded as UTF-16 or Latin-1; for JSON formats also *structural* mutations:
  any value replaced by one of the wrong type, offsets out of range (negative,
  past the end, reversed, 10**30), keys dropped, arrays nested thousands deep;
- **generated files** of the format's shape: random bytes, random text in odd
  encodings, deeply nested HTML with scripts and remote resources, random
  CoNLL columns, random brat lines, random TSV rows.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]
HOSTILE_CHUNKS = [
    b"\x00",
    b"\x00" * 64,
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",  # the first half of a two-byte UTF-8 sequence
    b"\xe2\x80",  # two thirds of a three-byte one
    b"\xf0\x9f\x98",  # three quarters of an emoji
    b"\xed\xa0\x80",  # a UTF-8-encoded lone surrogate
    b"\\ud800",
    b'"',
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\n",
    b"\r",
    b"\r\n",
    b"\t",
    b"\x0b\x0c\x1c\x1d\x1e\x85",
    b"\xe2\x80\xa8",  # U+2028
    b"-1",
    b"1e309",
    b"NaN",
    b"99999999999999999999999999999999",
    b"null",
    b"true",
    b'"text"',
    b'"spans"',
    b"<",
    b">",
    b"<script>alert(1)</script>",
    b"<!--",
    b"]]>",
    b"&#0;",
    b"&#xD800;",
    b"%PDF-1.4",
    b"PK\x03\x04",
]
HUGE_LINE = b"x" * 300_000


def _apply(data: bytes, ops: list[tuple[str, int, Any]]) -> bytes:
    out = bytearray(data)
    for op, position, value in ops:
        at = position % (len(out) + 1)
        if op == "truncate":
            del out[at:]
        elif op == "flip" and out:
            out[at % len(out)] = value
        elif op == "insert":
            out[at:at] = value
        elif op == "delete":
            del out[at : at + value]
        elif op == "duplicate":
            out[at:at] = out[at : at + value]
    return bytes(out)


_op = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 1 << 20), st.none()),
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.sampled_from(HOSTILE_CHUNKS)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("delete"), st.integers(0, 1 << 20), st.integers(1, 200)),
    st.tuples(st.just("duplicate"), st.integers(0, 1 << 20), st.integers(1, 2000)),
)


def _reencode(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8", "replace").encode(encoding, "replace")


def byte_mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """Mutations of a valid file's bytes."""
    mutated = st.lists(_op, min_size=1, max_size=4).map(lambda ops: _apply(seed, ops))
    return st.one_of(
        mutated,
        mutated,
        st.tuples(st.sampled_from(BOMS), mutated).map(lambda p: p[0] + p[1]),
        st.sampled_from(["utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252"]).map(lambda enc: _reencode(seed, enc)),
        st.integers(0, max(0, len(seed))).map(lambda n: seed[:n]),
        st.integers(0, max(0, len(seed))).map(lambda n: seed[:n] + HUGE_LINE + seed[n:]),
    )


# ------------------------------------------------------------------------------ JSON


WRONG_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    -(10**9),
    10**9,
    10**30,
    -(10**30),
    1.5,
    float("inf"),
    float("nan"),
    "",
    " ",
    "x",
    "\u0000",
    "\ud800",
    "😀" * 3,
    "1",
    [],
    [None],
    [1, 2],
    ["a", "b"],
    {},
    {"": None},
    {"start": -1, "end": 10**9},
    {"start": 5, "end": 2, "label": "X"},
    {"text": 3},
]


def _paths(value: Any, here: tuple = ()) -> list[tuple]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, here + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value[:50]):
            found += _paths(item, here + (index,))
    return found


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        copy[head] = _replace(value[head], rest, new)
        return copy
    copy = list(value)
    copy[head] = _replace(value[head], rest, new)
    return copy


def _drop(value: Any, path: tuple) -> Any:
    if not path:
        return value
    if len(path) == 1:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k != path[0]}
        return [v for i, v in enumerate(value) if i != path[0]]
    head = path[0]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _drop(value[head], path[1:])
    return copy


def _nested(depth: int) -> Any:
    return json.loads("[" * depth + "]" * depth) if depth < 900 else None  # deeper ones are written as text


@st.composite
def json_mutation(draw: st.DrawFn, records: list[Any], as_lines: bool) -> bytes:
    """Valid records with one to three structural changes, written back as JSON Lines or one JSON document."""
    records = list(records)
    for _ in range(draw(st.integers(1, 3))):
        if not records:
            break
        index = draw(st.integers(0, len(records) - 1))
        record = records[index]
        paths = _paths(record)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["wrong", "wrong", "offset", "drop", "nest"]))
        if action == "drop" and path:
            records[index] = _drop(record, path)
        elif action == "offset":
            records[index] = _replace(record, path, draw(st.one_of(st.integers(-5, 5000), st.sampled_from([-(10**30), 10**30, 2**63, 2**31]))))
        elif action == "nest":
            records[index] = _replace(record, path, _nested(draw(st.integers(10, 800))))
        else:
            records[index] = _replace(record, path, draw(st.sampled_from(WRONG_VALUES)))
    text = "\n".join(json.dumps(r, ensure_ascii=draw(st.booleans())) for r in records) if as_lines else json.dumps(records)
    if draw(st.integers(0, 9)) == 0:  # arrays nested deeper than any recursion limit
        depth = draw(st.sampled_from([2000, 20_000, 200_000]))
        text += "\n" + "[" * depth + "]" * depth
    return text.encode("utf-8", "surrogatepass")


def json_inputs(seed: bytes, as_lines: bool) -> st.SearchStrategy[bytes]:
    text = seed.decode("utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()] if as_lines else json.loads(text)
    if not as_lines and not isinstance(records, list):
        records = [records]
    return st.one_of(json_mutation(records, as_lines), json_mutation(records, as_lines), byte_mutations(seed), random_bytes)


# ------------------------------------------------------------------------------ generated


random_bytes = st.binary(min_size=0, max_size=4000)

random_text_bytes = st.tuples(
    st.text(min_size=0, max_size=2000),
    st.sampled_from(["utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252", "shift_jis", "utf-8-sig"]),
).map(lambda p: p[0].encode(p[1], "ignore") if p[1] != "utf-8" else p[0].encode("utf-8", "surrogatepass"))

_TAGS = ["div", "p", "span", "article", "section", "table", "td", "li", "ul", "b", "i", "h1", "title", "script", "style", "iframe", "img",
         "svg", "math", "template", "noscript", "object", "embed", "link", "meta", "base", "a", "form", "select", "textarea", "frameset"]
_ATTRS = [
    'src="http://example.invalid/tracker.png"',
    'href="https://example.invalid/style.css" rel="stylesheet"',
    'onload="fetch(\'https://example.invalid/x\')"',
    'style="background:url(http://example.invalid/bg.png)"',
    'charset="utf-7"',
    'http-equiv="refresh" content="0; url=http://example.invalid/"',
    'class="article-body"',
    'srcset="http://example.invalid/a.png 2x"',
    'data="http://example.invalid/movie.swf"',
]


@st.composite
def html_documents(draw: st.DrawFn) -> bytes:
    parts: list[str] = [draw(st.sampled_from(["", "<!DOCTYPE html>", "<?xml version='1.0'?>", "\ufeff"]))]
    parts.append(f'<html><head><meta charset="{draw(st.sampled_from(["utf-8", "latin-1", "utf-16", "x-bogus", "utf-7", ""]))}">')
    parts.append(f"<title>{draw(st.text(max_size=60))}</title></head><body>")
    depth = draw(st.sampled_from([0, 3, 50, 300, 3000, 30_000]))
    tag = draw(st.sampled_from(["div", "span", "b", "table", "p"]))
    parts.append(f"<{tag}>" * depth)
    for _ in range(draw(st.integers(0, 25))):
        name = draw(st.sampled_from(_TAGS))
        attrs = " ".join(draw(st.lists(st.sampled_from(_ATTRS), max_size=3)))
        body = draw(st.text(max_size=200))
        closed = draw(st.booleans())
        parts.append(f"<{name} {attrs}>{body}" + (f"</{name}>" if closed else ""))
    parts.append(f"</{tag}>" * draw(st.integers(0, depth)))
    if draw(st.booleans()):
        parts.append("<p>" + "Officials said the talks would resume. " * draw(st.integers(1, 40)) + "</p>")
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    return "".join(parts).encode(encoding, "surrogatepass" if encoding == "utf-8" else "replace")


@st.composite
def conll_documents(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append("")
        elif kind == 1:
            lines.append("-DOCSTART- -X- -X- O")
        else:
            token = draw(st.text(min_size=0, max_size=12))
            tag = draw(st.sampled_from(["O", "B-PER", "I-PER", "I-ORG", "E-LOC", "S-MISC", "L-X", "U-Y", "B-", "I-", "X-FOO", "B-PER-I", "", "-"]))
            columns = draw(st.sampled_from([[token, tag], [token, "NN", "B-NP", tag], [token], [token, tag, tag, tag, tag, tag]]))
            lines.append(draw(st.sampled_from(["\t", " ", "  "])).join(columns))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@st.composite
def brat_ann(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from("TTTTERAN#*M?"))
        number = draw(st.integers(0, 40))
        offset = st.one_of(st.integers(-3, 400), st.sampled_from([10**30, 2**63, -(2**63)]))
        if kind == "T":
            fragments = ";".join(f"{draw(offset)} {draw(offset)}" for _ in range(draw(st.integers(1, 3))))
            label = draw(st.sampled_from(["Source", "Cue", "Content", "PERSON", "", "Org Name"]))
            lines.append(f"T{number}\t{label} {fragments}\t{draw(st.text(max_size=30))}")
        elif kind == "E":
            args = " ".join(f"{draw(st.sampled_from(['Attribution', 'Source', 'Cue', 'Content2', 'X', '']))}:{draw(st.sampled_from(['T1', 'T2', 'T99', 'E1', '']))}" for _ in range(draw(st.integers(0, 4))))
            lines.append(f"E{number}\t{args}")
        elif kind == "R":
            lines.append(f"R{number}\t{draw(st.sampled_from(['speaker', 'Located']))} Arg1:T{draw(st.integers(0, 5))} Arg2:T{draw(st.integers(0, 5))}")
        elif kind in "AM":
            lines.append(f"{kind}{number}\tNegated T{draw(st.integers(0, 5))}")
        elif kind == "N":
            lines.append(f"N{number}\tReference T{draw(st.integers(0, 5))} Wikipedia:123\tx")
        elif kind == "#":
            lines.append(f"#{number}\tAnnotatorNotes T{draw(st.integers(0, 5))}\t{draw(st.text(max_size=20))}")
        else:
            lines.append(draw(st.text(max_size=40)))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@st.composite
def tsv_documents(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from(["Sentence_id\tText\tclass_label", "id\ttweet_text", "Text\tclass_label", "", "a\tb\tc"]))
    rows = [header]
    cell = st.one_of(st.text(max_size=30), st.sampled_from(['"', '""', '"unclosed', "Yes", "No", "maybe", "\x00", "x" * 140_000]))
    for _ in range(draw(st.integers(0, 20))):
        rows.append("\t".join(draw(st.lists(cell, min_size=0, max_size=5))))
    return "\n".join(rows).encode("utf-8", "surrogatepass")
