"""The tag definition language: YAML files under ``conf/tags/``, one per family.

A file::

    family: social
    defaults: {kind: rule, source: stays, level: [生活圈, 人文圈]}
    tags:
      - code: circle.social.office
        name: 写字楼圈
        level: [生活圈, 人文圈, 写字楼圈]      # or "生活圈/人文圈/写字楼圈"; 1 to 3 levels
        when: days_office_ge240m >= reg(3)     # Spark SQL boolean over models/features columns
        landmark: {category: [office]}
      - foreach: [district]                    # a template: one tag per item of each domain
        code: "circle.region.{district}"
        name: "区域归属圈-{district}"
        when: "coalesce(home_district, top_place_district) = {district_q}"
        landmark: {district: "{district}"}

``when`` is a Spark SQL boolean expression or a structured rule ``{all: [...]}``, ``{any: [...]}``,
``{not: ...}`` whose leaves are expressions. ``value`` (optional) is an expression whose text is the
tag's value (valued tags). Macros turn habits into rates over the days the window actually
holds (a first month, or a re-run, may hold two weeks): ``reg(k)`` = max(1, ceil(k ×
observed_days / 7)), "k days a week"; ``mon(k)`` = max(1, ceil(k × observed_days / 30)), "k
times a month"; ``wd(s)`` = max(1, ceil(s × observed_weekdays)), "on a share s of the weekdays". Template variables come from *domains*
(``district``, ``category``, ``group``, ``slot``, ``freq_class``, ``product``, ``event``,
``event_type``, ``brand``, ``tier``); every variable ``x`` also exists as ``x_q``, a quoted SQL
string literal. ``landmark`` names where a life-circle tag's key building is looked for: place
categories, category groups, a district or one place.

:func:`load_catalog` expands and validates everything at start-up and raises
:class:`TagDefinitionError` naming file, tag code and reason.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.errors import ConfigError
from lifecircle.features import vocab

KINDS = ("rule", "statistical", "model")
SOURCES = (
    "features",
    "dwell",
    "dwell_profile",
    "stays",
    "anchors",
    "usage",
    "subscribers",
    "product_status",
    "events",
)
CODE_RE = re.compile(r"^[^\W\d][\w-]*(\.[\w-]+)*$")
_MACROS = {
    "reg": "greatest(1, ceil({0} * observed_days / 7 - 1e-9))",
    "wd": "greatest(1, ceil({0} * observed_weekdays - 1e-9))",
    "mon": "greatest(1, ceil({0} * observed_days / 30 - 1e-9))",
}
_MACRO_RE = re.compile(r"\b(reg|wd|mon)\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)")
_TAG_KEYS = {"code", "name", "level", "kind", "source", "when", "value", "landmark", "foreach", "description"}
_LANDMARK_KEYS = {"category": "cat", "group": "grp", "district": "dist", "place": "place"}


class TagDefinitionError(ConfigError):
    """A tag definition is wrong: the message names the file, the tag code and the reason."""


@dataclass(frozen=True)
class TagDef:
    code: str
    name: str
    level: tuple[str, ...]
    kind: str
    source: str
    family: str
    when: str  # Spark SQL boolean, macros expanded
    value: str | None = None  # Spark SQL expression whose text is the tag value
    landmark: tuple[str, ...] = ()  # candidate keys: cat:<c>, grp:<g>, dist:<d>, place:<p>
    file: str = ""
    description: str = ""

    @property
    def level_path(self) -> str:
        return "/".join(self.level)


@dataclass
class Catalog:
    tags: list[TagDef] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tags)

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.tags]


def sql_quote(value: Any) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def expand_macros(text: str) -> str:
    return _MACRO_RE.sub(lambda m: "(" + _MACROS[m.group(1)].format(m.group(2)) + ")", text)


def static_domains(slots: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Domains that do not depend on the data: categories, groups, slots, frequency classes, BOSS enums."""
    return {
        "category": [
            {"category": k, "category_zh": c[3], "category_l1": c[0]} for k, c in vocab.CATEGORIES.items()
        ],
        "group": [{"group": g} for g in vocab.groups()],
        "slot": [{"slot": s} for s in slots],
        "freq_class": [
            {"freq_class": "frequent", "freq_class_zh": "经常到达"},
            {"freq_class": "general", "freq_class_zh": "一般到达"},
            {"freq_class": "occasional", "freq_class_zh": "偶尔到达"},
        ],
        "brand": [
            {"brand": b, "brand_zh": z}
            for b, z in (("gotone", "全球通"), ("mzone", "动感地带"), ("easyown", "神州行"))
        ],
        "tier": [
            {"tier": t, "tier_zh": z}
            for t, z in (
                ("diamond", "钻石"),
                ("platinum", "白金"),
                ("gold", "金卡"),
                ("silver", "银卡"),
                ("normal", "普通"),
            )
        ],
    }


