"""The realistic profile: every hostile trait is present in the landing files, from ranges, and the
truth describes it; the clean profile is byte-for-byte what it always was."""

from __future__ import annotations

import gzip
import hashlib
import io
from datetime import date

import pandas as pd
import pytest

from lifecircle.simulate import simulate_city
from lifecircle.simulate.realism import Realism, parse_traits

START = date(2026, 11, 2)
# Landing files and truth README of a small clean city, as written before the realistic profile existed.
CLEAN_DIGEST = "f81fc4fb9c14bba25ee0ea7156e5a75416ec5046d8c2d10a16b69dd947b97440"


def records(landing) -> pd.DataFrame:
    """Valid, distinct signalling records (normalised msisdn) with a timestamp column."""
    frames = []
    for path in sorted((landing / "signaling").rglob("*.gz")):
        text = gzip.decompress(path.read_bytes()).decode("utf-8", "replace").lstrip("\ufeff")
        df = pd.read_csv(io.StringIO(text), sep="|", header=None, dtype=str, on_bad_lines="skip",
                         names=["msisdn", "ts", "et", "lac", "cell_id"], engine="python")
        frames.append(df[df["ts"].str[:8] == path.parent.name])  # a time outside the day is a fault
    df = pd.concat(frames, ignore_index=True).dropna()
    m = df["msisdn"].str.strip().str.replace(r"^\+?86(?=\d{11}$)", "", regex=True)
    ok = m.str.fullmatch(r"1\d{10}") & df["ts"].str.fullmatch(r"\d{14}") & df["et"].isin([str(i) for i in range(1, 11)])
    ok &= df["lac"].str.fullmatch(r"\d+") & df["cell_id"].str.fullmatch(r"\d+")
    df = df[ok].assign(msisdn=m[ok])
    df["t"] = pd.to_datetime(df["ts"], format="%Y%m%d%H%M%S", errors="coerce").dt.tz_localize("Asia/Shanghai") \
        .astype("datetime64[s, Asia/Shanghai]")
    df = df.dropna(subset=["t"]).astype({"et": int, "lac": int, "cell_id": int})
    return df.drop_duplicates(["msisdn", "ts", "et", "lac", "cell_id"]).sort_values(["msisdn", "t"], ignore_index=True)


def build(root, name, **kw):
    args = {"subscribers": 700, "days": 14, "start": START, "seed": 21, "profile": "realistic"} | kw
    simulate_city(root / name / "landing", root / name / "truth", **args)
    truth = root / name / "truth"
    subs = pd.read_parquet(truth / "subscribers.parquet")
    return {"landing": root / name / "landing", "truth": truth, "subs": subs[~subs["churned"]],
            "stays": pd.read_parquet(truth / "stays.parquet"), "sig": records(root / name / "landing")}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    return build(tmp_path_factory.mktemp("real"), "city")


def on_stays(sig: pd.DataFrame, stays: pd.DataFrame) -> pd.DataFrame:
    """Records inside a true stay, with the stay's place and main cell."""
    st = stays.rename(columns={"lac": "main_lac", "cell_id": "main_cell"}).sort_values("start_ts")
    st = st.astype({"start_ts": sig["t"].dtype, "end_ts": sig["t"].dtype})
    m = pd.merge_asof(sig.sort_values("t"), st[["msisdn", "start_ts", "end_ts", "place_id", "main_lac", "main_cell"]],
                      left_on="t", right_on="start_ts", by="msisdn")
    return m[m["t"] < m["end_ts"]].sort_values(["msisdn", "t"], ignore_index=True)


def test_clean_profile_is_unchanged(tmp_path):
    simulate_city(tmp_path / "l", tmp_path / "t", subscribers=40, days=3, start=date(2026, 11, 29), seed=5)
    h = hashlib.sha256()
    for p in sorted((tmp_path / "l").rglob("*")):
        if p.is_file():
            h.update(p.relative_to(tmp_path / "l").as_posix().encode())
            h.update(p.read_bytes())
    h.update((tmp_path / "t" / "README.md").read_bytes())
    assert h.hexdigest() == CLEAN_DIGEST
    assert not (tmp_path / "t" / "trip_out_of_city.parquet").exists()


