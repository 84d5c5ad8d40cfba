"""Facts read from a table's Delta log with delta-rs: which files, which partitions, how many rows.

Only the log is read (file paths, partition values and per-file statistics), never a data file.
Both engines use this: a Delta log is the same protocol whichever engine wrote it.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from deltalake import DeltaTable

from lifecircle.errors import LakeError


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
