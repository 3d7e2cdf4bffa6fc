"""The ``newsmark`` command: the app with no arguments, the same operations headless as subcommands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from newsmark import APP_NAME, __version__
from newsmark.launch import QT_MISSING, display_problem  # also the no-command fast path (launch.py)
from newsmark.model import ReviewStatus

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AppContext:
    """What every subcommand gets: where the library is, opened on first use."""

    def __init__(self, db: str | None):
        self.db = db
        self._library = None

    @property
    def library(self):  # type: ignore[no-untyped-def]
        if self._library is None:
            self._library = open_library(self.db)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


def open_library(db: str | None):  # type: ignore[no-untyped-def]
    """Open the library or exit with one clear line (never a traceback): passphrase, start-up check, backups."""
    from newsmark.cli_admin import open_library_checked

    return open_library_checked(db)


@click.group(invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    metavar="PATH|URL",
    envvar="NEWSMARK_DB",
    help="The library: a SQLite file path or a SQLAlchemy URL. Default: newsmark.sqlite in your data folder.",
)
@click.version_option(__version__, "-V", "--version", prog_name=APP_NAME, message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Newsmark: read news with its people, places and claims already marked;
    correct, tag and export them as training data. Everything stays on this machine.

    With no command, opens the app.
    """
    ctx.obj = AppContext(db)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui)


@main.command()
@click.pass_obj
def gui(app: AppContext) -> None:
    """Open the Newsmark window (the default when no command is given)."""
    problem = display_problem()
    if problem:
        raise click.ClickException(problem)
    try:
        from newsmark.ui.app import run
    except ImportError as exc:
        raise click.ClickException(QT_MISSING.format(exc=exc)) from exc
    sys.exit(run(app.db))


FORMAT_NAMES = ["newsmark", "spacy", "prodigy", "doccano", "label-studio", "brat", "conll"]


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="List every document added.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["articles", "auto", *FORMAT_NAMES]),
    default="auto",
    show_default=True,
    help="What the files are: articles, or annotations in one of the formats; auto tells annotation files "
    "(Newsmark/Prodigy/doccano JSONL, Label Studio JSON, brat .ann, CoNLL, .spacy) from articles by their content.",
)
@click.option("--merge", is_flag=True, help="Annotations of an article already in the library are added to it (default: reported and skipped).")
@click.option("--annotate/--no-annotate", default=None, help="Mark entities and claims in the new articles right away (default: yes for articles, no for annotated files).")
@click.option("--model", default=None, metavar="NAME", help="spaCy pipeline for --annotate (default: the library's setting, else the best installed).")
@click.pass_obj
def import_cmd(app: AppContext, paths: tuple[Path, ...], verbose: bool, fmt: str, merge: bool, annotate: bool | None, model: str | None) -> None:
    """Import articles, or articles with their annotations, from files and folders.

    Articles: .txt, .md, .html/.htm (main text and metadata of a saved web page), .jsonl
    ({"text": ..., "meta": {...}} per line), .pdf and .docx, folders recursively. A
    NAME.txt.meta.json sidecar gives a text file its title, source, author and date.

    Annotations: Newsmark JSONL, Prodigy JSONL, doccano JSONL, Label Studio JSON, brat
    folders (.txt + .ann), CoNLL/IOB and spaCy .spacy files keep their marks and relations
    (origin: the tool and file). Each article is added whole or not at all; the same
    text is never added twice; every problem is reported with its file and line.
    """
    from newsmark.services.interchange import import_any

    with _progress() as progress:
        task = progress.add_task("Importing", total=None, info="")

        def on_progress(p):  # type: ignore[no-untyped-def]
            progress.update(task, total=p.files_total, completed=p.files_done, info=Path(p.current).name if p.current else "")

        summary = import_any(app.library, paths, fmt=fmt, merge=merge, on_progress=on_progress)
    _report_import(summary, verbose)
    from_articles = [r.doc_id for r in summary.added if r.doc_id is not None and not r.annotated]
    wanted = [r.doc_id for r in summary.added if r.doc_id is not None] if annotate else from_articles if annotate is None else []
    if wanted:
        _annotate(app.library, wanted, model=model, n_process=None, batch_size=None)
    if summary.errors and not summary.added and not summary.merged:
        sys.exit(1)