def test_traits_validate():
    r = Realism.from_overrides({"lu_interval_h": 6, "neighbour_share": "0.05:0.1", "density": [0.5, 0.5]})
    assert r.lu_interval_h == (6.0, 6.0) and r.neighbour_share == (0.05, 0.1) and r.density == (0.5, 0.5)
    with pytest.raises(ValueError, match="unknown simulator trait.*lu_interval"):
        Realism.from_overrides({"lu_interval": 2})
    with pytest.raises(ValueError, match="share must be at most 1"):
        Realism.from_overrides({"neighbour_share": 2})
    assert parse_traits(["lu_interval_h=2", " density = 0.5"]) == {"lu_interval_h": "2", "density": "0.5"}
    with pytest.raises(ValueError):
        simulate_city("/tmp/x-unused", "/tmp/y-unused", profile="noisy")
    with pytest.raises(ValueError, match="realistic profile only"):
        simulate_city("/tmp/x-unused", "/tmp/y-unused", traits={"density": 2})


def test_idle_phones_are_silent_up_to_the_update_timer(real):
    sig, subs = real["sig"], real["subs"].set_index("msisdn")
    gap = sig.groupby("msisdn")["t"].diff().dt.total_seconds()
    period = subs["lu_period_s"].astype(float).reindex(sig["msisdn"]).to_numpy()
    prev = sig.groupby("msisdn")["et"].shift()
    trips = pd.read_parquet(real["truth"] / "trip_out_of_city.parquet")
    back = pd.MultiIndex.from_arrays([trips["msisdn"], trips["return_ts"].astype(sig["t"].dtype)])
    after_trip = pd.MultiIndex.from_arrays([sig["msisdn"], sig["t"]]).isin(back)
    long_gap = gap > period + 1
    # Silences never exceed the timer, except while switched off (after 8) or out of the city.
    assert not (long_gap & (prev != 8) & ~after_trip).any()
    # ... and idle phones do stay silent for most of it: many gaps near the timer.
    near = (gap > 0.8 * period).mean()
    assert near > 0.05
    # Night hours are quiet: few non-update records 01:00-05:00.
    hour = sig["t"].dt.hour
    active = ~sig["et"].isin([5, 6, 7, 8, 9])
    assert active[hour.between(1, 4)].sum() < 0.03 * active.sum()
    assert subs["lu_period_s"].astype(float).between(3600 * 0.95, 3 * 3600 * 1.05).all()


def test_update_timer_override(tmp_path):
    c = build(tmp_path, "lu6", subscribers=150, days=4, traits={"lu_interval_h": 6})
    gap = c["sig"].groupby("msisdn")["t"].diff().dt.total_seconds()
    assert gap.max() > 4 * 3600
    assert c["subs"]["lu_period_s"].astype(float).between(6 * 3600 * 0.94, 6 * 3600 * 1.06).all()


def test_stationary_phones_alternate_among_serving_cells(real):
    m = on_stays(real["sig"][real["sig"]["et"].isin([1, 2, 3, 4, 6, 10])], real["stays"])
    pc = pd.read_parquet(real["truth"] / "place_cells.parquet")
    multi = pc.groupby("place_id").size()
    multi = set(multi.index[multi > 1])
    m = m[m["place_id"].isin(multi)]
    off = (m["lac"] != m["main_lac"]) | (m["cell_id"] != m["main_cell"])
    assert 0.05 <= off.mean() <= 0.2
    # Off-main records come alone (minutes apart) and in runs of several.
    same_stay = (m["msisdn"] == m["msisdn"].shift()) & (m["place_id"] == m["place_id"].shift())
    prev_off = off.shift(fill_value=False) & same_stay
    next_off = off.shift(-1, fill_value=False) & (m["msisdn"] == m["msisdn"].shift(-1))
    assert (off & ~prev_off & ~next_off).sum() > 100 and (off & prev_off).sum() > 50
    # Often on the primary cell of a neighbouring place; cell_place says so honestly.
    cp = pd.read_csv(real["landing"] / "params" / "cell_place.csv")
    primary = cp.sort_values(["lac", "cell_id", "weight", "place_id"], ascending=[True, True, False, True]) \
        .drop_duplicates(["lac", "cell_id"]).set_index(["lac", "cell_id"])["place_id"]
    keys = pd.MultiIndex.from_frame(m.loc[off, ["lac", "cell_id"]])
    other = primary.reindex(keys).to_numpy()
    assert (pd.notna(other) & (other != m.loc[off, "place_id"].to_numpy())).mean() > 0.3
    served = set(zip(cp["place_id"], cp["lac"], cp["cell_id"], strict=True))
    assert all((p, la, c) in served for p, la, c in zip(pc["place_id"], pc["lac"], pc["cell_id"], strict=True))
    assert cp.groupby(["lac", "cell_id"])["weight"].sum().max() <= 1.0 + 1e-9
    assert (cp.groupby("place_id").size() > 1).mean() > 0.3 and (cp.groupby(["lac", "cell_id"]).size() > 1).mean() > 0.2
    # Weights follow the records: share of a cell's stay records from the place vs its weight.
    counts = m.groupby(["lac", "cell_id", "place_id"]).size().rename("n").reset_index()
    tot = real["sig"].groupby(["lac", "cell_id"]).size().rename("tot").reset_index()
    w = counts.merge(tot, on=["lac", "cell_id"]).merge(cp, on=["lac", "cell_id", "place_id"])
    big = w[w["tot"] > 2000]
    assert (big["weight"] - big["n"] / big["tot"]).abs().median() < 0.1


