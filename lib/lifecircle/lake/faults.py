"""Fault injection at the commit stages, for the crash tests (tests/faults, docs/reliability.md).

``LIFECIRCLE_FAULT=<point>:<table>`` (e.g. ``moving:raw/signaling``) makes the process fail at that
point of that table's next write: ``staged`` (Parquet written, nothing moved), ``moving`` (the first
file moved into the table folder), ``committed`` (the log entry written, nothing after it) end the
process with SIGKILL, as a crashed driver would; ``disk_full`` raises ``OSError(ENOSPC)`` where the
Parquet would be written. Unset (always, outside tests), every checkpoint is a dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal

ENV = "LIFECIRCLE_FAULT"
POINTS = ("staged", "moving", "committed", "disk_full")


def checkpoint(point: str, table: str) -> None:
    """Fail here if ``LIFECIRCLE_FAULT`` names this point and table."""
    wanted = os.environ.get(ENV)
    if not wanted or wanted != f"{point}:{table}":
        return
    if point == "disk_full":
        raise OSError(errno.ENOSPC, f"No space left on device (injected by {ENV} for {table})")
    os.kill(os.getpid(), signal.SIGKILL)