def _report_import(summary, verbose: bool) -> None:  # type: ignore[no-untyped-def]
    if verbose:
        for result in summary.added:
            click.echo(f"added {result.doc_id}: {result.title}  ({result.origin})")
    for line in summary.details():
        click.echo(line, err=True)
    click.echo(summary.headline())


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="newsmark", show_default=True, help="Newsmark JSONL (Prodigy-compatible), spaCy DocBin, doccano, Label Studio, brat, CoNLL.")
@click.option("-o", "--out", required=True, type=click.Path(path_type=Path), help="The file to write (a new folder for brat). Written whole or not at all.")
@click.option("--all", "all_articles", is_flag=True, help="Every article, not only those marked done.")
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.value for s in ReviewStatus]), help="Only articles with these review statuses (repeatable; default: done).")
@click.option("--label", "labels", multiple=True, help="Only marks with this label (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["entity", "claim", "source", "cue"]), help="Only marks of this kind (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only articles with this tag, on the article or on one of its marks (repeatable: any of them).")
@click.option("--from", "date_from", default=None, metavar="YYYY-MM-DD", help="Only articles published on or after this date.")
@click.option("--to", "date_to", default=None, metavar="YYYY-MM-DD", help="Only articles published on or before this date.")
@click.option("--id", "doc_ids", type=int, multiple=True, help="Only this article (repeatable).")
@click.option("--with-rejected", is_flag=True, help="Also rejected suggestions, as negative examples.")
@click.option("--with-suggested", is_flag=True, help="Also suggestions nobody has reviewed yet.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.pass_obj
def export_cmd(app: AppContext, fmt, out, all_articles, statuses, labels, kinds, tags, date_from, date_to, doc_ids, with_rejected, with_suggested, force) -> None:  # type: ignore[no-untyped-def]
    """Export your reviewed articles and their marks as training data.

    By default: articles marked done, accepted marks only, as Newsmark JSONL (one article
    per line; Prodigy and spaCy users load it directly — see docs/formats.md). The file is
    written beside OUT and renamed into place when complete: an interrupted export leaves
    nothing behind.
    """
    from newsmark.model import SpanKind, SpanStatus
    from newsmark.services.interchange import ExportQuery, FormatError, export

    for value, name in ((date_from, "--from"), (date_to, "--to")):
        if value is not None and not _looks_like_date(value):
            raise click.BadParameter(f"{value!r} is not a date like 2024-05-31", param_hint=name)
    if out.is_dir() and any(out.iterdir()):
        raise click.ClickException(f"{out} is a folder with files in it; Newsmark never mixes an export with other files — choose a new folder")
    if out.exists() and not force and not out.is_dir():
        raise click.ClickException(f"{out} already exists; choose another name or add --force")
    span_statuses = [SpanStatus.ACCEPTED] + ([SpanStatus.REJECTED] if with_rejected else []) + ([SpanStatus.SUGGESTED] if with_suggested else [])
    query = ExportQuery(
        statuses=() if all_articles else tuple(ReviewStatus(s) for s in statuses) or (ReviewStatus.DONE,),
        tags=tags,
        published_from=date_from,
        published_to=date_to,
        ids=doc_ids,
        span_statuses=span_statuses,
        labels=labels,
        kinds=[SpanKind(k) for k in kinds],
    )
    with _progress() as progress:
        task = progress.add_task("Exporting", total=None, info="")

        def on_progress(p):  # type: ignore[no-untyped-def]
            progress.update(task, total=p.documents_total, completed=p.documents_done, info=f"{p.spans_done:,} marks")

        try:
            summary = export(app.library, fmt, out, query, replace=force, on_progress=on_progress)
        except (FormatError, OSError) as exc:
            from newsmark.errors import user_message

            raise click.ClickException(f"{user_message(exc)} Nothing was exported.") from exc
        except KeyboardInterrupt:
            raise click.ClickException(f"export interrupted; {out} was not written") from None
    for problem in summary.problems:
        click.echo(str(problem), err=True)
    click.echo(summary.headline())
    if summary.documents == 0:
        hint = "" if all_articles or statuses else " (only articles marked done are exported by default; add --all for every article)"
        click.echo(f"No article matched{hint}.", err=True)


def _looks_like_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD, and a day that exists (2024-02-30 is not one)."""
    import re
    from datetime import date

    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) is None:
        return False
    year, month, day = (value.split("-") + ["01", "01"])[:3]
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _progress():  # type: ignore[no-untyped-def]
    """A progress bar on stderr, shown when stderr is a terminal (stdout keeps only results: `> log` stays clean)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
        transient=True,
        console=Console(stderr=True),
        disable=not sys.stderr.isatty(),
    )


def _load_model(library, model: str | None):  # type: ignore[no-untyped-def]
    from newsmark.nlp.loader import ModelNotAvailable
    from newsmark.services.annotate import load_model

    try:
        return load_model(library, model)
    except ModelNotAvailable as exc:
        raise click.ClickException(str(exc)) from exc


def _annotate(library, doc_ids, *, model, n_process, batch_size) -> None:  # type: ignore[no-untyped-def]
    from newsmark.services.annotate import annotate_documents

    if not doc_ids:
        click.echo("Nothing to annotate.")
        return
    click.echo(f"Loading the language model{f' {model}' if model else ''}…", err=True)
    nlp = _load_model(library, model)
    with _progress() as progress:
        task = progress.add_task("Annotating", total=len(doc_ids), info="")

        def on_progress(p):  # type: ignore[no-untyped-def]
            progress.update(task, completed=p.done, info=f"{p.words_per_second:,.0f} words/s")

        try:
            summary = annotate_documents(library, nlp, doc_ids, n_process=n_process, batch_size=batch_size, on_progress=on_progress)
        except KeyboardInterrupt:
            raise click.ClickException("annotation interrupted; the articles finished before that keep their suggestions") from None
    click.echo(summary.headline())


@main.command()
@click.option("--pending", "scope", flag_value="pending", default=True, help="Only articles no model has annotated yet (the default).")
@click.option("--all", "scope", flag_value="all", help="Every article (pending suggestions are replaced; your own decisions are kept).")
@click.option("--id", "doc_ids", type=int, multiple=True, help="Only this article (repeatable).")
@click.option("--model", default=None, metavar="NAME", help="spaCy pipeline (package name or folder). Default: the library's setting, else the best English pipeline installed.")
@click.option("-j", "--processes", "n_process", type=click.IntRange(1, 64), default=None, help="Worker processes that run the language model, e.g. 2 on a 2-core machine (default: the library's setting, else 1).")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=None, help="Texts per spaCy batch (default 32).")
@click.pass_obj
def annotate(app: AppContext, scope: str, doc_ids: tuple[int, ...], model: str | None, n_process: int | None, batch_size: int | None) -> None:
    """Mark entities and claims (with their speakers) in articles.

    Replaces only suggestions still pending review: marks you accepted, rejected,
    edited or made yourself are never touched, and a suggestion you rejected is
    not proposed again. Ctrl+C stops; finished articles keep their suggestions.
    """
    from newsmark.services.annotate import documents_to_annotate

    ids = documents_to_annotate(app.library, pending_only=scope == "pending", doc_ids=list(doc_ids) or None)
    _annotate(app.library, ids, model=model, n_process=n_process, batch_size=batch_size)


@main.group("eval")
def eval_group() -> None:
    """Measure the claim detector against gold annotations."""


@eval_group.command("attribution")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--model", default=None, metavar="NAME", help="spaCy pipeline to evaluate.")
@click.option("--limit", type=int, default=None, help="Only the first N articles.")
@click.option("--annotator", type=click.Choice(["first", "all"]), default="first", show_default=True, help="Which gold file(s) to use when an article has several annotators.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def eval_attribution_cmd(folder: Path, model: str | None, limit: int | None, annotator: str, as_json: bool) -> None:
    """Score sources, cues and contents against brat gold (FOLDER/text/*.txt + FOLDER/attributions/*.ann, as PolNeAR)."""
    from newsmark.nlp.loader import ModelNotAvailable, load_pipeline
    from newsmark.services.evaluation import eval_attribution

    try:
        nlp = load_pipeline(model)
    except ModelNotAvailable as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        report = eval_attribution(folder, nlp, limit, annotator=annotator)
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.to_markdown())


@eval_group.command("checkworthy")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", default=None, metavar="NAME", help="spaCy pipeline to evaluate.")
@click.option("--limit", type=int, default=None, help="Only the first N sentences.")
@click.option("--mode", type=click.Choice(["model", "detector", "rules"]), default="model", show_default=True, help="model: the check-worthiness model alone; detector: any claim the detector marks; rules: the same with the hand-set rules.")
@click.option("--checkworthy-model", "cw_model", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="Another model file than the shipped one.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def eval_checkworthy_cmd(tsv: Path, model: str | None, limit: int | None, mode: str, cw_model: Path | None, as_json: bool) -> None:
    """Score sentence check-worthiness against CheckThat!-format labels (Sentence_id, Text, class_label)."""
    from newsmark.nlp.loader import ModelNotAvailable, load_pipeline
    from newsmark.services.evaluation import eval_checkworthy

    try:
        nlp = load_pipeline(model)
    except ModelNotAvailable as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        report = eval_checkworthy(tsv, nlp, limit, mode=mode, model_path=cw_model)
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.to_markdown())


@main.command("train-checkworthy")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Where to write the model (default: the shipped resources/models/checkworthy-en.json).")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed of the held-out split used to choose L2 and the threshold.")
@click.option("--model", default=None, metavar="NAME", help="spaCy pipeline that parses the sentences.")
@click.option("--limit", type=int, default=None, help="Only the first N sentences (for a quick try).")
def train_checkworthy_cmd(tsv: Path, out: Path | None, seed: int, model: str | None, limit: int | None) -> None:
    """Train the check-worthiness model from a CheckThat!-format TSV (the train split only, never dev)."""
    from newsmark.nlp.checkworthy import default_model_path
    from newsmark.nlp.loader import ModelNotAvailable, load_pipeline
    from newsmark.services.checkworthy_training import train_checkworthy

    try:
        nlp = load_pipeline(model)
    except ModelNotAvailable as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        report = train_checkworthy(tsv, nlp, out or default_model_path(), seed=seed, limit=limit, progress=lambda m: click.echo(m, err=True))
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.to_markdown())


