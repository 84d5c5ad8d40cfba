"""Facts read from a table's Delta log with delta-rs: which files, which partitions, how many rows.

Only the log is read (file paths, partition values and per-file statistics), never a data file.
Both engines use this: a Delta log is the same protocol whichever engine wrote it.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from deltalake import DeltaTable

from lifecircle.errors import LakeError
from lifecircle.lake.types import TableInfo


def add_actions(table: DeltaTable) -> pa.Table:
    """One row per live file: ``path``, ``size_bytes``, ``num_records``, ``partition.<col>`` (typed)."""
    return pa.table(table.get_add_actions(flatten=True))


def partition_row_counts(table: DeltaTable, column: str) -> dict[Any, int]:
    """Rows per value of partition ``column``, values typed as the column (dates as ``date``)."""
    actions = add_actions(table)
    if not actions.num_rows:
        return {}
    values = actions.column(f"partition.{column}").to_pylist()
    records = actions.column("num_records").to_pylist()
    paths = actions.column("path").to_pylist()
    counts: dict[Any, int] = {}
    for value, rows, path in zip(values, records, paths, strict=True):
        if rows is None:  # counting these rows would mean reading the file; refuse instead
            raise LakeError(f"file {path} has no row count in the Delta log")
        counts[value] = counts.get(value, 0) + int(rows)
    return counts


def describe(name: str, table: DeltaTable) -> TableInfo:
    """Version, rows, files, bytes and partitions of the current snapshot, from the log alone."""
    actions = add_actions(table)
    pcols = list(table.metadata().partition_columns)
    rows = sum(v or 0 for v in actions.column("num_records").to_pylist()) if actions.num_rows else 0
    size = sum(actions.column("size_bytes").to_pylist()) if actions.num_rows else 0
    partitions = 0
    if pcols and actions.num_rows:
        combos = zip(*[actions.column(f"partition.{c}").to_pylist() for c in pcols], strict=True)
        partitions = len(set(combos))
    return TableInfo(name, table.version(), int(rows), actions.num_rows, int(size), tuple(pcols), partitions)
