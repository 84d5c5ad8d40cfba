"""The ``lifecircle`` command line: every job reachable as ``lifecircle <job>`` (DESIGN.md contract).

Commands stay thin: parse options, load the layered config, get the SparkSession, call the job's
``run``. Failures print one line naming the cause and exit non-zero; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from typing import Any

import click

from lifecircle.cli_common import Context, echo_result, pass_ctx
from lifecircle.errors import InputError, LifecircleError
from lifecircle.lake import Lake
from lifecircle.models.cli import MODEL_COMMANDS

# Commands of the DESIGN.md contract that are not built yet, with the issue that builds them.
NOT_BUILT = {
    "plan": ("contact bidding, harassment control and the OCRM export", "module E of REQUIREMENTS.md"),
    "report": ("HTML and Excel reports", "module F of REQUIREMENTS.md"),
}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--conf", "conf_files", multiple=True, metavar="FILE", help="YAML overlay on conf/base.yaml (repeatable).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override one key, e.g. spark.shuffle_partitions=16.")
@click.option("--debug", is_flag=True, envvar="LIFECIRCLE_DEBUG", help="Show full tracebacks on errors.")
@click.version_option(package_name="lifecircle")
@click.pass_context
def cli(ctx: click.Context, conf_files: tuple[str, ...], overrides: tuple[str, ...], debug: bool) -> None:
    """Subscriber life circles, tags, propensity matrix and contact planning on Spark + Delta."""
    ctx.obj = Context(conf_files, overrides, debug)


@cli.command()
@click.option("--lake", required=True, metavar="DIR", help="Lake root (local path or Hadoop URI).")
@pass_ctx
def tables(ctx: Context, lake: str) -> None:
    """List the lake's tables with version, row count and partitions."""
    store = Lake(ctx.spark("tables"), lake, ctx.conf.lake)
    names = store.tables()
    if not names:
        click.echo(f"no Delta tables under {store.root}")
        return
    header = f"{'table':<28} {'version':>7} {'rows':>14} {'files':>6} {'MiB':>9}  partitions"
    click.echo(header)
    for name in names:
        info = store.describe(name)
        parts = f"{info.partitions} by {','.join(info.partition_by)}" if info.partition_by else "-"
        click.echo(
            f"{name:<28} {info.version:>7} {info.rows:>14,} {info.files:>6} {info.bytes / 2**20:>9.1f}  {parts}"
        )


@cli.command()
@click.option("--lake", required=True, metavar="DIR")
@click.argument("table")
@click.option("--limit", default=20, show_default=True)
@pass_ctx
def history(ctx: Context, lake: str, table: str, limit: int) -> None:
    """Show a table's Delta versions (operation, time, rows added)."""
    store = Lake(ctx.spark("history"), lake, ctx.conf.lake)
    for entry in store.history(table, limit):
        op = entry.get("lifecircle.operation") or entry.get("operation")
        click.echo(f"{entry.get('version'):>5}  {entry.get('timestamp')}  {op}")


@cli.command()
@click.option("--lake", required=True, metavar="DIR")
@click.option("--table", "only", multiple=True, help="Limit to these tables (default: all).")
@click.option("--retention-hours", type=float, default=None, help="Default: lake.vacuum_retention_hours.")
@pass_ctx
def maintain(ctx: Context, lake: str, only: tuple[str, ...], retention_hours: float | None) -> None:
    """Compact small files (optimize) and vacuum files no retained version needs."""
    store = Lake(ctx.spark("maintain"), lake, ctx.conf.lake)
    for name in only or store.tables():
        before = store.describe(name).files
        store.optimize(name)
        removed = store.vacuum(name, retention_hours)
        click.echo(f"{name}: {before} -> {store.describe(name).files} files, {len(removed)} removed by vacuum")


DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value) -> dt.date | None:
    return value.date() if value is not None else None


