"""``build_features``: every family of :mod:`lifecircle.features.mobility` and
:mod:`lifecircle.features.consumption` joined into one row per subscriber of the period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle.features.consumption import (
    compute_boss_features,
    compute_event_features,
    compute_product_features,
)
from lifecircle.features.mobility import (
    compute_anchor_features,
    compute_dwell_features,
    compute_observed_days,
    compute_profile_features,
    compute_stay_features,
)
from lifecircle.features.places import place_categories
from lifecircle.features.schema import conform_features, feature_schema
from lifecircle.features.settings import FeatureSettings


@dataclass(frozen=True)
class FeatureInputs:
    """The window's mobility rows and the period's extracts (pure inputs of :func:`build_features`)."""

    stays: DataFrame  # mobility/stays of the window (start day inside it)
    dwell: DataFrame  # mobility/dwell_daily_cell of the window
    places: DataFrame  # dim/places
    cells: DataFrame  # dim/cells
    profile: DataFrame  # mobility/dwell_profile of the period
    anchors: DataFrame  # mobility/anchors of the period
    subscribers: DataFrame  # raw/subscribers of the period's month
    usage: DataFrame  # raw/usage of the month and the month before (column ``month``)
    product_status: DataFrame  # raw/product_status of the month and the month before
    participants: DataFrame  # subscriber_id, event_id, event_type of the window
    period: str
    prev_period: str
    tz: str
    min_day_dwell_s: int = 600
    weekend_days: tuple[int, ...] = (5, 6)  # conf mobility.dwell.weekend_days, Monday = 0


def build_features(inp: FeatureInputs, settings: FeatureSettings, slots: Sequence[str]) -> DataFrame:
    """models/features rows of the period (the schema of :func:`feature_schema` plus ``period``)."""
    pcat = place_categories(inp.stays.sparkSession, inp.places)
    parts = [
        compute_dwell_features(
            inp.dwell, inp.cells, pcat, settings, slots, inp.min_day_dwell_s, inp.weekend_days
        ),
        compute_stay_features(inp.stays, inp.cells, pcat, settings, inp.tz, inp.weekend_days),
        compute_profile_features(inp.profile, pcat),
        compute_anchor_features(inp.anchors, inp.cells, pcat),
        compute_boss_features(inp.subscribers, inp.usage, inp.period, inp.prev_period),
        compute_product_features(inp.product_status, inp.period, inp.prev_period),
        compute_event_features(inp.participants),
    ]
    ids = None
    for frame in parts:
        keys = frame.select("subscriber_id")
        ids = keys if ids is None else ids.unionByName(keys)
    out = ids.distinct()
    for frame in parts:
        out = out.join(frame, "subscriber_id", "left")
    # The window's day counts hold for everyone, including subscribers seen only in the extracts.
    out = (
        out.crossJoin(F.broadcast(compute_observed_days(inp.dwell, inp.weekend_days)))
        .withColumn("observed_days", F.coalesce(F.col("observed_days"), F.lit(0)))
        .withColumn("observed_weekdays", F.coalesce(F.col("observed_weekdays"), F.lit(0)))
    )
    return conform_features(out, feature_schema(settings, slots), inp.period)
