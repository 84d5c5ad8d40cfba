"""Signaling ingest throughput: the Spark ingest job against a DuckDB single-machine reference.

    python scripts/bench_ingest.py [--records 10000000] [--days 2] [--files-per-day 24] [--workdir /tmp/lc-bench]

Generates gzip signaling files with numpy/pyarrow (valid records plus ~2 % faults of every kind and
~1.5 % duplicates within and across files), then times in one run
1. ``lifecircle.ingest.job.run`` on ``local[2]`` (the whole job: listing, hashing, validation,
   pseudonyms, dedup, Delta commits of raw/signaling, raw/quarantine, vault/identity, the ledger);
2. DuckDB (2 threads) doing the same validation, HMAC pseudonyms and dedup with ``read_csv`` and
   SQL, writing the accepted rows and the quarantine as partitioned Parquet.
Prints a markdown section for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import platform
import shutil
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KEY = "bench-only-pseudonym-key"
N_CELLS = 3000
N_SUBSCRIBERS = 200_000


# ---------------------------------------------------------------- data
def _cells(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    lac = rng.integers(9500, 9540, N_CELLS)
    cell = rng.choice(np.arange(10_000, 60_000), N_CELLS, replace=False)
    return lac, cell


def _write_cells(landing: Path, lac: np.ndarray, cell: np.ndarray) -> None:
    rows = [f"{a},{b},S{b // 3},113.{b % 997:03d},23.{b % 991:03d},{(b % 3) * 120},莞城" for a, b in zip(lac, cell, strict=True)]
    (landing / "params").mkdir(parents=True, exist_ok=True)
    text = "lac,cell_id,site_id,longitude,latitude,azimuth,district\n" + "\n".join(rows) + "\n"
    (landing / "params" / "cells.csv").write_text(text, encoding="utf-8")


def _text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _file_bytes(args: tuple) -> tuple[str, int]:
    """One hourly file: records of that hour, faults, duplicates; written gzip level 1."""
    path, day, hour, n, seed, lac, cell = args
    rng = np.random.default_rng(seed)
    who = rng.integers(0, N_SUBSCRIBERS, n)
    msisdn = _text(13_000_000_000 + who * 37 + 11)
    prefix = rng.random(n)
    msisdn = pc.if_else(pa.array(prefix < 0.05), pc.binary_join_element_wise("+86", msisdn, ""), msisdn)
    msisdn = pc.if_else(pa.array((prefix >= 0.05) & (prefix < 0.08)), pc.binary_join_element_wise("86", msisdn, ""), msisdn)
    base = dt.datetime(day.year, day.month, day.day, hour)
    seconds = rng.integers(0, 3600, n)
    stamp = np.datetime64(base, "s") + seconds.astype("timedelta64[s]")
    when = pc.strftime(pa.array(stamp), format="%Y%m%d%H%M%S")
    etype = _text(rng.integers(1, 11, n))
    k = rng.integers(0, len(lac), n)
    lac_s, cell_s = _text(lac[k]), _text(cell[k])
    fault = rng.random(n)

    def inject(col: pa.Array, lo: float, hi: float, bad: str) -> pa.Array:
        return pc.if_else(pa.array((fault >= lo) & (fault < hi)), pa.scalar(bad), col)

    msisdn = inject(msisdn, 0.000, 0.003, "1380013800")  # bad_msisdn
    when = inject(when, 0.003, 0.005, "2026131")  # bad_timestamp
    when = inject(when, 0.005, 0.008, "20200101120000")  # ts_outside_day
    etype = inject(etype, 0.008, 0.011, "11")  # bad_event_type
    cell_s = inject(cell_s, 0.011, 0.013, "x")  # bad_cell_key
    cell_s = inject(cell_s, 0.013, 0.016, "99")  # unknown_cell
    lines = pc.binary_join_element_wise(msisdn, when, etype, lac_s, cell_s, "|")
    short = pa.array((fault >= 0.016) & (fault < 0.018))  # field_count
    lines = pc.if_else(short, pc.binary_join_element_wise(msisdn, when, etype, "|"), lines)
    dup = rng.random(n) < 0.01  # the same record twice in a file
    lines = pa.concat_arrays([lines, lines.filter(pa.array(dup))])
    data = ("\n".join(lines.to_pylist()) + "\n").encode()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        out.write(gzip.compress(data, compresslevel=1))
    return path, len(lines)


def generate(landing: Path, records: int, days: int, per_day: int, seed: int = 7) -> int:
    rng = np.random.default_rng(seed)
    lac, cell = _cells(rng)
    _write_cells(landing, lac, cell)
    n = records // (days * per_day)
    first = dt.date(2026, 11, 1)
    jobs = []
    for d in range(days):
        day = first + dt.timedelta(days=d)
        for h in range(per_day):
            path = landing / "signaling" / day.strftime("%Y%m%d") / f"probe1_{h:02d}.txt.gz"
            jobs.append((str(path), day, h % 24, n, seed * 1000 + d * 100 + h, lac, cell))
    with Pool(2) as pool:
        written = pool.map(_file_bytes, jobs)
    # An overlapping re-export: the first hour of day 1 sent again under another name.
    shutil.copy(written[0][0], str(Path(written[0][0]).with_name("probe2_00.txt.gz")))
    return sum(n for _, n in written) + written[0][1]


# ---------------------------------------------------------------- spark
def bench_spark(landing: Path, lake: Path) -> tuple[float, dict]:
    from lifecircle.config import load_config
    from lifecircle.ingest.job import run
    from lifecircle.spark import get_spark

    conf = load_config(overrides={"spark.master": "local[2]", "spark.driver_memory": "8g", "spark.log_level": "ERROR"})
    spark = get_spark("bench-ingest", conf)
    spark.range(1).count()  # JVM warm-up is not ingest time
    t0 = time.perf_counter()
    result = run(spark, conf, str(landing), str(lake))
    seconds = time.perf_counter() - t0
    spark.stop()
    return seconds, result.summary


# ---------------------------------------------------------------- duckdb
DUCKDB_SQL = r"""
CREATE TEMP TABLE cells AS
  SELECT lac::INT AS lac, cell_id::INT AS cell_id FROM read_csv('{cells}', header = true);
