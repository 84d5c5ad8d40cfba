"""The ``tags`` job for one period: features → event participants → customer tags → catalogue.

Reads the period's mobility outputs (its profile window comes from ``mobility/dwell_profile``),
the month's BOSS/VGOP extracts and the parameter tables; writes

- ``models/features`` (partition ``period``), one wide row per subscriber, by :mod:`lifecircle.features`;
- ``tags/event_participants`` (partition ``event_day``) for the events of the window;
- ``tags/customer_tags`` (partition ``period``), long: subscriber × tag;
- ``tags/catalog`` (replaced whole), every expanded tag with its coverage in the period.

Each partition is replaced in one commit, so re-running a period gives the same tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import Config, base_conf_dir
from lifecircle.errors import InputError
from lifecircle.features.build import build_features
from lifecircle.features.io import read_feature_inputs, read_features, write_features
from lifecircle.features.places import place_categories
from lifecircle.features.schema import feature_schema_of, slot_names
from lifecircle.lake import Lake
from lifecircle.localtime import local_day
from lifecircle.periods import day_range, prev_period
from lifecircle.progress import Progress
from lifecircle.runs import JobResult, run_job
from lifecircle.tags.engine import (
    attach_landmarks,
    catalog_frame,
    compile_tags,
    landmark_candidates,
)
from lifecircle.tags.events import event_participants
from lifecircle.tags.language import Catalog, load_catalog, static_domains
from lifecircle.tags.settings import TagSettings


def catalog_dir(settings: TagSettings) -> Path:
    return Path(settings.catalog_dir) if settings.catalog_dir else base_conf_dir() / "tags"


def window_of(lake: Lake, period: str) -> tuple[dt.date, dt.date]:
    rows = (
        lake.read(tables.DWELL_PROFILE, partitions={"period": [period]})
        .agg(F.min("window_start").alias("a"), F.max("window_end").alias("b"))
        .collect()
    )
    if not rows or rows[0]["a"] is None:
        raise InputError(f"{tables.DWELL_PROFILE} has no period {period} under {lake.root} (run dwell first)")
    return rows[0]["a"], rows[0]["b"]


def events_in_window(events: DataFrame, window: tuple[dt.date, dt.date], tz: str) -> DataFrame:
    return events.where(local_day(F.col("start_ts"), tz).between(F.lit(window[0]), F.lit(window[1])))


def lake_domains(
    cells: DataFrame, products: DataFrame, product_status: DataFrame, events: DataFrame, slots: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Static domains plus those of the data: districts, products, the window's events and types."""
    domains = static_domains(slots)
    districts = sorted(r["district"] for r in cells.select("district").distinct().collect() if r["district"])
    domains["district"] = [{"district": d} for d in districts]
    names = {r["product_code"]: r["name"] for r in products.select("product_code", "name").collect()}
    for r in product_status.select("product_code").distinct().collect():
        names.setdefault(r["product_code"], r["product_code"])
    domains["product"] = [{"product": c, "product_name": names[c]} for c in sorted(names)]
    ev = events.select("event_id", "name", "event_type", "place_id").collect()
    domains["event"] = [
        {
            "event_id": r["event_id"],
            "event_name": r["name"],
            "event_type": r["event_type"],
            "event_place": r["place_id"],
        }
        for r in sorted(ev, key=lambda r: r["event_id"])
    ]
    domains["event_type"] = [{"event_type": t} for t in sorted({r["event_type"] for r in ev})]
    return domains


def load_tags(spark: SparkSession, conf: Config, domains: dict[str, list[dict[str, Any]]]) -> Catalog:
    return load_catalog(catalog_dir(conf.tags), domains, spark, feature_schema_of(conf))


