"""CSV interface files: dimension tables, monthly extracts, OCRM feedback, every CSV reason code,
and a scan of the whole lake for raw numbers (they are only in the vault, beside the lake)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ingest_helpers import pseudonym, utc, write
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.testing import assertDataFrameEqual

from lifecircle import tables
from lifecircle.ingest.job import run
from lifecircle.lake import Lake
from lifecircle.progress import quiet
from lifecircle.vault import read_identity

CELLS = [
    "lac,cell_id,site_id,longitude,latitude,azimuth,district",
    "9527,31021,S1,113.751,23.047,120,莞城",
    "9527,31022,S1,113.751,23.047,,莞城",
    "9528,x,S3,113.7,23.0,0,南城",  # 4 bad_number
    "9528,41002,S3,200.5,23.0,0,南城",  # 5 bad_number (longitude)
    "9528,41003,,113.7,23.0,0,南城",  # 6 missing_required
]
PLACES = [
    "place_id,name,category_l1,category_l2,category_l3,longitude,latitude,radius_m,district,is_landmark",
    "P1,东莞理工学院,教育,学校,高等院校,113.88,22.92,600,松山湖,1",
    'P2,"星河城花园, 一期",住宅,住宅小区,,113.79,23.03,250,东城,0',
    "P3,某宠物乐园,休闲,宠物,宠物乐园,113.75,23.04,100,莞城,0",
    "P4,X,教育,学校,中小学,113.75,23.04,100,莞城,2",  # 5 bad_enum
]
CELL_PLACE = ["lac,cell_id,place_id,weight", "9527,31021,P1,0.6", "9527,31021,P2,0.4", "9527,31022,P2,1.5"]
EVENTS = [
    "event_id,name,event_type,place_id,start_time,end_time",
    "E1,CBA 东莞 vs 广东,basketball,P1,2026-11-01 19:30:00,2026-11-01 21:30:00",
    "E2,Bad,concert,P1,2026-11-01 22:00:00,2026-11-01 20:00:00",  # 3 bad_date: ends before it starts
    "E3,Bad2,concert,P1,2026/11/01 19:00,2026-11-01 20:00:00",  # 4 bad_date
]
PRODUCTS = [
    "product_code,name,category,monthly_fee,launch_date",
    "12580,12580 综合信息,info,5.00,2010-01-01",
    "00123,手机邮箱,mail,0,",
    "P9,x,y,abc,2020-01-01",  # 4 bad_number
]
SUBSCRIBERS = [
    "msisdn,brand,tier,gender,birth_year,open_date,package_code,status",
    "13800138000,gotone,gold,M,1980,2020-01-01,00588,active",
    "+8613800138000,gotone,gold,M,1980,2020-01-01,00588,active",  # 3 duplicate
    "13800138001,mzone,silver,,,2021-02-28,12580,suspended",
    "13800138002,mzone,silver,X,,2021-02-28,12580,active",  # 5 bad_enum
    "13800138003,mzone,silver,F,19x0,2021-02-28,12580,active",  # 6 bad_number
    "13800138004,mzone,silver,F,1990,2021-02-30,12580,active",  # 7 bad_date
    "23800138005,mzone,silver,F,1990,2021-02-01,12580,active",  # 8 bad_msisdn
    ",mzone,silver,F,1990,2021-02-01,12580,active",  # 9 missing_required
    "13800138006,mzone,silver,F,1990,2021-02-01,12580",  # 10 field_count
    "13800138007,mzone,silver,F,1990,2021-02-01,,active",  # 11 missing_required
]
USAGE = [
    "msisdn,month,arpu,voice_out_min,voice_in_min,sms_out,sms_in,data_mb,roaming_min,package_fee,extra_fee,"
    "night_data_mb,weekend_voice_min",
    "13800138000,202611,88.50,120.5,80,10,12,2048.5,0,58.00,30.50,512,40",
    "13800138001,202610,10.00,1,1,1,1,1,0,5.00,5.00,1,1",  # 3 bad_date: not the file's month
    "13800138001,202611,10.001,1,1,1,1,1,0,5.00,5.00,1,1",  # 4 bad_number: 3 decimals
    "13800138001,202611,10.00,1,1,-1,1,1,0,5.00,5.00,1,1",  # 5 bad_number: negative count
]
STATUS = [
    "msisdn,product_code,status,status_date",
    "13800138000,12580,opened,2026-11-03",
    "13800138000,00123,marketed,2026-11-04",
    "13800138001,12580,unknown,2026-11-04",  # 4 bad_enum
]
COMPLAINTS = (
    b"msisdn,complaint_time,category\n13800138000,2026-11-05 10:00:00,harassment\n"
    b"13800138001,2026-11-05 25:00:00,billing\n"  # 3 bad_date
    b"13800138001,2026-11-05 11:00:00,\xe6\x8a\x95\xff\n"  # 4 encoding
)
FEEDBACK = [
    "campaign_id,msisdn,product_code,channel,contact_time,response,opened_within_days",
    "C1,13800138000,12580,sms,2026-11-05 10:00:00,accepted,3",
    "C1,13800138001,12580,fax,2026-11-05 10:00:00,declined,",  # 3 bad_enum
    "C1,13800138001,12580,sms,2026-11-05 10:00:00,declined,",
]
BAD_HEADER = ["msisdn;product_code;status;status_date", "13800138000,12580,opened,2026-12-03"]
EXPECTED = {
    ("cells", 4, "bad_number"), ("cells", 5, "bad_number"), ("cells", 6, "missing_required"),
    ("places", 5, "bad_enum"), ("cell_place", 4, "bad_number"),
    ("events", 3, "bad_date"), ("events", 4, "bad_date"), ("products", 4, "bad_number"),
    ("subscribers", 5, "bad_enum"), ("subscribers", 6, "bad_number"), ("subscribers", 7, "bad_date"),
    ("subscribers", 8, "bad_msisdn"), ("subscribers", 9, "missing_required"), ("subscribers", 10, "field_count"),
    ("subscribers", 11, "missing_required"),
    ("usage", 3, "bad_date"), ("usage", 4, "bad_number"), ("usage", 5, "bad_number"),
    ("product_status", 4, "bad_enum"), ("product_status", 2, "bad_header"),
    ("complaints", 3, "bad_date"), ("complaints", 4, "encoding"), ("ocrm_feedback", 3, "bad_enum"),
}
NUMBERS = ["13800138000", "13800138001", "13800138002", "13800138003", "13800138004", "13800138006",
           "13800138007", "13900139000"]


@pytest.fixture(scope="module")
def ingested(spark, conf, tmp_path_factory):
    root = tmp_path_factory.mktemp("extracts")
    landing = root / "landing"
    for name, lines in [("cells", CELLS), ("places", PLACES), ("cell_place", CELL_PLACE), ("events", EVENTS),
                        ("products", PRODUCTS)]:
        write(landing, f"params/{name}.csv", lines)
    write(landing, "boss/subscribers_202611.csv.gz", SUBSCRIBERS, gz=True, crlf=True, bom=True)
    write(landing, "boss/usage_202611.csv", USAGE)
    write(landing, "vgop/product_status_202611.csv", STATUS)
    write(landing, "vgop/product_status_202612.csv", BAD_HEADER)
    write(landing, "crm/complaints_202611.csv", COMPLAINTS)
    write(landing, "ocrm/feedback_20261105.csv", FEEDBACK)
    write(landing, "signaling/20261101/p.txt", ["13900139000|20261101080000|5|9527|31021", "13800138002|x"])
    lake = Lake(spark, str(root / "lake"))
    return lake, run(spark, conf, str(landing), lake.root, progress=quiet())


def test_every_csv_reason_code_with_its_line(ingested):
    lake, _ = ingested
    rows = lake.read(tables.QUARANTINE).where(F.col("source") != "signaling").collect()
    assert {(r.source, r.line_no, r.reason) for r in rows} == EXPECTED
    months = {(r.source, r.month, r.day) for r in rows if r.source == "usage"}
    assert months == {("usage", "2026-11", dt.date(2026, 11, 1))}


def test_dimension_tables_have_the_contract_types(spark, ingested):
    lake, result = ingested
    schemas = {t: lake.schema(t).simpleString() for t in (tables.CELLS, tables.PLACES, tables.CELL_PLACE, tables.EVENTS)}
    assert schemas == {
        tables.CELLS: "struct<lac:int,cell_id:int,site_id:string,longitude:double,latitude:double,azimuth:int,district:string>",
        tables.PLACES: "struct<place_id:string,name:string,category_l1:string,category_l2:string,category_l3:string,"
        "longitude:double,latitude:double,radius_m:double,district:string,is_landmark:boolean>",
        tables.CELL_PLACE: "struct<lac:int,cell_id:int,place_id:string,weight:double>",
        tables.EVENTS: "struct<event_id:string,name:string,event_type:string,place_id:string,start_ts:timestamp,end_ts:timestamp>",
    }
    places = {r.place_id: r for r in lake.read(tables.PLACES).collect()}
    assert places["P2"].name == "星河城花园, 一期" and places["P2"].category_l3 is None
    assert places["P1"].is_landmark is True and places["P2"].is_landmark is False
    assert result.summary["unknown_place_categories"] == [
        {"category_l1": "休闲", "category_l2": "宠物", "category_l3": "宠物乐园", "places": 1}
    ]
    events = lake.read(tables.EVENTS).select("event_id", "start_ts", "end_ts")
    expected = spark.createDataFrame([("E1", utc(2026, 11, 1, 11, 30), utc(2026, 11, 1, 13, 30))], events.schema)
    assertDataFrameEqual(events, expected)
    products = {r.product_code: r for r in lake.read(tables.PRODUCTS).collect()}
    assert set(products) == {"12580", "00123"}
    assert products["00123"].monthly_fee == Decimal("0.00") and products["00123"].launch_date is None


def test_monthly_extracts_are_typed_pseudonymized_and_deduplicated(spark, ingested):
    lake, _ = ingested
    subscribers = lake.read(tables.SUBSCRIBERS).drop("source_file")
    schema = T.StructType([T.StructField(f.name, f.dataType) for f in subscribers.schema.fields])
    a, b = pseudonym("13800138000"), pseudonym("13800138001")
    expected = spark.createDataFrame(
        [
            (a, "gotone", "gold", "M", 1980, dt.date(2020, 1, 1), "00588", "active", "2026-11", 2),
            (b, "mzone", "silver", None, None, dt.date(2021, 2, 28), "12580", "suspended", "2026-11", 4),
        ],
        schema,
    )
    assertDataFrameEqual(subscribers, expected)
    usage = lake.read(tables.USAGE).collect()
    assert [(r.subscriber_id, r.arpu, r.sms_out, r.voice_out_min, r.month) for r in usage] == [
        (a, Decimal("88.50"), 10, 120.5, "2026-11")
    ]
    assert lake.schema(tables.USAGE)["arpu"].dataType == T.DecimalType(12, 2)
    status = sorted((r.product_code, r.status, r.status_date) for r in lake.read(tables.PRODUCT_STATUS).collect())
    assert status == [("00123", "marketed", dt.date(2026, 11, 4)), ("12580", "opened", dt.date(2026, 11, 3))]
    complaints = lake.read(tables.COMPLAINTS).select(F.date_format("complaint_ts", "yyyy-MM-dd HH:mm:ss"), "category")
    assert [tuple(r) for r in complaints.collect()] == [("2026-11-05 02:00:00", "harassment")]  # UTC
    feedback = lake.read(tables.OCRM_FEEDBACK).orderBy("opened_within_days").collect()
    assert [(r.channel, r.response, r.opened_within_days, r.day) for r in feedback] == [
        ("sms", "declined", None, dt.date(2026, 11, 5)),
        ("sms", "accepted", 3, dt.date(2026, 11, 5)),
    ]
    ledger = {r.file: r for r in lake.read(tables.INGEST_FILES).collect()}
    sub = ledger["boss/subscribers_202611.csv.gz"]
    assert (sub.rows_read, sub.rows_accepted, sub.rows_quarantined, sub.rows_duplicate) == (10, 2, 7, 1)
    assert ledger["vgop/product_status_202612.csv"].rows_quarantined == 1


def test_no_raw_number_outside_the_identity_vault(spark, conf, ingested):
    lake, _ = ingested
    names = lake.tables()
    assert tables.IDENTITY not in names and tables.QUARANTINE in names
    found = []
    for table in names:
        for row in lake.read(table).collect():
            text = " ".join(str(v) for v in row)
            found += [(table, n) for n in NUMBERS if n in text or n[2:] in text.replace("-", "")]
    assert found == []
    vault = {r.msisdn for r in read_identity(spark, conf, lake.root).collect()}
    assert vault == {"13800138000", "13800138001", "13900139000"}
