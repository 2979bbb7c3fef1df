"""Collaboration types, citation impact and partners as InCites/SciVal define them (metrics.collaboration)."""

import math

import pandas as pd
import pytest

from metrics.collaboration import (
    citation_impact,
    international_detail,
    paper_types,
    partners_gained_lost,
    top_partners,
    type_shares,
)

TOHOKU, KYOTO, MIT, ETH = "Tohoku University|JPN", "Kyoto University|JPN", "MIT|USA", "ETH Zurich|CHE"


def papers(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "year", "countries", "institutions", "author_count", "citations"])


@pytest.mark.parametrize(("countries", "institutions", "authors", "kind", "detail"), [
    pytest.param("JPN;USA", f"{TOHOKU};{MIT}", 3, "international", "bilateral", id="two-countries"),
    pytest.param("JPN;USA;CHE", f"{TOHOKU};{MIT};{ETH}", 9, "international", "trilateral", id="three-countries"),
    pytest.param("JPN;USA;CHE;FRA", "", 200, "international", "four_plus", id="four-countries"),
    pytest.param("USA", MIT, 2, "international", "bilateral", id="foreign-only-address-home-implied"),
    pytest.param("JPN", f"{TOHOKU};{KYOTO}", 4, "national", None, id="two-home-institutions"),
    pytest.param("JPN", TOHOKU, 3, "institutional", None, id="one-institution-several-authors"),
    pytest.param("JPN", TOHOKU, 1, "single", None, id="one-author"),
    pytest.param("", "", 2, "unclassified", None, id="no-country"),
    pytest.param("JPN", "", None, "unclassified", None, id="home-only-no-institutions"),
])
def test_each_paper_gets_one_collaboration_type(countries, institutions, authors, kind, detail):
    typed = paper_types(papers(("p", 2023, countries, institutions, authors, 5)))
    assert typed.loc[0, "type"] == kind
    assert (typed.loc[0, "detail"] if isinstance(typed.loc[0, "detail"], str) else None) == detail


def test_shares_per_year_whole_and_fractional():
    frame = papers(("a", 2023, "JPN;USA", f"{TOHOKU};{MIT}", 3, 10),
                   ("b", 2023, "JPN", f"{TOHOKU};{KYOTO}", 2, 4),
                   ("c", 2023, "JPN", TOHOKU, 1, 0),
                   ("c", 2023, "JPN", TOHOKU, 1, 0))  # a repeated id counts once
    whole = type_shares(frame).set_index("type")
    assert whole.loc["international", "papers"] == 1 and math.isclose(whole.loc["international", "share"], 100 / 3)
    fractional = type_shares(frame, counting="fractional").set_index("type")
    # weights 1/2, 1/2 and 1: the single-authored paper is half the fractional output
    assert fractional.loc["single", "papers"] == 1.0 and math.isclose(fractional.loc["single", "share"], 50.0)


def test_citation_impact_by_type_against_a_hand_count():
    frame = papers(("a", 2022, "JPN;USA", f"{TOHOKU};{MIT}", 3, 30), ("b", 2022, "JPN;CHE", "", 5, 10),
                   ("c", 2023, "JPN", f"{TOHOKU};{KYOTO}", 2, 8), ("d", 2023, "JPN", TOHOKU, 1, None))
    impact = citation_impact(frame).set_index("type")
    assert impact.loc["international", "per_paper"] == 20.0  # (30 + 10) / 2
    assert impact.loc["national", "per_paper"] == 8.0
    assert impact.loc["single", "cited_papers"] == 0 and math.isnan(impact.loc["single", "per_paper"])
    assert math.isclose(impact.loc["all", "per_paper"], 16.0) and math.isclose(impact.loc["international", "relative"], 1.25)


def test_partners_change_year_on_year_gained_and_lost():
    frame = papers(("a", 2022, "JPN;USA", f"{TOHOKU};{MIT}", 3, 1), ("b", 2022, "JPN;FRA", "", 3, 1),
                   ("c", 2023, "JPN;USA", f"{TOHOKU};{MIT}", 3, 1), ("d", 2023, "JPN;USA;CHE", "", 3, 1))
    top = top_partners(frame, year=2023).set_index("partner")
    assert top.loc["USA", "papers"] == 2 and top.loc["USA", "change"] == 1 and top.loc["CHE", "previous"] == 0
    fractional = top_partners(frame, year=2023, counting="fractional").set_index("partner")
    assert math.isclose(fractional.loc["USA", "papers"], 1 / 2 + 1 / 3)
    changes = partners_gained_lost(frame, year=2023)
    assert set(zip(changes["change"], changes["partner"])) == {("gained", "CHE"), ("lost", "FRA")}
    institutions = top_partners(frame, year=2023, level="institution")
    assert list(institutions["partner"]) == ["MIT"]


def test_international_detail_counts_countries_with_home():
    frame = papers(("a", 2023, "JPN;USA", "", 3, 1), ("b", 2023, "USA;CHE", "", 3, 1), ("c", 2023, "JPN", "", 3, 1))
    detail = international_detail(frame).set_index("detail")["papers"]
    assert detail.to_dict() == {"bilateral": 1, "trilateral": 1, "four_plus": 0}


@pytest.mark.parametrize("frame", [
    pytest.param(papers(), id="empty"),
    pytest.param(pd.DataFrame({"id": ["a"], "year": [2023], "countries": ["JPN"]}), id="no-optional-columns"),
])
def test_nothing_to_count_never_raises(frame):
    assert citation_impact(frame).empty or citation_impact(frame)["cited_papers"].sum() == 0
    type_shares(frame)
    top_partners(frame, year=2023)
    partners_gained_lost(frame, year=2023)
