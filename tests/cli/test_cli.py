"""The newsmark command, headless."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmark import __version__
from newsmark.cli import main


@pytest.fixture
def run(db_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str, db: Path | None = db_path):  # type: ignore[no-untyped-def]
        full = (["--db", str(db)] if db is not None else []) + list(args)
        return runner.invoke(main, full, catch_exceptions=False)

    return invoke


def test_version_and_help_everywhere(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"Newsmark {__version__}"
    for command in ([], ["import"], ["list"], ["show"], ["info"], ["gui"]):
        result = run(*command, "--help")
        assert result.exit_code == 0, (command, result.output)
        assert "Usage: main" in result.output or "Usage:" in result.output


def test_import_list_show(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("Mayor Ana Díaz said the bridge will reopen in May.\n", encoding="utf-8")
    (folder / "sub" / "two.md").write_text("# Council vote\n\nThe council voted 7 to 2.\n", encoding="utf-8")
    (folder / "sub" / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    result = run("import", "--no-annotate", str(folder))
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "1 not imported" in result.output
    assert "bad.txt" in result.output  # the problem names the file

    again = run("import", "--no-annotate", str(folder / "one.txt"))
    assert "already in the library" in again.output and "0 added" in again.output

    listed = run("list", "--json")
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert {r["title"] for r in rows} == {"Mayor Ana Díaz said the bridge will reopen in May.", "Council vote"}
    assert run("list", "--search", "bridge").output.count("\n") >= 2
    found = [json.loads(line) for line in run("list", "--json", "--search", "council").output.splitlines()]
    assert [r["title"] for r in found] == ["Council vote"]

    shown = run("show", str(found[0]["id"]))
    assert "# Council vote" in shown.output and "The council voted 7 to 2." in shown.output
    missing = run("show", "999")
    assert missing.exit_code == 1 and "no document 999" in missing.output


def test_import_of_only_bad_files_fails(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty.txt").write_text("")
    result = run("import", "--no-annotate", str(tmp_path / "empty.txt"), str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "nope.txt: error: no such file or folder" in result.output


def test_db_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "env.sqlite"
    monkeypatch.setenv("NEWSMARK_DB", str(target))
    (tmp_path / "a.txt").write_text("An article.", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "--no-annotate", str(tmp_path / "a.txt")])
    assert result.exit_code == 0 and target.exists()


def test_info_reports_schema_and_integrity(run) -> None:  # type: ignore[no-untyped-def]
    result = run("info")
    assert result.exit_code == 0
    assert "integrity: ok" in result.output and "articles:  0" in result.output


def test_a_newer_library_gets_one_clear_line(run, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    run("info")
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    result = CliRunner().invoke(main, ["--db", str(db_path), "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: This library was written by a newer version of Newsmark")
    assert "Traceback" not in result.output


def test_no_display_gets_a_clear_message(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check is for Linux/X11/Wayland")
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    result = run()
    assert result.exit_code == 1
    assert "no display found" in result.output and "xvfb-run" in result.output and "QT_QPA_PLATFORM=offscreen" in result.output


def test_installed_entry_point_runs() -> None:
    exe = Path(sys.executable).parent / "newsmark"
    assert exe.exists(), "pip install -e . installs the newsmark command"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"Newsmark {__version__}"
    proc = subprocess.run([str(exe)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "no display found" in proc.stderr
