"""params/*.csv: exact headers, types, the category vocabulary, the cell–place rules, events."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from .interfaces import parse_date, parse_timestamp

CATEGORY_TABLE = {  # INTERFACES.md place category vocabulary (l1, l2, l3)
    ("教育", "学校", "高等院校"), ("教育", "学校", "中小学"), ("教育", "培训", "培训机构"), ("商务", "办公", "写字楼"),
    ("商务", "工业", "工业园区"), ("住宅", "住宅小区", ""), ("住宅", "城中村", ""), ("体育", "篮球", "篮球场馆"),
    ("体育", "足球", "足球场"), ("体育", "高尔夫", "高尔夫球场"), ("体育", "健身", "健身房"), ("体育", "体育场馆", "综合体育馆"),
    ("娱乐", "影院", "电影院"), ("娱乐", "KTV", ""), ("娱乐", "酒吧", ""), ("娱乐", "演出", "演出场馆"),
    ("购物", "商场", "购物中心"), ("购物", "市场", ""), ("交通", "枢纽", "火车站"), ("交通", "枢纽", "汽车站"),
    ("交通", "枢纽", "港口"), ("酒店", "酒店", "商务酒店"), ("医疗", "医院", "综合医院"), ("政务", "政府", "行政中心"),
    ("招聘", "人才市场", ""), ("旅游", "景区", "公园"),
}
HEADERS = {
    "cells": "lac,cell_id,site_id,longitude,latitude,azimuth,district",
    "places": "place_id,name,category_l1,category_l2,category_l3,longitude,latitude,radius_m,district,is_landmark",
    "cell_place": "lac,cell_id,place_id,weight",
    "events": "event_id,name,event_type,place_id,start_time,end_time",
    "products": "product_code,name,category,monthly_fee,launch_date",
}


def read(city, kind: str) -> pd.DataFrame:
    return pd.read_csv(city.landing / "params" / f"{kind}.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("kind", sorted(HEADERS))
def test_header_and_field_count(city, kind):
    text = (city.landing / "params" / f"{kind}.csv").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == HEADERS[kind] and lines[-1] == ""
    n = HEADERS[kind].count(",") + 1
    assert all(len(ln.split(",")) == n for ln in lines[1:-1])


def test_cells(city):
    c = read(city, "cells")
    assert c[["lac", "cell_id", "site_id"]].apply(lambda s: s.str.fullmatch(r"[0-9]+")).all().all()
    assert not c.duplicated(["lac", "cell_id"]).any()
    lon, lat = c["longitude"].astype(float), c["latitude"].astype(float)
    assert lon.between(113.4, 114.4).all() and lat.between(22.5, 23.4).all()
    az = c["azimuth"]
    assert (az == "").any(), "some omni cells"
    assert az[az != ""].astype(int).between(0, 359).all()
    sites = c.groupby("site_id").agg(n=("cell_id", "size"), lon=("longitude", "nunique"), district=("district", "nunique"))
    assert (sites["n"] == 3).mean() > 0.6 and sites["n"].isin([1, 3]).all()
    assert (sites["district"] == 1).all() and (sites["lon"] == 1).all()
    assert c["district"].nunique() >= 8 and {"莞城", "石龙", "樟木头"} <= set(c["district"])
    assert c.groupby("lac")["cell_id"].size().min() >= 1 and c["lac"].nunique() < len(c) / 3


def test_places_cover_every_category(city):
    p = read(city, "places")
    cats = set(zip(p["category_l1"], p["category_l2"], p["category_l3"], strict=True))
    assert cats == CATEGORY_TABLE
    assert p["place_id"].is_unique and p["name"].is_unique
    assert p["is_landmark"].isin(["0", "1"]).all()
    landmarks = p[p["is_landmark"] == "1"]
    assert "东莞理工学院" in set(landmarks["name"]) and landmarks["name"].str.contains("篮球中心").any()
    assert set(zip(landmarks["category_l1"], landmarks["category_l2"], landmarks["category_l3"], strict=True)) == CATEGORY_TABLE
    assert p["name"].map(lambda s: bool(re.search(r"[\u4e00-\u9fff]", s))).all()
    assert set(p["district"]) <= set(read(city, "cells")["district"])
    assert p["radius_m"].astype(int).gt(0).all()


def test_cell_place_weights(city):
    cp = read(city, "cell_place")
    cells, places = read(city, "cells"), read(city, "places")
    w = cp["weight"].astype(float)
    assert w.gt(0).all() and w.le(1).all()
    assert cp.assign(w=w).groupby(["lac", "cell_id"])["w"].sum().le(1 + 1e-9).all()
    assert set(zip(cp["lac"], cp["cell_id"], strict=True)) <= set(zip(cells["lac"], cells["cell_id"], strict=True))
    assert set(cp["place_id"]) == set(places["place_id"]), "every place has cells"
    assert cp.groupby(["lac", "cell_id"]).size().max() >= 2, "some cells are shared"
    assert len(cells) > cp[["lac", "cell_id"]].drop_duplicates().shape[0], "some cells serve no place"
    # Every place is the primary place (highest weight, ties lowest id) of at least one cell.
    primary = cp.assign(w=w, pid=cp["place_id"].astype(int)).sort_values(["lac", "cell_id", "w", "pid"],
                                                                         ascending=[True, True, False, True])
    assert set(primary.drop_duplicates(["lac", "cell_id"])["place_id"]) == set(places["place_id"])


def test_events(city):
    e, p = read(city, "events"), read(city, "places").set_index("place_id")
    venue = {"basketball": "篮球场馆", "concert": "演出场馆", "flower_festival": "公园", "football": "足球场",
             "exhibition": "综合体育馆"}
    assert set(e["event_type"]) == set(venue)
    first, last = pd.Timestamp(city.start), pd.Timestamp(city.start) + pd.Timedelta(days=city.days)
    for ev in e.itertuples():
        start, end = parse_timestamp(ev.start_time), parse_timestamp(ev.end_time)
        assert start and end and start < end and first <= pd.Timestamp(start) and pd.Timestamp(end) <= last
        assert p.at[ev.place_id, "category_l3"] == venue[ev.event_type]


def test_products(city):
    pr = read(city, "products")
    assert {"12580", "0591"} <= set(pr["product_code"]), "codes are strings, leading zeros kept"
    assert 10 <= len(pr) <= 14 and pr["product_code"].is_unique
    assert {"手机邮箱", "飞信", "手机支付", "手机电影票"} <= set(pr["name"])
    assert pr["monthly_fee"].str.fullmatch(r"[0-9]+\.[0-9]{2}").all()
    assert pr["launch_date"].map(parse_date).notna().all()
