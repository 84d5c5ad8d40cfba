"""A DataFrame as one local CSV file, streamed partition by partition to the driver (never
collected whole) into a temporary file renamed into place, so readers never see half a file."""

from __future__ import annotations

import csv
import os

from pyspark.sql import DataFrame


def write_csv(frame: DataFrame, path: str) -> int:
    """Write ``frame`` (its columns in order, header first) to ``path``; returns the row count."""
    tmp = f"{path}.tmp"
    count = 0
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(frame.columns)
        for row in frame.toLocalIterator():
            writer.writerow(list(row))
            count += 1
    os.replace(tmp, path)
    return count
