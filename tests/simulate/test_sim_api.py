"""The public API: determinism, argument checks, plain-text output, summary and progress."""

from __future__ import annotations

import gzip
from datetime import date

import pandas as pd
import pytest

from lifecircle.simulate import SimulationSummary, observed_months, simulate_city

TINY = {"subscribers": 30, "days": 2, "start": date(2026, 11, 30)}


def tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = simulate_city(tmp_path / "a", tmp_path / "ta", seed=3, **TINY)
    simulate_city(tmp_path / "b", tmp_path / "tb", seed=3, **TINY)
    simulate_city(tmp_path / "c", tmp_path / "tc", seed=4, **TINY)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "ta") == tree(tmp_path / "tb")
    ta, tc = tree(tmp_path / "a"), tree(tmp_path / "c")
    assert ta.keys() == tc.keys() and ta != tc
    assert isinstance(a, SimulationSummary) and a.files["signaling"] == len([k for k in ta if k.startswith("signaling/")])


def test_months_cross_the_year(tmp_path):
    assert observed_months(date(2026, 12, 30), 5) == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1),
                                                      date(2027, 1, 1)]
    simulate_city(tmp_path / "l", tmp_path / "t", seed=1, **TINY)
    names = sorted(p.name for p in (tmp_path / "l" / "boss").glob("usage_*.csv"))
    assert names == ["usage_202609.csv", "usage_202610.csv", "usage_202611.csv", "usage_202612.csv"]
    ad = pd.read_parquet(tmp_path / "t" / "adoption.parquet")
    assert sorted(ad["month"].unique()) == ["202610", "202611", "202612", "202701"]


def test_refuses_truth_inside_landing_and_non_empty_folders(tmp_path):
    with pytest.raises(ValueError, match="separate"):
        simulate_city(tmp_path / "l", tmp_path / "l" / "truth", **TINY)
    with pytest.raises(ValueError):
        simulate_city(tmp_path / "x", tmp_path / "y", subscribers=0, days=1)
    simulate_city(tmp_path / "l", tmp_path / "t", **TINY)
    with pytest.raises(FileExistsError):
        simulate_city(tmp_path / "l", tmp_path / "t", **TINY)
    (tmp_path / "l" / "signaling" / "stale.txt").write_text("x")
    simulate_city(tmp_path / "l", tmp_path / "t", overwrite=True, **TINY)
    assert not (tmp_path / "l" / "signaling" / "stale.txt").exists()


def test_plain_text_signaling_and_progress(tmp_path):
    stages = []
    s = simulate_city(tmp_path / "l", tmp_path / "t", gzip_signaling=False,
                      progress=lambda stage, rows: stages.append((stage, rows)), **TINY)
    files = sorted((tmp_path / "l" / "signaling").rglob("*"))
    txt = [f for f in files if f.is_file()]
    assert txt and all(f.name.endswith(".txt") for f in txt)
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(txt[0].read_bytes())
    names = [st for st, _ in stages]
    assert names[0] == "city" and names[-1] == "truth" and any(n.startswith("signaling 2026-12-01") for n in names)
    assert all(isinstance(n, int) and n >= 0 for _, n in stages)
    assert s.rows["signaling"] > 0 and sum(ln.split()[0] == "signaling" for ln in s.lines()[1:]) == 1
