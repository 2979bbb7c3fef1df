"""Preview of a commit: the datasets after it and the KPI values it changes, before anything is written."""

import pandas as pd
import pytest

from kpi.ingest.importer import read_file
from kpi.store import service
from metrics.compute import value_diff


@pytest.mark.slow
def test_preview_of_replace_scoped_to_inbound(sample_db_url):
    from kpi.store import storage
    datasets = storage.load_all(engine=storage.get_engine(sample_db_url))
    result = read_file("年度,人数\n2023,2200\n".encode(), "mobility", constants={"direction": "受入"})
    assert result.ok
    after = service.apply_result(datasets, result, mode="replace")
    assert set(after["mobility"]["direction"]) == {"inbound", "outbound"}
    before_values = service.values_table(datasets)
    diff = value_diff(before_values, service.values_table(after))
    inbound = diff[diff["indicator"] == "international_students"]
    assert inbound[inbound["period"] == 2023][["before", "after"]].values.tolist() == [[2145.0, 2200.0]]
    assert set(inbound["period"]) == {2023}  # other years stay: replace covers the file's periods
    assert "outbound_students" not in set(diff["indicator"])


def test_preview_of_append_adds_to_the_year():
    datasets = {"mobility": pd.DataFrame({"fiscal_year": [2023], "direction": ["inbound"], "students": [10],
                                          "country": [None], "school": [None], "status": [None], "source": [None]})}
    result = read_file(b"fiscal_year,direction,students\n2023,inbound,5\n", "mobility")
    after = service.apply_result(datasets, result, mode="append")
    diff = value_diff(service.values_table(datasets), service.values_table(after))
    assert diff[["indicator", "period", "before", "after"]].values.tolist() == [["international_students", 2023, 10.0, 15.0]]
