"""``lifecircle tables | history | maintain``: the lake's tables on the command line (logic in lifecircle.admin)."""

from __future__ import annotations

import click

from lifecircle.cli_common import Context, pass_ctx


@click.command()
@click.option("--lake", required=True, metavar="DIR", help="Lake root (local path or Hadoop URI).")
@pass_ctx
def tables(ctx: Context, lake: str) -> None:
    """List the lake's tables with version, row count, partitions and grain (from lifecircle.tables)."""
    from lifecircle import tables as registry
    from lifecircle.admin import describe_tables

    store = ctx.lake(lake, "tables")
    infos = describe_tables(store)
    if not infos:
        click.echo(f"no Delta tables under {store.root}")
        return
    click.echo(f"{'table':<28} {'version':>7} {'rows':>14} {'files':>6} {'MiB':>9}  {'partitions':<18}  grain")
    for info in infos:
        parts = f"{info.partitions} by {','.join(info.partition_by)}" if info.partition_by else "-"
        spec = registry.lookup(info.table)
        grain = spec.grain if spec is not None else "(not a table of lifecircle.tables)"
        click.echo(
            f"{info.table:<28} {info.version:>7} {info.rows:>14,} {info.files:>6} {info.bytes / 2**20:>9.1f}"
            f"  {parts:<18}  {grain}"
        )


@click.command()
@click.option("--lake", required=True, metavar="DIR")
@click.argument("table")
@click.option("--limit", default=20, show_default=True)
@pass_ctx
def history(ctx: Context, lake: str, table: str, limit: int) -> None:
    """Show a table's Delta versions (operation, time, rows added)."""
    from lifecircle.admin import table_history

    for entry in table_history(ctx.lake(lake, "history"), table, limit):
        click.echo(f"{entry.version:>5}  {entry.timestamp}  {entry.operation}")


@click.command()
@click.option("--lake", required=True, metavar="DIR")
@click.option("--table", "only", multiple=True, help="Limit to these tables (default: all).")
@click.option("--retention-hours", type=float, default=None, help="Default: lake.vacuum_retention_hours.")
@pass_ctx
def maintain(ctx: Context, lake: str, only: tuple[str, ...], retention_hours: float | None) -> None:
    """Compact small files (optimize) and vacuum files no retained version needs."""
    from lifecircle.admin import maintain_tables

    for done in maintain_tables(ctx.lake(lake, "maintain"), only, retention_hours):
        click.echo(f"{done.table}: {done.files_before} -> {done.files_after} files, {done.vacuumed} removed by vacuum")


LAKE_COMMANDS = [tables, history, maintain]
