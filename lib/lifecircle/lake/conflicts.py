"""Did anything change the data a read-modify-write commit was computed from?

A job that reads a table at version ``v``, computes new content from it and commits that content
would erase whatever another writer committed after ``v`` in the same partitions (a lost update).
Before such a commit the engine asks :func:`changed_since`: the Delta log entries after ``v`` are
read (small JSON files, never data) and any that adds or removes data in the partitions being
rewritten, or changes the table's metadata, is a conflict. Compactions (``OPTIMIZE``, which moves
rows between files without changing them) and commits to other partitions are not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from lifecircle.errors import ConcurrentChangeError
from lifecircle.lake.fs import HadoopFS
from lifecircle.lake.types import ABSENT, Allowed

# The operations that rewrite files without changing the rows they hold.
_NO_DATA_CHANGE = {"OPTIMIZE"}


def log_entry_uri(uri: str, version: int) -> str:
    return f"{uri}/_delta_log/{version:020d}.json"


def log_actions(fs: HadoopFS, uri: str, version: int) -> Iterator[dict]:
    """The actions of one commit, as the log's JSON lines."""
    text = fs.read_text(log_entry_uri(uri, version))
    if text is None:  # cleaned up by a checkpoint long ago: assume the worst
        yield {"metaData": {}}
        return
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


def _in_scope(values: dict, scope: Allowed | None) -> bool:
    if scope is None:
        return True
    return all((values or {}).get(col) in permitted for col, permitted in scope.items())


def _operation(actions: list[dict]) -> str | None:
    info = next((a["commitInfo"] for a in actions if "commitInfo" in a), {})
    return info.get("lifecircle.operation") or info.get("operation")


def conflicting_version(fs: HadoopFS, uri: str, based_on: int, current: int, scope: Allowed | None) -> int | None:
    """The first version after ``based_on`` (up to ``current``) that changed data in ``scope``
    (partition values in text form; None: the whole table), or None when there is none."""
    for version in range(based_on + 1, current + 1):
        actions = list(log_actions(fs, uri, version))
        if _operation(actions) in _NO_DATA_CHANGE:
            continue
        for action in actions:
            if "metaData" in action:
                return version
            change = action.get("add") or action.get("remove")
            if change is not None and change.get("dataChange", True) and _in_scope(change.get("partitionValues"), scope):
                return version
    return None


def changed_since(fs: HadoopFS, uri: str, exists: bool, current: int | None, based_on: int, scope: Allowed | None) -> int | None:
    """``conflicting_version`` that also covers tables created or dropped since ``based_on``
    (:data:`ABSENT`: the content was computed when the table did not exist)."""
    if based_on == ABSENT:
        return 0 if exists else None
    if not exists or current is None:
        return based_on + 1
    return conflicting_version(fs, uri, based_on, current, scope)


def require_unchanged(
    fs: HadoopFS, uri: str, table: str, exists: bool, current: int | None, based_on: int, scope: Allowed | None
) -> None:
    """Raise ConcurrentChangeError (one line) when :func:`changed_since` finds a conflict."""
    conflict = changed_since(fs, uri, exists, current, based_on, scope)
    if conflict is not None:
        read = "before the table existed" if based_on == ABSENT else f"at version {based_on}"
        raise ConcurrentChangeError(
            f"{table}: changed by another job (version {conflict}) after this one read it {read}; nothing committed"
        )
