"""The feature layer's edge with the lake: read what :func:`build_features` needs for a period,
write ``models/features``, read it back (the tags and model jobs read features only through here)."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import Config
from lifecircle.features.build import FeatureInputs
from lifecircle.lake import CommitInfo, Lake
from lifecircle.periods import day_range, prev_period


def read_feature_inputs(
    lake: Lake, conf: Config, period: str, window: tuple[dt.date, dt.date], participants: DataFrame
) -> FeatureInputs:
    """The inputs of ``period`` whose profile window is ``window`` (first, last local day);
    ``participants`` are the window's event participants (subscriber_id, event_id, event_type)."""
    prev = prev_period(period)
    days = {"day": day_range(*window)}
    months = {"month": [period, prev]}
    return FeatureInputs(
        stays=lake.read(tables.STAYS, partitions=days),
        dwell=lake.read(tables.DWELL_DAILY_CELL, partitions=days),
        places=lake.read(tables.PLACES),
        cells=lake.read(tables.CELLS),
        profile=lake.read(tables.DWELL_PROFILE, partitions={"period": [period]}),
        anchors=lake.read_or_empty(tables.ANCHORS, {"period": [period]}),
        subscribers=lake.read_or_empty(tables.SUBSCRIBERS, {"month": [period]}),
        usage=lake.read_or_empty(tables.USAGE, months),
        product_status=lake.read_or_empty(tables.PRODUCT_STATUS, months),
        participants=participants.select("subscriber_id", "event_id", "event_type"),
        period=period,
        prev_period=prev,
        tz=conf.time.local_timezone,
        min_day_dwell_s=conf.mobility.profile.min_day_dwell_s,
        weekend_days=tuple(conf.mobility.dwell.weekend_days),
    )


def write_features(lake: Lake, features: DataFrame, period: str) -> CommitInfo:
    """Replace the period's features; when the feature columns changed (new settings or code), the
    other periods are carried over to the new schema (new columns null) in the same commit."""
    if not lake.exists(tables.FEATURES) or set(lake.schema(tables.FEATURES).fieldNames()) == set(features.columns):
        return lake.replace_partitions(tables.FEATURES, features, {"period": [period]})

    def with_carried(current: DataFrame | None) -> DataFrame:
        if current is None:
            return features
        others = current.where(F.col("period") != period)
        carried = others.select(
            *[
                (F.col(f.name) if f.name in others.columns else F.lit(None)).cast(f.dataType).alias(f.name)
                for f in features.schema.fields
            ]
        )
        return carried.unionByName(features)

    return lake.rewrite(tables.FEATURES, with_carried)


def read_features(lake: Lake, period: str) -> DataFrame:
    """models/features of ``period``."""
    return lake.read(tables.FEATURES, partitions={"period": [period]})
