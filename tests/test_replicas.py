"""Two app replicas sharing one PostgreSQL: an import through one is what the other shows on its next load."""

import pytest
from tests_support import choose, international_students_2023, settle, sign_in, upload

from kpi.store import service, storage

pytestmark = pytest.mark.browser
GOOD = "年度,国・地域,人数\r\n令和5年度,中国,1500\r\n令和5年度,韓国,700\r\n"


@pytest.fixture
def replicas(postgres):
    from conftest import ANALYST_ENV, Server

    url = postgres.new_database()
    service.load_sample(engine=storage.get_engine(url))
    servers = [Server(url, **ANALYST_ENV) for _ in range(2)]
    for server in servers:
        server.database_url = url
    yield servers
    for server in servers:
        server.stop()


def test_an_import_through_one_replica_is_visible_in_the_other(replicas, page, tmp_path):
    first, second = replicas
    url = first.database_url
    assert first.port != second.port
    assert international_students_2023(page, second.url) == "2,145"

    sign_in(page, first.url)
    choose(page, "direction for the whole file", "Inbound")
    upload(page, tmp_path, "inbound.csv", GOOD)
    page.get_by_role("radio", name="Replace").click()
    settle(page)
    expected = int(storage.history(engine=storage.get_engine(url))["revision"].max()) + 1  # read from the data
    page.get_by_role("button", name="Commit").click()
    page.get_by_text(f"Student mobility: stored as revision {expected}.").wait_for()

    assert international_students_2023(page, second.url) == "2,200"
    assert international_students_2023(page, first.url) == "2,200"
