"""What the lake API and both engines share: result records, partition value text, naming helpers.

Nothing here touches Spark or a table; every engine and the API may import it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lifecircle.errors import LakeError

# Partition pruning as delta-rs takes it: [(column, "in", [value text, …]), …], all of them ANDed.
Filters = list[tuple[str, str, list[str | None]]] | None
# The partition values a write may touch, by column, in their text form (None = the null partition).
Allowed = Mapping[str, set[str | None]]

# Partition values become folder names and Delta log paths: keep them to characters that need no
# escaping, so every reader (Spark, delta-rs, DuckDB, Polars) resolves the same file.
_SAFE_PARTITION_VALUE = re.compile(r"^[A-Za-z0-9_.:+-]+$")
# The folder name Spark (and Hive) give the null partition value.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
# Where delta-rs writes stage their Parquet before the commit; vacuum clears leftovers.
STAGING_DIR = "_staging"
# ``based_on`` of a commit whose content was computed when the table did not exist yet.
ABSENT = -1


@dataclass(frozen=True)
class CommitInfo:
    table: str
    version: int
    operation: str
    rows_added: int
    files_added: int


@dataclass(frozen=True)
class TableInfo:
    table: str
    version: int
    rows: int
    files: int
    bytes: int
    partition_by: tuple[str, ...]
    partitions: int


def partition_value_text(value: Any) -> str | None:
    """The text form Delta stores for a partition value (dates ISO, numbers plain)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise LakeError("timestamps are not supported as partition values; partition by day instead")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def validate_partition_text(table: str, column: str, text: str | None) -> None:
    if text is not None and not _SAFE_PARTITION_VALUE.match(text):
        raise LakeError(
            f"{table}: partition value {text!r} of {column} has characters that need escaping; "
            "use codes made of letters, digits and _.:+-"
        )


def partition_filters(partitions: Mapping[str, Any] | None) -> Filters:
    """``{"day": [date, …]}`` as engine filters, values in their text form; None for no pruning."""
    if not partitions:
        return None
    return [(col, "in", [partition_value_text(v) for v in values]) for col, values in partitions.items()]


def new_staging_name() -> str:
    """A unique, time-sortable name for one write's staging folder and transaction id."""
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"


def absolute_uri(root: str) -> str:
    """URIs with a scheme stay as they are; local paths (and ``file:`` URIs) become absolute paths."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", root):
        return root.rstrip("/")
    return os.path.abspath(re.sub(r"^file:(//)?", "", root))
