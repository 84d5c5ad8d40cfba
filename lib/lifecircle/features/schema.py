"""The exact columns of ``models/features``: a pure function of the settings and the dwell slots.

The tag loader validates every definition against :func:`feature_schema` at start-up, before any
data is read, and the models take the BOSS and mobility columns from here.

Column families (``<c>`` a category key of :mod:`lifecircle.features.vocab`, ``<k>`` a category or
group key, ``<m>`` a minutes threshold of ``tags.stay_minutes``, ``<slot>`` a dwell slot; weekdays
are the days outside ``mobility.dwell.weekend_days``):

- window: ``observed_days``, ``observed_weekdays`` (days of the profile window holding data);
- dwell: ``dwell_s_<c>``, ``dwell_s_<c>_<slot>``, ``days_<c>`` (days present), ``freq_<c>`` (best
  frequency class of the category's places: frequent / general / occasional / null);
- stays: ``days_<k>_ge<m>m`` (days with one stay of at least m minutes), plus the rule helpers
  ``n_leisure_cats_ge30m``, ``days_school_run``, ``wd_days_office_hours``, ``nights_hotel_3am``,
  ``days_ent_late_ge30m``, ``days_travel_long``, ``trips_out_of_city``, ``days_out_of_city``,
  ``wd_daytime_housing_share``;
- anchors and districts: ``home_place_id``, ``home_district``, ``work_place_id``, ``work_district``,
  ``home_confidence``, ``work_confidence``, ``top_place_district``, ``day_district``,
  ``night_district``; mobility measures ``total_dwell_s``, ``distinct_places``, ``place_entropy``,
  ``radius_gyration_km``;
- BOSS: background, usage of the month and the previous month, month-over-month ratios and
  population percentiles; VGOP: ``product_status`` / ``product_status_prev`` maps
  (product_code → status); events: ``events_attended``, ``event_types_attended``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.config import Config
from lifecircle.features import vocab
from lifecircle.features.settings import FeatureSettings

FREQ_RANK = {"frequent": 3, "general": 2, "occasional": 1}

_S, _I, _L, _D = T.StringType(), T.IntegerType(), T.LongType(), T.DoubleType()
BOSS_COLUMNS: list[tuple[str, T.DataType]] = [
    ("brand", _S),
    ("tier", _S),
    ("gender", _S),
    ("status", _S),
    ("package_code", _S),
    ("age", _I),
    ("tenure_months", _I),
    ("arpu", _D),
    ("arpu_prev", _D),
    ("arpu_mom", _D),
    ("voice_out_min", _D),
    ("voice_in_min", _D),
    ("sms_out", _L),
    ("sms_in", _L),
    ("data_mb", _D),
    ("data_mb_prev", _D),
    ("data_mom", _D),
    ("night_data_mb", _D),
    ("night_data_share", _D),
    ("roaming_min", _D),
    ("weekend_voice_min", _D),
    ("package_fee", _D),
    ("extra_fee", _D),
    ("extra_fee_share", _D),
    ("arpu_pct", _D),
    ("data_pct", _D),
    ("sms_pct", _D),
    ("voice_pct", _D),
    ("usage_per_fee", _D),
    ("usage_per_fee_pct", _D),
]
_MOBILITY_COLUMNS: list[tuple[str, T.DataType]] = [
    ("observed_days", _I),
    ("observed_weekdays", _I),
    ("home_place_id", _S),
    ("home_district", _S),
    ("home_confidence", _D),
    ("work_place_id", _S),
    ("work_district", _S),
    ("work_confidence", _D),
    ("top_place_district", _S),
    ("day_district", _S),
    ("night_district", _S),
    ("total_dwell_s", _L),
    ("distinct_places", _I),
    ("place_entropy", _D),
    ("radius_gyration_km", _D),
    ("n_leisure_cats_ge30m", _I),
    ("days_school_run", _I),
    ("wd_days_office_hours", _I),
    ("nights_hotel_3am", _I),
    ("days_ent_late_ge30m", _I),
    ("days_travel_long", _I),
    ("trips_out_of_city", _I),
    ("days_out_of_city", _I),
    ("wd_daytime_housing_share", _D),
]
# Counts and seconds whose absence means zero (no stay, no dwell), not unknown.
ZERO_FILLED_PREFIXES = ("days_", "dwell_s_", "n_", "nights_", "wd_days", "trips_")


def slot_names(conf: Config) -> list[str]:
    """The configured dwell slots (mobility.dwell.slots), in order."""
    return [s.name for s in conf.mobility.dwell.slots]


def stay_keys() -> list[str]:
    """Every key a stay counts for: the categories, then the groups."""
    return [*vocab.CATEGORIES, *vocab.groups()]


def feature_schema(settings: FeatureSettings, slots: Sequence[str]) -> T.StructType:
    """The exact schema of ``models/features`` (without ``period``, which is the partition)."""
    fields = [("subscriber_id", _S), *_MOBILITY_COLUMNS]
    for c in vocab.CATEGORIES:
        fields += [(f"dwell_s_{c}", _L), (f"days_{c}", _I), (f"freq_{c}", _S)]
        fields += [(f"dwell_s_{c}_{s}", _L) for s in slots]
    fields += [(f"days_{k}_ge{m}m", _I) for k in stay_keys() for m in settings.stay_minutes]
    fields += BOSS_COLUMNS
    fields += [
        ("product_status", T.MapType(_S, _S)),
        ("product_status_prev", T.MapType(_S, _S)),
        ("events_attended", T.ArrayType(_S)),
        ("event_types_attended", T.ArrayType(_S)),
    ]
    return T.StructType([T.StructField(n, t) for n, t in fields])


def feature_schema_of(conf: Config) -> T.StructType:
    """:func:`feature_schema` of a configuration (its ``tags:`` feature keys and dwell slots)."""
    return feature_schema(conf.tags, slot_names(conf))


def conform_features(df: DataFrame, schema: T.StructType, period: str) -> DataFrame:
    """``df`` in the exact order and types of ``schema`` plus ``period``: missing counts and seconds
    are 0, missing arrays and maps empty, everything else stays null (unknown)."""
    cols = []
    for f in schema.fields:
        col = F.col(f.name).cast(f.dataType)
        if f.name.startswith(ZERO_FILLED_PREFIXES):
            col = F.coalesce(col, F.lit(0).cast(f.dataType))
        elif isinstance(f.dataType, T.ArrayType):
            col = F.coalesce(col, F.array().cast(f.dataType))
        elif isinstance(f.dataType, T.MapType):
            col = F.coalesce(col, F.create_map().cast(f.dataType))
        cols.append(col.alias(f.name))
    return df.select(*cols, F.lit(period).alias("period"))
