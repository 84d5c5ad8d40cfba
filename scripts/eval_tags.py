"""Accuracy of the tag engine on a simulated city, as a markdown section.

    python scripts/eval_tags.py --workdir /tmp/evaltags [--subscribers 1000] [--days 30]
        [--start 2026-11-02] [--seed 11] [--profile realistic|clean] [--trait KEY=VALUE]...
        [--reuse] [--conf FILE] [--out report.md]

Simulates a city (default the realistic profile, report seed 11; tuning seeds are 1-3), ingests
it, runs trajectories, dwell and tags for the month of the last day, then compares with the truth
(raw msisdn there; subscriber_id maps back through vault/identity):

- the 21 contract life-circle codes (REQUIREMENTS.md module C): precision and recall of the
  subscribers holding each against the truth's ``expected_tags`` (in the realistic profile the
  persona intent), macro averages (target >= 0.90), the weakest codes (target: none below 0.75),
  and how often the landmark is the truth's supporting place; region circles separately;
- event attendance: precision and recall of ``tags/event_participants`` (subscriber × event)
  against the truth's ``event_attendance`` (target >= 0.95).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd
from simcity import City, add_city_arguments, build_city, city_traits, describe, identity_table, lake_table

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.spark import get_spark
from lifecircle.tags.contract import CIRCLE_CODES

CONTRACT_CODES = list(CIRCLE_CODES)
TARGETS = {"macro": 0.90, "code_min": 0.75, "events": 0.95}


def build(args: argparse.Namespace, spark=None, conf=None) -> City:
    """Simulate, ingest, trajectories and dwell (or reuse them), then always the tags job."""
    conf = conf or load_config(args.conf)
    spark = spark or get_spark("lifecircle-eval-tags", conf)
    return build_city(
        spark, conf, args.workdir, args.subscribers, args.days, args.start, args.seed,
        steps=("ingest", "trajectories", "dwell", "tags"), reuse=args.reuse, always=("tags",),
        profile=args.profile, traits=city_traits(args),
    )


def tag_metrics(truth: Path, lake: Path, identity: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per circle.* code (the 21 contract codes always, region codes where expected or found)."""
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
    for code in sorted(set(expected["tag_code"]) | set(found["tag_code"]) | set(CONTRACT_CODES)):
        e = expected[expected["tag_code"] == code]
        f = found[found["tag_code"] == code]
        es, fs = set(e["msisdn"]), set(f["msisdn"])
        tp = len(es & fs)
        both = e.merge(f, on="msisdn")
        with_place = both[both["place_id"].notna()]
        same = (with_place["place_id"].astype(str) == with_place["landmark_place_id"].astype(str)).sum()
        precision = tp / len(fs) if fs else (1.0 if not es else 0.0)
        recall = tp / len(es) if es else (1.0 if not fs else 0.0)
        rows.append(
            {
                "tag": code,
                "contract": code in CONTRACT_CODES,
                "expected": len(es),
                "found": len(fs),
                "tp": tp,
                "precision": precision,
                "recall": recall,
                "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
                "landmark_match": same / len(with_place) if len(with_place) else None,
            }
        )
    return pd.DataFrame(rows)


def contract_summary(tags: pd.DataFrame, weakest: int = 3) -> dict:
    """Macro precision / recall over the 21 contract codes and the weakest codes (by min(P, R))."""
    c = tags[tags["contract"]].assign(worst=lambda d: d[["precision", "recall"]].min(axis=1))
    weak = c.sort_values(["worst", "tag"]).head(weakest)
    return {
        "macro_precision": c["precision"].mean(),
        "macro_recall": c["recall"].mean(),
        "codes": len(c),
        "below_target": int((c["worst"] < TARGETS["code_min"]).sum()),
        "weakest": [(r.tag, r.precision, r.recall) for r in weak.itertuples()],
    }


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
    found = (
        lake_table(lake, tables.EVENT_PARTICIPANTS).merge(identity, on="subscriber_id")
        if (lake / tables.EVENT_PARTICIPANTS).exists()
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


def summary(city: City) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """(per-code tag metrics, event metrics, consumption metrics) of a built city."""
    identity = identity_table(city)
    tags = tag_metrics(city.truth, city.lake, identity, city.period)
    events = event_metrics(city.truth, city.lake, identity)
    usage = consumption_metrics(city.truth, city.lake, identity, city.period)
    return tags, events, usage


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
    s = contract_summary(tags)
    weakest = ", ".join(f"`{t}` (P {p:.2f}, R {r:.2f})" for t, p, r in s["weakest"])
    lines = [
        f"## Tag accuracy on a simulated city ({args.subscribers} subscribers × {args.days} days, seed {args.seed})",
        "",
        f"`python scripts/eval_tags.py {describe(args)}`",
        "",
        f"Period {period}; catalogue {len(catalog)} tags, {int((catalog['coverage'] > 0).sum())} held by someone.",
        "Timings: " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()),
        "",
        f"- the {s['codes']} contract life circles: macro precision **{s['macro_precision']:.3f}**, macro recall "
        f"**{s['macro_recall']:.3f}** (target ≥ {TARGETS['macro']:.2f}); {s['below_target']} codes with precision or "
        f"recall below {TARGETS['code_min']:.2f} (target: none)",
        f"- weakest codes: {weakest}",
        f"- region circles ({int(region.sum())} codes): precision {tags.loc[region, 'precision'].mean():.3f}, "
        f"recall {tags.loc[region, 'recall'].mean():.3f}",
        f"- landmark = truth's supporting place: {tags['landmark_match'].dropna().mean():.3f} (mean over tags)",
        f"- events: precision **{events['precision']:.3f}**, recall **{events['recall']:.3f}** "
        f"({events['tp']} of {events['expected']} expected, {events['found']} found; target ≥ {TARGETS['events']:.2f})",
        "",
        "| tag | expected | found | precision | recall | landmark |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in tags[~region].itertuples():
        lm = "" if r.landmark_match is None or pd.isna(r.landmark_match) else f"{r.landmark_match:.2f}"
        flag = " ⚠" if min(r.precision, r.recall) < TARGETS["code_min"] and r.contract else ""
        lines.append(f"| `{r.tag}`{flag} | {r.expected} | {r.found} | {r.precision:.3f} | {r.recall:.3f} | {lm} |")
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
    add_city_arguments(parser, subscribers=1000, days=30)
    args = parser.parse_args(argv)
    os.environ.setdefault("LIFECIRCLE_PSEUDONYM_KEY", "eval-tags-simulated-city")
    city = build(args)
    tags, events, usage = summary(city)
    text = report(args, city.period, city.timings, tags, events, lake_table(city.lake, tables.CATALOG), usage)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    city.spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
