"""Bad input, fuzzed: every importer either imports a file or rejects it with a located problem —
it never raises, never hangs the import, and never leaves half a document in the library.

Targets (each a parametrised test, each input written to a file and imported the
way the app and ``newsmark import`` do, into a scratch library):

- the article importers through :func:`newsmark.services.importer.import_paths`
  (``.txt``, ``.md``, ``.html``, ``.jsonl``, ``.pdf``, ``.docx``);
- every annotation format in :data:`ANNOTATION_FORMATS` through
  :func:`newsmark.services.interchange.import_annotations` — adding a reader to
  the fuzzer is one line there; its seed file is written by the format's own writer;
- the gold readers of the evaluation (brat ``.ann`` as PolNeAR has it, CheckThat! TSV).

Checked for every input: no exception escapes; every problem names the file (and
a line ≥ 1 when it has one) and says something; something happened (imported,
already there, or an error); the library gained exactly the documents reported
added, each whole — its text non-empty and normalised and, for annotation files,
exactly the marks and links the reader read for it — and the library passes its
integrity check at the end.

``NEWSMARK_FUZZ_EXAMPLES`` sets the number of inputs per target (default 100;
docs/reliability.md reports a run of 2,000 per target).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import time
import types
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmark.formats.articles import read_articles
from newsmark.model import AnnotatedDocument, ClaimType, NewDocument, Origin, Problem, Relation, RelationLabel, Span, SpanKind, SpanStatus
from newsmark.services.importer import import_paths
from newsmark.services.interchange import format_module, import_annotations
from newsmark.store import Library
from newsmark.text import normalize_text, text_hash
from reliability import fuzz_inputs as fi

EXAMPLES = int(os.environ.get("NEWSMARK_FUZZ_EXAMPLES", "100"))
SLOW_INPUT_SECONDS = 30.0  # one input taking longer than this to import is a failure (a hang, or close to one)

# The annotation formats: services.interchange's name for it -> the suffix of a file of it.
# Adding a reader to the fuzzer is one line here (its seed file comes from its own writer).
ANNOTATION_FORMATS: dict[str, str] = {
    "newsmark": ".jsonl",
    "prodigy": ".jsonl",
    "doccano": ".jsonl",
    "label-studio": ".json",
    "brat": ".ann",
    "conll": ".conll",
    "spacy": ".spacy",
}

pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)

SAMPLE = (
    "Basem Naim, a member of Hamas' political bureau, told CNN there is nothing official.\n\n"
    "“We will not accept any deal that does not end the war,” he said on Monday in Doha. 😀 東京 مرحبا"
)


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A folder for the inputs and the library: in memory (/dev/shm) where there is one, so fsyncs cost nothing."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix="newsmark-fuzz-", dir=base))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class Inputs:
    """Numbered input files in a folder, one per example."""

    def __init__(self, folder: Path):
        self.folder = folder / "inputs"
        self.folder.mkdir()
        self.count = 0

    def write(self, suffix: str, data: bytes, name: str = "input") -> Path:
        self.count += 1
        where = self.folder / str(self.count)
        where.mkdir()
        path = where / f"{name}{suffix}"
        path.write_bytes(data)
        return path


def _located(problem: Problem, allowed: set[str]) -> None:
    assert isinstance(problem, Problem), problem
    assert problem.path in allowed, f"a problem names {problem.path!r}, not the input ({sorted(allowed)})"
    assert problem.message and problem.message.strip(), "a problem says what is wrong"
    assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1), problem


def _report(name: str, stats: Counter) -> None:
    print(f"\nfuzz {name}: {stats['inputs']} inputs — {stats['imported']} imported, {stats['duplicate']} already there, "
          f"{stats['rejected']} rejected with a located error, {stats['warnings']} warnings; slowest {stats['slowest_ms']} ms")


SLOW_KEEP_SECONDS = 5.0  # inputs slower than this are kept in tests/_artifacts/fuzz-slow/ to look at
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts" / "fuzz-slow"


def _timed(stats: Counter, work: Callable[[], object], path: Path) -> object:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    stats["slowest_ms"] = max(stats["slowest_ms"], round(elapsed * 1000))
    if elapsed > SLOW_KEEP_SECONDS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for file in path.parent.iterdir():
            shutil.copyfile(file, ARTIFACTS / f"{elapsed:.1f}s-{path.parent.name}-{file.name}")
    assert elapsed < SLOW_INPUT_SECONDS, f"one input took {elapsed:.0f} s"
    return result


# ------------------------------------------------------------------------------ articles


def _pdf_seed(folder: Path) -> bytes:
    from formats.article_helpers import make_pdf

    return make_pdf(folder / "seed.pdf", [["Talks resume in Cairo", "Officials said on Monday."], ["Second page."]], title="Talks").read_bytes()


def _docx_seed(folder: Path) -> bytes:
    from formats.article_helpers import make_docx

    return make_docx(folder / "seed.docx", ["Talks resume in Cairo", SAMPLE], title="Talks", table=[["a", "b"], ["c", "d"]]).read_bytes()


HTML_SEED = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Talks resume</title>"
    "<meta name='author' content='A. Writer'><meta property='og:site_name' content='Gazette'>"
    "<link rel='stylesheet' href='https://example.invalid/s.css'><script>fetch('https://example.invalid')</script></head>"
    "<body><nav>Home | World</nav><article><h1>Talks resume</h1>"
    + "".join(f"<p>{line}</p>" for line in SAMPLE.split("\n\n"))
    + "<img src='http://example.invalid/p.png'></article><footer>© Gazette</footer></body></html>"
).encode()
JSONL_SEED = "\n".join(
    '{"text": %s, "meta": {"title": "T%d", "source": "Wire", "published": "2024-07-05"}}' % (__import__("json").dumps(SAMPLE + f" ({i})"), i)
    for i in range(3)
).encode()

XML_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&f;&f;&f;</w:t></w:r></w:p></w:body></w:document>'
)


def _rezip(seed: bytes, member: str, data: bytes) -> bytes:
    """The Word file ``seed`` with one of its parts replaced (a well-formed zip around a broken part)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == member else source.read(info.filename))
    return out.getvalue()


