from __future__ import annotations

from pyspark.sql import functions as F

from lifecircle.mobility.location import is_place, with_location


def test_a_location_is_the_place_else_the_cell(spark):
    df = spark.createDataFrame([("P1", 1, 10), (None, 2, 20)], "place_id string, lac int, cell_id int")
    rows = with_location(df).select("loc", is_place(F.col("loc")).alias("place")).collect()
    assert [(r.loc, r.place) for r in rows] == [("P1", True), ("cell:2:20", False)]
