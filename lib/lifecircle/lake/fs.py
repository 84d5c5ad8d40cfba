"""Thin access to Hadoop's FileSystem through the JVM, so any URI Spark reads also works here.

Local paths, ``hdfs://``, ``s3a://`` … all go through the same calls; only the driver uses this,
for file-level metadata (never for row data).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import SparkSession


@dataclass(frozen=True)
class FileStatus:
    path: str  # fully qualified URI, e.g. file:/lake/raw/signaling/day=2026-11-01/part-0.parquet
    size: int
    modification_time: int  # epoch milliseconds


class HadoopFS:
    def __init__(self, spark: SparkSession, uri: str) -> None:
        jvm = spark.sparkContext._jvm
        self._jvm = jvm
        self._path_cls = jvm.org.apache.hadoop.fs.Path
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()
        self._fs = self._path_cls(uri).getFileSystem(self._conf)

    def _p(self, uri: str):
        return self._path_cls(uri)

    def qualify(self, uri: str) -> str:
        return self._fs.makeQualified(self._p(uri)).toString()

    def exists(self, uri: str) -> bool:
        return bool(self._fs.exists(self._p(uri)))

    def is_dir(self, uri: str) -> bool:
        return self.exists(uri) and bool(self._fs.getFileStatus(self._p(uri)).isDirectory())

    def list_files(self, uri: str, recursive: bool = True) -> list[FileStatus]:
        if not self.exists(uri):
            return []
        found = []
        it = self._fs.listFiles(self._p(uri), recursive)
        while it.hasNext():
            st = it.next()
            found.append(FileStatus(st.getPath().toString(), int(st.getLen()), int(st.getModificationTime())))
        return found

    def list_dir(self, uri: str) -> list[FileStatus]:
        """Direct children (files and folders) of ``uri``."""
        if not self.exists(uri):
            return []
        return [
            FileStatus(st.getPath().toString(), int(st.getLen()), int(st.getModificationTime()))
            for st in self._fs.listStatus(self._p(uri))
        ]

    def mkdirs(self, uri: str) -> None:
        self._fs.mkdirs(self._p(uri))

    def rename(self, src: str, dst: str) -> None:
        target = self._p(dst)
        self._fs.mkdirs(target.getParent())
        if not self._fs.rename(self._p(src), target):
            raise OSError(f"could not move {src} to {dst}")

    def delete(self, uri: str, recursive: bool = True) -> bool:
        return bool(self._fs.delete(self._p(uri), recursive))

    def read_text(self, uri: str) -> str | None:
        """A small file's text (a Delta log entry, a lease), or None when it does not exist."""
        path = self._p(uri)
        if not self._fs.exists(path):
            return None
        stream = self._fs.open(path)
        try:
            return self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()

    def create_exclusive(self, uri: str, text: str) -> bool:
        """Create ``uri`` holding ``text`` unless it exists (atomic on HDFS); False if it existed."""
        try:
            stream = self._fs.create(self._p(uri), False)
        except Exception:  # py4j wraps FileAlreadyExistsException
            if self.exists(uri):
                return False
            raise
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        return True

    def write_text(self, uri: str, text: str) -> None:
        stream = self._fs.create(self._p(uri), True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()

    def parquet_row_count(self, uri: str) -> int:
        """Rows in one Parquet file, read from its footer only (works for any Hadoop URI)."""
        parquet = self._jvm.org.apache.parquet.hadoop
        reader = parquet.ParquetFileReader.open(parquet.util.HadoopInputFile.fromPath(self._p(uri), self._conf))
        try:
            return int(reader.getRecordCount())
        finally:
            reader.close()
