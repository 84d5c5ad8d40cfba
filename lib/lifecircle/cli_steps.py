"""``lifecircle simulate | ingest | trajectories | dwell | tags | audience | run | demo``: the chain's
steps on the command line. Each command parses its options, calls the job and prints the result."""

from __future__ import annotations

import click

from lifecircle.cli_common import DATE, Context, day, echo_result, pass_ctx
from lifecircle.errors import InputError


def _lake_option(command):
    return click.option("--lake", required=True, metavar="LAKE", help="Lake root (local path or Hadoop URI).")(command)


def _period_option(help_text: str, required: bool = True):
    return click.option("--period", required=required, default=None, metavar="yyyy-MM", help=help_text)


@click.command()
@click.option("--out", "landing", required=True, metavar="LANDING", help="Landing folder to write interface files into.")
@click.option("--truth", required=True, metavar="TRUTHDIR", help="Folder for the ground truth (never in LANDING).")
@click.option("--subscribers", type=click.IntRange(1), required=True)
@click.option("--days", type=click.IntRange(1), required=True)
@click.option("--start", type=DATE, required=True, help="First day, YYYY-MM-DD.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--plain", is_flag=True, help="Write signaling uncompressed (.txt) instead of .txt.gz.")
@click.option("--overwrite", is_flag=True, help="Replace an earlier simulation in the same folders.")
@click.option("--profile", type=click.Choice(["clean", "realistic"]), default="clean", show_default=True,
              help="clean: tidy habits; realistic: silent phones, several serving cells, trips out, irregular habits.")
@click.option("--trait", "traits", multiple=True, metavar="KEY=VALUE",
              help="Override a realistic trait (a number or lo:hi), e.g. lu_interval_h=6 (repeatable).")
def simulate(landing: str, truth: str, subscribers: int, days: int, start, seed: int, plain: bool, overwrite: bool,
             profile: str, traits: tuple[str, ...]) -> None:
    """Write a synthetic city in the interface formats, and its ground truth."""
    from lifecircle.progress import Progress
    from lifecircle.simulate import simulate_city
    from lifecircle.simulate.realism import parse_traits

    progress = Progress("simulate")
    try:
        summary = simulate_city(
            out=landing, truth=truth, subscribers=subscribers, days=days, start=day(start), seed=seed,
            gzip_signaling=not plain, progress=lambda stage, rows=None: progress(stage, rows=rows),
            overwrite=overwrite, profile=profile, traits=parse_traits(traits) or None,
        )
    except (FileExistsError, ValueError) as exc:
        raise InputError(str(exc)) from None
    click.echo(f"landing: {landing}\ntruth:   {truth}\n{summary}")


@click.command()
@click.option("--landing", required=True, metavar="LANDING", help="Landing folder or Hadoop URI.")
@_lake_option
@click.option("--start", type=DATE, default=None, help="First day of daily files (signaling, OCRM).")
@click.option("--end", type=DATE, default=None, help="Last day (inclusive); monthly extracts up to its month.")
@pass_ctx
def ingest(ctx: Context, landing: str, lake: str, start, end) -> None:
    """Validate, deduplicate and pseudonymise every interface file into the lake."""
    from lifecircle.ingest.job import run
    from lifecircle.progress import Progress

    echo_result(run(ctx.spark("ingest"), ctx.conf, landing, lake, day(start), day(end), progress=Progress("ingest")))


def _day_range(command):
    command = click.option("--end", type=DATE, required=True, help="Last local day, YYYY-MM-DD.")(command)
    return click.option("--start", type=DATE, required=True, help="First local day, YYYY-MM-DD.")(command)


@click.command()
@_lake_option
@_day_range
@pass_ctx
def trajectories(ctx: Context, lake: str, start, end) -> None:
    """Build mobility/stays and mobility/dwell_daily for the days START..END."""
    from lifecircle.mobility.trajectories_job import run
    from lifecircle.progress import Progress

    echo_result(run(ctx.spark("trajectories"), ctx.conf, lake, day(start), day(end), progress=Progress("trajectories")))


@click.command()
@_lake_option
@_day_range
@_period_option("One period (default: every month touched by START..END).", required=False)
@pass_ctx
def dwell(ctx: Context, lake: str, start, end, period: str | None) -> None:
    """Dwell profile, home/work anchors and area population for the period ending at END."""
    from lifecircle.mobility.dwell_job import run
    from lifecircle.progress import Progress

    result = run(ctx.spark("dwell"), ctx.conf, lake, day(start), day(end), period=period, progress=Progress("dwell"))
    echo_result(result)


@click.command()
@_lake_option
@_period_option("Month whose profile window the tags describe.")
@pass_ctx
def tags(ctx: Context, lake: str, period: str) -> None:
    """Compute features and every catalogue tag for one period (tags/customer_tags, tags/catalog)."""
    from lifecircle.progress import Progress
    from lifecircle.tags.job import run

    echo_result(run(ctx.spark("tags"), ctx.conf, lake, period, progress=Progress("tags")))


@click.command()
@click.argument("expression")
@_lake_option
@_period_option("Default: the latest tagged period.", required=False)
@click.option("--out", default=None, metavar="FILE", help="Write the audience as CSV instead of printing it.")
@click.option("--limit", default=20, show_default=True, help="Rows to print when --out is not given.")
@pass_ctx
def audience(ctx: Context, expression: str, lake: str, period: str | None, out: str | None, limit: int) -> None:
    """Subscribers matching a tag expression, e.g. "value.high AND NOT event.basketball"."""
    from lifecircle.tags.audience import preview_audience, select_audience, write_audience

    selected = select_audience(ctx.spark("audience"), ctx.lake(lake, "audience"), expression, period)
    if out:
        click.echo(f"{write_audience(selected, out):,} subscribers written to {out}")
        return
    preview = preview_audience(selected, limit)
    for subscriber_id, codes in preview.rows:
        click.echo(f"{subscriber_id[:16]}…  {','.join(codes)}")
    click.echo(f"{preview.total:,} subscribers match")


@click.command(name="run")
@click.option("--landing", required=True, metavar="LANDING")
@_lake_option
@_day_range
@click.option("--steps", default=None, metavar="a,b,…", help="Subset of the steps, in chain order (default: all).")
@pass_ctx
def run_chain(ctx: Context, landing: str, lake: str, start, end, steps: str | None) -> None:
    """Run the whole chain for a date range, idempotently."""
    from lifecircle.pipeline import RunRequest, parse_steps, run_pipeline

    chosen = parse_steps(steps)
    for result in run_pipeline(ctx.spark("run"), ctx.conf, RunRequest(landing, lake, day(start), day(end)), chosen):
        echo_result(result)


@click.command()
@click.option("--workdir", default="demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--subscribers", type=click.IntRange(1), default=300, show_default=True)
@click.option("--days", type=click.IntRange(1), default=7, show_default=True)
@click.option("--start", type=DATE, default="2026-11-02", show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@pass_ctx
def demo(ctx: Context, workdir: str, subscribers: int, days: int, start, seed: int) -> None:
    """Simulate a city and run every step that exists; print where the outputs are."""
    from lifecircle.demo import run_demo

    run_demo(ctx.spark("demo"), ctx.conf, workdir, subscribers, days, day(start), seed)


STEP_COMMANDS = [simulate, ingest, trajectories, dwell, tags, audience, run_chain, demo]
