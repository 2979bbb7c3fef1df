"""Research collaboration as InCites and SciVal define it, from the university's own paper exports (pure pandas).

Each paper gets one type: ``international`` (an address in a country other than home: InCites' international
collaboration), ``national`` (two or more institutions, all at home), ``institutional`` (one institution, several
authors), ``single`` (one author), or ``unclassified`` (no country read, or a home-only paper whose export names
no institutions). International papers carry InCites' detail: ``bilateral`` (two countries), ``trilateral``
(three), ``four_plus``.

Fractional counting gives a paper the weight 1 / (its number of institutions) — the university's share when each
institution counts equally — else 1 / (its number of countries); whole counting gives every paper 1. Partner
countries and institutions are counted whole (each paper once per partner) or fractionally (1 / partners).
Citations are the export's raw counts on its export day: citations per paper compare types within the same
export only; field-normalised indicators (FWCI, CNCI) need world baselines no export holds.
"""

from __future__ import annotations

import pandas as pd

HOME_COUNTRY = "JPN"
TYPES = ("international", "national", "institutional", "single", "unclassified")
DETAILS = ("bilateral", "trilateral", "four_plus")
PAPER_COLUMNS = ["id", "year", "type", "detail", "countries_n", "institutions_n", "weight", "citations"]


def _codes(text) -> list[str]:
    return list(dict.fromkeys(c for c in str(text or "").split(";") if c.strip()))


def _institutions(text) -> list[tuple[str, str]]:
    pairs = []
    for part in str(text or "").split(";"):
        name, bar, country = part.rpartition("|")
        if bar and name.strip() and (name.strip(), country.strip()) not in pairs:
            pairs.append((name.strip(), country.strip()))
    return pairs


def _column(papers: pd.DataFrame, name: str) -> pd.Series:
    return papers[name] if name in papers else pd.Series([None] * len(papers), index=papers.index, dtype="object")


def paper_types(papers: pd.DataFrame, *, home: str = HOME_COUNTRY) -> pd.DataFrame:
    """One row per distinct paper: its collaboration type, international detail, counts, weight and citations."""
    if papers is None or papers.empty:
        return pd.DataFrame(columns=PAPER_COLUMNS)
    unique = papers.drop_duplicates("id")
    countries = unique["countries"].map(_codes)
    institutions = _column(unique, "institutions").map(_institutions)
    authors = pd.to_numeric(_column(unique, "author_count"), errors="coerce")
    n_countries = countries.map(len)
    n_institutions = institutions.map(len)
    foreign = countries.map(lambda codes: any(c != home for c in codes))
    kind = pd.Series("unclassified", index=unique.index, dtype="object")
    kind[n_countries.gt(0) & n_institutions.eq(1)] = "institutional"
    kind[n_countries.gt(0) & authors.eq(1)] = "single"
    kind[n_countries.gt(0) & n_institutions.ge(2)] = "national"
    kind[foreign] = "international"
    spread = n_countries.where(countries.map(lambda codes: home in codes), n_countries + 1)  # home always takes part
    detail = spread.map(lambda n: "bilateral" if n <= 2 else "trilateral" if n == 3 else "four_plus").where(foreign)
    weight = 1.0 / n_institutions.where(n_institutions.gt(0), n_countries.where(n_countries.gt(0), 1))
    return pd.DataFrame({"id": unique["id"], "year": unique["year"].astype("int64"), "type": kind,
                         "detail": detail, "countries_n": n_countries, "institutions_n": n_institutions,
                         "weight": weight.astype("float64"),
                         "citations": pd.to_numeric(_column(unique, "citations"), errors="coerce")},
                        columns=PAPER_COLUMNS).reset_index(drop=True)


def type_shares(papers: pd.DataFrame, *, home: str = HOME_COUNTRY, counting: str = "whole") -> pd.DataFrame:
    """Per year and type: papers (whole: count; fractional: sum of weights) and the type's share of the year (%)."""
    typed = paper_types(papers, home=home)
    columns = ["year", "type", "papers", "share"]
    if typed.empty:
        return pd.DataFrame(columns=columns)
    typed["value"] = typed["weight"] if counting == "fractional" else 1.0
    grid = pd.MultiIndex.from_product([sorted(typed["year"].unique()), TYPES], names=["year", "type"])
    out = typed.groupby(["year", "type"])["value"].sum().reindex(grid, fill_value=0.0).reset_index(name="papers")
    totals = out.groupby("year")["papers"].transform("sum")
    out["share"] = 100.0 * out["papers"] / totals.where(totals > 0)
    return out[columns]