CREATE TEMP TABLE checked AS
WITH raw_lines AS (
  SELECT filename, row_number() OVER (PARTITION BY filename) AS line_no, line
  FROM read_csv({files}, columns = {{'line': 'VARCHAR'}}, delim = '\x01', quote = '', escape = '',
                header = false, filename = true, auto_detect = false, strict_mode = false, new_line = '\n')
), parsed AS (
  SELECT filename, line_no, line, len(p) AS n,
         strptime(regexp_extract(filename, '/signaling/([0-9]{{8}})/', 1), '%Y%m%d')::DATE AS day,
         trim(p[1]) AS m0, trim(p[2]) AS t, trim(p[3]) AS et, trim(p[4]) AS lac_s, trim(p[5]) AS cell_s
  FROM (SELECT *, string_split(line, '|') AS p FROM raw_lines WHERE line IS NOT NULL AND trim(line) <> '')
), typed AS (
  SELECT *,
    CASE WHEN regexp_full_match(m0, '\+86[0-9]{{11}}') THEN substr(m0, 4)
         WHEN regexp_full_match(m0, '86[0-9]{{11}}') THEN substr(m0, 3) ELSE m0 END AS m1,
    CASE WHEN regexp_full_match(t, '[0-9]{{14}}') THEN try_strptime(t, '%Y%m%d%H%M%S') END AS local_ts,
    CASE WHEN regexp_full_match(et, '[0-9]{{1,2}}') THEN TRY_CAST(et AS INT) END AS event_type,
    CASE WHEN regexp_full_match(lac_s, '[0-9]{{1,9}}') THEN TRY_CAST(lac_s AS INT) END AS lac,
    CASE WHEN regexp_full_match(cell_s, '[0-9]{{1,9}}') THEN TRY_CAST(cell_s AS INT) END AS cell_id
  FROM parsed
), judged AS (
  SELECT typed.*, CASE
      WHEN n <> 5 THEN 'field_count'
      WHEN NOT regexp_full_match(m1, '1[0-9]{{10}}') THEN 'bad_msisdn'
      WHEN local_ts IS NULL THEN 'bad_timestamp'
      WHEN local_ts::DATE <> day THEN 'ts_outside_day'
      WHEN event_type IS NULL OR event_type NOT BETWEEN 1 AND 10 THEN 'bad_event_type'
      WHEN typed.lac IS NULL OR typed.cell_id IS NULL THEN 'bad_cell_key'
      WHEN cells.lac IS NULL THEN 'unknown_cell' END AS reason
  FROM typed LEFT JOIN cells ON typed.lac = cells.lac AND typed.cell_id = cells.cell_id
)
SELECT *,
  CASE WHEN reason IS NULL THEN sha256($opad || unhex(sha256($ipad || encode(m1)))) END AS subscriber_id,
  local_ts - INTERVAL 8 HOUR AS event_ts
FROM judged;
CREATE TEMP TABLE classified AS
SELECT *, CASE WHEN reason IS NOT NULL THEN 'quarantined'
               WHEN row_number() OVER (PARTITION BY subscriber_id, event_ts, event_type, lac, cell_id, reason
                                       ORDER BY filename, line_no) = 1 THEN 'accepted'
               ELSE 'duplicate' END AS outcome,
          (hash(lac, cell_id) % 16)::INT AS cell_bucket
