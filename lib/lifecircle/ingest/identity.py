"""Pseudonyms: ``subscriber_id`` = lowercase hex HMAC-SHA256(key, normalized msisdn).

The HMAC runs in Spark built-ins, RFC 2104 spelled out:
``HMAC(K, m) = SHA256((K ⊕ opad) ‖ SHA256((K ⊕ ipad) ‖ m))``, with the two padded keys computed
once here in Python and passed as binary literals. The key comes from the environment variable
named by ``conf.pseudonym.key_env``; it is never logged or written anywhere.

One key per lake: a second key would give every number a second ``subscriber_id`` and split each
subscriber's history in two. The lake keeps the key's fingerprint in ``ops/lake_key`` (a registered
table, not a side file: it is committed, copied and checked like every other table, and any Delta
reader sees it), written by the first ingest; an ingest with another key is refused before it
writes. A lake written before fingerprints existed is checked against one pair of its vault if it
has one, else the key of its next ingest wins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle import tables, vault
from lifecircle.config import Config, PseudonymSettings
from lifecircle.errors import InputError, LifecircleError
from lifecircle.lake import CommitInfo, Lake

BLOCK = 64  # SHA-256 block size in bytes
DEMO_KEY_FILE = "pseudonym.key"
# What the fingerprint is the HMAC of: not a number, so it is no subscriber_id of anyone.
FINGERPRINT_TEXT = b"lifecircle lake key fingerprint v1"
FINGERPRINT_ALGORITHM = "HMAC-SHA256(key, 'lifecircle lake key fingerprint v1'), hex"


def pseudonym_key(settings: PseudonymSettings) -> bytes:
    """The HMAC key from the environment, or a one-line error naming the variable to set."""
    value = os.environ.get(settings.key_env, "")
    if not value:
        raise LifecircleError(
            f"pseudonym key missing: set the environment variable {settings.key_env} "
            "(the secret HMAC key for subscriber_id; `lifecircle demo` creates one in its workdir)"
        )
    return value.encode("utf-8")


def key_fingerprint(key: bytes) -> str:
    """What the lake keeps of its key: the key cannot be recovered from it, a wrong key is told."""
    return hmac.new(key, FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def require_lake_key(spark: SparkSession, conf: Config, lake: Lake, key: bytes) -> CommitInfo | None:
    """Refuse a key that is not the lake's, before anything is written; on a lake without a
    fingerprint yet, write the key's (the commit is returned). A vault/identity left under the lake
    root by an older version is moved into the vault first."""
    vault.vault_root(conf, lake.root)  # a vault.root inside the lake fails here, not after the writes
    vault.move_legacy_identity(spark, conf, lake)
    env = conf.pseudonym.key_env
    if lake.exists(tables.LAKE_KEY):
        kept = {r.fingerprint for r in lake.read(tables.LAKE_KEY).select("fingerprint").limit(2).collect()}
        if kept == {key_fingerprint(key)}:
            return None
        raise InputError(
            f"{env} is not the key the lake {lake.root} was written with (fingerprint in {tables.LAKE_KEY} "
            "differs): set that key, or ingest into a new lake; nothing was written"
        )
    sample = vault.identity_sample(spark, conf, lake.root)
    if sample is not None and hmac.new(key, sample[1].encode("utf-8"), hashlib.sha256).hexdigest() != sample[0]:
        raise InputError(
            f"{env} is not the key the subscriber_ids of {lake.root} were made with ({tables.IDENTITY} in "
            f"{vault.vault_root(conf, lake.root)} disagrees): set that key; nothing was written"
        )
    row = (key_fingerprint(key), FINGERPRINT_ALGORITHM, dt.datetime.now(dt.UTC))
    return lake.write(tables.LAKE_KEY, spark.createDataFrame([row], tables.LAKE_KEY.schema))


def padded_keys(key: bytes) -> tuple[bytes, bytes]:
    """(K ⊕ ipad, K ⊕ opad) for a key of any length."""
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def subscriber_id(msisdn: Column, key: bytes) -> Column:
    """HMAC-SHA256 of the msisdn text as lowercase hex (null stays null)."""
    inner_pad, outer_pad = padded_keys(key)
    inner = F.unhex(F.sha2(F.concat(F.lit(inner_pad), F.encode(msisdn, "UTF-8")), 256))
    return F.sha2(F.concat(F.lit(outer_pad), inner), 256)


def identity_rows(classified: DataFrame, key: bytes) -> DataFrame:
    """vault/identity rows of the numbers accepted from one source.

    Distinct numbers first, pseudonyms after: hashing 11-character keys in the aggregation is
    cheaper than 75-character pairs, and the HMAC runs once per subscriber instead of per row.
    """
    numbers = (
        classified.where((F.col("outcome") == F.lit("accepted")) & F.col("msisdn").isNotNull())
        .select(F.col("msisdn"))
        .distinct()
    )
    return numbers.select(subscriber_id(F.col("msisdn"), key).alias("subscriber_id"), F.col("msisdn"))


def ensure_demo_key(workdir: str | Path, key_env: str = PseudonymSettings.key_env) -> str:
    """Create (once) or read ``<workdir>/pseudonym.key``, export it as ``key_env``, return the file path.

    For demos only: a real deployment injects the key from its secret store.
    """
    path = Path(workdir) / DEMO_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        path.chmod(0o600)
    os.environ[key_env] = path.read_text(encoding="utf-8").strip()
    return str(path)