def _docx_inputs(folder: Path) -> st.SearchStrategy[bytes]:
    import zipfile

    seed = _docx_seed(folder)
    with zipfile.ZipFile(folder / "seed.docx") as docx:
        parts = {name: docx.read(name) for name in ("word/document.xml", "docProps/core.xml", "[Content_Types].xml")}
    nested = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' + b"<w:tbl><w:tr><w:tc>" * 3000 + b"</w:body></w:document>"
    broken_part = st.sampled_from(sorted(parts)).flatmap(
        lambda name: st.one_of(fi.byte_mutations(parts[name]), st.sampled_from([XML_BOMB, nested, b"", b"\x00" * 100])).map(lambda data: _rezip(seed, name, data))
    )
    return st.one_of(broken_part, broken_part, fi.byte_mutations(seed), fi.random_bytes.map(lambda b: b"PK\x03\x04" + b))


ARTICLE_INPUTS: dict[str, Callable[[Path], st.SearchStrategy[bytes]]] = {
    ".txt": lambda _: st.one_of(fi.byte_mutations(SAMPLE.encode()), fi.random_text_bytes, fi.random_bytes),
    ".md": lambda _: st.one_of(fi.byte_mutations(("# Talks resume\n\n" + SAMPLE).encode()), fi.random_text_bytes, fi.random_bytes),
    ".html": lambda _: st.one_of(fi.byte_mutations(HTML_SEED), fi.html_documents(), fi.html_documents(), fi.random_bytes),
    ".jsonl": lambda _: fi.json_inputs(JSONL_SEED, as_lines=True),
    ".pdf": lambda folder: st.one_of(fi.byte_mutations(_pdf_seed(folder)), fi.random_bytes.map(lambda b: b"%PDF-1.4\n" + b)),
    ".docx": _docx_inputs,
}


