"""Encryption at rest (SQLCipher): no plaintext on disk, a clear message for a wrong or missing passphrase,
``cipher_integrity_check`` wherever ``integrity_check`` runs, and safe conversions both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("sqlcipher3")

from newsmark.model import NewDocument  # noqa: E402
from newsmark.services import backups, startup  # noqa: E402
from newsmark.store import Library  # noqa: E402
from newsmark.store.backup import check_file, list_backups  # noqa: E402
from newsmark.store.engine import PassphraseError, is_encrypted_file, resolve_url  # noqa: E402
from reliability.helpers import ARTICLES, SENTENCE, cli, flip_byte, make_library, plaintext_in  # noqa: E402

PASS = "correct horse battery staple"


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    path = tmp_path / "lib.sqlite"
    make_library(path)
    assert plaintext_in(path)  # the test can see plaintext when there is some
    return path


def test_encrypt_leaves_no_plaintext_and_the_library_opens_with_the_passphrase(plain: Path) -> None:
    result = cli(plain, "encrypt", passphrase=PASS)
    assert result.exit_code == 0, result.output
    assert "encrypted" in result.output and "unencrypted backups remain" in result.output
    assert is_encrypted_file(plain) and not plaintext_in(plain)
    listed = cli(plain, "list", passphrase=PASS)
    assert listed.exit_code == 0 and f"{len(ARTICLES)} articles" in listed.output
    info = cli(plain, "info", passphrase=PASS)
    assert info.exit_code == 0 and "integrity: ok" in info.output
    # Edits made afterwards are encrypted too, in the write-ahead log as in the file.
    lib = Library.open(resolve_url(plain, passphrase=PASS))
    try:
        lib.add_document(NewDocument(text="Zanzibar quartermaster negotiations collapsed overnight.", title="New"))
        assert Path(f"{plain}-wal").exists() and not plaintext_in(plain, "Zanzibar quartermaster")
    finally:
        lib.close()
    assert not plaintext_in(plain, "Zanzibar quartermaster")


def test_a_missing_or_wrong_passphrase_gets_a_clear_message(plain: Path) -> None:
    backups.encrypt_library(plain, PASS)
    missing = cli(plain, "list")
    assert missing.exit_code == 1 and "is encrypted: set NEWSMARK_PASSPHRASE" in missing.output
    wrong = cli(plain, "list", passphrase="not it")
    assert wrong.exit_code == 1 and "the passphrase is wrong" in wrong.output
    assert "Traceback" not in wrong.output and "hmac" not in wrong.output.lower()
    with pytest.raises(startup.NeedsPassphrase):
        startup.open_library(plain)
    with pytest.raises(PassphraseError, match="passphrase is wrong"):
        startup.open_library(plain, "not it")
    with pytest.raises(PassphraseError, match="passphrase is wrong"):
        Library.open(resolve_url(plain, passphrase="not it"))


def test_cipher_integrity_check_runs_where_integrity_check_does(plain: Path) -> None:
    backups.encrypt_library(plain, PASS)
    lib = Library.open(resolve_url(plain, passphrase=PASS))
    statements: list[str] = []
    from sqlalchemy import event

    lib.engine.dispose()  # new connections from here on, each tracing the SQL it runs
    event.listen(lib.engine, "connect", lambda dbapi_connection, _record: dbapi_connection.set_trace_callback(statements.append))
    try:
        assert lib.integrity_check() == []
    finally:
        lib.close()
    assert "PRAGMA integrity_check" in statements and "PRAGMA cipher_integrity_check" in statements
    flip_byte(plain, page_number=3)  # one byte of one page: its authentication code no longer matches
    problems = check_file(plain, PASS)
    assert problems and any("page" in p.lower() for p in problems)
    result = cli(plain, "check", passphrase=PASS)
    assert result.exit_code == 1 and "failed its integrity check" in result.output
    with pytest.raises(startup.DamagedLibrary):
        startup.open_library(plain, PASS)


def test_backups_of_an_encrypted_library_are_encrypted_and_restore(plain: Path) -> None:
    backups.encrypt_library(plain, PASS, remove_plain_backups=True)
    assert all(b.encrypted for b in list_backups(plain))
    result = cli(plain, "backup", passphrase=PASS)
    assert result.exit_code == 0 and "encrypted" in result.output
    made = [b for b in list_backups(plain) if b.reason == "manual"][0]
    assert made.encrypted and not plaintext_in(made.path)
    lib = Library.open(resolve_url(plain, passphrase=PASS))
    lib.delete_document(1)
    lib.close()
    restored = cli(plain, "restore", str(made.path), "--yes", passphrase=PASS)
    assert restored.exit_code == 0 and "encrypted" in restored.output, restored.output
    with Library.open(resolve_url(plain, passphrase=PASS)) as lib:
        assert lib.document_count() == len(ARTICLES)
    assert not plaintext_in(plain)


def test_remove_plain_backups_deletes_the_unencrypted_copies(plain: Path) -> None:
    cli(plain, "backup")
    result = cli(plain, "encrypt", "--remove-plain-backups", passphrase=PASS)
    assert result.exit_code == 0 and "deleted 2 unencrypted backups" in result.output
    assert list_backups(plain) == []


def test_create_a_new_encrypted_library(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    result = cli(path, "encrypt", passphrase=PASS)
    assert result.exit_code == 0 and "created a new encrypted library" in result.output
    imported = tmp_path / "a.txt"
    imported.write_text(ARTICLES[0], encoding="utf-8")
    assert cli(path, "import", str(imported), "--no-annotate", passphrase=PASS).exit_code == 0
    assert is_encrypted_file(path) and not plaintext_in(path)
    assert "1 article" in cli(path, "list", passphrase=PASS).output


def test_decrypt_and_change_passphrase_round_trip(plain: Path) -> None:
    backups.encrypt_library(plain, PASS)
    changed = backups.change_passphrase(plain, PASS, "new one")
    assert changed.encrypted and changed.backup.exists()
    with pytest.raises(PassphraseError):
        startup.open_library(plain, PASS)
    result = cli(plain, "decrypt", passphrase="new one")
    assert result.exit_code == 0 and "decrypted" in result.output
    assert not is_encrypted_file(plain) and plaintext_in(plain)
    with Library.open(plain) as lib:
        assert lib.document_count() == len(ARTICLES) and lib.integrity_check() == []
        assert SENTENCE in lib.get_document(1).text


def test_conversion_refuses_while_the_library_is_open(plain: Path) -> None:
    lib = Library.open(plain)
    try:
        lib.document_count()
        result = cli(plain, "encrypt", passphrase=PASS)
        assert result.exit_code == 1 and "open in another Newsmark window or program" in result.output
        assert not is_encrypted_file(plain)
    finally:
        lib.close()


def test_no_sqlcipher_gets_an_install_hint(plain: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    backups.encrypt_library(plain, PASS)
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # as if it were not installed
    result = cli(plain, "list", passphrase=PASS)
    assert result.exit_code == 1 and "pip install" in result.output and "encryption" in result.output


def test_temporary_data_of_an_encrypted_library_stays_in_memory(plain: Path) -> None:
    backups.encrypt_library(plain, PASS)
    with Library.open(resolve_url(plain, passphrase=PASS)) as lib, lib.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY
