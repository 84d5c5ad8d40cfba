"""The vault: ``vault/identity`` (subscriber_id ↔ raw msisdn) under a root of its own.

Raw numbers live nowhere else. The vault is a :class:`Lake` of its own *beside* the lake
(``<lake root>_vault`` unless ``vault.root`` says otherwise), never inside it: ``lifecircle tables``
and ``maintain`` on the lake never see it, and whoever may read, copy or back up the lake gets no
numbers with it. Its root is owner-only (mode 0700) so that the lake's readers cannot open it.

This module is the only code that opens the vault root: the ingest writes through
:func:`write_identity`, the OCRM export (module E) reads through :func:`read_identity`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession

from lifecircle import tables
from lifecircle.config import Config
from lifecircle.errors import ConfigError, InputError
from lifecircle.lake import CommitInfo, HadoopFS, Lake
from lifecircle.lake.types import absolute_uri

OWNER_ONLY = 0o700
SUFFIX = "_vault"


@dataclass(frozen=True)
class VaultMaintenance:
    files_before: int
    files_after: int
    vacuumed: int


def vault_root(conf: Config, lake_root: str | None = None) -> str:
    """The vault's root for the lake at ``lake_root`` (default ``lake.root``): ``vault.root`` or the
    sibling ``<lake root>_vault``; refused when one of the two roots lies inside the other."""
    lake = absolute_uri(lake_root or conf.lake.root)
    root = absolute_uri(conf.vault.root) if conf.vault.root else f"{lake}{SUFFIX}"
    if _within(root, lake) or _within(lake, root):
        sources = ", ".join(conf.sources) or "defaults"
        raise ConfigError(
            f"{sources}: key 'vault.root' is {root}, which overlaps the lake root {lake}: the vault must "
            f"lie outside the lake (leave vault.root empty for {lake}{SUFFIX})"
        )
    return root


def write_identity(spark: SparkSession, conf: Config, lake_root: str, numbers: DataFrame) -> CommitInfo:
    """Upsert ``numbers`` (subscriber_id, msisdn) into the vault, creating it owner-only."""
    vault = _open(spark, conf, lake_root)
    make_private(spark, vault.root)
    return vault.merge(tables.IDENTITY, numbers, ["subscriber_id"])


def read_identity(spark: SparkSession, conf: Config, lake_root: str | None = None) -> DataFrame:
    """subscriber_id → msisdn, for the OCRM export only (nothing else may join numbers back)."""
    vault = _open(spark, conf, lake_root)
    if not vault.exists(tables.IDENTITY):
        raise InputError(f"{tables.IDENTITY} missing under the vault root {vault.root}: run ingest first (or set vault.root)")
    return vault.read(tables.IDENTITY)


def identity_sample(spark: SparkSession, conf: Config, lake_root: str) -> tuple[str, str] | None:
    """One (subscriber_id, msisdn) pair of the vault, or None: lets the ingest tell whether a key is
    the one an older lake, written before key fingerprints, was pseudonymised with."""
    vault = _open(spark, conf, lake_root)
    if not vault.exists(tables.IDENTITY):
        return None
    row = vault.read(tables.IDENTITY).where("msisdn IS NOT NULL AND subscriber_id IS NOT NULL").limit(1).collect()
    return (row[0].subscriber_id, row[0].msisdn) if row else None


def move_legacy_identity(spark: SparkSession, conf: Config, lake: Lake) -> bool:
    """Move a ``vault/identity`` written under the lake root by an older version into the vault
    (one rename: the Delta log's paths are relative). True when something was moved."""
    if not lake.exists(tables.IDENTITY):
        return False
    vault = _open(spark, conf, lake.root)
    if vault.exists(tables.IDENTITY):
        raise InputError(
            f"{tables.IDENTITY} exists under both the lake root {lake.root} and the vault root {vault.root}: "
            f"merge them into the vault's and delete {lake.uri(tables.IDENTITY)}"
        )
    make_private(spark, vault.root)
    fs = HadoopFS(spark, lake.root)
    try:
        fs.rename(lake.uri(tables.IDENTITY), vault.uri(tables.IDENTITY))
    except Exception as exc:  # another file system, no rights …: the user moves it by hand
        raise InputError(
            f"could not move {lake.uri(tables.IDENTITY)} to {vault.uri(tables.IDENTITY)} ({type(exc).__name__}): "
            "move the folder yourself, then ingest again"
        ) from exc
    layer = f"{lake.root}/{tables.IDENTITY.layer}"
    if not fs.list_dir(layer):
        fs.delete(layer, recursive=False)
    return True


def maintain_identity(
    spark: SparkSession, conf: Config, lake_root: str, retention_hours: float | None = None
) -> VaultMaintenance | None:
    """Compact and vacuum the vault on its own (its old versions hold numbers too); None when absent."""
    vault = _open(spark, conf, lake_root)
    if not vault.exists(tables.IDENTITY):
        return None
    before = vault.describe(tables.IDENTITY).files
    vault.optimize(tables.IDENTITY)
    removed = vault.vacuum(tables.IDENTITY, retention_hours)
    return VaultMaintenance(before, vault.describe(tables.IDENTITY).files, len(removed))


def make_private(spark: SparkSession, root: str) -> None:
    """Create ``root`` if needed and make it owner-only (0700), also when it already existed."""
    if "://" not in root:
        os.makedirs(root, exist_ok=True)
        os.chmod(root, OWNER_ONLY)
        return
    # Any Hadoop URI: setPermission, because mkdirs' permission is subject to the umask.
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(root)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    fs.mkdirs(path)
    fs.setPermission(path, jvm.org.apache.hadoop.fs.permission.FsPermission(f"{OWNER_ONLY:o}"))


def _open(spark: SparkSession, conf: Config, lake_root: str | None) -> Lake:
    return Lake(spark, vault_root(conf, lake_root), conf.lake)


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")
