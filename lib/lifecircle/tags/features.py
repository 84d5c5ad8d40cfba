"""The feature layer ``models/features``: one wide row per subscriber and period.

Everything a tag rule may name is a column here, so the whole catalogue compiles into one
select over this table. The schema is a pure function of the settings (:func:`feature_schema`):
the tag loader validates every definition against it at start-up, before any data is read.

Column families (``<c>`` a category key of :mod:`lifecircle.tags.vocab`, ``<k>`` a category or
group key, ``<m>`` a minutes threshold of ``tags.stay_minutes``, ``<slot>`` a dwell slot):

- window: ``observed_days``, ``observed_weekdays`` (days of the profile window holding data);
- dwell: ``dwell_s_<c>``, ``dwell_s_<c>_<slot>``, ``days_<c>`` (days present), ``freq_<c>`` (best
  frequency class of the category's places: frequent / general / occasional / null);
- stays: ``days_<k>_ge<m>m`` (days with one stay of at least m minutes), plus the rule helpers
  ``n_leisure_cats_ge30m``, ``days_school_run``, ``wd_days_office_hours``, ``nights_hotel_3am``,
  ``days_ent_late_ge30m``, ``days_travel_long``, ``wd_daytime_housing_share``;
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
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.tags import vocab
from lifecircle.tags.settings import TagSettings

DAY = 86400
H = 3600
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
    ("wd_daytime_housing_share", _D),
]


def stay_keys() -> list[str]:
    return [*vocab.CATEGORIES, *vocab.groups()]


def feature_schema(settings: TagSettings, slots: Sequence[str]) -> T.StructType:
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


def place_categories(spark, places: DataFrame) -> DataFrame:
    """dim/places with the vocabulary key ``cat`` (null outside the vocabulary)."""
    cats = spark.createDataFrame(vocab.category_rows(), "cat string, v1 string, v2 string, v3 string")
    joined = places.join(
        F.broadcast(cats),
        (places["category_l1"] == cats["v1"])
        & (places["category_l2"] == cats["v2"])
        & (F.coalesce(places["category_l3"], F.lit("")) == F.coalesce(cats["v3"], F.lit(""))),
        "left",
    )
    return joined.select(
        F.col("place_id"),
        F.col("name"),
        F.col("cat"),
        F.col("category_l1").alias("l1"),
        F.col("district").alias("place_district"),
        F.coalesce(F.col("is_landmark").cast("boolean"), F.lit(False)).alias("is_landmark"),
    )


def _keys_of_category(spark) -> DataFrame:
    """cat → every stay key it counts for (itself and its groups)."""
    rows = [(c, c) for c in vocab.CATEGORIES]
    rows += [(c, g) for g, members in vocab.groups().items() for c in members]
    return spark.createDataFrame(rows, "cat string, key string")


def _local_s(ts: Column, tz: str) -> Column:
    return F.unix_seconds(F.from_utc_timestamp(ts, tz))


def _daily_window_overlap(s: Column, e: Column, a: int, b: int) -> Column:
    """Seconds of [s, e) (local epoch seconds) inside the daily window [a, b) over any span."""

    def cum(t: Column) -> Column:
        return F.floor(t / DAY) * (b - a) + F.least(F.greatest(t % DAY - a, F.lit(0)), F.lit(b - a))

    return cum(e) - cum(s)


def _haversine_km(lon1: Column, lat1: Column, lon2: Column, lat2: Column) -> Column:
    rad = F.lit(3.141592653589793 / 180)
    dlat, dlon = (lat2 - lat1) * rad, (lon2 - lon1) * rad
    a = F.sin(dlat / 2) ** 2 + F.cos(lat1 * rad) * F.cos(lat2 * rad) * F.sin(dlon / 2) ** 2
    return F.lit(2 * 6371.0088) * F.asin(F.sqrt(a))


def _argmax(df: DataFrame, value: str, key: str, out: str) -> DataFrame:
    """Per subscriber the ``key`` with the largest positive ``value`` (ties: lowest key)."""
    w = Window.partitionBy("subscriber_id").orderBy(F.col(value).desc(), F.col(key))
    return (
        df.where(F.col(value) > 0)
        .withColumn("_r", F.row_number().over(w))
        .where(F.col("_r") == 1)
        .select(F.col("subscriber_id"), F.col(key).alias(out))
    )


def stay_features(inp: FeatureInputs, pcat: DataFrame, settings: TagSettings) -> DataFrame:
    spark = inp.stays.sparkSession
    coords = inp.cells.select(
        "lac", "cell_id", F.col("longitude").alias("lon"), F.col("latitude").alias("lat")
    )
    st = (
        inp.stays.join(F.broadcast(pcat.select("place_id", "cat", "l1")), "place_id", "left")
        .join(F.broadcast(coords), ["lac", "cell_id"], "left")
        .withColumn("ls", _local_s(F.col("start_ts"), inp.tz))
        .withColumn("le", _local_s(F.col("end_ts"), inp.tz))
        .withColumn("dur", F.col("le") - F.col("ls"))
        .withColumn("tod", F.col("ls") % DAY)
        .withColumn("weekday", F.dayofweek(F.col("day")).between(2, 6))
    )
    leisure = F.col("l1").isin(list(vocab.LEISURE_L1))
    tod, dur = F.col("tod"), F.col("dur")
    school_run = (
        (F.col("cat") == "school")
        & dur.between(600, 5400)
        & (tod.between(7 * H, 9 * H - 1) | tod.between(15 * H + 1800, 18 * H - 1))
    )
    end_tod = tod + dur
    office_hours = (
        (F.col("l1") == "商务")
        & F.col("weekday")
        & tod.between(7 * H, 10 * H - 1)
        & end_tod.between(16 * H + 1800, 19 * H + 1799)
        & (dur >= 6 * H)
    )
    first_3am = F.ceil((F.col("ls") - 3 * H) / DAY) * DAY + 3 * H
    hotel_3am = (F.col("cat") == "hotel") & (first_3am < F.col("le"))
    late = _daily_window_overlap(F.col("ls"), F.col("le"), 0, 4 * H) + _daily_window_overlap(
        F.col("ls"), F.col("le"), 23 * H, DAY
    )
    ent_late = (F.col("l1") == "娱乐") & (late >= 1800)
    helpers = st.groupBy("subscriber_id").agg(
        F.count_distinct(F.when(leisure & (dur >= 1800), F.col("cat")))
        .cast("int")
        .alias("n_leisure_cats_ge30m"),
        F.count_distinct(F.when(school_run, F.col("day"))).cast("int").alias("days_school_run"),
        F.count_distinct(F.when(office_hours, F.col("day"))).cast("int").alias("wd_days_office_hours"),
        F.count_distinct(F.when(hotel_3am, F.col("day"))).cast("int").alias("nights_hotel_3am"),
        F.count_distinct(F.when(ent_late, F.col("day"))).cast("int").alias("days_ent_late_ge30m"),
    )
    # Travel: straight line between the cells of consecutive stays, on the day of the later one.
    order = Window.partitionBy("subscriber_id").orderBy("start_ts", "seq")
    hops = st.withColumn(
        "km", _haversine_km(F.lag("lon").over(order), F.lag("lat").over(order), F.col("lon"), F.col("lat"))
    )
    per_day = hops.groupBy("subscriber_id", "day").agg(F.sum(F.coalesce(F.col("km"), F.lit(0.0))).alias("km"))
    travel = per_day.groupBy("subscriber_id").agg(
        F.sum((F.col("km") >= settings.commute_km).cast("int")).cast("int").alias("days_travel_long")
    )
    # Days with one stay of at least m minutes, per category and group.
    longest = (
        st.where(F.col("cat").isNotNull())
        .join(F.broadcast(_keys_of_category(spark)), "cat")
        .groupBy("subscriber_id", "day", "key")
        .agg(F.max("dur").alias("longest"))
    )
    days_cols = [
        F.sum(((F.col("key") == k) & (F.col("longest") >= m * 60)).cast("int"))
        .cast("int")
        .alias(f"days_{k}_ge{m}m")
        for k in stay_keys()
        for m in settings.stay_minutes
    ]
    days = longest.groupBy("subscriber_id").agg(*days_cols)
    return helpers.join(travel, "subscriber_id", "full").join(days, "subscriber_id", "full")


def dwell_features(
    inp: FeatureInputs, pcat: DataFrame, settings: TagSettings, slots: Sequence[str]
) -> DataFrame:
    coords = inp.cells.select(
        "lac", "cell_id", F.col("longitude").alias("lon"), F.col("latitude").alias("lat")
    )
    dw = inp.dwell.join(F.broadcast(pcat.select("place_id", "cat", "l1")), "place_id", "left").withColumn(
        "weekday", F.dayofweek(F.col("day")).between(2, 6)
    )
    cat_cols = []
    for c in vocab.CATEGORIES:
        at = F.col("cat") == c
        cat_cols.append(F.sum(F.when(at, F.col("dwell_s"))).cast("long").alias(f"dwell_s_{c}"))
        cat_cols += [
            F.sum(F.when(at & (F.col("slot") == s), F.col("dwell_s"))).cast("long").alias(f"dwell_s_{c}_{s}")
            for s in slots
        ]
    day_slot = F.col("slot").isin(list(settings.day_slots))
    housing = (F.col("l1") == "住宅") & day_slot
    totals = dw.groupBy("subscriber_id").agg(
        F.sum("dwell_s").cast("long").alias("total_dwell_s"),
        F.count_distinct(F.col("place_id")).cast("int").alias("distinct_places"),
        F.sum(F.when(housing & F.col("weekday"), F.col("dwell_s"))).alias("_h_wd"),
        F.sum(F.when(day_slot & F.col("weekday"), F.col("dwell_s"))).alias("_t_wd"),
        F.sum(F.when(housing, F.col("dwell_s"))).alias("_h_all"),
        F.sum(F.when(day_slot, F.col("dwell_s"))).alias("_t_all"),
        *cat_cols,
    )
    share = F.when(F.col("_t_wd") > 0, F.coalesce(F.col("_h_wd"), F.lit(0)) / F.col("_t_wd")).when(
        F.col("_t_all") > 0, F.coalesce(F.col("_h_all"), F.lit(0)) / F.col("_t_all")
    )
    totals = totals.withColumn("wd_daytime_housing_share", share.cast("double")).drop(
        "_h_wd", "_t_wd", "_h_all", "_t_all"
    )
    # Days present at each category.
    per_day = (
        dw.where(F.col("cat").isNotNull())
        .groupBy("subscriber_id", "cat", "day")
        .agg(F.sum("dwell_s").alias("s"))
    )
    present = per_day.where(F.col("s") >= inp.min_day_dwell_s)
    days = present.groupBy("subscriber_id").agg(
        *[F.sum((F.col("cat") == c).cast("int")).cast("int").alias(f"days_{c}") for c in vocab.CATEGORIES]
    )
    # Districts by day and night, the district of the most-dwelled place, mobility measures.
    by_district = (
        dw.groupBy("subscriber_id", "district")
        .agg(
            F.sum(F.when(day_slot, F.col("dwell_s")).otherwise(0)).alias("day_s"),
            F.sum(
                F.when(F.col("slot").isin(list(settings.night_slots)), F.col("dwell_s")).otherwise(0)
            ).alias("night_s"),
        )
        .where(F.col("district").isNotNull())
    )
    day_d = _argmax(by_district, "day_s", "district", "day_district")
    night_d = _argmax(by_district, "night_s", "district", "night_district")
    loc = F.coalesce(F.col("place_id"), F.concat_ws(":", F.lit("cell"), F.col("lac"), F.col("cell_id")))
    per_loc = (
        dw.withColumn("loc", loc)
        .join(F.broadcast(coords), ["lac", "cell_id"], "left")
        .groupBy("subscriber_id", "loc")
        .agg(
            F.sum("dwell_s").alias("s"),
            F.sum(F.col("dwell_s") * F.col("lon")).alias("slon"),
            F.sum(F.col("dwell_s") * F.col("lat")).alias("slat"),
        )
    )
    places_only = per_loc.where(~F.col("loc").startswith("cell:"))
    top = (
        _argmax(places_only, "s", "loc", "top_place")
        .join(
            F.broadcast(pcat.select(F.col("place_id").alias("top_place"), F.col("place_district"))),
            "top_place",
            "left",
        )
        .select("subscriber_id", F.col("place_district").alias("top_place_district"))
    )
    w = Window.partitionBy("subscriber_id")
    measures = (
        per_loc.withColumn("lon", F.col("slon") / F.col("s"))
        .withColumn("lat", F.col("slat") / F.col("s"))
        .withColumn("p", F.col("s") / F.sum("s").over(w))
        .withColumn("clon", F.sum(F.col("p") * F.col("lon")).over(w))
        .withColumn("clat", F.sum(F.col("p") * F.col("lat")).over(w))
        .groupBy("subscriber_id")
        .agg(
            (-F.sum(F.when(F.col("p") > 0, F.col("p") * F.log(F.col("p"))))).alias("place_entropy"),
            F.sqrt(
                F.sum(
                    F.col("p") * _haversine_km(F.col("clon"), F.col("clat"), F.col("lon"), F.col("lat")) ** 2
                )
            ).alias("radius_gyration_km"),
        )
    )
    return (
        totals.join(days, "subscriber_id", "left")
        .join(day_d, "subscriber_id", "left")
        .join(night_d, "subscriber_id", "left")
        .join(top, "subscriber_id", "left")
        .join(measures, "subscriber_id", "left")
    )


def profile_features(inp: FeatureInputs, pcat: DataFrame) -> DataFrame:
    rank = F.create_map(*[F.lit(x) for kv in FREQ_RANK.items() for x in kv])
    names = F.create_map(*[F.lit(x) for kv in FREQ_RANK.items() for x in reversed(kv)])
    prof = inp.profile.join(F.broadcast(pcat.select("place_id", "cat")), "place_id").withColumn(
        "r", rank[F.col("frequency_class")]
    )
    best = prof.groupBy("subscriber_id").agg(
        *[F.max(F.when(F.col("cat") == c, F.col("r"))).alias(f"_r_{c}") for c in vocab.CATEGORIES]
    )
    return best.select(
        "subscriber_id", *[names[F.col(f"_r_{c}")].alias(f"freq_{c}") for c in vocab.CATEGORIES]
    )


def anchor_features(inp: FeatureInputs, pcat: DataFrame) -> DataFrame:
    cells = inp.cells.select("lac", "cell_id", F.col("district").alias("cell_district"))
    a = (
        inp.anchors.join(F.broadcast(cells), ["lac", "cell_id"], "left")
        .join(F.broadcast(pcat.select("place_id", "place_district")), "place_id", "left")
        .withColumn("d", F.coalesce(F.col("place_district"), F.col("cell_district")))
    )

    def pick(kind: str, col: str) -> Column:
        return F.max(F.when(F.col("anchor_type") == kind, F.col(col)))

    return a.groupBy("subscriber_id").agg(
        pick("home", "place_id").alias("home_place_id"),
        pick("home", "d").alias("home_district"),
        pick("home", "confidence").alias("home_confidence"),
        pick("work", "place_id").alias("work_place_id"),
        pick("work", "d").alias("work_district"),
        pick("work", "confidence").alias("work_confidence"),
    )


PCT_STEPS = 1000


def _below(value: Column):
    return lambda cut: cut < value


def with_percentiles(df: DataFrame, values: dict[str, Column]) -> DataFrame:
    """Adds each ``name`` = share of the population below the row's value (0 … 0.999), from one
    ``percentile_approx`` aggregation over a 1/1000 grid: scales to any population, unlike a
    window over the whole table, which would gather every row into one task."""
    grid = [i / PCT_STEPS for i in range(1, PCT_STEPS)]
    staged = df.select("*", *[v.cast("double").alias(f"_pv_{n}") for n, v in values.items()])
    cuts = staged.agg(*[F.percentile_approx(f"_pv_{n}", grid, 10000).alias(f"_pc_{n}") for n in values])
    out = staged.crossJoin(F.broadcast(cuts))
    for n in values:
        v = F.col(f"_pv_{n}")
        out = out.withColumn(
            n, F.when(v.isNotNull(), F.size(F.filter(F.col(f"_pc_{n}"), _below(v))) / PCT_STEPS)
        )
    return out.drop(*[f"_pv_{n}" for n in values], *[f"_pc_{n}" for n in values])


def boss_features(inp: FeatureInputs) -> DataFrame:
    return compute_boss_features(inp.subscribers, inp.usage, inp.period, inp.prev_period)


def compute_boss_features(subscribers: DataFrame, usage: DataFrame, month: str, prev_month: str) -> DataFrame:
    """Background and usage columns of ``month`` (yyyy-MM) from raw/subscribers of that month and
    raw/usage of it and ``prev_month`` (for the month-over-month ratios)."""
    year = int(month[:4])
    month_end = F.last_day(F.to_date(F.lit(f"{month}-01")))
    subs = subscribers.select(
        "subscriber_id",
        "brand",
        "tier",
        "gender",
        "status",
        "package_code",
        (F.lit(year) - F.col("birth_year")).cast("int").alias("age"),
        F.floor(F.months_between(month_end, F.col("open_date"))).cast("int").alias("tenure_months"),
    )
    cur = usage.where(F.col("month") == month).select(
        "subscriber_id",
        F.col("arpu").cast("double").alias("arpu"),
        *[
            F.col(c).cast("double").alias(c)
            for c in (
                "voice_out_min",
                "voice_in_min",
                "data_mb",
                "night_data_mb",
                "roaming_min",
                "weekend_voice_min",
                "package_fee",
                "extra_fee",
            )
        ],
        F.col("sms_out").cast("long").alias("sms_out"),
        F.col("sms_in").cast("long").alias("sms_in"),
    )
    prev = usage.where(F.col("month") == prev_month).select(
        "subscriber_id",
        F.col("arpu").cast("double").alias("arpu_prev"),
        F.col("data_mb").cast("double").alias("data_mb_prev"),
    )

    measures = (
        cur.join(prev, "subscriber_id", "left")
        .withColumn("arpu_mom", F.when(F.col("arpu_prev") > 0, F.col("arpu") / F.col("arpu_prev") - 1))
        .withColumn(
            "data_mom", F.when(F.col("data_mb_prev") > 0, F.col("data_mb") / F.col("data_mb_prev") - 1)
        )
        .withColumn(
            "night_data_share", F.when(F.col("data_mb") > 0, F.col("night_data_mb") / F.col("data_mb"))
        )
        .withColumn("extra_fee_share", F.when(F.col("arpu") > 0, F.col("extra_fee") / F.col("arpu")))
        # Usage valued at indicative unit prices per CNY of package fee (no allowances in BOSS).
        .withColumn(
            "usage_per_fee",
            (F.col("voice_out_min") * 0.15 + F.col("data_mb") * 0.03)
            / F.greatest(F.col("package_fee"), F.lit(1.0)),
        )
    )
    measures = with_percentiles(
        measures,
        {
            "arpu_pct": F.col("arpu"),
            "data_pct": F.col("data_mb"),
            "sms_pct": F.col("sms_out"),
            "voice_pct": F.col("voice_out_min"),
            "usage_per_fee_pct": F.col("usage_per_fee"),
        },
    )
    return subs.join(measures, "subscriber_id", "full")


def product_features(inp: FeatureInputs) -> DataFrame:
    ps = inp.product_status

    def as_map(month: str, name: str) -> DataFrame:
        return (
            ps.where(F.col("month") == month)
            .groupBy("subscriber_id")
            .agg(F.map_from_entries(F.collect_list(F.struct("product_code", "status"))).alias(name))
        )

    return as_map(inp.period, "product_status").join(
        as_map(inp.prev_period, "product_status_prev"), "subscriber_id", "full"
    )


def event_features(inp: FeatureInputs) -> DataFrame:
    return inp.participants.groupBy("subscriber_id").agg(
        F.array_sort(F.collect_set("event_id")).alias("events_attended"),
        F.array_sort(F.collect_set("event_type")).alias("event_types_attended"),
    )


def build_features(inp: FeatureInputs, settings: TagSettings, slots: Sequence[str]) -> DataFrame:
    """models/features rows of the period (the schema of :func:`feature_schema` plus ``period``)."""
    spark = inp.stays.sparkSession
    pcat = place_categories(spark, inp.places)
    observed = inp.dwell.select("day").distinct()
    n_days = observed.agg(
        F.count(F.lit(1)).cast("int").alias("observed_days"),
        F.sum(F.dayofweek("day").between(2, 6).cast("int")).cast("int").alias("observed_weekdays"),
    )
    parts = [
        dwell_features(inp, pcat, settings, slots),
        stay_features(inp, pcat, settings),
        profile_features(inp, pcat),
        anchor_features(inp, pcat),
        boss_features(inp),
        product_features(inp),
        event_features(inp),
    ]
    ids = None
    for frame in parts:
        keys = frame.select("subscriber_id")
        ids = keys if ids is None else ids.unionByName(keys)
    out = ids.distinct()
    for frame in parts:
        out = out.join(frame, "subscriber_id", "left")
    out = (
        out.crossJoin(F.broadcast(n_days))
        .withColumn("observed_days", F.coalesce(F.col("observed_days"), F.lit(0)))
        .withColumn("observed_weekdays", F.coalesce(F.col("observed_weekdays"), F.lit(0)))
    )
    schema = feature_schema(settings, slots)
    zero_filled = {
        f.name for f in schema.fields if f.name.startswith(("days_", "dwell_s_", "n_", "nights_", "wd_days"))
    }
    cols = []
    for f in schema.fields:
        col = F.col(f.name).cast(f.dataType)
        if f.name in zero_filled:
            col = F.coalesce(col, F.lit(0).cast(f.dataType))
        elif isinstance(f.dataType, T.ArrayType):
            col = F.coalesce(col, F.array().cast(f.dataType))
        elif isinstance(f.dataType, T.MapType):
            col = F.coalesce(col, F.create_map().cast(f.dataType))
        cols.append(col.alias(f.name))
    return out.select(*cols, F.lit(inp.period).alias("period"))
