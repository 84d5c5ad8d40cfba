"""Accuracy of stays and anchors on a simulated city, as a markdown section.

    python scripts/eval_mobility.py --workdir /tmp/evalcity [--subscribers 2000] [--days 14]
        [--start 2026-11-02] [--seed 7] [--reuse] [--conf FILE] [--out report.md]

Simulates a city (landing + truth), ingests it, runs the trajectories and dwell jobs, then compares
with the truth (raw msisdn there; the lake's subscriber_id maps back through vault/identity):

- stay recall: a true stay of at least 30 minutes is found when detected stays of the same
  subscriber at the same place cover at least half of it; fragmentation is the number of detected
  stays at that place overlapping a found true stay (target: ≥ 90 % recall, ≤ 1.3 per stay);
- home / work accuracy of the chosen anchor method and of every candidate method, night-shift
  workers separately (targets: home ≥ 95 %, work ≥ 90 %).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb
import pandas as pd
from simcity import City, build_city, lake_table

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.spark import get_spark

MIN_TRUE_STAY_S = 1800


def build(args: argparse.Namespace) -> City:
    """Simulate, ingest and run the mobility jobs (or reuse a previous build)."""
    conf = load_config(args.conf)
    spark = get_spark("lifecircle-eval-mobility", conf)
    return build_city(
        spark, conf, args.workdir, args.subscribers, args.days, args.start, args.seed,
        steps=("ingest", "trajectories", "dwell"), reuse=args.reuse,
    )


def stay_metrics(truth: Path, lake: Path, identity: pd.DataFrame) -> dict:
    true = pd.read_parquet(truth / "stays.parquet")
    true = true.assign(place_id=true["place_id"].astype(str), msisdn=true["msisdn"].astype(str))
    found = lake_table(lake, tables.STAYS).merge(identity, on="subscriber_id", how="inner")
    con = duckdb.connect()
    con.register("t", true[["msisdn", "place_id", "start_ts", "end_ts"]])
    con.register("d", found[["msisdn", "place_id", "start_ts", "end_ts", "duration_s"]])
    row = con.execute(
        f"""
        WITH tt AS (
            SELECT row_number() OVER () AS id, msisdn, place_id, start_ts, end_ts,
                   epoch(end_ts) - epoch(start_ts) AS dur
            FROM t WHERE epoch(end_ts) - epoch(start_ts) >= {MIN_TRUE_STAY_S}
        ), m AS (
            SELECT tt.id, any_value(tt.dur) AS dur, count(d.start_ts) AS n_found,
                   coalesce(sum(epoch(least(d.end_ts, tt.end_ts)) - epoch(greatest(d.start_ts, tt.start_ts))), 0)
                       AS covered
            FROM tt LEFT JOIN d ON d.msisdn = tt.msisdn AND d.place_id = tt.place_id
                AND d.start_ts < tt.end_ts AND d.end_ts > tt.start_ts
            GROUP BY tt.id
        )
        SELECT count(*) AS true_stays,
               avg(CASE WHEN covered >= 0.5 * dur THEN 1.0 ELSE 0.0 END) AS recall,
               avg(CASE WHEN covered >= 0.5 * dur THEN n_found END) AS per_found,
               avg(covered / dur) AS time_covered
        FROM m
        """
    ).fetchone()
    n_true_all = len(true)
    n_found_all = len(found)
    n_found_long = int((found["duration_s"] >= MIN_TRUE_STAY_S).sum())
    return {
        "true_stays_30min": int(row[0]),
        "recall": float(row[1]),
        "detected_per_found_true_stay": float(row[2]),
        "time_covered": float(row[3]),
        "true_stays_all": n_true_all,
        "detected_stays_all": n_found_all,
        "detected_stays_30min": n_found_long,
    }


def anchor_metrics(truth: Path, lake: Path, identity: pd.DataFrame) -> pd.DataFrame:
    subs = pd.read_parquet(truth / "subscribers.parquet")
    subs = subs[~subs["churned"].astype(bool)].assign(msisdn=lambda s: s["msisdn"].astype(str))
    subs = subs.merge(identity, on="msisdn", how="inner")
    cand = lake_table(lake, tables.ANCHOR_CANDIDATES)
    chosen = lake_table(lake, tables.ANCHORS).assign(method="chosen")
    rows = []
    for method, frame in pd.concat([chosen, cand]).groupby("method"):
        last = frame[frame["period"] == frame["period"].max()]
        got = last.pivot_table(
            index="subscriber_id", columns="anchor_type", values="place_id", aggfunc="first"
        )
        got = got.reindex(columns=["home", "work"])
        m = subs.merge(got, left_on="subscriber_id", right_index=True, how="left")
        home_ok = m["home"].astype("string") == m["home_place_id"].astype("string")
        has_work = m["work_place_id"].notna()
        work_ok = m["work"].astype("string") == m["work_place_id"].astype("string")
        night = m["night_shift"].astype(bool)
        rows.append(
            {
                "method": method,
                "subscribers": len(m),
                "home": home_ok.fillna(False).mean(),
                "home_night_shift": home_ok[night].fillna(False).mean() if night.any() else float("nan"),
                "work": work_ok[has_work].fillna(False).mean(),
                "work_night_shift": work_ok[has_work & night].fillna(False).mean()
                if night.any()
                else float("nan"),
                "work_found_without_true_work": m.loc[~has_work, "work"].notna().mean(),
                "night_shift_workers": int(night.sum()),
            }
        )
    return pd.DataFrame(rows).set_index("method")


def report(args, timings: dict, stays: dict, anchors: pd.DataFrame, agreement: pd.DataFrame) -> str:
    pct = lambda x: f"{100 * x:.1f} %"  # noqa: E731
    lines = [
        "## Mobility accuracy on a simulated city",
        "",
        f"`python scripts/eval_mobility.py --subscribers {args.subscribers} --days {args.days} "
        f"--start {args.start} --seed {args.seed}` (default conf; anchors: the configured method).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| recall of true stays ≥ 30 min ({stays['true_stays_30min']:,}) | {pct(stays['recall'])} | ≥ 90 % |",
        f"| detected stays per found true stay | {stays['detected_per_found_true_stay']:.2f} | ≤ 1.3 |",
        f"| share of true-stay time covered at the right place | {pct(stays['time_covered'])} | |",
        f"| stays detected / true (all; ≥ 30 min) | {stays['detected_stays_all']:,} / {stays['true_stays_all']:,}; "
        f"{stays['detected_stays_30min']:,} / {stays['true_stays_30min']:,} | |",
        f"| home accuracy (chosen method) | {pct(anchors.loc['chosen', 'home'])} | ≥ 95 % |",
        f"| home accuracy, night-shift workers ({anchors.loc['chosen', 'night_shift_workers']}) "
        f"| {pct(anchors.loc['chosen', 'home_night_shift'])} | ≥ 95 % |",
        f"| work accuracy (subscribers with a true work place) | {pct(anchors.loc['chosen', 'work'])} | ≥ 90 % |",
        f"| work accuracy, night-shift workers | {pct(anchors.loc['chosen', 'work_night_shift'])} | |",
        f"| work found for subscribers without one | {pct(anchors.loc['chosen', 'work_found_without_true_work'])} | |",
        "",
        "Per method:",
        "",
        "| method | home | home (night shift) | work | work (night shift) | work without true work |",
        "|---|---|---|---|---|---|",
    ]
    for method, r in anchors.drop(index="chosen").iterrows():
        lines.append(
            f"| {method} | {pct(r['home'])} | {pct(r['home_night_shift'])} | {pct(r['work'])} | "
            f"{pct(r['work_night_shift'])} | {pct(r['work_found_without_true_work'])} |"
        )
    lines += [
        "",
        "Agreement between methods (`mobility/anchor_agreement`):",
        "",
        "| anchor | methods | both found | agree |",
        "|---|---|---|---|",
    ]
    for _, r in agreement.sort_values(["anchor_type", "method_a", "method_b"]).iterrows():
        share = r["agreeing"] / r["subscribers_both"] if r["subscribers_both"] else float("nan")
        lines.append(
            f"| {r['anchor_type']} | {r['method_a']} vs {r['method_b']} | {r['subscribers_both']:,} | {pct(share)} |"
        )
    if timings:
        lines += ["", "Timings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--start", default="2026-11-02")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep an existing simulation and lake")
    parser.add_argument("--conf", action="append", default=[], help="YAML overlay (repeatable)")
    parser.add_argument("--out", help="also write the markdown here")
    args = parser.parse_args(argv)
    # Simulated data only: any key will do when none is set.
    os.environ.setdefault("LIFECIRCLE_PSEUDONYM_KEY", "eval-mobility-simulated-city")
    city = build(args)
    truth, lake, timings = city.truth, city.lake, city.timings
    identity = lake_table(lake, tables.IDENTITY)[["subscriber_id", "msisdn"]].astype(str)
    stays = stay_metrics(truth, lake, identity)
    anchors = anchor_metrics(truth, lake, identity)
    agreement = lake_table(lake, tables.ANCHOR_AGREEMENT)
    agreement = agreement[agreement["period"] == agreement["period"].max()]
    text = report(args, timings, stays, anchors, agreement)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    city.spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
