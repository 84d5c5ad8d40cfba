"""Monthly BOSS / VGOP / CRM extracts and OCRM feedback: names, headers, recounted faults and
duplicates, month coverage and cross-file consistency."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest

from .interfaces import BOM, CSV_SPECS, csv_check

FOLDERS = {"subscribers": "boss/subscribers_", "usage": "boss/usage_", "product_status": "vgop/product_status_",
           "complaints": "crm/complaints_", "ocrm_feedback": "ocrm/feedback_"}
# Each kind shows every reason its columns allow (usage has no enum; complaints no number, no enum).
REASONS = {
    "subscribers": {"field_count", "missing_required", "bad_msisdn", "bad_number", "bad_date", "bad_enum"},
    "usage": {"field_count", "missing_required", "bad_msisdn", "bad_number", "bad_date"},
    "product_status": {"field_count", "missing_required", "bad_msisdn", "bad_date", "bad_enum"},
    "complaints": {"encoding", "field_count", "missing_required", "bad_msisdn", "bad_date"},
    "ocrm_feedback": {"encoding", "field_count", "missing_required", "bad_msisdn", "bad_number", "bad_date", "bad_enum"},
}


def kind_of(rel: str) -> str:
    return next(k for k, prefix in FOLDERS.items() if rel.startswith(prefix))


@pytest.fixture(scope="module")
def parsed(city):
    """rel path -> (Counter of reasons, list of valid normalised rows, header ok)."""
    out = {}
    for folder in ("boss", "vgop", "crm", "ocrm"):
        for path in sorted((city.landing / folder).glob("*.csv")):
            rel = path.relative_to(city.landing).as_posix()
            kind = kind_of(rel)
            data = path.read_bytes()
            data = data[len(BOM):] if data.startswith(BOM) else data
            lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in data.split(b"\n")]
            assert lines[-1] == b"", "every line ends with a newline"
            reasons, rows = Counter(), []
            for raw in lines[1:-1]:
                if raw.strip():
                    reason, row = csv_check(raw, kind)
                    reasons[reason or "valid"] += 1
                    if row:
                        rows.append(row)
            out[rel] = (reasons, rows, lines[0].decode() == CSV_SPECS[kind][0])
    return out


def test_observed_months(city):
    months = pd.period_range(pd.Period(city.start, "M") - 2, pd.Period(city.start + pd.Timedelta(days=city.days - 1), "M"))
    expected = [m.strftime("%Y%m") for m in months]
    for prefix in ("boss/subscribers_", "boss/usage_", "vgop/product_status_", "crm/complaints_"):
        folder, stem = prefix.split("/")
        found = sorted(p.name[len(stem):-4] for p in (city.landing / folder).glob(stem + "*.csv"))
        assert found == expected


def test_headers_and_faults_match_truth(city, parsed):
    truth = pd.read_parquet(city.truth / "faults.parquet")
    csv_truth = truth[truth["file"].str.endswith(".csv") & (truth["reason"] != "duplicate")]
    expected = {(r.file, r.reason): r.count for r in csv_truth.itertuples()}
    found = {(rel, reason): n for rel, (reasons, _, _) in parsed.items() for reason, n in reasons.items()
             if reason != "valid"}
    assert found == expected
    assert all(ok for _, _, ok in parsed.values())
    by_kind = {}
    for rel, (reasons, _, _) in parsed.items():
        by_kind.setdefault(kind_of(rel), set()).update(r for r in reasons if r != "valid")
    assert by_kind == REASONS


def test_duplicates_match_truth(city, parsed):
    manifest = pd.read_parquet(city.truth / "files.parquet").set_index("file")
    for rel, (_, rows, _) in parsed.items():
        assert len(rows) - len(set(rows)) == manifest.at[rel, "duplicates"] >= 1, rel
        assert len(set(rows)) == manifest.at[rel, "distinct_valid"], rel


def test_value_formats(parsed):
    for rel, (_, rows, _) in parsed.items():
        kind = kind_of(rel)
        df = pd.DataFrame(sorted(set(rows)), columns=CSV_SPECS[kind][0].split(","))
        if kind == "usage":
            assert (df["month"] == rel[-10:-4]).all()
            for col in ("arpu", "package_fee", "extra_fee"):
                assert df[col].str.fullmatch(r"[0-9]+\.[0-9]{2}").all()
            assert (df["night_data_mb"].astype(float) <= df["data_mb"].astype(float)).all()
        if kind == "product_status":
            month_end = (pd.Period(rel[-10:-4], "M").end_time).normalize()
            assert (pd.to_datetime(df["status_date"]) <= month_end).all()
            assert not df.duplicated(["msisdn", "product_code"]).any()
        if kind == "subscribers":
            month_end = (pd.Period(rel[-10:-4], "M").end_time).normalize()
            assert (pd.to_datetime(df["open_date"]) <= month_end).all() and df["msisdn"].is_unique
        if kind == "complaints":
            assert "harassment" in set(df["category"]) or len(df) < 5


def test_snapshots_are_complete_and_churn(city, parsed):
    truth = pd.read_parquet(city.truth / "subscribers.parquet")
    stayed, left = set(truth.loc[~truth["churned"], "msisdn"]), set(truth.loc[truth["churned"], "msisdn"])
    snaps = sorted((rel, {r[0]: r[-1] for r in rows}) for rel, (_, rows, _) in parsed.items()
                   if rel.startswith("boss/subscribers_"))
    assert left and all(snaps[0][1][m] == "active" for m in left)
    assert all(snaps[1][1][m] == "closed" for m in left)
    assert all(not (left & set(s)) for _, s in snaps[2:])
    assert set(snaps[-1][1]) == stayed, "the last snapshot holds everyone in the city"


def test_feedback(city, parsed):
    files = sorted(rel for rel in parsed if rel.startswith("ocrm/"))
    days = {(pd.Timestamp(city.start) + pd.Timedelta(days=d)).strftime("%Y%m%d") for d in range(city.days)}
    last_month = max(d[:6] for d in days)
    assert files and all(re.fullmatch(r"ocrm/feedback_[0-9]{8}\.csv", f) and f[-12:-4] in days
                         and f[-12:-6] == last_month for f in files)
    products = set(pd.read_csv(city.landing / "params" / "products.csv", dtype=str)["product_code"])
    rows = [r for f in files for r in parsed[f][1]]
    assert {r[2] for r in rows} <= products
    assert all(r[4][:10].replace("-", "") == f[-12:-4] for f in files for r in parsed[f][1])


def test_nothing_happens_before_a_line_is_opened(parsed):
    months = sorted(rel[-10:-4] for rel in parsed if rel.startswith("boss/subscribers_"))
    for ym in months:
        opened = {r[0]: r[5] for r in parsed[f"boss/subscribers_{ym}.csv"][1]}
        for r in parsed[f"vgop/product_status_{ym}.csv"][1]:
            assert r[3] >= opened[r[0]]
        for r in parsed[f"crm/complaints_{ym}.csv"][1]:
            assert r[1][:10] >= opened[r[0]]
        usage = {r[0] for r in parsed[f"boss/usage_{ym}.csv"][1]}
        assert usage == set(opened), "one usage row per subscriber of the snapshot"