@main.command("config")
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.option("--reset", is_flag=True, help="Put KEY back to its default.")
@click.pass_obj
def config_cmd(app: AppContext, key: str | None, value: str | None, reset: bool) -> None:
    """Show or change the library's settings.

    \b
    newsmark config                      all settings
    newsmark config nlp.model            one setting
    newsmark config nlp.model en_core_web_md
    newsmark config nlp.n_process 2
    newsmark config annotator --reset
    """
    from newsmark.services import settings

    try:
        if key is None:
            for name, setting in settings.SETTINGS.items():
                current = settings.get(app.library, name)
                click.echo(f"{name} = {current!r}    # {setting.description}")
        elif value is None and not reset:
            click.echo(repr(settings.get(app.library, key)))
        else:
            stored = settings.set_value(app.library, key, None if reset else value)
            click.echo(f"{key} = {stored!r}")
    except settings.SettingError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group("labels")
def labels_group() -> None:
    """The label scheme: list labels, add your own, change or reset one."""


@labels_group.command("list")
@click.pass_obj
def labels_list(app: AppContext) -> None:
    """Every label with its kind, hotkey, colour and whether it is shown."""
    from newsmark.services.settings import label_scheme

    for label in label_scheme(app.library):
        flags = ("" if label.shown else " (hidden)") + ("" if label.builtin else " (yours)")
        click.echo(f"{label.hotkey or ' '}  {label.name:<14} {label.kind.value:<7} {label.color}  {label.description}{flags}")


