"""What every command shares: the merged configuration, the SparkSession and result printing."""

from __future__ import annotations

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


pass_ctx = click.make_pass_decorator(Context)


def echo_result(result) -> None:
    tables = ", ".join(f"{c.table}@v{c.version}" for c in result.outputs) or "no tables"
    click.echo(f"{result.job}: {result.rows:,} rows in {result.seconds:.1f}s -> {tables}")
    text = result.summary.get("text") if isinstance(result.summary, dict) else None
    if text:
        click.echo(text)
