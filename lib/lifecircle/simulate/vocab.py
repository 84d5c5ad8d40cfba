"""Fixed vocabularies of the synthetic city: districts, place categories, personas, products.

Everything here is data, not logic, so that the generators stay short and the truth README
can be produced from the same tables the generators use.
"""

from __future__ import annotations

# District: name, centre longitude, centre latitude, spread of its sites (km), share of sites,
# kind (drives which place categories are likely there). Coordinates approximate Dongguan.
DISTRICTS = [
    ("莞城", 113.751, 23.047, 1.4, 1.3, "core"),
    ("南城", 113.738, 23.006, 2.2, 1.6, "core"),
    ("东城", 113.792, 23.030, 2.6, 1.5, "core"),
    ("万江", 113.712, 23.055, 2.0, 0.9, "urban"),
    ("石龙", 113.846, 23.111, 1.5, 0.6, "town"),
    ("松山湖", 113.885, 22.925, 3.0, 0.7, "hitech"),
    ("虎门", 113.676, 22.821, 3.0, 1.0, "industrial"),
    ("长安", 113.801, 22.816, 2.6, 0.9, "industrial"),
    ("常平", 114.001, 22.986, 2.6, 0.7, "town"),
    ("樟木头", 114.076, 22.915, 2.0, 0.5, "town"),
    ("塘厦", 114.110, 22.810, 2.6, 0.7, "industrial"),
]
DISTRICT_NAMES = [d[0] for d in DISTRICTS]
DISTRICT_KINDS = ["core", "urban", "town", "hitech", "industrial"]

# Place categories exactly as INTERFACES.md's vocabulary table: key, l1, l2, l3, share of the
# places, district-kind affinity (core, urban, town, hitech, industrial).
CATEGORIES = [
    ("university", "教育", "学校", "高等院校", 0.012, (1, 1, 0.3, 3, 0.3)),
    ("school", "教育", "学校", "中小学", 0.06, (1, 1, 1, 1, 1)),
    ("training", "教育", "培训", "培训机构", 0.025, (2, 1, 0.6, 1, 0.4)),
    ("office", "商务", "办公", "写字楼", 0.10, (4, 1, 0.4, 2, 0.3)),
    ("industrial", "商务", "工业", "工业园区", 0.08, (0.1, 0.8, 1, 2, 4)),
    ("residential", "住宅", "住宅小区", "", 0.22, (1.5, 1.5, 1, 1, 0.8)),
    ("village", "住宅", "城中村", "", 0.12, (0.4, 1, 1.2, 0.5, 2.5)),
    ("basketball", "体育", "篮球", "篮球场馆", 0.03, (1.5, 1, 1, 1, 0.6)),
    ("football", "体育", "足球", "足球场", 0.02, (1, 1, 1, 1, 0.6)),
    ("golf", "体育", "高尔夫", "高尔夫球场", 0.008, (0.1, 0.3, 1, 3, 0.5)),
    ("gym", "体育", "健身", "健身房", 0.03, (3, 1, 0.6, 1, 0.4)),
    ("stadium", "体育", "体育场馆", "综合体育馆", 0.008, (2, 1, 0.5, 0.5, 0.5)),
    ("cinema", "娱乐", "影院", "电影院", 0.025, (3, 1, 0.7, 0.7, 0.5)),
    ("ktv", "娱乐", "KTV", "", 0.025, (2, 1, 1, 0.5, 1)),
    ("bar", "娱乐", "酒吧", "", 0.02, (4, 0.8, 0.5, 0.3, 0.6)),
    ("concert", "娱乐", "演出", "演出场馆", 0.008, (4, 0.6, 0.3, 0.3, 0.1)),
    ("mall", "购物", "商场", "购物中心", 0.035, (3, 1.5, 0.8, 0.7, 0.6)),
    ("market", "购物", "市场", "", 0.035, (0.8, 1, 1.5, 0.5, 1.5)),
    ("railway", "交通", "枢纽", "火车站", 0.006, (0.5, 0.5, 2, 0.5, 1)),
    ("coach", "交通", "枢纽", "汽车站", 0.008, (2, 1, 1, 0.3, 1)),
    ("port", "交通", "枢纽", "港口", 0.004, (0.1, 0.5, 0.5, 0.1, 3)),
    ("hotel", "酒店", "酒店", "商务酒店", 0.03, (3, 1, 0.8, 1, 1)),
    ("hospital", "医疗", "医院", "综合医院", 0.012, (2, 1, 1, 0.5, 0.8)),
    ("government", "政务", "政府", "行政中心", 0.004, (4, 0.5, 0.5, 0.2, 0.2)),
    ("talent", "招聘", "人才市场", "", 0.006, (2, 1, 0.5, 0.5, 1.5)),
    ("park", "旅游", "景区", "公园", 0.03, (1.5, 1, 1, 2, 0.8)),
]
CATEGORY_KEYS = [c[0] for c in CATEGORIES]
CAT_INDEX = {k: i for i, k in enumerate(CATEGORY_KEYS)}

