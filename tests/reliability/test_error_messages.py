"""Errors shown, not swallowed — the parts without a window: plain messages for errors of the machine,
the rotating log file, the crash log, and what the command line says when the disk is full or read-only.

The window's side (the error dialog, Copy details, background jobs) is in test_error_dialog.py.
"""

from __future__ import annotations

import functools
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsmark import errors
from newsmark.model import NewDocument, ReviewStatus
from newsmark.store import Library
from reliability.helpers import cli

BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _no_log_left() -> None:
    yield
    errors.teardown_logging()


# ---------------------------------------------------------------------- plain messages


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "The disk is full"),
        (errno.EDQUOT, "The disk is full"),
        (errno.EROFS, "can only be read"),
        (errno.EACCES, "not allowed to use"),
        (errno.EPERM, "not allowed to use"),
        (errno.ENAMETOOLONG, "name is too long"),
        (errno.EIO, "The disk reported an error"),
        (errno.EBUSY, "in use by another program"),
    ],
)
def test_each_error_of_the_machine_has_its_own_plain_message(code: int, words: str) -> None:
    exc = OSError(code, os.strerror(code), "/media/usb/export.jsonl")
    message = errors.environment_message(exc)
    assert message is not None and words in message
    assert "Errno" not in message and "[" not in message  # no Python in it
    assert errors.user_message(exc) == message
    # also when it is the cause of another error, or wrapped by SQLAlchemy-like code
    try:
        try:
            raise exc
        except OSError as inner:
            raise RuntimeError("the export stopped") from inner
    except RuntimeError as outer:
        assert errors.environment_message(outer) == message


def test_messages_name_the_place_not_newsmarks_temporary_file() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/media/usb/.train.jsonl.k2j3h4.part")
    assert errors.environment_message(full) == (
        "The disk is full: there is no room left in /media/usb. Free some space (or choose another disk) and try again."
    )
    read_only = errors.environment_message(OSError(errno.EROFS, "Read-only file system", "/media/cdrom/.out.x.part"))
    assert read_only is not None and read_only.startswith("/media/cdrom is on a disk that can only be read")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("database is locked", "The library is busy"),
        ("database or disk is full", "The disk is full"),
        ("attempt to write a readonly database", "can only be read"),
        ("disk I/O error", "The disk reported an error"),
        ("unable to open database file", "could not open or create the file"),
    ],
)
def test_database_errors_of_the_machine_have_plain_messages(text: str, words: str) -> None:
    message = errors.environment_message(sqlite3.OperationalError(text))
    assert message is not None and words in message


def test_other_errors_keep_their_own_message_as_a_sentence() -> None:
    assert errors.environment_message(ValueError("database is locked")) is None  # only the drivers' errors are read by text
    assert errors.environment_message(FileNotFoundError(errno.ENOENT, "No such file or directory", "/x/a.txt")) is None
    assert errors.user_message(FileNotFoundError(errno.ENOENT, "No such file or directory", "/x/a.txt")) == "No such file or directory: /x/a.txt."
    assert errors.user_message(ValueError("the label 'X' is not in the scheme")) == "The label 'X' is not in the scheme."
    assert errors.user_message(KeyError()) == "KeyError."


def test_real_errors_of_the_machine_are_recognised(tmp_path: Path) -> None:
    """Not constructed by hand: what the operating system really raises."""
    with pytest.raises(OSError) as too_long:
        (tmp_path / ("x" * 300)).write_text("a")
    assert "name is too long" in (errors.environment_message(too_long.value) or "")
    if Path("/dev/full").exists():  # Linux: every write to /dev/full fails with ENOSPC
        with pytest.raises(OSError) as full:
            with open("/dev/full", "w") as handle:
                handle.write("x" * 10_000)
                handle.flush()
        assert (errors.environment_message(full.value) or "").startswith("The disk is full")
    con = sqlite3.connect(tmp_path / "a.sqlite", timeout=0)
    con.execute("CREATE TABLE t (x)")
    con.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(tmp_path / "a.sqlite", timeout=0)
    with pytest.raises(sqlite3.OperationalError) as locked:
        other.execute("BEGIN IMMEDIATE")
    assert (errors.environment_message(locked.value) or "").startswith("The library is busy")
    con.close()
    other.close()


# ---------------------------------------------------------------------- the log


