"""Clean signalling events → `signaling/YYYYMMDD/probeNN_YYYYMMDDHH.txt[.gz]` with planted dirt.

Two probes (by district parity) × six 4-hour blocks = at most 12 files a day. Lines are rendered
column-wise with pyarrow; a file's bytes are a slice of one joined buffer, so no Python loop
touches individual records. Only injected faulty lines (a few per file) are built in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .city import City
from .faults import SIG_REASONS, signaling_fault, truncated
from .writer import BOM, FileLog, write_bytes

DAY = 86400
BLOCKS = 6  # files per probe and day
FAULT_RATE = {"encoding": 0.04, "field_count": 0.25, "bad_msisdn": 0.35, "bad_timestamp": 0.2,
              "ts_outside_day": 0.2, "bad_event_type": 0.2, "bad_cell_key": 0.2, "unknown_cell": 0.35}
DUP_RATE = {"exact": 0.0015, "cross": 0.001, "prefix": 0.0005}  # per valid record of the day


def _variant(rng: np.random.Generator, m: str) -> str:
    """A spelling of m that normalises back to it: 86…, +86… or surrounding spaces."""
    return [f"86{m}", f"+86{m}", f" {m}", f"{m} "][int(rng.integers(4))]


@dataclass
class _Records:
    """One day's clean records in file order (file index, then time)."""

    m: np.ndarray
    ts: np.ndarray
    et: np.ndarray
    lac: np.ndarray
    cid: np.ndarray
    sec: np.ndarray
    bounds: np.ndarray    # records of file k are bounds[k]:bounds[k+1]
    lines: pa.Array       # rendered lines (large_binary), variants included
    variant: np.ndarray   # bool: msisdn spelled with 86 / +86 / spaces

    def fields(self, i: int) -> list[str]:
        return [str(self.m[i]), str(self.ts[i]), str(self.et[i]), str(self.lac[i]), str(self.cid[i])]


