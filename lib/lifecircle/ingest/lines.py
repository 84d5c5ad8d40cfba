"""Bytes of landing files → one row per non-blank line, in an Arrow-vectorized ``mapInArrow``.

Per file: gunzip when the bytes start with the gzip magic (whatever the name says), strip a UTF-8
BOM, split on LF (a CR before it is dropped), number lines 1-based as physical lines, drop blank
lines (they are not records), flag lines that are not valid UTF-8 (their text keeps U+FFFD where
the bad bytes were) and a last line without a line end. The first non-blank line of a CSV file is
its header: it is no record, it travels along in ``header`` so Spark can check it.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.ingest.files import LandingFile

GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of undecodable bytes

LINES_SCHEMA = T.StructType(
    [
        T.StructField("path", T.StringType()),
        T.StructField("line_no", T.LongType()),
        T.StructField("text", T.StringType()),
        T.StructField("bad_utf8", T.BooleanType()),
        T.StructField("truncated", T.BooleanType()),
        T.StructField("header", T.StringType()),
    ]
)
_ARROW_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("line_no", pa.int64()),
        ("text", pa.string()),
        ("bad_utf8", pa.bool_()),
        ("truncated", pa.bool_()),
        ("header", pa.string()),
    ]
)


@dataclass
class FileLines:
    line_no: np.ndarray  # int64, 1-based physical line numbers of the records
    text: pa.Array  # string
    bad_utf8: np.ndarray  # bool
    truncated: np.ndarray  # bool: the record is the last line and has no line end
    header: str | None


def gunzip(content: bytes) -> tuple[bytes, bool]:
    """All members of a gzip stream; ``complete`` is False when the stream is cut or corrupt."""
    parts, rest = [], content
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            parts.append(inflater.decompress(rest))
        except zlib.error:
            return b"".join(parts), False
        if not inflater.eof:
            return b"".join(parts), False
        rest = inflater.unused_data
        if rest and not rest.startswith(GZIP_MAGIC):
            break  # trailing padding after the last member, as some writers leave
    return b"".join(parts), True


def _decode_lines(data: bytes) -> tuple[list[str], list[int]]:
    """Lines as text and the indexes of those that were not valid UTF-8 (now with U+FFFD)."""
    try:
        return data.decode("utf-8").split("\n"), []
    except UnicodeDecodeError:
        pass
    # Rare path: find the bad lines without decoding line by line in Python.
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    bad = [i for i, line in enumerate(lines) if not line.isascii() and _SURROGATE.search(line)]
    for i in bad:
        lines[i] = lines[i].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return lines, bad


def split_file(content: bytes, has_header: bool) -> FileLines:
    """The records of one file (pure Python + Arrow; the unit the tests pin down)."""
    complete = True
    if content.startswith(GZIP_MAGIC):
        content, complete = gunzip(content)
    if content.startswith(BOM):
        content = content[len(BOM) :]
    lines, bad = _decode_lines(content)
    ends_with_eol = lines[-1] == ""
    if ends_with_eol:
        lines.pop()  # the empty string after the final LF is no line
    text = pc.utf8_rtrim(pa.array(lines, pa.string()), characters="\r")
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
    return FileLines(line_no[keep], text.filter(pa.array(keep)), bad_mask[keep], truncated[keep], header)


def _batches(path: str, lines: FileLines, size: int) -> Iterator[pa.RecordBatch]:
    for lo in range(0, len(lines.line_no), size):
        hi = min(lo + size, len(lines.line_no))
        yield pa.RecordBatch.from_arrays(
            [
                pa.array([path] * (hi - lo), pa.string()),
                pa.array(lines.line_no[lo:hi]),
                lines.text[lo:hi],
                pa.array(lines.bad_utf8[lo:hi]),
                pa.array(lines.truncated[lo:hi]),
                pa.array([lines.header] * (hi - lo), pa.string()),
            ],
            schema=_ARROW_SCHEMA,
        )


def _split_partition(size: int):
    def split(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            paths, contents = batch.column("path").to_pylist(), batch.column("content")
            for i, path in enumerate(paths):
                has_header = path.endswith((".csv", ".csv.gz"))
                yield from _batches(path, split_file(contents[i].as_py(), has_header), size)

    return split


def read_lines(spark: SparkSession, files: list[LandingFile], batch_lines: int, tasks: int) -> DataFrame:
    """One row per record line of ``files``: file, line_no, text, bad_utf8, truncated, header and the
    file's day / month (from its name)."""
    tasks = min(len(files), tasks or 2 * spark.sparkContext.defaultParallelism)
    content = spark.read.format("binaryFile").load([f.path for f in files]).select(F.col("path"), F.col("content"))
    if tasks > 1:
        # One row per file: round-robin spreads the files (the unit of work) over the tasks, where
        # the default packing into 128 MB splits would leave cores idle.
        content = content.repartition(tasks)
    meta = spark.createDataFrame(
        [(f.path, f.file, f.day, f.month) for f in files], "path string, file string, file_day date, file_month string"
    )
    return (
        content.mapInArrow(_split_partition(batch_lines), LINES_SCHEMA)
        .join(F.broadcast(meta), on="path", how="inner")
        .select(
            F.col("file"),
            F.col("line_no"),
            F.col("text"),
            F.col("bad_utf8"),
            F.col("truncated"),
            F.col("header"),
            F.col("file_day"),
            F.col("file_month"),
        )
    )
