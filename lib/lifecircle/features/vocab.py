"""Place category vocabulary of INTERFACES.md as short ASCII keys (feature column names need them).

``CATEGORIES`` maps a key to its (l1, l2, l3) path; ``GROUPS`` are unions of categories used by
tag rules (by level-1 category, plus ``leisure`` = 体育, 娱乐, 旅游, 购物 without the errands
of ``ERRANDS``).
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, str, str | None, str]] = {
    # key: (l1, l2, l3, display name)
    "university": ("教育", "学校", "高等院校", "高等院校"),
    "school": ("教育", "学校", "中小学", "中小学"),
    "training": ("教育", "培训", "培训机构", "培训机构"),
    "office": ("商务", "办公", "写字楼", "写字楼"),
    "industrial": ("商务", "工业", "工业园区", "工业园区"),
    "residential": ("住宅", "住宅小区", None, "住宅小区"),
    "village": ("住宅", "城中村", None, "城中村"),
    "basketball": ("体育", "篮球", "篮球场馆", "篮球场馆"),
    "football": ("体育", "足球", "足球场", "足球场"),
    "golf": ("体育", "高尔夫", "高尔夫球场", "高尔夫球场"),
    "gym": ("体育", "健身", "健身房", "健身房"),
    "stadium": ("体育", "体育场馆", "综合体育馆", "综合体育馆"),
    "cinema": ("娱乐", "影院", "电影院", "电影院"),
    "ktv": ("娱乐", "KTV", None, "KTV"),
    "bar": ("娱乐", "酒吧", None, "酒吧"),
    "concert": ("娱乐", "演出", "演出场馆", "演出场馆"),
    "mall": ("购物", "商场", "购物中心", "购物中心"),
    "market": ("购物", "市场", None, "市场"),
    "railway": ("交通", "枢纽", "火车站", "火车站"),
    "coach": ("交通", "枢纽", "汽车站", "汽车站"),
    "port": ("交通", "枢纽", "港口", "港口"),
    "hotel": ("酒店", "酒店", "商务酒店", "商务酒店"),
    "hospital": ("医疗", "医院", "综合医院", "综合医院"),
    "government": ("政务", "政府", "行政中心", "行政中心"),
    "talent": ("招聘", "人才市场", None, "人才市场"),
    "park": ("旅游", "景区", "公园", "公园"),
}

L1_GROUPS: dict[str, str] = {
    "education": "教育",
    "business": "商务",
    "housing": "住宅",
    "sports": "体育",
    "entertainment": "娱乐",
    "shopping": "购物",
    "transport": "交通",
    "lodging": "酒店",
    "medical": "医疗",
    "government_l1": "政务",
    "recruitment": "招聘",
    "tourism": "旅游",
}
LEISURE_L1 = ("体育", "娱乐", "旅游", "购物")
# Categories of those level-1 classes that are errands, not free time (a wet market is groceries).
ERRANDS = ("market",)
# Unions the life-circle rules need: music venues (演出 or KTV), nightlife (KTV or 酒吧).
EXTRA_GROUPS: dict[str, tuple[str, ...]] = {"music": ("concert", "ktv"), "nightlife": ("ktv", "bar")}


def groups() -> dict[str, tuple[str, ...]]:
    """Group key → category keys (every level-1 category, plus leisure)."""
    out = {g: tuple(k for k, c in CATEGORIES.items() if c[0] == l1) for g, l1 in L1_GROUPS.items()}
    out["leisure"] = tuple(k for k, c in CATEGORIES.items() if c[0] in LEISURE_L1 and k not in ERRANDS)
    out.update(EXTRA_GROUPS)
    return out


def category_groups() -> list[tuple[str, str]]:
    """(category key, group key) for every membership of :func:`groups`."""
    return [(c, g) for g, members in groups().items() for c in members]


def category_rows() -> list[tuple[str, str, str, str | None]]:
    """(key, l1, l2, l3) for joining dim/places (l3 None where the vocabulary leaves it empty)."""
    return [(k, c[0], c[1], c[2]) for k, c in CATEGORIES.items()]
