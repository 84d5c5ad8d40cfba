"""Re-sent and overlapping files across runs: dedup against the lake, skip, replace, idempotence."""

from __future__ import annotations

import datetime as dt

from ingest_helpers import pseudonym, write
from pyspark.sql import functions as F

from lifecircle import tables

FILE_A = "signaling/20261101/a.txt"
FILE_B = "signaling/20261101/b.txt"
FILE_D2 = "signaling/20261102/a.txt"
R1 = "13800138000|20261101080000|5|9527|31021"
R2 = "13800138001|20261101090000|5|9527|31021"
R3 = "13800138002|20261101100000|5|9527|31022"


def ledger(lake):
    return {(r.file, r.status): (r.rows_read, r.rows_accepted, r.rows_quarantined, r.rows_duplicate)
            for r in lake.read(tables.INGEST_FILES).collect()}


def snapshot(lake):
    """Content of every data table (the ledger and job log record runs, they are not data)."""
    return {t: sorted(map(tuple, lake.read(t).collect())) for t in lake.tables() if not t.startswith("ops/")}


def lines_of(lake, table, file):
    return sorted(r.line_no for r in lake.read(table).where(F.col("source_file" if table != tables.QUARANTINE else "file") == file).collect())


def test_overlap_with_an_earlier_run_counts_as_duplicate(landing, ingest, lake):
    write(landing, FILE_A, [R1, R2])
    ingest(landing)
    # A later file from another probe re-sends R1 with a prefix, plus one new record.
    write(landing, FILE_B, ["+86" + R1, R3])
    ingest(landing)
    assert ledger(lake)[(FILE_B, "current")] == (2, 1, 0, 1)
    assert ledger(lake)[(FILE_A, "current")] == (2, 2, 0, 0)
    assert lines_of(lake, tables.SIGNALING, FILE_A) == [1, 2]  # the earlier copy stays
    assert lines_of(lake, tables.SIGNALING, FILE_B) == [2]


def test_same_content_again_is_skipped_and_changes_no_content(landing, ingest, lake):
    write(landing, FILE_A, [R1, R2, "garbage"])
    write(landing, "boss/subscribers_202611.csv", [
        "msisdn,brand,tier,gender,birth_year,open_date,package_code,status",
        "13800138000,gotone,gold,M,1980,2020-01-01,12580,active",
    ])
    ingest(landing)
    before = snapshot(lake)
    result = ingest(landing)
    assert snapshot(lake) == before
    statuses = ledger(lake)
    assert statuses[(FILE_A, "skipped_same_hash")] == (0, 0, 0, 0)
    assert statuses[(FILE_A, "current")] == (3, 2, 1, 0)
    assert result.summary["files"]["skipped_same_hash"] == 3
    ingest(landing)  # a third run adds nothing, not even a second skip row
    assert len(lake.read(tables.INGEST_FILES).collect()) == len(statuses)


def test_changed_content_replaces_the_files_rows(landing, ingest, lake):
    write(landing, FILE_A, [R1, R2, "garbage"])
    write(landing, FILE_B, [R2])  # duplicate of A's line 2
    ingest(landing)
    # A is delivered again: R2 gone, R3 new, different garbage.
    write(landing, FILE_A, [R1, R3, "other garbage", "more garbage"])
    ingest(landing)
    statuses = ledger(lake)
    assert statuses[(FILE_A, "replaced")] == (3, 2, 1, 0)
    assert statuses[(FILE_A, "current")] == (4, 2, 2, 0)
    assert lines_of(lake, tables.SIGNALING, FILE_A) == [1, 2]
    ids = {r.subscriber_id for r in lake.read(tables.SIGNALING).where(F.col("source_file") == FILE_A).collect()}
    assert ids == {pseudonym("13800138000"), pseudonym("13800138002")}
    assert lines_of(lake, tables.QUARANTINE, FILE_A) == [3, 4]
    # Reconciliation over the current versions still holds.
    current = [v for (f, s), v in statuses.items() if s == "current" and f.startswith("signaling/")]
    assert lake.read(tables.SIGNALING).count() == sum(v[1] for v in current)
    assert lake.read(tables.QUARANTINE).where(F.col("source") == "signaling").count() == sum(v[2] for v in current)


def test_start_and_end_restrict_days_and_months(landing, ingest, lake):
    write(landing, FILE_A, [R1])
    write(landing, FILE_D2, ["13800138000|20261102080000|5|9527|31021"])
    header = ["msisdn,brand,tier,gender,birth_year,open_date,package_code,status"]
    write(landing, "boss/subscribers_202610.csv", header)  # history before the range: wanted
    write(landing, "boss/subscribers_202612.csv", header)  # after the range: not yet
    result = ingest(landing, dt.date(2026, 11, 2), dt.date(2026, 11, 30))
    files = {r.file for r in lake.read(tables.INGEST_FILES).collect()}
    assert files == {"params/cells.csv", FILE_D2, "boss/subscribers_202610.csv"}
    assert result.summary["rows"]["accepted"] == 4  # three cells and one record
