"""Importing into a library: batches with bad files, pasted text, and the first-start samples."""

from __future__ import annotations

from pathlib import Path

from newsmark.model import ProblemKind
from newsmark.paths import seeds_dir
from newsmark.services.importer import import_paths, import_text, load_seeds_if_new
from newsmark.store import Library


def test_a_batch_imports_what_it_can_and_names_the_rest(library: Library, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Officials said the port reopened.\r\nTrade resumed.", encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><head><title>Storm hits coast</title><script>alert(1)</script></head><body>"
        "<article><h1>Storm hits coast</h1><p>" + "The storm reached the coast on Monday night, officials said. " * 8 + "</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "lines.jsonl").write_text('{"text": "First line article."}\nnot json\n{"meta": {}}\n', encoding="utf-8")
    (tmp_path / "blob.txt").write_bytes(b"\x00\xff\x00\xfe" * 100)
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    progress: list[tuple[int, int]] = []
    summary = import_paths(library, [tmp_path], on_progress=lambda p: progress.append((p.files_done, p.files_total)))

    titles = sorted(r.title for r in summary.added)
    assert titles == ["First line article.", "Officials said the port reopened.", "Storm hits coast"]
    errors = sorted(str(p) for p in summary.errors)
    assert any(e.startswith(f"{tmp_path / 'lines.jsonl'}:2: error") for e in errors)
    assert any(e.startswith(f"{tmp_path / 'lines.jsonl'}:3: error") and "text" in e for e in errors)
    assert any("blob.txt" in e and "binary" in e for e in errors)
    assert any("empty.md" in e and "empty" in e for e in errors)
    assert summary.files == 5 and progress[-1] == (5, 5)
    # Stored text is normalised; the page's script never reaches it.
    good = next(r for r in summary.added if r.title.startswith("Officials"))
    assert library.get_document(good.doc_id).text == "Officials said the port reopened.\nTrade resumed."
    page = next(r for r in summary.added if r.title == "Storm hits coast")
    assert "alert" not in library.get_document(page.doc_id).text
    assert summary.headline() == "3 added, 4 not imported (from 5 files)"

    again = import_paths(library, [tmp_path / "good.txt"])
    assert again.added == [] and len(again.duplicates) == 1
    assert any(line.endswith(f"same text as document {good.doc_id}; not added again") for line in again.details())


def test_cancel_stops_between_files_and_keeps_what_was_done(library: Library, tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(f"Article {i} text.", encoding="utf-8")
    seen: list[int] = []
    summary = import_paths(library, [tmp_path], on_progress=lambda p: seen.append(p.files_done), should_cancel=lambda: len(seen) >= 2)
    assert summary.cancelled and len(summary.added) == 2
    assert library.document_count() == 2
    assert summary.headline().endswith("— cancelled")


def test_pasted_text_becomes_an_article(library: Library) -> None:
    summary = import_text(library, "Breaking: the bridge is closed.\r\n\r\nMore soon.", title=None)
    doc = library.get_document(summary.added[0].doc_id)
    assert doc.text == "Breaking: the bridge is closed.\n\nMore soon."
    assert doc.title == "Breaking: the bridge is closed."
    empty = import_text(library, "   ")
    assert empty.added == [] and empty.problems[0].kind == ProblemKind.ERROR


def test_first_start_loads_the_samples_once(library: Library) -> None:
    summary = load_seeds_if_new(library)
    assert summary is not None and summary.errors == []
    docs = {d.title: d for d in library.list_documents()}
    expected_files = sorted(p.name for p in seeds_dir().iterdir() if not p.name.endswith(".meta.json"))
    assert len(docs) == len(expected_files) == 3
    ceasefire = library.get_document(docs["Netanyahu authorizes detailed negotiations on a ceasefire and hostage-release deal with Hamas"].id)
    assert ceasefire.source == "CNN" and ceasefire.published == "2024-07"
    assert ceasefire.text == (seeds_dir() / "ceasefire-negotiations.txt").read_text(encoding="utf-8")
    assert ceasefire.meta["sample"] is True
    # Not again: neither on the next start nor after the user deleted the samples.
    assert load_seeds_if_new(library) is None
    for d in library.list_documents():
        library.delete_document(d.id)
    assert load_seeds_if_new(library) is None and library.document_count() == 0


def test_a_library_that_already_has_articles_gets_no_samples(library: Library) -> None:
    import_text(library, "My own article.")
    assert load_seeds_if_new(library) is None
    assert library.document_count() == 1
