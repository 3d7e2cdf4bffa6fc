"""Crash safety: an editing session killed with SIGKILL at random moments loses no edit it had reported.

Each run forks a child (from a server process that has imported Newsmark once,
so a run costs milliseconds, not an interpreter start) that opens the library,
edits it through the store calls the app makes (see crash_session.py) and
prints a line after each call returns. After a random delay the test kills it
with SIGKILL — mid-transaction, mid-commit, mid-fsync or between edits — then:

- ``PRAGMA integrity_check`` on the file as the kill left it (write-ahead log included) is ``ok``;
- ``Library.open`` opens it and its own integrity check passes;
- the library holds exactly the state after the *k* reported edits, or after
  *k + 1* (the edit in flight had committed but not yet been printed): computed by
  replaying the same seeded session on a copy of the file from before the run.
  Anything else — a reported edit missing, half an edit, a duplicate — fails.

The runs accumulate on one library (each starts where the last was killed).
``NEWSMARK_CRASH_RUNS`` sets the number of runs (default 20; docs/reliability.md
reports a run of 200), ``NEWSMARK_CRASH_MAX_DELAY`` the longest wait before a kill.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsmark.store import Library
from reliability.crash_session import counts, digest, make_base, replay

HERE = Path(__file__).resolve().parent
RUNS = int(os.environ.get("NEWSMARK_CRASH_RUNS", "20"))
MAX_DELAY = float(os.environ.get("NEWSMARK_CRASH_MAX_DELAY", "0.5"))
SEED = int(os.environ.get("NEWSMARK_CRASH_SEED", "20261125"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"), reason="needs fork and SIGKILL (Linux, macOS)"),
]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie counts as dead
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return True


def _lines(log: Path) -> list[str]:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    complete = text.split("\n")[:-1]  # a last line without its newline was not fully printed
    return complete


def _wait_ready(log: Path, pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = _lines(log)
        if lines and lines[0] == "ready":
            return
        if not _alive(pid):
            pytest.fail(f"the session died before it was ready:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.002)
    pytest.fail("the session did not open the library in time")


def _integrity(path: Path) -> list[str]:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()
    return [] if rows == ["ok"] else rows


def test_sigkilled_sessions_lose_no_reported_edit(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite"
    make_base(db)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    server = subprocess.Popen(
        [sys.executable, str(HERE / "crash_session.py"), "--server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        assert server.stdout.readline().strip() == "server ready"
        rng = random.Random(SEED)
        edits = landed_in_flight = killed_before_first = 0
        per_run = []
        for run in range(RUNS):
            assert not Path(f"{db}-wal").exists(), "the last run's verification closed the library cleanly"
            snapshot = tmp_path / "before-run.sqlite"
            shutil.copyfile(db, snapshot)
            seed = rng.randrange(1 << 30)
            log = tmp_path / "session.log"
            log.unlink(missing_ok=True)
            server.stdin.write(json.dumps({"db": str(db), "seed": seed, "log": str(log)}) + "\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            _wait_ready(log, pid)
            time.sleep(rng.uniform(0, MAX_DELAY))
            died_early = not _alive(pid)
            os.kill(pid, signal.SIGKILL) if not died_early else None
            while _alive(pid):
                time.sleep(0.001)
            lines = _lines(log)
            assert not died_early, f"run {run}: the session stopped by itself:\n{''.join(lines[-20:])}"
            reported = [json.loads(line) for line in lines[1:]]
            assert [r["step"] for r in reported] == list(range(1, len(reported) + 1))
            k = len(reported)

            # The file exactly as the kill left it.
            assert _integrity(db) == [], f"run {run}: integrity_check failed after the kill"
            lib = Library.open(db)  # as the app opens it
            try:
                assert lib.integrity_check() == []
                assert lib.document_count() >= 3
            finally:
                lib.close()
            actual = digest(db)

            replay_db = tmp_path / "replay.sqlite"
            shutil.copyfile(snapshot, replay_db)
            expected = replay(replay_db, seed, k + 1)
            replay_db.unlink()
            for side in ("-wal", "-shm"):
                Path(f"{replay_db}{side}").unlink(missing_ok=True)
            assert actual in (expected[k], expected[k + 1]), (
                f"run {run} (seed {seed}): the library holds neither the state after the {k} reported edits "
                f"nor after the one in flight; last reported: {reported[-3:]}"
            )
            edits += k
            per_run.append(k)
            killed_before_first += k == 0
            landed_in_flight += actual == expected[k + 1] and expected[k] != expected[k + 1]
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    final = counts(db)
    print(
        f"\ncrash safety: {RUNS} SIGKILLs, {edits} reported edits checked "
        f"(per run: median {sorted(per_run)[len(per_run) // 2]}, max {max(per_run)}); "
        f"in-flight edit had committed in {landed_in_flight} runs; killed before the first edit in {killed_before_first}; "
        f"library at the end: {final}"
    )
    assert edits > RUNS, "the kills should land after some edits, not only at start-up"
