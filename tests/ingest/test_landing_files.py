"""Files a real landing folder holds: zero-byte deliveries, cut gzip streams, ``.gz`` files that are
not gzip, files that vanish or cannot be read. None of them ends the run; each is ledgered and, when
damaged, named in raw/quarantine (line_no 0) and in the run's summary."""

from __future__ import annotations

import gzip
from dataclasses import replace

import pytest
from ingest_helpers import write
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.ingest import files
from lifecircle.ingest.compression import compression_problem

RECORDS = [f"1380013{i:04d}|20261101{8 + i // 60:02d}{i % 60:02d}00|5|9527|31021" for i in range(400)]
DAY = "signaling/20261101"


def ledger(lake):
    return {r.file: r for r in lake.read(tables.INGEST_FILES).collect()}


def problem_rows(lake):
    return {
        r.file: r
        for r in lake.read(tables.QUARANTINE).where(F.col("line_no") == 0).collect()
    }


def test_a_zero_byte_file_is_a_valid_delivery(landing, ingest, lake):
    write(landing, f"{DAY}/probe1_03.txt", b"")
    write(landing, f"{DAY}/probe1_08.txt", RECORDS[:3])
    result = ingest(landing)
    rows = ledger(lake)
    empty = rows[f"{DAY}/probe1_03.txt"]
    assert (empty.status, empty.rows_read, empty.bytes) == ("current", 0, 0)
    assert rows[f"{DAY}/probe1_08.txt"].rows_accepted == 3
    assert result.summary["file_problems"] == []
    ingest(landing)  # again: the empty file is known by its hash, nothing is re-read
    assert ledger(lake)[f"{DAY}/probe1_03.txt"].status == "current"


def test_a_day_of_empty_files_only(landing, ingest, lake):
    write(landing, f"{DAY}/probe1_03.txt", b"")
    result = ingest(landing)
    assert result.summary["by_source"]["signaling"] == {
        "files": 1, "read": 0, "accepted": 0, "quarantined": 0, "duplicate": 0
    }
    assert ledger(lake)[f"{DAY}/probe1_03.txt"].status == "current"


def test_a_cut_gzip_keeps_its_readable_lines_and_says_so(landing, ingest, lake):
    whole = gzip.compress(("\n".join(RECORDS) + "\n").encode())
    write(landing, f"{DAY}/probe1_09.txt.gz", whole[: len(whole) // 2])
    result = ingest(landing)
    row = ledger(lake)[f"{DAY}/probe1_09.txt.gz"]
    assert row.status == "corrupt"
    assert 0 < row.rows_accepted < len(RECORDS)
    assert row.rows_read == row.rows_accepted + row.rows_quarantined + row.rows_duplicate
    assert lake.read(tables.SIGNALING).count() == row.rows_accepted
    marker = problem_rows(lake)[f"{DAY}/probe1_09.txt.gz"]
    assert (marker.reason, marker.source) == ("corrupt_gzip", "signaling")
    assert [p["reason"] for p in result.summary["file_problems"]] == ["corrupt_gzip"]
    assert "file problem corrupt_gzip" in result.summary["text"]


def test_a_gz_name_on_plain_text_is_read_as_text_and_reported(landing, ingest, lake):
    write(landing, f"{DAY}/probe1_10.txt.gz", RECORDS[:5])
    ingest(landing)
    row = ledger(lake)[f"{DAY}/probe1_10.txt.gz"]
    assert (row.status, row.rows_accepted) == ("corrupt", 5)
    assert problem_rows(lake)[f"{DAY}/probe1_10.txt.gz"].reason == "not_gzip"
    ingest(landing)  # the same bytes again: skipped, and the quarantine row is not repeated
    assert lake.read(tables.QUARANTINE).where(F.col("line_no") == 0).count() == 1
    assert ledger(lake)[f"{DAY}/probe1_10.txt.gz"].status == "corrupt"


def test_a_repaired_file_replaces_the_damaged_one(landing, ingest, lake):
    write(landing, f"{DAY}/probe1_10.txt.gz", RECORDS[:5])
    ingest(landing)
    write(landing, f"{DAY}/probe1_10.txt.gz", RECORDS[:6], gz=True)
    ingest(landing)
    statuses = sorted(r.status for r in lake.read(tables.INGEST_FILES).collect() if r.file.endswith("_10.txt.gz"))
    assert statuses == ["current", "replaced"]
    assert problem_rows(lake) == {}
    assert lake.read(tables.SIGNALING).count() == 6


def test_an_unreadable_file_does_not_end_the_run(spark, landing, ingest, lake, monkeypatch):
    write(landing, f"{DAY}/probe1_08.txt", RECORDS[:3])
    listed = files.list_landing
    ghost = f"{DAY}/probe1_11.txt"

    def list_with_a_vanished_file(spark_, root):
        found, ignored = listed(spark_, root)
        gone = replace(found[-1], path=found[-1].path.replace("probe1_08", "probe1_11"), file=ghost)
        return [*found, gone], ignored

    monkeypatch.setattr(files, "list_landing", list_with_a_vanished_file)
    result = ingest(landing)
    row = ledger(lake)[ghost]
    assert (row.status, row.sha256, row.rows_read) == ("unreadable", None, 0)
    assert problem_rows(lake)[ghost].reason == "unreadable_file"
    assert ledger(lake)[f"{DAY}/probe1_08.txt"].rows_accepted == 3
    assert "unreadable_file" in result.summary["text"]
    ingest(landing)  # tried again: still one quarantine row for it
    assert lake.read(tables.QUARANTINE).where(F.col("file") == ghost).count() == 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.txt.gz", gzip.compress(b"x\n"), None),
        ("a.txt", gzip.compress(b"x\n"), None),  # the bytes decide: gzip whatever the name
        ("a.txt.gz", gzip.compress(b"x\n" * 1000)[:-9], "corrupt_gzip"),
        ("a.txt.gz", b"x\n", "not_gzip"),
        ("a.txt", b"x\n", None),
        ("a.txt.gz", gzip.compress(b"x\n") + gzip.compress(b"y\n"), None),  # two members
    ],
)
def test_compression_problem(name, content, expected):
    found = compression_problem(name, content)
    assert (found[0] if found else None) == expected
