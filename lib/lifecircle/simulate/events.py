"""City events (games, concerts, festivals …) on days inside the simulated range, at venues of
the right category. Festivals and football prefer weekends, like real ones."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .city import City

# event_type -> (venue category, start hhmm, end hhmm, weekend preferred, name templates)
EVENT_KINDS = {
    "basketball": ("basketball", 1935, 2145, False,
                   ["CBA常规赛 广东东莞大益vs{x}"], ["辽宁本钢", "北京首钢", "新疆广汇", "浙江稠州", "上海久事"]),
    "concert": ("concert", 2000, 2230, True, ["{x}巡回演唱会东莞站"], ["陈奕迅", "五月天", "邓紫棋", "周深", "张学友"]),
    "flower_festival": ("park", 900, 1700, True, ["{x}赏花节"], ["东莞植物园", "松山湖", "旗峰"]),
    "football": ("football", 1530, 1730, True, ["东莞市民足球联赛 第{x}轮"], ["一", "二", "三", "四", "五"]),
    "exhibition": ("stadium", 930, 1730, False, ["东莞{x}博览会"], ["国际电子", "家具", "模具", "纺织服装"]),
}
ORDER = ["basketball", "concert", "flower_festival", "football", "exhibition"]


def build_events(rng: np.random.Generator, city: City, days: list[date]) -> pd.DataFrame:
    places = city.places
    n_events = max(5, round(0.7 * len(days)))
    rows = []
    used: dict[str, int] = {}
    for i in range(n_events):
        etype = ORDER[i % len(ORDER)]
        cat, t0, t1, weekend, templates, fills = EVENT_KINDS[etype]
        d = min(int(i * len(days) / n_events), len(days) - 1)
        if weekend:
            weekend_days = [k for k, day in enumerate(days) if day.weekday() >= 5 and abs(k - d) <= 3]
            d = weekend_days[0] if weekend_days else d
        # Landmark venues first, then the other venues of the category in turn.
        venues = places[places["cat"] == cat].sort_values("is_landmark", ascending=False, kind="stable")
        k = used.get(etype, 0)
        used[etype] = k + 1
        venue = venues.index[k % len(venues)]
        name = templates[0].format(x=fills[k % len(fills)])
        # Shows rarely start on the hour sharp.
        start = d * 86400 + (t0 // 100) * 3600 + (t0 % 100) * 60 + int(rng.choice([0, 5, 10, 15])) * 60
        end = d * 86400 + (t1 // 100) * 3600 + (t1 % 100) * 60
        rows.append((i + 1, name, etype, int(venue), int(places.at[venue, "place_id"]), start, end, d))
    cols = ["event_id", "name", "event_type", "place", "place_id", "start_s", "end_s", "day_index"]
    return pd.DataFrame(rows, columns=cols)
