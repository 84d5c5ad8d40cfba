"""Schema conversion and checks between Spark, Arrow and Delta (delta-rs does not check on append)."""

from __future__ import annotations

import pyarrow as pa
from deltalake import Schema as DeltaSchema
from pyspark.sql import types as T
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

from lifecircle.errors import SchemaMismatchError


def nullable_schema(schema: T.StructType) -> T.StructType:
    """Every top-level field nullable: Spark relaxes nullability on write, so the log must too."""
    return T.StructType([T.StructField(f.name, f.dataType, True, f.metadata) for f in schema.fields])


def to_delta_schema(schema: T.StructType) -> DeltaSchema:
    for f in schema.fields:
        if isinstance(f.dataType, T.TimestampNTZType):
            raise SchemaMismatchError(
                f"column {f.name} is a timestamp without time zone; store UTC-aware timestamps "
                "(naive ones need a newer Delta protocol than downstream readers accept)"
            )
    return DeltaSchema.from_arrow(to_arrow_schema(nullable_schema(schema), timezone="UTC"))


def spark_schema_of(delta_schema: DeltaSchema) -> T.StructType:
    return nullable_schema(from_arrow_schema(pa.schema(delta_schema.to_arrow())))


def schema_problems(expected: T.StructType, actual: T.StructType, allow_extra: bool = False) -> list[str]:
    """Every difference of ``actual`` from ``expected`` (missing, unexpected, mistyped columns)."""
    want = {f.name: f.dataType for f in expected.fields}
    got = {f.name: f.dataType for f in actual.fields}
    problems = []
    missing = [n for n in want if n not in got]
    extra = [n for n in got if n not in want]
    if missing:
        problems.append(f"missing columns {missing}")
    if extra and not allow_extra:
        problems.append(f"unexpected columns {extra}")
    for name in want:
        if name in got and _comparable(want[name]) != _comparable(got[name]):
            problems.append(f"column {name} is {got[name].simpleString()}, expected {want[name].simpleString()}")
    return problems


def check_schema(table: str, expected: T.StructType, actual: T.StructType, allow_extra: bool = False) -> None:
    """Refuse a write whose columns or types differ from the table's, naming every difference."""
    problems = schema_problems(expected, actual, allow_extra)
    if problems:
        raise SchemaMismatchError(f"{table}: schema mismatch, nothing written: " + "; ".join(problems))


def _comparable(dtype: T.DataType) -> str:
    # Nested nullability is not something writers control reliably; compare types only.
    return dtype.simpleString()
