"""Signaling ingest on hand-written files: every reason code, typed rows, dedup, gzip/BOM/CRLF."""

from __future__ import annotations

import datetime as dt

import pytest
from ingest_helpers import CELLS_CSV, pseudonym, utc, write
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.testing import assertDataFrameEqual

from lifecircle import tables
from lifecircle.ingest.job import run
from lifecircle.lake import Lake
from lifecircle.progress import quiet
from lifecircle.vault import read_identity

D1 = dt.date(2026, 11, 1)
FILE_A = "signaling/20261101/probe1_08.txt"
FILE_B = "signaling/20261101/probe2_23.txt.gz"
FILE_C = "signaling/20261102/probe1_00.txt"

# file A: CRLF, BOM, a blank line, every reason code; line numbers are physical.
LINES_A = [
    b"13800138000|20261101081523|5|9527|31021",  # 1 accepted
    b"+8613800138001|20261101090000|1|9527|31022",  # 2 accepted, +86 prefix
    b"",  # 3 blank: no record
    b"8613800138000|20261101081523|5|9527|31021",  # 4 duplicate of 1 (86 prefix)
    b"13800138002|20261101100000|3|9527|31021|x",  # 5 field_count
    b"0086138001380|20261101100000|3|9527|31021",  # 6 bad_msisdn
    b"13800138003|2026110110000|3|9527|31021",  # 7 bad_timestamp (13 digits)
    b"13800138003|20261131100000|3|9527|31021",  # 8 bad_timestamp (no 31 November)
    b"13800138003|20261102100000|3|9527|31021",  # 9 ts_outside_day
    b"13800138003|20261101100000|11|9527|31021",  # 10 bad_event_type
    b"13800138003|20261101100000|x|9527|31021",  # 11 bad_event_type
    b"13800138003|20261101100000|3||31021",  # 12 bad_cell_key
    b"13800138003|20261101100000|3|9527|abc",  # 13 bad_cell_key
    b"13800138003|20261101100000|3|9999|1",  # 14 unknown_cell
    b"13800138003|\xff\xfe|3|9527|31021",  # 15 encoding
    b"1380013800|20261101100000|3|9527|31021",  # 16 bad_msisdn (10 digits)
]
# file B (gzip): a copy of A's first record from another probe, spaces, a truncated last line.
LINES_B = [
    "13800138000|20261101081523|5|9527|31021",  # 1 duplicate across files
    " 13900139000 |20261101235959|10|9528|41001",  # 2 accepted
]
EXPECTED_QUARANTINE = {
    (FILE_A, 5, "field_count"),
    (FILE_A, 6, "bad_msisdn"),
    (FILE_A, 7, "bad_timestamp"),
    (FILE_A, 8, "bad_timestamp"),
    (FILE_A, 9, "ts_outside_day"),
    (FILE_A, 10, "bad_event_type"),
    (FILE_A, 11, "bad_event_type"),
    (FILE_A, 12, "bad_cell_key"),
    (FILE_A, 13, "bad_cell_key"),
    (FILE_A, 14, "unknown_cell"),
    (FILE_A, 15, "encoding"),
    (FILE_A, 16, "bad_msisdn"),
    (FILE_B, 3, "field_count"),
}
SIGNALING_SCHEMA = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("event_ts", T.TimestampType()),
        T.StructField("event_type", T.IntegerType()),
        T.StructField("lac", T.IntegerType()),
        T.StructField("cell_id", T.IntegerType()),
        T.StructField("day", T.DateType()),
        T.StructField("source_file", T.StringType()),
        T.StructField("line_no", T.LongType()),
    ]
)


