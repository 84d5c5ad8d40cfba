"""Accuracy of the tag engine on a simulated city, as a markdown section.

    python scripts/eval_tags.py --workdir /tmp/evaltags [--subscribers 1000] [--days 14]
        [--start 2026-11-02] [--seed 7] [--reuse] [--conf FILE] [--out report.md]

Simulates a city (landing + truth), ingests it, runs trajectories, dwell and tags for the month of
the last day, then compares with the truth (raw msisdn there; subscriber_id maps back through
vault/identity):

- per life-circle tag (``circle.*``): precision and recall of the subscribers holding it against
  the truth's ``expected_tags`` (macro average target >= 0.85), and how often the landmark is the
  truth's supporting place;
- event attendance: precision and recall of ``tags/event_participants`` (subscriber × event)
  against the truth's ``event_attendance`` (target >= 0.9).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from simcity import City, build_city, lake_table

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.spark import get_spark


def build(args: argparse.Namespace) -> City:
    """Simulate, ingest, trajectories and dwell (or reuse them), then always the tags job."""
    conf = load_config(args.conf)
    spark = get_spark("lifecircle-eval-tags", conf)
    return build_city(
        spark, conf, args.workdir, args.subscribers, args.days, args.start, args.seed,
        steps=("ingest", "trajectories", "dwell", "tags"), reuse=args.reuse, always=("tags",),
    )


def tag_metrics(truth: Path, lake: Path, identity: pd.DataFrame, period: str) -> pd.DataFrame:
    expected = pd.read_parquet(truth / "expected_tags.parquet")
    expected["msisdn"] = expected["msisdn"].astype(str)
    expected = expected[expected["tag_code"].str.startswith("circle.")]
    found = lake_table(lake, tables.CUSTOMER_TAGS)
    found = found[(found["period"] == period) & found["tag_code"].str.startswith("circle.")]
    found = found.merge(identity, on="subscriber_id", how="inner")
    subs = pd.read_parquet(truth / "subscribers.parquet")
    living = set(subs.loc[~subs["churned"].astype(bool), "msisdn"].astype(str))
    found = found[found["msisdn"].isin(living)]
    rows = []
    for code in sorted(set(expected["tag_code"]) | set(found["tag_code"])):
        e = expected[expected["tag_code"] == code]
        f = found[found["tag_code"] == code]
        es, fs = set(e["msisdn"]), set(f["msisdn"])
        tp = len(es & fs)
        both = e.merge(f, on="msisdn")
        with_place = both[both["place_id"].notna()]
        same = (with_place["place_id"].astype(str) == with_place["landmark_place_id"].astype(str)).sum()
        rows.append(
            {
                "tag": code,
                "expected": len(es),
                "found": len(fs),
                "tp": tp,
                "precision": tp / len(fs) if fs else (1.0 if not es else 0.0),
                "recall": tp / len(es) if es else (1.0 if not fs else 0.0),
                "landmark_match": same / len(with_place) if len(with_place) else None,
            }
        )
    return pd.DataFrame(rows)


CONSUMPTION = {  # tag -> (truth column of subscribers.parquet, value meaning "holds the tag")
    "trend.growing": ("trend", "growing"),
    "trend.stable": ("trend", "stable"),
    "trend.declining": ("trend", "declining"),
    "package.over_use": ("package_use", "over"),
    "package.under_use": ("package_use", "under"),
    "usage.sms_heavy": ("sms_heavy", True),
    "usage.data_heavy": ("data_heavy", True),
    "usage.night_data": ("night_data", True),
    "usage.roaming": ("roaming", True),
    "bg.brand.gotone": ("brand", "gotone"),
    "bg.tier.diamond": ("tier", "diamond"),
}


def consumption_metrics(truth: Path, lake: Path, identity: pd.DataFrame, period: str) -> pd.DataFrame:
    """Static consumption tags against the patterns the simulator planted (informative)."""
    subs = pd.read_parquet(truth / "subscribers.parquet")
    subs = subs[~subs["churned"].astype(bool)].assign(msisdn=lambda d: d["msisdn"].astype(str))
    found = lake_table(lake, tables.CUSTOMER_TAGS)
    found = found[found["period"] == period].merge(identity, on="subscriber_id")
    rows = []
    for code, (column, value) in CONSUMPTION.items():
        es = set(subs.loc[subs[column] == value, "msisdn"])
        fs = set(found.loc[found["tag_code"] == code, "msisdn"]) & set(subs["msisdn"])
        tp = len(es & fs)
        rows.append(
            {
                "tag": code,
                "expected": len(es),
                "found": len(fs),
                "tp": tp,
                "precision": tp / len(fs) if fs else 0.0,
                "recall": tp / len(es) if es else 0.0,
            }
        )
    return pd.DataFrame(rows)


def event_metrics(truth: Path, lake: Path, identity: pd.DataFrame) -> dict:
    expected = pd.read_parquet(truth / "event_attendance.parquet")
    es = set(zip(expected["msisdn"].astype(str), expected["event_id"].astype(str), strict=True))
    path = lake / "tags" / "event_participants"
    found = (
        lake_table(lake, tables.EVENT_PARTICIPANTS).merge(identity, on="subscriber_id")
        if path.exists()
        else None
    )
    fs = set() if found is None else set(zip(found["msisdn"], found["event_id"].astype(str), strict=True))
    tp = len(es & fs)
    return {
        "expected": len(es),
        "found": len(fs),
        "tp": tp,
        "precision": tp / len(fs) if fs else 0.0,
        "recall": tp / len(es) if es else 0.0,
    }


def report(
    args,
    period: str,
    timings: dict,
    tags: pd.DataFrame,
    events: dict,
    catalog: pd.DataFrame,
    usage: pd.DataFrame,
) -> str:
    region = tags["tag"].str.startswith("circle.region.")
    lines = [
        f"## Tag accuracy on a simulated city ({args.subscribers} subscribers × {args.days} days, seed {args.seed})",
        "",
        f"Period {period}; catalogue {len(catalog)} tags, {int((catalog['coverage'] > 0).sum())} held by someone.",
        "Timings: " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()),
        "",
        f"- life circles: macro precision **{tags['precision'].mean():.3f}**, macro recall "
        f"**{tags['recall'].mean():.3f}** over {len(tags)} tags (target ≥ 0.85)",
        f"- without region circles: precision {tags.loc[~region, 'precision'].mean():.3f}, "
        f"recall {tags.loc[~region, 'recall'].mean():.3f}",
        f"- landmark = truth's supporting place: {tags['landmark_match'].dropna().mean():.3f} (mean over tags)",
        f"- events: precision **{events['precision']:.3f}**, recall **{events['recall']:.3f}** "
        f"({events['tp']} of {events['expected']} expected, {events['found']} found; target ≥ 0.9)",
        "",
        "| tag | expected | found | precision | recall | landmark |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in tags.itertuples():
        lm = "" if r.landmark_match is None or pd.isna(r.landmark_match) else f"{r.landmark_match:.2f}"
        lines.append(f"| `{r.tag}` | {r.expected} | {r.found} | {r.precision:.3f} | {r.recall:.3f} | {lm} |")
    lines += [
        "",
        "Static consumption tags against the planted patterns (informative, no target):",
        "",
        "| tag | planted | found | precision | recall |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in usage.itertuples():
        lines.append(f"| `{r.tag}` | {r.expected} | {r.found} | {r.precision:.3f} | {r.recall:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--start", default="2026-11-02")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep an existing simulation and mobility lake")
    parser.add_argument("--conf", action="append", default=[], help="YAML overlay (repeatable)")
    parser.add_argument("--out", help="also write the markdown here")
    args = parser.parse_args(argv)
    city = build(args)
    truth, lake, period, timings = city.truth, city.lake, city.period, city.timings
    identity = lake_table(lake, tables.IDENTITY)[["subscriber_id", "msisdn"]].astype(str)
    tags = tag_metrics(truth, lake, identity, period)
    events = event_metrics(truth, lake, identity)
    usage = consumption_metrics(truth, lake, identity, period)
    text = report(args, period, timings, tags, events, lake_table(lake, tables.CATALOG), usage)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    city.spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
