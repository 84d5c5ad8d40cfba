"""Truth tables: present, documented, consistent with each other and with the landing files."""

from __future__ import annotations

import bisect

import numpy as np
import pandas as pd

from lifecircle.tags.contract import CIRCLE_CODES

from .interfaces import csv_check, read_records, signaling_check

CONTRACT_TAGS = set(CIRCLE_CODES)
TABLES = ["subscribers", "stays", "expected_tags", "event_attendance", "faults", "fault_totals", "files", "adoption"]


def load(city, name: str) -> pd.DataFrame:
    return pd.read_parquet(city.truth / f"{name}.parquet")


def test_truth_is_separate_and_documented(city):
    readme = (city.truth / "README.md").read_text(encoding="utf-8")
    for name in TABLES:
        assert (city.truth / f"{name}.parquet").exists() and f"{name}.parquet" in readme
    for code in CONTRACT_TAGS | {"circle.region.<district>", "circle.region.day.<district>",
                                 "circle.region.night.<district>"}:
        assert f"`{code}`" in readme
    assert not any(p.suffix == ".parquet" for p in city.landing.rglob("*"))


def test_subscribers(city):
    subs = load(city, "subscribers")
    live = subs[~subs["churned"]]
    assert len(live) == city.subscribers and subs["msisdn"].is_unique
    assert subs["msisdn"].str.fullmatch(r"1[3589][0-9]{9}").all()
    assert live["personas"].str.split("|").str.len().between(1, 3).all()
    places = pd.read_csv(city.landing / "params" / "places.csv").set_index("place_id")
    assert places.loc[live["home_place_id"], "category_l1"].eq("住宅").all()
    night = live[live["night_shift"]]
    assert night["personas"].str.startswith("factory").all()


def test_stays_are_ordered_and_on_primary_cells(city):
    st = load(city, "stays").sort_values(["msisdn", "start_ts"])
    assert (st["start_ts"] < st["end_ts"]).all()
    same = st["msisdn"].eq(st["msisdn"].shift())
    assert (st["start_ts"] >= st["end_ts"].shift())[same].all(), "no overlapping stays"
    first = pd.Timestamp(city.start, tz="Asia/Shanghai")
    assert st["start_ts"].min() == first and st["end_ts"].max() <= first + pd.Timedelta(days=city.days)
    assert (st["day"] == st["start_ts"].dt.date).all()
    cp = pd.read_csv(city.landing / "params" / "cell_place.csv").sort_values(
        ["lac", "cell_id", "weight", "place_id"], ascending=[True, True, False, True])
    primary = cp.drop_duplicates(["lac", "cell_id"]).set_index(["lac", "cell_id"])["place_id"]
    assert (primary.reindex(pd.MultiIndex.from_frame(st[["lac", "cell_id"]])).to_numpy() == st["place_id"]).all()
    # The home place is where most time is spent.
    dwell = st.assign(s=(st["end_ts"] - st["start_ts"]).dt.total_seconds()).groupby(["msisdn", "place_id"])["s"].sum()
    top = dwell.reset_index().sort_values(["msisdn", "s"], ascending=[True, False]).drop_duplicates("msisdn")
    homes = load(city, "subscribers").set_index("msisdn")["home_place_id"]
    assert (top.set_index("msisdn")["place_id"] == homes.reindex(top["msisdn"])).mean() > 0.95


def test_expected_tags_vocabulary(city):
    tags = load(city, "expected_tags")
    districts = set(pd.read_csv(city.landing / "params" / "cells.csv")["district"])
    region = {f"circle.region.{p}{d}" for d in districts for p in ("", "day.", "night.")}
    assert set(tags["tag_code"]) <= CONTRACT_TAGS | region
    home = tags[tags["tag_code"].str.match(r"circle\.region\.[^.]+$")]
    assert home["msisdn"].is_unique and len(home) == load(city, "subscribers")["churned"].eq(False).sum()
    assert len(set(tags["tag_code"]) & CONTRACT_TAGS) >= 10


def test_event_attendance_follows_the_overlap_rule(city):
    st, att = load(city, "stays"), load(city, "event_attendance")
    ev = pd.read_csv(city.landing / "params" / "events.csv", parse_dates=["start_time", "end_time"])
    ev["start_time"] = ev["start_time"].dt.tz_localize("Asia/Shanghai")
    ev["end_time"] = ev["end_time"].dt.tz_localize("Asia/Shanghai")
    m = st.merge(ev, on="place_id")
    m["ov"] = (np.minimum(m["end_ts"], m["end_time"]) - np.maximum(m["start_ts"], m["start_time"])).dt.total_seconds().clip(lower=0)
    g = m.groupby(["msisdn", "event_id"]).agg(ov=("ov", "sum"), s=("start_time", "first"), e=("end_time", "first"))
    need = np.minimum(1800, (g["e"] - g["s"]).dt.total_seconds() / 2)
    expected = set(g.index[g["ov"] >= need])
    assert expected == set(zip(att["msisdn"], att["event_id"], strict=True)) and expected


def test_fault_totals_sum_the_files(city):
    faults, totals = load(city, "faults"), load(city, "fault_totals")
    again = faults.groupby(["source", "reason"], as_index=False)["count"].sum()
    pd.testing.assert_frame_equal(again.reset_index(drop=True), totals.reset_index(drop=True))
    summary = city.summary
    for src, reasons in summary.faults.items():
        for reason, n in reasons.items():
            assert totals.set_index(["source", "reason"]).at[(src, reason), "count"] == n


def test_signalling_happens_where_the_stays_are(city):
    """Calls, SMS, data and periodic updates are emitted at the cell of the stay in progress."""
    st = load(city, "stays").sort_values(["msisdn", "start_ts"])
    by_sub = {m: (g["start_ts"].dt.strftime("%Y%m%d%H%M%S").tolist(), g[["lac", "cell_id"]].to_numpy().tolist())
              for m, g in st.groupby("msisdn")}
    cells = pd.read_csv(city.landing / "params" / "cells.csv")
    cellset = set(zip(cells["lac"], cells["cell_id"], strict=True))
    hits = total = 0
    for path in (city.landing / "signaling").rglob("*.gz"):
        for raw in read_records(path):
            reason, key = signaling_check(raw, path.parent.name, cellset)
            if reason is None and key[2] in (1, 2, 3, 4, 6, 10):
                starts, stay_cells = by_sub[key[0]]
                i = bisect.bisect_right(starts, key[1]) - 1
                hits += stay_cells[i] == [key[3], key[4]]
                total += 1
    assert total > 1000 and hits == total


def test_adoption_matches_product_status(city):
    ad = load(city, "adoption")
    months = sorted(ad["month"].unique())
    assert ad["probability"].between(0, 1, inclusive="neither").all()
    assert ad.loc[ad["month"] == months[-1], "in_data"].eq(False).all() and ad.loc[ad["month"] != months[-1], "in_data"].all()

    def holds(ym):
        rows = [row for raw in read_records(city.landing / "vgop" / f"product_status_{ym}.csv")[1:]
                for reason, row in [csv_check(raw, "product_status")] if reason is None]
        return {(r[0], r[1]) for r in rows if r[2] in ("opened", "active")}

    last = months[-2]
    prev = (pd.Period(last, "M") - 1).strftime("%Y%m")
    new = holds(last) - holds(prev)
    got = ad[(ad["month"] == last)]
    assert set(zip(got.loc[got["adopted"], "msisdn"], got.loc[got["adopted"], "product_code"], strict=True)) == new
    assert not (set(zip(got["msisdn"], got["product_code"], strict=True)) & holds(prev)), "eligible = not holding"
