"""The ``newsmark`` command: no command opens the window without loading the CLI; commands still reach it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from newsmark import launch


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], (True, None)),
        (["--db", "lib.sqlite"], (True, "lib.sqlite")),
        (["--db=lib.sqlite"], (True, "lib.sqlite")),
        (["--db"], (False, None)),
        (["--db="], (False, None)),
        (["--db", "--help"], (False, None)),
        (["--help"], (False, None)),
        (["gui"], (False, None)),
        (["--db", "x", "list"], (False, None)),
    ],
)
def test_which_arguments_just_open_the_window(args: list[str], expected: tuple[bool, str | None]) -> None:
    assert launch.window_only(args) == expected


def test_opening_the_window_does_not_load_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import newsmark.ui.app as app

    opened: list[str | None] = []
    monkeypatch.setattr(app, "run", lambda db: opened.append(db) or 0)
    monkeypatch.setattr(sys, "argv", ["newsmark", "--db", "mine.sqlite"])
    with pytest.raises(SystemExit) as exit_:
        launch.main()
    assert exit_.value.code == 0 and opened == ["mine.sqlite"]

    monkeypatch.setattr(sys, "argv", ["newsmark"])
    monkeypatch.setenv("NEWSMARK_DB", "from-env.sqlite")
    with pytest.raises(SystemExit):
        launch.main()
    assert opened[-1] == "from-env.sqlite"

    code = "import sys, newsmark.launch; print('click' in sys.modules, 'newsmark.cli' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_no_display_is_explained_and_commands_go_to_the_cli() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    run = "import sys; sys.argv = ['newsmark'] + sys.argv[1:]; from newsmark.launch import main; main()"
    if sys.platform.startswith("linux"):
        out = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, timeout=60, env=env)
        assert out.returncode == 1 and "Error: no display found" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([sys.executable, "-c", run, "--help"], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0 and "Usage:" in out.stdout and "annotate" in out.stdout
