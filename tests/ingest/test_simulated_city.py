"""A small simulated city: quarantine and duplicate counts equal the simulator's injected faults."""

from __future__ import annotations

import pandas as pd
import pytest
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.ingest.job import run
from lifecircle.lake import Lake
from lifecircle.progress import quiet

simulate = pytest.importorskip("lifecircle.simulate")


@pytest.fixture(scope="module")
def city(spark, conf, tmp_path_factory):
    root = tmp_path_factory.mktemp("city")
    simulate.simulate_city(root / "landing", root / "truth", subscribers=40, days=2, seed=11)
    lake = Lake(spark, str(root / "lake"))
    result = run(spark, conf, str(root / "landing"), lake.root, progress=quiet())
    return lake, result, root / "truth"


def test_quarantine_by_reason_equals_injected_faults(city):
    lake, result, truth = city
    totals = pd.read_parquet(truth / "fault_totals.parquet")
    faults = totals[totals["reason"] != "duplicate"]
    expected = {(r.source, r.reason): int(r.count) for r in faults.itertuples()}
    rows = lake.read(tables.QUARANTINE).groupBy("source", "reason").count().collect()
    assert {(r.source, r.reason): r["count"] for r in rows} == expected
    assert result.summary["quarantined_by_reason"] == {
        s: {r: n for (s2, r), n in sorted(expected.items()) if s2 == s} for s in sorted({s for s, _ in expected})
    }


def test_per_file_counts_equal_the_truth_manifest(city):
    lake, _, truth = city
    files = pd.read_parquet(truth / "files.parquet")
    expected = {r.file: (int(r.records), int(r.quarantined), int(r.duplicates)) for r in files.itertuples()}
    ledger = lake.read(tables.INGEST_FILES).where(F.col("status") == "current").collect()
    got = {r.file: (r.rows_read, r.rows_quarantined, r.rows_duplicate) for r in ledger}
    assert got == expected
    for r in ledger:
        assert r.rows_read == r.rows_accepted + r.rows_quarantined + r.rows_duplicate


def test_signaling_rows_equal_the_distinct_valid_records(city):
    lake, _, truth = city
    files = pd.read_parquet(truth / "files.parquet")
    assert lake.read(tables.SIGNALING).count() == int(files.loc[files["source"] == "signaling", "distinct_valid"].sum())