@pytest.fixture(scope="module")
def ingested(spark, conf, tmp_path_factory):
    root = tmp_path_factory.mktemp("signaling")
    landing = root / "landing"
    write(landing, "params/cells.csv", CELLS_CSV)
    write(landing, FILE_A, b"\xef\xbb\xbf" + b"\r\n".join(LINES_A) + b"\r\n")
    write(landing, FILE_B, "\n".join(LINES_B).encode() + b"\n13900139000|2026110123", gz=True)
    write(landing, FILE_C, ["13800138000|20261102000000|7|9527|31021"])
    write(landing, "signaling/README.txt", ["not an interface file"])
    lake = Lake(spark, str(root / "lake"))
    result = run(spark, conf, str(landing), lake.root, progress=quiet())
    return lake, result


def test_every_reason_code_with_its_line(ingested):
    lake, _ = ingested
    rows = lake.read(tables.QUARANTINE).where(F.col("source") == "signaling").collect()
    assert {(r.file, r.line_no, r.reason) for r in rows} == EXPECTED_QUARANTINE
    assert {r.day for r in rows} == {D1}
    truncated = next(r for r in rows if r.file == FILE_B)
    assert truncated.detail == "2 fields, expected 5; last line has no line end"


def test_accepted_rows_are_typed_deduplicated_and_utc(spark, ingested):
    lake, _ = ingested
    a, b, c = pseudonym("13800138000"), pseudonym("13800138001"), pseudonym("13900139000")
    expected = spark.createDataFrame(
        [
            (a, utc(2026, 11, 1, 0, 15, 23), 5, 9527, 31021, D1, FILE_A, 1),
            (b, utc(2026, 11, 1, 1), 1, 9527, 31022, D1, FILE_A, 2),
            (c, utc(2026, 11, 1, 15, 59, 59), 10, 9528, 41001, D1, FILE_B, 2),
            (a, utc(2026, 11, 1, 16), 7, 9527, 31021, dt.date(2026, 11, 2), FILE_C, 1),
        ],
        SIGNALING_SCHEMA,
    )
    stored = lake.read(tables.SIGNALING)
    assert stored.schema["cell_bucket"].dataType == T.IntegerType()
    assertDataFrameEqual(stored.drop("cell_bucket"), expected)
    buckets = stored.select("lac", "cell_id", "cell_bucket").distinct().collect()
    assert all(0 <= r.cell_bucket < 16 for r in buckets)


def test_ledger_reconciles_every_file(ingested):
    lake, result = ingested
    ledger = {r.file: r for r in lake.read(tables.INGEST_FILES).collect()}
    assert set(ledger) == {"params/cells.csv", FILE_A, FILE_B, FILE_C}
    counts = {f: (r.rows_read, r.rows_accepted, r.rows_quarantined, r.rows_duplicate) for f, r in ledger.items()}
    assert counts[FILE_A] == (15, 2, 12, 1)
    assert counts[FILE_B] == (3, 1, 1, 1)
    assert counts[FILE_C] == (1, 1, 0, 0)
    for r in ledger.values():
        assert r.rows_read == r.rows_accepted + r.rows_quarantined + r.rows_duplicate
        assert r.status == "current"
        assert len(r.sha256) == 64
    assert lake.read(tables.SIGNALING).count() == sum(counts[f][1] for f in (FILE_A, FILE_B, FILE_C))
    assert result.summary["ignored_files"] == ["signaling/README.txt"]
    assert result.summary["quarantined_by_reason"]["signaling"]["bad_timestamp"] == 2


def test_quarantine_masks_numbers(ingested):
    lake, _ = ingested
    raw = {r.line_no: r.raw for r in lake.read(tables.QUARANTINE).where(F.col("file") == FILE_A).collect()}
    assert raw[5] == "138******02|20261101100000|3|9527|31021|x"
    assert raw[6] == "008********80|20261101100000|3|9527|31021"
    assert raw[15] == "138******03|\ufffd\ufffd|3|9527|31021"


def test_identity_vault_holds_the_accepted_numbers(spark, conf, ingested):
    lake, _ = ingested
    vault = {r.msisdn: r.subscriber_id for r in read_identity(spark, conf, lake.root).collect()}
    assert vault == {n: pseudonym(n) for n in ("13800138000", "13800138001", "13900139000")}
