"""Initial matching: acceptance rates per circle at three levels, lifts, focus lists, expert file."""

from __future__ import annotations

import datetime as dt

import pytest

from lifecircle.errors import ConfigError
from lifecircle.models.matching import (
    compute_circle_acceptance,
    compute_focus_products,
    load_expert_choices,
)
from lifecircle.models.settings import MatchingSettings

D = dt.date(2026, 11, 1)


@pytest.fixture
def acceptance(spark):
    # Ten subscribers; movie fans s0..s3. P1 (cinema) is active for s0, s1, opened for s2, marketed
    # to s3 and s9; P2 is opened by s5 only.
    population = spark.createDataFrame([(f"s{i}",) for i in range(10)], "subscriber_id string")
    members = spark.createDataFrame([(f"s{i}", "circle.pref.movie") for i in range(4)], "subscriber_id string, circle_code string")
    status = spark.createDataFrame(
        [
            ("s0", "P1", "active", D, "2026-11"),
            ("s1", "P1", "active", D, "2026-11"),
            ("s2", "P1", "opened", D, "2026-11"),
            ("s3", "P1", "marketed", D, "2026-11"),
            ("s9", "P1", "marketed", D, "2026-11"),
            ("s5", "P2", "opened", D, "2026-11"),
        ],
        "subscriber_id string, product_code string, status string, status_date date, month string",
    )
    return compute_circle_acceptance(members, status, population, ["P1", "P2"])


def test_rates_are_cumulative_levels_with_lift(acceptance):
    rows = {r["product_code"]: r for r in acceptance.collect()}
    p1, p2 = rows["P1"], rows["P2"]
    assert p1["members"] == 4
    assert (p1["rate_marketed"], p1["rate_opened"], p1["rate_active"]) == (1.0, 0.75, 0.5)
    assert p1["lift_marketed"] == pytest.approx(1.0 / 0.5)
    assert p1["lift_opened"] == pytest.approx(0.75 / 0.3)
    assert p1["lift_active"] == pytest.approx(0.5 / 0.2)
    assert p2["rate_opened"] == 0.0 and p2["lift_opened"] == 0.0
    assert p2["lift_active"] is None  # nobody anywhere is active: no base rate, no lift


def test_focus_combines_expert_and_objective(acceptance):
    settings = MatchingSettings(min_members=3, min_lift=1.2, top_n=1)
    focus = compute_focus_products(acceptance, {"circle.pref.movie": ["P2"]}, settings, "2026-11")
    rows = {r["product_code"]: r for r in focus.collect()}
    assert rows["P1"]["objective"] and not rows["P1"]["expert"] and rows["P1"]["source"] == "objective"
    assert rows["P2"]["expert"] and not rows["P2"]["objective"] and rows["P2"]["source"] == "expert"
    assert rows["P1"]["objective_rank"] == 1 and all(r["focus"] for r in rows.values())
    assert {r["period"] for r in rows.values()} == {"2026-11"}
    strict = compute_focus_products(acceptance, {}, MatchingSettings(min_members=5), "2026-11")
    assert not any(r["focus"] for r in strict.collect())  # circle too small for objective choices


def test_expert_file_is_validated(tmp_path):
    good = tmp_path / "products.yaml"
    good.write_text('circles:\n  circle.pref.movie: ["1004"]\n', encoding="utf-8")
    assert load_expert_choices(good, ("circle.",)) == {"circle.pref.movie": ("1004",)}
    bad = tmp_path / "bad.yaml"
    bad.write_text("circles:\n  circle.pref.movie: [1004]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.yaml: key 'circles.circle.pref.movie' has an unquoted"):
        load_expert_choices(bad, ("circle.",))
    bad.write_text("circles:\n  value.high: ['1004']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a circle code"):
        load_expert_choices(bad, ("circle.",))
    with pytest.raises(ConfigError, match="not found"):
        load_expert_choices(tmp_path / "missing.yaml", ("circle.",))


def test_packaged_expert_file_names_contract_circles():
    from lifecircle.models.matching import products_file

    choices = load_expert_choices(products_file(""), ("circle.",))
    assert "circle.pref.movie" in choices and "circle.social.office" in choices
