"""Errors the suite reports to users as one line (the CLI prints them without a traceback)."""

from __future__ import annotations

import click


class LifecircleError(Exception):
    """Base of every error whose message is meant for the user as it is."""


class ConfigError(LifecircleError):
    """A configuration file, key or value is wrong; the message names file, key and problem."""


class LakeError(LifecircleError):
    """A Delta table could not be read or written."""


class SchemaMismatchError(LakeError):
    """A write would change a table's schema; refused before anything is committed."""


class InputError(LifecircleError):
    """An input path or argument is unusable (missing landing folder, bad date range …)."""


# A Py4J error's text is the whole JVM stack; its Java object holds the cause chain. CapturedException
# (AnalysisException …) keeps the same object as ``_origin``.
_JAVA_ATTRS = ("java_exception", "_origin")
_MAX_CAUSES = 64


def one_line(exc: BaseException) -> str:
    """The single line a user sees for ``exc``: the message of a :class:`LifecircleError` or a click
    usage error as it is; ``Class: first line`` otherwise; for a Spark/Py4J error the root cause of
    the Java exception chain (``ParentNotDirectoryException: /tmp/x is not a directory``)."""
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    if isinstance(exc, LifecircleError):
        return _first_line(str(exc)) or type(exc).__name__
    java = next((getattr(exc, a) for a in _JAVA_ATTRS if getattr(exc, a, None) is not None), None)
    if java is not None:
        try:
            return _java_root(java)
        except Exception:  # the JVM is gone: all that is left is the Python side
            pass
    return _named(type(exc).__name__, _first_line(_text(exc)))


def _java_root(throwable) -> str:
    root = throwable
    for _ in range(_MAX_CAUSES):
        cause = root.getCause()
        if cause is None or cause == root:
            break
        root = cause
    name = root.getClass().getName().rsplit(".", 1)[-1]
    message = root.getMessage() or ""
    return _named(name, _raised_in_python(message) or _first_line(message))


_TRACEBACK = "Traceback (most recent call last):"
_NOT_THE_ERROR = ("Traceback", "During handling", "The above exception")


def _raised_in_python(message: str) -> str:
    """The exception line of a Python worker's traceback carried in a Java message
    (``ValueError: bad row``), or "" when the message holds none. The traceback's header is the
    first line; the error is its last unindented line, before Java's own frames or SQLSTATE."""
    if _TRACEBACK not in message:
        return ""
    found = ""
    for line in message.split(_TRACEBACK, 1)[1].splitlines():
        if line.startswith(("\tat ", " SQLSTATE")):
            break
        if line.strip() and not line[0].isspace() and not line.startswith(_NOT_THE_ERROR):
            found = line.strip()
    return found


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # Py4JJavaError.__str__ asks the JVM for the stack
        return ""


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")


def _named(name: str, message: str) -> str:
    return f"{name}: {message}" if message else name


class ConcurrentChangeError(LakeError):
    """Another job changed the data a read-modify-write commit was computed from; nothing was
    committed. :meth:`lifecircle.lake.Lake.rewrite` recomputes and retries on it."""


class BusyError(LifecircleError):
    """Another run of the same job holds the lake's lease for it; nothing was done."""


class RunNotRecordedError(LakeError):
    """A job's outputs were committed but its run could not be recorded in ``ops/job_runs``."""
