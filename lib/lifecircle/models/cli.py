"""``lifecircle train | score | models … | matrix …``: module D on the command line."""

from __future__ import annotations

import click

from lifecircle.cli_common import Context, echo_result, pass_ctx


@click.command()
@click.option("--lake", required=True, metavar="LAKE")
@click.option("--period", required=True, metavar="yyyy-MM", help="Learn features of the month before → adoption in it.")
@pass_ctx
def train(ctx: Context, lake: str, period: str) -> None:
    """Initial matching and one calibrated propensity model per product, registered in MLflow."""
    from lifecircle.models.train_job import run as run_train
    from lifecircle.progress import Progress

    echo_result(run_train(ctx.spark("train"), ctx.conf, lake, period, progress=Progress("train")))


@click.command()
@click.option("--lake", required=True, metavar="LAKE")
@click.option("--period", required=True, metavar="yyyy-MM", help="Features as of this month → adoption the month after.")
@pass_ctx
def score(ctx: Context, lake: str, period: str) -> None:
    """Score every subscriber for every product (models/matching_matrix)."""
    from lifecircle.models.score_job import run as run_score
    from lifecircle.progress import Progress

    echo_result(run_score(ctx.spark("score"), ctx.conf, lake, period, progress=Progress("score")))


@click.group()
def models() -> None:
    """Registered propensity models: list versions, promote a champion."""


def _fmt(value, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


@models.command(name="list")
@click.option("--product", default=None, metavar="CODE", help="Only this product's model.")
@pass_ctx
def list_models(ctx: Context, product: str | None) -> None:
    """Every version with its aliases, period and held-out metrics (newest first)."""
    from lifecircle.models.registry import list_versions, tracking_uri

    rows = list_versions(ctx.conf.mlflow, product)
    if not rows:
        click.echo(f"no registered propensity models in {tracking_uri(ctx.conf.mlflow)}")
        return
    header = f"{'model':<22} {'ver':>4}  {'aliases':<20} {'period':<8} {'auc':>6} {'pr_auc':>7} {'lift10':>7} {'brier':>7}"
    click.echo(header)
    for r in rows:
        click.echo(
            f"{r['model']:<22} {r['version']:>4}  {r['aliases']:<20} {r['period']:<8} {_fmt(r['auc']):>6} "
            f"{_fmt(r['pr_auc']):>7} {_fmt(r['lift_top10'], 2):>7} {_fmt(r['brier'], 4):>7}"
        )


@models.command()
@click.argument("product")
@click.argument("version", required=False)
@pass_ctx
def promote(ctx: Context, product: str, version: str | None) -> None:
    """Point PRODUCT's champion at VERSION (default: its current challenger)."""
    from lifecircle.models.registry import promote as do_promote

    name, new, old = do_promote(ctx.conf.mlflow, product, version)
    click.echo(f"{name}: champion -> version {new}" + (f" (was {old})" if old else ""))


@click.group()
def matrix() -> None:
    """Read the matching matrix: best products per customer, best customers per product."""


@matrix.command()
@click.option("--lake", required=True, metavar="LAKE")
@click.option("--period", default=None, metavar="yyyy-MM", help="Default: the latest scored period.")
@click.option("--per", type=click.Choice(["customer", "product"]), default="customer", show_default=True)
@click.option("-n", "--n", "n", type=click.IntRange(1), default=3, show_default=True, help="Best N per customer / product.")
@click.option("--product", default=None, metavar="CODE", help="Only this product.")
@click.option("--subscriber", default=None, metavar="ID", help="Only this subscriber_id.")
@click.option("--out", default=None, metavar="FILE", help="Write CSV instead of printing.")
@click.option("--limit", default=20, show_default=True, help="Rows to print when --out is not given.")
@pass_ctx
def top(
    ctx: Context,
    lake: str,
    period: str | None,
    per: str,
    n: int,
    product: str | None,
    subscriber: str | None,
    out: str | None,
    limit: int,
) -> None:
    """Best N products for each customer (--per customer) or best N customers per product."""
    from lifecircle.csvout import write_csv
    from lifecircle.models.matrix_top import matrix_top, preview_top

    chosen = matrix_top(ctx.lake(lake, "matrix"), period, per, n, product, subscriber)
    if out:
        click.echo(f"{write_csv(chosen.best, out):,} rows written to {out} (period {chosen.period})")
        return
    preview = preview_top(chosen, limit)
    click.echo("  ".join(chosen.columns))
    for r in preview.rows:
        values = [
            f"{r[c][:16]}…" if c == "subscriber_id" else f"{r[c]:.4f}" if c == "probability" else str(r[c])
            for c in chosen.columns
        ]
        click.echo("  ".join(values))
    shown = f"; first {len(preview.rows)} of {preview.total:,} rows shown (--limit)" if preview.total > len(preview.rows) else ""
    click.echo(f"period {chosen.period}; best {n} per {per}{shown}")


MODEL_COMMANDS = [train, score, models, matrix]
