from __future__ import annotations

import textwrap

import pytest

from lifecircle.config import load_config
from lifecircle.features.schema import feature_schema, feature_schema_of
from lifecircle.tags.contract import CIRCLE_CODES
from lifecircle.tags.job import catalog_dir
from lifecircle.tags.language import (
    TagDefinitionError,
    expand_file,
    expand_macros,
    load_catalog,
    sql_quote,
    static_domains,
)
from lifecircle.tags.settings import TagSettings

SLOTS = ["night", "morning_commute", "work_hours", "evening_commute", "evening"]
SCHEMA = feature_schema(TagSettings(), SLOTS)
REQUIRED_CIRCLES = list(CIRCLE_CODES)


def domains(districts=("莞城", "南城")):
    out = static_domains(SLOTS)
    out["district"] = [{"district": d} for d in districts]
    out["product"] = [{"product": p, "product_name": f"产品{p}"} for p in ("1001", "12580")]
    out["event"] = [
        {"event_id": "E1", "event_name": "篮球赛", "event_type": "basketball", "event_place": "P1"}
    ]
    out["event_type"] = [{"event_type": "basketball"}]
    return out


def write(tmp_path, name, text):
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_plain_tag_with_defaults_macros_and_structured_rule(tmp_path):
    write(
        tmp_path,
        "social.yaml",
        """
        family: social
        defaults: {kind: rule, source: stays, level: [生活圈, 人文圈]}
        tags:
          - code: circle.social.office
            name: 写字楼圈
            when: days_office_ge240m >= reg(3)
            landmark: {category: office}
          - code: x.both
            name: 两者
            level: 生活圈/动态行为圈/两者
            when: {all: [days_gym_ge45m >= 1, {not: "days_bar_ge60m >= 1"}]}
        """,
    )
    office, both = load_catalog(tmp_path, domains()).tags
    assert office.level == ("生活圈", "人文圈") and office.kind == "rule" and office.source == "stays"
    assert office.when == "days_office_ge240m >= (greatest(1, ceil(3 * observed_days / 7 - 1e-9)))"
    assert office.landmark == ("cat:office",)
    assert both.level_path == "生活圈/动态行为圈/两者"
    assert both.when == "((days_gym_ge45m >= 1) AND ((NOT (days_bar_ge60m >= 1))))"


def test_templates_expand_over_the_product_of_domains(tmp_path):
    write(
        tmp_path,
        "t.yaml",
        """
        tags:
          - foreach: [category, freq_class]
            code: "place.{category}.{freq_class}"
            name: "{freq_class_zh}{category_zh}"
            level: [场所偏好, "{category_l1}"]
            when: "freq_{category} = {freq_class_q}"
            landmark: {category: "{category}"}
          - foreach: district
            code: "circle.region.{district}"
            name: "区域·{district}"
            level: [生活圈, 区域归属圈, "{district}"]
            when: "home_district = {district_q}"
            landmark: {district: "{district}"}
        """,
    )
    tags = load_catalog(tmp_path, domains()).tags
    assert len(tags) == 26 * 3 + 2
    office = next(t for t in tags if t.code == "place.office.frequent")
    assert (office.name, office.when, office.level) == (
        "经常到达写字楼",
        "freq_office = 'frequent'",
        ("场所偏好", "商务"),
    )
    region = next(t for t in tags if t.code == "circle.region.南城")
    assert region.when == "home_district = '南城'" and region.landmark == ("dist:南城",)


