"""Mobility feature families: stays, dwell, frequency profile, anchors and the observed window.

Each ``compute_*`` takes the window's mobility rows and ``pcat`` (:func:`place_categories`) and
returns one row per subscriber with its columns of :mod:`lifecircle.features.schema`. "Weekday"
means a day outside ``weekend_days`` (conf ``mobility.dwell.weekend_days``, Monday = 0), the same
calendar mobility uses for ``is_weekend``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window, WindowSpec
from pyspark.sql import functions as F

from lifecircle.features import vocab
from lifecircle.features.places import keys_of_category
from lifecircle.features.schema import FREQ_RANK, stay_keys
from lifecircle.features.settings import FeatureSettings
from lifecircle.localtime import DAY_S, HOUR_S, is_weekday, local_seconds
from lifecircle.mobility.location import is_place, with_location

H = HOUR_S


def _exact_sum(values: Column, window: WindowSpec | None = None) -> Column:
    """A sum of doubles that does not depend on the order rows arrive in (float addition is not
    associative, so F.sum's last bits follow the partitioning and reruns differ): each value is
    rounded to 18 decimals and summed exactly as a decimal."""
    total = F.sum(values.cast("decimal(38,18)"))
    return (total.over(window) if window is not None else total).cast("double")


def _daily_window_overlap(s: Column, e: Column, a: int, b: int) -> Column:
    """Seconds of [s, e) (local epoch seconds) inside the daily window [a, b) over any span."""

    def cum(t: Column) -> Column:
        return F.floor(t / DAY_S) * (b - a) + F.least(F.greatest(t % DAY_S - a, F.lit(0)), F.lit(b - a))

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


def _coords(cells: DataFrame) -> DataFrame:
    return cells.select("lac", "cell_id", F.col("longitude").alias("lon"), F.col("latitude").alias("lat"))


def compute_observed_days(dwell: DataFrame, weekend_days: Sequence[int]) -> DataFrame:
    """One row: ``observed_days`` and ``observed_weekdays``, the window's days holding dwell."""
    return (
        dwell.select("day")
        .distinct()
        .agg(
            F.count(F.lit(1)).cast("int").alias("observed_days"),
            F.sum(is_weekday(F.col("day"), weekend_days).cast("int")).cast("int").alias("observed_weekdays"),
        )
    )


def compute_stay_features(
    stays: DataFrame,
    cells: DataFrame,
    pcat: DataFrame,
    settings: FeatureSettings,
    tz: str,
    weekend_days: Sequence[int],
) -> DataFrame:
    """The stay helpers (school run, office hours, hotel nights, late entertainment, long travel)
    and ``days_<k>_ge<m>m`` from mobility/stays of the window."""
    spark = stays.sparkSession
    st = (
        stays.join(F.broadcast(pcat.select("place_id", "cat", "l1")), "place_id", "left")
        .join(F.broadcast(_coords(cells)), ["lac", "cell_id"], "left")
        .withColumn("ls", local_seconds(F.col("start_ts"), tz))
        .withColumn("le", local_seconds(F.col("end_ts"), tz))
        .withColumn("dur", F.col("le") - F.col("ls"))
        .withColumn("tod", F.col("ls") % DAY_S)
        .withColumn("weekday", is_weekday(F.col("day"), weekend_days))
    )
    leisure = F.col("cat").isin(list(vocab.groups()["leisure"]))
    tod, dur = F.col("tod"), F.col("dur")
    school_run = (
        (F.col("cat") == "school")
        & dur.between(600, 5400)
        & (tod.between(7 * H, 9 * H - 1) | tod.between(15 * H + 1800, 18 * H - 1))
    )
    lo, hi = settings.office_window
    office_s = F.when(
        (F.col("l1") == "商务") & F.col("weekday"), _daily_window_overlap(F.col("ls"), F.col("le"), lo * H, hi * H)
    )
    first_3am = F.ceil((F.col("ls") - 3 * H) / DAY_S) * DAY_S + 3 * H
    hotel_3am = (F.col("cat") == "hotel") & (first_3am < F.col("le"))
    late = _daily_window_overlap(F.col("ls"), F.col("le"), 0, 4 * H) + _daily_window_overlap(
        F.col("ls"), F.col("le"), 23 * H, DAY_S
    )
    ent_late = (F.col("l1") == "娱乐") & (late >= 1800)
    helpers = st.groupBy("subscriber_id").agg(
        F.count_distinct(F.when(leisure & (dur >= 1800), F.col("cat")))
        .cast("int")
        .alias("n_leisure_cats_ge30m"),
        F.count_distinct(F.when(school_run, F.col("day"))).cast("int").alias("days_school_run"),
        F.count_distinct(F.when(hotel_3am, F.col("day"))).cast("int").alias("nights_hotel_3am"),
        F.count_distinct(F.when(ent_late, F.col("day"))).cast("int").alias("days_ent_late_ge30m"),
    )
    office = (
        st.groupBy("subscriber_id", "day")
        .agg(F.sum(office_s).alias("office_s"))
        .groupBy("subscriber_id")
        .agg(
            F.sum((F.col("office_s") >= settings.office_min_h * H).cast("int"))
            .cast("int")
            .alias("wd_days_office_hours")
        )
    )
    order = Window.partitionBy("subscriber_id").orderBy("start_ts", "seq")
    away = compute_trips_out(st, order, settings)
    # Travel: a day whose two longest stays (home and work, for most) lie commute_km / 2 apart or
    # more (there and back: commute_km). Not the sum of hops: flickers between near cells and the
    # cells crossed on the way would add up to a commute for everybody.
    longest_two = Window.partitionBy("subscriber_id", "day").orderBy(F.col("dur").desc(), F.col("start_ts"))
    two = (
        st.where(F.col("lon").isNotNull())
        .withColumn("_r", F.row_number().over(longest_two))
        .where(F.col("_r") <= 2)
        .groupBy("subscriber_id", "day")
        .agg(
            _haversine_km(
                F.first(F.when(F.col("_r") == 1, F.col("lon")), ignorenulls=True),
                F.first(F.when(F.col("_r") == 1, F.col("lat")), ignorenulls=True),
                F.first(F.when(F.col("_r") == 2, F.col("lon")), ignorenulls=True),
                F.first(F.when(F.col("_r") == 2, F.col("lat")), ignorenulls=True),
            ).alias("km")
        )
    )
    travel = two.groupBy("subscriber_id").agg(
        F.sum(F.coalesce(F.col("km") >= settings.commute_km / 2, F.lit(False)).cast("int"))
        .cast("int")
        .alias("days_travel_long")
    )
    # Days with one stay of at least m minutes, per category and group.
    longest = (
        st.where(F.col("cat").isNotNull())
        .join(F.broadcast(keys_of_category(spark)), "cat")
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
    return (
        helpers.join(travel, "subscriber_id", "full")
        .join(days, "subscriber_id", "full")
        .join(office, "subscriber_id", "full")
        .join(away, "subscriber_id", "full")
    )


def compute_trips_out(st: DataFrame, order: Window, settings: FeatureSettings) -> DataFrame:
    """``trips_out_of_city`` and ``days_out_of_city`` (local days the absences touch).

    Nothing is recorded while a phone roams on another city's network, so a trip out of town is
    a hole between stays: long next to a stay at a railway station, coach station or port, or
    very long anywhere. Silences at one place are already inside stays (bridged), so a night at
    home with the phone off is not a hole.
    """
    hub = F.coalesce(F.col("cat").isin(list(vocab.groups()["transport"])), F.lit(False))
    holes = (
        st.withColumn("hub", hub)
        .withColumn("next_ls", F.lead("ls").over(order))
        .withColumn("next_hub", F.lead("hub").over(order))
        .withColumn("gap", F.col("next_ls") - F.col("le"))
        .where(
            (F.col("gap") >= settings.away_long_h * H)
            | ((F.col("gap") >= settings.away_min_h * H) & (F.col("hub") | F.col("next_hub")))
        )
    )
    days = F.size(F.sequence(F.floor(F.col("le") / DAY_S), F.floor((F.col("next_ls") - 1) / DAY_S)))
    return holes.groupBy("subscriber_id").agg(
        F.count(F.lit(1)).cast("int").alias("trips_out_of_city"),
        F.sum(days).cast("int").alias("days_out_of_city"),
    )


def compute_dwell_features(
    dwell: DataFrame,
    cells: DataFrame,
    pcat: DataFrame,
    settings: FeatureSettings,
    slots: Sequence[str],
    min_day_dwell_s: int,
    weekend_days: Sequence[int],
) -> DataFrame:
    """Dwell per category and slot, days present, weekday daytime housing share, day / night /
    top-place districts and the mobility measures, from mobility/dwell_daily_cell of the window."""
    dw = with_location(
        dwell.join(F.broadcast(pcat.select("place_id", "cat", "l1")), "place_id", "left")
    ).withColumn("weekday", is_weekday(F.col("day"), weekend_days))
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
    # Without weekday daytime dwell the share falls back to all days' daytime.
    share = F.when(F.col("_t_wd") > 0, F.coalesce(F.col("_h_wd"), F.lit(0)) / F.col("_t_wd")).when(
        F.col("_t_all") > 0, F.coalesce(F.col("_h_all"), F.lit(0)) / F.col("_t_all")
    )
    totals = totals.withColumn("wd_daytime_housing_share", share.cast("double")).drop(
        "_h_wd", "_t_wd", "_h_all", "_t_all"
    )
    per_day = (
        dw.where(F.col("cat").isNotNull())
        .groupBy("subscriber_id", "cat", "day")
        .agg(F.sum("dwell_s").alias("s"))
    )
    present = per_day.where(F.col("s") >= min_day_dwell_s)
    days = present.groupBy("subscriber_id").agg(
        *[F.sum((F.col("cat") == c).cast("int")).cast("int").alias(f"days_{c}") for c in vocab.CATEGORIES]
    )
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
    per_loc = (
        dw.join(F.broadcast(_coords(cells)), ["lac", "cell_id"], "left")
        .groupBy("subscriber_id", "loc")
        .agg(
            F.sum("dwell_s").alias("s"),
            _exact_sum(F.col("dwell_s") * F.col("lon")).alias("slon"),
            _exact_sum(F.col("dwell_s") * F.col("lat")).alias("slat"),
        )
    )
    top = (
        _argmax(per_loc.where(is_place(F.col("loc"))), "s", "loc", "top_place")
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
        .withColumn("clon", _exact_sum(F.col("p") * F.col("lon"), w))
        .withColumn("clat", _exact_sum(F.col("p") * F.col("lat"), w))
        .groupBy("subscriber_id")
        .agg(
            (-_exact_sum(F.when(F.col("p") > 0, F.col("p") * F.log(F.col("p"))))).alias("place_entropy"),
            F.sqrt(
                _exact_sum(
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


def compute_profile_features(profile: DataFrame, pcat: DataFrame) -> DataFrame:
    """``freq_<c>``: the best frequency class of the category's places in mobility/dwell_profile."""
    rank = F.create_map(*[F.lit(x) for kv in FREQ_RANK.items() for x in kv])
    names = F.create_map(*[F.lit(x) for kv in FREQ_RANK.items() for x in reversed(kv)])
    prof = profile.join(F.broadcast(pcat.select("place_id", "cat")), "place_id").withColumn(
        "r", rank[F.col("frequency_class")]
    )
    best = prof.groupBy("subscriber_id").agg(
        *[F.max(F.when(F.col("cat") == c, F.col("r"))).alias(f"_r_{c}") for c in vocab.CATEGORIES]
    )
    return best.select(
        "subscriber_id", *[names[F.col(f"_r_{c}")].alias(f"freq_{c}") for c in vocab.CATEGORIES]
    )


def compute_anchor_features(anchors: DataFrame, cells: DataFrame, pcat: DataFrame) -> DataFrame:
    """Home and work place, district (the place's, else the cell's) and confidence."""
    districts = cells.select("lac", "cell_id", F.col("district").alias("cell_district"))
    a = (
        anchors.join(F.broadcast(districts), ["lac", "cell_id"], "left")
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
