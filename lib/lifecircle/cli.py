"""The ``lifecircle`` command line: every job reachable as ``lifecircle <job>`` (DESIGN.md contract).

Commands stay thin: parse options, load the layered config, get the SparkSession, call the job's
``run``. Failures print one line naming the cause and exit non-zero; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click

from lifecircle.config import Config, load_config
from lifecircle.errors import LifecircleError

# Commands of the DESIGN.md contract that are not built yet, with the issue that builds them.
NOT_BUILT = {
    "tags": ("tags for a period", "issue #6 (tag engine)"),
    "audience": ("select subscribers by a tag expression", "issue #6 (tag engine)"),
    "train": ("train the per-product propensity models", "issue #7 (matching matrix)"),
    "score": ("score the matching matrix", "issue #7 (matching matrix)"),
    "models": ("list and promote registered models", "issue #7 (matching matrix)"),
    "matrix": ("best products per customer / customers per product", "issue #7 (matching matrix)"),
    "plan": ("contact bidding, harassment control and the OCRM export", "module E of REQUIREMENTS.md"),
    "report": ("HTML and Excel reports", "module F of REQUIREMENTS.md"),
}


class Context:
    """What every command needs: the merged configuration and the debug switch."""

    def __init__(self, conf_files: tuple[str, ...], overrides: tuple[str, ...], debug: bool) -> None:
        self.conf_files = conf_files
        self.overrides = overrides
        self.debug = debug
        self._conf: Config | None = None

    @property
    def conf(self) -> Config:
        if self._conf is None:
            self._conf = load_config(self.conf_files, self.overrides)
        return self._conf

    def spark(self, app: str):
        from lifecircle.spark import get_spark

        return get_spark(f"lifecircle-{app}", self.conf)


pass_ctx = click.make_pass_decorator(Context)


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
    from lifecircle.lake import Lake

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
    from lifecircle.lake import Lake

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
    from lifecircle.lake import Lake

    store = Lake(ctx.spark("maintain"), lake, ctx.conf.lake)
    for name in only or store.tables():
        before = store.describe(name).files
        store.optimize(name)
        removed = store.vacuum(name, retention_hours)
        click.echo(f"{name}: {before} -> {store.describe(name).files} files, {len(removed)} removed by vacuum")


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