def test_some_phones_switch_off_at_night_at_home(real):
    sig, subs = real["sig"], real["subs"]
    off = sig[sig["et"] == 8]
    flagged = subs.loc[subs["power_off_nights"].astype(bool), "msisdn"]
    assert 0.03 <= len(flagged) / len(subs) <= 0.12
    assert set(off["msisdn"]) <= set(flagged)
    nights = off.groupby("msisdn").size()
    assert nights.median() >= 0.5 * 13 and (nights < 13).any()  # most nights, not all
    home = subs.set_index("msisdn")[["home_lac", "home_cell_id"]].reindex(off["msisdn"])
    assert ((home["home_lac"].to_numpy() == off["lac"].to_numpy())
            & (home["home_cell_id"].to_numpy() == off["cell_id"].to_numpy())).mean() > 0.95
    on = sig[sig["et"] == 7]
    assert len(on) >= len(off) - len(flagged) and off["t"].dt.hour.isin([22, 23, 0]).all()


def test_multi_day_stays_are_one_row(real):
    st, subs = real["stays"], real["subs"].set_index("msisdn")
    days = (st["end_ts"] - st["start_ts"]).dt.total_seconds() / 86400
    long = st[days >= 2]
    assert len(long) > 20 and long["category"].isin(["residential", "village"]).any()
    dorm = subs.index[subs["dormitory"].astype(bool)]
    assert len(dorm) and long["msisdn"].isin(dorm).any()
    assert (subs.loc[dorm, "home_place_id"] == subs.loc[dorm, "work_place_id"]).all()
    same = st["msisdn"].eq(st["msisdn"].shift()) & st["place_id"].eq(st["place_id"].shift()) \
        & st["start_ts"].eq(st["end_ts"].shift())
    assert not same.any(), "a continuous presence is never split into rows"


def test_travellers_leave_the_city_and_come_back(real):
    trips = pd.read_parquet(real["truth"] / "trip_out_of_city.parquet")
    sig, st, subs = real["sig"], real["stays"], real["subs"]
    assert len(trips) > 10 and trips["hours_away"].between(10, 40).all() and 0.3 < trips["via_station"].mean() < 1
    assert set(trips["msisdn"]) <= set(subs.loc[subs["personas"].str.contains("business_traveler"), "msisdn"])
    m = sig.merge(trips, on="msisdn")
    assert not ((m["t"] > m["depart_ts"]) & (m["t"] < m["return_ts"])).any(), "no records while away"
    assert ((m["t"] == m["return_ts"]) & (m["et"] == 5)).sum() >= 0.9 * (trips["return_ts"] < st["end_ts"].max()).sum()
    s = st.merge(trips, on="msisdn")
    station = s[(s["end_ts"] == s["depart_ts"]) & (s["place_id"] == s["station_place_id"])]
    assert len(station) >= 0.9 * len(trips)
    minutes = (station["end_ts"] - station["start_ts"]).dt.total_seconds() / 60
    assert minutes.between(8, 61).all() and minutes.max() > 30
    assert not ((s["start_ts"] < s["return_ts"]) & (s["end_ts"] > s["depart_ts"])).any(), "no stays while away"
    usage = pd.read_csv(real["landing"] / "boss" / "usage_202611.csv", dtype=str, on_bad_lines="skip",
                        encoding_errors="replace")
    roam = usage.drop_duplicates("msisdn").set_index("msisdn")["roaming_min"]
    went = roam.reindex(trips["msisdn"].unique()).dropna()
    assert (pd.to_numeric(went, errors="coerce").dropna() > 0).mean() > 0.95