def test_sql_quote_and_macros():
    assert sql_quote("it's") == "'it\\'s'"
    assert expand_macros("wd(0.6) + reg( 2 )") == (
        "(greatest(1, ceil(0.6 * observed_weekdays - 1e-9))) + (greatest(1, ceil(2 * observed_days / 7 - 1e-9)))"
    )


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("{code: a.b, name: x, level: [L1], when: 'no_such_column > 1'}", "unknown column in definition"),
        ("{code: a.b, name: x, level: [L1], when: 'days_gym_ge45m >> 1 ('}", "SQL syntax error"),
        ("{code: a.b, name: x, level: [L1], when: 'days_gym_ge45m + 1'}", "not boolean"),
        ("{code: a.b, name: x, level: [L1], value: 'nope', when: 'true'}", "unknown column in value"),
    ],
)
def test_sql_errors_name_file_code_and_reason(spark, tmp_path, entry, reason):
    write(
        tmp_path,
        "bad.yaml",
        f"tags:\n  - {{code: ok.one, name: y, level: [L1], when: 'age > 3'}}\n  - {entry}\n",
    )
    with pytest.raises(TagDefinitionError, match=rf"^bad\.yaml: tag a\.b: .*{reason}"):
        load_catalog(tmp_path, domains(), spark, SCHEMA)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("{code: a.b, name: x, level: [], when: 'true'}", "bad level path"),
        ("{code: a.b, name: x, level: [A, B, C, D], when: 'true'}", "bad level path"),
        ("{code: a.b, name: x, level: 'A//B', when: 'true'}", "bad level path"),
        ("{code: 'a b', name: x, level: [A], when: 'true'}", "bad code"),
        ("{code: a.b, name: x, level: [A], kind: magic, when: 'true'}", "kind 'magic'"),
        ("{code: a.b, name: x, level: [A], source: nowhere, when: 'true'}", "source 'nowhere'"),
        ("{code: a.b, name: x, level: [A]}", "missing when"),
        ("{code: a.b, name: x, level: [A], when: 'true', colour: red}", "unknown keys"),
        (
            "{code: a.b, name: x, level: [A], when: 'true', landmark: {category: spaceport}}",
            "landmark category",
        ),
        (
            "{code: 'a.{nope}', foreach: district, name: x, level: [A], when: 'true'}",
            "unknown template variable",
        ),
        ("{code: 'a.{x}', foreach: planets, name: x, level: [A], when: 'true'}", "unknown domain"),
    ],
)
def test_structural_errors(tmp_path, entry, reason):
    write(tmp_path, "bad.yaml", f"tags:\n  - {entry}\n")
    with pytest.raises(TagDefinitionError, match=rf"^bad\.yaml: (tag|template) .*{reason}"):
        load_catalog(tmp_path, domains())


def test_duplicate_codes_across_files(tmp_path):
    write(tmp_path, "a.yaml", "tags:\n  - {code: dup.x, name: x, level: [A], when: 'true'}\n")
    write(tmp_path, "b.yaml", "tags:\n  - {code: dup.x, name: y, level: [A], when: 'true'}\n")
    with pytest.raises(
        TagDefinitionError, match=r"^b\.yaml: tag dup\.x: duplicate code \(also defined in a\.yaml\)"
    ):
        load_catalog(tmp_path, domains())


def test_bad_yaml_and_empty_folder(tmp_path):
    with pytest.raises(TagDefinitionError, match="no tag files"):
        load_catalog(tmp_path, domains())
    write(tmp_path, "x.yaml", "tags: [\n")
    with pytest.raises(TagDefinitionError, match=r"x\.yaml: line \d+ not valid YAML"):
        load_catalog(tmp_path, domains())
    with pytest.raises(TagDefinitionError, match="'tags' list"):
        expand_file({"family": "f"}, "y.yaml", domains())


def test_packaged_catalogue_is_valid_and_large(spark):
    conf = load_config()
    city = domains(districts=[f"区{i}" for i in range(11)])
    city["product"] = [{"product": str(1000 + i), "product_name": f"产品{i}"} for i in range(10)]
    catalog = load_catalog(catalog_dir(conf.tags), city, spark, feature_schema_of(conf))
    codes = catalog.codes
    assert len(codes) >= 300
    assert set(REQUIRED_CIRCLES) <= set(codes)
    # Every contract code says, in words, the behaviour it captures.
    described = {t.code: t.description for t in catalog.tags}
    assert all(len(described[c]) > 40 for c in CIRCLE_CODES), [c for c in CIRCLE_CODES if len(described[c]) <= 40]
    assert {"circle.region.区3", "circle.region.day.区3", "circle.region.night.区3"} <= set(codes)
    assert {
        "event.basketball.E1",
        "event.basketball",
        "value.high",
        "trend.growing",
        "trend.stable",
        "trend.declining",
        "usage.sms_heavy",
        "product.1003.has",
        "product.1003.uses",
        "product.1003.cancelled",
    } <= set(codes)
    circles = [t for t in catalog.tags if t.code.startswith("circle.")]
    assert len(circles) >= 30 and all(t.landmark for t in circles)
    assert {t.level[1] for t in circles} == {"区域归属圈", "人文圈", "需求偏好圈", "动态行为圈"}
