"""Re-sent and overlapping files across runs: dedup against the lake, skip, replace, idempotence."""

from __future__ import annotations

import datetime as dt

import pytest
from ingest_helpers import pseudonym, write
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.errors import InputError

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


# Issue #13 item 2: a record held by several current files must survive the re-delivery of any one.
R4 = "13800138003|20261101110000|5|9528|41001"
FILE_C = "signaling/20261101/c.txt"
NUMBERS = [f"1380013800{i}" for i in range(5)]


def stored(lake, table=tables.SIGNALING):
    """(msisdn, source_file, line_no) of every stored row, the number recovered from its pseudonym."""
    number = {pseudonym(n): n for n in NUMBERS}
    return sorted((number[r.subscriber_id], r.source_file, r.line_no) for r in lake.read(table).collect())


def assert_reconciles(lake, table, source):
    rows = [r for r in lake.read(tables.INGEST_FILES).collect() if r.source == source and r.status in ("current", "corrupt")]
    assert len({r.file for r in rows}) == len(rows), "one current version per file"
    for r in rows:
        assert r.rows_read == r.rows_accepted + r.rows_quarantined + r.rows_duplicate, r.file
    assert lake.read(table).count() == sum(r.rows_accepted for r in rows)


def test_a_record_of_two_files_survives_the_redelivery_of_the_first(landing, ingest, lake):
    write(landing, FILE_A, [R1, R2])
    write(landing, FILE_B, [R2])  # B's copy is a duplicate of A's line 2
    ingest(landing)
    write(landing, FILE_A, [R1, R3])  # A again, without R2: B still holds it
    result = ingest(landing)
    assert stored(lake) == [("13800138000", FILE_A, 1), ("13800138001", FILE_B, 1), ("13800138002", FILE_A, 2)]
    statuses = ledger(lake)
    assert statuses[(FILE_B, "current")] == (1, 1, 0, 0)  # re-counted, not marked replaced
    assert (FILE_B, "replaced") not in statuses and (FILE_B, "skipped_same_hash") not in statuses
    assert statuses[(FILE_A, "current")] == (2, 2, 0, 0)
    assert result.summary["files"]["reread"] == 1
    assert_reconciles(lake, tables.SIGNALING, "signaling")


def test_a_chain_of_copies_moves_from_file_to_file(landing, ingest, lake):
    write(landing, FILE_A, [R1, R2])
    write(landing, FILE_B, [R2])
    write(landing, FILE_C, [R2, R3])
    ingest(landing)
    write(landing, FILE_A, [R1])
    ingest(landing)
    assert stored(lake) == [("13800138000", FILE_A, 1), ("13800138001", FILE_B, 1), ("13800138002", FILE_C, 2)]
    assert ledger(lake)[(FILE_C, "current")] == (2, 1, 0, 1)
    assert_reconciles(lake, tables.SIGNALING, "signaling")
    write(landing, FILE_B, [R4])  # now B lets R2 go too: C is the last file holding it
    ingest(landing)
    assert stored(lake) == [("13800138000", FILE_A, 1), ("13800138001", FILE_C, 1),
                            ("13800138002", FILE_C, 2), ("13800138003", FILE_B, 1)]
    assert ledger(lake)[(FILE_C, "current")] == (2, 2, 0, 0)
    assert_reconciles(lake, tables.SIGNALING, "signaling")


def test_redelivery_still_holding_the_record_stores_it_once(landing, ingest, lake):
    write(landing, FILE_A, [R1, R2, "garbage"])
    write(landing, FILE_B, [R2])
    ingest(landing)
    write(landing, FILE_A, [R3, R2, R1, "garbage"])  # new content, R2 still in it
    ingest(landing)
    # The earliest-ingested current version holding a record owns it: B's, from the first run.
    assert stored(lake) == [("13800138000", FILE_A, 3), ("13800138001", FILE_B, 1), ("13800138002", FILE_A, 1)]
    statuses = ledger(lake)
    assert statuses[(FILE_A, "current")] == (4, 2, 1, 1)
    assert statuses[(FILE_B, "current")] == (1, 1, 0, 0)
    assert lines_of(lake, tables.QUARANTINE, FILE_A) == [4]
    assert_reconciles(lake, tables.SIGNALING, "signaling")
    before = snapshot(lake)
    ingest(landing)  # nothing new: nothing re-read, nothing moves
    assert snapshot(lake) == before


def test_a_monthly_extract_keeps_the_record_its_other_file_holds(landing, ingest, lake):
    header = "msisdn,brand,tier,gender,birth_year,open_date,package_code,status"
    s1 = "13800138000,gotone,gold,M,1980,2020-01-01,12580,active"
    s2 = "13800138001,mzone,silver,F,1990,2021-05-01,12581,active"
    plain, gz = "boss/subscribers_202611.csv", "boss/subscribers_202611.csv.gz"
    write(landing, plain, [header, s1, s2])
    write(landing, gz, [header, s2], gz=True)
    ingest(landing)
    write(landing, plain, [header, s1])
    ingest(landing)
    assert stored(lake, tables.SUBSCRIBERS) == [("13800138000", plain, 2), ("13800138001", gz, 2)]
    assert ledger(lake)[(gz, "current")] == (1, 1, 0, 0)
    assert_reconciles(lake, tables.SUBSCRIBERS, "subscribers")


def test_a_dimension_is_the_union_of_its_current_files(landing, ingest, lake):
    header = "lac,cell_id,site_id,longitude,latitude,azimuth,district"
    write(landing, "params/cells.csv.gz", [header, "9529,51001,S3,113.700,23.000,90,东城"], gz=True)
    ingest(landing)
    write(landing, "params/cells.csv", [header, "9527,31021,S1,113.751,23.047,120,莞城"])  # re-sent, smaller
    ingest(landing)
    assert sorted((r.lac, r.cell_id) for r in lake.read(tables.CELLS).collect()) == [(9527, 31021), (9529, 51001)]
    assert_reconciles(lake, tables.CELLS, "cells")


def test_a_vanished_file_holding_copies_blocks_the_redelivery(landing, ingest, lake):
    write(landing, FILE_A, [R1, R2])
    write(landing, FILE_B, [R2])
    write(landing, FILE_C, [R3])  # no copies of anything: its rows need no re-reading
    ingest(landing)
    b = (landing / FILE_B).read_bytes()
    (landing / FILE_B).unlink()
    (landing / FILE_C).unlink()
    write(landing, FILE_A, [R1])
    before = snapshot(lake), ledger(lake)
    with pytest.raises(InputError, match=FILE_B) as refused:
        ingest(landing)
    assert FILE_C not in str(refused.value) and "\n" not in str(refused.value)
    assert (snapshot(lake), ledger(lake)) == before  # nothing written
    write(landing, FILE_B, b)  # B back (C still gone): the re-delivery goes through
    ingest(landing)
    assert stored(lake) == [("13800138000", FILE_A, 1), ("13800138001", FILE_B, 1), ("13800138002", FILE_C, 1)]
    assert_reconciles(lake, tables.SIGNALING, "signaling")
