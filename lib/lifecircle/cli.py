"""The ``lifecircle`` command line: every job reachable as ``lifecircle <job>`` (DESIGN.md contract).

The group holds the global options; the commands live by area (cli_lake, cli_steps, models.cli) and
only parse options, call a library function and print. :func:`invoke` is the one way a command line
runs, for the console script and the ``jobs/*.py`` entries alike: failures print one line
(:func:`lifecircle.errors.one_line`) and return non-zero. Tracebacks, Java's and Python's, go to the
run's log file (:func:`run_log_path`; the JVM's stderr, see :mod:`lifecircle.spark`), which the line
of an unexpected failure names; ``--debug`` prints them on the terminal instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from lifecircle.cli_common import Context
from lifecircle.cli_lake import LAKE_COMMANDS
from lifecircle.cli_steps import STEP_COMMANDS
from lifecircle.errors import LifecircleError, one_line
from lifecircle.models.cli import MODEL_COMMANDS

LOG_DIR_ENV = "LIFECIRCLE_LOG_DIR"
LOG_FILE_ENV = "LIFECIRCLE_LOG_FILE"  # lifecircle.spark.LOG_FILE_ENV (not imported: pyspark loads slowly)

# Commands of the DESIGN.md contract that are not built yet, with the issue that builds them.
NOT_BUILT = {
    "plan": ("contact bidding, harassment control and the OCRM export", "module E of REQUIREMENTS.md"),
    "report": ("HTML and Excel reports", "module F of REQUIREMENTS.md"),
}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--conf", "conf_files", multiple=True, metavar="FILE", help="YAML overlay on conf/base.yaml (repeatable).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override one key, e.g. spark.shuffle_partitions=16.")
@click.option("--debug", is_flag=True, envvar="LIFECIRCLE_DEBUG", help="Show full tracebacks on errors.")
@click.version_option(package_name="lifecircle")
@click.pass_context
def cli(ctx: click.Context, conf_files: tuple[str, ...], overrides: tuple[str, ...], debug: bool) -> None:
    """Subscriber life circles, tags, propensity matrix and contact planning on Spark + Delta."""
    ctx.obj = Context(conf_files, overrides, debug)


def _not_built(name: str, what: str, where: str) -> click.Command:
    @click.command(
        name=name,
        help=f"{what[0].upper()}{what[1:]}. Not built yet: arrives with {where}.",
        short_help=f"[not built yet] {what}",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    def command() -> None:
        click.echo(f"lifecircle {name}: not built yet — {what} arrives with {where}", err=True)
        raise click.exceptions.Exit(2)

    return command


for _command in [*LAKE_COMMANDS, *STEP_COMMANDS, *MODEL_COMMANDS]:
    cli.add_command(_command)
for _name, (_what, _where) in NOT_BUILT.items():
    cli.add_command(_not_built(_name, _what, _where))


def invoke(argv: Sequence[str]) -> int:
    """Run one ``lifecircle`` command line; returns the exit status (1 on failure, 2 on a usage
    error or a command not built yet, 130 when interrupted) after printing any error as one line."""
    argv = list(argv)
    debug = "--debug" in argv or os.environ.get("LIFECIRCLE_DEBUG") == "1"
    log_file = None if debug else run_log_path(argv)
    with _env(LOG_FILE_ENV, str(log_file) if log_file else None):
        status = _invoke(argv, debug, log_file)
    if status == 0 and log_file is not None and LOG_DIR_ENV not in os.environ:
        log_file.unlink(missing_ok=True)  # a run that went well leaves no file behind unless asked
    return status


def _invoke(argv: list[str], debug: bool, log_file: Path | None) -> int:
    try:
        status = cli.main(args=argv, prog_name="lifecircle", standalone_mode=False)
        return status if isinstance(status, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        return echo_usage_error(exc, exc.ctx.command_path if exc.ctx is not None else "lifecircle")
    except click.exceptions.Abort:
        click.echo("lifecircle: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("lifecircle: interrupted", err=True)
        return 130
    except (click.ClickException, LifecircleError) as exc:
        if debug:  # the message is meant as it is: no log file for a typo in a date
            traceback.print_exc()
        click.echo(f"lifecircle: error: {one_line(exc)}", err=True)
        return getattr(exc, "exit_code", 1)
    except Exception as exc:
        where = _keep_traceback(debug, log_file)
        details = f" (traceback in {where}; --debug prints it here)" if where else ""
        if not where and not debug:
            details = " (rerun with --debug for details)"
        click.echo(f"lifecircle: failed: {one_line(exc)}{details}", err=True)
        return 1


def run_log_path(argv: Sequence[str]) -> Path:
    """``$LIFECIRCLE_LOG_DIR`` (default: the temp dir) ``/lifecircle-<command>-<UTC time>-<pid>.log``."""
    command = next((a for a in argv if a in cli.commands), "lifecircle")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(os.environ.get(LOG_DIR_ENV) or tempfile.gettempdir()) / f"lifecircle-{command}-{stamp}-{os.getpid()}.log"


def _keep_traceback(debug: bool, log_file: Path | None) -> Path | None:
    """Print the current exception's traceback (``--debug``) or append it to the log file; returns
    the file when it holds the traceback."""
    if debug or log_file is None:
        if debug:
            traceback.print_exc()
        return None
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("a", encoding="utf-8") as out:
            out.write(f"\n--- lifecircle: Python traceback ---\n{traceback.format_exc()}")
    except OSError:  # no writable log: the one line still stands
        return None
    return log_file


@contextlib.contextmanager
def _env(name: str, value: str | None) -> Iterator[None]:
    before = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def echo_usage_error(exc: click.UsageError, command_path: str) -> int:
    click.echo(f"lifecircle: error: {one_line(exc)} (see {command_path} --help)", err=True)
    return exc.exit_code


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point."""
    sys.exit(invoke(sys.argv[1:] if argv is None else argv))
