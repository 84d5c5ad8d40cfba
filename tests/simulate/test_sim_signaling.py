"""Signalling files: names, encodings, line endings, and an independent recount of every planted
fault and duplicate against the truth tables."""

from __future__ import annotations

import gzip
import re
from collections import Counter

import pandas as pd
import pytest

from .interfaces import SIG_REASONS, read_records, signaling_check


@pytest.fixture(scope="module")
def recount(city):
    """Per file: Counter of reasons, valid keys, raw valid msisdn spellings."""
    cells = pd.read_csv(city.landing / "params" / "cells.csv")
    cellset = set(zip(cells["lac"], cells["cell_id"], strict=True))
    out = {}
    for path in sorted((city.landing / "signaling").rglob("*")):
        if path.is_file():
            reasons, keys, spelled = Counter(), [], 0
            for raw in read_records(path):
                reason, key = signaling_check(raw, path.parent.name, cellset)
                if reason:
                    reasons[reason] += 1
                else:
                    keys.append(key)
                    spelled += raw.split(b"|")[0] != key[0].encode()
            out[path.relative_to(city.landing).as_posix()] = (reasons, keys, spelled)
    return out


def test_file_layout(city):
    days = sorted(p.name for p in (city.landing / "signaling").iterdir())
    assert days == [(pd.Timestamp(city.start) + pd.Timedelta(days=d)).strftime("%Y%m%d") for d in range(city.days)]
    for day in days:
        files = sorted((city.landing / "signaling" / day).iterdir())
        assert 2 <= len(files) <= 24
        for f in files:
            assert re.fullmatch(rf"probe[0-9]{{2}}_{day}[0-9]{{2}}\.txt\.gz", f.name)
            assert f.read_bytes()[:2] == b"\x1f\x8b"


def test_every_fault_reason_is_present_and_recounted(city, recount):
    truth = pd.read_parquet(city.truth / "faults.parquet")
    sig = truth[(truth["source"] == "signaling") & (truth["reason"] != "duplicate")]
    expected = {(r.file, r.reason): r.count for r in sig.itertuples()}
    found = {(f, reason): n for f, (reasons, _, _) in recount.items() for reason, n in reasons.items()}
    assert found == expected
    assert set(sig["reason"]) == set(SIG_REASONS)


def test_duplicates_per_day_match_truth(city, recount):
    truth = pd.read_parquet(city.truth / "files.parquet")
    truth = truth[truth["source"] == "signaling"].assign(day=lambda t: t["file"].str.split("/").str[1])
    for _, files in truth.groupby("day"):
        keys = [k for f in files["file"] for k in recount[f][1]]
        assert len(keys) - len(set(keys)) == files["duplicates"].sum() > 0
        assert len(set(keys)) == files["distinct_valid"].sum()
        # First occurrence in (path, line) order is the record; later ones are that file's duplicates.
        seen, per_file = set(), {}
        for f in sorted(files["file"]):
            per_file[f] = 0
            for k in recount[f][1]:
                per_file[f] += k in seen
                seen.add(k)
        assert per_file == dict(zip(files["file"], files["duplicates"], strict=True))
    totals = pd.read_parquet(city.truth / "fault_totals.parquet").set_index(["source", "reason"])["count"]
    assert totals["signaling", "duplicate"] == truth["duplicates"].sum()


def test_prefixed_numbers_valid_and_not_all_duplicates(recount):
    spelled = sum(s for _, _, s in recount.values())
    assert spelled >= 2, "valid records spelled with 86 / +86 / spaces exist"


def test_line_endings_bom_truncation(city):
    manifest = pd.read_parquet(city.truth / "files.parquet").set_index("file")
    seen = Counter()
    for path in (city.landing / "signaling").rglob("*.gz"):
        data = gzip.decompress(path.read_bytes())
        row = manifest.loc[path.relative_to(city.landing).as_posix()]
        assert data.startswith(b"\xef\xbb\xbf") == row["bom"]
        assert (b"\r\n" in data) == row["crlf"]
        assert (not data.endswith(b"\n")) == row["truncated_last_line"]
        if row["truncated_last_line"]:
            assert data.rsplit(b"\n", 1)[-1].count(b"|") <= 2
        seen.update(k for k in ("bom", "crlf", "truncated_last_line") if row[k])
    assert set(seen) == {"bom", "crlf", "truncated_last_line"}


def test_volume_and_vocabulary(city, recount):
    keys = [k for _, ks, _ in recount.values() for k in set(ks)]
    df = pd.DataFrame(keys, columns=["msisdn", "ts", "etype", "lac", "cell"]).drop_duplicates()
    subs = pd.read_parquet(city.truth / "subscribers.parquet")
    assert set(df["msisdn"]) <= set(subs["msisdn"])
    assert set(df["etype"]) == set(range(1, 11)), "every event type occurs"
    per_day = df.groupby(["msisdn", df["ts"].str[:8]]).size()
    assert 60 <= per_day.mean() <= 250
    # Ping-pong: somebody flips to another cell and back within two minutes without moving.
    df = df.sort_values(["msisdn", "ts"]).reset_index(drop=True)
    t = pd.to_datetime(df["ts"], format="%Y%m%d%H%M%S")
    same = df["msisdn"].eq(df["msisdn"].shift(-1)) & df["msisdn"].eq(df["msisdn"].shift(1))
    flip = (same & (df["etype"] == 9) & (df["cell"] != df["cell"].shift(1)) & (df["cell"].shift(1) == df["cell"].shift(-1))
            & ((t.shift(-1) - t.shift(1)).dt.total_seconds() <= 120))
    assert flip.sum() > 10
