"""Settings of the ingestion job (``ingest:`` section of the configuration)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IngestSettings:
    cell_buckets: int = 16  # raw/signaling partitions per day: pmod(xxhash64(lac, cell_id), cell_buckets)
    batch_lines: int = 100_000  # lines per Arrow batch handed from the line splitter to Spark
    raw_max_chars: int = 2000  # quarantine keeps at most this much of a rejected line
    read_tasks: int = 0  # tasks splitting files into lines; 0 = 2 per core (spark.default.parallelism)

    def __post_init__(self) -> None:
        if self.cell_buckets < 1:
            raise ValueError("cell_buckets must be at least 1")
        if self.batch_lines < 1 or self.raw_max_chars < 20 or self.read_tasks < 0:
            raise ValueError("batch_lines must be >= 1, raw_max_chars >= 20 and read_tasks >= 0")
