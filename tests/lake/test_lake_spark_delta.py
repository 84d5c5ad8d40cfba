"""The spark-delta engine's SQL builders: pure text checks, then the same predicates run by plain
Spark SQL on an in-memory DataFrame (no Delta connector needed) to prove they select what they say."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import types as T

from lifecircle.lake.spark_delta import (
    filters_predicate,
    partition_predicate,
    sql_column,
    sql_literal,
    value_predicate,
)
from lifecircle.lake.types import partition_value_text


# ---------------------------------------------------------------- text
@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("2026-11-01", "'2026-11-01'"),
        ("it's", "'it''s'"),
        ("''", "''''''"),
        ("a\\b", "'a\\\\b'"),
        ("", "''"),
        (None, "NULL"),
    ],
)
def test_literals_quote_quotes_and_backslashes(text, literal):
    assert sql_literal(text) == literal


def test_column_names_are_backticked_with_backticks_doubled():
    assert sql_column("day") == "`day`"
    assert sql_column("odd`name") == "`odd``name`"
    assert sql_column("with space") == "`with space`"


def test_values_are_listed_sorted_and_once():
    assert value_predicate("code", ["b", "a", "b"]) == "`code` IN ('a', 'b')"


def test_a_null_value_gets_its_own_is_null_test():
    assert value_predicate("code", [None]) == "`code` IS NULL"
    assert value_predicate("code", ["b", None, "a"]) == "(`code` IN ('a', 'b') OR `code` IS NULL)"


def test_no_value_selects_nothing():
    assert value_predicate("code", []) == "FALSE"


def test_several_columns_are_joined_by_and_in_their_order():
    predicate = partition_predicate({"period": ["2026-11"], "code": [None, "x"], "day": ["2026-11-02", "2026-11-01"]})
    assert predicate == (
        "`period` IN ('2026-11') AND (`code` IN ('x') OR `code` IS NULL) AND `day` IN ('2026-11-01', '2026-11-02')"
    )
    assert partition_predicate({}) == "TRUE"


def test_filters_carry_dates_in_their_iso_text():
    days = [dt.date(2026, 11, 2), dt.date(2026, 11, 1)]
    filters = [("day", "in", [partition_value_text(d) for d in days])]
    assert filters_predicate(filters) == "`day` IN ('2026-11-01', '2026-11-02')"
    assert filters_predicate(None) == "TRUE"


# ---------------------------------------------------------------- evaluated by Spark SQL
ODD = T.StructType(
    [
        T.StructField("id", T.IntegerType()),
        T.StructField("code", T.StringType()),
        T.StructField("day", T.DateType()),
        T.StructField("odd`name", T.IntegerType()),
    ]
)
ODD_ROWS = [
    (1, "it's", dt.date(2026, 11, 1), 1),
    (2, "a\\b", dt.date(2026, 11, 2), 2),
    (3, None, dt.date(2026, 11, 1), None),
    (4, "plain", None, 1),
]


def selected(spark, predicate: str) -> list[int]:
    return sorted(r["id"] for r in spark.createDataFrame(ODD_ROWS, ODD).where(predicate).collect())


def test_spark_selects_the_null_partition_that_an_in_list_misses(spark):
    assert selected(spark, "`code` IN ('plain', NULL)") == [4]  # why IS NULL is needed
    assert selected(spark, value_predicate("code", ["plain", None])) == [3, 4]
    assert selected(spark, value_predicate("day", [None])) == [4]


def test_spark_matches_values_with_quotes_and_backslashes(spark):
    assert selected(spark, value_predicate("code", ["it's"])) == [1]
    assert selected(spark, value_predicate("code", ["a\\b"])) == [2]


def test_spark_compares_date_and_number_texts_with_typed_columns(spark):
    assert selected(spark, value_predicate("day", [partition_value_text(dt.date(2026, 11, 1))])) == [1, 3]
    assert selected(spark, value_predicate("odd`name", [partition_value_text(1)])) == [1, 4]


def test_spark_ands_the_columns(spark):
    predicate = partition_predicate({"day": ["2026-11-01"], "code": [None, "it's"]})
    assert selected(spark, predicate) == [1, 3]
    assert selected(spark, value_predicate("code", [])) == []
