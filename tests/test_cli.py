from __future__ import annotations

import datetime as dt

from pyspark.sql import types as T
from table_frames import conform_to, table_frame

from lifecircle import tables


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
    assert "2 by day" in line and line.endswith("(not a table of lifecircle.tables)")


def test_tables_shows_the_registered_grain(spark, lake, run_cli):
    lake.write(tables.CELLS, conform_to(tables.CELLS, spark.createDataFrame([(1, 2)], "lac int, cell_id int")))
    code, out, _ = run_cli("tables", "--lake", lake.root)
    line = next(ln for ln in out.splitlines() if ln.startswith(tables.CELLS))
    assert code == 0 and line.endswith(tables.CELLS.grain)


def test_history_and_maintain_print_one_line_per_version_and_table(spark, lake, run_cli, session_overlay):
    schema = T.StructType([T.StructField("n", T.LongType())])
    for n in range(2):
        lake.append("raw/example", spark.createDataFrame([(n,)], schema))
    code, out, _ = run_cli("--conf", session_overlay, "history", "--lake", lake.root, "raw/example")
    assert code == 0 and [ln.split()[0] for ln in out.splitlines()] == ["1", "0"]
    code, out, _ = run_cli("--conf", session_overlay, "maintain", "--lake", lake.root, "--retention-hours", "0")
    assert (code, out) == (0, "raw/example: 2 -> 1 files, 2 removed by vacuum\n")


def test_audience_prints_the_first_subscribers_and_the_total(spark, lake, run_cli, session_overlay):
    rows = [(f"{s:0<64}", code, "2026-11") for s in ("a", "b", "c") for code in ("value.high", "trend.growing")]
    frame = table_frame(spark, tables.CUSTOMER_TAGS, rows, ["subscriber_id", "tag_code", "period"])
    lake.write(tables.CUSTOMER_TAGS, frame, partition_by=["period"])
    code, out, _ = run_cli("--conf", session_overlay, "audience", "value.high", "--lake", lake.root, "--limit", "2")
    assert code == 0
    assert out.splitlines() == [
        f"a{'0' * 15}…  trend.growing,value.high",
        f"b{'0' * 15}…  trend.growing,value.high",
        "3 subscribers match",
    ]
