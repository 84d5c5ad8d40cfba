from __future__ import annotations

import datetime as dt

from pyspark.sql import types as T


def test_help_lists_the_design_commands(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0
    for command in ("tables", "tags", "audience", "train", "score", "plan", "report"):
        assert command in out


def test_not_built_commands_say_so_and_exit_non_zero(run_cli):
    code, _, err = run_cli("plan", "--lake", "x")
    assert code == 2
    assert "not built yet" in err


def test_config_errors_are_one_line(run_cli):
    code, _, err = run_cli("--set", "lake.engine=parquet", "tables", "--lake", "x")
    assert code == 1
    assert err.strip().count("\n") == 0
    assert err.startswith("lifecircle: error: command line: key 'lake.engine' must be one of")


def test_tables_lists_version_rows_and_partitions(spark, lake, run_cli):
    schema = T.StructType([T.StructField("n", T.LongType()), T.StructField("day", T.DateType())])
    data = [(1, dt.date(2026, 11, 1)), (2, dt.date(2026, 11, 2)), (3, dt.date(2026, 11, 2))]
    lake.write("raw/example", spark.createDataFrame(data, schema), partition_by=["day"])
    lake.append("raw/example", spark.createDataFrame(data[:1], schema))
    code, out, _ = run_cli("tables", "--lake", lake.root)
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("raw/example"))
    assert line.split()[:3] == ["raw/example", "1", "4"]
    assert line.endswith("2 by day")
