"""The ingest job: landing files → raw/dim tables, raw/quarantine, ops/ingest_files, and the vault's
vault/identity (under the vault root, see lifecircle.vault).

Each table gets at most one commit per run, the ledger last: a run that fails part-way leaves the
ledger as it was, so the next run ingests the same files again and, because rows of re-ingested
files are replaced rather than added, ends in the same state as an uninterrupted run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce

from pyspark.sql import DataFrame, SparkSession

from lifecircle import tables, vault
from lifecircle.config import Config
from lifecircle.errors import InputError
from lifecircle.ingest import extracts, files, ledger, params, pipeline, quarantine
from lifecircle.ingest.identity import identity_rows, pseudonym_key, require_lake_key
from lifecircle.ingest.lines import file_name, read_lines
from lifecircle.ingest.records import outcome_counts, quarantine_rows
from lifecircle.ingest.summary import Summary
from lifecircle.lake import Lake
from lifecircle.progress import Progress
from lifecircle.runs import JobResult, run_job

# Parameter data first (signaling checks cells against dim/cells), signaling last (the big one).
ORDER = [*params.SPECS, *extracts.SPECS, "signaling"]


def run(
    spark: SparkSession,
    conf: Config,
    landing: str,
    lake_root: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    progress: Progress | None = None,
) -> JobResult:
    """Ingest the landing folder (signaling days and monthly files restricted to [start, end])."""
    if start and end and start > end:
        raise InputError(f"--start {start} is after --end {end}")
    lake = Lake(spark, lake_root, conf.lake)
    job_params = {"landing": landing, "lake": lake.root, "start": start, "end": end}

    def body(result: JobResult, prog: Progress) -> None:
        _ingest(spark, conf, lake, landing, start, end, result, prog)

    return run_job(lake, "ingest", job_params, body, progress)


@dataclass
class _Run:
    """What the kinds of one run hand over to the run-wide commits."""

    now: dt.datetime
    ledger_rows: list[tuple] = field(default_factory=list)
    quarantined: list[DataFrame] = field(default_factory=list)
    identities: list[DataFrame] = field(default_factory=list)
    persisted: list[DataFrame] = field(default_factory=list)
    touched: set[tuple[str, dt.date]] = field(default_factory=set)  # raw/quarantine partitions
    damaged: set[str] = field(default_factory=set)  # files ingested although their bytes are damaged
    since: dict[str, dt.datetime] = field(default_factory=dict)  # files read again -> their version's ingest time

    @property
    def day(self) -> dt.date:
        return self.now.date()


def _ingest(spark, conf: Config, lake: Lake, landing: str, start, end, result: JobResult, progress: Progress) -> None:
    key = pseudonym_key(conf.pseudonym)  # fail before any work when the key is missing
    # Every table ingest reads back (kept rows, the ledger, cells) must be one this version wrote.
    read_back = [s.table for s in (*params.SPECS.values(), *extracts.SPECS.values())]
    lake.require(optional=[*read_back, tables.SIGNALING, tables.QUARANTINE, tables.INGEST_FILES, tables.LAKE_KEY])
    # A second key would give the numbers a second subscriber_id: refused before anything is written.
    if (commit := require_lake_key(spark, conf, lake, key)) is not None:
        result.wrote(commit)
    found, ignored = files.list_landing(spark, landing)
    candidates, problems = files.inspect_files(spark, [f for f in found if files.in_range(f, start, end)])
    progress("list", f"{len(candidates)} interface files in range, {len(ignored)} other files ignored")
    for p in problems:
        progress(f"file problem {p.reason}", f"{p.file.file}: {p.detail}")
    current = ledger.current_versions(lake, candidates)
    decisions = files.decide(candidates, {name: v.sha256 for name, v in current.items()})
    rewrites = files.rewrites(decisions)
    since = ledger.partners(lake, rewrites)
    decisions, missing = files.with_partners(decisions, since)
    if missing:
        _refuse_missing_partners(missing, rewrites)
    todo = decisions.to_ingest
    progress(
        "decide",
        f"{len(decisions.new)} new, {len(decisions.replaced)} replaced, {len(decisions.skipped)} same hash, "
        f"{len(decisions.reread)} read again (they may hold copies of rows that leave)",
    )
    _require_cells(lake, todo)

    state = _Run(dt.datetime.now(dt.UTC), since={f.file: since[f.file] for f in decisions.reread})
    state.ledger_rows += [
        ledger.ledger_row(f, "skipped_same_hash", ledger.FileCounts(), state.now, state.day) for f in decisions.skipped
    ]
    # A damaged file being ingested, or an unreadable one, gets one quarantine row naming the damage.
    ingested = {f.file for f in todo}
    reported = [p for p in problems if p.reason == "unreadable_file" or p.file.file in ingested]
    state.damaged = {p.file.file for p in reported if p.reason != "unreadable_file"}
    unreadable = [p.file for p in reported if p.reason == "unreadable_file"]
    state.ledger_rows += [
        ledger.ledger_row(f, "unreadable", ledger.FileCounts(), state.now, state.day) for f in unreadable
    ]
    if reported:
        state.quarantined.append(quarantine.problem_rows(spark, reported, state.day))
        state.touched |= {(p.file.kind, ledger.file_day(p.file, state.day)) for p in reported}
    # The earlier versions' rejected lines leave their partitions too.
    state.touched |= {(f.kind, current[f.file].day) for f in decisions.replaced if current[f.file].day}
    summary = Summary(ignored=ignored, problems=reported)
    reingested = [f.file for f in todo]
    try:
        for kind in ORDER:
            kind_files = [f for f in todo if f.kind == kind]
            if kind_files:
                _ingest_kind(spark, lake, conf, key, kind, kind_files, reingested, state, summary, result, progress)
        # An unreadable file's quarantine row of an earlier run is replaced, not repeated.
        _commit_run_wide(conf, lake, state, [*reingested, *[f.file for f in unreadable]], result, progress)
    finally:
        for df in state.persisted:
            df.unpersist()

    commit = ledger.commit_ledger(
        lake, state.ledger_rows, [f.file for f in decisions.replaced], [f.file for f in decisions.reread]
    )
    if commit is not None:
        result.wrote(commit)
    summary.files(decisions)
    result.summary = summary.as_dict()
    progress("summary", "\n" + result.summary["text"])


def _refuse_missing_partners(missing: list[str], rewrites: list[files.LandingFile]) -> None:
    """Stop before anything is written: without the missing files the records only they still hold
    would leave the lake with the rows of the files that replace them (module docstring)."""
    def same_scope(name: str, f: files.LandingFile) -> bool:
        kind, day, month = files.classify(name) or (None, None, None)
        return f.kind == kind and (day, month) == (f.day, f.month)

    changed = sorted({f.file for f in rewrites for m in missing if same_scope(m, f)})
    raise InputError(
        f"not ingesting {', '.join(changed)}: the current {', '.join(missing)} may hold the only copies of "
        "records that leave with the earlier version, and cannot be read from the landing folder; "
        "put the missing file back, or take the new one out again (nothing was written)"
    )


def _ranked(kind_files: list[files.LandingFile], since: dict[str, dt.datetime]) -> list[files.LandingFile]:
    """File ids decide which copy of a record is accepted: the files read again first, in the order
    their versions were ingested (the copy stored before stays where it was if its file still holds
    it), then this run's new versions by path."""
    return sorted(kind_files, key=lambda f: (0, since[f.file], f.file) if f.file in since else (1, f.file))


