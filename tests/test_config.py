from __future__ import annotations

import dataclasses

import pytest

from lifecircle.config import Config, base_conf_dir, load_config
from lifecircle.errors import ConfigError


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_base_config_loads_into_frozen_dataclasses():
    conf = load_config()
    assert isinstance(conf, Config)
    assert conf.lake.engine == "auto"
    assert conf.time.local_timezone == "Asia/Shanghai"
    assert conf.sources == (str(base_conf_dir() / "base.yaml"),)
    with pytest.raises(dataclasses.FrozenInstanceError):
        conf.lake.engine = "delta-rs"  # type: ignore[misc]


def test_overlay_then_overrides_win(tmp_path):
    overlay = write(tmp_path, "site.yaml", "spark:\n  shuffle_partitions: 64\n  extra:\n    spark.x: 'y'\n")
    conf = load_config([overlay], ["spark.shuffle_partitions=12", "lake.root=/data/lake"])
    assert conf.spark.shuffle_partitions == 12
    assert conf.spark.extra == {"spark.x": "y"}
    assert conf.spark.master == "local[*]"  # untouched keys keep the base value
    assert conf.lake.root == "/data/lake"


def test_unknown_key_names_file_and_key(tmp_path):
    overlay = write(tmp_path, "bad.yaml", "lake:\n  engin: delta-rs\n")
    with pytest.raises(ConfigError) as err:
        load_config([overlay])
    assert str(err.value).startswith(f"{overlay}: key 'lake.engin' is unknown")


def test_unknown_section_names_file_and_key(tmp_path):
    overlay = write(tmp_path, "bad.yaml", "lakes:\n  root: x\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: key 'lakes' is unknown"):
        load_config([overlay])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("spark:\n  shuffle_partitions: many\n", r"key 'spark.shuffle_partitions' must be an integer, got 'many'"),
        ("spark:\n  shuffle_partitions: true\n", r"key 'spark.shuffle_partitions' must be an integer, got True"),
        ("lake:\n  engine: parquet\n", r"key 'lake.engine' must be one of 'auto', 'spark-delta', 'delta-rs'"),
        ("lake:\n  vacuum_retention_hours: [1]\n", r"key 'lake.vacuum_retention_hours' must be a number"),
        ("spark:\n  extra: [a, b]\n", r"key 'spark.extra' must be a mapping"),
        ("spark: 3\n", r"key 'spark' must be a mapping, got 3"),
    ],
)
def test_bad_types_name_file_key_and_problem(tmp_path, text, message):
    overlay = write(tmp_path, "typed.yaml", text)
    with pytest.raises(ConfigError, match=message) as err:
        load_config([overlay])
    assert str(err.value).startswith(str(overlay))


def test_bad_override_is_blamed_on_the_command_line():
    with pytest.raises(ConfigError, match=r"^command line: key 'spark.shuffle_partitions' must be an integer"):
        load_config(overrides=["spark.shuffle_partitions=lots"])
    with pytest.raises(ConfigError, match=r"must look like section.key=value"):
        load_config(overrides=["shuffle_partitions"])


def test_missing_file_and_invalid_yaml(tmp_path):
    with pytest.raises(ConfigError, match=r"nope.yaml: config file not found"):
        load_config([tmp_path / "nope.yaml"])
    broken = write(tmp_path, "broken.yaml", "spark:\n  master: [local\n")
    with pytest.raises(ConfigError, match=r"broken.yaml: line \d+ not valid YAML"):
        load_config([broken])
