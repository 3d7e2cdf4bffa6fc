"""The ``newsmark`` command.

With no command (or only ``--db``), it opens the window straight away, without
importing the command-line machinery (click and the modules of every
subcommand cost about a tenth of a second at each start); anything else is
handed to :mod:`newsmark.cli`, which also offers ``newsmark gui``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

QT_MISSING = (
    "Qt could not be loaded ({exc}). On Debian/Ubuntu install its system libraries: "
    "sudo apt-get install libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 "
    "(or run: bash packaging/bootstrap.sh)"
)


def display_problem() -> str | None:
    """Why Qt could not show a window here, or None if it can."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Run Newsmark in a desktop session, "
            "or use `xvfb-run newsmark` for a virtual screen, or set QT_QPA_PLATFORM=offscreen to run without one; "
            "the subcommands (newsmark --help) work without a display."
        )
    return None


def window_only(args: Sequence[str]) -> tuple[bool, str | None]:
    """Whether ``args`` just open the window, and the library they name (``--db``), if any."""
    if not args:
        return True, None
    if len(args) == 2 and args[0] == "--db" and args[1] and not args[1].startswith("-"):
        return True, args[1]
    if len(args) == 1 and args[0].startswith("--db=") and len(args[0]) > len("--db="):
        return True, args[0][len("--db=") :]
    return False, None


def main() -> None:
    fast, db = window_only(sys.argv[1:])
    if not fast:
        from newsmark.cli import main as cli

        cli()
        return
    db = db or os.environ.get("NEWSMARK_DB") or None  # as the command line's --db option reads it
    problem = display_problem()
    if problem:
        print(f"Error: {problem}", file=sys.stderr)
        sys.exit(1)
    try:
        from newsmark.ui.app import run
    except ImportError as exc:
        print(f"Error: {QT_MISSING.format(exc=exc)}", file=sys.stderr)
        sys.exit(1)
    sys.exit(run(db))
