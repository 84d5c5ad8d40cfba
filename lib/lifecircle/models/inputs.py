"""What both model jobs read: products, the period's tag codes and the model features as of a month."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import Config
from lifecircle.errors import InputError
from lifecircle.features.io import read_features
from lifecircle.lake import Lake
from lifecircle.models.dataset import compute_model_features
from lifecircle.periods import prev_period


def require_months(lake: Lake, table: str, months: list[str], why: str) -> None:
    lake.require(table, hint=f" ({why})")
    have = set(lake.partition_values(table, "month"))
    missing = [m for m in months if m not in have]
    if missing:
        raise InputError(f"{table} has no month {', '.join(missing)} under {lake.root} ({why})")


def require_period(lake: Lake, table: str, period: str) -> DataFrame:
    lake.require(table, hint=f" (run tags --period {period} first)")
    if not lake.partition_row_counts(table, "period").get(period):
        raise InputError(f"{table} has no period {period} under {lake.root} (run tags --period {period} first)")
    return lake.read(table, partitions={"period": [period]})


def product_universe(lake: Lake, conf: Config) -> list[str]:
    """The configured products, else every code of dim/products and raw/product_status."""
    if conf.models.products:
        return sorted(conf.models.products)
    lake.require(optional=[tables.PRODUCTS, tables.PRODUCT_STATUS])
    codes: set[str] = set()
    for table in (tables.PRODUCTS, tables.PRODUCT_STATUS):
        if lake.exists(table):
            codes |= {r[0] for r in lake.read(table).select("product_code").distinct().collect()}
    if not codes:
        raise InputError(f"no products under {lake.root} (dim/products and raw/product_status are empty)")
    return sorted(codes)


def model_tag_codes(tags: DataFrame, prefixes: tuple[str, ...]) -> list[str]:
    """The period's tag codes of the configured families (bounded by the catalogue, not subscribers)."""
    cond = F.lit(False)
    for p in prefixes:
        cond = cond | F.col("tag_code").startswith(p)
    return sorted(r[0] for r in tags.where(cond).select("tag_code").distinct().collect())


def period_tag_codes(lake: Lake, conf: Config, period: str) -> list[str]:
    """The period's tag codes of the families used as model features (read once per job)."""
    tags = lake.read(tables.CUSTOMER_TAGS, partitions={"period": [period]})
    return model_tag_codes(tags, conf.models.training.tag_prefixes)


def features_as_of(
    lake: Lake, conf: Config, period: str, month: str, products: list[str], tag_codes: list[str]
) -> tuple[DataFrame, list[str]]:
    """Model features as of ``month`` with the mobility window and tags of ``period``."""
    prev = prev_period(month)
    return compute_model_features(
        features=read_features(lake, period),
        tags=lake.read(tables.CUSTOMER_TAGS, partitions={"period": [period]}),
        tag_codes=tag_codes,
        subscribers=lake.read(tables.SUBSCRIBERS, partitions={"month": [month]}),
        usage=lake.read(tables.USAGE, partitions={"month": [month, prev]}),
        status=lake.read(tables.PRODUCT_STATUS, partitions={"month": [month]}),
        products=products,
        month=month,
        prev_month=prev,
        settings=conf.models.training,
    )


