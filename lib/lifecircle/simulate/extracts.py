"""Parameter tables and monthly / daily CSV extracts in the exact INTERFACES.md formats.

Parameter files are clean (they are the reference every other check relies on). Monthly and
OCRM files get a few faulty rows and duplicates through faults.dirty_csv.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .city import City
from .faults import dirty_csv
from .products import STATUS_NAMES, ProductHistory
from .vocab import PACKAGES, PRODUCTS
from .writer import FileLog, amount, csv_bytes, csv_lines, write_bytes

# (column, kind, required) — the contract tests and fault injection share these.
SCHEMAS = {
    "cells": [("lac", "int", True), ("cell_id", "int", True), ("site_id", "int", True),
              ("longitude", "number", True), ("latitude", "number", True), ("azimuth", "int", False),
              ("district", "text", True)],
    "places": [("place_id", "int", True), ("name", "text", True), ("category_l1", "text", True),
               ("category_l2", "text", True), ("category_l3", "text", False), ("longitude", "number", True),
               ("latitude", "number", True), ("radius_m", "number", True), ("district", "text", True),
               ("is_landmark", "enum", True)],
    "cell_place": [("lac", "int", True), ("cell_id", "int", True), ("place_id", "int", True),
                   ("weight", "number", True)],
    "events": [("event_id", "int", True), ("name", "text", True), ("event_type", "text", True),
               ("place_id", "int", True), ("start_time", "timestamp", True), ("end_time", "timestamp", True)],
    "products": [("product_code", "code", True), ("name", "text", True), ("category", "text", True),
                 ("monthly_fee", "number", True), ("launch_date", "date", True)],
    "subscribers": [("msisdn", "msisdn", True), ("brand", "enum", True), ("tier", "enum", True),
                    ("gender", "enum", False), ("birth_year", "int", False), ("open_date", "date", True),
                    ("package_code", "code", True), ("status", "enum", True)],
    "usage": [("msisdn", "msisdn", True), ("month", "month", True)] + [
        (c, "number", True) for c in ("arpu", "voice_out_min", "voice_in_min", "sms_out", "sms_in", "data_mb",
                                      "roaming_min", "package_fee", "extra_fee", "night_data_mb",
                                      "weekend_voice_min")],
    "product_status": [("msisdn", "msisdn", True), ("product_code", "code", True), ("status", "enum", True),
                       ("status_date", "date", True)],
    "complaints": [("msisdn", "msisdn", True), ("complaint_time", "timestamp", True), ("category", "text", True)],
    "ocrm_feedback": [("campaign_id", "code", True), ("msisdn", "msisdn", True), ("product_code", "code", True),
                      ("channel", "enum", True), ("contact_time", "timestamp", True), ("response", "enum", True),
                      ("opened_within_days", "int", False)],
}


def _ts(values) -> pd.Series:
    """datetime64 → 'yyyy-MM-dd HH:mm:ss'."""
    return pd.Series(np.asarray(values, "datetime64[s]").astype(str)).str.replace("T", " ", regex=False)


def _day(values) -> pd.Series:
    return pd.Series(np.asarray(values, "datetime64[D]").astype(str))


def _write(landing: Path, rel: str, kind: str, df: pd.DataFrame, rng=None, first=False, encoding=False,
           crlf=False, bom=False) -> FileLog:
    """Write one CSV (dirty when rng is given) and describe it."""
    header = [c for c, _, _ in SCHEMAS[kind]]
    assert list(df.columns) == header, (kind, list(df.columns))
    lines = csv_lines(df)
    log = FileLog(rel, kind, crlf=crlf, bom=bom)
    if rng is None:
        body = [ln.encode() for ln in lines]
    else:
        body, log.reasons, log.duplicates, log.variants = dirty_csv(rng, lines, SCHEMAS[kind], first, encoding)
    log.records = len(body)
    log.sha256 = write_bytes(landing, rel, csv_bytes(header, body, crlf=crlf, bom=bom))
    return log


def write_params(landing: Path, city: City, events: pd.DataFrame, day0: date) -> list[FileLog]:
    c = city.cells
    cells = pd.DataFrame({
        "lac": c["lac"], "cell_id": c["cell_id"], "site_id": c["site_id"],
        "longitude": c["longitude"].map("{:.6f}".format), "latitude": c["latitude"].map("{:.6f}".format),
        "azimuth": c["azimuth"].astype(object).where(c["azimuth"].notna(), ""), "district": c["district"]})
    p = city.places
    places = p[[col for col, _, _ in SCHEMAS["places"]]].copy()
    places["longitude"] = p["longitude"].map("{:.6f}".format)
    places["latitude"] = p["latitude"].map("{:.6f}".format)
    cp = city.cell_place[["lac", "cell_id", "place_id"]].copy()
    cp["weight"] = amount(city.cell_place["weight"]).to_numpy()
    t0 = np.datetime64(day0, "s")
    ev = pd.DataFrame({
        "event_id": events["event_id"], "name": events["name"], "event_type": events["event_type"],
        "place_id": events["place_id"],
        "start_time": _ts(t0 + events["start_s"].to_numpy().astype("timedelta64[s]")).to_numpy(),
        "end_time": _ts(t0 + events["end_s"].to_numpy().astype("timedelta64[s]")).to_numpy()})
    prods = pd.DataFrame([(p[0], p[1], p[2], f"{p[3]:.2f}", p[4]) for p in PRODUCTS],
                         columns=[col for col, _, _ in SCHEMAS["products"]])
    return [_write(landing, f"params/{kind}.csv", kind, df)
            for kind, df in (("cells", cells), ("places", places), ("cell_place", cp), ("events", ev),
                             ("products", prods))]


def write_monthly(rng: np.random.Generator, landing: Path, pop: pd.DataFrame, churned: pd.DataFrame,
                  usage: pd.DataFrame, hist: ProductHistory, months: list[date]) -> list[FileLog]:
    """BOSS subscribers and usage, VGOP product status and CRM complaints for each observed month."""
    logs = []
    msisdn = pop["msisdn"].astype(str).to_numpy()
    fees = np.array([p[3] for p in PRODUCTS])
    opened = pop["open_date"].to_numpy().astype("datetime64[D]")
    for k, m in enumerate(months):
        ym = f"{m:%Y%m}"
        m_end = (np.datetime64(m, "M") + 1).astype("datetime64[D]") - 1
        here = opened <= m_end
        status = np.where(rng.random(len(pop)) < 0.01, "suspended", "active")
        subs = _subscriber_rows(pop[here], msisdn[here], status[here])
        if k <= 1:  # numbers that left: closed in the second month, gone afterwards
            subs = pd.concat([subs, _subscriber_rows(churned, churned["msisdn"].astype(str).to_numpy(),
                                                     np.full(len(churned), "active" if k == 0 else "closed"))])
        logs.append(_write(landing, f"boss/subscribers_{ym}.csv", "subscribers", subs, rng, first=k == 0))

        u = usage[usage["k"] == k].set_index("sub")
        held = np.isin(hist.status[k], [2, 3])
        arpu = u["package_fee"].to_numpy() + u["extra_fee"].to_numpy() + held @ fees
        rows = _usage_rows(u, msisdn, ym, arpu)[here]
        if k <= 1:
            cu = usage[(usage["k"] == k)].set_index("sub").loc[churned["src"]]
            rows = pd.concat([rows, _usage_rows(cu, churned["msisdn"].astype(str).to_numpy(), ym,
                                                cu["package_fee"].to_numpy() + cu["extra_fee"].to_numpy())])
        logs.append(_write(landing, f"boss/usage_{ym}.csv", "usage", rows, rng, first=k == 0, crlf=k == 1))

        s, j = np.nonzero(hist.status[k])
        ps = pd.DataFrame({"msisdn": msisdn[s], "product_code": np.array([p[0] for p in PRODUCTS])[j],
                           "status": pd.Series(hist.status[k][s, j]).map(STATUS_NAMES).to_numpy(),
                           "status_date": _day(hist.status_date[k][s, j]).to_numpy()})
        logs.append(_write(landing, f"vgop/product_status_{ym}.csv", "product_status", ps, rng, first=k == 0))

        c = hist.complaints[hist.complaints["k"] == k]
        comp = pd.DataFrame({"msisdn": msisdn[c["sub"].to_numpy()], "complaint_time": _ts(c["complaint_time"]).to_numpy(),
                             "category": c["category"].to_numpy()})
        logs.append(_write(landing, f"crm/complaints_{ym}.csv", "complaints", comp, rng, first=k == 0,
                           encoding=k == 0, bom=k == 0))
    return logs


def _subscriber_rows(pop: pd.DataFrame, msisdn: np.ndarray, status: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "msisdn": msisdn, "brand": pop["brand"].to_numpy(), "tier": pop["tier"].to_numpy(),
        "gender": pop["gender"].to_numpy(),
        "birth_year": np.where(pop["birth_year"].to_numpy() < 0, "", pop["birth_year"].astype(str).to_numpy()),
        "open_date": _day(pop["open_date"]).to_numpy(),
        "package_code": np.array([p[0] for p in PACKAGES])[pop["package"].to_numpy()],
        "status": status})


def _usage_rows(u: pd.DataFrame, msisdn: np.ndarray, ym: str, arpu: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame({"msisdn": msisdn, "month": ym, "arpu": amount(arpu).to_numpy()})
    for col in ("voice_out_min", "voice_in_min", "sms_out", "sms_in", "data_mb", "roaming_min"):
        out[col] = u[col].to_numpy().astype(np.int64).astype(str)
    out["package_fee"] = amount(u["package_fee"]).to_numpy()
    out["extra_fee"] = amount(u["extra_fee"]).to_numpy()
    for col in ("night_data_mb", "weekend_voice_min"):
        out[col] = u[col].to_numpy().astype(np.int64).astype(str)
    return out


def write_feedback(rng: np.random.Generator, landing: Path, pop: pd.DataFrame, hist: ProductHistory) -> list[FileLog]:
    logs = []
    fb = hist.feedback
    if fb.empty:
        return logs
    for n, (day, f) in enumerate(fb.groupby("day", sort=True)):
        owd = f["opened_within_days"].to_numpy()
        rows = pd.DataFrame({
            "campaign_id": f["campaign_id"].to_numpy(), "msisdn": pop["msisdn"].astype(str).to_numpy()[f["sub"]],
            "product_code": f["product_code"].to_numpy(), "channel": f["channel"].to_numpy(),
            "contact_time": _ts(f["contact_time"]).to_numpy(), "response": f["response"].to_numpy(),
            "opened_within_days": np.where(owd < 0, "", owd.astype(str))})
        logs.append(_write(landing, f"ocrm/feedback_{day:%Y%m%d}.csv", "ocrm_feedback", rows, rng,
                           first=n == 0, encoding=n == 0, crlf=n == 1))
    return logs
