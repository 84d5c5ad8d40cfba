"""The chain's step list: all steps by default, subsets in chain order, unknown names refused."""

from __future__ import annotations

import pytest

from lifecircle.errors import InputError
from lifecircle.pipeline import parse_steps


def test_default_chain_runs_every_step_in_order():
    assert parse_steps(None) == ["ingest", "trajectories", "dwell", "tags", "train", "score"]


def test_subset_keeps_chain_order():
    assert parse_steps("score, tags,train") == ["tags", "train", "score"]


def test_unknown_step_is_one_clear_error():
    with pytest.raises(InputError, match=r"unknown step\(s\) plan; steps are ingest, .*, score"):
        parse_steps("tags,plan")
