"""matrix top: best products per customer / customers per product of one scored period."""

from __future__ import annotations

import pytest
from table_frames import table_frame

from lifecircle import tables
from lifecircle.errors import InputError
from lifecircle.models.matrix_top import matrix_top, preview_top

COLUMNS = ["subscriber_id", "product_code", "score", "probability", "customer_rank", "period"]


def matrix_rows() -> list[tuple]:
    """Three products × four subscribers in 2026-11 (s3 likes P3 best), one older row."""
    rows = []
    for i, sub in enumerate(["s0", "s1", "s2", "s3"]):
        probs = {"P1": 0.9 - 0.1 * i, "P2": 0.5 - 0.1 * i, "P3": 0.1 + 0.2 * i}
        ranked = sorted(probs, key=lambda p: (-probs[p], p))
        rows += [(sub, p, round(100 * q), q, ranked.index(p) + 1, "2026-11") for p, q in probs.items()]
    return [*rows, ("s0", "P1", 1, 0.01, 1, "2026-10")]


@pytest.fixture
def scored(spark, lake):
    lake.write(tables.MATCHING_MATRIX, table_frame(spark, tables.MATCHING_MATRIX, matrix_rows(), COLUMNS), ["period"])
    return lake


def test_best_products_per_customer_of_the_latest_period(scored):
    top = matrix_top(scored, n=1)
    assert (top.period, top.columns[0]) == ("2026-11", "subscriber_id")
    assert [(r["subscriber_id"], r["product_code"]) for r in top.best.collect()] == [
        ("s0", "P1"), ("s1", "P1"), ("s2", "P1"), ("s3", "P3"),
    ]
    one = matrix_top(scored, "2026-10", n=3)
    assert [(r["subscriber_id"], r["probability"]) for r in one.best.collect()] == [("s0", 0.01)]


def test_best_customers_per_product_filtered(scored):
    top = matrix_top(scored, per="product", n=2)
    assert top.columns[0] == "product_rank"
    got = [(r["product_code"], r["product_rank"], r["subscriber_id"]) for r in top.best.collect()]
    assert got == [("P1", 1, "s0"), ("P1", 2, "s1"), ("P2", 1, "s0"), ("P2", 2, "s1"), ("P3", 1, "s3"), ("P3", 2, "s2")]
    only = matrix_top(scored, per="product", n=2, product="P3", subscriber="s2")
    assert [(r["product_code"], r["product_rank"]) for r in only.best.collect()] == [("P3", 1)]


def test_preview_counts_what_the_limit_leaves_out(scored):
    top = matrix_top(scored, per="product", n=2)
    short = preview_top(top, 4)
    assert (len(short.rows), short.total) == (4, 6)
    assert list(short.rows[0].asDict()) == top.columns
    assert preview_top(top, 10).total == 6


def test_a_missing_matrix_says_run_score(lake):
    with pytest.raises(InputError, match="run score first"):
        matrix_top(lake)


def test_cli_footer_states_the_limit(scored, run_cli, session_overlay):
    code, out, _ = run_cli("--conf", session_overlay, "matrix", "top", "--lake", scored.root, "--per", "product",
                           "-n", "2", "--limit", "4")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "product_rank", "subscriber_id", "product_code", "score", "probability", "customer_rank", "product_percentile"
    ]
    assert len(lines) == 6
    assert lines[-1] == "period 2026-11; best 2 per product; first 4 of 6 rows shown (--limit)"
    code, out, _ = run_cli("--conf", session_overlay, "matrix", "top", "--lake", scored.root, "-n", "1")
    assert out.splitlines()[-1] == "period 2026-11; best 1 per customer"
    assert out.splitlines()[1].split()[1:4] == ["P1", "90", "0.9000"]

