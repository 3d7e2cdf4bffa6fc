"""newsmark export / newsmark import of annotation files, headless."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmark.cli import main
from newsmark.model import AnnotatedDocument, NewDocument, Origin, Relation, RelationLabel, ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.store import Library
from newsmark.store.interchange import add_annotated


@pytest.fixture
def run(db_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str, db: Path = db_path):  # type: ignore[no-untyped-def]
        return runner.invoke(main, ["--db", str(db), *args], catch_exceptions=False)

    return invoke


def _fill(db_path: Path) -> None:
    text = "Basem Naim told CNN: “We agree.” 👋 The talks go on in Doha on 2024-06-01."
    with Library.open(db_path) as lib:
        add_annotated(
            lib,
            [
                AnnotatedDocument(
                    NewDocument(text=text, title="Talks", published="2024-06-02"),
                    [
                        Span(0, 10, "PERSON", status=SpanStatus.ACCEPTED, origin=Origin.USER),
                        Span(11, 19, "CUE", kind=SpanKind.CUE, status=SpanStatus.ACCEPTED),
                        Span(21, 32, "QUOTE", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED),
                        Span(16, 19, "ORG", status=SpanStatus.REJECTED),
                        Span(55, 59, "GPE", status=SpanStatus.SUGGESTED),
                    ],
                    [Relation(2, 0, RelationLabel.SPEAKER), Relation(2, 1, RelationLabel.CUE)],
                    status=ReviewStatus.DONE,
                    tags=["gaza"],
                ),
                AnnotatedDocument(NewDocument(text="Unreviewed: rain in Lisbon.", title="Rain"), [Span(20, 26, "GPE", status=SpanStatus.ACCEPTED)]),
            ],
        )


def test_export_defaults_filters_and_round_trip(run, db_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _fill(db_path)
    out = tmp_path / "done.jsonl"
    result = run("export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Exported 1 article, 3 marks, 2 relations" in result.output
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [s["label"] for s in record["spans"]] == ["PERSON", "CUE", "QUOTE"] and len(record["relations"]) == 2

    assert run("export", "-o", str(out)).exit_code != 0  # never overwrites without --force
    everything = tmp_path / "all.jsonl"
    result = run("export", "-o", str(everything), "--all", "--with-rejected", "--with-suggested")
    assert "Exported 2 articles, 6 marks, 2 relations" in result.output
    only_people = tmp_path / "people.jsonl"
    assert "1 mark," in run("export", "-o", str(only_people), "--label", "PERSON").output
    # kinds and labels choose marks; the articles stay (an article without such marks is an example of "none here")
    assert "Exported 2 articles, 1 mark, 0 relations" in run("export", "-o", str(tmp_path / "k.jsonl"), "--all", "--kind", "claim").output
    assert "Exported 2 articles, 3 marks, 0 relations" in run("export", "-o", str(tmp_path / "k2.jsonl"), "--all", "--kind", "entity", "--kind", "cue").output
    assert "Exported 1 article, 3 marks" in run("export", "-o", str(tmp_path / "t.jsonl"), "--all", "--tag", "gaza").output
    assert "Nothing to export" in run("export", "-o", str(tmp_path / "t2.jsonl"), "--all", "--tag", "sport").output
    assert "Exported 1 article" in run("export", "-o", str(tmp_path / "d.jsonl"), "--all", "--from", "2024-06-01", "--to", "2024-06-30").output
    nothing = run("export", "-o", str(tmp_path / "none.jsonl"), "--all", "--from", "2025-01-01")
    assert "Nothing to export" in nothing.output and not (tmp_path / "none.jsonl").exists()
    bad = run("export", "-o", str(tmp_path / "x.jsonl"), "--from", "June")
    assert bad.exit_code == 2 and "2024-05-31" in bad.output
    for wrong in ("2024-13-01", "2024-02-30", "2024-00"):  # shaped like a date, but no such day
        bad = run("export", "-o", str(tmp_path / "x.jsonl"), "--to", wrong)
        assert bad.exit_code == 2 and repr(wrong) in bad.output and not (tmp_path / "x.jsonl").exists()
    assert "Exported 1 article" in run("export", "-o", str(tmp_path / "m.jsonl"), "--all", "--from", "2024-06", "--to", "2024").output

    # into a new library and out again: the same bytes
    other = tmp_path / "other.sqlite"
    imported = run("import", str(everything), db=other)
    assert imported.exit_code == 0 and "2 added" in imported.output and "6 marks, 2 relations" in imported.output
    again = tmp_path / "again.jsonl"
    run("export", "-o", str(again), "--all", "--with-rejected", "--with-suggested", db=other)
    assert again.read_bytes() == everything.read_bytes()


def test_every_writable_format_exports(run, db_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from newsmark.services.interchange import available_formats

    _fill(db_path)
    for info in available_formats():
        if not info.can_write:
            continue
        out = tmp_path / ("out-" + info.name + ("" if info.directory else info.extensions[0]))
        result = run("export", "--format", info.name, "-o", str(out), "--all")
        assert result.exit_code == 0, (info.name, result.output)
        assert out.exists() and "Exported 2 articles" in result.output, info.name
        # and each reads back into a fresh library with both articles
        fresh = tmp_path / f"fresh-{info.name}.sqlite"
        back = run("import", "--format", info.name, str(out), db=fresh)
        assert back.exit_code == 0 and "2 added" in back.output, (info.name, back.output)


def test_import_tells_annotations_from_articles_in_one_folder(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "article.txt").write_text("Snow fell in Oslo on Monday.\n", encoding="utf-8")
    (folder / "article.txt.meta.json").write_text(json.dumps({"title": "Snow in Oslo"}), encoding="utf-8")  # its sidecar
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")  # not something Newsmark reads: skipped, as in any folder
    (folder / "plain.jsonl").write_text(json.dumps({"text": "A plain article line.", "meta": {"title": "Plain"}}) + "\n", encoding="utf-8")
    (folder / "prodigy.jsonl").write_text(
        json.dumps({"text": "Ana Díaz spoke.", "spans": [{"start": 0, "end": 8, "label": "PERSON"}], "answer": "accept", "_input_hash": 5}) + "\n"
        + "{broken\n",
        encoding="utf-8",
    )
    result = run("import", "--no-annotate", str(folder))
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output and "1 mark," in result.output
    assert "prodigy.jsonl:2" in result.output  # the bad line is named, the rest imported
    assert "meta.json" not in result.output and "notes.csv" not in result.output and "1 not imported" in result.output  # only the broken line
    with Library.open(tmp_path / "library.sqlite") as lib:
        assert "Snow in Oslo" in [d.title for d in lib.list_documents()]  # the sidecar was read with its article


def test_spacy_train_runs_on_an_exported_file(run, db_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What docs/formats.md tells a spaCy user to do: `spacy init config`, then `spacy train` on the export."""
    import spacy
    from spacy.cli.init_config import init_config
    from spacy.cli.train import train

    _fill(db_path)
    out = tmp_path / "export.spacy"
    assert run("export", "--format", "spacy", "--all", "--out", str(out)).exit_code == 0
    config = init_config(lang="en", pipeline=["ner", "spancat"], optimize="efficiency")
    config["components"]["spancat"]["spans_key"] = "claims"  # claims are in doc.spans["claims"]
    config.to_disk(tmp_path / "config.cfg")
    overrides = {"paths.train": str(out), "paths.dev": str(out), "training.max_steps": 2, "training.eval_frequency": 1}
    train(tmp_path / "config.cfg", tmp_path / "model", overrides=overrides)

    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "GPE"}  # the accepted entities of the export
    assert set(nlp.get_pipe("spancat").labels) == {"QUOTE"}  # and its claims


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_export_shows_a_progress_bar_in_a_terminal(db_path: Path, tmp_path: Path) -> None:
    _fill(db_path)
    out = tmp_path / "export.jsonl"
    code = "import sys; from newsmark.cli import main; sys.exit(main())"
    args = [sys.executable, "-c", code, "--db", str(db_path), "export", "--all", "--out", str(out)]

    def run_with(stderr_is_a_terminal: bool) -> tuple[str, str]:
        """(stdout, stderr) of an export whose stdout is a pipe and whose stderr is a terminal or a pipe."""
        master, slave = os.openpty()
        env = {**os.environ, "COLUMNS": "120", "TERM": "xterm", "NEWSMARK_DATA_DIR": str(tmp_path)}
        err = slave if stderr_is_a_terminal else subprocess.PIPE
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env)
        os.close(slave)
        terminal = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            terminal += chunk
        os.close(master)
        stdout, piped_err = proc.communicate(timeout=60)
        assert proc.returncode == 0
        out.unlink()
        return stdout.decode("utf-8"), (terminal or piped_err or b"").decode("utf-8", "replace")

    stdout, stderr = run_with(stderr_is_a_terminal=True)
    assert "Exporting" in stderr and "2/2" in stderr and "4 marks" in stderr  # the bar, its count and the marks so far
    assert stdout.startswith("Exported 2 articles, 4 marks") and stdout.count("\n") == 1 and "\x1b" not in stdout  # results only
    stdout, stderr = run_with(stderr_is_a_terminal=False)  # piped or in a script: no bar at all
    assert "Exporting" not in stderr and stdout.startswith("Exported 2 articles")
