"""jobs/ingest_all.py and jobs/run_chain.py --steps ingest: spark-submit entries run in-process on
the test session, global options after the job's own."""

from __future__ import annotations

from ingest_helpers import write

from lifecircle import tables
from lifecircle.lake import Lake

SIGNALING = ["13800138000|20261101080000|5|9527|31021"]


def test_bad_date_is_one_line_and_exit_2(run_job_file, tmp_path):
    code, _, err = run_job_file("ingest_all", "--landing", str(tmp_path), "--lake", str(tmp_path / "lake"),
                                "--start", "2026-13-01")
    assert code == 2
    assert err.splitlines() == [
        "lifecircle: error: Invalid value for '--start': '2026-13-01' does not match the format '%Y-%m-%d'. "
        "(see lifecircle ingest --help)"
    ]


def test_missing_landing_is_one_line_and_exit_1(spark, run_job_file, session_overlay, tmp_path):
    code, _, err = run_job_file("ingest_all", "--landing", str(tmp_path / "nowhere"), "--lake", str(tmp_path / "lake"),
                                "--conf", session_overlay)
    lines = [x for x in err.splitlines() if x.startswith("lifecircle:")]
    assert code == 1
    assert lines == [f"lifecircle: error: landing folder {tmp_path / 'nowhere'} does not exist or is not a folder"]


def test_ingests_and_prints_the_summary(spark, run_job_file, session_overlay, landing, tmp_path):
    write(landing, "signaling/20261101/a.txt", SIGNALING)
    code, out, _ = run_job_file("ingest_all", "--landing", str(landing), "--lake", str(tmp_path / "lake"),
                                "--conf", session_overlay, "--start", "2026-11-01", "--end", "2026-11-01")
    assert code == 0
    assert "rows: 4 read = 4 accepted + 0 quarantined + 0 duplicate" in out
    assert "13800138000" not in out


def test_run_chain_runs_the_chosen_steps_end_to_end(spark, run_job_file, session_overlay, landing, tmp_path):
    write(landing, "signaling/20261101/a.txt", SIGNALING)
    lake = tmp_path / "lake"
    code, out, err = run_job_file("run_chain", "--landing", str(landing), "--lake", str(lake), "--start", "2026-11-01",
                                  "--end", "2026-11-01", "--steps", "ingest", "--conf", session_overlay, "--debug")
    assert code == 0, err
    assert out.startswith("ingest: ") and "rows: 4 read = 4 accepted" in out
    assert "[run " in err and "step: ingest" in err  # progress on stderr
    runs = Lake(spark, str(lake)).read(tables.JOB_RUNS).collect()
    assert [(r["job"], r["status"]) for r in runs] == [("ingest", "success")]