@cli.command()
@click.option("--out", "landing", required=True, metavar="LANDING", help="Landing folder to write interface files into.")
@click.option("--truth", required=True, metavar="TRUTHDIR", help="Folder for the ground truth (never in LANDING).")
@click.option("--subscribers", type=click.IntRange(1), required=True)
@click.option("--days", type=click.IntRange(1), required=True)
@click.option("--start", type=DATE, required=True, help="First day, YYYY-MM-DD.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--plain", is_flag=True, help="Write signaling uncompressed (.txt) instead of .txt.gz.")
@click.option("--overwrite", is_flag=True, help="Replace an earlier simulation in the same folders.")
@pass_ctx
def simulate(
    ctx: Context, landing: str, truth: str, subscribers: int, days: int, start, seed: int, plain: bool, overwrite: bool
) -> None:
    """Write a synthetic city in the interface formats, and its ground truth."""
    from lifecircle.progress import Progress
    from lifecircle.simulate import simulate_city

    progress = Progress("simulate")
    try:
        summary = simulate_city(
            out=landing, truth=truth, subscribers=subscribers, days=days, start=_day(start), seed=seed,
            gzip_signaling=not plain, progress=lambda stage, rows=None: progress(stage, rows=rows),
            overwrite=overwrite,
        )
    except (FileExistsError, ValueError) as exc:
        raise InputError(str(exc)) from None
    click.echo(f"landing: {landing}\ntruth:   {truth}\n{summary}")


def _range_options(command):
    command = click.option(
        "--end", type=DATE, default=None, help="Last day (inclusive); monthly extracts up to its month."
    )(command)
    return click.option("--start", type=DATE, default=None, help="First day of daily files (signaling, OCRM).")(command)


@cli.command()
@click.option("--landing", required=True, metavar="LANDING", help="Landing folder or Hadoop URI.")
@click.option("--lake", required=True, metavar="LAKE")
@_range_options
@pass_ctx
def ingest(ctx: Context, landing: str, lake: str, start, end) -> None:
    """Validate, deduplicate and pseudonymise every interface file into the lake."""
    from lifecircle.ingest.job import run
    from lifecircle.progress import Progress

    result = run(ctx.spark("ingest"), ctx.conf, landing, lake, _day(start), _day(end), progress=Progress("ingest"))
    echo_result(result)


@cli.command()
@click.option("--lake", required=True, metavar="LAKE")
@click.option("--start", type=DATE, required=True)
@click.option("--end", type=DATE, required=True)
@pass_ctx
def trajectories(ctx: Context, lake: str, start, end) -> None:
    """Build mobility/stays and mobility/dwell_daily for the days START..END."""
    from lifecircle.mobility.trajectories_job import run as run_trajectories
    from lifecircle.progress import Progress

    result = run_trajectories(ctx.spark("trajectories"), ctx.conf, lake, _day(start), _day(end), progress=Progress("trajectories"))
    echo_result(result)


@cli.command()
@click.option("--lake", required=True, metavar="LAKE")
@click.option("--start", type=DATE, required=True)
@click.option("--end", type=DATE, required=True)
@pass_ctx
def dwell(ctx: Context, lake: str, start, end) -> None:
    """Dwell profile, home/work anchors and area population for the period ending at END."""
    from lifecircle.mobility.dwell_job import run as run_dwell
    from lifecircle.progress import Progress

    result = run_dwell(ctx.spark("dwell"), ctx.conf, lake, _day(start), _day(end), progress=Progress("dwell"))
    echo_result(result)


@cli.command()
@click.option("--lake", required=True, metavar="LAKE")
@click.option("--period", required=True, metavar="yyyy-MM", help="Month whose profile window the tags describe.")
@pass_ctx
def tags(ctx: Context, lake: str, period: str) -> None:
    """Compute features and every catalogue tag for one period (tags/customer_tags, tags/catalog)."""
    from lifecircle.progress import Progress
    from lifecircle.tags.job import run

    echo_result(run(ctx.spark("tags"), ctx.conf, lake, period, progress=Progress("tags")))


