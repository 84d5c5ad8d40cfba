from __future__ import annotations

from pyspark.sql import functions as F

from lifecircle.features.consumption import with_percentiles


def test_percentiles_are_the_share_below(spark):
    df = spark.createDataFrame([(i, float(i)) for i in range(10)] + [(10, None)], "id int, x double")
    out = {r.id: r.p for r in with_percentiles(df, {"p": F.col("x")}).collect()}
    assert out[10] is None
    assert [round(out[i], 1) for i in range(10)] == [i / 10 for i in range(10)]
