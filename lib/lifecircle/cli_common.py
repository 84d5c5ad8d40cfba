"""What every command shares: the merged configuration, the SparkSession, date options and result printing."""

from __future__ import annotations

import datetime as dt

import click

from lifecircle.config import Config, load_config


class Context:
    """What every command needs: the merged configuration and the debug switch."""

    def __init__(self, conf_files: tuple[str, ...], overrides: tuple[str, ...], debug: bool) -> None:
        self.conf_files = conf_files
        self.overrides = overrides
        self.debug = debug
        self._conf: Config | None = None

    @property
    def conf(self) -> Config:
        if self._conf is None:
            self._conf = load_config(self.conf_files, self.overrides)
        return self._conf

    def spark(self, app: str):
        from lifecircle.spark import get_spark

        return get_spark(f"lifecircle-{app}", self.conf)

    def lake(self, root: str, app: str):
        from lifecircle.lake import Lake

        return Lake(self.spark(app), root, self.conf.lake)


pass_ctx = click.make_pass_decorator(Context)


DATE = click.DateTime(formats=["%Y-%m-%d"])


def day(value: dt.datetime | None) -> dt.date | None:
    """A ``DATE`` option's value as the date the jobs take."""
    return value.date() if value is not None else None


def _dwell_lines(s: dict) -> list[str]:
    return [
        f"  {r['period']} {r['anchor_type']:<4} {r['method_a']} vs {r['method_b']}: {r['agreeing']}/{r['subscribers_both']} agree"
        for r in s.get("anchor_agreement", [])
    ]


def _tags_lines(s: dict) -> list[str]:
    return [f"  {s.get('tags', 0)} tags ({s.get('tags_held', 0)} held) for {s.get('subscribers', 0):,} subscribers of {s.get('period')}"]


def _train_lines(s: dict) -> list[str]:
    return [
        f"  {s.get('trained', 0)} trained, {s.get('skipped', 0)} skipped, {s.get('failed', 0)} failed for "
        f"{s.get('period')} (mean AUC {s.get('mean_auc')}); MLflow {s.get('mlflow')}"
    ]


def _score_lines(s: dict) -> list[str]:
    not_scored = ", ".join(s.get("not_scored") or []) or "none"
    return [f"  {s.get('products_scored', 0)} products scored for {s.get('period')}; not scored: {not_scored}"]


# What each job's summary says beyond rows and tables (ingest's summary brings its own text).
_SUMMARY_LINES = {"dwell": _dwell_lines, "tags": _tags_lines, "train": _train_lines, "score": _score_lines}


def echo_result(result) -> None:
    tables = ", ".join(f"{c.table}@v{c.version}" for c in result.outputs) or "no tables"
    click.echo(f"{result.job}: {result.rows:,} rows in {result.seconds:.1f}s -> {tables}")
    summary = result.summary if isinstance(result.summary, dict) else {}
    if summary.get("text"):
        click.echo(summary["text"])
    for line in _SUMMARY_LINES.get(result.job, lambda _: [])(summary):
        click.echo(line)
