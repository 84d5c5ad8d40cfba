"""An independent reading of INTERFACES.md (no simulator code): line splitting, msisdn
normalisation and the quarantine checks in their order, used to recount what the simulator says
it planted."""

from __future__ import annotations

import csv
import gzip
import re
from datetime import datetime
from pathlib import Path

BOM = b"\xef\xbb\xbf"
SIG_REASONS = ["encoding", "field_count", "bad_msisdn", "bad_timestamp", "ts_outside_day",
               "bad_event_type", "bad_cell_key", "unknown_cell"]
CSV_REASONS = ["encoding", "field_count", "missing_required", "bad_msisdn", "bad_number", "bad_date", "bad_enum"]

BRANDS, TIERS = {"gotone", "mzone", "easyown"}, {"diamond", "platinum", "gold", "silver", "normal"}
# kind -> (header, {column: (type, required, allowed values)}) straight from INTERFACES.md.
NUM = ("number", True, None)
CSV_SPECS = {
    "subscribers": ("msisdn,brand,tier,gender,birth_year,open_date,package_code,status", {
        "msisdn": ("msisdn", True, None), "brand": ("enum", True, BRANDS), "tier": ("enum", True, TIERS),
        "gender": ("enum", False, {"M", "F"}), "birth_year": ("int", False, None), "open_date": ("date", True, None),
        "package_code": ("text", True, None), "status": ("enum", True, {"active", "suspended", "closed"})}),
    "usage": ("msisdn,month,arpu,voice_out_min,voice_in_min,sms_out,sms_in,data_mb,roaming_min,package_fee,"
              "extra_fee,night_data_mb,weekend_voice_min", {
                  "msisdn": ("msisdn", True, None), "month": ("month", True, None), "arpu": NUM,
                  "voice_out_min": NUM, "voice_in_min": NUM, "sms_out": NUM, "sms_in": NUM, "data_mb": NUM,
                  "roaming_min": NUM, "package_fee": NUM, "extra_fee": NUM, "night_data_mb": NUM,
                  "weekend_voice_min": NUM}),
    "product_status": ("msisdn,product_code,status,status_date", {
        "msisdn": ("msisdn", True, None), "product_code": ("text", True, None),
        "status": ("enum", True, {"marketed", "opened", "active", "cancelled"}), "status_date": ("date", True, None)}),
    "complaints": ("msisdn,complaint_time,category", {
        "msisdn": ("msisdn", True, None), "complaint_time": ("timestamp", True, None), "category": ("text", True, None)}),
    "ocrm_feedback": ("campaign_id,msisdn,product_code,channel,contact_time,response,opened_within_days", {
        "campaign_id": ("text", True, None), "msisdn": ("msisdn", True, None), "product_code": ("text", True, None),
        "channel": ("enum", True, {"sms", "outbound_call", "app_push", "hall"}),
        "contact_time": ("timestamp", True, None),
        "response": ("enum", True, {"accepted", "declined", "no_response", "complained"}),
        "opened_within_days": ("int", False, None)}),
}


def read_records(path: Path) -> list[bytes]:
    """Non-blank lines of a file as delivered: gunzip, drop a BOM, split on LF, drop a trailing CR."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    if data.startswith(BOM):
        data = data[len(BOM):]
    lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in data.split(b"\n")]
    return [ln for ln in lines if ln.strip()]


def normalize_msisdn(text: str) -> str | None:
    s = text.strip()
    for prefix in ("+86", "86"):
        if s.startswith(prefix) and len(s) - len(prefix) == 11 and s[len(prefix):].isdigit():
            s = s[len(prefix):]
            break
    return s if re.fullmatch(r"1[0-9]{10}", s) else None


def _datetime(text: str, pattern: str, fmt_slices) -> datetime | None:
    if not re.fullmatch(pattern, text):
        return None
    try:
        return datetime(*(int(text[a:b]) for a, b in fmt_slices))
    except ValueError:
        return None


def parse_ts14(text: str) -> datetime | None:
    return _datetime(text, r"[0-9]{14}", [(0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14)])


def parse_date(text: str) -> datetime | None:
    return _datetime(text, r"[0-9]{4}-[0-9]{2}-[0-9]{2}", [(0, 4), (5, 7), (8, 10)])


def parse_timestamp(text: str) -> datetime | None:
    return _datetime(text, r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
                     [(0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19)])


def signaling_check(raw: bytes, day: str, cells: set[tuple[int, int]]):
    """(reason or None, key or None) for one signalling record of folder `day` (yyyyMMdd)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "encoding", None
    f = text.split("|")
    if len(f) != 5:
        return "field_count", None
    msisdn = normalize_msisdn(f[0])
    if msisdn is None:
        return "bad_msisdn", None
    if parse_ts14(f[1]) is None:
        return "bad_timestamp", None
    if f[1][:8] != day:
        return "ts_outside_day", None
    if not re.fullmatch(r"[0-9]+", f[2]) or not 1 <= int(f[2]) <= 10:
        return "bad_event_type", None
    if not (re.fullmatch(r"[0-9]+", f[3]) and re.fullmatch(r"[0-9]+", f[4])):
        return "bad_cell_key", None
    if (int(f[3]), int(f[4])) not in cells:
        return "unknown_cell", None
    return None, (msisdn, f[1], int(f[2]), int(f[3]), int(f[4]))


def csv_check(raw: bytes, kind: str):
    """(reason or None, normalised row or None) for one data line of a monthly / OCRM CSV."""
    header, spec = CSV_SPECS[kind]
    cols = header.split(",")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "encoding", None
    row = next(csv.reader([text]))
    if len(row) != len(cols):
        return "field_count", None
    values = dict(zip(cols, (v.strip() for v in row), strict=True))
    if any(spec[c][1] and values[c] == "" for c in cols):
        return "missing_required", None
    msisdn = normalize_msisdn(values["msisdn"])
    if msisdn is None:
        return "bad_msisdn", None
    for c in cols:
        kind_c, _, allowed = spec[c]
        v = values[c]
        if v and kind_c == "number" and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", v):
            return "bad_number", None
        if v and kind_c == "int" and not re.fullmatch(r"-?[0-9]+", v):
            return "bad_number", None
    for c in cols:
        kind_c, v = spec[c][0], values[c]
        if v and kind_c == "date" and parse_date(v) is None:
            return "bad_date", None
        if v and kind_c == "timestamp" and parse_timestamp(v) is None:
            return "bad_date", None
        if v and kind_c == "month" and not (re.fullmatch(r"[0-9]{6}", v) and 1 <= int(v[4:]) <= 12):
            return "bad_date", None
    for c in cols:
        kind_c, _, allowed = spec[c]
        if values[c] and kind_c == "enum" and values[c] not in allowed:
            return "bad_enum", None
    values["msisdn"] = msisdn
    return None, tuple(values[c] for c in cols)
