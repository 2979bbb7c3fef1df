"""Shared fixtures: a throwaway database per test, the sample data loaded into it, tiny frames."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi import service, storage


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    return url


@pytest.fixture
def engine(database_url):
    engine = storage.get_engine(database_url)
    yield engine
    engine.dispose()
    storage._engines.pop(database_url, None)


@pytest.fixture(scope="session")
def sample_db_url(tmp_path_factory) -> str:
    """The bundled sample loaded once per session; tests that only read share it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sample') / 'kpi.sqlite3'}"
    service.load_sample(engine=storage.get_engine(url))
    return url


@pytest.fixture
def sample_db(sample_db_url, monkeypatch) -> str:
    monkeypatch.setenv("KPI_DATABASE_URL", sample_db_url)
    return sample_db_url


def frame(rows: list[dict], **dtypes) -> pd.DataFrame:
    """A tiny literal frame for table-style tests."""
    return pd.DataFrame(rows).astype(dtypes) if dtypes else pd.DataFrame(rows)
