"""The snapshot: one evaluation for every reader, and a mobility cube that keeps every total."""

import pandas as pd
import pytest

from metrics.compute import filter_rows, students_by_year
from metrics.evaluate import Evaluation
from metrics.registry import pillar_order


@pytest.fixture
def snap(sample_snapshot):
    return sample_snapshot


def test_one_scorecard_row_per_registered_kpi(snap):
    Evaluation.validate(snap.evaluation)
    assert snap.scorecard["indicator"].tolist() == pillar_order(snap.registry)  # the one order of every output
    assert sorted(snap.scorecard["indicator"]) == sorted(snap.registry.index)
    assert snap.scorecard["is_latest"].all() and snap.values["period"].notna().all()


@pytest.mark.parametrize("direction,by", [
    pytest.param("inbound", ["status"], id="inbound by status"),
    pytest.param("outbound", ["country", "school", "status"], id="outbound by country, school and status"),
])
def test_the_mobility_cube_keeps_every_total(snap, direction, by):
    raw, cube = snap.datasets["mobility"], snap.mobility_cube
    assert len(cube) <= len(raw)  # the sample is already one row per combination; a raw export shrinks
    got = students_by_year(filter_rows(cube, direction=direction), by=by)
    want = students_by_year(filter_rows(raw, direction=direction), by=by)
    keys = ["fiscal_year", *by]
    pd.testing.assert_frame_equal(got.sort_values(keys, ignore_index=True).astype({"students": "int64"}),
                                  want.sort_values(keys, ignore_index=True).astype({"students": "int64"}),
                                  check_categorical=False)
