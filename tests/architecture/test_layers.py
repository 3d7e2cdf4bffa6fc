"""The layers stay clean: checked by import-linter's contracts (pyproject.toml) and by import-time checks."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "desktop" / "newsmark"


def test_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is part of the dev install"
    proc = subprocess.run([lint, str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.lower() or " 0 broken" in proc.stdout.lower()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("library", "home"),
    [("PySide6", "ui"), ("shiboken6", "ui"), ("spacy", "nlp"), ("thinc", "nlp"), ("sqlalchemy", "store"), ("alembic", "store"), ("sqlite3", "store")],
)
def test_only_one_package_imports_each_heavy_library(library: str, home: str) -> None:
    """Also catches imports hidden inside functions, which import-linter sees too, and files it may skip."""
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if library in _imports(path) and path.relative_to(PACKAGE).parts[0] != home
    ]
    assert offenders == [], f"{library} may only be imported in newsmark/{home}/"


def test_starting_up_imports_neither_spacy_nor_qt_for_headless_commands() -> None:
    code = (
        "import sys, json, newsmark.cli, newsmark.nlp, newsmark.services.importer;"
        "print(json.dumps(sorted(m for m in ('spacy', 'thinc', 'PySide6') if m in sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