@cli.command()
@click.argument("expression")
@click.option("--lake", required=True, metavar="LAKE")
@click.option("--period", default=None, metavar="yyyy-MM", help="Default: the latest tagged period.")
@click.option("--out", default=None, metavar="FILE", help="Write the audience as CSV instead of printing it.")
@click.option("--limit", default=20, show_default=True, help="Rows to print when --out is not given.")
@pass_ctx
def audience(ctx: Context, expression: str, lake: str, period: str | None, out: str | None, limit: int) -> None:
    """Subscribers matching a tag expression, e.g. "value.high AND NOT event.basketball"."""
    from pyspark.sql import functions as F

    from lifecircle.tags.audience import select_audience, write_audience

    selected = select_audience(ctx.spark("audience"), Lake(ctx.spark("audience"), lake, ctx.conf.lake), expression, period)
    if out:
        click.echo(f"{write_audience(selected, out):,} subscribers written to {out}")
        return
    total = selected.count()
    for row in selected.select("subscriber_id", F.array_join("tags", ",").alias("tags")).limit(limit).collect():
        click.echo(f"{row['subscriber_id'][:16]}…  {row['tags']}")
    click.echo(f"{total:,} subscribers match")


@cli.command(name="run")
@click.option("--landing", required=True, metavar="LANDING")
@click.option("--lake", required=True, metavar="LAKE")
@click.option("--start", type=DATE, required=True)
@click.option("--end", type=DATE, required=True)
@click.option("--steps", default=None, metavar="a,b,…", help="Subset of the steps, in chain order (default: all).")
@pass_ctx
def run_chain(ctx: Context, landing: str, lake: str, start, end, steps: str | None) -> None:
    """Run the whole chain for a date range, idempotently."""
    from lifecircle.pipeline import RunRequest, parse_steps, run_pipeline

    chosen = parse_steps(steps)
    request = RunRequest(landing, lake, _day(start), _day(end))
    for result in run_pipeline(ctx.spark("run"), ctx.conf, request, chosen):
        echo_result(result)


@cli.command()
@click.option("--workdir", default="demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--subscribers", type=click.IntRange(1), default=300, show_default=True)
@click.option("--days", type=click.IntRange(1), default=7, show_default=True)
@click.option("--start", type=DATE, default="2026-11-02", show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@pass_ctx
def demo(ctx: Context, workdir: str, subscribers: int, days: int, start, seed: int) -> None:
    """Simulate a city and run every step that exists; print where the outputs are."""
    from lifecircle.demo import run_demo

    run_demo(ctx.spark("demo"), ctx.conf, workdir, subscribers, days, _day(start), seed)


def _not_built(name: str, what: str, where: str) -> click.Command:
    @click.command(
        name=name,
        help=f"{what[0].upper()}{what[1:]}. Not built yet: arrives with {where}.",
        short_help=f"[not built yet] {what}",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    def command() -> None:
        click.echo(f"lifecircle {name}: not built yet — {what} arrives with {where}", err=True)
        sys.exit(2)

    return command


for _name, (_what, _where) in NOT_BUILT.items():
    cli.add_command(_not_built(_name, _what, _where))
for _command in MODEL_COMMANDS:
    cli.add_command(_command)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    java = type(exc).__name__
    if java in {"Py4JJavaError", "AnalysisException", "PySparkException"} or "java" in java.lower():
        # Spark errors carry pages of JVM stack; the first meaningful line is the cause.
        causes = [ln for ln in text if "Exception:" in ln or "Error:" in ln]
        first = causes[0].strip() if causes else first
    return f"{java}: {first}" if first else java


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: one-line errors, exit 1 (2 for usage and not-built commands)."""
    debug = "--debug" in (argv or sys.argv[1:]) or os.environ.get("LIFECIRCLE_DEBUG") == "1"
    try:
        return cli.main(args=argv, prog_name="lifecircle", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("lifecircle: aborted", err=True)
        sys.exit(130)
    except LifecircleError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"lifecircle: error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("lifecircle: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"lifecircle: failed: {_one_line(exc)} (rerun with --debug for details)", err=True)
        sys.exit(1)

