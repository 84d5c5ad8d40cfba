"""Home and work anchors: three detection methods behind one interface, and their agreement.

A *location* (:mod:`~lifecircle.mobility.location`) is a place, or the cell itself where the cell
serves no known place. Every method returns per subscriber at most one home and one work location
with a confidence in [0, 1]:

- ``night_dwell``: home = most night-slot dwell; work = most weekday work-slot dwell elsewhere,
  with at least ``work_min_hours_per_week`` per observed week. Simple, but a night-shift worker's
  factory collects the night dwell and becomes home.
- ``night_mode``: home = the location that wins most nights (per night, the most night dwell);
  work = the location that wins most weekdays' work slots (outside home), on enough days.
  Robust to a few odd nights, same night-shift blind spot.
- ``regular_block`` (default): stays at one location separated only by silence (a phone switched
  off at night) form *blocks*. Home = the location with the most block time overall — where
  people sleep, spend days off and evenings, whatever their shift; work = the location outside
  home with long blocks (≥ ``block_min_s``) on the most days (then the most time in them), on
  enough days, by day or by night. A mild category prior (residential for home, office/education
  for work) breaks near-ties.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Protocol

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from lifecircle.localtime import DAY_S, local_seconds
from lifecircle.mobility.dwell import clip_stays
from lifecircle.mobility.settings import AnchorSettings

CANDIDATE_COLUMNS = ["subscriber_id", "anchor_type", "loc", "confidence", "days", "dwell_s"]


@dataclass(frozen=True)
class AnchorInputs:
    """What the methods may use: the window's dwell (cell grain) and stays, with ``loc``."""

    dwell: DataFrame  # mobility/dwell_daily_cell rows of the window
    stays: DataFrame  # mobility/stays of the window and the day before (not clipped)
    places: DataFrame  # dim/places (place_id, category_l1)
    window: tuple[dt.date, dt.date]
    tz: str
    observed_days: int

    def min_days(self, share: float) -> int:
        return max(1, math.ceil(share * self.observed_days - 1e-9))


class AnchorMethod(Protocol):
    name: str

    def detect(self, inputs: AnchorInputs, settings: AnchorSettings) -> DataFrame:
        """subscriber_id, anchor_type (home|work), loc, confidence, days, dwell_s."""
        ...


def top_per(df: DataFrame, keys: list[str], *order: Column) -> DataFrame:
    """The first row per ``keys`` in ``order`` (callers end the order with a unique tie-breaker)."""
    ranked = Window.partitionBy(*[F.col(k) for k in keys]).orderBy(*order)
    return df.withColumn("_rank", F.row_number().over(ranked)).where(F.col("_rank") == 1).drop("_rank")


def share_of_total(value: str, keys: list[str]) -> Column:
    """value / its sum over ``keys`` (0 when the sum is 0)."""
    total = F.sum(F.col(value)).over(Window.partitionBy(*[F.col(k) for k in keys]))
    return F.when(total > 0, F.col(value) / total).otherwise(F.lit(0.0))


def _candidates(df: DataFrame, anchor_type: str, confidence: Column, days: str, dwell: str) -> DataFrame:
    return df.select(
        F.col("subscriber_id"),
        F.lit(anchor_type).alias("anchor_type"),
        F.col("loc"),
        F.least(F.greatest(confidence.cast("double"), F.lit(0.0)), F.lit(1.0)).alias("confidence"),
        F.col(days).cast("int").alias("days"),
        F.col(dwell).cast("long").alias("dwell_s"),
    )


def _outside_home(df: DataFrame, home: DataFrame) -> DataFrame:
    homes = home.select(F.col("subscriber_id"), F.col("loc"))
    return df.join(homes, on=["subscriber_id", "loc"], how="left_anti")


class NightDwell:
    name = "night_dwell"

    def detect(self, inputs: AnchorInputs, settings: AnchorSettings) -> DataFrame:
        night = F.col("slot").isin(list(settings.night_slots))
        work = F.col("slot").isin(list(settings.work_slots)) & ~F.col("is_weekend")
        by_loc = inputs.dwell.groupBy(F.col("subscriber_id"), F.col("loc")).agg(
            F.sum(F.when(night, F.col("dwell_s")).otherwise(0)).alias("night_s"),
            F.count_distinct(F.when(night, F.col("day"))).alias("night_days"),
            F.sum(F.when(work, F.col("dwell_s")).otherwise(0)).alias("work_s"),
            F.count_distinct(F.when(work, F.col("day"))).alias("work_days"),
        )
        nights = by_loc.where(F.col("night_s") > 0).withColumn(
            "conf", share_of_total("night_s", ["subscriber_id"])
        )
        home = top_per(nights, ["subscriber_id"], F.col("night_s").desc(), F.col("loc"))
        weeks = inputs.observed_days / 7.0
        min_work_s = settings.work_min_hours_per_week * 3600.0 * weeks
        work_all = by_loc.where(F.col("work_s") > 0).withColumn(
            "conf", share_of_total("work_s", ["subscriber_id"])
        )
        work_top = top_per(
            _outside_home(work_all, home).where(F.col("work_s") >= min_work_s),
            ["subscriber_id"],
            F.col("work_s").desc(),
            F.col("loc"),
        )
        return _candidates(home, "home", F.col("conf"), "night_days", "night_s").unionByName(
            _candidates(work_top, "work", F.col("conf"), "work_days", "work_s")
        )


