from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.errors import InputError
from lifecircle.lake import Lake
from lifecircle.tags.audience import (
    AudiencePreview,
    Node,
    parse,
    preview_audience,
    select_audience,
    select_from,
    write_audience,
)

KNOWN = {"value.high", "trend.growing", "usage.sms_heavy", "event.basketball", "circle.region.莞城"}


def code(c):
    return Node("code", code=c)


def test_precedence_not_and_or():
    tree = parse("value.high AND trend.growing OR NOT event.basketball AND usage.sms_heavy", KNOWN)
    assert tree == Node(
        "or",
        (
            Node("and", (code("value.high"), code("trend.growing"))),
            Node("and", (Node("not", (code("event.basketball"),)), code("usage.sms_heavy"))),
        ),
    )


def test_parentheses_keywords_any_case_and_unicode_codes():
    tree = parse("not (circle.region.莞城 or value.high) and trend.growing", KNOWN)
    assert tree == Node(
        "and",
        (
            Node("not", (Node("or", (code("circle.region.莞城"), code("value.high"))),)),
            code("trend.growing"),
        ),
    )
    assert parse("((value.high))", KNOWN) == code("value.high")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("value.high AND", "position 15: expected a tag code, NOT or '(', found end of expression"),
        ("value.high trend.growing", "position 12: expected AND, OR or the end, found 'trend.growing'"),
        ("(value.high OR trend.growing", "position 29: expected ')', found end of expression"),
        ("value.high AND no.such.tag", "position 16: unknown tag code 'no.such.tag'"),
        ("", "position 1: expected a tag code, found end of expression"),
        ("value.high )", "position 12: expected AND, OR or the end, found ')'"),
        ("AND value.high", "position 1: expected a tag code, NOT or '(', found 'AND'"),
    ],
)
def test_errors_name_the_position(text, message):
    with pytest.raises(
        InputError, match="^audience expression: " + message.replace("(", r"\(").replace(")", r"\)")
    ):
        parse(text, KNOWN)


TAG_ROWS = [
    ("s1", "value.high", None, None, None, "2026-11"),
    ("s1", "trend.growing", None, None, None, "2026-11"),
    ("s1", "usage.sms_heavy", None, None, None, "2026-11"),
    ("s2", "value.high", None, None, None, "2026-11"),
    ("s2", "trend.growing", None, None, None, "2026-11"),
    ("s2", "usage.sms_heavy", None, None, None, "2026-11"),
    ("s2", "event.basketball", None, "P1", "体育馆", "2026-11"),
    ("s3", "value.high", None, None, None, "2026-11"),
    ("s1", "event.basketball", None, None, None, "2026-10"),
]


def test_select_from_returns_matching_subscribers_with_all_their_tags(spark):
    tags = spark.createDataFrame(TAG_ROWS, tables.CUSTOMER_TAGS.schema).where(F.col("period") == "2026-11")
    node = parse("value.high AND trend.growing AND usage.sms_heavy AND NOT event.basketball", KNOWN)
    rows = select_from(tags, node).collect()
    assert [(r.subscriber_id, r.tags) for r in rows] == [
        ("s1", ["trend.growing", "usage.sms_heavy", "value.high"])
    ]
    everyone = (
        select_from(tags, parse("value.high OR event.basketball", KNOWN)).orderBy("subscriber_id").collect()
    )
    assert [r.subscriber_id for r in everyone] == ["s1", "s2", "s3"]
    s2 = next(r for r in everyone if r.subscriber_id == "s2")
    assert ("event.basketball", None, "P1", "体育馆") in [tuple(d) for d in s2.details]


def test_select_audience_reads_the_lake(spark, lake: Lake):
    with pytest.raises(InputError, match="run tags first"):
        select_audience(spark, lake, "value.high")
    lake.write(
        tables.CUSTOMER_TAGS, spark.createDataFrame(TAG_ROWS, tables.CUSTOMER_TAGS.schema), partition_by=["period"]
    )
    catalog = [
        (c, c, "L1", None, None, "L1", "rule", "usage", "f", "true", None, None, "f.yaml", 0, 0.0, "2026-11")
        for c in ("value.high", "trend.growing", "usage.sms_heavy", "event.basketball", "bg.never.held")
    ]
    lake.write(tables.CATALOG, spark.createDataFrame(catalog, tables.CATALOG.schema))
    latest = select_audience(spark, lake, "value.high AND NOT event.basketball")
    assert sorted(r.subscriber_id for r in latest.collect()) == ["s1", "s3"]
    older = select_audience(spark, lake, "event.basketball", period="2026-10")
    assert [r.subscriber_id for r in older.collect()] == ["s1"]
    assert select_audience(spark, lake, "bg.never.held").count() == 0
    with pytest.raises(InputError, match="position 1: unknown tag code 'nope'"):
        select_audience(spark, lake, "nope")
    out = lake.root + "/../audience.csv"
    assert write_audience(latest, out) == 2
    with open(out, encoding="utf-8") as handle:
        assert handle.read().splitlines() == [
            "subscriber_id,period,tags",
            's1,2026-11,"trend.growing,usage.sms_heavy,value.high"',
            "s3,2026-11,value.high",
        ]


def test_preview_audience_counts_all_and_shows_the_first_by_subscriber(spark):
    tags = spark.createDataFrame(TAG_ROWS, tables.CUSTOMER_TAGS.schema).where(F.col("period") == "2026-11")
    selected = select_from(tags, parse("value.high", KNOWN))
    preview = preview_audience(selected, 2)
    assert preview.total == 3
    assert preview.rows == [
        ("s1", ["trend.growing", "usage.sms_heavy", "value.high"]),
        ("s2", ["event.basketball", "trend.growing", "usage.sms_heavy", "value.high"]),
    ]
    assert preview_audience(select_from(tags, parse("event.basketball AND NOT value.high", KNOWN)), 5) == (
        AudiencePreview(0, [])
    )
