"""The shared helpers: partition value text, its validation, filters and root URIs."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from lifecircle.errors import LakeError
from lifecircle.lake.types import (
    absolute_uri,
    new_staging_name,
    partition_filters,
    partition_value_text,
    validate_partition_text,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(dt.date(2026, 11, 1), "2026-11-01"), (True, "true"), (7, "7"), ("2026-11", "2026-11"), (None, None)],
)
def test_partition_values_take_the_text_delta_stores(value, text):
    assert partition_value_text(value) == text


def test_timestamps_are_refused_as_partition_values():
    with pytest.raises(LakeError, match="partition by day instead"):
        partition_value_text(dt.datetime(2026, 11, 1, 8))


def test_partition_text_that_needs_escaping_is_refused():
    validate_partition_text("scratch/events", "code", "A_1.b:c+d-e")
    validate_partition_text("scratch/events", "code", None)
    with pytest.raises(LakeError, match="scratch/events: partition value 'a b' of code"):
        validate_partition_text("scratch/events", "code", "a b")


def test_partition_filters_are_text_in_lists():
    assert partition_filters({"day": [dt.date(2026, 11, 1), None]}) == [("day", "in", ["2026-11-01", None])]
    assert partition_filters(None) is None
    assert partition_filters({}) is None


def test_roots_become_absolute_and_uris_keep_their_scheme():
    assert absolute_uri("hdfs://nn:8020/lake/") == "hdfs://nn:8020/lake"
    assert absolute_uri("file:///srv/lake/") == "file:///srv/lake"
    assert absolute_uri("file:/srv/lake") == "/srv/lake"
    assert absolute_uri("lake") == os.path.abspath("lake")


def test_staging_names_are_unique():
    assert len({new_staging_name() for _ in range(50)}) == 50