class NightMode:
    name = "night_mode"

    def detect(self, inputs: AnchorInputs, settings: AnchorSettings) -> DataFrame:
        night = F.col("slot").isin(list(settings.night_slots))
        work = F.col("slot").isin(list(settings.work_slots)) & ~F.col("is_weekend")
        keys = [F.col("subscriber_id"), F.col("day"), F.col("loc")]
        nightly = (
            inputs.dwell.where(night)
            .groupBy(*keys)
            .agg(F.sum(F.col("dwell_s")).alias("s"))
            .where(F.col("s") >= settings.night_min_s)
        )
        winners = top_per(nightly, ["subscriber_id", "day"], F.col("s").desc(), F.col("loc"))
        won = winners.groupBy(F.col("subscriber_id"), F.col("loc")).agg(
            F.count(F.lit(1)).alias("days"), F.sum(F.col("s")).alias("s")
        )
        won = won.withColumn("conf", share_of_total("days", ["subscriber_id"]))
        home = top_per(won, ["subscriber_id"], F.col("days").desc(), F.col("s").desc(), F.col("loc"))

        workly = (
            _outside_home(inputs.dwell.where(work), home)
            .groupBy(*keys)
            .agg(F.sum(F.col("dwell_s")).alias("s"))
        )
        work_days = (
            workly.select(F.col("subscriber_id"), F.col("day"))
            .distinct()
            .groupBy(F.col("subscriber_id"))
            .agg(F.count(F.lit(1)).alias("work_slot_days"))
        )
        day_winners = top_per(
            workly.where(F.col("s") >= settings.work_min_day_s),
            ["subscriber_id", "day"],
            F.col("s").desc(),
            F.col("loc"),
        )
        work_won = (
            day_winners.groupBy(F.col("subscriber_id"), F.col("loc"))
            .agg(F.count(F.lit(1)).alias("days"), F.sum(F.col("s")).alias("s"))
            .where(F.col("days") >= inputs.min_days(settings.work_min_days_share))
            .join(work_days, on="subscriber_id", how="inner")
        )
        work_top = top_per(work_won, ["subscriber_id"], F.col("days").desc(), F.col("s").desc(), F.col("loc"))
        return _candidates(home, "home", F.col("conf"), "days", "s").unionByName(
            _candidates(work_top, "work", F.col("days") / F.col("work_slot_days"), "days", "s")
        )


class RegularBlock:
    name = "regular_block"

    def blocks(self, inputs: AnchorInputs, settings: AnchorSettings) -> DataFrame:
        """Consecutive stays at one location with only silence between them, clipped to the window."""
        order = Window.partitionBy(F.col("subscriber_id")).orderBy(F.col("start_ts"), F.col("end_ts"))
        gap = F.unix_seconds(F.col("start_ts")) - F.unix_seconds(F.lag(F.col("end_ts")).over(order))
        new_block = (
            F.lag(F.col("loc")).over(order).isNull()
            | (F.col("loc") != F.lag(F.col("loc")).over(order))
            | (gap > settings.block_bridge_gap_s)
        )
        running = order.rowsBetween(Window.unboundedPreceding, Window.currentRow)
        blocks = (
            inputs.stays.withColumn("new_block", new_block.cast("int"))
            .withColumn("block", F.sum(F.col("new_block")).over(running))
            .groupBy(F.col("subscriber_id"), F.col("block"), F.col("loc"))
            .agg(F.min(F.col("start_ts")).alias("start_ts"), F.max(F.col("end_ts")).alias("end_ts"))
        )
        clipped = clip_stays(blocks, inputs.window[0], inputs.window[1], inputs.tz)
        return clipped.withColumn("start_day", F.floor(local_seconds(F.col("start_ts"), inputs.tz) / DAY_S))

    def detect(self, inputs: AnchorInputs, settings: AnchorSettings) -> DataFrame:
        blocks = self.blocks(inputs, settings)
        long_block = F.col("duration_s") >= settings.block_min_s
        by_loc = blocks.groupBy(F.col("subscriber_id"), F.col("loc")).agg(
            F.sum(F.col("duration_s")).alias("total_s"),
            F.count_distinct(F.col("start_day")).alias("days"),
            F.sum(F.when(long_block, F.col("duration_s")).otherwise(0)).alias("long_s"),
            F.count_distinct(F.when(long_block, F.col("start_day"))).alias("long_days"),
        )
        cats = inputs.places.select(F.col("place_id").alias("loc"), F.col("category_l1"))
        by_loc = by_loc.join(F.broadcast(cats), on="loc", how="left")

        def prior(categories: tuple[str, ...]) -> Column:
            hit = F.coalesce(F.col("category_l1").isin(list(categories)), F.lit(False))
            return F.when(hit, F.lit(1.0 + settings.category_bonus)).otherwise(F.lit(1.0))

        homes = by_loc.withColumn("score", F.col("total_s") * prior(settings.home_categories))
        homes = homes.withColumn("conf", share_of_total("score", ["subscriber_id"]))
        home = top_per(homes, ["subscriber_id"], F.col("score").desc(), F.col("loc"))

        # Work: regularity first (days with a long block), then time: a hotel on two long business
        # trips does not beat the office of the other three days.
        away = _outside_home(by_loc, home).where(F.col("long_s") > 0)
        away = away.withColumn("score", F.col("long_days") * prior(settings.work_categories))
        away = away.withColumn("share", share_of_total("score", ["subscriber_id"]))
        regular = away.where(F.col("long_days") >= inputs.min_days(settings.work_min_days_share))
        work = top_per(
            regular, ["subscriber_id"], F.col("score").desc(), F.col("long_s").desc(), F.col("loc")
        )
        # Regularity: a block on half the observed days or more is as regular as work gets.
        regularity = F.least(F.lit(1.0), F.col("long_days") / F.lit(max(1.0, 0.5 * inputs.observed_days)))
        return _candidates(home, "home", F.col("conf"), "days", "total_s").unionByName(
            _candidates(work, "work", F.col("share") * regularity, "long_days", "long_s")
        )


