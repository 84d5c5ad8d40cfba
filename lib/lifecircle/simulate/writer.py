"""Byte-exact, reproducible file output: gzip without timestamps, CSV text built column-wise."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

BOM = b"\xef\xbb\xbf"


@dataclass
class FileLog:
    """What went into one file: the counts the truth tables report."""

    file: str                 # path relative to the landing root
    source: str               # interface kind: signaling, cells, subscribers, usage, …
    records: int = 0          # non-blank lines
    duplicates: int = 0       # injected copies of valid records in this file
    variants: int = 0         # valid records spelled with 86 / +86 / spaces, not duplicates
    blank: int = 0
    crlf: bool = False
    bom: bool = False
    truncated: bool = False
    sha256: str = ""
    reasons: dict[str, int] = field(default_factory=dict)


def write_bytes(root: Path, rel: str, data: bytes, compress: bool = False) -> str:
    """Write data under root/rel (gzip level 1 with mtime 0 when compress); return the sha256 of the file."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        # mtime=0 and no file name in the header: identical input gives identical bytes.
        data = gzip.compress(data, compresslevel=1, mtime=0)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def amount(values) -> pd.Series:
    """Non-negative amounts with exactly two decimals, formatted from integer cents (no float noise)."""
    cents = np.rint(np.asarray(values, float) * 100).astype(np.int64)
    whole = pd.Series(cents // 100).astype(str)
    frac = pd.Series(cents % 100).astype(str).str.zfill(2)
    return whole + "." + frac


def csv_lines(df: pd.DataFrame) -> list[str]:
    """One comma-joined line per row; every column must already be text without commas or quotes."""
    if df.empty:
        return []
    cols = [df[c].astype(str) for c in df.columns]
    for c in cols:
        assert not c.str.contains(r'[,"\r\n]', regex=True).any(), "CSV text must not need quoting"
    return cols[0].str.cat(cols[1:], sep=",").tolist()


def csv_bytes(header: list[str], lines: list[bytes], crlf: bool = False, bom: bool = False) -> bytes:
    """Header plus lines (bytes, so that non-UTF-8 fault lines survive) with the chosen line ending."""
    eol = b"\r\n" if crlf else b"\n"
    body = eol.join([",".join(header).encode()] + lines) + eol
    return (BOM if bom else b"") + body
