"""Looking after the library file from the command line: backup, backups, restore, check,
encrypt, decrypt, passphrase — and the checked opening every other command goes through.

Registered on the ``newsmark`` group by :func:`register` (see the end of ``cli.py``).
None of these commands opens the library through the app's usual path when it
need not: ``restore`` works on the file alone, so it also works on a library
too damaged to open.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

PASSPHRASE_TRIES = 3


def _human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _db(ctx: click.Context) -> str | None:
    obj = ctx.find_root().obj
    return getattr(obj, "db", None)


def _interactive() -> bool:
    return sys.stdin.isatty()


def ask_passphrase(path: Path, *, confirm: bool = False, prompt: str | None = None) -> str:
    """``NEWSMARK_PASSPHRASE``, else typed at the terminal (hidden), else a clear error."""
    from newsmark.services.startup import PASSPHRASE_ENV, env_passphrase

    given = env_passphrase()
    if given is not None:
        return given
    if not _interactive():
        raise click.ClickException(f"{path} is encrypted: set {PASSPHRASE_ENV} to its passphrase (or run this in a terminal to be asked)")
    return click.prompt(prompt or f"Passphrase for {path.name}", hide_input=True, confirmation_prompt=confirm, err=True)


def _passphrase_for(path: Path) -> str | None:
    """The passphrase of an encrypted library (checked, up to three tries at a terminal); None if it is not encrypted."""
    from newsmark.services.startup import env_passphrase
    from newsmark.store.backup import check_passphrase
    from newsmark.store.engine import PassphraseError, is_encrypted_file

    if not is_encrypted_file(path):
        return None
    tries = 1 if (env_passphrase() is not None or not _interactive()) else PASSPHRASE_TRIES
    for attempt in range(tries):
        passphrase = ask_passphrase(path)
        try:
            check_passphrase(path, passphrase)
            return passphrase
        except PassphraseError as exc:
            if attempt == tries - 1:
                raise click.ClickException(str(exc)) from exc
            click.echo("Wrong passphrase, try again.", err=True)
    raise AssertionError("unreachable")


def _say_checking(reason: str) -> None:
    """A full check can take seconds on a large library: say why, at a terminal (scripts get no chatter)."""
    if sys.stderr.isatty():
        click.echo(f"Checking the library ({reason})…", err=True)


def open_library_checked(db: str | None):  # type: ignore[no-untyped-def]
    """Open the library for a command: passphrase, start-up check, schema upgrade, scheduled backup.

    Exits with one clear message (never a traceback) when the library cannot be
    used; a damaged library is refused, naming the latest good backup.
    """
    from newsmark.services import backups, startup
    from newsmark.store import SchemaError
    from newsmark.store.backup import BackupError
    from newsmark.store.engine import PassphraseError

    path = startup.library_file(db)
    try:
        passphrase = _passphrase_for(path) if path is not None else None
        library = startup.open_library(db, passphrase, on_check=_say_checking, passphrase_checked=passphrase is not None)
    except startup.DamagedLibrary as exc:
        hint = (
            "\nRestore it with: newsmark restore   (the damaged file is kept in backups/ first)"
            if exc.good_backup is not None
            else "\nSee docs/reliability.md for what can still be rescued (sqlite3 .recover)."
        )
        raise click.ClickException(exc.describe() + hint) from exc
    except (SchemaError, PassphraseError, startup.NeedsPassphrase, startup.LibraryNotWritable) as exc:
        raise click.ClickException(str(exc)) from exc
    except click.ClickException:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged or unreadable file must not end in a traceback
        from newsmark.errors import user_message

        raise click.ClickException(f"cannot open the library {db or '(default)'}: {user_message(exc)}") from exc
    if library.upgrade_backup is not None:
        click.echo(f"Upgraded the library's schema; a backup of the old one is at {library.upgrade_backup}", err=True)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(lambda: startup.close_library(library))
    from newsmark.errors import environment_message, user_message

    try:
        done = backups.scheduled_backup(library)
    except Exception as exc:  # the command still runs; the backup's failure is said in plain words
        if not (isinstance(exc, (BackupError, PassphraseError, OSError)) or environment_message(exc)):
            raise
        click.echo(f"warning: the scheduled backup failed: {user_message(exc)}", err=True)
    else:
        if done.problems:
            click.echo(
                f"warning: a backup of the library failed its integrity check ({done.problems[0]}); "
                "run `newsmark check` and consider `newsmark restore`",
                err=True,
            )
    return library


def _path(ctx: click.Context) -> Path:
    from newsmark.services.backups import library_path
    from newsmark.store.backup import BackupError

    try:
        return library_path(_db(ctx))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc


def _fail(exc: Exception) -> click.ClickException:
    from newsmark.errors import user_message  # disk full, read-only, no permission … in plain words

    return click.ClickException(user_message(exc))


@click.command("backup")
@click.option("--to", "to", type=click.Path(path_type=Path), default=None, help="A folder, or the file to write. Default: backups/ beside the library.")
@click.option("--force", is_flag=True, help="Replace the file --to names if it exists.")
@click.pass_context
def backup_cmd(ctx: click.Context, to: Path | None, force: bool) -> None:
    """Copy the library now (a consistent copy, even while the app is using it), and check the copy."""
    from newsmark.services.backups import backup_library
    from newsmark.store.backup import BackupError
    from newsmark.store.engine import PassphraseError

    path = _path(ctx)
    if not path.exists():
        raise click.ClickException(f"there is no library at {path} yet")
    passphrase = _passphrase_for(path)
    try:
        made = backup_library(path, passphrase, to=to.expanduser() if to else None, force=force)
    except (BackupError, PassphraseError, OSError) as exc:
        raise _fail(exc) from exc
    if made.problems:
        raise click.ClickException(
            f"the copy at {made.path} fails its integrity check ({made.problems[0]}): the library itself is damaged. "
            "It was not kept. See: newsmark backups --check, newsmark restore"
        )
    click.echo(f"backed up to {made.path} ({_human_size(made.path.stat().st_size)}{', encrypted' if made.encrypted else ''}; check: ok)")


@click.command("backups")
@click.option("--check", "check", is_flag=True, help="Also check each backup (integrity, schema, number of articles).")
@click.pass_context
def backups_cmd(ctx: click.Context, check: bool) -> None:
    """List the library's backups, newest first (numbers for `newsmark restore N`)."""
    from newsmark.services.backups import describe_backups
    from newsmark.store.backup import backup_dir_for

    path = _path(ctx)
    passphrase = _passphrase_for(path) if check and path.exists() else None
    listed = describe_backups(path, passphrase, check=check)
    if not listed:
        click.echo(f"no backups of {path.name} in {backup_dir_for(path)}")
        return
    for number, status in enumerate(listed, 1):
        info = status.info
        line = f"{number:>3}  {_local(info.taken_at)}  {info.reason:<28} {_human_size(info.size):>9}"
        line += "  encrypted" if info.encrypted else "  plain    "
        if status.problems is not None:
            line += f"  DAMAGED: {status.problems[0]}" if status.problems else f"  ok, schema {status.revision}, {status.documents} articles"
        click.echo(line)
        click.echo(f"     {info.path}")