def test_irregular_habits_from_ranges(tmp_path):
    c = build(tmp_path, "month", subscribers=600, days=30, seed=4)
    st, subs = c["stays"], c["subs"]
    dur = (st["end_ts"] - st["start_ts"]).dt.total_seconds() / 60
    fans = subs.loc[subs["personas"].str.contains("movie"), "msisdn"]
    visits = st[(st["category"] == "cinema") & (dur >= 60)].groupby("msisdn").size().reindex(fans, fill_value=0)
    assert 1.8 <= visits.mean() <= 3.5 and visits.max() <= 6 and visits.nunique() >= 3  # 2-3 a month, not weekly
    gym = subs.loc[subs["personas"].str.contains("fitness"), "msisdn"]
    per_week = st[st["category"] == "gym"].groupby("msisdn").size().reindex(gym, fill_value=0) * 7 / 30
    assert 1.0 <= per_week.mean() <= 3.0 and per_week.std() > 0.3
    office = subs.loc[subs["role"] == "office", "msisdn"]
    work = st[(st["category"] == "office") & st["msisdn"].isin(office) & (dur > 240)]
    arrive = work["start_ts"].dt.hour * 60 + work["start_ts"].dt.minute
    spread = arrive.groupby(work["msisdn"]).std()
    assert spread.median() > 8 and spread.max() > spread.min() + 5  # arrival spreads differ per person
    long_days = work[dur[work.index] > 10.5 * 60]
    assert len(long_days) > 0  # overtime
    assert (subs["shift"] == "rotating").any() and (subs["shift"] == "night").any()
    tags = pd.read_parquet(c["truth"] / "expected_tags.parquet")
    movie = set(tags.loc[tags["tag_code"] == "circle.pref.movie", "msisdn"])
    assert set(fans) <= movie and movie == set(subs.loc[subs["planned_cinema_per_month"] >= 2 - 1e-9, "msisdn"])
    readme = (c["truth"] / "README.md").read_text(encoding="utf-8")
    assert "Realistic profile" in readme and "`movie_per_month` | 2–3" in readme and "persona INTENT" in readme


def test_intent_tags_cover_the_contract(real):
    from .test_sim_truth import CONTRACT_TAGS

    tags = pd.read_parquet(real["truth"] / "expected_tags.parquet")
    codes = set(tags["tag_code"])
    assert codes >= CONTRACT_TAGS
    subs = real["subs"].set_index("msisdn")
    office = set(tags.loc[tags["tag_code"] == "circle.social.office", "msisdn"])
    assert office == set(subs.index[subs["role"] == "office"])
    wlb = set(tags.loc[tags["tag_code"] == "circle.behav.work_life_balance", "msisdn"])
    nine = set(tags.loc[tags["tag_code"] == "circle.behav.nine_to_five", "msisdn"])
    assert wlb and wlb <= nine


def test_density_scales_the_sites(tmp_path):
    sites = {}
    for d in (0.5, 2):
        simulate_city(tmp_path / f"l{d}", tmp_path / f"t{d}", subscribers=400, days=1, start=START, seed=3,
                      profile="realistic", traits={"density": d})
        sites[d] = pd.read_csv(tmp_path / f"l{d}" / "params" / "cells.csv")["site_id"].nunique()
        places = pd.read_csv(tmp_path / f"l{d}" / "params" / "places.csv")
    assert sites[2] > 3 * sites[0.5] and len(places) > 50


def test_cli_profile_and_traits(tmp_path, run_cli):
    code, out, _ = run_cli("simulate", "--out", str(tmp_path / "l"), "--truth", str(tmp_path / "t"),
                           "--subscribers", "60", "--days", "2", "--start", "2026-11-02", "--profile", "realistic",
                           "--trait", "lu_interval_h=2", "--trait", "neighbour_share=0.1")
    assert code == 0 and "profile realistic: lu_interval_h=2.0" in out
    assert (tmp_path / "t" / "place_cells.parquet").exists()
    code, _, err = run_cli("simulate", "--out", str(tmp_path / "l2"), "--truth", str(tmp_path / "t2"),
                           "--subscribers", "60", "--days", "2", "--start", "2026-11-02", "--profile", "realistic",
                           "--trait", "nope=1")
    assert code != 0 and "unknown simulator trait" in err