class Recorder:
    """Wraps a reader so that what it yielded during the import can be compared with what was stored (no second read)."""

    def __init__(self, read: Callable[[Path], Iterator[object]]):
        self.read = read
        self.items: list[object] = []

    def __call__(self, path: Path) -> Iterator[object]:
        for item in self.read(path):
            self.items.append(item)
            yield item

    def take(self) -> list[object]:
        items, self.items = self.items, []
        return items


def check_article_import(library: Library, path: Path, stats: Counter, recorder: Recorder) -> None:
    before = library.document_count()
    summary = _timed(stats, lambda: import_paths(library, [path]), path)
    read = [item for item in recorder.take() if isinstance(item, NewDocument)]
    for problem in summary.problems:  # type: ignore[attr-defined]
        _located(problem, {str(path)})
    assert summary.added or summary.duplicates or summary.errors, "an input that is neither imported nor rejected"  # type: ignore[attr-defined]
    assert library.document_count() == before + len(summary.added)  # type: ignore[attr-defined]
    read_texts = {d.text for d in read}
    for result in summary.added:  # type: ignore[attr-defined]
        stored = library.get_document(result.doc_id)
        assert stored.text.strip() and normalize_text(stored.text) == stored.text
        assert stored.text in read_texts, "the stored text is exactly what the importer read"
    stats["inputs"] += 1
    stats["imported"] += len(summary.added)  # type: ignore[attr-defined]
    stats["duplicate"] += len(summary.duplicates)  # type: ignore[attr-defined]
    stats["rejected"] += len(summary.errors)  # type: ignore[attr-defined]
    stats["warnings"] += len(summary.warnings)  # type: ignore[attr-defined]


