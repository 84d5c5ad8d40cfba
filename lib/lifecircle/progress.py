"""Progress lines on stderr: stage, rows and elapsed time, so long work never looks stuck."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Writes ``[job  12.3s] stage: detail (1,234 rows)`` lines to stderr."""

    def __init__(self, job: str, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.job = job
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, stage: str, detail: str = "", rows: int | None = None) -> None:
        if not self.enabled:
            return
        parts = [f"[{self.job} {self.elapsed:7.1f}s] {stage}"]
        if detail:
            parts.append(f": {detail}")
        if rows is not None:
            parts.append(f" ({rows:,} rows)")
        print("".join(parts), file=self.stream, flush=True)


def quiet() -> Progress:
    return Progress("quiet", enabled=False)
