"""The Delta lake layer: one API over two engines (see DESIGN.md, "Delta without the Delta JARs").

``delta-rs`` (embedded default): Spark executors write Parquet into a staging folder inside the
table; the driver moves the files into their partition folders and commits them as one Delta
transaction with the ``deltalake`` package. Until that commit the files are orphans: readers go
through the Delta snapshot, never a folder listing, so a job that dies before committing leaves the
table exactly as it was, and ``vacuum`` removes the orphans.

``spark-delta`` (clusters with ``io.delta:delta-spark`` on the classpath): the Delta connector does
the same work natively.

Modules, each importing only those above it: ``types`` (shared records and partition text) and
``faults`` (the crash-test checkpoints),
``schema``, ``fs`` and ``log`` (Delta log facts), ``conflicts`` (what changed since a read), the
engines ``delta_rs`` and ``spark_delta``,
``engine`` (the contract and the choice), ``api`` (:class:`Lake`).
"""

from lifecircle.lake.api import Lake
from lifecircle.lake.fs import FileStatus, HadoopFS
from lifecircle.lake.types import ABSENT, CommitInfo, TableInfo, partition_value_text

__all__ = ["ABSENT", "CommitInfo", "FileStatus", "HadoopFS", "Lake", "TableInfo", "partition_value_text"]
