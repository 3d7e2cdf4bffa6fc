"""Two Newsmark instances on one library, with an import running meanwhile: no corruption, no lost
edit, and a plain message (never a traceback or a half-saved edit) when one side has to wait too long."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsmark.model import NewDocument, SpanStatus
from newsmark.store import Library, StoreError
from newsmark.text import normalize_text, text_hash
from reliability.crash_session import make_base

HERE = Path(__file__).resolve().parent
EDITS = int(os.environ.get("NEWSMARK_CONCURRENT_EDITS", "120"))
ARTICLES = 150


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def _articles(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        path = folder / f"article-{i:03}.txt"
        path.write_text(f"Wire story {i}\n\nOfficials in city {i} said on Monday that talks number {i} would resume. " * 3, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.slow
def test_two_instances_and_an_import_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite"
    make_base(db)
    files = _articles(tmp_path / "incoming", ARTICLES)
    editors = {
        name: subprocess.Popen(
            [sys.executable, str(HERE / "concurrent_editor.py"), str(db), name, str(EDITS), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for name, seed in (("alice", 1), ("bruno", 2))
    }
    for proc in editors.values():
        assert proc.stdout is not None
        assert "ready" in proc.stdout.readline(), proc.stderr.read() if proc.stderr else ""
    importer = subprocess.run(
        [sys.executable, "-m", "newsmark.cli", "--db", str(db), "import", str(tmp_path / "incoming"), "--no-annotate"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
    )
    outputs = {}
    for name, proc in editors.items():
        assert proc.stdout is not None and proc.stderr is not None
        out = proc.stdout.read()  # not communicate(): it would skip what readline() above already buffered
        err = proc.stderr.read()
        proc.wait(timeout=600)
        assert proc.returncode == 0, f"{name} failed:\n{err[-3000:]}"
        outputs[name] = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert importer.returncode == 0, importer.stderr[-3000:]
    assert f"{ARTICLES} added" in importer.stdout

    # What each instance reported, replayed in its own order (each edits only its own marks).
    expected: dict[int, dict] = {}
    created: dict[str, int] = {}
    for name, records in outputs.items():
        assert len(records) == EDITS, f"{name} reported {len(records)} of {EDITS} edits"
        refused = [r for r in records if "refused" in r]
        assert refused == [], f"{name} had to give up (the busy timeout is 10 s): {refused[:3]}"
        for record in records:
            if "mark" in record:
                state = expected.setdefault(record["mark"], {"owner": name})
                assert state["owner"] == name
                state.update({k: v for k, v in record.items() if k in ("note", "label", "tags")})
                created[name] = created.get(name, 0) + bool(record.get("created"))

    lib = Library.open(db)
    try:
        assert lib.integrity_check() == []
        for span_id, state in expected.items():
            span = lib.get_span(span_id)  # raises if a reported mark was lost
            assert span.status == SpanStatus.ACCEPTED
            for key in ("note", "label"):
                if key in state:
                    assert getattr(span, key) == state[key], (span_id, key, state)
            if "tags" in state:
                assert sorted(span.tags) == state["tags"], (span_id, state)
        for name, count in created.items():
            logged = [e for e in lib.events(limit=100_000) if e.actor == name and e.action == "span.create"]
            assert len(logged) == count, f"{name}: {count} marks reported, {len(logged)} in the edit log"
        # Every article of the import is there, whole.
        assert lib.document_count() == 3 + ARTICLES
        hashes = {text_hash(normalize_text(f.read_text(encoding="utf-8"))) for f in files}
        stored = {lib.get_document(d).text_hash for d in lib.document_ids()}
        assert hashes <= stored
    finally:
        lib.close()
    print(f"\ntwo instances: {sum(len(r) for r in outputs.values())} edits by 2 processes and {ARTICLES} articles imported by a third, "
          f"{len(expected)} marks checked, integrity ok")


def _hold_write_lock(db: Path) -> sqlite3.Connection:
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_busy_library_refuses_the_edit_with_a_plain_message_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMARK_BUSY_TIMEOUT_MS", "200")
    db = tmp_path / "busy.sqlite"
    lib = Library.open(db)
    doc = lib.add_document(NewDocument(text="Negotiators met in Cairo on Monday.", title="t")).doc_id
    assert doc is not None
    other = _hold_write_lock(db)
    try:
        with pytest.raises(StoreError, match=r"library is busy: another Newsmark window or program .* not saved"):
            lib.set_document_status(doc, "done")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert lib.get_document(doc).status.value == "new"  # nothing half-saved
    lib.set_document_status(doc, "done")  # trying again once the other side is done works
    assert lib.get_document(doc).status.value == "done"
    lib.close()


def test_the_cli_says_the_library_is_busy_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "cli-busy.sqlite"
    Library.open(db).close()
    other = _hold_write_lock(db)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "newsmark.cli", "--db", str(db), "config", "annotator", "Bob"],
            capture_output=True,
            text=True,
            env=_env(NEWSMARK_BUSY_TIMEOUT_MS="300"),
            timeout=120,
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "The library is busy" in proc.stderr and "try again in a moment" in proc.stderr
    again = subprocess.run(
        [sys.executable, "-m", "newsmark.cli", "--db", str(db), "config", "annotator", "Bob"], capture_output=True, text=True, env=_env(), timeout=120
    )
    assert again.returncode == 0, again.stderr
