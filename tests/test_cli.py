from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import types as T

from lifecircle import cli


def run_cli(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(list(args))
        raise SystemExit(0)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_help_lists_the_design_commands(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for command in ("tables", "tags", "audience", "train", "score", "plan", "report"):
        assert command in out


def test_not_built_commands_say_so_and_exit_non_zero(capsys):
    code, _, err = run_cli(capsys, "plan", "--lake", "x")
    assert code == 2
    assert "not built yet" in err


def test_config_errors_are_one_line(capsys):
    code, _, err = run_cli(capsys, "--set", "lake.engine=parquet", "tables", "--lake", "x")
    assert code == 1
    assert err.strip().count("\n") == 0
    assert err.startswith("lifecircle: error: command line: key 'lake.engine' must be one of")


def test_tables_lists_version_rows_and_partitions(spark, lake, capsys):
    schema = T.StructType([T.StructField("n", T.LongType()), T.StructField("day", T.DateType())])
    data = [(1, dt.date(2026, 11, 1)), (2, dt.date(2026, 11, 2)), (3, dt.date(2026, 11, 2))]
    lake.write("raw/example", spark.createDataFrame(data, schema), partition_by=["day"])
    lake.append("raw/example", spark.createDataFrame(data[:1], schema))
    code, out, _ = run_cli(capsys, "tables", "--lake", lake.root)
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("raw/example"))
    assert line.split()[:3] == ["raw/example", "1", "4"]
    assert line.endswith("2 by day")
