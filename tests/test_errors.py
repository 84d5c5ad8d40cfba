"""one_line: the single line users see for any error, Spark's included."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from lifecircle.errors import InputError, one_line


class FakeClass:
    def __init__(self, name: str) -> None:
        self.name = name

    def getName(self) -> str:  # noqa: N802 - the Java method name
        return self.name


class FakeThrowable:
    """The py4j view of a java.lang.Throwable: class, message and cause."""

    def __init__(self, name: str, message: str | None, cause: FakeThrowable | None = None) -> None:
        self.name, self.message, self.cause = name, message, cause

    def getClass(self) -> FakeClass:  # noqa: N802
        return FakeClass(self.name)

    def getMessage(self) -> str | None:  # noqa: N802
        return self.message

    def getCause(self) -> FakeThrowable | None:  # noqa: N802
        return self.cause


class FakePy4JJavaError(Exception):
    def __init__(self, java_exception: FakeThrowable) -> None:
        super().__init__("An error occurred while calling o42.save.")
        self.java_exception = java_exception

    def __str__(self) -> str:
        return "An error occurred while calling o42.save.\n: org.apache.spark.SparkException: Job aborted.\n\tat x.y(Z.java:1)"


def chain() -> FakeThrowable:
    root = FakeThrowable("org.apache.hadoop.fs.ParentNotDirectoryException", "/tmp/x is not a directory\n\tat a.b")
    middle = FakeThrowable("java.io.IOException", "Mkdirs failed", root)
    return FakeThrowable("org.apache.spark.SparkException", "Job aborted.", middle)


def test_a_py4j_error_names_the_root_cause_of_the_java_chain():
    assert one_line(FakePy4JJavaError(chain())) == "ParentNotDirectoryException: /tmp/x is not a directory"


def test_a_captured_spark_exception_walks_its_origin():
    class AnalysisException(Exception):  # noqa: N818 - named as PySpark names it
        pass

    exc = AnalysisException("[PATH_NOT_FOUND] Path does not exist: /nowhere.\nSQLSTATE: 42K03")
    exc._origin = FakeThrowable("org.apache.spark.sql.AnalysisException", "[PATH_NOT_FOUND] Path does not exist: /nowhere.")
    assert one_line(exc) == "AnalysisException: [PATH_NOT_FOUND] Path does not exist: /nowhere."


def test_a_root_without_message_or_a_self_cause_ends_the_walk():
    loop = FakeThrowable("java.lang.NullPointerException", None)
    loop.cause = loop
    assert one_line(FakePy4JJavaError(FakeThrowable("org.apache.spark.SparkException", "x", loop))) == "NullPointerException"


def test_a_dead_gateway_falls_back_to_the_python_side():
    class Dead:
        def getCause(self):  # noqa: N802
            raise ConnectionError("gateway closed")

    class UnprintableError(FakePy4JJavaError):
        def __str__(self) -> str:
            raise ConnectionError("gateway closed")

    assert one_line(UnprintableError(Dead())) == "UnprintableError"


def test_lifecircle_errors_are_their_message_and_others_carry_their_class():
    assert one_line(InputError("landing folder /x does not exist")) == "landing folder /x does not exist"
    assert one_line(InputError()) == "InputError"
    assert one_line(ValueError("bad value\nmore detail")) == "ValueError: bad value"
    assert one_line(ValueError()) == "ValueError"
    assert one_line(RuntimeError("  \n")) == "RuntimeError"
    assert one_line(click.UsageError("No such option '--x'.")) == "No such option '--x'."


def test_a_real_spark_error_is_one_line(spark, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(Exception) as info:
        spark.range(1).write.parquet(str(blocker / "out"))
    line = one_line(info.value)
    assert "\n" not in line and "\tat " not in line
    assert line.split(":")[0].endswith(("Exception", "Error")), line
    assert str(blocker) in line, line


def test_a_python_workers_error_is_the_last_line_of_its_traceback():
    message = (
        "[PYTHON_EXCEPTION] An exception was thrown from the Python worker: Traceback (most recent call last):\n"
        '  File "job.py", line 3, in fail\n    raise KeyError("x")\nKeyError: \'x\'\n\n'
        "During handling of the above exception, another exception occurred:\n\n"
        'Traceback (most recent call last):\n  File "job.py", line 5, in fail\n'
        '    raise ValueError("bad row")\nValueError: bad row\n SQLSTATE: 38000\n\tat org.apache.spark.X(X.scala:1)'
    )
    worker = FakeThrowable("org.apache.spark.api.python.PythonException", message)
    assert one_line(FakePy4JJavaError(worker)) == "PythonException: ValueError: bad row"


# A command that fails inside a Spark task, in a Python worker: the worst case for the terminal
# (Executor and TaskSetManager log the Java stack and the Python traceback, each task once).
BOOM = '''
import sys
from lifecircle.cli import cli, invoke
from lifecircle.cli_common import pass_ctx


@cli.command()
@pass_ctx
def boom(ctx):
    def fail(batches):
        for batch in batches:
            raise ValueError("boom in the executor")
            yield batch

    ctx.spark("boom").range(4).mapInPandas(fail, "id long").count()


sys.exit(invoke(sys.argv[1:]))
'''


def run_boom(tmp_path, *options: str) -> subprocess.CompletedProcess:
    script = tmp_path / "boom.py"
    script.write_text(BOOM, encoding="utf-8")
    env = {**os.environ, "LIFECIRCLE_LOG_DIR": str(tmp_path / "logs")}
    env.pop("LIFECIRCLE_DEBUG", None)
    line = [sys.executable, str(script), *options, "--set", "spark.master=local[1]", "boom"]
    return subprocess.run(line, capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.mark.faults
def test_an_executor_failure_is_one_line_on_the_terminal_and_the_traceback_is_in_the_log(tmp_path):
    done = run_boom(tmp_path)
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.splitlines()
    (log,) = (tmp_path / "logs").glob("lifecircle-boom-*.log")
    assert line == (
        f"lifecircle: failed: PythonException: ValueError: boom in the executor "
        f"(traceback in {log}; --debug prints it here)"
    )
    text = log.read_text(encoding="utf-8")
    assert 'raise ValueError("boom in the executor")' in text  # the Python traceback …
    assert "\tat org.apache.spark.executor.Executor" in text  # … and the JVM's stack


@pytest.mark.faults
def test_debug_puts_the_tracebacks_on_the_terminal_and_writes_no_log(tmp_path):
    done = run_boom(tmp_path, "--debug")
    assert done.returncode == 1
    assert 'raise ValueError("boom in the executor")' in done.stderr
    assert "\tat org.apache.spark.executor.Executor" in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "lifecircle: failed: PythonException: ValueError: boom in the executor"
    )
    assert not (tmp_path / "logs").exists()
