"""Concurrent writers: read-modify-write commits never lose another job's rows.

Two Lake objects on one root stand for two jobs; the "other job" commits from inside ``build``, i.e.
between the read and the commit of the first, which is exactly the window a lost update needs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from lake_helpers import D1, D2, EVENTS, OTHER, frame, rows
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.config import LakeSettings
from lifecircle.errors import ConcurrentChangeError, LakeError
from lifecircle.lake import Lake
from lifecircle.lake.types import ABSENT

PAIRS = T.StructType([T.StructField("id", T.StringType()), T.StructField("value", T.StringType())])


def pairs(spark, data):
    return spark.createDataFrame(data, PAIRS)


def ids(lake, table):
    return sorted(r.id for r in lake.read(table).collect())


@pytest.fixture
def other(lake):
    return Lake(lake.spark, lake.root, lake.settings)


def test_merge_recomputes_when_another_merge_lands_in_between(spark, lake, other):
    lake.write(OTHER, pairs(spark, [("a", "1")]))
    calls = []
    original = lake.read

    def read_then_interfere(table, version=None, partitions=None):
        if not calls:  # the other job merges right after our first read
            calls.append(version)
            other.merge(OTHER, pairs(spark, [("b", "2")]), ["id"])
        return original(table, version, partitions)

    lake.read = read_then_interfere
    lake.merge(OTHER, pairs(spark, [("c", "3")]), ["id"])
    assert ids(other, OTHER) == ["a", "b", "c"]  # before #13: b was erased


def test_a_commit_based_on_a_stale_version_is_refused_and_leaves_no_files(spark, lake, other, tmp_path):
    lake.write(EVENTS, frame(spark, rows(D1, 2) + rows(D2, 2)), partition_by=["day"])
    read_at = lake.version(EVENTS)
    other.replace_partitions(EVENTS, frame(spark, rows(D1, 5)), {"day": [D1]})
    files_before = sorted(p.name for p in (tmp_path / "lake/scratch/events/day=2026-11-01").iterdir())
    with pytest.raises(ConcurrentChangeError, match="changed by another job"):
        lake.replace_partitions(EVENTS, frame(spark, rows(D1, 1)), {"day": [D1]}, based_on=read_at)
    assert lake.version(EVENTS) == read_at + 1
    assert lake.read(EVENTS).where(F.col("day") == D1).count() == 5
    assert sorted(p.name for p in (tmp_path / "lake/scratch/events/day=2026-11-01").iterdir()) == files_before


def test_a_change_to_other_partitions_is_no_conflict(spark, lake, other):
    lake.write(EVENTS, frame(spark, rows(D1, 2) + rows(D2, 2)), partition_by=["day"])
    read_at = lake.version(EVENTS)
    other.replace_partitions(EVENTS, frame(spark, rows(D2, 7)), {"day": [D2]})
    lake.replace_partitions(EVENTS, frame(spark, rows(D1, 1)), {"day": [D1]}, based_on=read_at)
    counts = {r.day: r["count"] for r in lake.read(EVENTS).groupBy("day").count().collect()}
    assert counts == {D1: 1, D2: 7}


def test_a_compaction_in_between_is_no_conflict(spark, lake, other):
    lake.write(EVENTS, frame(spark, rows(D1, 2)), partition_by=["day"])
    lake.append(EVENTS, frame(spark, rows(D1, 2, 10)))
    read_at = lake.version(EVENTS)
    assert other.optimize(EVENTS).files_added == 1
    lake.replace_partitions(EVENTS, frame(spark, rows(D1, 3)), {"day": [D1]}, based_on=read_at)
    assert lake.read(EVENTS).count() == 3


def test_a_create_racing_another_create_is_refused(spark, lake, other):
    other.write(OTHER, pairs(spark, [("a", "1")]))
    with pytest.raises(ConcurrentChangeError):
        lake.write(OTHER, pairs(spark, [("b", "2")]), based_on=ABSENT)
    assert ids(lake, OTHER) == ["a"]


def test_rewrite_gives_up_with_one_line_after_the_retries(spark, tmp_path):
    lake = Lake(spark, str(tmp_path / "lake"), LakeSettings(engine="delta-rs", commit_retries=1))
    other = Lake(spark, lake.root, lake.settings)
    lake.write(OTHER, pairs(spark, [("a", "1")]))
    builds = []

    def always_interfered(current):
        builds.append(1)
        other.merge(OTHER, pairs(spark, [(f"x{len(builds)}", "9")]), ["id"])
        return current.unionByName(pairs(spark, [("b", "2")]))

    with pytest.raises(LakeError, match="gave up after 2 conflicting commits") as info:
        lake.rewrite(OTHER, always_interfered)
    assert "\n" not in str(info.value)
    assert len(builds) == 2
    assert ids(lake, OTHER) == ["a", "x1", "x2"]  # the other job's rows, none of ours


def test_optimize_never_puts_back_rows_a_concurrent_write_replaced(spark, lake, other):
    lake.write(EVENTS, frame(spark, rows(D1, 2)), partition_by=["day"])
    lake.append(EVENTS, frame(spark, rows(D1, 2, 10)))
    original = lake._impl.stage

    def stage_after_a_replace(*args, **kwargs):
        lake._impl.stage = original
        other.replace_partitions(EVENTS, frame(spark, rows(D1, 1, 50)), {"day": [D1]})
        return original(*args, **kwargs)

    lake._impl.stage = stage_after_a_replace
    lake.optimize(EVENTS)
    assert sorted(r.subscriber_id for r in lake.read(EVENTS).collect()) == ["s50"]


def test_reads_inside_a_job_see_one_version(spark, lake, other):
    lake.write(OTHER, pairs(spark, [("a", "1")]))
    lake.pin_reads()
    assert ids(lake, OTHER) == ["a"]
    other.merge(OTHER, pairs(spark, [("b", "2")]), ["id"])
    assert ids(lake, OTHER) == ["a"]  # pinned
    assert lake.inputs() == {OTHER: 0}
    lake.merge(OTHER, pairs(spark, [("c", "3")]), ["id"])
    assert ids(lake, OTHER) == ["a", "b", "c"]  # its own commit moves the pin
    lake.pin_reads(False)


WRITER = textwrap.dedent(
    """
    import sys
    from pyspark.sql import types as T
    from lifecircle.config import LakeSettings, SparkSettings
    from lifecircle.lake import Lake
    from lifecircle.spark import get_spark

    root, tag, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    spark = get_spark("writer-" + tag, SparkSettings(master="local[1]", shuffle_partitions=1,
                      log_level="ERROR", extra={"spark.ui.enabled": "false"}))
    lake = Lake(spark, root, LakeSettings(engine="delta-rs", commit_retries=50))
    schema = T.StructType([T.StructField("id", T.StringType()), T.StructField("value", T.StringType())])
    for i in range(rounds):
        lake.merge("scratch/pairs", spark.createDataFrame([(f"{tag}{i}", tag)], schema), ["id"])
    """
)


def test_two_processes_merging_at_once_lose_nothing(spark, tmp_path):
    root = str(tmp_path / "lake")
    Lake(spark, root).write("scratch/pairs", pairs(spark, [("seed", "0")]))
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, root, tag, "6"], env=env, stderr=subprocess.PIPE, text=True)
        for tag in ("p", "q")
    ]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
    expected = ["seed", *[f"{t}{i}" for t in "pq" for i in range(6)]]
    assert ids(Lake(spark, root), "scratch/pairs") == sorted(expected)