def _records(rng, d: int, day: date, ev: pd.DataFrame, msisdn: np.ndarray, city: City) -> tuple[_Records, np.ndarray]:
    lac = city.cells["lac"].to_numpy()[ev["cell"].to_numpy()]
    sec = ev["t"].to_numpy() - d * DAY
    fidx = ((lac - 9501) // 10 % 2) * BLOCKS + sec // (24 // BLOCKS * 3600)
    order = np.argsort(fidx, kind="stable")  # events arrive time-sorted: they stay so within a file
    fidx, sec = fidx[order], sec[order]
    m = msisdn[ev["sub"].to_numpy()[order]]
    ts = int(f"{day:%Y%m%d}") * 1_000_000 + sec // 3600 * 10_000 + sec % 3600 // 60 * 100 + sec % 60
    et = ev["etype"].to_numpy()[order].astype(np.int64)
    lac, cid = lac[order], city.cells["cell_id"].to_numpy()[ev["cell"].to_numpy()[order]]
    n = len(m)
    # A few valid records spell the number with a country code or spaces: not faults, not duplicates.
    var_rows = np.sort(rng.choice(n, min(n, 1 + rng.poisson(0.0005 * n)), replace=False))
    variant = np.zeros(n, bool)
    variant[var_rows] = True
    m_txt = pc.replace_with_mask(pa.array(m).cast(pa.string()), pa.array(variant),
                                 pa.array([_variant(rng, str(m[i])) for i in var_rows], pa.string()))
    cols = [m_txt] + [pa.array(a).cast(pa.string()) for a in (ts, et, lac, cid)]
    lines = pc.binary_join_element_wise(*cols, "|").cast(pa.large_binary())
    files, starts = np.unique(fidx, return_index=True)
    return _Records(m, ts, et, lac, cid, sec, np.r_[starts, n], lines, variant), files


def _duplicates(rng, rec: _Records, logs: list[FileLog]) -> tuple[np.ndarray, np.ndarray, list[tuple[int, bytes]]]:
    """Copies of valid records: exact in the same file, exact in a later file, respelled msisdn."""
    nf, n = len(logs), len(rec.m)
    file_of = np.repeat(np.arange(nf), np.diff(rec.bounds))
    exact = rng.integers(0, n, 1 + rng.poisson(DUP_RATE["exact"] * n))
    rows, files = [exact], [file_of[exact]]
    if nf > 1:
        # Into a later file of the day, so "first occurrence in path order" is the original.
        cross = rng.integers(0, rec.bounds[nf - 1], 1 + rng.poisson(DUP_RATE["cross"] * n))
        rows.append(cross)
        files.append(file_of[cross] + 1 + (rng.random(len(cross)) * (nf - 1 - file_of[cross])).astype(np.int64))
    respelled = rng.integers(0, n, 1 + rng.poisson(DUP_RATE["prefix"] * n))
    lines = [(int(file_of[i]), "|".join([_variant(rng, str(rec.m[i]))] + rec.fields(i)[1:]).encode())
             for i in respelled]
    rows, files = np.concatenate(rows), np.concatenate(files)
    per_file = np.bincount(np.r_[files, file_of[respelled]], minlength=nf)
    for log, k in zip(logs, per_file, strict=True):
        log.duplicates += int(k)
        log.records += int(k)
    return rows, files, lines


def _faults(rng, rec: _Records, logs: list[FileLog], day: date, first_day: bool, lacs: list[int]):
    """Faulty lines (file, line, is_last): Poisson per file and reason, each reason at least once on day one."""
    out = []
    nf = len(logs)
    for reason in SIG_REASONS:
        per_file = rng.poisson(FAULT_RATE[reason], nf)
        if first_day and per_file.sum() == 0:
            per_file[int(rng.integers(nf))] = 1
        for k in np.flatnonzero(per_file):
            for i in rng.integers(rec.bounds[k], rec.bounds[k + 1], per_file[k]):
                out.append((k, signaling_fault(rng, reason, rec.fields(i), day, int(rec.sec[i]), lacs), False))
            logs[k].reasons[reason] = int(per_file[k])
            logs[k].records += int(per_file[k])
    for k, log in enumerate(logs):
        if rng.random() < 0.05:  # a blank line: not a record, not counted
            out.append((k, b"", False))
            log.blank += 1
        if log.truncated:
            out.append((k, truncated(rng, rec.fields(int(rng.integers(rec.bounds[k], rec.bounds[k + 1])))), True))
            log.reasons["field_count"] = log.reasons.get("field_count", 0) + 1
            log.records += 1
    return out


def _day_files(rng, d: int, day: date, ev: pd.DataFrame, msisdn: np.ndarray, city: City,
               lacs: list[int]) -> tuple[list[FileLog], list[bytes]]:
    rec, files = _records(rng, d, day, ev, msisdn, city)
    logs = [FileLog(f"signaling/{day:%Y%m%d}/probe{f // BLOCKS + 1:02d}_{day:%Y%m%d}{f % BLOCKS * 24 // BLOCKS:02d}.txt",
                    "signaling") for f in files]
    counts = np.diff(rec.bounds)
    for k, log in enumerate(logs):
        log.records, log.variants = int(counts[k]), int(rec.variant[rec.bounds[k]:rec.bounds[k + 1]].sum())
        log.crlf, log.bom, log.truncated = (bool(x) for x in rng.random(3) < [0.08, 0.08, 0.12])
    if d == 0:  # every kind of dirt appears at least once, on the first day
        logs[0].crlf, logs[-1].bom, logs[len(logs) // 2].truncated = True, True, True
    dup_rows, dup_files, respelled = _duplicates(rng, rec, logs)
    injected = [(k, line, False) for k, line in respelled] + _faults(rng, rec, logs, day, d == 0, lacs)
    return logs, _assemble(rng, rec, logs, dup_rows, dup_files, injected)


def _assemble(rng, rec: _Records, logs: list[FileLog], dup_rows, dup_files, injected) -> list[bytes]:
    """Interleave copies and injected lines at random positions of their files; slice out each file."""
    nf, n = len(logs), len(rec.m)
    counts = np.diff(rec.bounds)
    file_of = np.repeat(np.arange(nf), counts)
    inj_file = np.array([k for k, _, _ in injected], dtype=np.int64)
    inj_last = np.array([last for _, _, last in injected], dtype=bool)
    all_lines = pa.concat_arrays([rec.lines, rec.lines.take(pa.array(dup_rows)),
                                  pa.array([line for _, line, _ in injected], pa.large_binary())])
    all_file = np.r_[file_of, dup_files, inj_file]
    all_pos = np.r_[np.arange(n) - rec.bounds[file_of], rng.random(len(dup_rows)) * counts[dup_files],
                    np.where(inj_last, np.inf, rng.random(len(inj_file)) * counts[inj_file])]
    has_eol = np.r_[np.ones(n + len(dup_rows), bool), ~inj_last]
    order = np.lexsort((all_pos, all_file))
    crlf = np.array([log.crlf for log in logs])
    code = np.where(has_eol[order], crlf[all_file[order]].astype(np.int64), 2)
    eol = pa.array(np.array([b"\n", b"\r\n", b""], dtype=object)[code], pa.large_binary())
    full = pc.binary_join_element_wise(all_lines.take(pa.array(order)), eol, pa.scalar(b"", pa.large_binary()))
    offsets = np.frombuffer(full.buffers()[1], dtype=np.int64)[full.offset: full.offset + len(full) + 1]
    data = full.buffers()[2]
    ends = np.searchsorted(all_file[order], np.arange(nf), side="right")
    begins = np.r_[0, ends[:-1]]
    return [(BOM if log.bom else b"") + data[offsets[a]:offsets[b]].to_pybytes()
            for log, a, b in zip(logs, begins, ends, strict=True)]


def write_signaling(rng: np.random.Generator, sig: pd.DataFrame, msisdn: np.ndarray, city: City,
                    days: list[date], landing: Path, compress: bool,
                    progress: Callable[[str, int], None]) -> list[FileLog]:
    """Write every day's files (gzip compression on two threads); return one log per file."""
    lacs = sorted(city.cells["lac"].unique().tolist())
    bounds = np.searchsorted(sig["t"].to_numpy(), np.arange(len(days) + 1) * DAY)
    logs: list[FileLog] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for d, day in enumerate(days):
            ev = sig.iloc[bounds[d]:bounds[d + 1]]
            day_logs, payloads = _day_files(rng, d, day, ev, msisdn, city, lacs)
            for log in day_logs:
                log.file += ".gz" if compress else ""
            shas = pool.map(lambda lp: write_bytes(landing, lp[0].file, lp[1], compress),
                            zip(day_logs, payloads, strict=True))
            for log, sha in zip(day_logs, shas, strict=True):
                log.sha256 = sha
            logs += day_logs
            progress(f"signaling {day:%Y-%m-%d}", len(ev))
    return logs