# Named landmarks (is_landmark=1): one or two per category so every life circle has a key building.
LANDMARKS = [
    ("东莞理工学院", "university", "松山湖"),
    ("东莞城市学院", "university", "南城"),
    ("东莞中学", "school", "莞城"),
    ("新东方培训中心", "training", "南城"),
    ("东莞国贸中心", "office", "南城"),
    ("松山湖科技产业园", "industrial", "松山湖"),
    ("长安五金工业园", "industrial", "长安"),
    ("星河城花园", "residential", "东城"),
    ("石排城中村", "village", "万江"),
    ("东莞篮球中心", "basketball", "东城"),
    ("东莞市民足球公园", "football", "南城"),
    ("松山湖高尔夫球会", "golf", "松山湖"),
    ("威尔士健身南城店", "gym", "南城"),
    ("东莞体育中心", "stadium", "东城"),
    ("万达影城东城店", "cinema", "东城"),
    ("钱柜KTV南城店", "ktv", "南城"),
    ("东城酒吧街", "bar", "东城"),
    ("东莞玉兰大剧院", "concert", "南城"),
    ("华南MALL", "mall", "万江"),
    ("虎门富民商业街", "market", "虎门"),
    ("东莞火车站", "railway", "石龙"),
    ("虎门高铁站", "railway", "虎门"),
    ("东莞汽车总站", "coach", "南城"),
    ("虎门港", "port", "虎门"),
    ("东莞国际酒店", "hotel", "南城"),
    ("东莞康华医院", "hospital", "东城"),
    ("东莞市行政中心", "government", "南城"),
    ("东莞人才市场", "talent", "南城"),
    ("东莞植物园", "park", "东城"),
    ("旗峰公园", "park", "东城"),
]

# Generic place names: category -> (stems, suffix). A name is district + stem + suffix.
NAME_PARTS = {
    "university": ("职业技术,科技,财经,工商,外语,理工", "学院"),
    "school": ("第一,第二,第三,第四,第五,第六,第七,第八,实验,育才,阳光,启智", "中学,小学"),
    "training": ("博学,启航,智慧,精英,卓越,明德", "培训中心"),
    "office": ("汇金,环球,财富,鸿福,华凯,金融,信息,中天,世纪,民盈,嘉宏,宏远", "大厦"),
    "industrial": ("电子,五金,模具,家具,纺织,塑胶,光电,精密,新材料,智能", "工业园"),
    "residential": ("翠园,金域,御景,华庭,雅苑,锦绣,东湖,万科,君豪,海逸,碧水,天悦,名都,丽景", "花园,小区,名苑"),
    "village": ("下坝,上围,塘贝,石鼓,新基,黄屋,周屋,白石,罗沙,温塘,鳌峙,竹园", "村"),
    "basketball": ("市民,体育,青年,阳光,社区", "篮球场"),
    "football": ("青少年,市民,文体,社区", "足球场"),
    "golf": ("观澜,峰景,海湾,银利", "高尔夫球场"),
    "gym": ("力美,乐刻,金吉鸟,青鸟,动感", "健身房"),
    "stadium": ("文体,全民健身", "体育馆"),
    "cinema": ("横店,金逸,星美,大地,CGV", "影城"),
    "ktv": ("好乐迪,麦乐迪,星聚会,唱吧", "KTV"),
    "bar": ("蓝调,夜色,时光,码头", "酒吧"),
    "concert": ("文化,艺术", "中心剧院"),
    "mall": ("万达,天虹,海雅,汇一城,民盈", "广场"),
    "market": ("农贸,综合,服装,批发", "市场"),
    "railway": ("城际,高铁", "站"),
    "coach": ("客运", "汽车站"),
    "port": ("货运", "码头"),
    "hotel": ("维也纳,锦江,皇冠,喜来登,洲际", "酒店"),
    "hospital": ("人民,中医,妇幼,第三人民", "医院"),
    "government": ("政务服务", "中心"),
    "talent": ("人才", "市场"),
    "park": ("湿地,森林,滨江,人民,文化", "公园"),
}