@pytest.mark.parametrize("suffix", list(ARTICLE_INPUTS))
def test_article_importer_survives_bad_input(suffix: str, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = Library.open(scratch / "fuzz.sqlite")
    inputs = Inputs(scratch)
    stats: Counter = Counter()
    recorder = Recorder(read_articles)
    monkeypatch.setattr("newsmark.services.importer.read_articles", recorder)

    @SETTINGS
    @given(data=ARTICLE_INPUTS[suffix](scratch))
    def run(data: bytes) -> None:
        check_article_import(library, inputs.write(suffix, data), stats, recorder)

    try:
        run()
        assert library.integrity_check() == []
    finally:
        library.close()
    _report(f"articles {suffix}", stats)


# ------------------------------------------------------------------------------ annotation formats


def _sample_document() -> AnnotatedDocument:
    text = normalize_text(SAMPLE)
    start_claim = text.index("“")
    spans = [
        Span(0, 10, "PERSON", status=SpanStatus.ACCEPTED, origin=Origin.USER),
        Span(text.index("Hamas"), text.index("Hamas") + 5, "ORG", status=SpanStatus.ACCEPTED, origin=Origin.USER),
        Span(text.index("CNN"), text.index("CNN") + 3, "ORG", status=SpanStatus.SUGGESTED, score=0.7),
        Span(text.index("Doha"), text.index("Doha") + 4, "GPE", status=SpanStatus.REJECTED),
        Span(start_claim, text.index("”") + 1, "CLAIM", kind=SpanKind.CLAIM, claim_type=ClaimType.DIRECT_QUOTE, status=SpanStatus.ACCEPTED),
        Span(text.index("he said"), text.index("he said") + 2, "SOURCE", kind=SpanKind.SOURCE, status=SpanStatus.ACCEPTED),
    ]
    relations = [Relation(4, 5, RelationLabel.SPEAKER, origin=Origin.USER)]
    return AnnotatedDocument(NewDocument(text=text, title="Talks", source="Gazette"), spans, relations, tags=["check"])


def annotation_seed(name: str, folder: Path) -> dict[str, bytes]:
    """A valid file of the format, written by its own writer: {file name: bytes}."""
    module = format_module(name)
    out = folder / f"seed-{name}"
    target = out if getattr(module, "DIRECTORY", False) else out.with_suffix(ANNOTATION_FORMATS[name])
    writer = module.writer(target)
    second = _sample_document()
    second.document.text = second.document.text + " Second copy."
    for doc in (_sample_document(), second):
        writer.write(doc)
    writer.commit()
    files = sorted(p for p in out.rglob("*") if p.is_file()) if target.is_dir() else [target]
    return {p.name: p.read_bytes() for p in files}


def annotation_inputs(name: str, seed: dict[str, bytes]) -> st.SearchStrategy[dict[str, bytes]]:
    """{file name: bytes} of one input; the first file named is the one imported."""
    suffix = ANNOTATION_FORMATS[name]
    main_name = next(n for n in seed if n.endswith(suffix))
    main = seed[main_name]
    if suffix == ".jsonl":
        strategy = fi.json_inputs(main, as_lines=True)
    elif suffix == ".json":
        strategy = fi.json_inputs(main, as_lines=False)
    elif suffix == ".conll":
        strategy = st.one_of(fi.byte_mutations(main), fi.conll_documents(), fi.random_bytes)
    elif suffix == ".ann":
        strategy = st.one_of(fi.byte_mutations(main), fi.brat_ann(), fi.random_bytes)
    else:
        strategy = st.one_of(fi.byte_mutations(main), fi.random_bytes)
    others = {n: b for n, b in seed.items() if n != main_name and n.startswith(Path(main_name).stem)}
    if not others:
        return strategy.map(lambda data: {main_name: data})
    # the files that go with it (brat's .txt): as written, or mutated too
    companions = st.one_of(st.just(others), st.fixed_dictionaries({n: st.one_of(st.just(b), fi.byte_mutations(b)) for n, b in others.items()}))
    return st.tuples(strategy, companions).map(lambda p: {main_name: p[0], **p[1]})


def _table_count(library: Library) -> tuple[int, int, int]:
    with library.engine.connect() as conn:
        return tuple(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one() for t in ("documents", "spans", "relations"))  # type: ignore[return-value]


def check_annotation_import(library: Library, name: str, files: dict[str, Path], stats: Counter, recorder: Recorder) -> None:
    path = next(iter(files.values()))
    allowed = {str(p) for p in files.values()} | {str(path.parent)}
    before_docs, before_spans, before_relations = _table_count(library)
    summary = _timed(stats, lambda: import_annotations(library, [path], fmt=name), path)
    read = recorder.take()
    for item in read:
        assert isinstance(item, (AnnotatedDocument, Problem)), item
    docs_read = {text_hash(d.document.text): d for d in read if isinstance(d, AnnotatedDocument)}
    for problem in summary.problems:  # type: ignore[attr-defined]
        _located(problem, allowed)
    assert summary.added or summary.duplicates or summary.errors or summary.warnings or not docs_read  # type: ignore[attr-defined]
    docs, spans, relations = _table_count(library)
    assert docs == before_docs + len(summary.added)  # type: ignore[attr-defined]
    assert (spans - before_spans, relations - before_relations) == (summary.spans, summary.relations)  # type: ignore[attr-defined]
    for result in summary.added:  # type: ignore[attr-defined]
        stored = library.get_document(result.doc_id)
        source = docs_read.get(stored.text_hash)
        assert source is not None, "a stored document is one the reader read"
        stored_spans = library.spans(stored.id)
        assert len(stored_spans) == len(source.spans), "each document lands with all of its marks, or not at all"
        assert all(0 <= s.start < s.end <= len(stored.text) for s in stored_spans)
        links = {(r.head, r.tail, str(r.label)) for r in source.relations}
        assert len(library.relations(stored.id)) == len(links)
    stats["inputs"] += 1
    stats["imported"] += len(summary.added)  # type: ignore[attr-defined]
    stats["duplicate"] += len(summary.duplicates)  # type: ignore[attr-defined]
    stats["rejected"] += len(summary.errors)  # type: ignore[attr-defined]
    stats["warnings"] += len(summary.warnings)  # type: ignore[attr-defined]


def _available(name: str) -> bool:
    try:
        format_module(name)
    except Exception:  # noqa: BLE001 - not in this tree (yet)
        return False
    return True


@pytest.mark.parametrize("name", list(ANNOTATION_FORMATS))
def test_annotation_importer_survives_bad_input(name: str, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not _available(name):
        pytest.skip(f"the {name} reader is not in this tree")
    library = Library.open(scratch / "fuzz.sqlite")
    inputs = Inputs(scratch)
    stats: Counter = Counter()
    seed = annotation_seed(name, scratch)
    module = format_module(name)
    recorder = Recorder(module.read)
    proxy = types.SimpleNamespace(**{k: getattr(module, k) for k in dir(module) if not k.startswith("__")})
    proxy.read = recorder
    monkeypatch.setattr("newsmark.services.interchange.format_module", lambda wanted: proxy if wanted == name else format_module(wanted))

    @SETTINGS
    @given(files=annotation_inputs(name, seed))
    def run(files: dict[str, bytes]) -> None:
        inputs.count += 1
        where = inputs.folder / str(inputs.count)
        where.mkdir()
        written = {}
        for file_name, data in files.items():
            (where / file_name).write_bytes(data)
            written[file_name] = where / file_name
        check_annotation_import(library, name, written, stats, recorder)

    try:
        run()
        assert library.integrity_check() == []
    finally:
        library.close()
    _report(f"annotations {name}", stats)


# ------------------------------------------------------------------------------ gold readers


VALID_ANN = (
    "T1\tSource 0 10\tBasem Naim\nT2\tCue 49 57\ttold CNN\nT3\tContent 58 84\tthere is nothing official.\n"
    "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n#1\tAnnotatorNotes T1\tspeaker\n"
).encode()


@given(ann=st.one_of(fi.byte_mutations(VALID_ANN), fi.brat_ann(), fi.random_bytes), txt=st.one_of(st.just(SAMPLE.encode()), fi.byte_mutations(SAMPLE.encode())))
@SETTINGS
def test_brat_gold_reader_survives_bad_input(ann: bytes, txt: bytes) -> None:
    from newsmark.formats.brat_gold import read_ann

    with tempfile.TemporaryDirectory() as folder:
        ann_path, txt_path = Path(folder, "a_ann1.ann"), Path(folder, "a.txt")
        ann_path.write_bytes(ann)
        txt_path.write_bytes(txt)
        doc = read_ann(ann_path, txt_path)
    for problem in doc.problems:
        assert problem.startswith((f"{ann_path}:", f"{txt_path}:")), problem
    text = txt.decode("utf-8", "replace")
    for tb in doc.textbounds.values():
        assert all(0 <= s <= e for s, e in tb.fragments)
        if "not UTF-8" not in " ".join(doc.problems):
            assert all(e <= len(text) for _, e in tb.fragments), tb


VALID_TSV = b'Sentence_id\tText\tclass_label\n1\tThe budget rose by 4 percent.\tYes\n2\t"He said ""hello"" to them."\tNo\n'


@given(data=st.one_of(fi.byte_mutations(VALID_TSV), fi.tsv_documents(), fi.random_bytes))
@SETTINGS
def test_checkworthy_reader_survives_bad_input(data: bytes) -> None:
    from newsmark.formats.checkworthy import CheckworthyFormatError, read_checkworthy

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "cw.tsv")
        path.write_bytes(data)
        try:
            sentences = read_checkworthy(path)
        except CheckworthyFormatError as exc:
            assert str(exc).startswith(f"{path}:"), exc
            return
    for sentence in sentences:
        assert isinstance(sentence.text, str) and sentence.label in (True, False, None)


def test_every_annotation_format_of_the_app_is_fuzzed() -> None:
    """A format added to the import (services.interchange) must be added to ANNOTATION_FORMATS too."""
    from newsmark.services.interchange import FORMAT_MODULES

    missing = set(FORMAT_MODULES) - set(ANNOTATION_FORMATS)
    assert missing == set(), f"add {sorted(missing)} to ANNOTATION_FORMATS"
    for name in ANNOTATION_FORMATS:
        assert importlib.util.find_spec(FORMAT_MODULES[name]) is not None, name
