"""Expected life-circle tags, computed from the TRUE stays by explicit rules.

The rules are data (RULES) so the truth README prints exactly what the code applies, and the
tag engine can implement the same definitions. Conventions used by every rule:
- a stay belongs to the local day of its start; "days with X" counts distinct such days;
- reg(k) = max(1, ceil(k × D / 7)) where D is the number of simulated days ("k days a week");
- WD is the number of weekdays (Mon–Fri) among the simulated days;
- categories are the place categories of INTERFACES.md (l3, or l2 where l3 is empty);
- leisure means category_l1 in 体育, 娱乐, 旅游, 购物.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .city import City
from .geo import expand

DAY = 86400
H = 3600
LEISURE_L1 = ["体育", "娱乐", "旅游", "购物"]
COMMUTE_KM = 30

# code -> (rule text, categories for "days with a stay of >= min at cat", min minutes, k of reg(k), persona)
VISIT_RULES = {
    "circle.social.office": ("days with a stay >= 4 h at 写字楼 >= reg(3)", ["office"], 240, 3, "office"),
    "circle.social.campus.university": ("days with a stay >= 4 h at 高等院校 >= reg(3)", ["university"], 240, 3,
                                        "student_uni"),
    "circle.social.campus.school": ("days with a stay >= 4 h at 中小学 >= reg(3)", ["school"], 240, 3, "student_school"),
    "circle.social.factory": ("days with a stay >= 4 h at 工业园区 >= reg(3)", ["industrial"], 240, 3, "factory"),
    "circle.pref.music": ("days with a stay >= 60 min at 演出场馆 or KTV >= reg(1)", ["concert", "ktv"], 60, 1, "music"),
    "circle.pref.sports.basketball": ("days with a stay >= 45 min at 篮球场馆 >= reg(1)", ["basketball"], 45, 1,
                                      "basketball"),
    "circle.pref.sports.football": ("days with a stay >= 45 min at 足球场 >= reg(1)", ["football"], 45, 1, "football"),
    "circle.pref.sports.golf": ("days with a stay >= 2 h at 高尔夫球场 >= reg(0.5)", ["golf"], 120, 0.5, "golf"),
    "circle.pref.movie": ("days with a stay >= 90 min at 电影院 >= reg(1)", ["cinema"], 90, 1, "movie"),
    "circle.pref.job_seeking": ("days with a stay >= 60 min at 人才市场 >= reg(1)", ["talent"], 60, 1, "job_seeker"),
    "circle.pref.entertainment": ("days with a stay >= 60 min at KTV or 酒吧 >= reg(1)", ["ktv", "bar"], 60, 1,
                                  "music|night_owl"),
    "circle.pref.shopping": ("days with a stay >= 60 min at 购物中心 or 市场 >= reg(2)", ["mall", "market"], 60, 2,
                             "shopper"),
    "circle.behav.fitness": ("days with a stay >= 45 min at 健身房 >= reg(2)", ["gym"], 45, 2, "fitness"),
}
OTHER_RULES = {
    "circle.region.<district>": "district (cells.csv) of the home place = the place with the largest total "
                                "dwell in the window (ties: lowest place_id)",
    "circle.region.day.<district>": "district of the stay cells with the largest dwell inside 08:00-20:00 "
                                    "local, all days (ties: lowest district name)",
    "circle.region.night.<district>": "same inside 22:00-07:00 local",
    "circle.social.residential": "on weekdays (all days if WD = 0), dwell inside 08:00-20:00 at 住宅 places "
                                 ">= 50 % of all dwell inside 08:00-20:00",
    "circle.social.commuter": "days whose travel distance >= 30 km >= reg(3); travel distance = sum of "
                              "straight-line distances between the cells of consecutive stays, counted on "
                              "the day of the later stay",
    "circle.social.parent_child": "days with a stay of 10-90 min at 中小学 starting in 07:00-09:00 or "
                                  "15:30-18:00 >= reg(2)",
    "circle.behav.nine_to_five": "weekdays with a stay at a 商务 place (写字楼, 工业园区) starting in "
                                 "07:00-10:00, ending in 16:30-19:30, lasting >= 6 h >= max(1, ceil(0.6 WD)); "
                                 "never when WD = 0",
    "circle.behav.work_life_balance": "nine_to_five and days with a stay >= 45 min at a leisure place >= reg(2)",
    "circle.behav.colorful_life": "distinct leisure categories with a stay >= 30 min >= 4",
    "circle.behav.business_traveler": "days with a stay >= 15 min at 交通 (火车站, 汽车站, 港口) >= reg(1) and at "
                                      "least one 商务酒店 stay covering 03:00",
    "circle.behav.night_owl": "days with a stay at 娱乐 overlapping 23:00-04:00 by >= 30 min >= reg(1)",
}
INTENDED = {  # tag -> personas whose schedule aims at it (informative column persona_intended)
    "circle.social.residential": "homebody|night_shift|job_seeker",
    "circle.social.commuter": "long_commuter|job_seeker|business_traveler",
    "circle.social.parent_child": "parent", "circle.behav.nine_to_five": "office|factory",
    "circle.behav.work_life_balance": "office", "circle.behav.colorful_life": "",
    "circle.behav.business_traveler": "business_traveler", "circle.behav.night_owl": "night_owl",
}


def reg(k: float, n_days: int) -> int:
    return max(1, int(np.ceil(k * n_days / 7 - 1e-9)))


def _window_dwell(s: np.ndarray, e: np.ndarray, a: int, b: int) -> np.ndarray:
    """Seconds of [s, e) inside the daily window [a, b) (seconds of day, a < b), over any span."""
    def cum(t):
        return (t // DAY) * (b - a) + np.clip(t % DAY - a, 0, b - a)
    return cum(e) - cum(s)


def _stay_frame(stays: pd.DataFrame, city: City) -> pd.DataFrame:
    p = city.places
    st = stays.copy()
    st["cat"] = p["cat"].to_numpy()[st["place"]]
    st["l1"] = p["category_l1"].to_numpy()[st["place"]]
    cell = p["cell"].to_numpy()[st["place"]]
    st["district"] = city.cells["district"].to_numpy()[cell]
    st["x"], st["y"] = city.cells["x"].to_numpy()[cell], city.cells["y"].to_numpy()[cell]
    st["day"] = st["start"] // DAY
    st["dur"] = st["end"] - st["start"]
    st["tod"] = st["start"] % DAY
    return st


def _days_with(st: pd.DataFrame, mask) -> pd.Series:
    return st[mask].groupby("sub")["day"].nunique()


def expected_tags(stays: pd.DataFrame, city: City, pop: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Rows (sub, tag_code, place, persona_intended); place = the supporting place, -1 if none."""
    n_days = len(days)
    weekday = np.array([d.weekday() < 5 for d in days])
    n_wd = int(weekday.sum())
    st = _stay_frame(stays, city)
    out: list[pd.DataFrame] = []

    def emit(code: str, subs, place=None):
        subs = np.asarray(subs, dtype=np.int64)
        pl = np.full(len(subs), -1) if place is None else np.asarray(place)
        out.append(pd.DataFrame({"sub": subs, "tag_code": code, "place": pl}))

    def top_place(mask) -> pd.Series:
        d = st[mask].groupby(["sub", "place"])["dur"].sum().reset_index()
        d = d.sort_values(["sub", "dur", "place"], ascending=[True, False, True])
        return d.drop_duplicates("sub").set_index("sub")["place"]

    # Region circles.
    home = top_place(np.ones(len(st), bool))
    home_district = pd.Series(city.places["district"].to_numpy()[home.to_numpy()], index=home.index)
    for district, subs in home_district.groupby(home_district):
        emit(f"circle.region.{district}", subs.index)
    for name, windows in (("day", [(8 * H, 20 * H)]), ("night", [(0, 7 * H), (22 * H, DAY)])):
        dwell = sum(_window_dwell(st["start"].to_numpy(), st["end"].to_numpy(), a, b) for a, b in windows)
        d = st.assign(w=dwell).groupby(["sub", "district"])["w"].sum().reset_index()
        d = d[d["w"] > 0].sort_values(["sub", "w", "district"], ascending=[True, False, True]).drop_duplicates("sub")
        for district, grp in d.groupby("district"):
            emit(f"circle.region.{name}.{district}", grp["sub"])

    for code, (_, cats, minutes, k, _) in VISIT_RULES.items():
        mask = st["cat"].isin(cats) & (st["dur"] >= minutes * 60)
        days_n = _days_with(st, mask)
        subs = days_n.index[days_n >= reg(k, n_days)]
        emit(code, subs, top_place(mask).reindex(subs).to_numpy())

    emit("circle.social.residential", _residential(st, weekday, n_wd))
    # Commuters: daily straight-line travel between consecutive stay cells.
    same = st["sub"].to_numpy()[1:] == st["sub"].to_numpy()[:-1]
    hop = np.hypot(np.diff(st["x"].to_numpy()), np.diff(st["y"].to_numpy()))
    travel = pd.DataFrame({"sub": st["sub"].to_numpy()[1:][same], "day": st["day"].to_numpy()[1:][same],
                           "km": hop[same]}).groupby(["sub", "day"])["km"].sum()
    long_days = (travel >= COMMUTE_KM).groupby(level="sub").sum()
    emit("circle.social.commuter", long_days.index[long_days >= reg(3, n_days)])
    tod = st["tod"]
    run = (st["cat"] == "school") & st["dur"].between(600, 5400) & (
        tod.between(7 * H, 9 * H - 1) | tod.between(15 * H + 1800, 18 * H - 1))
    n_runs = _days_with(st, run)
    emit("circle.social.parent_child", n_runs.index[n_runs >= reg(2, n_days)], top_place(run).reindex(
        n_runs.index[n_runs >= reg(2, n_days)]).to_numpy())

    nine = _nine_to_five(st, weekday, n_wd)
    emit("circle.behav.nine_to_five", nine.index, nine.to_numpy())
    leisure = st["l1"].isin(LEISURE_L1)
    fun_days = _days_with(st, leisure & (st["dur"] >= 45 * 60))
    wlb = nine.index.intersection(fun_days.index[fun_days >= reg(2, n_days)])
    emit("circle.behav.work_life_balance", wlb, nine.reindex(wlb).to_numpy())
    kinds = st[leisure & (st["dur"] >= 1800)].groupby("sub")["cat"].nunique()
    emit("circle.behav.colorful_life", kinds.index[kinds >= 4])
    hub = _days_with(st, (st["l1"] == "交通") & (st["dur"] >= 900))
    at_3am = _window_dwell(st["start"].to_numpy(), st["end"].to_numpy(), 3 * H, 3 * H + 1) > 0
    hotel_subs = st[(st["cat"] == "hotel") & at_3am]["sub"].unique()
    trav = hub.index[(hub >= reg(1, n_days))].intersection(hotel_subs)
    emit("circle.behav.business_traveler", trav, top_place(st["l1"] == "交通").reindex(trav).to_numpy())
    late = _window_dwell(st["start"].to_numpy(), st["end"].to_numpy(), 0, 4 * H) + \
        _window_dwell(st["start"].to_numpy(), st["end"].to_numpy(), 23 * H, DAY)
    owl_mask = (st["l1"] == "娱乐") & (late >= 1800)
    owl = _days_with(st, owl_mask)
    subs = owl.index[owl >= reg(1, n_days)]
    emit("circle.behav.night_owl", subs, top_place(owl_mask).reindex(subs).to_numpy())

    tags = pd.concat(out, ignore_index=True)
    tags["place"] = tags["place"].fillna(-1).astype(np.int64)
    tags["persona_intended"] = _intended(tags, pop)
    return tags.sort_values(["sub", "tag_code"], ignore_index=True)


