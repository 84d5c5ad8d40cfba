"""Lake administration behind ``lifecircle tables | history | maintain`` and ``jobs/lake_maintain.py``:
what the lake holds, a table's versions, and compaction plus vacuum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


def describe_tables(lake: Lake) -> list[TableInfo]:
    """Every Delta table under the lake root with version, rows, files, size and partitions."""
    return [lake.describe(name) for name in lake.tables()]


def table_history(lake: Lake, table: str, limit: int | None = None) -> list[HistoryEntry]:
    """The table's versions, newest first; the operation is the suite's own name when it wrote one."""
    return [
        HistoryEntry(e.get("version"), e.get("timestamp"), e.get("lifecircle.operation") or e.get("operation"))
        for e in lake.history(table, limit)
    ]


def maintain_tables(lake: Lake, names: Sequence[str] = (), retention_hours: float | None = None) -> list[MaintainResult]:
    """Compact small files and vacuum what no retained version needs, in ``names`` (default: every table).

    ``retention_hours`` defaults to ``lake.vacuum_retention_hours`` of the lake's settings."""
    done = []
    for name in names or lake.tables():
        before = lake.describe(name).files
        lake.optimize(name)
        removed = lake.vacuum(name, retention_hours)
        done.append(MaintainResult(name, before, lake.describe(name).files, len(removed)))
    return done
