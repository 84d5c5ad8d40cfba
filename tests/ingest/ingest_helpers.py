"""Helpers for ingest tests: hand-written landing files, expected pseudonyms and instants."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import os
from pathlib import Path

KEY_ENV = "LIFECIRCLE_PSEUDONYM_KEY"

CELLS_CSV = [
    "lac,cell_id,site_id,longitude,latitude,azimuth,district",
    "9527,31021,S1,113.751,23.047,120,莞城",
    "9527,31022,S1,113.751,23.047,,莞城",
    "9528,41001,S2,113.738,23.006,240,南城",
]


def write(landing: Path, relative: str, lines: list[str] | bytes, *, gz: bool = False, crlf: bool = False,
          bom: bool = False, final_newline: bool = True) -> Path:
    """Write a landing file from text lines (or raw bytes), optionally gzip / CRLF / BOM."""
    if isinstance(lines, bytes):
        data = lines
    else:
        eol = "\r\n" if crlf else "\n"
        data = (eol.join(lines) + (eol if final_newline else "")).encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    if gz:
        data = gzip.compress(data)
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def pseudonym(msisdn: str) -> str:
    """The expected subscriber_id, computed independently with Python's hmac module."""
    return hmac.new(os.environ[KEY_ENV].encode(), msisdn.encode(), hashlib.sha256).hexdigest()


def utc(y: int, m: int, d: int, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=dt.UTC)
