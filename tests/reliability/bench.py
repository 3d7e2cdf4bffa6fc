"""Costs behind docs/reliability.md: encryption, checks, backups and the start-up check.

    .venv/bin/python tests/reliability/bench.py [ARTICLES]

Builds a library of ARTICLES synthetic articles (default 1,000, 600 words, 100 marks
each) in a temporary folder with the benchmark corpus of tests/perf, encrypts a copy,
and prints the medians. Not part of the test run.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "perf"))

import corpus  # noqa: E402

from newsmark.model import NewDocument, Span, Suggestions  # noqa: E402
from newsmark.services import backups, startup  # noqa: E402
from newsmark.store import Library, health  # noqa: E402
from newsmark.store.backup import check_file  # noqa: E402
from newsmark.store.engine import resolve_url  # noqa: E402

PASS = "bench passphrase"


def median(fn: Callable[[], float], runs: int = 5) -> float:
    return statistics.median(fn() for _ in range(runs))


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def build(path: Path, n: int) -> None:
    lib = Library.open(path)
    lib.add_documents([NewDocument(text=text, title=title) for title, text in corpus.articles(n, words=600, seed=4)])
    for doc_id in lib.document_ids():
        length = len(lib.get_document(doc_id).text)
        lib.replace_suggestions(doc_id, Suggestions(spans=[Span(k * 20, k * 20 + 8, "PERSON") for k in range(100) if k * 20 + 8 < length], model="bench"))
    lib.close()


def main(n: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="newsmark-bench-"))
    try:
        plain = folder / "plain.sqlite"
        build(plain, n)
        encrypted = folder / "encrypted.sqlite"
        shutil.copyfile(plain, encrypted)
        encrypt_s = timed(lambda: backups.encrypt_library(encrypted, PASS))
        urls = {"unencrypted": resolve_url(plain), "encrypted": resolve_url(encrypted, passphrase=PASS)}
        keys = {"unencrypted": None, "encrypted": PASS}
        rows: dict[str, dict[str, str]] = {}
        for name, url in urls.items():
            path = plain if name == "unencrypted" else encrypted

            def open_once() -> float:
                started = time.perf_counter()
                lib = Library.open(url)
                lib.document_count()
                elapsed = time.perf_counter() - started
                lib.close()
                return elapsed

            lib = Library.open(url)
            ids = [s.id for s in lib.spans(5)][:100]
            edit = timed(lambda: [lib.update_span(i, status="accepted") for i in ids]) / len(ids)
            lib.spans(7)
            read = timed(lambda: [lib.spans(d) for d in range(1, 201)]) / 200
            lib.close()
            rows[name] = {
                "open": f"{median(open_once) * 1000:.0f} ms",
                "edit": f"{edit * 1000:.1f} ms",
                "read": f"{read * 1000:.1f} ms",
                "check": f"{median(lambda: timed(lambda: check_file(path, keys[name])), 3):.1f} s",
                "backup": f"{median(lambda: timed(lambda: backups.backup_library(path, keys[name])), 3):.1f} s",
            }

        def start(check: bool) -> float:
            if check:
                health.forget(plain)
            started = time.perf_counter()
            lib = startup.open_library(plain)
            elapsed = time.perf_counter() - started
            startup.close_library(lib)
            return elapsed

        start(False)
        print(f"library: {n} articles, {n * 100} marks, {plain.stat().st_size / 1e6:.1f} MB; encrypt: {encrypt_s:.1f} s")
        print("| | unencrypted | encrypted |\n|---|---|---|")
        for key, label in (("open", "open"), ("edit", "one edit"), ("read", "read an article's marks"), ("check", "full check"), ("backup", "backup + check")):
            print(f"| {label} | {rows['unencrypted'][key]} | {rows['encrypted'][key]} |")
        print(f"start-up: {median(lambda: start(True), 3):.2f} s with the full check, {median(lambda: start(False)) * 1000:.0f} ms without")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
