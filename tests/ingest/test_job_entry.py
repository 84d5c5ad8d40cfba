"""jobs/ingest_all.py: the spark-submit entry (run in-process on the test session)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from ingest_helpers import write

ENTRY = Path(__file__).resolve().parents[2] / "jobs" / "ingest_all.py"


@pytest.fixture(scope="module")
def entry():
    spec = importlib.util.spec_from_file_location("ingest_all", ENTRY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def overlay(tmp_path):
    # Keep the shared test session's settings when the entry calls get_spark.
    path = tmp_path / "test.yaml"
    path.write_text("spark:\n  shuffle_partitions: 2\n  log_level: ERROR\n", encoding="utf-8")
    return str(path)


def test_bad_date_is_one_line_and_exit_1(entry, capsys, tmp_path):
    code = entry.main(["--landing", str(tmp_path), "--lake", str(tmp_path / "lake"), "--start", "2026-13-01"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == ["ingest failed: --start '2026-13-01' is not a date like 2026-11-01"]


def test_missing_landing_is_one_line_and_exit_1(spark, entry, overlay, capsys, tmp_path):
    code = entry.main(["--landing", str(tmp_path / "nowhere"), "--lake", str(tmp_path / "lake"), "--conf", overlay])
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("ingest failed")]
    assert code == 1
    assert lines == [f"ingest failed: landing folder {tmp_path / 'nowhere'} does not exist or is not a folder"]


def test_ingests_and_prints_the_summary(spark, entry, overlay, landing, capsys, tmp_path):
    write(landing, "signaling/20261101/a.txt", ["13800138000|20261101080000|5|9527|31021"])
    code = entry.main(["--landing", str(landing), "--lake", str(tmp_path / "lake"), "--conf", overlay,
                       "--start", "2026-11-01", "--end", "2026-11-01"])
    out = capsys.readouterr().out
    assert code == 0
    assert "rows: 4 read = 4 accepted + 0 quarantined + 0 duplicate" in out
    assert "13800138000" not in out