@click.command("restore")
@click.argument("backup", required=False)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore_cmd(ctx: click.Context, backup: str | None, yes: bool) -> None:
    """Put a backup back in place of the library.

    BACKUP is a file or a number from `newsmark backups` (1 = newest); without it,
    the newest backup that passes its integrity check. The current library is
    kept in backups/ first. Refused while the library is open in another program
    or if the backup is damaged.
    """
    from newsmark.services.backups import find_backup, list_backups, restore_library
    from newsmark.store.backup import BackupError
    from newsmark.store.engine import PassphraseError, is_encrypted_file

    path = _path(ctx)
    try:
        named = Path(backup).expanduser() if backup else None
        needs_key = (
            is_encrypted_file(path)
            or (named is not None and named.is_file() and is_encrypted_file(named))
            or any(b.encrypted for b in list_backups(path))
        )
        passphrase = ask_passphrase(path) if needs_key else None
        chosen = find_backup(path, backup, passphrase)
        if not yes:
            if not _interactive():
                raise click.ClickException("restoring replaces the library: add --yes to confirm when not at a terminal")
            click.confirm(
                f"Replace {path} with the backup taken {_local(chosen.taken_at)} ({chosen.path.name})? The current library is kept in backups/ first.",
                abort=True,
                err=True,
            )
        restored = restore_library(path, str(chosen.path), passphrase)
    except (BackupError, PassphraseError, OSError) as exc:
        raise _fail(exc) from exc
    if restored.previous is not None:
        click.echo(f"kept the library as it was in {restored.previous}")
    click.echo(
        f"restored {restored.backup.name}: schema {restored.revision}, {restored.documents} articles"
        + (", encrypted" if restored.encrypted else "")
    )


@click.command("check")
@click.pass_context
def check_cmd(ctx: click.Context) -> None:
    """Check the whole library file now (SQLite integrity_check; cipher_integrity_check if encrypted)."""
    import time

    from newsmark.services.startup import DamagedLibrary
    from newsmark.store import health
    from newsmark.store.backup import check_file, latest_good_backup

    path = _path(ctx)
    if not path.exists():
        raise click.ClickException(f"there is no library at {path}")
    passphrase = _passphrase_for(path)
    started = time.perf_counter()
    problems = check_file(path, passphrase)
    elapsed = time.perf_counter() - started
    if problems:
        damaged = DamagedLibrary(path, problems, latest_good_backup(path, passphrase))
        for problem in problems[:20]:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(damaged.describe() + (" Restore it with: newsmark restore" if damaged.good_backup else ""))
    health.record(path, checked=True)
    click.echo(f"{path}: ok ({elapsed:.1f} s)")


