"""Bytes of landing files → one row per non-blank line, in an Arrow-vectorized ``mapInArrow``.

Per file: gunzip when the bytes start with the gzip magic (whatever the name says), strip a UTF-8
BOM, split on LF (a CR before it is dropped), number lines 1-based as physical lines, drop blank
lines (they are not records), flag lines that are not valid UTF-8 (their text keeps U+FFFD where
the bad bytes were) and a last line without a line end. The first non-blank line of a CSV file is
its header: it is no record, it travels along in ``header`` so Spark can check it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.ingest.compression import GZIP_MAGIC, gunzip
from lifecircle.ingest.files import LandingFile

BOM = b"\xef\xbb\xbf"

LINES_SCHEMA = T.StructType(
    [
        T.StructField("file_id", T.IntegerType()),
        T.StructField("line_no", T.LongType()),
        T.StructField("text", T.StringType()),
        T.StructField("bad_utf8", T.BooleanType()),
        T.StructField("truncated", T.BooleanType()),
        T.StructField("header", T.StringType()),
        T.StructField("file_day", T.DateType()),
        T.StructField("file_month", T.StringType()),
    ]
)
_ARROW_SCHEMA = pa.schema(
    [
        ("file_id", pa.int32()),
        ("line_no", pa.int64()),
        ("text", pa.string()),
        ("bad_utf8", pa.bool_()),
        ("truncated", pa.bool_()),
        ("header", pa.string()),
        ("file_day", pa.date32()),
        ("file_month", pa.string()),
    ]
)


@dataclass
class FileLines:
    line_no: np.ndarray  # int64, 1-based physical line numbers of the records
    text: pa.Array  # string
    bad_utf8: np.ndarray  # bool
    truncated: np.ndarray  # bool: the record is the last line and has no line end
    header: str | None


def _split(data: bytes) -> tuple[pa.Array, list[int]]:
    """Lines as Arrow strings and the indexes of those that were not valid UTF-8 (now with U+FFFD).

    Split and UTF-8 check run in Arrow kernels: no Python object per line unless the file has
    bad bytes, and then only to decode its lines one by one.
    """
    raw = pc.list_flatten(pc.split_pattern(pa.array([data], pa.large_binary()), pattern=b"\n"))
    try:
        return raw.cast(pa.large_string()), []
    except pa.ArrowInvalid:
        pass
    texts, bad = [], []
    for i, line in enumerate(raw.to_pylist()):
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(line.decode("utf-8", "replace"))
            bad.append(i)
    return pa.array(texts, pa.large_string()), bad


def split_file(content: bytes, has_header: bool) -> FileLines:
    """The records of one file (pure Python + Arrow; the unit the tests pin down)."""
    complete = True
    if content.startswith(GZIP_MAGIC):
        content, complete = gunzip(content)
    if content.startswith(BOM):
        content = content[len(BOM) :]
    lines, bad = _split(content)
    ends_with_eol = content.endswith(b"\n") or not content
    if ends_with_eol:
        lines = lines[:-1]  # the empty piece after the final LF is no line
    text = pc.utf8_rtrim(lines, characters="\r")
    n = len(text)
    bad_mask = np.zeros(n, dtype=bool)
    bad_mask[bad] = True
    truncated = np.zeros(n, dtype=bool)
    if n and not (ends_with_eol and complete):
        truncated[n - 1] = True
    keep = np.asarray(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(text)), 0))
    line_no = np.arange(1, n + 1, dtype=np.int64)
    header = None
    if has_header and keep.any():
        first = int(np.argmax(keep))
        header = text[first].as_py()
        keep[first] = False
    kept = text.filter(pa.array(keep)).cast(pa.string())
    return FileLines(line_no[keep], kept, bad_mask[keep], truncated[keep], header)


def _batches(f: tuple[int, LandingFile], lines: FileLines, size: int) -> Iterator[pa.RecordBatch]:
    file_id, landing_file = f
    for lo in range(0, len(lines.line_no), size):
        n = min(lo + size, len(lines.line_no)) - lo
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(np.full(n, file_id, dtype=np.int32)),
                pa.array(lines.line_no[lo : lo + n]),
                lines.text[lo : lo + n],
                pa.array(lines.bad_utf8[lo : lo + n]),
                pa.array(lines.truncated[lo : lo + n]),
                pa.array([lines.header] * n, pa.string()),
                pa.array([landing_file.day] * n, pa.date32()),
                pa.array([landing_file.month] * n, pa.string()),
            ],
            schema=_ARROW_SCHEMA,
        )


def _split_partition(by_path: dict[str, tuple[int, LandingFile]], size: int):
    def split(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            paths, contents = batch.column("path").to_pylist(), batch.column("content")
            for i, path in enumerate(paths):
                has_header = path.endswith((".csv", ".csv.gz"))
                yield from _batches(by_path[path], split_file(contents[i].as_py(), has_header), size)

    return split


def file_name(files: list[LandingFile]) -> Column:
    """The relative path of a row's ``file_id`` (ids index the list given to :func:`read_lines`)."""
    return F.element_at(F.lit([f.file for f in files]), F.col("file_id") + F.lit(1))


def read_lines(spark: SparkSession, files: list[LandingFile], batch_lines: int, tasks: int) -> DataFrame:
    """One row per record line of ``files``: file_id (index in ``files``), line_no, text, bad_utf8,
    truncated, header and the file's day / month (from its name).

    Rows carry a small file id, not the path: 40-odd bytes less per line through Arrow, the dedup
    shuffle and the cache; :func:`file_name` turns it back into the path where one is stored.
    """
    non_empty = [f.path for f in files if f.size > 0]  # Spark's file sources skip empty files anyway
    if not non_empty:
        return spark.createDataFrame([], LINES_SCHEMA)
    tasks = min(len(non_empty), tasks or 2 * spark.sparkContext.defaultParallelism)
    content = spark.read.format("binaryFile").load(non_empty).select(F.col("path"), F.col("content"))
    if tasks > 1:
        # One row per file: round-robin spreads the files (the unit of work) over the tasks, where
        # the default packing into 128 MB splits would leave cores idle.
        content = content.repartition(tasks)
    by_path = {f.path: (i, f) for i, f in enumerate(files)}
    return (
        content.mapInArrow(_split_partition(by_path, batch_lines), LINES_SCHEMA)
        .select(
            F.col("file_id"),
            F.col("line_no"),
            F.col("text"),
            F.col("bad_utf8"),
            F.col("truncated"),
            F.col("header"),
            F.col("file_day"),
            F.col("file_month"),
        )
    )