def test_the_log_is_a_rotating_file_in_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMARK_DATA_DIR", str(tmp_path / "data"))
    path = errors.setup_logging(max_bytes=4000, backup_count=2)
    assert path == tmp_path / "data" / "logs" / "newsmark.log"
    assert errors.current_log_file() == path
    try:
        raise ZeroDivisionError("the test's own error")
    except ZeroDivisionError as exc:
        errors.log_exception((type(exc), exc, exc.__traceback__), where="testing the log")
    text = path.read_text(encoding="utf-8")
    assert "ERROR newsmark" in text and "Unexpected error while testing the log" in text
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError: the test's own error" in text
    assert "test_the_log_is_a_rotating_file_in_the_data_folder" in text  # the frame that raised
    assert "Newsmark: " in text and "Python: " in text  # the versions

    for i in range(200):
        errors.logger().info("line %d %s", i, "x" * 100)
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["newsmark.log", "newsmark.log.1", "newsmark.log.2"]  # two old ones kept, no more
    assert all((path.parent / name).stat().st_size <= 4000 for name in files)
    assert "line 199" in path.read_text(encoding="utf-8")


def test_an_expected_error_is_one_line_and_setting_up_twice_keeps_one_handler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMARK_DATA_DIR", str(tmp_path))
    path = errors.setup_logging()
    assert errors.setup_logging() == path
    exc = OSError(errno.ENOSPC, "No space left on device", "/media/usb/x.jsonl")
    errors.log_exception((OSError, exc, None), where="exporting", expected=True)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "WARNING" in line]
    assert len(lines) == 1 and "exporting: OSError: The disk is full" in lines[0]


def test_a_data_folder_that_cannot_be_written_costs_the_log_not_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    monkeypatch.setenv("NEWSMARK_DATA_DIR", str(blocker))
    assert errors.setup_logging() is None
    assert errors.current_log_file() is None
    errors.logger().error("goes nowhere, raises nothing")


