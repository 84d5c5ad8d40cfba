"""Dirty lines, each built to fail exactly one quarantine check of INTERFACES.md and pass every
earlier one (the first failing check wins), so the recorded reason is the one ingestion must
assign. Faulty lines are mutated *copies* of valid records: the valid record stays in its file,
and a faulty line is never duplicated, so no count is shared between reasons.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

SIG_REASONS = ["encoding", "field_count", "bad_msisdn", "bad_timestamp", "ts_outside_day",
               "bad_event_type", "bad_cell_key", "unknown_cell"]
CSV_REASONS = ["encoding", "field_count", "missing_required", "bad_msisdn", "bad_number", "bad_date", "bad_enum"]
GBK_BYTES = [b"\xd6\xd0\xb9\xfa", b"\xc1\xaa\xcd\xa8", b"\xb6\xab\xdd\xb8", b"\xff\xfe"]


def _one(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def ts14(day: date, second_of_day: int) -> str:
    """Local time as yyyyMMddHHmmss."""
    h, rest = divmod(int(second_of_day), 3600)
    return f"{day:%Y%m%d}{h:02d}{rest // 60:02d}{rest % 60:02d}"


def bad_msisdn(rng: np.random.Generator, m: str) -> str:
    """Numbers the msisdn rule rejects: 0086…, +852…, 10 or 12 digits, letters, inner space, not 1…."""
    return _one(rng, [
        "0086" + m, "+852" + m[3:], m[:10], m + str(int(rng.integers(10))), "86" + m[:10],
        m[:4] + "abc" + m[7:], m[:3] + " " + m[3:], "2" + m[1:], "",
    ])


def signaling_fault(rng: np.random.Generator, reason: str, f: list[str], day: date, sec: int,
                    lacs: list[int]) -> bytes:
    """A faulty signaling line from template fields [msisdn, time, type, lac, cell] of `day`."""
    f = list(f)
    if reason == "encoding":
        pos = int(rng.integers(1, len(f[0])))
        return (f[0][:pos]).encode() + _one(rng, GBK_BYTES) + ("|".join([f[0][pos:]] + f[1:])).encode()
    if reason == "field_count":
        return _one(rng, [
            "HEARTBEAT probe OK " + f[1], "|".join(f[:4]), "|".join(f + ["1"]), ",".join(f), "#" * 12,
        ]).encode()
    if reason == "bad_msisdn":
        f[0] = bad_msisdn(rng, f[0])
    elif reason == "bad_timestamp":
        ymd, hms = f[1][:8], f[1][8:]
        f[1] = _one(rng, [
            ymd[:4] + "13" + ymd[6:] + hms, ymd[:6] + "32" + hms, ymd + "25" + hms[2:], f[1][:13],
            f"{day:%Y-%m-%d} {hms[:2]}:{hms[2:4]}:{hms[4:]}", ymd + "0a" + hms[2:], "",
        ])
    elif reason == "ts_outside_day":
        shift = _one(rng, [-1, 1, -31, 2])
        f[1] = ts14(day + timedelta(days=shift), sec)
    elif reason == "bad_event_type":
        f[2] = _one(rng, ["0", "11", "12", "99", "-3", "A", ""])
    elif reason == "bad_cell_key":
        k = int(rng.integers(4))
        if k == 0:
            f[3] = ""
        elif k == 1:
            f[4] = ""
        elif k == 2:
            f[3] = "L" + f[3]
        else:
            f[4] = f[4] + "x"
    elif reason == "unknown_cell":
        # Real LAC, cell_id far above any generated one (those are site_id*10+sector < 90000).
        f[3] = str(_one(rng, lacs))
        f[4] = str(int(rng.integers(90000, 100000)))
    else:
        raise ValueError(reason)
    return "|".join(f).encode()


def truncated(rng: np.random.Generator, f: list[str]) -> bytes:
    """A valid line cut before its third separator: at most three fields, so `field_count`."""
    line = "|".join(f)
    third = [i for i, ch in enumerate(line) if ch == "|"][2]
    return line[: int(rng.integers(1, third + 1))].encode()


# CSV schema: [(column, kind, required)]. Kinds: msisdn, enum, date, timestamp, month, number,
# int, text, code. Optional fields may be empty; other checks apply only to non-empty values.
def csv_fault(rng: np.random.Generator, reason: str, row: list[str], schema: list[tuple[str, str, bool]]) -> bytes:
    """A faulty copy of a valid CSV row (list of field texts) failing exactly `reason`."""
    row = list(row)
    idx = {kind: [i for i, (_, k, _) in enumerate(schema) if k.split(":")[0] == kind]
           for kind in ("msisdn", "enum", "date", "timestamp", "month", "number", "int", "text", "code")}
    if reason == "encoding":
        parts = [v.encode() for v in row]
        parts[_one(rng, idx["text"] + idx["code"] + idx["enum"])] = _one(rng, GBK_BYTES)
        return b",".join(parts)
    if reason == "field_count":
        row = row[:-1] if rng.random() < 0.5 else [*row, "x"]
    elif reason == "missing_required":
        row[_one(rng, [i for i, (_, k, req) in enumerate(schema) if req and k != "msisdn"])] = ""
    elif reason == "bad_msisdn":
        row[idx["msisdn"][0]] = bad_msisdn(rng, row[idx["msisdn"][0]]) or "abc"
    elif reason == "bad_number":
        row[_one(rng, idx["number"] + idx["int"])] = _one(rng, ["abc", "1.2.3", "12a", "N/A", "--5"])
    elif reason == "bad_date":
        i = _one(rng, idx["date"] + idx["timestamp"] + idx["month"])
        kind = schema[i][1]
        if kind == "date":
            row[i] = _one(rng, ["2026-02-30", row[i].replace("-", "/"), row[i].replace("-", ""), "2026-13-01"])
        elif kind == "month":
            row[i] = _one(rng, [row[i][:4] + "13", row[i][:5]])
        else:
            d, t = row[i].split(" ")
            day31 = d[:8] + ("31" if d[5:7] in ("04", "06", "09", "11") else "32")
            row[i] = _one(rng, [day31 + " " + t, d.replace("-", "/") + " " + t, d + " 25" + t[2:]])
    elif reason == "bad_enum":
        row[_one(rng, idx["enum"])] = _one(rng, ["vip", "unknown_value", "pending", "X9"])
    else:
        raise ValueError(reason)
    return ",".join(row).encode()


def applicable(schema: list[tuple[str, str, bool]]) -> list[str]:
    """The CSV reasons a file of this schema can exhibit (encoding is planted separately)."""
    kinds = {k.split(":")[0] for _, k, _ in schema}
    out = ["field_count"]
    if any(req and k != "msisdn" for _, k, req in schema):
        out.append("missing_required")
    if "msisdn" in kinds:
        out.append("bad_msisdn")
    if kinds & {"number", "int"}:
        out.append("bad_number")
    if kinds & {"date", "timestamp", "month"}:
        out.append("bad_date")
    if "enum" in kinds:
        out.append("bad_enum")
    return out


def dirty_csv(rng: np.random.Generator, lines: list[str], schema, first: bool, encoding: bool = False):
    """Insert faulty rows and duplicates among valid lines.

    Returns (lines as bytes, {reason: count}, duplicates, valid prefix variants). The first file
    of a kind gets every applicable reason at least once so each kind shows all its faults.
    """
    counts: dict[str, int] = {}
    extra: list[bytes] = []
    rows = [ln.split(",") for ln in lines]
    if not rows:
        return [], counts, 0, 0
    pick = lambda: rows[int(rng.integers(len(rows)))]  # noqa: E731
    for reason in (["encoding"] if encoding else []) + applicable(schema):
        k = int(first) + int(rng.poisson(0.6))
        for _ in range(k):
            extra.append(csv_fault(rng, reason, pick(), schema))
        if k:
            counts[reason] = k
    m_col = next((i for i, (_, k, _) in enumerate(schema) if k == "msisdn"), None)
    n_dup = 1 + int(rng.poisson(0.8))
    for _ in range(n_dup):
        row = list(pick())
        if m_col is not None and rng.random() < 0.4:
            row[m_col] = _one(rng, ["86", "+86"]) + row[m_col]
        extra.append(",".join(row).encode())
    out = [ln.encode() for ln in lines]
    variants = 0
    if m_col is not None and rng.random() < 0.5:
        # A valid record spelled with the country code and no other copy: valid, not a duplicate.
        i = int(rng.integers(len(out)))
        r = list(rows[i])
        r[m_col] = "+86" + r[m_col]
        out[i] = ",".join(r).encode()
        variants = 1
    for e in extra:
        out.insert(int(rng.integers(len(out) + 1)), e)
    return out, counts, n_dup, variants
