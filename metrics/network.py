"""QS International Research Network: sustained foreign partner institutions, their countries and L / ln(P)."""

from __future__ import annotations

import math

import pandas as pd

HOME_COUNTRY = "JPN"
WINDOW = 5  # years, as QS counts joint papers
MIN_PAPERS = 3  # joint papers in the window that make a partnership "sustained"
NETWORK_COLUMNS = ["period", "partners", "countries", "irn"]
LINK_COLUMNS = ["id", "year", "institution", "country"]


def parse_institutions(text: str | None) -> list[tuple[str, str]]:
    """``Harvard University|USA;Tohoku University|JPN`` -> [("Harvard University", "USA"), ...]."""
    pairs = []
    for part in str(text or "").split(";"):
        name, bar, country = part.rpartition("|")
        if bar and name.strip() and country.strip():
            pairs.append((name.strip(), country.strip()))
    return pairs


def format_institutions(pairs: list[tuple[str, str]]) -> str:
    return ";".join(f"{name}|{country}" for name, country in pairs)


def foreign_links(papers: pd.DataFrame, *, home: str = HOME_COUNTRY) -> pd.DataFrame:
    """One row per (paper, foreign institution): each paper counts once for each partner, however many authors."""
    if papers is None or papers.empty or "institutions" not in papers:
        return pd.DataFrame(columns=LINK_COLUMNS)
    unique = papers.drop_duplicates("id")
    unique = unique[unique["institutions"].notna() & unique["institutions"].astype(str).str.strip().ne("")]
    rows = [(pid, int(year), name, country)
            for pid, year, text in zip(unique["id"], unique["year"], unique["institutions"])
            for name, country in parse_institutions(text) if country != home]
    links = pd.DataFrame(rows, columns=LINK_COLUMNS)
    return links.drop_duplicates(["id", "institution"], ignore_index=True)


def sustained_partners(links: pd.DataFrame, *, end: int, window: int = WINDOW,
                       min_papers: int = MIN_PAPERS) -> pd.DataFrame:
    """Partners with at least ``min_papers`` joint papers published in the ``window`` years ending ``end``.

    Columns institution, country, papers; most papers first. A partner seen in two countries (a multinational
    campus) takes the country on most of its papers.
    """
    inside = links[links["year"].between(end - window + 1, end)]
    if inside.empty:
        return pd.DataFrame(columns=["institution", "country", "papers"])
    papers = inside.groupby("institution")["id"].nunique().rename("papers")
    country = (inside.groupby(["institution", "country"]).size().rename("n").reset_index()
               .sort_values(["institution", "n", "country"], ascending=[True, False, True])
               .drop_duplicates("institution").set_index("institution")["country"])
    out = pd.concat([country, papers], axis=1).reset_index()
    out = out[out["papers"] >= min_papers]
    return out.sort_values(["papers", "institution"], ascending=[False, True], ignore_index=True)


def irn_index(partners: int, countries: int) -> float:
    """QS's current formula L / ln(P); undefined (NaN) below two partners, where ln(P) is zero."""
    return countries / math.log(partners) if partners >= 2 else math.nan


def network_by_year(papers: pd.DataFrame, *, window: int = WINDOW, min_papers: int = MIN_PAPERS,
                    home: str = HOME_COUNTRY) -> pd.DataFrame:
    """Per window end year: sustained partners P, their distinct countries L and IRN = L / ln(P).

    A year gets a value only when the papers reach back to the window's first year (a shorter window would
    undercount partnerships) and the papers of those years carry institutions.
    """
    links = foreign_links(papers, home=home)
    if links.empty:
        return pd.DataFrame(columns=NETWORK_COLUMNS)
    with_institutions = papers[papers["institutions"].notna() & papers["institutions"].astype(str).str.strip().ne("")]
    first = int(with_institutions["year"].min())
    rows = []
    for end in sorted({int(y) for y in with_institutions["year"]}):
        if end - window + 1 < first:
            continue
        partners = sustained_partners(links, end=end, window=window, min_papers=min_papers)
        p, ell = len(partners), partners["country"].nunique()
        rows.append({"period": end, "partners": p, "countries": ell, "irn": irn_index(p, ell)})
    return pd.DataFrame(rows, columns=NETWORK_COLUMNS)


def partner_changes(links: pd.DataFrame, *, end: int, window: int = WINDOW,
                    min_papers: int = MIN_PAPERS) -> pd.DataFrame:
    """Partners gained and lost against the window one year earlier: institution, country, change."""
    now = sustained_partners(links, end=end, window=window, min_papers=min_papers)
    before = sustained_partners(links, end=end - 1, window=window, min_papers=min_papers)
    gained = now[~now["institution"].isin(before["institution"])].assign(change="gained")
    lost = before[~before["institution"].isin(now["institution"])].assign(change="lost")
    return pd.concat([gained, lost], ignore_index=True)[["institution", "country", "papers", "change"]]