def test_a_hard_crash_leaves_the_python_stacks_in_crash_log(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import faulthandler
        from newsmark import errors
        print(errors.enable_crash_log(), flush=True)
        def inside_the_renderer():
            faulthandler._sigsegv()
        inside_the_renderer()
        """
    )
    env = {**os.environ, "NEWSMARK_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode != 0
    crash = tmp_path / "logs" / "crash.log"
    assert proc.stdout.strip() == str(crash)
    text = crash.read_text(encoding="utf-8")
    assert "Newsmark" in text and "Segmentation fault" in text and "inside_the_renderer" in text


# ---------------------------------------------------------------------- the command line, for real


@functools.cache
def _can_mount() -> str | None:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return "needs Linux and unshare"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        return f"cannot make a mount namespace here (root or user namespaces needed): {probe.stderr.decode(errors='replace').strip()}"
    return None


needs_mount = pytest.mark.skipif(_can_mount() is not None, reason=f"a real full or read-only disk: {_can_mount()}")


def _run_on_small_disk(mount: Path, command: list[str], *, read_only: bool = False, size: str = "64k") -> subprocess.CompletedProcess[str]:
    """Run ``command`` with a tiny tmpfs (full after 64 KB, or read-only) mounted at ``mount``, in a private mount namespace."""
    mount.mkdir(exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    script = f'mount -t tmpfs -o {options} newsmark-test "$1" && shift && exec "$@"'
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", str(mount), *command],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def _big_library(path: Path) -> None:
    with Library.open(path) as lib:
        for i in range(60):
            doc = lib.add_document(NewDocument(text=f"Article {i}. " + "The council met again on Tuesday evening. " * 60, title=f"A{i}"))
            lib.set_document_status(doc.doc_id, ReviewStatus.DONE)  # type: ignore[arg-type]


@needs_mount
def test_export_and_backup_on_a_full_disk_say_so_in_plain_words(tmp_path: Path) -> None:
    db = tmp_path / "lib.sqlite"
    _big_library(db)
    mount = tmp_path / "usb"
    out = _run_on_small_disk(mount, [str(BIN / "newsmark"), "--db", str(db), "export", "-o", str(mount / "train.jsonl")])
    assert out.returncode == 1, out.stderr
    assert f"Error: The disk is full: there is no room left in {mount}. Free some space" in out.stderr
    assert "Nothing was exported." in out.stderr and "Traceback" not in out.stderr and "Errno" not in out.stderr

    backup = _run_on_small_disk(mount, [str(BIN / "newsmark"), "--db", str(db), "backup", "--to", str(mount / "copy.sqlite")])
    assert backup.returncode == 1, backup.stderr
    assert f"Error: The disk is full: there is no room left in {mount}." in backup.stderr and "No backup was written." in backup.stderr
    assert "Traceback" not in backup.stderr
    assert not mount.exists() or list(mount.iterdir()) == []  # (the tmpfs is gone with its namespace)


@needs_mount
def test_export_and_backup_to_a_read_only_disk_say_so_in_plain_words(tmp_path: Path) -> None:
    db = tmp_path / "lib.sqlite"
    _big_library(db)
    mount = tmp_path / "cdrom"
    out = _run_on_small_disk(mount, [str(BIN / "newsmark"), "--db", str(db), "export", "-o", str(mount / "train.jsonl")], read_only=True)
    assert out.returncode == 1
    assert f"Error: {mount} is on a disk that can only be read" in out.stderr and "Traceback" not in out.stderr

    backup = _run_on_small_disk(mount, [str(BIN / "newsmark"), "--db", str(db), "backup", "--to", str(mount / "copy.sqlite")], read_only=True)
    assert backup.returncode == 1
    assert "can only be read" in backup.stderr and "Traceback" not in backup.stderr


@needs_mount
def test_a_library_on_a_full_disk_refuses_the_import_in_plain_words(tmp_path: Path) -> None:
    """The library itself on the full disk: the import is refused whole, in words, and the library stays sound."""
    mount = tmp_path / "small"
    article = tmp_path / "long.txt"
    article.write_text("The harbour bridge reopened on Friday. " * 4000, encoding="utf-8")
    script = (
        f"{BIN / 'newsmark'} --db {mount / 'lib.sqlite'} import --no-annotate {tmp_path / 'long.txt'}; echo rc=$?; "
        f"{BIN / 'newsmark'} --db {mount / 'lib.sqlite'} check; echo check=$?"
    )
    proc = _run_on_small_disk(mount, ["sh", "-c", script], size="300k")
    assert "rc=1" in proc.stdout or "rc=1" in proc.stderr, proc.stdout + proc.stderr
    assert "The disk is full" in proc.stderr and "Traceback" not in proc.stderr
    assert "check=0" in proc.stdout, proc.stdout + proc.stderr


@needs_mount
def test_a_library_on_a_read_only_disk_is_refused_as_such_not_as_damaged(tmp_path: Path) -> None:
    db = tmp_path / "lib.sqlite"
    _big_library(db)
    mount = tmp_path / "cdrom"
    script = f'cp {db} "$0/lib.sqlite" && mount -o remount,ro "$0" && {BIN / "newsmark"} --db "$0/lib.sqlite" list; echo rc=$?; sha256sum "$0/lib.sqlite"'
    proc = _run_on_small_disk(mount, ["sh", "-c", script, str(mount)], size="2m")
    assert "rc=1" in proc.stdout, proc.stdout + proc.stderr
    assert f"Error: The library {mount / 'lib.sqlite'} cannot be opened: it is on a disk that can only be read" in proc.stderr
    assert "integrity" not in proc.stderr and "damaged" not in proc.stderr and "Traceback" not in proc.stderr
    import hashlib

    assert hashlib.sha256(db.read_bytes()).hexdigest() in proc.stdout  # the copy on the read-only disk is untouched


# ---------------------------------------------------------------------- the command line, simulated


def test_every_command_turns_an_error_of_the_machine_into_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's shared hook, for any command (here `newsmark list`) and an error from anywhere in it."""
    from newsmark.store import library as store_library

    db = tmp_path / "lib.sqlite"
    with Library.open(db) as lib:
        lib.add_document(NewDocument(text="One short article.", title="One"))

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "somewhere"))

    monkeypatch.setattr(store_library.Library, "list_documents", broken)
    result = cli(db, "list")
    assert result.exit_code == 1
    assert f"Error: Newsmark is not allowed to use {tmp_path / 'somewhere'}" in result.output
    assert "Traceback" not in result.output


def test_the_report_says_what_while_what_the_traceback_and_the_versions() -> None:
    try:
        raise ValueError("a bad value: ‘quote’ and emoji 👋")
    except ValueError as exc:
        text = errors.report_text((ValueError, exc, exc.__traceback__), where="exporting", extra_versions={"Qt": "6.x"})
    lines = text.splitlines()
    assert lines[0].startswith("Newsmark error report — ")
    assert lines[1] == "What happened: A bad value: ‘quote’ and emoji 👋."
    assert lines[2] == "While: exporting"
    assert lines[3] == "Error: ValueError: a bad value: ‘quote’ and emoji 👋"
    assert "Traceback (most recent call last):" in lines and "ValueError: a bad value: ‘quote’ and emoji 👋" in lines
    assert any(line.startswith("Python: 3.") for line in lines) and "Qt: 6.x" in lines