def _require_cells(lake: Lake, todo: list[files.LandingFile]) -> None:
    kinds = {f.kind for f in todo}
    if "signaling" in kinds and "cells" not in kinds and not lake.exists(tables.CELLS):
        raise InputError("signaling needs the cell table: deliver params/cells.csv (dim/cells does not exist yet)")


def _source(lake: Lake, conf: Config, kind: str, result: JobResult) -> pipeline.Source:
    timezone = conf.time.local_timezone
    if kind == "signaling":
        result.read(lake, tables.CELLS)
        return pipeline.signaling_source(lake.read(tables.CELLS), timezone, conf.ingest.cell_buckets)
    spec = params.SPECS.get(kind) or extracts.SPECS[kind]
    return pipeline.csv_source(spec, timezone)


def _ingest_kind(spark, lake, conf, key, kind, kind_files, reingested, state: _Run, summary, result, progress) -> None:
    """Classify one kind's files and commit its table; the rest is left in ``state`` for later."""
    source = _source(lake, conf, kind, result)
    kind_files = _ranked(kind_files, state.since)
    values = sorted({f.day if source.partition == "day" else f.month for f in kind_files}) if source.partition else []
    lines = read_lines(spark, kind_files, conf.ingest.batch_lines, conf.ingest.read_tasks)
    existing, based_on = pipeline.read_existing(lake, source, values, reingested)
    if existing is not None:
        result.inputs[source.table] = based_on
    classified = pipeline.persist(pipeline.compute_classified(lines, source, key, conf.ingest.raw_max_chars, existing))
    state.persisted.append(classified)
    names = file_name(kind_files)
    commit = result.wrote(pipeline.commit_table(lake, source, classified, values, names, based_on))
    counts = outcome_counts(classified, [f.file for f in kind_files])
    read = sum(n for *_, n in counts)
    progress(f"write {source.table}", f"{len(kind_files)} files, {read:,} lines, version {commit.version}", rows=commit.rows_added)

    state.quarantined.append(quarantine_rows(classified, kind, state.day, names))
    state.identities.append(identity_rows(classified, key))
    by_file = ledger.count_by_file(counts)
    for f in kind_files:
        status = "corrupt" if f.file in state.damaged else "current"
        # A file read again is the same version: it keeps its ingest time (and so its rank next time).
        at = state.since.get(f.file, state.now)
        state.ledger_rows.append(ledger.ledger_row(f, status, by_file[f.file], at, state.day))
        if by_file[f.file].quarantined:
            state.touched.add((kind, ledger.file_day(f, state.day)))
    summary.add(kind, kind_files, counts)
    if kind == "places":
        summary.unknown_categories = params.compute_unknown_categories(spark, lake.read(tables.PLACES)).collect()


def _commit_run_wide(
    conf: Config, lake: Lake, state: _Run, reingested: list[str], result: JobResult, progress: Progress
) -> None:
    """raw/quarantine and the vault's vault/identity: one commit each for all kinds of the run."""
    commit = quarantine.commit_quarantine(lake, state.quarantined, reingested, state.touched)
    if commit is not None:
        result.wrote(commit)
        progress("write raw/quarantine", f"version {commit.version}", rows=commit.rows_added)
    if state.identities:
        numbers = reduce(DataFrame.unionByName, state.identities).distinct()
        commit = result.wrote(vault.write_identity(lake.spark, conf, lake.root, numbers))
        progress(f"write {tables.IDENTITY} (vault)", f"version {commit.version}", rows=commit.rows_added)
