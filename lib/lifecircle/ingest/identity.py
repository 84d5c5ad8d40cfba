"""Pseudonyms: ``subscriber_id`` = lowercase hex HMAC-SHA256(key, normalized msisdn).

The HMAC runs in Spark built-ins, RFC 2104 spelled out:
``HMAC(K, m) = SHA256((K ⊕ opad) ‖ SHA256((K ⊕ ipad) ‖ m))``, with the two padded keys computed
once here in Python and passed as binary literals. The key comes from the environment variable
named by ``conf.pseudonym.key_env``; it is never logged or written anywhere.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lifecircle.config import PseudonymSettings
from lifecircle.errors import LifecircleError

BLOCK = 64  # SHA-256 block size in bytes
DEMO_KEY_FILE = "pseudonym.key"


def pseudonym_key(settings: PseudonymSettings) -> bytes:
    """The HMAC key from the environment, or a one-line error naming the variable to set."""
    value = os.environ.get(settings.key_env, "")
    if not value:
        raise LifecircleError(
            f"pseudonym key missing: set the environment variable {settings.key_env} "
            "(the secret HMAC key for subscriber_id; `lifecircle demo` creates one in its workdir)"
        )
    return value.encode("utf-8")


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
