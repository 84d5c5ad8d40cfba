"""The one SparkSession factory for local runs, notebooks, tests and ``spark-submit``."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from pyspark import SparkContext
from pyspark.sql import SparkSession

from lifecircle.config import Config, SparkSettings

# Settings every lifecircle session needs whatever the deployment: the lake stores UTC-aware
# timestamps as microseconds (naive ones push delta-rs tables to a protocol older readers refuse).
_FIXED_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # No _SUCCESS markers inside Delta table folders: only the log says what a table holds.
    "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    # No .crc side files next to local Parquet files (they would outlive vacuum as hidden files).
    "spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
    # The feature and model frames are several hundred columns wide; without this every plan
    # print warns that it was truncated.
    "spark.sql.debug.maxToStringFields": "1000",
}


# Set by the command line (lifecircle.cli.invoke) to the run's log file: a JVM started while it is
# set writes its stderr there, so log4j's stack traces and the Python workers' tracebacks (workers
# inherit the JVM's stderr) stay off the terminal, which shows progress and one error line.
LOG_FILE_ENV = "LIFECIRCLE_LOG_FILE"


def launched_by_spark_submit() -> bool:
    """True under ``spark-submit``/``pyspark``, whose launcher already chose master and resources."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def get_spark(app_name: str, conf: Config | SparkSettings | None = None) -> SparkSession:
    """Return the active session or build one from ``conf.spark``.

    Under ``spark-submit`` the launcher's master, memory and executor settings win; locally the
    embedded default is ``local[*]``. Either way the Python executable is this interpreter, so
    executors import the same packages as the driver.
    """
    settings = conf.spark if isinstance(conf, Config) else (conf or SparkSettings())
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

    builder = SparkSession.builder.appName(app_name or settings.app_name)
    if not launched_by_spark_submit():
        log_conf = Path(__file__).with_name("log4j2.properties")
        builder = (
            builder.master(settings.master)
            .config("spark.driver.memory", settings.driver_memory)
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log_conf}")
            .config("spark.pyspark.python", sys.executable)
            .config("spark.pyspark.driver.python", sys.executable)
        )
    builder = builder.config("spark.sql.shuffle.partitions", str(settings.shuffle_partitions))
    for key, value in {**_FIXED_CONF, **settings.extra}.items():
        builder = builder.config(key, value)

    with _jvm_stderr_to(os.environ.get(LOG_FILE_ENV)):
        spark = builder.getOrCreate()
    # getOrCreate may return a session built elsewhere (a notebook): runtime SQL settings still apply.
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    spark.conf.set("spark.sql.shuffle.partitions", str(settings.shuffle_partitions))
    spark.sparkContext.setLogLevel(settings.log_level)
    return spark


@contextlib.contextmanager
def _jvm_stderr_to(log_file: str | None) -> Iterator[None]:
    """Point this process's stderr (file descriptor 2) at ``log_file`` while the block runs, so a
    JVM launched in it keeps the file as its stderr for good; Python's stderr is restored after.
    When the JVM already runs (the gateway outlives a stopped session), nothing changes."""
    if not log_file or SparkContext._gateway is not None:
        yield
        return
    try:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        target = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:  # an unwritable log folder costs the quiet terminal, never the run
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(target, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)