@labels_group.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(["entity", "claim", "source", "cue"]), default=None, help="What it marks (new labels: entity).")
@click.option("--color", default=None, metavar="#RRGGBB", help="Background colour in light mode.")
@click.option("--color-dark", default=None, metavar="#RRGGBB", help="Background colour in dark mode.")
@click.option("--description", default=None, help="One line a colleague understands.")
@click.option("--hotkey", type=click.Choice([str(i) for i in range(1, 10)]), default=None, help="1-9 (taken from any label that had it).")
@click.option("--hidden/--shown", default=None, help="Whether marks with it are shown by default.")
@click.pass_obj
def labels_add(app: AppContext, name: str, kind, color, color_dark, description, hotkey, hidden) -> None:  # type: ignore[no-untyped-def]
    """Add a label of your own, or change a built-in one (only the options given)."""
    from newsmark.labels import LabelSchemeError
    from newsmark.services.settings import save_label, user_labels

    entry = next((dict(e) for e in user_labels(app.library) if e.get("name") == name), {"name": name})
    for key, value in (("kind", kind), ("color", color), ("color_dark", color_dark), ("description", description), ("hotkey", hotkey)):
        if value is not None:
            entry[key] = value
    if hidden is not None:
        entry["shown"] = not hidden
    try:
        label = save_label(app.library, entry)
    except LabelSchemeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{label.name}: {label.kind.value}, {label.color}" + (f", hotkey {label.hotkey}" if label.hotkey else "") + ("" if label.shown else ", hidden"))


