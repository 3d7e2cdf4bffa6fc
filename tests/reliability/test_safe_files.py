"""Safe files: an export never replaces a file unless told to (the app asks, the command line needs
--force), and nothing is written outside the chosen folder — whatever the articles' titles, ids or the
file names they were imported under (brat writes one pair of files per article).

The app's question (answered both ways) is in test_error_dialog.py with the rest of the window;
backups' refusal to overwrite is in test_backups.py.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmark.formats import brat
from newsmark.formats.interchange import AtomicDirectory, plain_name_problem, safe_file_stem
from newsmark.model import AnnotatedDocument, NewDocument, ReviewStatus, Span, SpanStatus
from newsmark.services.interchange import available_formats, export
from newsmark.store import Library
from newsmark.store.interchange import ExportQuery, add_annotated
from reliability.helpers import cli

EVERYTHING = ExportQuery(statuses=(), span_statuses=(SpanStatus.ACCEPTED,))

HOSTILE_NAMES = [
    "../../victim",
    "..\\..\\victim",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "a\x00b",
    "CON",
    "nul.txt",
    "Com1",
    "LPT9.tar",
    "COM\u00b9",
    "..",
    ".",
    ".hidden",
    "-",
    "   ",
    "",
    "👋🙂",
    "x" * 1000,
    "\U00020000" * 300,  # 4 bytes each in UTF-8
    "Straße",
    "STRASSE",
    "caf\u00e9",
    "cafe\u0301",  # the same name, decomposed
    "annotation",
    "trailing dot.",
    "tab\tand\nnewline",
    'wild*card?"<pipe>|',
]


def _docs(names: list[str], *, as_file_name: bool) -> list[AnnotatedDocument]:
    docs = []
    for i, name in enumerate(names):
        text = f"Article {i}: Ana Díaz spoke in Łódź."
        meta = {"brat": {"file": name}} if as_file_name else {}
        docs.append(
            AnnotatedDocument(
                NewDocument(text=text, title=name if not as_file_name else f"t{i}", meta=meta),
                [Span(13, 21, "PERSON", status=SpanStatus.ACCEPTED)],
                status=ReviewStatus.DONE,
            )
        )
    return docs


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _check_folder(out: Path, expected_docs: int) -> list[str]:
    """Every file is a plain, portable name directly in ``out``; the names are unique however a disk compares them."""
    children = list(out.iterdir())
    assert all(p.is_file() and p.parent == out for p in children)
    names = [p.name for p in children]
    for name in names:
        assert plain_name_problem(name) is None, name
        assert len(name.encode("utf-8")) <= 255
    folded = {unicodedata.normalize("NFC", n).casefold() for n in names}
    assert len(folded) == len(names)  # no two differ only in case or composition
    assert len(names) == 2 * expected_docs + 1  # a .txt and an .ann per article, and annotation.conf
    return names


@pytest.mark.parametrize("as_file_name", [False, True], ids=["titles", "imported-file-names"])
def test_hostile_titles_and_file_names_never_leave_the_export_folder(tmp_path: Path, as_file_name: bool) -> None:
    """Exported without library ids (as a brat folder read from elsewhere would be), so the names come from the titles/files."""
    root = tmp_path / "a" / "b"
    root.mkdir(parents=True)
    victim = tmp_path / "victim"  # where ../../victim would land from root/export
    names = HOSTILE_NAMES + [str(victim), str(victim) + ".ann"]
    out = root / "export"
    docs = _docs(names, as_file_name=as_file_name)
    writer = brat.writer(out)
    for doc in docs:
        writer.write(doc)
    writer.commit()
    written = _check_folder(out, len(docs))
    assert not victim.exists() and not (tmp_path / "victim.ann").exists()
    assert _files_under(tmp_path) == {out / n for n in written}  # nothing anywhere else
    # and the folder reads back, every article whole
    back = [item for item in brat.read(out) if isinstance(item, AnnotatedDocument)]
    assert sorted(d.text for d in back) == sorted(d.text for d in docs)
    assert {n.rsplit(".", 1)[0] for n in written} >= {"_CON", "_nul.txt", "_Com1", "_COM\u00b9", "etc-passwd", "victim"}


def test_the_export_service_with_a_library_writes_only_inside_the_chosen_folder(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib.sqlite") as lib:
        add_annotated(lib, _docs(HOSTILE_NAMES, as_file_name=True))
        before = _files_under(tmp_path)
        out = tmp_path / "chosen"
        summary = export(lib, "brat", out, EVERYTHING)
    assert summary.documents == len(HOSTILE_NAMES)
    written = _check_folder(out, len(HOSTILE_NAMES))
    after = _files_under(tmp_path) - before
    assert {p for p in after if not p.name.startswith("lib.sqlite")} == {out / n for n in written}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(names=st.lists(st.text(min_size=0, max_size=120), min_size=1, max_size=6))
def test_any_names_at_all_stay_plain_unique_and_inside(tmp_path_factory: pytest.TempPathFactory, names: list[str]) -> None:
    base = tmp_path_factory.mktemp("names")
    out = base / "deep" / "export"
    docs = _docs(names, as_file_name=True) + _docs(names, as_file_name=False)
    with brat.writer(out) as writer:
        for doc in docs:
            writer.write(doc)
    written = _check_folder(out, len(docs))
    assert _files_under(base) == {out / n for n in written}


@given(value=st.text(max_size=400))
def test_safe_file_stem_is_plain_short_and_idempotent(value: str) -> None:
    stem = safe_file_stem(value)
    assert safe_file_stem(stem) == stem
    if stem:
        assert plain_name_problem(stem + ".ann") is None
        assert len(stem) <= 80 and len(stem.encode("utf-8")) <= 180
        assert not stem.startswith((".", "-"))


@pytest.mark.parametrize(
    "name",
    ["../x.txt", "a/b.txt", "a\\b.txt", "/abs.txt", "", ".", "..", "CON.txt", "aux", "x\x00.txt", "x:y", "y.", " y", "z" * 256],
)
def test_the_export_folder_refuses_any_name_that_is_not_plain(tmp_path: Path, name: str) -> None:
    folder = AtomicDirectory(tmp_path / "out")
    try:
        with pytest.raises(ValueError, match="not a plain file name"):
            folder.file(name)
    finally:
        folder.abort()
    assert list(tmp_path.iterdir()) == []


def test_brat_is_the_only_format_that_writes_a_file_per_article() -> None:
    """If another format learns to write a folder, its names need the same checks as brat's (above)."""
    assert [f.name for f in available_formats() if f.can_write and f.directory] == ["brat"]


