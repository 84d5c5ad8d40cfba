"""Landing files: which interface kind a path is, the run's date range, content hashes, decisions.

A file's identity is its path relative to the landing root; its hash is the SHA-256 of its bytes as
delivered, computed on the executors over the ``binaryFile`` content (so any Hadoop URI works) in
the same pass that checks the bytes (a cut gzip, a ``.gz`` that is not gzip). Files that cannot be
read at all, and problems of the bytes, come back as :class:`FileProblem` instead of failing the run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import pyarrow as pa
from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.errors import InputError
from lifecircle.ingest.compression import compression_problem
from lifecircle.lake.fs import HadoopFS
from lifecircle.periods import parse_period

_GZ = r"(?:\.gz)?"
# kind -> pattern of the relative path; group "d" is yyyyMMdd, group "m" is yyyyMM.
PATTERNS: dict[str, re.Pattern[str]] = {
    "signaling": re.compile(rf"^signaling/(?P<d>\d{{8}})/[^/]+\.txt{_GZ}$"),
    "cells": re.compile(rf"^params/cells\.csv{_GZ}$"),
    "places": re.compile(rf"^params/places\.csv{_GZ}$"),
    "cell_place": re.compile(rf"^params/cell_place\.csv{_GZ}$"),
    "events": re.compile(rf"^params/events\.csv{_GZ}$"),
    "products": re.compile(rf"^params/products\.csv{_GZ}$"),
    "subscribers": re.compile(rf"^boss/subscribers_(?P<m>\d{{6}})\.csv{_GZ}$"),
    "usage": re.compile(rf"^boss/usage_(?P<m>\d{{6}})\.csv{_GZ}$"),
    "product_status": re.compile(rf"^vgop/product_status_(?P<m>\d{{6}})\.csv{_GZ}$"),
    "complaints": re.compile(rf"^crm/complaints_(?P<m>\d{{6}})\.csv{_GZ}$"),
    "ocrm_feedback": re.compile(rf"^ocrm/feedback_(?P<d>\d{{8}})\.csv{_GZ}$"),
}


@dataclass(frozen=True)
class LandingFile:
    path: str  # fully qualified URI, as Spark's binaryFile reports it
    file: str  # identity: path relative to the landing root
    kind: str
    size: int
    day: dt.date | None = None  # signaling folder day, OCRM feedback day
    month: str | None = None  # yyyy-MM of a monthly extract
    sha256: str | None = None


def classify(relative: str) -> tuple[str, dt.date | None, str | None] | None:
    """(kind, day, month) of a relative path, or None when it is no interface file."""
    for kind, pattern in PATTERNS.items():
        found = pattern.match(relative)
        if not found:
            continue
        groups = found.groupdict()
        try:
            if groups.get("d"):
                return kind, dt.datetime.strptime(groups["d"], "%Y%m%d").date(), None
            if groups.get("m"):
                month = dt.datetime.strptime(groups["m"], "%Y%m")
                return kind, None, month.strftime("%Y-%m")
        except ValueError:
            return None  # e.g. a folder named 20261131: not a day, reported as ignored
        return kind, None, None
    return None


def list_landing(spark: SparkSession, landing: str) -> tuple[list[LandingFile], list[str]]:
    """Interface files under ``landing`` and the relative paths of everything else found there."""
    fs = HadoopFS(spark, landing)
    if not fs.is_dir(landing):
        raise InputError(f"landing folder {landing} does not exist or is not a folder")
    prefix = fs.qualify(landing).rstrip("/") + "/"
    files, ignored = [], []
    for status in fs.list_files(landing):
        relative = status.path[len(prefix) :] if status.path.startswith(prefix) else status.path
        name = relative.rsplit("/", 1)[-1]
        if name.startswith((".", "_")):
            continue  # hidden files and markers (.done, _SUCCESS, .crc) are not deliveries
        found = classify(relative)
        if found is None:
            ignored.append(relative)
            continue
        kind, day, month = found
        files.append(LandingFile(status.path, relative, kind, status.size, day, month))
    return sorted(files, key=lambda f: f.file), sorted(ignored)


def in_range(f: LandingFile, start: dt.date | None, end: dt.date | None) -> bool:
    """Daily files inside [start, end]; monthly extracts of every month up to ``end`` (trends and
    the models' M-1 -> M transition need the months before the range); params always."""
    if f.day is not None:
        return (start is None or f.day >= start) and (end is None or f.day <= end)
    if f.month is not None:
        return end is None or parse_period(f.month) <= end
    return True


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_INSPECTED = T.StructType([T.StructField(c, T.StringType()) for c in ("path", "sha256", "problem", "detail")])


@dataclass(frozen=True)
class FileProblem:
    file: LandingFile
    reason: str  # unreadable_file | corrupt_gzip | not_gzip (README, quarantine reason codes)
    detail: str


def _inspect(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        out: dict[str, list] = {name: [] for name in _INSPECTED.fieldNames()}
        contents = batch.column("content")
        for i, path in enumerate(batch.column("path").to_pylist()):
            data = contents[i].as_py()
            problem = compression_problem(path, data)
            out["path"].append(path)
            out["sha256"].append(hashlib.sha256(data).hexdigest())
            out["problem"].append(problem[0] if problem else None)
            out["detail"].append(problem[1] if problem else None)
        yield pa.RecordBatch.from_pydict(out, schema=pa.schema([(n, pa.string()) for n in out]))


def _read_inspected(spark: SparkSession, paths: list[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """path → (sha256, problem, detail) of the files Spark could read; the others are absent."""
    if not paths:
        return {}
    reader = spark.read.format("binaryFile").option("ignoreMissingFiles", "true").option("ignoreCorruptFiles", "true")
    try:
        content = reader.load(paths)
    except AnalysisException:  # a path vanished between listing and reading: read the others
        fs = HadoopFS(spark, paths[0])
        paths = [p for p in paths if fs.exists(p)]
        if not paths:
            return {}
        content = reader.load(paths)
    rows = content.select(F.col("path"), F.col("content")).mapInArrow(_inspect, _INSPECTED).collect()
    return {r.path: (r.sha256, r.problem, r.detail) for r in rows}


def inspect_files(spark: SparkSession, files: list[LandingFile]) -> tuple[list[LandingFile], list[FileProblem]]:
    """The readable files with their SHA-256, and every problem found (one small row per file back to
    the driver). A zero-byte file is a valid delivery (an hour without records): it is hashed here,
    since Spark's file sources skip empty files. An unreadable file is left out of the first list."""
    inspected = _read_inspected(spark, [f.path for f in files if f.size > 0])
    readable, problems = [], []
    for f in files:
        if f.size == 0:
            readable.append(replace(f, sha256=EMPTY_SHA256))
            continue
        if f.path not in inspected:
            problems.append(FileProblem(f, "unreadable_file", "could not be read (removed, moved or unreadable after listing)"))
            continue
        sha256, problem, detail = inspected[f.path]
        readable.append(replace(f, sha256=sha256))
        if problem:
            problems.append(FileProblem(f, problem, detail))
    return readable, problems


@dataclass(frozen=True)
class Decisions:
    new: list[LandingFile]
    replaced: list[LandingFile]  # same path, new hash: earlier rows leave, these enter
    skipped: list[LandingFile]  # same path and hash as the current ledger row
    reread: list[LandingFile] = field(default_factory=list)  # unchanged partners read again, see with_partners

    @property
    def to_ingest(self) -> list[LandingFile]:
        return sorted(self.new + self.replaced + self.reread, key=lambda f: f.file)


def decide(files: Iterable[LandingFile], current: Mapping[str, str]) -> Decisions:
    """Compare hashes with the ledger's current hash per file (``current``: file -> sha256)."""
    new, replaced, skipped = [], [], []
    for f in files:
        known = current.get(f.file)
        if known is None:
            new.append(f)
        elif known == f.sha256:
            skipped.append(f)
        else:
            replaced.append(f)
    return Decisions(new, replaced, skipped)


def rewrites(decisions: Decisions) -> list[LandingFile]:
    """The files whose ingest takes rows out of their table: a replaced version's rows leave its
    partition (day or month); any file of a params kind rewrites the whole dimension table."""
    whole = [f for f in decisions.new if f.day is None and f.month is None]
    return sorted(decisions.replaced + whole, key=lambda f: f.file)


def with_partners(decisions: Decisions, partners: Iterable[str]) -> tuple[Decisions, list[str]]:
    """Move the ``partners`` (current files that may hold copies of rows leaving the table) from
    the skipped files to those read again; the second value names the partners that are not among
    this run's readable files (gone from the landing folder or unreadable)."""
    wanted = set(partners) - {f.file for f in decisions.replaced}
    reread = [f for f in decisions.skipped if f.file in wanted]
    skipped = [f for f in decisions.skipped if f.file not in wanted]
    missing = sorted(wanted - {f.file for f in reread})
    return replace(decisions, skipped=skipped, reread=reread), missing