@click.command("encrypt")
@click.option("--remove-plain-backups", is_flag=True, help="Delete the unencrypted backups in backups/ once the encrypted library is checked.")
@click.pass_context
def encrypt_cmd(ctx: click.Context, remove_plain_backups: bool) -> None:
    """Encrypt the library with a passphrase (SQLCipher), or create a new encrypted one.

    The passphrase comes from NEWSMARK_PASSPHRASE or is asked twice. The
    library is converted into a checked copy that then replaces it; the file as
    it was is kept in backups/ — unencrypted, so delete it (or use
    --remove-plain-backups) once you have seen the encrypted library open.
    There is no way to open it without the passphrase.
    """
    from newsmark.services.backups import encrypt_library
    from newsmark.store.backup import BackupError
    from newsmark.store.engine import PassphraseError, is_encrypted_file

    path = _path(ctx)
    if is_encrypted_file(path):
        raise click.ClickException(f"{path} is already encrypted (newsmark passphrase changes the passphrase)")
    passphrase = ask_passphrase(path, confirm=True, prompt="New passphrase")
    try:
        result = encrypt_library(path, passphrase, remove_plain_backups=remove_plain_backups)
    except (BackupError, PassphraseError, OSError) as exc:
        raise _fail(exc) from exc
    if result.converted is None:
        click.echo(f"created a new encrypted library at {path}")
        return
    click.echo(f"encrypted {path} ({result.converted.rows} rows checked)")
    if result.removed:
        click.echo(f"deleted {len(result.removed)} unencrypted backups")
    if result.plain_backups:
        click.echo(
            f"warning: {len(result.plain_backups)} unencrypted backups remain in {result.plain_backups[0].parent} "
            f"(including the copy kept before encrypting: {result.converted.backup.name}); delete them once you have "
            "checked that the encrypted library opens (or run: newsmark encrypt --remove-plain-backups next time)",
            err=True,
        )


@click.command("decrypt")
@click.pass_context
def decrypt_cmd(ctx: click.Context) -> None:
    """Remove the library's encryption (the encrypted file is kept in backups/)."""
    from newsmark.services.backups import decrypt_library
    from newsmark.store.backup import BackupError
    from newsmark.store.engine import PassphraseError, is_encrypted_file

    path = _path(ctx)
    if not is_encrypted_file(path):
        raise click.ClickException(f"{path} is not encrypted")
    passphrase = _passphrase_for(path)
    assert passphrase is not None
    try:
        result = decrypt_library(path, passphrase)
    except (BackupError, PassphraseError, OSError) as exc:
        raise _fail(exc) from exc
    click.echo(f"decrypted {path} ({result.rows} rows checked); the encrypted file is kept as {result.backup}")


@click.command("passphrase")
@click.pass_context
def passphrase_cmd(ctx: click.Context) -> None:
    """Change the passphrase of an encrypted library (the old file is kept in backups/)."""
    from newsmark.services.backups import change_passphrase
    from newsmark.store.backup import BackupError
    from newsmark.store.engine import PassphraseError, is_encrypted_file

    path = _path(ctx)
    if not is_encrypted_file(path):
        raise click.ClickException(f"{path} is not encrypted (newsmark encrypt encrypts it)")
    old = _passphrase_for(path)
    assert old is not None
    if not _interactive():
        raise click.ClickException("changing the passphrase asks for the new one twice: run it in a terminal")
    new = click.prompt("New passphrase", hide_input=True, confirmation_prompt=True, err=True)
    try:
        result = change_passphrase(path, old, new)
    except (BackupError, PassphraseError, OSError) as exc:
        raise _fail(exc) from exc
    click.echo(f"changed the passphrase of {path}; the file with the old one is kept as {result.backup}")


COMMANDS = (backup_cmd, backups_cmd, restore_cmd, check_cmd, encrypt_cmd, decrypt_cmd, passphrase_cmd)


def _plain_store_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the store's refusal or an encrypted library's passphrase problem (only if the store was loaded)."""
    library = sys.modules.get("newsmark.store.library")
    engine = sys.modules.get("newsmark.store.engine")
    return (library is not None and isinstance(exc, library.StoreError)) or (engine is not None and isinstance(exc, engine.PassphraseError))


def register(group: click.Group) -> None:
    """Add the commands above, and make every command report a store refusal (library busy,
    disk full, read-only file, damaged file …) and any error of the machine (a full disk,
    a read-only folder, a missing permission …) as one plain line instead of a traceback."""
    for command in COMMANDS:
        group.add_command(command)
    invoke = group.invoke

    def invoke_with_plain_errors(ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return invoke(ctx)
        except (click.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise  # already said in words by the command
        except Exception as exc:
            if _plain_store_error(exc):
                raise click.ClickException(str(exc)) from exc
            from newsmark.errors import environment_message

            plain = environment_message(exc)  # a full disk, a read-only file, a busy library … anywhere
            if plain is not None:
                raise click.ClickException(plain) from exc
            raise

    group.invoke = invoke_with_plain_errors  # type: ignore[method-assign]
