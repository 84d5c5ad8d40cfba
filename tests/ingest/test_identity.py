"""msisdn normalisation, the Spark-built-in HMAC against Python's hmac, masking, the key and the
one-key-per-lake check."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import PseudonymSettings
from lifecircle.errors import InputError, LifecircleError
from lifecircle.ingest.fields import mask_msisdn_in_line, mask_numbers_in_text, normalize_msisdn
from lifecircle.ingest.identity import (
    FINGERPRINT_TEXT,
    ensure_demo_key,
    key_fingerprint,
    pseudonym_key,
    require_lake_key,
    subscriber_id,
)
from lifecircle.lake import Lake
from lifecircle.vault import vault_root

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


MASKED = {
    # every run of >= 10 digits, wherever it stands, with +, 00, spaces or dashes inside
    "13800138000": "138******00",
    "8613800138000": "86138******00",
    "+8613800138000": "+86138******00",
    "008613800138000": "0086138******00",
    "+86 138 0013 8000": "+86 138 **** **00",
    "0086-138-0013-8000": "0086-138-****-**00",
    "138-0013-8000": "138-****-**00",
    "call me: 138 0013 8000!": "call me: 138 **** **00!",
    "x13800138000y": "x138******00y",
    "1234567890": "123*****90",
    "123456789012": "123*******12",
    "0769-2233-4455": "076*-****-**55",
    "+1 415 555 2671": "+1 41* *** **71",
    "5+8613800138000": "5+86138******00",
    # a timestamp glued to a number is one longer run: masked
    "1380013800020261101081523": "138********************23",
    "2026110108000013800138000": "202********************00",
    "2026-11-05 13800138000": "202*-**-** *********00",
    "20261101080000 5": "202**********0 5",
    # what is not a run of >= 10 digits stays
    "123456789": "123456789",
    "138 0013 80": "138 0013 80",  # 9 digits
    "138 0013 800": "138 **** *00",  # 10
    "20261101": "20261101",
    "2026-11-01": "2026-11-01",
    "12.50,3,-4": "12.50,3,-4",
    "1380013-8000 - 12": "138****-**00 - 12",
    "138--0013--8000": "138--0013--8000",
    # the interface files' own timestamps stay: often they are why a line was rejected
    "20261101080000": "20261101080000",
    "x|20261101081523|5": "x|20261101081523|5",
    "2026-11-05 10:00:00": "2026-11-05 10:00:00",
    "2026-11-05T10:00:00": "2026-11-05T10:00:00",
    # ... but not digit runs merely as long as one
    "20261341080000": "202*********00",
    "13901011200000": "139*********00",
}


def test_every_run_of_ten_digits_is_masked_and_nothing_else(spark):
    df = spark.createDataFrame([(k,) for k in MASKED], "text string")
    got = {r.text: r.m for r in df.select("text", mask_numbers_in_text(F.col("text")).alias("m")).collect()}
    assert got == MASKED


def test_a_line_cut_to_max_chars_never_keeps_a_cut_number(spark):
    line = "x" * 15 + "13800138000|20261101081523"  # the number straddles the cut at 20
    df = spark.createDataFrame([(line,)], "text string")
    assert df.select(mask_msisdn_in_line(F.col("text"), "|", 3, 20)).first()[0] == "x" * 15 + "138**"


def test_the_fingerprint_is_an_hmac_of_a_fixed_text_not_the_key():
    key = b"secret-key"
    assert key_fingerprint(key) == hmac.new(key, FINGERPRINT_TEXT, hashlib.sha256).hexdigest()
    assert key_fingerprint(key) != key_fingerprint(b"secret-kez") and "secret" not in key_fingerprint(key)


def test_one_key_per_lake(spark, conf, lake):
    first = require_lake_key(spark, conf, lake, b"key-a")
    assert first is not None and first.table == tables.LAKE_KEY
    [row] = lake.read(tables.LAKE_KEY).collect()
    assert row.fingerprint == key_fingerprint(b"key-a") and "key-a" not in " ".join(map(str, row))
    assert require_lake_key(spark, conf, lake, b"key-a") is None
    with pytest.raises(InputError, match=r"^LIFECIRCLE_PSEUDONYM_KEY is not the key the lake .* nothing was written$"):
        require_lake_key(spark, conf, lake, b"key-b")
    assert lake.version(tables.LAKE_KEY) == first.version


def _identity(spark, key: bytes):
    numbers = spark.createDataFrame([("13800138000",), ("13900139000",)], "msisdn string")
    return numbers.select(subscriber_id(F.col("msisdn"), key).alias("subscriber_id"), "msisdn")


def test_a_lake_of_an_older_version_keeps_the_key_of_its_vault(spark, conf, lake):
    # As written before this change: vault/identity under the lake root, no fingerprint.
    lake.write(tables.IDENTITY, _identity(spark, b"key-a"))
    vault = Lake(spark, vault_root(conf, lake.root))
    with pytest.raises(InputError, match="is not the key the subscriber_ids of .* were made with"):
        require_lake_key(spark, conf, lake, b"key-b")
    assert not lake.exists(tables.IDENTITY) and vault.read(tables.IDENTITY).count() == 2  # moved, whole
    assert not lake.exists(tables.LAKE_KEY)
    assert require_lake_key(spark, conf, lake, b"key-a") is not None
    assert lake.read(tables.LAKE_KEY).first().fingerprint == key_fingerprint(b"key-a")


def test_a_lake_without_fingerprint_or_vault_takes_the_first_key(spark, conf, lake):
    lake.write("scratch/things", spark.createDataFrame([(1,)], "n int"))
    assert require_lake_key(spark, conf, lake, b"key-c") is not None
    with pytest.raises(InputError):
        require_lake_key(spark, conf, lake, b"key-a")
