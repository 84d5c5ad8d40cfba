"""Lake administration behind ``lifecircle tables | history | maintain`` and ``jobs/lake_maintain.py``:
what the lake holds, a table's versions, and compaction plus vacuum.

The vault (``vault/identity``) is no lake table: it is never listed or maintained with them; it is
maintained on its own, through :mod:`lifecircle.vault`, when asked for (``maintain --vault``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession

from lifecircle import tables, vault
from lifecircle.config import Config
from lifecircle.errors import InputError
from lifecircle.lake import Lake, TableInfo


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    timestamp: Any  # as the engine reports it (epoch millis or ISO text)
    operation: str | None


@dataclass(frozen=True)
class MaintainResult:
    table: str
    files_before: int
    files_after: int
    vacuumed: int  # files deleted by vacuum


def lake_tables(lake: Lake) -> list[str]:
    """The lake's tables: every Delta table under its root except a vault/identity an older version
    left there (the next ingest moves it into the vault)."""
    return [name for name in lake.tables() if name != tables.IDENTITY]


def describe_tables(lake: Lake) -> list[TableInfo]:
    """Every table of the lake with version, rows, files, size and partitions."""
    return [lake.describe(name) for name in lake_tables(lake)]


def table_history(lake: Lake, table: str, limit: int | None = None) -> list[HistoryEntry]:
    """The table's versions, newest first; the operation is the suite's own name when it wrote one."""
    return [
        HistoryEntry(e.get("version"), e.get("timestamp"), e.get("lifecircle.operation") or e.get("operation"))
        for e in lake.history(table, limit)
    ]


def maintain_tables(lake: Lake, names: Sequence[str] = (), retention_hours: float | None = None) -> list[MaintainResult]:
    """Compact small files and vacuum what no retained version needs, in ``names`` (default: every table).

    ``retention_hours`` defaults to ``lake.vacuum_retention_hours`` of the lake's settings."""
    if tables.IDENTITY in names:
        raise InputError(f"{tables.IDENTITY} is not a lake table: maintain the vault with `maintain --vault`")
    done = []
    for name in names or lake_tables(lake):
        before = lake.describe(name).files
        lake.optimize(name)
        removed = lake.vacuum(name, retention_hours)
        done.append(MaintainResult(name, before, lake.describe(name).files, len(removed)))
    return done


def maintain_vault(
    spark: SparkSession, conf: Config, lake_root: str, retention_hours: float | None = None
) -> MaintainResult | None:
    """Compact and vacuum the vault of the lake at ``lake_root`` on its own; None when it has none yet."""
    done = vault.maintain_identity(spark, conf, lake_root, retention_hours)
    if done is None:
        return None
    return MaintainResult(tables.IDENTITY, done.files_before, done.files_after, done.vacuumed)
