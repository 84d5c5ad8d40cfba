"""The vault: its own owner-only root beside the lake, never listed or maintained with the lake's
tables, opened only by lifecircle/vault.py; an ingest with another key changes nothing; and after
the whole chain no raw number of the vault is anywhere else (lake, MLflow store, logs, output)."""

from __future__ import annotations

import os
import re
import shutil
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


def numbers_in(data: bytes, numbers: set[str]) -> set[str]:
    """The numbers found in ``data``, as text in UTF-8 (also UTF-16, as some stores write), bare or 86-prefixed."""
    found = set()
    for n in numbers:
        for form in (n, f"86{n}"):
            if any(form.encode(enc) in data for enc in ("utf-8", "utf-16-le", "utf-16-be")):
                found.add(n)
    return found


@pytest.mark.slow
def test_after_the_chain_no_number_of_the_vault_is_anywhere_else(spark, tmp_path, capfd, session_overlay):
    from lifecircle import cli
    from lifecircle.simulate import simulate_city

    root = tmp_path / "city"
    simulate_city(root / "landing", root / "truth", subscribers=60, days=3, seed=5)
    lake, mlflow = root / "lake", root / "mlruns"
    args = ["--conf", session_overlay, "--set", f"mlflow.dir={mlflow}", "--set", "models.training.min_positives=3",
            "run", "--landing", str(root / "landing"), "--lake", str(lake), "--start", "2026-11-01", "--end", "2026-11-03"]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    out, err = capfd.readouterr()
    assert exit_info.value.code == 0, err
    (root / "run.log").write_text(out + err, encoding="utf-8")

    vault = root / "lake_vault"
    numbers = {r.msisdn for r in read_identity(spark, load_config(), str(lake)).collect()}
    assert len(numbers) >= 50 and mode(vault) == 0o700
    # Everything the chain wrote outside the vault; the landing and the truth hold the raw numbers by design.
    shutil.rmtree(root / "landing")
    shutil.rmtree(root / "truth")
    scanned, leaks = 0, {}
    for path in root.rglob("*"):
        if path.is_file() and vault not in path.parents:
            scanned += 1
            found = numbers_in(path.read_bytes(), numbers)
            if found:
                leaks[str(path.relative_to(root))] = sorted(found)[:3]
    # Parquet pages may be compressed: read every table's values as text too.
    def values(store: Lake, table: str) -> bytes:
        return " ".join(" ".join(map(str, row)) for row in store.read(table).collect()).encode("utf-8")

    lake_store = Lake(spark, str(lake))
    for table in lake_store.tables():
        found = numbers_in(values(lake_store, table), numbers)
        if found:
            leaks[table] = sorted(found)[:3]
    assert numbers_in(values(Lake(spark, str(vault)), tables.IDENTITY), numbers) == numbers  # the scan sees them
    assert scanned > 20 and any(p.is_file() for p in mlflow.rglob("*"))
    assert leaks == {}
