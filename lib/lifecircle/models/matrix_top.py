"""``lifecircle matrix top``: the best products per customer or the best customers per product of one
scored period, read from models/matching_matrix."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.errors import InputError
from lifecircle.lake import Lake
from lifecircle.models.scoring import top_customers_per_product, top_products_per_customer

COLUMNS = ["subscriber_id", "product_code", "score", "probability", "customer_rank", "product_percentile"]


@dataclass(frozen=True)
class MatrixTop:
    period: str
    per: str  # customer | product
    n: int
    best: DataFrame  # the best rows, ordered by customer (or product) then rank

    @property
    def columns(self) -> list[str]:
        return ["product_rank", *COLUMNS] if self.per == "product" else list(COLUMNS)


@dataclass(frozen=True)
class TopPreview:
    rows: list[Row]  # the first ``limit`` best rows, ``columns`` only
    total: int  # best rows in all


def latest_scored_period(lake: Lake) -> str:
    period = lake.latest_partition_value(tables.MATCHING_MATRIX, "period")
    if period is None:
        raise InputError(f"{tables.MATCHING_MATRIX} under {lake.root} holds no period (run score first)")
    return period


def matrix_top(
    lake: Lake,
    period: str | None = None,
    per: str = "customer",
    n: int = 3,
    product: str | None = None,
    subscriber: str | None = None,
) -> MatrixTop:
    """The best ``n`` products of each customer (``per="customer"``) or customers of each product
    (``per="product"``) in ``period`` (default: the latest scored), optionally for one product or
    one subscriber."""
    if per not in ("customer", "product"):
        raise InputError(f"per must be customer or product, not {per!r}")
    lake.require(tables.MATCHING_MATRIX, hint=" (run score first)")
    period = period or latest_scored_period(lake)
    frame = lake.read(tables.MATCHING_MATRIX, partitions={"period": [period]})
    if product:
        frame = frame.where(F.col("product_code") == product)
    if subscriber:
        frame = frame.where(F.col("subscriber_id") == subscriber)
    best = top_products_per_customer(frame, n) if per == "customer" else top_customers_per_product(frame, n)
    return MatrixTop(period, per, n, best)


def preview_top(top: MatrixTop, limit: int) -> TopPreview:
    """The first ``limit`` rows to print, and how many best rows there are beyond them."""
    rows = top.best.select(*top.columns).limit(limit).collect()
    total = top.best.count() if len(rows) == limit else len(rows)
    return TopPreview(rows, total)