def _residential(st: pd.DataFrame, weekday: np.ndarray, n_wd: int) -> np.ndarray:
    """Split stays by calendar day, then compare daytime dwell at home-type places with all daytime dwell."""
    first = st["start"].to_numpy() // DAY
    i, rank = expand((st["end"].to_numpy() - 1) // DAY - first + 1)
    day = first[i] + rank
    s = np.maximum(st["start"].to_numpy()[i], day * DAY + 8 * H)
    e = np.minimum(st["end"].to_numpy()[i], day * DAY + 20 * H)
    w = np.maximum(e - s, 0)
    keep = weekday[day] if n_wd else np.ones(len(day), bool)
    df = pd.DataFrame({"sub": st["sub"].to_numpy()[i][keep], "w": w[keep],
                       "home": (st["l1"].to_numpy()[i] == "住宅")[keep]})
    tot = df.groupby("sub")["w"].sum()
    res = df[df["home"]].groupby("sub")["w"].sum().reindex(tot.index, fill_value=0)
    return tot.index[(tot > 0) & (res >= 0.5 * tot)].to_numpy()


def _nine_to_five(st: pd.DataFrame, weekday: np.ndarray, n_wd: int) -> pd.Series:
    """Subscriber -> work place for those with regular office hours on enough weekdays."""
    if n_wd == 0:
        return pd.Series(dtype=np.int64)
    end_tod = st["start"] % DAY + st["dur"]  # seconds after the start day's midnight
    ok = ((st["l1"] == "商务") & weekday[st["day"].to_numpy()] & st["tod"].between(7 * H, 10 * H - 1)
          & end_tod.between(16 * H + 1800, 19 * H + 1799) & (st["dur"] >= 6 * H))
    days_n = _days_with(st, ok)
    subs = days_n.index[days_n >= max(1, int(np.ceil(0.6 * n_wd - 1e-9)))]
    place = st[ok].groupby(["sub", "place"])["dur"].sum().reset_index()
    place = place.sort_values(["sub", "dur", "place"], ascending=[True, False, True]).drop_duplicates("sub")
    return place.set_index("sub")["place"].reindex(subs)


def _intended(tags: pd.DataFrame, pop: pd.DataFrame) -> np.ndarray:
    out = np.ones(len(tags), bool)
    table = {code: r[4] for code, r in VISIT_RULES.items()} | INTENDED
    for code, personas in table.items():
        m = (tags["tag_code"] == code).to_numpy()
        if not m.any():
            continue
        subs = tags["sub"].to_numpy()[m]
        if personas:
            out[m] = np.any([pop[p].to_numpy()[subs] for p in personas.split("|")], axis=0)
        else:
            out[m] = True
    return out
