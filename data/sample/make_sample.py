"""Writes the bundled sample CSVs: published figures where they exist, labelled illustrative rows elsewhere.

Run `python data/sample/make_sample.py` to regenerate; the output is deterministic (fixed seed). Each file's
source is named in manifest.csv beside it (and stored with every row by `kpi load-sample`).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(20260401)
ILLUSTRATIVE = "Illustrative (not university figures)"
# Published totals (see ../shared/reference/published_figures.md): international students on 1 May.
INBOUND_TOTALS = {2014: 1532, 2015: 1663, 2016: 1942, 2017: 2025, 2018: 2089, 2019: 2162, 2020: 2081,
                  2021: 2044, 2022: 2074, 2023: 2145}
COUNTRY_WEIGHTS = {"CHN": 44, "KOR": 8, "IDN": 6, "VNM": 5, "TWN": 4, "THA": 4, "MYS": 3, "USA": 3, "MNG": 2,
                   "BGD": 2, "EGY": 2, "IND": 2, "DEU": 1.5, "FRA": 1.5, "PHL": 1.5, "NPL": 1.5, "MEX": 1,
                   "BRA": 1, "GBR": 1, "KAZ": 1}
SCHOOLS = {"Engineering": 34, "Information Sciences": 14, "Environmental Studies": 10, "Agricultural Science": 8,
           "Science": 10, "Economics and Management": 8, "Arts and Letters": 6, "Medicine": 6, "Law": 4}


def split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Integer shares of ``total`` by weight (largest remainder), so the parts sum exactly to the total."""
    keys = list(weights)
    raw = np.array([weights[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * total
    base = np.floor(raw).astype(int)
    for index in np.argsort(-(raw - base))[: total - base.sum()]:
        base[index] += 1
    return dict(zip(keys, base.tolist()))


def inbound_rows() -> list[dict]:
    rows = []
    for year, total in INBOUND_TOTALS.items():
        degree = round(total * 0.78)
        for status, status_total in (("degree", degree), ("non_degree", total - degree)):
            for country, n_country in split(status_total, COUNTRY_WEIGHTS).items():
                for school, n in split(n_country, SCHOOLS).items():
                    if n:
                        rows.append({"fiscal_year": year, "country": country, "school": school,
                                     "status": status, "students": n})
    return rows


def outbound_rows() -> list[dict]:
    rows = []
    outbound = {2014: 1210, 2015: 1304, 2016: 1398, 2017: 1512, 2018: 1601, 2019: 1585, 2020: 96, 2021: 312,
                2022: 988, 2023: 1420}
    destinations = {"USA": 20, "GBR": 10, "AUS": 9, "DEU": 8, "FRA": 7, "KOR": 7, "CHN": 6, "TWN": 5, "CAN": 6,
                    "THA": 4, "SWE": 3, "FIN": 3, "SGP": 4, "NZL": 4, "ESP": 4}
    for year, total in outbound.items():
        for country, n_country in split(total, destinations).items():
            for school, n in split(n_country, SCHOOLS).items():
                if n:
                    rows.append({"fiscal_year": year, "country": country, "school": school,
                                 "status": "non_degree", "students": n})
    return rows


def paper_rows() -> list[dict]:
    totals = {2019: 6420, 2020: 6555, 2021: 6702, 2022: 6791, 2023: 6870, 2024: 7012}
    shares = {2019: 0.33, 2020: 0.32, 2021: 0.33, 2022: 0.35, 2023: 0.36, 2024: 0.37}
    partners = list(COUNTRY_WEIGHTS) + ["AUS", "ITA", "CAN", "ESP", "NLD", "CHE", "SWE"]
    weights = np.array([12, 5, 2, 2, 3, 1, 1, 14, 1, 1, 1, 2, 8, 7, 1, 1, 1, 1, 7, 1, 3, 4, 3, 3, 3, 3, 2], float)
    weights /= weights.sum()
    rows = []
    for year, total in totals.items():
        international = RNG.random(total) < shares[year]
        for index in range(total):
            countries = ["JPN"]
            if international[index]:
                countries += sorted(set(RNG.choice(partners, size=int(RNG.integers(1, 4)), p=weights)))
            rows.append({"id": f"2-s2.0-ILLUSTRATIVE-{year}-{index:05d}", "year": year,
                         "countries": ";".join(countries)})
    # Two exports merged by hand repeat records; a repeated id must count once.
    rows += rows[:3]
    return rows


def with_institutions(rows: list[dict]) -> list[dict]:
    """Each paper's institutions, 'Institution|ISO3;…' (illustrative names): Tohoku University, sometimes another
    Japanese institution, and for each foreign country one of its institutions, a few often and many rarely (so
    that some partnerships are sustained and most are not). A separate generator leaves the countries unchanged."""
    rng = np.random.default_rng(20260402)
    pools: dict[str, tuple[list[str], np.ndarray]] = {}

    def pick(country: str) -> str:
        if country not in pools:
            size = int(rng.integers(8, 40))
            names = [f"Illustrative University {country}-{k:02d}" for k in range(1, size + 1)]
            weights = 1.0 / np.arange(1, size + 1) ** 1.3
            pools[country] = (names, weights / weights.sum())
        names, weights = pools[country]
        return str(rng.choice(names, p=weights))

    out = []
    for row in rows:
        pairs = ["Tohoku University|JPN"]
        if rng.random() < 0.15:
            pairs.append(f"Illustrative Japanese Institute {int(rng.integers(1, 6)):02d}|JPN")
        pairs += [f"{pick(code)}|{code}" for code in row["countries"].split(";") if code != "JPN"]
        out.append({**row, "institutions": ";".join(pairs)})
    return out


# Illustrative enrolment on 1 May (学生数調 layout): totals by level, and international students by level that sum
# to the published 1 May totals above (INBOUND_TOTALS) with the undergraduate share near the ~2 % the press reports.
LEVEL_TOTALS = {"undergraduate": 10900, "masters": 4350, "doctoral": 2600, "professional": 310,
                "research_student": 420}
LEVEL_INTERNATIONAL = {"undergraduate": 0.11, "masters": 0.30, "doctoral": 0.40, "professional": 0.01,
                       "research_student": 0.18}


def enrolment_rows() -> list[dict]:
    rng = np.random.default_rng(20260403)
    rows = []
    for year, international in INBOUND_TOTALS.items():
        by_level = split(international, LEVEL_INTERNATIONAL)
        for level, total in LEVEL_TOTALS.items():
            students = int(total * (1 + rng.normal(0, 0.01)))
            rows.append({"fiscal_year": year, "study_level": level, "students": max(students, by_level[level]),
                         "intl_students": by_level[level]})
    return rows


STAFF_TOTALS = {"professor": 730, "associate_professor": 690, "lecturer": 190, "assistant_professor": 1020,
                "researcher": 880}
STAFF_FOREIGN_2014 = {"professor": 0.035, "associate_professor": 0.06, "lecturer": 0.09,
                      "assistant_professor": 0.085, "researcher": 0.20}


def staff_rows() -> list[dict]:
    """Illustrative staff on 1 May by category, the foreign share rising slowly."""
    rng = np.random.default_rng(20260404)
    rows = []
    for year in INBOUND_TOTALS:
        for category, total in STAFF_TOTALS.items():
            headcount = int(total * (1 + rng.normal(0, 0.015)))
            share = STAFF_FOREIGN_2014[category] * (1 + 0.04 * (year - 2014))
            rows.append({"fiscal_year": year, "category": category, "headcount": headcount,
                         "foreign_staff": int(round(headcount * share))})
    return rows


def agreement_rows() -> list[dict]:
    countries = {"CHN": 40, "KOR": 22, "USA": 30, "TWN": 14, "THA": 12, "IDN": 12, "VNM": 10, "DEU": 16,
                 "FRA": 18, "GBR": 10, "RUS": 8, "MNG": 5, "AUS": 8, "CAN": 6, "ITA": 8, "ESP": 5, "SWE": 6,
                 "FIN": 5, "POL": 5, "EGY": 4, "IND": 6, "MYS": 6, "PHL": 4, "BRA": 4, "MEX": 3, "CHE": 5,
                 "NLD": 5, "BGD": 3, "KAZ": 3, "UZB": 3, "NZL": 3}
    rows = []
    number = 0
    for country, n in countries.items():
        for _ in range(n):
            number += 1
            partner = f"Illustrative Partner University {number:03d}"
            start = dt.date(2000, 4, 1) + dt.timedelta(days=int(RNG.integers(0, 365 * 24)))
            end = start + dt.timedelta(days=365 * 5 - 1) if RNG.random() < 0.12 else None
            rows.append({"partner": partner, "country": country, "level": "university",
                         "start_date": start.isoformat(), "end_date": end.isoformat() if end else ""})
            dept_start = start + dt.timedelta(days=int(RNG.integers(30, 2000)))
            if RNG.random() < 0.45 and dept_start <= dt.date(2025, 3, 31):  # many also hold a department agreement
                rows.append({"partner": f" {partner}  ", "country": country, "level": "department",
                             "start_date": dept_start.isoformat(), "end_date": ""})
    return rows


def indicator_rows() -> list[dict]:
    tgu = "http://www.tohoku.ac.jp/japanese/profile/about/08/about0810/ (9 programmes running by FY2019)"
    rows = [{"indicator": "joint_graduate_programs", "fiscal_year": 2019, "value": 9, "source": tgu}]
    industry = {2017: 18, 2018: 21, 2019: 24, 2020: 22, 2021: 26, 2022: 29, 2023: 33}
    community = {2017: 41, 2018: 44, 2019: 47, 2020: 12, 2021: 20, 2022: 36, 2023: 45}
    rows += [{"indicator": "intl_industry_joint_research", "fiscal_year": y, "value": v, "source": ILLUSTRATIVE}
             for y, v in industry.items()]
    rows += [{"indicator": "intl_community_events", "fiscal_year": y, "value": v, "source": ILLUSTRATIVE}
             for y, v in community.items()]
    return rows


IRE = ("International Research Excellence plan (Universities for International Research Excellence), 25 years, as reported at https://univ-journal.jp/250800"
       " (no base or target year stated)")


def target_rows() -> list[dict]:
    rows = [
        {"indicator": "outbound_students", "baseline_period": 2012, "baseline_value": 1176,
         "target_period": 2017, "target_value": 2000, "direction": "up", "owner": "International Strategy Office",
         "source": "2013 plan through FY2017 as reported by the Kahoku Shimpo: 2,000 students abroad, about 1.7 times "
                   "FY2012 (baseline 1,176 = 2,000 / 1.7, derived)"},
        {"indicator": "joint_graduate_programs", "baseline_period": 2014, "baseline_value": 0,
         "target_period": 2023, "target_value": 7, "direction": "up", "owner": "International Strategy Office",
         "source": "Top Global University Project, landmarks by 2023, https://tgu.mext.go.jp/en/universities/tohoku/"
                   "index.html (baseline of 0 in FY2014 assumed)"},
        {"indicator": "papers_total", "baseline_period": "", "baseline_value": 6791, "target_period": "",
         "target_value": 24000, "direction": "up", "owner": "International Strategy Office",
         "source": f"{IRE}: papers from 6,791 to about 24,000"},
        {"indicator": "intl_student_ratio_undergrad", "baseline_period": "", "baseline_value": 2, "target_period": "",
         "target_value": 20, "direction": "up", "owner": "International Strategy Office",
         "source": f"{IRE}: undergraduate international-student ratio from 2 % to 20 %"},
        {"indicator": "foreign_researcher_ratio", "baseline_period": "", "baseline_value": "", "target_period": "",
         "target_value": 30, "direction": "up", "owner": "International Strategy Office",
         "source": f"{IRE}: foreign researchers 30 %"},
        {"indicator": "international_students", "baseline_period": 2019, "baseline_value": 2162,
         "target_period": 2030, "target_value": 3000, "direction": "up", "owner": "", "source": ILLUSTRATIVE},
        {"indicator": "intl_coauthored_share", "baseline_period": 2019, "baseline_value": 33,
         "target_period": 2030, "target_value": 45, "direction": "up", "owner": "", "source": ILLUSTRATIVE},
        {"indicator": "intl_coauthored_papers", "baseline_period": 2019, "baseline_value": 2100,
         "target_period": 2030, "target_value": 3400, "direction": "up", "owner": "", "source": ILLUSTRATIVE},
        {"indicator": "partner_institutions", "baseline_period": 2019, "baseline_value": 250,
         "target_period": 2030, "target_value": 320, "direction": "up", "owner": "", "source": ILLUSTRATIVE},
        {"indicator": "agreements_active", "baseline_period": 2019, "baseline_value": 330,
         "target_period": 2030, "target_value": 420, "direction": "up", "owner": "", "source": ILLUSTRATIVE},
        {"indicator": "intl_industry_joint_research", "baseline_period": 2019, "baseline_value": 24,
         "target_period": 2030, "target_value": 50, "direction": "up", "owner": "", "source": ILLUSTRATIVE},
        {"indicator": "intl_community_events", "baseline_period": 2019, "baseline_value": 47,
         "target_period": 2030, "target_value": 60, "direction": "up", "owner": "", "source": ILLUSTRATIVE},
    ]
    for row in rows:  # said in a column of its own, not only in the wording of the source
        row["basis"] = "illustrative" if row["source"] == ILLUSTRATIVE else "published"
    return rows


def write(name: str, rows: list[dict]) -> None:
    with (HERE / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    write("mobility_inbound", inbound_rows())
    write("mobility_outbound", outbound_rows())
    write("papers", with_institutions(paper_rows()))
    write("agreements", agreement_rows())
    write("indicators", indicator_rows())
    write("targets", target_rows())
    write("enrolment", enrolment_rows())
    write("staff", staff_rows())
