"""Shared helpers for the reliability tests: a library with articles in it, and damaging a file on purpose."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from newsmark.cli import main
from newsmark.model import NewDocument
from newsmark.store import Library

SENTENCE = "The negotiators in Doha agreed on a phased release of the hostages"
ARTICLES = [
    f"{SENTENCE}, two officials said on Monday.\n\nThe talks resume next week in Cairo.",
    "The central bank raised its main rate by half a point, the largest rise since 2008.",
    "Olena Kovalenko warned that grain prices would rise after the flood.",
]


def make_library(path: Path, articles: list[str] = ARTICLES, passphrase: str | None = None) -> None:
    from newsmark.store.engine import resolve_url

    lib = Library.open(resolve_url(path, passphrase=passphrase) if passphrase else path)
    try:
        for i, text in enumerate(articles):
            assert lib.add_document(NewDocument(text=text, title=f"Article {i}")).added
    finally:
        lib.close()


def cli(db: Path, *args: str, passphrase: str | None = None, input: str | None = None) -> Result:
    env = {"NEWSMARK_PASSPHRASE": passphrase} if passphrase is not None else {"NEWSMARK_PASSPHRASE": None}
    return CliRunner().invoke(main, ["--db", str(db), *args], env=env, input=input, catch_exceptions=False)


def _page_size(path: Path) -> int:
    with open(path, "rb") as handle:
        header = handle.read(100)
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def corrupt_index(path: Path, index: str = "ix_documents_status") -> None:
    """Overwrite the root page of an index with garbage: the library still opens, its integrity check fails."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    finally:
        con.close()
    page = _page_size(path)
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page)
        handle.write(b"\xff" * page)
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)


def flip_byte(path: Path, page_number: int = 3, at: int = 200) -> None:
    """Change one byte inside a page (for an encrypted file: its authentication code no longer matches)."""
    page = 4096
    with open(path, "r+b") as handle:
        handle.seek((page_number - 1) * page + at)
        byte = handle.read(1)
        handle.seek((page_number - 1) * page + at)
        handle.write(bytes([byte[0] ^ 0x5A]))


def plaintext_in(path: Path, needle: str = SENTENCE) -> bool:
    """Whether the file (or its write-ahead log) holds the text, in UTF-8 or UTF-16."""
    hits = False
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
        if candidate.exists():
            data = candidate.read_bytes()
            hits |= any(form in data for form in (needle.encode("utf-8"), needle.encode("utf-16-le"), needle[:20].encode()))
    return hits


def touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
