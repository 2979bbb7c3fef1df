"""Genuine Scopus and Web of Science exports (tests/exports/, provenance in PROVENANCE.md) imported with no options;
`kpi values --json` per year against a hand count written here without the importer."""

import csv
import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

from kpi.cli import main

EXPORTS = Path(__file__).resolve().parent / "exports"

# Database spellings a person counting by hand would read as countries (pycountry knows the official names).
SPELLINGS = {"usa", "peoples r china", "england", "scotland", "wales", "north ireland", "south korea", "turkiye",
             "u arab emirates", "taiwan", "russia", "iran", "vietnam", "viet nam", "czech republic", "dominican rep",
             "yugoslavia", "bosnia & herceg", "venezuela", "bolivia", "tanzania", "macedonia", "moldova", "syria",
             "laos", "brunei", "cote ivoire", "palestine", "kosovo", "korea", "rep of georgia", "byelarus",
             "fed rep ger", "ussr", "united states", "united kingdom", "uk", "turkey", "trinidad tobago"}


def is_country(name: str) -> bool:
    name = name.strip().rstrip(".").strip()
    if name.lower() in SPELLINGS or re.fullmatch(r"[A-Z]{2} \d{5}", name) or name.endswith(" USA"):
        return True
    try:
        pycountry.countries.lookup(name)
        return True
    except LookupError:
        return False


def is_japan(name: str) -> bool:
    return name.strip().rstrip(".").strip().lower() == "japan"


def hand_count(path: Path) -> dict[int, tuple[int, int]]:
    """Per year: (distinct records, records with an affiliation in a country other than Japan).

    A record is its UT (Web of Science) or EID (Scopus), else its DOI; the year is PY, else the early-access year.
    """
    data = path.read_bytes()
    text = data.decode("utf-16") if data[:2] == b"\xff\xfe" else data.decode("utf-8-sig")
    if text.startswith(("FN ", "VR ")):
        records, record, tag = [], None, None
        for line in text.splitlines():
            if line.startswith("PT "):
                record = defaultdict(list)
                records.append(record)
            if record is None or line in ("ER", "EF"):
                continue
            if line.startswith("   "):
                record[tag].append(line.strip())
            elif len(line) > 2 and line[2] == " ":
                tag = line[:2]
                record[tag].append(line[3:].strip())
        rows = [{"id": "".join(r["UT"]) or "".join(r["DI"]), "year": "".join(r["PY"]) or "".join(r["EA"])[-4:],
                 "addresses": r["C1"]} for r in records]
    elif text.startswith("PT\tAU"):
        reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = [{"id": r["UT"], "year": r["PY"] or r.get("EA", "")[-4:],
                 "addresses": re.split(r"; (?=\[)|; ", r["C1"])} for r in reader]
    else:
        reader = csv.DictReader(io.StringIO(text))
        rows = [{"id": r["EID"], "year": r["Year"], "addresses": r["Affiliations"].split(";")} for r in reader]
    seen, per_year = set(), defaultdict(lambda: [0, 0])
    for row in rows:
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        lasts = [re.sub(r"^\[[^\]]*\]\s*", "", a).split(",")[-1] for a in row["addresses"] if a.strip()]
        per_year[int(row["year"])][0] += 1
        per_year[int(row["year"])][1] += any(is_country(c) and not is_japan(c) for c in lasts)
    return {year: tuple(v) for year, v in per_year.items()}


def kpi_per_year(capsys) -> dict[int, tuple[int, int]]:
    assert main(["values", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    values = {(r["indicator"], r["period"]): r["value"] for r in records}
    years = {period for indicator, period in values if indicator == "papers_total"}
    return {y: (int(values[("papers_total", y)]), int(values.get(("intl_coauthored_papers", y), 0))) for y in years}


GENUINE = [
    pytest.param("scopus_2017_metaknowledge.csv", "scopus_csv", id="scopus-2017"),
    pytest.param("scopus_2023_litstudy_v2.csv", "scopus_csv", id="scopus-2023"),
    pytest.param("wos_tab_utf8bom_labnetwork.txt", "wos_tab", id="wos-tab-utf8-bom"),
    pytest.param("wos_tab_utf16le_labnetwork_transcoded.txt", "wos_tab", id="wos-tab-utf16le"),
    pytest.param("wos_tab_2024_lamatawk.txt", "wos_tab", id="wos-tab-2024"),
    pytest.param("wos_plain_2025_awandahl.txt", "wos_plain", id="wos-plain-2025"),
    pytest.param("wos_plain_2016_metaknowledge.isi", "wos_plain", id="wos-plain-2016"),
]


@pytest.mark.parametrize("name,source", GENUINE)
def test_genuine_export_imports_without_options_and_matches_a_hand_count(engine, capsys, name, source):
    path = EXPORTS / name
    assert main(["import", str(path), "--dataset", "papers"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert {"scopus_csv": "Scopus CSV export", "wos_tab": "Web of Science tab-delimited",
            "wos_plain": "Web of Science plain text"}[source] in out
    expected = hand_count(path)
    assert kpi_per_year(capsys) == expected
    total = sum(n for n, _ in expected.values())
    assert f"{total:,} papers, {sum(i for _, i in expected.values()):,} internationally co-authored" in out


def test_genuine_merged_scopus_file_with_shifted_rows_is_refused_and_changes_nothing(engine, capsys):
    """Two Scopus vintages merged by hand: from line 4 every row has one cell more than the header, so its EID
    column holds 'Scopus' (issue #10, class 4). Located errors, nothing stored."""
    assert main(["values", "--json"]) == 0
    before = capsys.readouterr().out
    code = main(["import", str(EXPORTS / "scopus_2020_litstudy.csv"), "--dataset", "papers", "--lang", "ja"])
    err = capsys.readouterr().err
    assert code == 1
    assert "4行目：この行は46セルありますが、見出しは45列です" in err
    assert "「EID」列：「Scopus」は文献ID（EID・UT・DOI）ではありません" in err
    assert main(["values", "--json"]) == 0
    assert capsys.readouterr().out == before


def test_genuine_wos_export_without_addresses_says_why(engine, capsys):
    code = main(["validate", str(EXPORTS / "wos_plain_thomson_neurobib.txt"), "--dataset", "papers"])
    err = capsys.readouterr().err
    assert code == 1 and "holds no addresses anywhere" in err and "Full Record" in err and "Traceback" not in err


@pytest.mark.parametrize("page,lang", [
    pytest.param("pages/mobility.py", "ja", id="mobility-ja"),
    pytest.param("pages/research.py", "en", id="research-en"),
])
def test_pages_render_after_importing_the_other_bucket_and_a_genuine_export(engine, capsys, tmp_path, page, lang):
    """Nothing an import accepts may make a page raise: その他 (ZZZ) in mobility, a real WoS file in papers."""
    from streamlit.testing.v1 import AppTest

    mobility = tmp_path / "inbound.csv"
    mobility.write_bytes("年度,区分,国・地域,人数\n令和5年度,受入,中国,10\n令和5年度,受入,その他,3\n".encode("cp932"))
    assert main(["import", str(mobility), "--dataset", "mobility"]) == 0
    assert main(["import", str(EXPORTS / "wos_tab_2024_lamatawk.txt"), "--dataset", "papers"]) == 0
    capsys.readouterr()
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=90)
    app.query_params["lang"] = lang
    app.run()
    app.switch_page(page).run()
    assert not app.exception, (page, app.exception)
