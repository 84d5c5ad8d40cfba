"""msisdn normalisation, the Spark-built-in HMAC against Python's hmac, masking, the key."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import PseudonymSettings
from lifecircle.errors import LifecircleError
from lifecircle.ingest.fields import mask_msisdn_in_line, normalize_msisdn
from lifecircle.ingest.identity import ensure_demo_key, pseudonym_key, subscriber_id

NORMALIZED = {
    "13800138000": "13800138000",
    " 13800138000\t": "13800138000",
    "+8613800138000": "13800138000",
    "8613800138000": "13800138000",
    "\u300013800138000": "13800138000",  # ideographic space
    "86123456789": None,  # 11 digits starting 86: nothing stripped, does not start with 1
    "008613800138000": None,
    "+85213800138000": None,
    "1380013800": None,
    "138001380001": None,
    "1380013800a": None,
    "138 0013 8000": None,
    "23800138000": None,
    "+86 13800138000": None,
    "": None,
}


def test_msisdn_normalisation(spark):
    df = spark.createDataFrame([(k,) for k in NORMALIZED], "raw string")
    got = {r.raw: r.msisdn for r in df.select("raw", normalize_msisdn(F.col("raw")).alias("msisdn")).collect()}
    assert got == NORMALIZED


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"y" * 65 + b"long", "密钥-ключ".encode()])
def test_hmac_in_spark_equals_python_hmac(spark, key):
    numbers = ["13800138000", "13999999999", "10000000000"]
    df = spark.createDataFrame([(n,) for n in numbers], "msisdn string")
    got = {r.msisdn: r.id for r in df.select("msisdn", subscriber_id(F.col("msisdn"), key).alias("id")).collect()}
    assert got == {n: hmac.new(key, n.encode(), hashlib.sha256).hexdigest() for n in numbers}


def test_masking_keeps_three_and_two(spark):
    lines = {
        "13800138000|20261101081523|5|9527|31021": "138******00|20261101081523|5|9527|31021",
        "+8613800138000|x": "+86*********00|x",
        "x|garbage 8613800138000 in the middle": "x|garbage 86138******00 in the middle",
        "a whole line that is one field": "a w*************************ld",
        "12|34": "12|34",
    }
    df = spark.createDataFrame([(k,) for k in lines], "text string")
    masked = df.select("text", mask_msisdn_in_line(F.col("text"), "|", 0, 100).alias("m")).collect()
    assert {r.text: r.m for r in masked} == lines
    csv = spark.createDataFrame([("C1,13800138000,x",)], "text string")
    assert csv.select(mask_msisdn_in_line(F.col("text"), ",", 1, 100)).first()[0] == "C1,138******00,x"


def test_missing_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("LIFECIRCLE_PSEUDONYM_KEY", raising=False)
    with pytest.raises(LifecircleError, match="set the environment variable LIFECIRCLE_PSEUDONYM_KEY"):
        pseudonym_key(PseudonymSettings())


def test_the_job_stops_before_any_write_without_a_key(monkeypatch, landing, ingest, lake):
    monkeypatch.delenv("LIFECIRCLE_PSEUDONYM_KEY", raising=False)
    with pytest.raises(LifecircleError, match="pseudonym key missing"):
        ingest(landing)
    assert lake.tables() == [tables.JOB_RUNS]
    assert lake.read(tables.JOB_RUNS).first().status == "failed"


def test_demo_key_is_created_once_and_exported(monkeypatch, tmp_path):
    monkeypatch.delenv("DEMO_KEY", raising=False)
    path = ensure_demo_key(tmp_path / "work", key_env="DEMO_KEY")
    first = pseudonym_key(PseudonymSettings(key_env="DEMO_KEY"))
    assert len(first) == 64 and (tmp_path / "work" / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    monkeypatch.delenv("DEMO_KEY")
    assert ensure_demo_key(tmp_path / "work", key_env="DEMO_KEY") == path
    assert pseudonym_key(PseudonymSettings(key_env="DEMO_KEY")) == first
