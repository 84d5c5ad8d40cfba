"""The vault: its own owner-only root beside the lake, never listed or maintained with the lake's
tables, opened only by lifecircle/vault.py; an ingest with another key changes nothing. That no raw
number of the vault is anywhere else after the whole chain is checked on the chain run of
tests/test_rerun.py (tests/vault_scan.py), which would cost a chain run of its own here."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from lifecircle import tables
from lifecircle.admin import describe_tables, maintain_tables, maintain_vault
from lifecircle.config import load_config
from lifecircle.errors import ConfigError, InputError
from lifecircle.lake import Lake
from lifecircle.progress import quiet
from lifecircle.vault import make_private, read_identity, vault_root

LIB = Path(__file__).resolve().parents[1] / "lib" / "lifecircle"
KEY_ENV = "LIFECIRCLE_PSEUDONYM_KEY"
CELLS = "lac,cell_id,site_id,longitude,latitude,azimuth,district\n9527,31021,S1,113.751,23.047,120,莞城\n"


def write(landing: Path, relative: str, text: str) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_vault_lies_beside_the_lake_unless_conf_says_otherwise(tmp_path):
    conf = load_config()
    assert vault_root(conf, "/data/lake") == "/data/lake_vault"
    assert vault_root(conf, "hdfs://nn/lifecircle/lake/") == "hdfs://nn/lifecircle/lake_vault"
    assert vault_root(load_config(overrides=["vault.root=/secure/v"]), "/data/lake") == "/secure/v"
    for inside in ("/data/lake/vault", "/data/lake", "/data"):
        with pytest.raises(ConfigError, match=r"key 'vault.root' is .* overlaps the lake root /data/lake"):
            vault_root(load_config(overrides=[f"vault.root={inside}"]), "/data/lake")


@pytest.mark.parametrize("scheme", ["", "file://"])
def test_the_vault_root_is_made_owner_only_even_when_it_exists(spark, tmp_path, scheme):
    root = tmp_path / "lake_vault"
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)
    make_private(spark, f"{scheme}{root}")
    assert mode(root) == 0o700
    fresh = tmp_path / "deeper" / "v"
    make_private(spark, f"{scheme}{fresh}")
    assert mode(fresh) == 0o700


def test_only_the_vault_module_opens_the_vault():
    opening = re.compile(r"\.(read|read_or_empty|write|merge|append|optimize|vacuum|describe)\(\s*(tables|registry)\.IDENTITY")
    offenders = sorted(
        str(p.relative_to(LIB)) for p in LIB.rglob("*.py")
        if p.name != "vault.py" and opening.search(p.read_text(encoding="utf-8"))
    )
    assert offenders == []
    assert opening.search("lake.merge(tables.IDENTITY, numbers")


def test_ingest_keeps_the_vault_apart_and_refuses_a_second_key(spark, tmp_path, monkeypatch):
    from lifecircle.ingest.job import run

    conf = load_config()
    landing, lake = tmp_path / "landing", Lake(spark, str(tmp_path / "lake"))
    write(landing, "params/cells.csv", CELLS)
    write(landing, "signaling/20261101/a.txt", "13800138000|20261101080000|5|9527|31021\n")
    run(spark, conf, str(landing), lake.root, progress=quiet())

    vault = tmp_path / "lake_vault"
    assert mode(vault) == 0o700 and (vault / tables.IDENTITY / "_delta_log").is_dir()
    assert tables.IDENTITY not in lake.tables() and tables.LAKE_KEY in lake.tables()
    assert tables.IDENTITY not in [i.table for i in describe_tables(lake)]
    assert tables.IDENTITY not in [m.table for m in maintain_tables(lake)]
    with pytest.raises(InputError, match="not a lake table"):
        maintain_tables(lake, [tables.IDENTITY])
    assert maintain_vault(spark, conf, lake.root).table == tables.IDENTITY
    assert [r.msisdn for r in read_identity(spark, conf, lake.root).collect()] == ["13800138000"]

    def versions() -> dict:
        found = {t: lake.version(t) for t in lake.tables() if t != tables.JOB_RUNS}
        return {**found, "vault": Lake(spark, str(vault)).version(tables.IDENTITY)}

    before = versions()
    write(landing, "signaling/20261101/b.txt", "13900139000|20261101090000|5|9527|31021\n")
    monkeypatch.setenv(KEY_ENV, "another-key")
    with pytest.raises(InputError, match=f"^{KEY_ENV} is not the key the lake"):
        run(spark, conf, str(landing), lake.root, progress=quiet())
    assert versions() == before
