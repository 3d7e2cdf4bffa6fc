"""Where Newsmark finds its bundled files and keeps the user's data.

Bundled files (``resources/``, ``seeds/``) are found, in order: in the folder
named by ``NEWSMARK_RESOURCES`` / ``NEWSMARK_SEEDS``; beside the source tree
(a development checkout or an editable install); under ``<prefix>/share/newsmark``
(a wheel install); next to a frozen executable (PyInstaller bundle).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

APP_DIR_NAME = "newsmark"
DB_FILENAME = "newsmark.sqlite"


def _candidates(name: str) -> list[Path]:
    here = Path(__file__).resolve().parent  # .../desktop/newsmark
    found = [
        here.parent.parent / name,  # checkout: <repo>/desktop/newsmark -> <repo>/<name>
        Path(sys.prefix) / "share" / "newsmark" / name,
    ]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        found.insert(0, Path(frozen) / name)
    return found


def _bundled_dir(name: str, env: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override)
    for path in _candidates(name):
        if path.is_dir():
            return path
    tried = ", ".join(str(p) for p in _candidates(name))
    raise FileNotFoundError(f"Newsmark's {name}/ folder was not found (looked in {tried}; set {env} to point at it)")


def resources_dir() -> Path:
    return _bundled_dir("resources", "NEWSMARK_RESOURCES")


def seeds_dir() -> Path:
    return _bundled_dir("seeds", "NEWSMARK_SEEDS")


def data_dir() -> Path:
    """The user's data folder (created on demand by the store, not here)."""
    override = os.environ.get("NEWSMARK_DATA_DIR")
    if override:
        return Path(override)
    return Path(user_data_dir(APP_DIR_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME
