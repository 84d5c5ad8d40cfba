"""Monthly BOSS/VGOP/CRM extracts (partitioned by ``month``) and daily OCRM feedback (by ``day``)."""

from __future__ import annotations

from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.ingest.csvkinds import CsvSpec, Field


def _non_negative(v):
    return v >= 0


def _count(name: str) -> Field:
    return Field(name, "long", check=_non_negative)


def _minutes(name: str) -> Field:
    return Field(name, "double", check=_non_negative)


SUBSCRIBERS = CsvSpec(
    "subscribers",
    tables.SUBSCRIBERS,
    (
        Field("msisdn", "msisdn"),
        Field("brand", "enum", values=("gotone", "mzone", "easyown")),
        Field("tier", "enum", values=("diamond", "platinum", "gold", "silver", "normal")),
        Field("gender", "enum", required=False, values=("M", "F")),
        Field("birth_year", "int", required=False, check=lambda v: v.between(1900, 2100)),
        Field("open_date", "date"),
        Field("package_code"),
        Field("status", "enum", values=("active", "suspended", "closed")),
    ),
    partition="month",
)
USAGE = CsvSpec(
    "usage",
    tables.USAGE,
    (
        Field("msisdn", "msisdn"),
        # The row's month must be the file's month; it is stored as the partition column.
        Field("month", "month", keep=False),
        Field("arpu", "decimal"),
        _minutes("voice_out_min"),
        _minutes("voice_in_min"),
        _count("sms_out"),
        _count("sms_in"),
        _minutes("data_mb"),
        _minutes("roaming_min"),
        Field("package_fee", "decimal", check=_non_negative),
        Field("extra_fee", "decimal", check=_non_negative),
        _minutes("night_data_mb"),
        _minutes("weekend_voice_min"),
    ),
    partition="month",
    date_check=lambda p: p["month"] == F.col("file_month"),
)
PRODUCT_STATUS = CsvSpec(
    "product_status",
    tables.PRODUCT_STATUS,
    (
        Field("msisdn", "msisdn"),
        Field("product_code"),
        Field("status", "enum", values=("marketed", "opened", "active", "cancelled")),
        Field("status_date", "date"),
    ),
    partition="month",
)
COMPLAINTS = CsvSpec(
    "complaints",
    tables.COMPLAINTS,
    (
        Field("msisdn", "msisdn"),
        Field("complaint_time", "timestamp", out="complaint_ts"),
        Field("category"),
    ),
    partition="month",
)
OCRM_FEEDBACK = CsvSpec(
    "ocrm_feedback",
    tables.OCRM_FEEDBACK,
    (
        Field("campaign_id"),
        Field("msisdn", "msisdn"),
        Field("product_code"),
        Field("channel", "enum", values=("sms", "outbound_call", "app_push", "hall")),
        Field("contact_time", "timestamp", out="contact_ts"),
        Field("response", "enum", values=("accepted", "declined", "no_response", "complained")),
        Field("opened_within_days", "int", required=False, check=_non_negative),
    ),
    partition="day",
)
SPECS = {s.kind: s for s in (SUBSCRIBERS, USAGE, PRODUCT_STATUS, COMPLAINTS, OCRM_FEEDBACK)}
