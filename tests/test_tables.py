from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import types as T

from lifecircle import tables

DOCS = Path(__file__).resolve().parents[1] / "docs" / "tables.md"


def test_docs_tables_md_is_generated_from_the_registry():
    assert DOCS.read_text(encoding="utf-8") == tables.markdown(), (
        "docs/tables.md is stale: python -m lifecircle.tables > docs/tables.md"
    )


def test_a_table_is_its_name_and_carries_its_contract():
    stays = tables.STAYS
    assert isinstance(stays, str) and f"{stays}" == stays.name == "/".join(("mobility", "stays"))
    assert stays.partition_by == ("day",) and stays.layer == "mobility"
    assert stays.schema["start_ts"].dataType == T.TimestampType()
    assert tables.lookup(stays.name) is stays and tables.lookup("scratch/x") is None
    assert {stays.name: 1}[stays] == 1  # hashes as its name


def test_every_table_declares_its_partition_columns_and_parses():
    assert len(tables.REGISTRY) >= 30
    for table in tables.REGISTRY.values():
        assert set(table.partition_by) <= set(table.column_names), table
        assert table.schema.fieldNames() == table.column_names
        assert table.grain and table.producer and table.description


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("decimal(12,2)", T.DecimalType(12, 2)),
        ("map<string,string>", T.MapType(T.StringType(), T.StringType())),
        ("array<string>", T.ArrayType(T.StringType())),
        ("bigint", T.LongType()),
    ],
)
def test_parse_type(text, expected):
    assert tables.parse_type(text) == expected


def test_parse_type_refuses_what_it_does_not_know():
    with pytest.raises(ValueError, match="unsupported column type"):
        tables.parse_type("struct<a:int>")


def test_a_partition_column_must_be_declared():
    with pytest.raises(ValueError, match="partition columns"):
        tables.Table("scratch/bad", columns="a int", grain="g", producer="p", description="d", partition_by=("day",))