def run(
    spark: SparkSession, conf: Config, lake_root: str, period: str, progress: Progress | None = None
) -> JobResult:
    """Features, event participants, customer tags and the catalogue of ``period`` (yyyy-MM)."""
    prev = prev_period(period)
    lake = Lake(spark, lake_root, conf.lake)
    tz, settings, slots = conf.time.local_timezone, conf.tags, slot_names(conf)

    def body(result: JobResult, progress: Progress) -> None:
        required = (tables.DWELL_PROFILE, tables.DWELL_DAILY_CELL, tables.STAYS, tables.PLACES, tables.CELLS)
        optional = (
            tables.ANCHORS,
            tables.EVENTS,
            tables.CELL_PLACE,
            tables.PRODUCTS,
            tables.SUBSCRIBERS,
            tables.USAGE,
            tables.PRODUCT_STATUS,
        )
        lake.require(*required, optional=optional, hint=" (run ingest, trajectories, dwell)")
        inputs = (*required, *optional)
        for table in inputs:
            result.read(lake, table)
        first, last = window_of(lake, period)
        progress("window", f"{period}: {first}..{last}")
        months = {"month": [period, prev]}
        cells, places = lake.read(tables.CELLS), lake.read(tables.PLACES)
        products = lake.read_or_empty(tables.PRODUCTS)
        product_status = lake.read_or_empty(tables.PRODUCT_STATUS, months)
        events = events_in_window(lake.read_or_empty(tables.EVENTS), (first, last), tz)
        domains = lake_domains(cells, products, product_status, events, slots)
        catalog = load_tags(spark, conf, domains)
        progress("catalog", f"{len(catalog)} tags from {catalog_dir(settings)}")

        stays = lake.read(tables.STAYS, partitions={"day": day_range(first - dt.timedelta(days=1), last)})
        cell_place = lake.read_or_empty(tables.CELL_PLACE)
        participants = event_participants(stays, events, tz, settings.event_min_overlap_s, cell_place)
        event_days = sorted(
            {
                r["d"]
                for r in events.select(local_day(F.col("start_ts"), tz).alias("d"))
                .distinct()
                .collect()
            }
        )
        if event_days:
            commit = lake.replace_partitions(
                tables.EVENT_PARTICIPANTS, participants, {"event_day": event_days}
            )
            progress(
                "event_participants", f"{len(event_days)} event days", rows=result.wrote(commit).rows_added
            )
            participants = lake.read(tables.EVENT_PARTICIPANTS, partitions={"event_day": event_days})

        inp = read_feature_inputs(lake, conf, period, (first, last), participants)
        commit = write_features(lake, build_features(inp, settings, slots), period)
        progress("features", period, rows=result.wrote(commit).rows_added)

        features = read_features(lake, period)
        hits = compile_tags(features, catalog.tags)
        candidates = landmark_candidates(inp.dwell, place_categories(spark, places))
        tagged = attach_landmarks(spark, hits, catalog.tags, candidates).select(
            *[
                F.col(f.name) if f.name != "period" else F.lit(period).alias("period")
                for f in tables.CUSTOMER_TAGS.schema
            ]
        )
        commit = lake.replace_partitions(tables.CUSTOMER_TAGS, tagged, {"period": [period]})
        progress("customer_tags", period, rows=result.wrote(commit).rows_added)

        written = lake.read(tables.CUSTOMER_TAGS, partitions={"period": [period]})
        coverage = {
            r["tag_code"]: r["n"]
            for r in written.groupBy("tag_code").agg(F.count(F.lit(1)).alias("n")).collect()
        }
        population = features.count()
        commit = lake.write(tables.CATALOG, catalog_frame(spark, catalog.tags, coverage, population, period))
        progress(
            "catalog",
            f"{len(catalog)} tags, {sum(1 for c in coverage.values() if c)} held",
            rows=commit.rows_added,
        )
        result.wrote(commit)
        result.summary.update(
            {
                "period": period,
                "window": f"{first}..{last}",
                "tags": len(catalog),
                "subscribers": population,
                "tags_held": len(coverage),
            }
        )

    params = {"lake": lake.root, "period": period}
    return run_job(lake, "tags", params, body, progress)