FROM checked;
COPY (SELECT subscriber_id, event_ts, event_type, lac, cell_id, day, cell_bucket, filename AS source_file, line_no
      FROM classified WHERE outcome = 'accepted')
  TO '{out}/signaling' (FORMAT parquet, PARTITION_BY (day, cell_bucket));
COPY (SELECT 'signaling' AS source, filename AS file, line_no,
             regexp_replace(line, '^([^|]{{3}})[^|]*([^|]{{2}})\|', '\1******\2|') AS raw, reason, day
      FROM classified WHERE outcome = 'quarantined')
  TO '{out}/quarantine' (FORMAT parquet, PARTITION_BY (day));
CREATE TEMP TABLE identity AS SELECT DISTINCT subscriber_id, m1 AS msisdn FROM classified WHERE outcome = 'accepted';
COPY identity TO '{out}/identity.parquet' (FORMAT parquet);
"""


def bench_duckdb(landing: Path, out: Path) -> tuple[float, dict]:
    import duckdb

    from lifecircle.ingest.identity import padded_keys

    files = sorted(str(p) for p in (landing / "signaling").rglob("*.txt.gz"))
    inner, outer = padded_keys(KEY.encode())
    con = duckdb.connect()
    con.execute("SET threads = 2")
    out.mkdir(parents=True, exist_ok=True)
    sql = DUCKDB_SQL.format(cells=landing / "params" / "cells.csv", files=files, out=out)
    t0 = time.perf_counter()
    for statement in [s for s in sql.split(";") if s.strip()]:
        params = {k: v for k, v in {"ipad": inner, "opad": outer}.items() if f"${k}" in statement}
        con.execute(statement, params or None)
    counts = dict(con.sql("SELECT outcome, count(*) FROM classified GROUP BY outcome").fetchall())
    return time.perf_counter() - t0, counts


# ---------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--files-per-day", type=int, default=24)
    parser.add_argument("--workdir", default="/tmp/lc-bench")
    parser.add_argument("--only", choices=["spark", "duckdb"], help="run one side only")
    parser.add_argument("--repeat", type=int, default=1, help="alternate the engines this often, keep each one's best")
    args = parser.parse_args()
    os.environ["LIFECIRCLE_PSEUDONYM_KEY"] = KEY
    work = Path(args.workdir)
    landing = work / "landing"
    marker = work / f"generated-{args.records}-{args.days}-{args.files_per_day}"
    t0 = time.perf_counter()
    if not marker.exists():
        shutil.rmtree(work, ignore_errors=True)
        lines = generate(landing, args.records, args.days, args.files_per_day)
        marker.write_text(str(lines))
    lines = int(marker.read_text())
    gz_mb = sum(p.stat().st_size for p in landing.rglob("*.gz")) / 2**20
    print(f"data: {lines:,} signaling lines in {gz_mb:.0f} MB gzip ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)

    # Alternating runs and keeping each engine's best: other load on a shared machine hits both.
    results: dict[str, tuple[float, dict]] = {}
    for _ in range(args.repeat):
        for name, bench in (("duckdb", bench_duckdb), ("spark", bench_spark)):
            if args.only not in (None, name):
                continue
            out = work / ("lake" if name == "spark" else "duckdb")
            shutil.rmtree(out, ignore_errors=True)
            seconds, counts = bench(landing, out)
            print(f"{name}: {seconds:.1f}s (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
            if name not in results or seconds < results[name][0]:
                results[name] = (seconds, counts)
    report(lines, gz_mb, args, results)


def report(lines: int, gz_mb: float, args, results: dict) -> None:
    print(f"\n## Ingest: signaling throughput ({lines / 1e6:.1f} M records, 2 cores)\n")
    print(f"`python scripts/bench_ingest.py --records {args.records} --days {args.days} "
          f"--files-per-day {args.files_per_day} --repeat {args.repeat}` on "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, Spark `local[2]` "
          f"(driver 8g), DuckDB `threads=2`; best of {args.repeat} alternating runs each.")
    print(f"Input: {args.days * args.files_per_day + 1} gzip files, {gz_mb:.0f} MB, {lines:,} lines "
          "(~2 % faults of every signaling reason code, ~1.5 % duplicates within and across files).\n")
    print("| engine | seconds | records/s | accepted | quarantined | duplicate |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (seconds, counts) in results.items():
        if name == "spark":
            rows = counts["rows"]
            acc, qua, dup = rows["accepted"], rows["quarantined"], rows["duplicate"]
        else:
            acc, qua, dup = counts.get("accepted", 0), counts.get("quarantined", 0), counts.get("duplicate", 0)
        print(f"| {name} | {seconds:.1f} | {lines / seconds:,.0f} | {acc:,} | {qua:,} | {dup:,} |")
    if len(results) == 2:
        ratio = results["spark"][0] / results["duckdb"][0]
        print(f"\nSpark / DuckDB time: **{ratio:.2f}×** (target ≤ 2×).")


if __name__ == "__main__":
    main()
