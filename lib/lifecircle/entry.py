"""The one runner behind every ``jobs/*.py`` spark-submit entry: ``spark-submit jobs/<job>.py ARGS``
runs ``lifecircle <command> ARGS`` in the same process, with the same options, output and errors.

spark-submit users write the global options (``--conf``, ``--set``, ``--debug``) after the script
name, among the job's own; they are taken out wherever they stand and put before the command.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from lifecircle.cli import cli, echo_usage_error, invoke


def _global_options(group: click.Group) -> dict[str, bool]:
    """Each global option string → whether it takes a value."""
    return {opt: not p.is_flag for p in group.params if isinstance(p, click.Option) for opt in p.opts}


def split_global_options(argv: Sequence[str], group: click.Group = cli) -> tuple[list[str], list[str]]:
    """``(global options, the command's own arguments)`` of a line that mixes them in any order.

    ``--`` ends the options: what follows it belongs to the command as it is."""
    known = _global_options(group)
    found: list[str] = []
    own: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0]
        if arg == "--":
            own.extend(args[i:])
            break
        if name not in known:
            own.append(arg)
        elif not known[name] or "=" in arg:
            found.append(arg)
        elif i + 1 < len(args):
            found.extend(args[i : i + 2])
            i += 1
        else:
            raise click.UsageError(f"Option '{arg}' requires an argument.")
        i += 1
    return found, own


def submit(command: str, argv: Sequence[str] | None = None) -> int:
    """Run ``lifecircle [global options] <command> <the rest of argv>``; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        found, own = split_global_options(argv)
    except click.UsageError as exc:
        return echo_usage_error(exc, f"lifecircle {command}")
    return invoke([*found, command, *own])
