"""``lifecircle tables | history | maintain``: the lake's tables on the command line (logic in lifecircle.admin)."""

from __future__ import annotations

import click

from lifecircle.cli_common import Context, pass_ctx


@click.command()
@click.option("--lake", required=True, metavar="DIR", help="Lake root (local path or Hadoop URI).")
@pass_ctx
def tables(ctx: Context, lake: str) -> None:
    """List the lake's tables with version, row count, partitions and grain (from lifecircle.tables).

    The vault (vault/identity, the raw numbers) is not a lake table and is not listed."""
    from lifecircle import tables as registry
    from lifecircle.admin import describe_tables

    store = ctx.lake(lake, "tables")
    infos = describe_tables(store)
    if store.exists(registry.IDENTITY):
        click.echo(f"note: {registry.IDENTITY} under the lake root is an older version's vault; the next ingest moves it")
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
@click.option(
    "--vault", "of_vault", is_flag=True,
    help="Maintain the lake's vault (vault.root, default LAKE_vault) instead of the lake's tables.",
)
@pass_ctx
def maintain(ctx: Context, lake: str, only: tuple[str, ...], retention_hours: float | None, of_vault: bool) -> None:
    """Compact small files (optimize) and vacuum files no retained version needs."""
    from lifecircle.admin import maintain_tables, maintain_vault

    if of_vault:
        if only:
            raise click.UsageError("--vault maintains the vault only; leave out --table")
        vaulted = maintain_vault(ctx.spark("maintain"), ctx.conf, lake, retention_hours)
        done = [vaulted] if vaulted is not None else []
        if not done:
            click.echo("the vault holds no table yet")
    else:
        done = maintain_tables(ctx.lake(lake, "maintain"), only, retention_hours)
    for d in done:
        click.echo(f"{d.table}: {d.files_before} -> {d.files_after} files, {d.vacuumed} removed by vacuum")


LAKE_COMMANDS = [tables, history, maintain]
