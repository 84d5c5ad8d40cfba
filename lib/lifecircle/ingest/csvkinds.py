"""CSV interface files described as data (``CsvSpec``) and validated by one set of transforms.

Reason codes, first failing check wins (INTERFACES.md order, plus ``bad_header`` which this suite
adds right after ``encoding``): ``encoding``, ``bad_header``, ``field_count``, ``missing_required``,
``bad_msisdn``, ``bad_number``, ``bad_date``, ``bad_enum``. ``detail`` names the failing field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lifecircle.ingest import fields as P

NUMBER_KINDS = ("int", "long", "double", "decimal")
DATE_KINDS = ("date", "month", "timestamp")
ENUM_KINDS = ("enum", "flag")
TIMESTAMP_REGEX = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
# Split on commas outside double quotes (a quoted field may hold commas); used only for lines
# that contain a quote, the plain split is much cheaper.
_QUOTED_COMMA = r',(?=(?:[^"]*"[^"]*")*[^"]*$)'


@dataclass(frozen=True)
class Field:
    name: str  # header name
    kind: str = "text"  # text | msisdn | int | long | double | decimal | date | month | timestamp | enum | flag
    required: bool = True
    values: tuple[str, ...] = ()  # enum vocabulary
    check: Callable[[Column], Column] | None = None  # extra condition on the parsed value (ranges)
    out: str | None = None  # output column name when it differs from the header name
    keep: bool = True  # False: validated, not stored (e.g. usage.month, which is the partition)

    @property
    def column(self) -> str:
        if self.kind == "msisdn":
            return "subscriber_id"
        return self.out or self.name


@dataclass(frozen=True)
class CsvSpec:
    kind: str  # the quarantine source and ledger source
    table: str
    fields: tuple[Field, ...]
    partition: str | None  # "month", "day" or None (dimension tables, replaced whole)
    # Row-level date checks beyond single fields (e.g. an event ending before it starts).
    date_check: Callable[[dict[str, Column]], Column] | None = None

    @property
    def header(self) -> str:
        return ",".join(f.name for f in self.fields)

    @property
    def msisdn_position(self) -> int | None:
        return next((i for i, f in enumerate(self.fields) if f.kind == "msisdn"), None)

    @property
    def columns(self) -> list[str]:
        """Stored columns in file order (msisdn → subscriber_id), before lineage and partition."""
        return [f.column for f in self.fields if f.keep]


def split_csv(text: Column) -> Column:
    """Raw fields of a CSV line; quote-aware only for lines that contain a quote (the regex split
    costs several times the plain one)."""
    return F.when(text.contains('"'), F.split(text, _QUOTED_COMMA, -1)).otherwise(F.split(text, ",", -1))


def clean_field(raw: Column) -> Column:
    """Whitespace-stripped, unquoted (a doubled quote inside quotes is one quote), "" when missing.

    Applied per field rather than with ``transform`` over the array: lambdas are interpreted,
    plain expressions are compiled.
    """
    x = P.strip_ws(F.coalesce(raw, F.lit("")))
    quoted = x.startswith('"') & x.endswith('"') & (F.length(x) >= F.lit(2))
    return F.when(quoted, F.replace(x.substr(F.lit(2), F.length(x) - F.lit(2)), F.lit('""'), F.lit('"'))).otherwise(x)


def parse_field(field: Field, value: Column, timezone: str) -> Column:
    """Typed value of one field, null when empty or invalid."""
    kind = field.kind
    if kind == "msisdn":
        parsed = P.normalize_msisdn(value)
    elif kind in ("int", "long"):
        parsed = P.parse_int(value, dtype="int" if kind == "int" else "bigint")
    elif kind == "double":
        parsed = P.parse_double(value)
    elif kind == "decimal":
        parsed = P.parse_decimal(value)
    elif kind == "date":
        parsed = P.parse_date(value)
    elif kind == "month":
        parsed = P.parse_month(value)
    elif kind == "timestamp":
        parsed = P.parse_local_timestamp(value, "yyyy-MM-dd HH:mm:ss", TIMESTAMP_REGEX, timezone)
    elif kind == "enum":
        parsed = F.when(value.isin(list(field.values)), value)
    elif kind == "flag":
        parsed = F.when(value == F.lit("1"), F.lit(True)).when(value == F.lit("0"), F.lit(False))
    elif kind == "text":
        parsed = P.empty_to_null(value)
    else:
        raise ValueError(f"unknown field kind {kind!r} of {field.name}")
    if field.check is not None:
        parsed = F.when(field.check(parsed), parsed)
    return parsed


def _failure(field: Field, text: Column, parsed: Column) -> Column:
    """The reason code this field alone fails with, or null."""
    category = (
        "bad_msisdn" if field.kind == "msisdn"
        else "bad_number" if field.kind in NUMBER_KINDS
        else "bad_date" if field.kind in DATE_KINDS
        else "bad_enum" if field.kind in ENUM_KINDS
        else None
    )
    failure = F.when(F.lit(field.required) & (text == F.lit("")), F.lit("missing_required"))
    if category is not None:
        failure = failure.when((text != F.lit("")) & parsed.isNull(), F.lit(category))
    return failure


def with_csv_checks(lines: DataFrame, spec: CsvSpec, timezone: str) -> DataFrame:
    """Lines (file, line_no, text, bad_utf8, truncated, header, file_day, file_month) → typed
    columns of ``spec`` plus ``reason`` (null when valid), ``detail`` and ``msisdn``.

    Built in three projections (texts, typed values, per-field failures) referring to each other
    by column: one expression nesting everything generates a method too large for the JIT.
    """
    n = len(spec.fields)
    passthrough = [F.col(c) for c in ("file_id", "line_no", "text", "bad_utf8", "truncated", "file_day", "file_month")]
    header_bad = ~F.coalesce(F.regexp_replace(F.lower(F.col("header")), r'[\s"]', "") == F.lit(spec.header), F.lit(False))
    texts = lines.withColumn("_fields", split_csv(F.col("text"))).select(
        *passthrough,
        header_bad.alias("_header_bad"),
        F.size(F.col("_fields")).alias("_n"),
        *[clean_field(F.get(F.col("_fields"), i)).alias(f"_t{i}") for i in range(n)],
    )
    typed = texts.select(
        "*", *[parse_field(f, F.col(f"_t{i}"), timezone).alias(f"_p{i}") for i, f in enumerate(spec.fields)]
    )
    failures = [_failure(f, F.col(f"_t{i}"), F.col(f"_p{i}")) for i, f in enumerate(spec.fields)]
    names = [f.name for f in spec.fields]
    if spec.date_check is not None:
        row_ok = spec.date_check({f.name: F.col(f"_p{i}") for i, f in enumerate(spec.fields)})
        failures.append(F.when(~F.coalesce(row_ok, F.lit(True)), F.lit("bad_date")))
        names.append("row")
    # One array of per-field failures: each reason code is then a single lookup (and the plan a
    # few expressions, not one per field and code).
    judged = typed.select("*", F.array(*failures).alias("_x"))

    reason = (
        F.when(F.col("bad_utf8"), F.lit("encoding"))
        .when(F.col("_header_bad"), F.lit("bad_header"))
        .when(F.col("_n") != F.lit(n), F.lit("field_count"))
    )
    detail = (
        F.when(F.col("bad_utf8"), F.lit("invalid UTF-8"))
        .when(F.col("_header_bad"), F.lit(f"header is not {spec.header}"))
        .when(F.col("_n") != F.lit(n), F.format_string(f"%d fields, expected {n}", F.col("_n")))
    )
    for code in ("missing_required", "bad_msisdn", "bad_number", "bad_date", "bad_enum"):
        first = F.array_position(F.col("_x"), F.lit(code))  # 1-based, 0 when absent
        reason = reason.when(first > F.lit(0), F.lit(code))
        detail = detail.when(first > F.lit(0), F.element_at(F.lit(names), first.cast("int")))
    position = spec.msisdn_position
    msisdn = F.col(f"_p{position}") if position is not None else F.lit(None).cast("string")
    outputs = [F.col(f"_p{i}").alias(f.column) for i, f in enumerate(spec.fields) if f.keep and f.kind != "msisdn"]
    return judged.select(
        *[F.col(c) for c in ("file_id", "line_no", "text", "truncated", "file_day", "file_month")],
        reason.alias("reason"),
        detail.alias("detail"),
        msisdn.alias("msisdn"),
        *outputs,
    )
