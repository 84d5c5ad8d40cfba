"""The ``lifecircle`` command line: every job reachable as ``lifecircle <job>`` (DESIGN.md contract).

The group holds the global options; the commands live by area (cli_lake, cli_steps, models.cli) and
only parse options, call a library function and print. :func:`invoke` is the one way a command line
runs, for the console script and the ``jobs/*.py`` entries alike: failures print one line
(:func:`lifecircle.errors.one_line`) and return non-zero; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import click

from lifecircle.cli_common import Context
from lifecircle.cli_lake import LAKE_COMMANDS
from lifecircle.cli_steps import STEP_COMMANDS
from lifecircle.errors import LifecircleError, one_line
from lifecircle.models.cli import MODEL_COMMANDS

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
        if debug:
            traceback.print_exc()
        click.echo(f"lifecircle: error: {one_line(exc)}", err=True)
        return getattr(exc, "exit_code", 1)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"lifecircle: failed: {one_line(exc)} (rerun with --debug for details)", err=True)
        return 1


def echo_usage_error(exc: click.UsageError, command_path: str) -> int:
    click.echo(f"lifecircle: error: {one_line(exc)} (see {command_path} --help)", err=True)
    return exc.exit_code


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point."""
    sys.exit(invoke(sys.argv[1:] if argv is None else argv))
