"""Layered YAML configuration into frozen dataclasses, validated at start-up.

Layers, later wins: the packaged ``conf/base.yaml``, then each ``--conf`` overlay file, then explicit
``key.path=value`` overrides from the command line. Every leaf remembers which layer set it, so an
error can name the file, the key and the problem in one line.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from lifecircle.errors import ConfigError
from lifecircle.ingest.settings import IngestSettings
from lifecircle.mobility.settings import MobilitySettings
from lifecircle.models.settings import MlflowSettings, ModelSettings
from lifecircle.tags.settings import TagSettings

CLI_ORIGIN = "command line"


@dataclass(frozen=True)
class SparkSettings:
    master: str = "local[*]"
    app_name: str = "lifecircle"
    shuffle_partitions: int = 8
    driver_memory: str = "4g"
    log_level: str = "WARN"
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LakeSettings:
    root: str = "lake"
    engine: Literal["auto", "spark-delta", "delta-rs"] = "auto"
    commit_retries: int = 10
    vacuum_retention_hours: float = 168.0
    target_file_mb: int = 128
    lease_ttl_s: float = 600.0  # a job's lease is stale this long after its last heartbeat
    lease_heartbeat_s: float = 30.0


@dataclass(frozen=True)
class TimeSettings:
    local_timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class PseudonymSettings:
    key_env: str = "LIFECIRCLE_PSEUDONYM_KEY"


@dataclass(frozen=True)
class VaultSettings:
    """Where vault/identity (the raw msisdns) lives: its own root, never inside the lake's."""

    root: str = ""  # empty: beside the lake, <lake root>_vault (checked against --lake by lifecircle.vault)


@dataclass(frozen=True)
class Config:
    spark: SparkSettings = field(default_factory=SparkSettings)
    lake: LakeSettings = field(default_factory=LakeSettings)
    time: TimeSettings = field(default_factory=TimeSettings)
    pseudonym: PseudonymSettings = field(default_factory=PseudonymSettings)
    vault: VaultSettings = field(default_factory=VaultSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    mobility: MobilitySettings = field(default_factory=MobilitySettings)
    tags: TagSettings = field(default_factory=TagSettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    mlflow: MlflowSettings = field(default_factory=MlflowSettings)
    sources: tuple[str, ...] = ()


def base_conf_dir() -> Path:
    """The packaged conf/ folder (works for editable and regular installs alike)."""
    return Path(str(importlib.resources.files("lifecircle.conf")))


def load_config(
    overlays: Sequence[str | Path] = (),
    overrides: Sequence[str] | Mapping[str, Any] = (),
    base: str | Path | None = None,
) -> Config:
    """Read base + overlays + overrides and return a validated, frozen :class:`Config`."""
    base_path = Path(base) if base is not None else base_conf_dir() / "base.yaml"
    layers = [(str(base_path), read_yaml(base_path))]
    layers += [(str(p), read_yaml(Path(p))) for p in overlays]
    layers.append((CLI_ORIGIN, _parse_overrides(overrides)))

    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for origin, data in layers:
        _merge(merged, data, origins, origin, prefix="")
    built = build_dataclass(Config, merged, origins, prefix="")
    return dataclasses.replace(built, sources=tuple(o for o, _ in layers[:-1]))


def read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{where} not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping of sections, got {type(data).__name__}")
    return data


def _parse_overrides(overrides: Sequence[str] | Mapping[str, Any]) -> dict[str, Any]:
    items = overrides.items() if isinstance(overrides, Mapping) else [_split_override(o) for o in overrides]
    nested: dict[str, Any] = {}
    for dotted, value in items:
        node = nested
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _split_override(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"{CLI_ORIGIN}: override {text!r} must look like section.key=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def _merge(target: dict, data: Mapping, origins: dict[str, str], origin: str, prefix: str) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value, origins, origin, prefix=f"{dotted}.")
            continue
        target[key] = _plain(value)
        origins[dotted] = origin


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def origin_of(origins: Mapping[str, str], dotted: str) -> str:
    """The layer that set ``dotted`` or its closest parent (a whole section may come from one file)."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in origins:
            return origins[key]
    return "defaults"


def build_dataclass(cls: type, data: Any, origins: Mapping[str, str], prefix: str) -> Any:
    """Build ``cls`` from a nested mapping, naming file, key and problem on the first error."""
    where = prefix.rstrip(".") or "(top level)"
    if not isinstance(data, Mapping):
        raise ConfigError(f"{origin_of(origins, where)}: key '{where}' must be a mapping, got {data!r}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    for key in data:
        if key not in names:
            dotted = f"{prefix}{key}"
            known = ", ".join(sorted(names))
            raise ConfigError(f"{origin_of(origins, dotted)}: key '{dotted}' is unknown (known here: {known})")
    kwargs = {key: _coerce(hints[key], value, origins, f"{prefix}{key}") for key, value in data.items()}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin_of(origins, where)}: section '{where}' is invalid: {exc}") from None


def _coerce(tp: Any, value: Any, origins: Mapping[str, str], dotted: str) -> Any:
    def fail(expected: str) -> typing.NoReturn:
        raise ConfigError(
            f"{origin_of(origins, dotted)}: key '{dotted}' must be {expected}, got {value!r}"
        )

    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        return build_dataclass(tp, value, origins, f"{dotted}.")
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _coerce(inner[0], value, origins, dotted)
        for candidate in inner:
            try:
                return _coerce(candidate, value, origins, dotted)
            except ConfigError:
                continue
        fail(" or ".join(getattr(a, "__name__", str(a)) for a in inner))
    if origin is Literal:
        if value not in args:
            fail("one of " + ", ".join(repr(a) for a in args))
        return value
    if tp is bool:
        if not isinstance(value, bool):
            fail("true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            fail("an integer")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            fail("a number")
        return float(value)
    if tp is str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            fail("a string")
        return str(value)
    if origin in (list, tuple, Sequence):
        if not isinstance(value, list | tuple):
            fail("a list")
        item_tp = args[0] if args else Any
        items = [_coerce(item_tp, v, origins, f"{dotted}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            fail("a mapping")
        val_tp = args[1] if len(args) == 2 else Any
        return {str(k): _coerce(val_tp, v, origins, f"{dotted}.{k}") for k, v in value.items()}
    raise ConfigError(f"{origin_of(origins, dotted)}: key '{dotted}' has unsupported type {tp!r}")
