"""Job leases: two runs of the same job never interleave on one lake.

A run holds ``<lake>/_leases/<job>.json`` while it works. The file is created exclusively (an
``O_EXCL`` create on local disks, a non-overwriting create on HDFS and other Hadoop file systems),
names its holder (host, pid, start) and is refreshed by a heartbeat thread. A second run of the job
finds it and stops with one line before doing anything. A lease whose holder crashed is stale —
its process is gone (same host) or its heartbeat is older than ``ttl_s`` — and the next run takes
it over: it moves the stale file aside first, so of two runs recovering at once only one wins.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from pyspark.sql import SparkSession

from lifecircle.errors import BusyError
from lifecircle.lake.fs import HadoopFS

LEASE_DIR = "_leases"


@dataclass(frozen=True)
class Holder:
    token: str
    host: str
    pid: int
    started: str
    heartbeat: float  # epoch seconds of the last refresh

    def alive(self, now: float, ttl_s: float) -> bool:
        if now - self.heartbeat > ttl_s:
            return False
        if self.host == socket.gethostname():
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:  # someone else's live process
                return True
        return True

    def text(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


def _holder(text: str | None) -> Holder | None:
    if not text:
        return None
    try:
        return Holder(**json.loads(text))
    except (ValueError, TypeError):  # half-written by a crash: as good as stale
        return Holder("", "", 0, "", 0.0)


class _Store:
    """Exclusive create, overwrite, move and read of small files, local or through Hadoop."""

    def __init__(self, spark: SparkSession, folder: str) -> None:
        self.local = "://" not in folder
        self.folder = folder
        self.fs = None if self.local else HadoopFS(spark, folder)
        if self.local:
            os.makedirs(folder, exist_ok=True)
        else:
            self.fs.mkdirs(folder)

    def create(self, path: str, text: str) -> bool:
        if self.local:
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w") as f:
                f.write(text)
            return True
        return self.fs.create_exclusive(path, text)

    def replace(self, path: str, text: str) -> None:
        if self.local:
            tmp = f"{path}.{uuid.uuid4().hex}.tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, path)
        else:
            self.fs.write_text(path, text)

    def read(self, path: str) -> str | None:
        if self.local:
            try:
                with open(path) as f:
                    return f.read()
            except FileNotFoundError:
                return None
        return self.fs.read_text(path)

    def move(self, src: str, dst: str) -> bool:
        if self.local:
            try:
                os.rename(src, dst)
                return True
            except FileNotFoundError:
                return False
        try:
            self.fs.rename(src, dst)
            return True
        except OSError:
            return False

    def delete(self, path: str) -> None:
        if self.local:
            with suppress(FileNotFoundError):
                os.remove(path)
        else:
            self.fs.delete(path, recursive=False)


@contextmanager
def job_lease(
    spark: SparkSession, lake_root: str, job: str, ttl_s: float = 600.0, heartbeat_s: float = 30.0
) -> Iterator[Holder]:
    """Hold the lease of ``job`` on the lake for the ``with`` block, or raise BusyError."""
    store = _Store(spark, f"{lake_root}/{LEASE_DIR}")
    path = f"{store.folder}/{job}.json"
    now = dt.datetime.now(dt.UTC)
    me = Holder(uuid.uuid4().hex, socket.gethostname(), os.getpid(), now.isoformat(timespec="seconds"), now.timestamp())
    if not store.create(path, me.text()):
        current = _holder(store.read(path))
        if current is not None and current.alive(now.timestamp(), ttl_s):
            raise BusyError(
                f"{job} is already running on this lake (host {current.host}, pid {current.pid}, since "
                f"{current.started}); lease {path} — if that run is gone, the lease expires {ttl_s:.0f}s "
                "after its last heartbeat"
            )
        _take_over(store, path, current, me, job)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(store, path, me, heartbeat_s, stop), daemon=True)
    beat.start()
    try:
        yield me
    finally:
        stop.set()
        beat.join(timeout=5)
        _release(store, path, me)


def _release(store: _Store, path: str, me: Holder) -> None:
    """Delete our lease. A failure here (the file system gone away) must never replace the job's own
    outcome: the lease left behind goes stale and the next run takes it over."""
    with suppress(Exception):
        if (_holder(store.read(path)) or me).token == me.token:
            store.delete(path)


def _take_over(store: _Store, path: str, stale: Holder | None, me: Holder, job: str) -> None:
    aside = f"{path}.stale-{me.token}"
    if store.move(path, aside):
        moved = _holder(store.read(aside))
        if stale is not None and moved is not None and moved.token != stale.token:
            # Another run recovered the lease between our read and our move: give it back.
            store.move(aside, path)
            raise BusyError(f"{job} was just started by another run (pid {moved.pid} on {moved.host}); lease {path}")
        store.delete(aside)
    if not store.create(path, me.text()):
        raise BusyError(f"{job} was just started by another run; lease {path}")


def _heartbeat(store: _Store, path: str, me: Holder, every_s: float, stop: threading.Event) -> None:
    while not stop.wait(every_s):
        current = _holder(store.read(path))
        if current is None or current.token != me.token:
            return  # taken over after we were presumed dead: never write over the new holder
        fresh = Holder(me.token, me.host, me.pid, me.started, dt.datetime.now(dt.UTC).timestamp())
        store.replace(path, fresh.text())
