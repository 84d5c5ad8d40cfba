"""Planted patterns are visible in the data at a medium scale (one week, 600 subscribers)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from lifecircle.simulate import simulate_city

from .interfaces import CSV_SPECS, csv_check, read_records


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    root = tmp_path_factory.mktemp("week")
    simulate_city(root / "landing", root / "truth", subscribers=600, days=7, start=date(2026, 11, 2), seed=5)
    subs = pd.read_parquet(root / "truth" / "subscribers.parquet")
    return root, subs[~subs["churned"]].set_index("msisdn")


def valid_frame(path, kind: str) -> pd.DataFrame:
    """The valid, deduplicated rows of one extract, read by the independent contract checker."""
    rows = {row for raw in read_records(path)[1:] for reason, row in [csv_check(raw, kind)] if reason is None}
    return pd.DataFrame(sorted(rows), columns=CSV_SPECS[kind][0].split(","))


def usage(root, ym: str) -> pd.DataFrame:
    df = valid_frame(root / "landing" / "boss" / f"usage_{ym}.csv", "usage").set_index("msisdn")
    return df.drop(columns="month").astype(float)


def auc(score: np.ndarray, label: np.ndarray) -> float:
    ranks = pd.Series(score).rank().to_numpy()
    pos = label.astype(bool)
    return (ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum())


def test_trend_value_and_usage_patterns(week):
    root, subs = week
    first, last = usage(root, "202609"), usage(root, "202611")
    both = first.index.intersection(last.index).intersection(subs.index)
    ratio = (last.loc[both, "arpu"] / first.loc[both, "arpu"]).groupby(subs.loc[both, "trend"]).median()
    assert ratio["growing"] > 1.1 > ratio["stable"] > 0.9 > ratio["declining"]
    u = last.loc[last.index.intersection(subs.index)]
    s = subs.loc[u.index]
    assert u["sms_out"][s["sms_heavy"]].median() > 2 * u["sms_out"][~s["sms_heavy"]].median()
    assert u["data_mb"][s["data_heavy"]].median() > 2 * u["data_mb"][~s["data_heavy"]].median()
    share = u["night_data_mb"] / u["data_mb"]
    assert share[s["night_data"]].min() > 0.25 > share[~s["night_data"]].max()
    assert (u["roaming_min"][s["personas"].str.contains("business_traveler")] > 0).all()
    fee = u["extra_fee"].groupby(s["package_use"]).mean()
    assert fee["over"] > fee["normal"] > fee["under"]
    by_tier = u["arpu"].groupby(s["tier"]).mean()
    assert by_tier["diamond"] > by_tier["gold"] > by_tier["normal"]


def test_adoption_truth_is_informative(week):
    root, subs = week
    ad = pd.read_parquet(root / "truth" / "adoption.parquet")
    assert 0.005 < ad["adopted"].mean() < 0.15
    assert auc(ad["probability"].to_numpy(), ad["adopted"].to_numpy()) > 0.6
    movie = subs["personas"].str.contains("movie").reindex(ad["msisdn"]).to_numpy()
    cinema = (ad["product_code"] == "1004").to_numpy()
    assert ad["probability"][cinema & movie].mean() > 4 * ad["probability"][cinema & ~movie].mean()


def test_feedback_openings_are_adoptions(week):
    root, _ = week
    files = sorted((root / "landing" / "ocrm").glob("feedback_*.csv"))
    fb = pd.concat([valid_frame(f, "ocrm_feedback") for f in files])
    opened = fb[fb["opened_within_days"] != ""]
    assert len(opened) and (fb["response"] == "accepted").any()
    ad = pd.read_parquet(root / "truth" / "adoption.parquet")
    ad = ad[ad["month"] == "202611"].set_index(["msisdn", "product_code"])["adopted"]
    assert ad.reindex(pd.MultiIndex.from_frame(opened[["msisdn", "product_code"]])).fillna(False).all()


def test_expected_tags_follow_personas(week):
    root, subs = week
    tags = pd.read_parquet(root / "truth" / "expected_tags.parquet")
    for code, persona in (("circle.social.office", "office"), ("circle.social.factory", "factory"),
                          ("circle.pref.sports.basketball", "basketball"), ("circle.behav.fitness", "fitness"),
                          ("circle.social.parent_child", "parent"), ("circle.behav.night_owl", "night_owl")):
        tagged = set(tags.loc[tags["tag_code"] == code, "msisdn"])
        holders = set(subs.index[subs["personas"].str.split("|").map(lambda p, q=persona: q in p)])
        assert len(tagged & holders) >= 0.9 * len(tagged) > 0, code
        assert len(tagged & holders) >= 0.5 * len(holders), code


def test_event_attendance_follows_interest(week):
    root, subs = week
    att = pd.read_parquet(root / "truth" / "event_attendance.parquet")
    ev = pd.read_csv(root / "landing" / "params" / "events.csv")
    games = set(ev.loc[ev["event_type"] == "basketball", "event_id"])
    went = set(att.loc[att["event_id"].isin(games), "msisdn"])
    fans = subs["personas"].str.contains("basketball")
    rate_fans = fans[fans].index.isin(list(went)).mean()
    rate_others = fans[~fans].index.isin(list(went)).mean()
    assert rate_fans > 0.3 and rate_fans > 10 * rate_others