@labels_group.command("remove")
@click.argument("name")
@click.pass_obj
def labels_remove(app: AppContext, name: str) -> None:
    """Remove a label of your own (marks that use it keep it), or reset a built-in one."""
    from newsmark.services.settings import remove_label

    if not remove_label(app.library, name):
        raise click.ClickException(f"{name} is not one of your labels or changes (see: newsmark labels list)")
    click.echo(f"removed your entry for {name}")


@main.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.value for s in ReviewStatus]), help="Only these review statuses (repeatable).")
@click.option("-s", "--search", default="", help='Full-text search: words, "a phrase", prefix*.')
@click.option("--tag", default=None, help="Only articles with this tag.")
@click.option("--label", default=None, help="Only articles with a mark of this label.")
@click.option("--sort", "order_by", default="imported_at", type=click.Choice(["imported_at", "published", "title", "status", "source", "id"]), show_default=True)
@click.option("--desc", is_flag=True, help="Sort descending.")
@click.option("-n", "--limit", type=int, default=None, help="Show at most N articles.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.pass_obj
def list_cmd(app: AppContext, statuses, search, tag, label, order_by, desc, limit, as_json) -> None:  # type: ignore[no-untyped-def]
    """List the articles in the library."""
    from newsmark.store import DocumentQuery

    query = DocumentQuery(
        search=search,
        statuses=[ReviewStatus(s) for s in statuses],
        tag=tag,
        label=label,
        order_by=order_by,
        descending=desc,
        limit=limit,
    )
    rows = app.library.list_documents(query)
    if as_json:
        for r in rows:
            click.echo(
                json.dumps(
                    {
                        "id": r.id,
                        "title": r.title,
                        "source": r.source,
                        "published": r.published,
                        "status": r.status.value,
                        "pending": r.pending,
                        "accepted": r.accepted,
                        "rejected": r.rejected,
                        "chars": r.chars,
                    },
                    ensure_ascii=False,
                )
            )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for name, justify in (("ID", "right"), ("Title", "left"), ("Source", "left"), ("Published", "left"), ("Status", "left"), ("Pending", "right"), ("Accepted", "right")):
        table.add_column(name, justify=justify, overflow="fold" if name == "Title" else "ellipsis")
    for r in rows:
        table.add_row(str(r.id), r.title, r.source or "", r.published or "", r.status.title, str(r.pending), str(r.accepted))
    console = Console(soft_wrap=False)
    if rows:
        console.print(table)
    click.echo(f"{len(rows)} article{'s' if len(rows) != 1 else ''}" + (" (filtered)" if (search or statuses or tag or label) else ""))


@main.command()
@click.argument("doc_id", type=int)
@click.option("--marks/--no-marks", default=True, help="List the article's marks after its text.")
@click.pass_obj
def show(app: AppContext, doc_id: int, marks: bool) -> None:
    """Print one article: its metadata, text and marks."""
    from newsmark.store import NotFound

    try:
        doc = app.library.get_document(doc_id)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"# {doc.title}")
    for key in ("source", "author", "published", "url"):
        value = getattr(doc, key)
        if value:
            click.echo(f"{key}: {value}")
    click.echo(f"status: {doc.status.title}" + (f"   tags: {', '.join(doc.tags)}" if doc.tags else ""))
    click.echo()
    click.echo(doc.text)
    if marks:
        spans = app.library.spans(doc_id)
        if spans:
            click.echo()
            click.echo(f"{len(spans)} marks:")
            for s in spans:
                snippet = doc.text[s.start : s.end].replace("\n", " ")
                if len(snippet) > 70:
                    snippet = snippet[:67] + "..."
                click.echo(f"  [{s.start}:{s.end}] {s.label:<12} {s.kind.value:<7} {s.status.value:<9} {snippet}")


@main.command()
@click.pass_obj
def info(app: AppContext) -> None:
    """Where the library is, its schema version, size and health."""
    library = app.library
    click.echo(f"library:   {library.describe()}")
    click.echo(f"schema:    {library.schema_revision()}")
    click.echo(f"articles:  {library.document_count()}")
    problems = library.integrity_check()
    click.echo("integrity: ok" if not problems else "integrity: FAILED\n  " + "\n  ".join(problems[:20]))
    if problems:
        sys.exit(1)


from newsmark.cli_admin import register as _register_admin  # noqa: E402 - backup, restore, check, encrypt …

_register_admin(main)

from newsmark.cli_train import register as _register_train  # noqa: E402 - train, models, eval learning-curve

_register_train(main)

if __name__ == "__main__":  # pragma: no cover
    main()
