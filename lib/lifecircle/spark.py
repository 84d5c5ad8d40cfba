"""The one SparkSession factory for local runs, notebooks, tests and ``spark-submit``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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

    spark = builder.getOrCreate()
    # getOrCreate may return a session built elsewhere (a notebook): runtime SQL settings still apply.
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    spark.conf.set("spark.sql.shuffle.partitions", str(settings.shuffle_partitions))
    spark.sparkContext.setLogLevel(settings.log_level)
    return spark