# Personas. The first six are roles (exactly one each); the rest are traits (zero to two).
ROLES = ["office", "factory", "student_uni", "student_school", "homebody", "job_seeker"]
ROLE_SHARE = [0.34, 0.27, 0.07, 0.06, 0.20, 0.06]
TRAITS = [
    "business_traveler", "parent", "basketball", "football", "golf", "movie", "music",
    "shopper", "night_owl", "fitness", "long_commuter",
]
# Probability of each trait by role (rows follow ROLES, columns TRAITS).
TRAIT_PROB = [
    # biz   parent bask  foot  golf  movie music shop  owl   fit   long
    [0.22, 0.30, 0.12, 0.07, 0.06, 0.14, 0.10, 0.14, 0.06, 0.16, 0.14],  # office
    [0.00, 0.25, 0.08, 0.10, 0.00, 0.08, 0.10, 0.08, 0.05, 0.05, 0.14],  # factory
    [0.00, 0.00, 0.30, 0.15, 0.00, 0.20, 0.20, 0.10, 0.10, 0.12, 0.00],  # student_uni
    [0.00, 0.00, 0.18, 0.12, 0.00, 0.10, 0.15, 0.05, 0.00, 0.05, 0.00],  # student_school
    [0.00, 0.40, 0.03, 0.02, 0.02, 0.08, 0.08, 0.30, 0.04, 0.10, 0.00],  # homebody
    [0.00, 0.05, 0.10, 0.06, 0.00, 0.10, 0.10, 0.10, 0.08, 0.06, 0.00],  # job_seeker
]
PERSONAS = ROLES + TRAITS

# China Mobile number prefixes (all start 13, 15, 18 or 19 as the truth contract asks).
MSISDN_PREFIXES = [134, 135, 136, 137, 138, 139, 150, 151, 152, 157, 158, 159, 182, 183, 187, 188, 198]

BRANDS = ["gotone", "mzone", "easyown"]
TIERS = ["diamond", "platinum", "gold", "silver", "normal"]

# Packages: code (string, leading zeros kept), monthly fee, voice minutes, data MB, SMS.
PACKAGES = [
    ("018", 18.0, 50, 300, 50),
    ("038", 38.0, 150, 1024, 100),
    ("058", 58.0, 300, 3072, 200),
    ("088", 88.0, 500, 6144, 300),
    ("128", 128.0, 800, 10240, 500),
    ("188", 188.0, 1200, 20480, 800),
    ("288", 288.0, 2000, 40960, 1000),
]

# Data products: code, name, category, monthly fee, launch date, intercept, weights.
# Weights are logit increments for personas and standardised usage of the previous month
# (z_data, z_sms, z_voice); "marketed" is being offered in the previous month.
PRODUCTS = [
    ("1001", "手机邮箱", "communication", 5.0, "2019-03-01", -4.3,
     {"office": 1.6, "business_traveler": 1.0, "student_uni": 0.5}),
    ("1002", "飞信", "communication", 0.0, "2018-06-01", -4.2,
     {"office": 1.2, "basketball": 1.4, "student_uni": 1.0, "z_sms": 0.5}),
    ("1003", "手机支付", "payment", 0.0, "2020-01-15", -4.4,
     {"basketball": 1.2, "shopper": 1.3, "business_traveler": 0.6, "z_data": 0.3}),
    ("1004", "手机电影票", "lifestyle", 0.0, "2021-05-01", -4.7,
     {"movie": 2.2, "student_uni": 0.4, "music": 0.3}),
    ("12580", "12580生活播报", "information", 3.0, "2017-09-01", -4.3,
     {"business_traveler": 1.2, "homebody": 0.5, "parent": 0.5, "job_seeker": 0.6}),
    ("1006", "天气预报", "information", 2.0, "2017-01-01", -4.1,
     {"golf": 1.0, "parent": 0.7, "homebody": 0.5, "football": 0.4}),
    ("1007", "无线音乐", "entertainment", 6.0, "2018-02-01", -4.4,
     {"music": 2.0, "night_owl": 0.6, "student_school": 0.8}),
    ("1008", "手机视频", "entertainment", 10.0, "2019-09-01", -4.4,
     {"z_data": 0.9, "night_owl": 0.9, "football": 0.7, "basketball": 0.5}),
    ("1009", "手机阅读", "entertainment", 5.0, "2019-04-01", -4.5,
     {"student_uni": 0.9, "long_commuter": 1.1, "homebody": 0.3}),
    ("1010", "手机游戏", "entertainment", 8.0, "2020-07-01", -4.5,
     {"student_school": 1.3, "student_uni": 0.8, "night_owl": 0.5, "z_data": 0.4}),
    ("1011", "手机导航", "lifestyle", 4.0, "2022-03-01", -4.6,
     {"long_commuter": 1.0, "business_traveler": 1.0, "golf": 0.6}),
    ("0591", "手机报", "information", 3.0, "2016-05-01", -4.3,
     {"homebody": 0.5, "factory": 0.4, "parent": 0.5}),
]
MARKETED_WEIGHT = 0.5

COMPLAINT_CATEGORIES = ["billing", "network", "service", "harassment", "other"]
CHANNELS = ["sms", "outbound_call", "app_push", "hall"]
RESPONSES = ["accepted", "declined", "no_response", "complained"]