class _Formatter(string.Formatter):
    def get_value(self, key, args, kwargs):
        if isinstance(key, str) and key not in kwargs:
            raise KeyError(key)
        return super().get_value(key, args, kwargs)


_FMT = _Formatter()


def _fill(template: Any, variables: Mapping[str, Any], where: str) -> Any:
    if isinstance(template, str):
        try:
            return _FMT.vformat(template, (), variables)
        except KeyError as exc:
            raise TagDefinitionError(f"{where}: unknown template variable {{{exc.args[0]}}}") from None
        except (ValueError, IndexError) as exc:
            raise TagDefinitionError(f"{where}: bad template text {template!r} ({exc})") from None
    if isinstance(template, list):
        return [_fill(t, variables, where) for t in template]
    if isinstance(template, dict):
        return {k: _fill(v, variables, where) for k, v in template.items()}
    return template


def _with_quoted(item: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(item)
    out.update({f"{k}_q": sql_quote(v) for k, v in item.items()})
    return out


def _rule_text(rule: Any, where: str) -> str:
    """A structured rule ({all|any: [...]}, {not: ...}) or an expression → one SQL expression."""
    if isinstance(rule, str):
        if not rule.strip():
            raise TagDefinitionError(f"{where}: empty definition")
        return expand_macros(rule.strip())
    if isinstance(rule, bool | int | float):
        return str(rule).lower()
    if isinstance(rule, dict) and len(rule) == 1:
        ((op, arg),) = rule.items()
        if op in ("all", "any") and isinstance(arg, list) and arg:
            joiner = " AND " if op == "all" else " OR "
            return "(" + joiner.join(f"({_rule_text(a, where)})" for a in arg) + ")"
        if op == "not":
            return f"(NOT ({_rule_text(arg, where)}))"
    raise TagDefinitionError(
        f"{where}: definition must be an expression or {{all|any: [...]}} / {{not: ...}}"
    )


def _level(raw: Any, where: str) -> tuple[str, ...]:
    parts = raw.split("/") if isinstance(raw, str) else raw
    if not isinstance(parts, list | tuple) or not 1 <= len(parts) <= 3:
        raise TagDefinitionError(f"{where}: bad level path {raw!r} (1 to 3 levels, L1/L2/L3)")
    out = tuple(str(p).strip() if isinstance(p, str) else "" for p in parts)
    if any(not p or "/" in p for p in out):
        raise TagDefinitionError(f"{where}: bad level path {raw!r} (levels must be non-empty texts)")
    return out


def _landmark(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise TagDefinitionError(f"{where}: landmark must be a mapping of category/group/district/place")
    keys: list[str] = []
    groups = vocab.groups()
    for kind, values in raw.items():
        if kind not in _LANDMARK_KEYS:
            raise TagDefinitionError(
                f"{where}: landmark key {kind!r} unknown (known: {', '.join(_LANDMARK_KEYS)})"
            )
        values = values if isinstance(values, list) else [values]
        for v in values:
            v = str(v)
            if kind == "category" and v not in vocab.CATEGORIES:
                raise TagDefinitionError(f"{where}: landmark category {v!r} unknown")
            if kind == "group" and v not in groups:
                raise TagDefinitionError(f"{where}: landmark group {v!r} unknown")
            keys.append(f"{_LANDMARK_KEYS[kind]}:{v}")
    return tuple(keys)


def _build(entry: Mapping[str, Any], defaults: Mapping[str, Any], family: str, file: str) -> TagDef:
    code = entry.get("code")
    where = f"{file}: tag {code}"
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise TagDefinitionError(f"{where}: bad code (dot-separated words, e.g. circle.social.office)")
    unknown = set(entry) - _TAG_KEYS
    if unknown:
        raise TagDefinitionError(f"{where}: unknown keys {sorted(unknown)}")
    merged = {**defaults, **entry}
    for key in ("name", "level", "when"):
        if merged.get(key) in (None, ""):
            raise TagDefinitionError(f"{where}: missing {key}")
    kind = merged.get("kind", "rule")
    if kind not in KINDS:
        raise TagDefinitionError(f"{where}: kind {kind!r} must be one of {', '.join(KINDS)}")
    source = merged.get("source", "features")
    if source not in SOURCES:
        raise TagDefinitionError(f"{where}: source {source!r} must be one of {', '.join(SOURCES)}")
    value = merged.get("value")
    return TagDef(
        code=code,
        name=str(merged["name"]),
        level=_level(merged["level"], where),
        kind=kind,
        source=source,
        family=family,
        when=_rule_text(merged["when"], where),
        value=expand_macros(str(value)) if value not in (None, "") else None,
        landmark=_landmark(merged.get("landmark"), where),
        file=file,
        description=str(merged.get("description", "")),
    )


def expand_file(
    data: Mapping[str, Any], file: str, domains: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[TagDef]:
    """The tags of one parsed YAML file, templates expanded (no SQL checks yet)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("tags"), list):
        raise TagDefinitionError(f"{file}: top level must be a mapping with a 'tags' list")
    family = str(data.get("family") or Path(file).stem)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise TagDefinitionError(f"{file}: defaults must be a mapping")
    out: list[TagDef] = []
    for i, entry in enumerate(data["tags"]):
        if not isinstance(entry, Mapping):
            raise TagDefinitionError(f"{file}: entry {i + 1} is not a mapping")
        foreach = entry.get("foreach")
        if foreach is None:
            out.append(_build(entry, defaults, family, file))
            continue
        names = [foreach] if isinstance(foreach, str) else list(foreach)
        where = f"{file}: template {entry.get('code')}"
        missing = [n for n in names if n not in domains]
        if missing:
            raise TagDefinitionError(
                f"{where}: unknown domain {missing} (known: {', '.join(sorted(domains))})"
            )
        body = {k: v for k, v in entry.items() if k != "foreach"}
        for combo in itertools.product(*[domains[n] for n in names]):
            variables: dict[str, Any] = {}
            for item in combo:
                variables.update(_with_quoted(item))
            out.append(_build(_fill(body, variables, where), defaults, family, file))
    return out


def read_files(directory: str | Path) -> list[tuple[str, Any]]:
    folder = Path(directory)
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise TagDefinitionError(f"{folder}: no tag files (*.yaml)")
    out = []
    for path in files:
        try:
            out.append((path.name, yaml.safe_load(path.read_text(encoding="utf-8"))))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            raise TagDefinitionError(f"{path.name}:{line} not valid YAML") from None
    return out


def check_unique(tags: Sequence[TagDef]) -> None:
    seen: dict[str, TagDef] = {}
    for t in tags:
        if t.code in seen:
            raise TagDefinitionError(
                f"{t.file}: tag {t.code}: duplicate code (also defined in {seen[t.code].file})"
            )
        seen[t.code] = t


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return re.sub(r"\s+", " ", text.splitlines()[0] if text else type(exc).__name__)[:300]


def check_sql(spark: SparkSession, tags: Sequence[TagDef], schema: T.StructType) -> None:
    """Parse and resolve every definition against the feature schema (one analysis if all is well)."""
    empty = spark.createDataFrame([], schema)

    columns = []
    for i, t in enumerate(tags):
        columns.append(F.expr(t.when).alias(f"w{i}"))
        if t.value:
            columns.append(F.expr(t.value).alias(f"v{i}"))
    try:
        resolved = empty.select(*columns).schema if columns else T.StructType([])
    except Exception:
        resolved = None
    if resolved is not None:
        for i, t in enumerate(tags):
            if resolved[f"w{i}"].dataType != T.BooleanType():
                raise TagDefinitionError(
                    f"{t.file}: tag {t.code}: definition is {resolved[f'w{i}'].dataType.simpleString()}, not boolean"
                )
        return
    for t in tags:  # something failed: find the first culprit
        for label, text in (("definition", t.when), ("value", t.value)):
            if not text:
                continue
            try:
                empty.select(F.expr(text)).schema  # noqa: B018 - forces analysis
            except Exception as exc:
                name = type(exc).__name__
                if "Parse" in name:
                    reason = f"SQL syntax error in {label}: {_first_line(exc)}"
                elif "UNRESOLVED_COLUMN" in str(exc):
                    reason = f"unknown column in {label}: {_first_line(exc)}"
                else:
                    reason = f"invalid {label}: {_first_line(exc)}"
                raise TagDefinitionError(f"{t.file}: tag {t.code}: {reason}") from None
    raise TagDefinitionError("tag definitions failed to resolve together (check the definitions)")


def load_catalog(
    directory: str | Path,
    domains: Mapping[str, Sequence[Mapping[str, Any]]],
    spark: SparkSession | None = None,
    schema: T.StructType | None = None,
) -> Catalog:
    """Read, expand and validate every tag file; SQL is checked when ``spark`` and ``schema`` are given."""
    tags: list[TagDef] = []
    for name, data in read_files(directory):
        tags += expand_file(data, name, domains)
    check_unique(tags)
    if spark is not None and schema is not None:
        check_sql(spark, tags, schema)
    return Catalog(tags)