# ---------------------------------------------------------------------- never replaced without being told


def _library_with_done_work(db: Path) -> None:
    with Library.open(db) as lib:
        add_annotated(lib, _docs(["First", "Second"], as_file_name=False))


def test_the_command_line_refuses_to_replace_a_file_without_force(db_path: Path, tmp_path: Path) -> None:
    _library_with_done_work(db_path)
    out = tmp_path / "train.jsonl"
    out.write_bytes(b"the user's own file\n")
    refused = cli(db_path, "export", "-o", str(out))
    assert refused.exit_code == 1
    assert f"Error: {out} already exists; choose another name or add --force" in refused.output
    assert out.read_bytes() == b"the user's own file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.sqlite", "train.jsonl"]  # no temporary file left

    replaced = cli(db_path, "export", "-o", str(out), "--force")
    assert replaced.exit_code == 0 and "Exported 2 articles" in replaced.output
    assert out.read_bytes().count(b"\n") == 2 and b"the user's own file" not in out.read_bytes()


def test_a_folder_export_never_mixes_with_files_even_with_force(db_path: Path, tmp_path: Path) -> None:
    _library_with_done_work(db_path)
    folder = tmp_path / "brat-out"
    folder.mkdir()
    (folder / "mine.txt").write_text("the user's file", encoding="utf-8")
    for extra in ([], ["--force"]):
        result = cli(db_path, "export", "--format", "brat", "-o", str(folder), *extra)
        assert result.exit_code == 1 and "choose a new folder" in result.output
    assert [p.name for p in folder.iterdir()] == ["mine.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli(db_path, "export", "--format", "brat", "-o", str(empty)).exit_code == 0  # an empty folder is fine
    assert len(list(empty.iterdir())) == 5


def test_the_service_refuses_by_default_and_a_file_that_appears_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib.sqlite") as lib:
        add_annotated(lib, _docs([f"A{i}" for i in range(30)], as_file_name=False))
        existing = tmp_path / "there.jsonl"
        existing.write_text("keep me", encoding="utf-8")
        with pytest.raises(FileExistsError, match="replaces a file only when told to"):
            export(lib, "newsmark", existing, EVERYTHING)
        assert existing.read_text(encoding="utf-8") == "keep me"

        late = tmp_path / "late.jsonl"

        def someone_else_writes(progress) -> None:  # type: ignore[no-untyped-def]
            if not late.exists():
                late.write_text("written by another program while the export ran", encoding="utf-8")

        with pytest.raises(FileExistsError):
            export(lib, "newsmark", late, EVERYTHING, on_progress=someone_else_writes, progress_every=0)
        assert late.read_text(encoding="utf-8") == "written by another program while the export ran"
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

        summary = export(lib, "newsmark", existing, EVERYTHING, replace=True)
        assert summary.documents == 30 and "keep me" not in existing.read_text(encoding="utf-8")


def test_the_cli_export_is_written_whole_with_permissions_of_a_normal_file(db_path: Path, tmp_path: Path) -> None:
    """The temporary file (made private by mkstemp) becomes an ordinary file: readable by the user's other tools."""
    _library_with_done_work(db_path)
    out = tmp_path / "t.jsonl"
    assert cli(db_path, "export", "-o", str(out)).exit_code == 0
    mode = out.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask, oct(mode)
