"""Look for the vault's raw numbers everywhere a run wrote outside the vault (files and table values)."""

from __future__ import annotations

from pathlib import Path

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.lake import Lake
from lifecircle.vault import read_identity


def numbers_in(data: bytes, numbers: set[str]) -> set[str]:
    """The numbers found in ``data``, as text in UTF-8 (also UTF-16, as some stores write), bare or 86-prefixed."""
    found = set()
    for n in numbers:
        for form in (n, f"86{n}"):
            if any(form.encode(enc) in data for enc in ("utf-8", "utf-16-le", "utf-16-be")):
                found.add(n)
    return found


def _values(store: Lake, table: str) -> bytes:
    # Parquet pages may be compressed: the values as text, too.
    return " ".join(" ".join(map(str, row)) for row in store.read(table).collect()).encode("utf-8")


def vault_leaks(spark, home: Path, lake: Path) -> tuple[dict[str, list[str]], int, int]:
    """(where a vault number was found → some of them, files scanned, numbers in the vault) for
    every file under ``home`` outside the vault (lake, MLflow store, logs) and every lake table."""
    vault = Path(f"{lake}_vault")
    numbers = {r.msisdn for r in read_identity(spark, load_config(), str(lake)).collect()}
    assert numbers_in(_values(Lake(spark, str(vault)), tables.IDENTITY), numbers) == numbers  # the scan sees them
    scanned, leaks = 0, {}
    for path in home.rglob("*"):
        if path.is_file() and vault not in path.parents:
            scanned += 1
            found = numbers_in(path.read_bytes(), numbers)
            if found:
                leaks[str(path.relative_to(home))] = sorted(found)[:3]
    lake_store = Lake(spark, str(lake))
    for table in lake_store.tables():
        found = numbers_in(_values(lake_store, table), numbers)
        if found:
            leaks[table] = sorted(found)[:3]
    return leaks, scanned, len(numbers)
