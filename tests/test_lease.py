"""Job leases: a second run of a job is refused; a crashed run's lease is taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lifecircle.errors import BusyError
from lifecircle.lease import LEASE_DIR, job_lease


def lease_file(root: Path, job: str) -> Path:
    return root / LEASE_DIR / f"{job}.json"


def write_lease(root: Path, job: str, **fields) -> None:
    holder = {"token": "old", "host": socket.gethostname(), "pid": os.getpid(), "started": "x", "heartbeat": time.time()}
    holder.update(fields)
    lease_file(root, job).parent.mkdir(parents=True, exist_ok=True)
    lease_file(root, job).write_text(json.dumps(holder))


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


def test_a_second_run_of_the_same_job_is_refused_and_the_lease_is_released_after(spark, tmp_path):
    with job_lease(spark, str(tmp_path), "ingest"):
        with pytest.raises(BusyError, match="ingest is already running on this lake"), job_lease(
            spark, str(tmp_path), "ingest"
        ):
            pass
        with job_lease(spark, str(tmp_path), "tags"):  # another job may run alongside
            pass
    assert not lease_file(tmp_path, "ingest").exists()
    with job_lease(spark, str(tmp_path), "ingest"):
        pass


def test_a_lease_that_cannot_be_released_never_hides_the_jobs_own_error(spark, tmp_path, monkeypatch):
    from lifecircle import lease

    def broken(self, path):
        raise OSError("file system gone")

    monkeypatch.setattr(lease._Store, "delete", broken)
    with pytest.raises(RuntimeError, match="job failed"), job_lease(spark, str(tmp_path), "ingest"):
        raise RuntimeError("job failed")


def test_the_lease_is_released_when_the_job_fails(spark, tmp_path):
    with pytest.raises(RuntimeError), job_lease(spark, str(tmp_path), "ingest"):
        raise RuntimeError("job failed")
    assert not lease_file(tmp_path, "ingest").exists()


@pytest.mark.parametrize(
    "stale",
    [
        {"pid": "dead"},  # the holder crashed on this host
        {"host": "another-host", "heartbeat": time.time() - 3600},  # no heartbeat for an hour
        None,  # a lease file cut short by a crash
    ],
)
def test_a_stale_lease_is_taken_over(spark, tmp_path, stale):
    if stale is None:
        lease_file(tmp_path, "ingest").parent.mkdir(parents=True)
        lease_file(tmp_path, "ingest").write_text('{"tok')
    else:
        write_lease(tmp_path, "ingest", **{k: dead_pid() if v == "dead" else v for k, v in stale.items()})
    with job_lease(spark, str(tmp_path), "ingest", ttl_s=600) as me:
        assert json.loads(lease_file(tmp_path, "ingest").read_text())["token"] == me.token
    assert list((tmp_path / LEASE_DIR).iterdir()) == []


def test_a_live_lease_elsewhere_is_respected(spark, tmp_path):
    write_lease(tmp_path, "ingest", host="another-host", heartbeat=time.time() - 10)
    with pytest.raises(BusyError, match="host another-host"), job_lease(spark, str(tmp_path), "ingest", ttl_s=600):
        pass
    assert json.loads(lease_file(tmp_path, "ingest").read_text())["token"] == "old"


def test_the_heartbeat_keeps_a_long_run_alive(spark, tmp_path):
    with job_lease(spark, str(tmp_path), "ingest", ttl_s=600, heartbeat_s=0.05):
        first = json.loads(lease_file(tmp_path, "ingest").read_text())["heartbeat"]
        time.sleep(0.3)
        assert json.loads(lease_file(tmp_path, "ingest").read_text())["heartbeat"] > first


def test_the_cli_refuses_a_second_ingest_in_one_line(spark, tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    lake = tmp_path / "lake"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    with job_lease(spark, str(lake), "ingest"):  # this test process is the first run
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "lifecircle"), "ingest", "--landing", str(landing), "--lake", str(lake)],
            capture_output=True, text=True, env=env, timeout=300,
        )
    assert proc.returncode == 1
    errors = [ln for ln in proc.stderr.splitlines() if "already running" in ln]
    assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert not (lake / "ops").exists()  # nothing written, not even a failed run record