METHODS: dict[str, AnchorMethod] = {m.name: m for m in (NightDwell(), NightMode(), RegularBlock())}


def representative_cells(dwell: DataFrame) -> DataFrame:
    """Per subscriber × loc the cell with most dwell (ties: lowest lac, cell_id), with its place."""
    per_cell = dwell.groupBy(
        F.col("subscriber_id"), F.col("loc"), F.col("lac"), F.col("cell_id"), F.col("place_id")
    ).agg(F.sum(F.col("dwell_s")).alias("s"))
    return top_per(
        per_cell, ["subscriber_id", "loc"], F.col("s").desc(), F.col("lac"), F.col("cell_id")
    ).select(F.col("subscriber_id"), F.col("loc"), F.col("lac"), F.col("cell_id"), F.col("place_id"))


def detect_all(inputs: AnchorInputs, settings: AnchorSettings, period: str) -> DataFrame:
    """Every method's anchors with the representative cell: the anchor_candidates rows plus ``loc``."""
    found = None
    for method in METHODS.values():
        rows = method.detect(inputs, settings).withColumn("method", F.lit(method.name))
        found = rows if found is None else found.unionByName(rows)
    cells = representative_cells(inputs.dwell)
    return found.join(cells, on=["subscriber_id", "loc"], how="left").select(
        F.col("subscriber_id"),
        F.col("anchor_type"),
        F.col("place_id"),
        F.col("lac"),
        F.col("cell_id"),
        F.col("confidence"),
        F.col("method"),
        F.col("days"),
        F.col("dwell_s"),
        F.col("loc"),
        F.lit(period).alias("period"),
    )


def agreement(candidates: DataFrame, period: str) -> DataFrame:
    """mobility/anchor_agreement: per anchor type and pair of methods, how often they agree."""
    names = sorted(METHODS)
    out = None
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            left = candidates.where(F.col("method") == a).select(
                F.col("subscriber_id"), F.col("anchor_type"), F.col("loc").alias("loc_a")
            )
            right = candidates.where(F.col("method") == b).select(
                F.col("subscriber_id"), F.col("anchor_type"), F.col("loc").alias("loc_b")
            )
            both = F.col("loc_a").isNotNull() & F.col("loc_b").isNotNull()
            pair = (
                left.join(right, on=["subscriber_id", "anchor_type"], how="full")
                .groupBy(F.col("anchor_type"))
                .agg(
                    F.sum(both.cast("long")).alias("subscribers_both"),
                    F.sum((both & (F.col("loc_a") == F.col("loc_b"))).cast("long")).alias("agreeing"),
                    F.sum(F.col("loc_b").isNull().cast("long")).alias("only_a"),
                    F.sum(F.col("loc_a").isNull().cast("long")).alias("only_b"),
                )
                .select(
                    F.col("anchor_type"),
                    F.lit(a).alias("method_a"),
                    F.lit(b).alias("method_b"),
                    F.col("subscribers_both"),
                    F.col("agreeing"),
                    F.col("only_a"),
                    F.col("only_b"),
                    F.when(
                        F.col("subscribers_both") > 0, F.col("agreeing") / F.col("subscribers_both")
                    ).alias("agreement"),
                    F.lit(period).alias("period"),
                )
            )
            out = pair if out is None else out.unionByName(pair)
    return out