def international_detail(papers: pd.DataFrame, *, home: str = HOME_COUNTRY) -> pd.DataFrame:
    """Per year: internationally co-authored papers by number of countries (InCites' bilateral/trilateral/4+)."""
    typed = paper_types(papers, home=home)
    typed = typed[typed["type"] == "international"]
    if typed.empty:
        return pd.DataFrame(columns=["year", "detail", "papers"])
    grid = pd.MultiIndex.from_product([sorted(typed["year"].unique()), DETAILS], names=["year", "detail"])
    return typed.groupby(["year", "detail"]).size().reindex(grid, fill_value=0).reset_index(name="papers")


def citation_impact(papers: pd.DataFrame, *, home: str = HOME_COUNTRY,
                    years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Per type: papers, papers with a citation count, citations, citations per paper and the ratio to all papers'
    citations per paper (1.0 = the university's own average; not a field-normalised FWCI/CNCI)."""
    typed = paper_types(papers, home=home)
    if years is not None:
        typed = typed[typed["year"].between(*years)]
    columns = ["type", "papers", "cited_papers", "citations", "per_paper", "relative"]
    known = typed[typed["citations"].notna()]
    if known.empty:
        return pd.DataFrame(columns=columns)
    overall = known["citations"].sum() / len(known)
    rows = []
    for kind in (*TYPES, "all"):
        part = typed if kind == "all" else typed[typed["type"] == kind]
        cited = part[part["citations"].notna()]
        per_paper = cited["citations"].sum() / len(cited) if len(cited) else float("nan")
        rows.append({"type": kind, "papers": len(part), "cited_papers": len(cited),
                     "citations": float(cited["citations"].sum()), "per_paper": per_paper,
                     "relative": per_paper / overall if overall else float("nan")})
    out = pd.DataFrame(rows, columns=columns)
    return out[(out["papers"] > 0) | (out["type"] == "all")].reset_index(drop=True)


def partner_links(papers: pd.DataFrame, *, level: str = "country", home: str = HOME_COUNTRY) -> pd.DataFrame:
    """One row per (paper, foreign partner) with the paper's fractional weight for that partner (1 / partners)."""
    columns = ["id", "year", "partner", "country", "weight"]
    if papers is None or papers.empty:
        return pd.DataFrame(columns=columns)
    unique = papers.drop_duplicates("id")
    rows = []
    for pid, year, countries, institutions in zip(unique["id"], unique["year"], unique["countries"],
                                                  _column(unique, "institutions")):
        if level == "country":
            found = [(c, c) for c in _codes(countries)]
        else:
            found = list(dict.fromkeys(_institutions(institutions)))
        total = len(found)
        rows += [(pid, int(year), name, country, 1.0 / total) for name, country in found if country != home]
    return pd.DataFrame(rows, columns=columns)


def top_partners(papers: pd.DataFrame, *, year: int, level: str = "country", counting: str = "whole",
                 home: str = HOME_COUNTRY, top: int = 15) -> pd.DataFrame:
    """Partners ranked by joint papers in ``year``, with the previous year's and the change."""
    links = partner_links(papers, level=level, home=home)
    columns = ["partner", "country", "papers", "previous", "change"]
    if links.empty:
        return pd.DataFrame(columns=columns)
    links["value"] = links["weight"] if counting == "fractional" else 1.0

    def counts(when: int) -> pd.Series:
        return links[links["year"] == when].groupby(["partner", "country"])["value"].sum()

    now, before = counts(year), counts(year - 1)
    out = pd.DataFrame({"papers": now}).join(pd.DataFrame({"previous": before}), how="left").fillna(0.0)
    out["change"] = out["papers"] - out["previous"]
    out = out.reset_index().sort_values(["papers", "partner"], ascending=[False, True]).head(top)
    return out[columns].reset_index(drop=True)


def partners_gained_lost(papers: pd.DataFrame, *, year: int, level: str = "country",
                         home: str = HOME_COUNTRY) -> pd.DataFrame:
    """Partners with joint papers in ``year`` but none the year before (gained), and the reverse (lost)."""
    links = partner_links(papers, level=level, home=home)
    columns = ["change", "partner", "country", "papers"]
    if links.empty:
        return pd.DataFrame(columns=columns)
    now = links[links["year"] == year].groupby(["partner", "country"]).size()
    before = links[links["year"] == year - 1].groupby(["partner", "country"]).size()
    gained = now[~now.index.isin(before.index)].reset_index(name="papers").assign(change="gained")
    lost = before[~before.index.isin(now.index)].reset_index(name="papers").assign(change="lost")
    out = pd.concat([gained, lost], ignore_index=True)
    return out.sort_values(["change", "papers", "partner"], ascending=[True, False, True])[columns].reset_index(drop=True)
