"""Every bibliographic export an office holds (tests/exports/, provenance in PROVENANCE.md): each genuine file read
with no options and counted against a few-line counter written here without the importer (papers and
internationally co-authored papers per year; citations of international and other papers)."""

import csv
import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from test_genuine_exports import is_country, is_japan

from kpi.cli import main
from kpi.ingest.importer import read_file
from metrics.collaboration import paper_types

EXPORTS = Path(__file__).resolve().parent / "exports"
ISO2 = {"JP"}  # OpenAlex writes ISO alpha-2 codes: Japan is JP


def medline(text):
    for block in re.split(r"\n(?=PMID- )", text):
        lines = re.sub(r"\n {6}", " ", block).splitlines()
        tags = defaultdict(list)
        for line in lines:
            if len(line) > 5 and line[4] == "-":
                tags[line[:4].strip()].append(line[6:].strip())
        if tags["PMID"]:
            yield tags["PMID"][0], tags["DP"][0][:4], tags["AD"], None


def ris(text):
    for block in text.split("\nER  -"):
        tags = defaultdict(list)
        for line in block.splitlines():
            if line[2:6] == "  - ":
                tags[line[:2]].append(line[6:].strip())
        if tags["TY"]:
            eid = re.search(r"eid=([\w.-]+?)&", " ".join(tags["UR"]))
            cited = re.search(r"Cited By\s*:\s*(\d+)", " ".join(tags["N1"]))
            yield eid.group(1), tags["PY"][0][:4], tags["AD"], int(cited.group(1)) if cited else None


def bibtex(text):
    for entry in text.split("\n@")[1:]:
        field = dict(re.findall(r"^(\w+)=\{(.*)\},?$", entry, re.MULTILINE))
        cited = re.search(r"cited By (\d+)", field.get("note", ""))
        yield (re.search(r"eid=([\w.-]+?)&", field["url"]).group(1), field["year"],
               field.get("affiliation", "").split(";"), int(cited.group(1)) if cited else None)


def scopus_text(text):
    for block in text.split("\nSOURCE: Scopus")[:-1]:
        year = re.search(r"^\((\d{4})\)", block, re.MULTILINE).group(1)
        cited = re.search(r"Cited (\d+) times", block)
        affiliations = re.search(r"^AFFILIATIONS: (.*)$", block, re.MULTILINE)
        yield (re.search(r"eid=([\w.-]+?)&", block).group(1), year,
               affiliations.group(1).split(";") if affiliations else [], int(cited.group(1)) if cited else None)


def openalex_csv(text):
    for row in csv.DictReader(io.StringIO(text)):
        codes = [c for c in row["authorships.countries"].split("|") if c]
        yield row["id"], row["publication_year"], [f"x, {c}" for c in codes], int(row["cited_by_count"])


def wos_excel(path):
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    head = rows[0]
    for row in rows[1:]:
        record = dict(zip(head, row))
        addresses = re.split(r"; (?=\[)|; ", re.sub(r"\[[^\]]*\]\s*", "", str(record["Addresses"])))
        yield (record["UT (Unique WOS ID)"], str(int(record["Publication Year"])), addresses,
               int(record["Times Cited, WoS Core"]))


def foreign(text: str) -> bool:
    """An address (or several joined by ';') whose last comma part names a country other than Japan."""
    text = re.sub(r"\S+@\S+", "", re.sub(r"\([^()]*@[^()]*\)", "", text)).replace("Electronic address:", "")
    for address in text.split(";"):
        last = address.strip().rstrip(".").strip().split(",")[-1].strip().removeprefix("the ").removeprefix("The ")
        last = {"P R China": "China", "PR China": "China"}.get(last, last)
        if not last:
            continue
        if last.split()[-1] in ("Hungary", "USA"):  # '2040 Hungary', 'MA 02139 USA': postcode before the country
            last = last.split()[-1]
        if last in {"AU", "CN", "DE", "GB", "IN", "IT", "MY", "PK", "ES", "US", "BR", "IR"} - ISO2 or (
                is_country(last) and not is_japan(last)):
            return True
    return False


def hand_count(records) -> tuple[dict, dict]:
    """Per year (papers, international) over distinct ids; citations summed for international and other papers."""
    seen, per_year, citations = set(), defaultdict(lambda: [0, 0]), {"international": 0, "other": 0}
    for ident, year, addresses, cited in records:
        if ident in seen:
            continue
        seen.add(ident)
        international = any(foreign(a) for a in addresses if a.strip())
        per_year[int(year)][0] += 1
        per_year[int(year)][1] += international
        citations["international" if international else "other"] += cited or 0
    return {y: tuple(v) for y, v in per_year.items()}, citations


def imported(result) -> tuple[dict, dict]:
    assert result.ok, [str(p) for p in result.errors[:5]]
    typed = paper_types(result.frame)
    typed["international"] = typed["type"] == "international"
    per_year = typed.groupby("year")["international"].agg(["size", "sum"])
    cited = typed.groupby("international")["citations"].sum()
    return ({int(y): (int(r["size"]), int(r["sum"])) for y, r in per_year.iterrows()},
            {"international": int(cited.get(True, 0)), "other": int(cited.get(False, 0))})


GENUINE = [
    pytest.param("medline_metaknowledge.medline", "medline", medline, id="pubmed-medline"),
    pytest.param("scopus_ris_2024_pundir.ris", "scopus_ris", ris, id="scopus-ris"),
    pytest.param("scopus_bibtex_2017_bibliometrix.bib", "scopus_bibtex", bibtex, id="scopus-bibtex"),
    pytest.param("scopus_plain_2024_pundir.txt", "scopus_text", scopus_text, id="scopus-plain-text"),
    pytest.param("openalex_csv_bibliometrix.csv", "openalex_csv", openalex_csv, id="openalex-csv"),
    pytest.param("wos_excel_2021_payne.xls", "wos_table", None, id="wos-excel-xls"),
]


@pytest.mark.parametrize("name,source,counter", GENUINE)
def test_genuine_export_is_recognised_and_counted_like_a_hand_count(name, source, counter):
    path = EXPORTS / name
    result = read_file(path.read_bytes(), "papers", file_name=name)
    assert result.source == source
    records = wos_excel(path) if counter is None else counter(path.read_text(encoding="utf-8-sig"))
    per_year, citations = hand_count(records)
    got_years, got_citations = imported(result)
    assert got_years == per_year
    if source != "medline":  # PubMed gives no citation counts
        assert got_citations == citations


def test_wos_excel_countries_come_from_addresses_never_affiliations():
    """'Affiliations' (C3) names organisations; a country read from it would be a guess: only 'Addresses' counts."""
    result = read_file((EXPORTS / "wos_excel_2021_payne.xls").read_bytes(), "papers")
    assert result.mapping["Addresses"] == "countries (from affiliations)"
    assert result.mapping.get("Affiliations") == "institutions (from affiliations)"


def wos_tab(records: list[tuple[str, str, str, str, str]]) -> bytes:
    """A hand-made Web of Science tab-delimited export (UT, PY, C1, C3, TC), as the 'Win' export writes it."""
    lines = ["PT\tAU\tTI\tC1\tC3\tTC\tPY\tDI\tUT"]
    lines += [f"J\tA, B; C, D\tPaper {ut}\t{c1}\t{c3}\t{tc}\t{py}\t{doi}\t{ut}" for ut, py, c1, c3, tc, doi in records]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


TOHOKU = "[A, B] Tohoku Univ, Grad Sch Engn, Sendai, Miyagi 9808579, Japan"
MIT = "[C, D] MIT, Dept Phys, Cambridge, MA 02139 USA"
PARTS = [
    [("WOS:000000000000001", "2022", f"{TOHOKU}; {MIT}", "Tohoku University; Massachusetts Institute of Technology",
      "10", "10.1000/A1"),
     ("WOS:000000000000002", "2022", TOHOKU, "Tohoku University", "3", "10.1000/A2")],
    [("WOS:000000000000003", "2023", f"{TOHOKU}; [E] Univ Tokyo, Tokyo 1130033, Japan", "Tohoku University",
      "5", "10.1000/A3"),
     ("WOS:000000000000001", "2022", f"{TOHOKU}; {MIT}", "Tohoku University", "10", "10.1000/A1")],  # repeated
    [("WOS:000000000000004", "2023", f"{TOHOKU}; [F] ETH, CH-8092 Zurich, Switzerland", "Tohoku University; "
      "Harvard University", "7", "10.1000/A4")],
]


def test_a_wos_export_split_in_three_files_imports_as_one(engine, capsys, tmp_path):
    files = []
    for number, records in enumerate(PARTS, start=1):
        files.append(tmp_path / f"savedrecs({number}).txt")
        files[-1].write_bytes(wos_tab(records))
    assert main(["import", *map(str, files), "--dataset", "papers"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "imported 4 rows into papers" in out
    assert main(["values", "--json"]) == 0
    values = {(r["indicator"], r["period"]): r["value"] for r in json.loads(capsys.readouterr().out)}
    assert (values[("papers_total", 2022)], values[("papers_total", 2023)]) == (2, 2)
    assert (values[("intl_coauthored_papers", 2022)], values[("intl_coauthored_papers", 2023)]) == (1, 1)


def test_one_failing_part_imports_nothing_and_names_its_file(engine, capsys, tmp_path):
    good, bad = tmp_path / "part1.txt", tmp_path / "part2.txt"
    good.write_bytes(wos_tab(PARTS[0]))
    bad.write_bytes(wos_tab([("WOS:000000000000009", "20x3", TOHOKU, "", "1", "")]))
    assert main(["import", str(good), str(bad), "--dataset", "papers"]) == 1
    assert "part2.txt" in capsys.readouterr().err


@pytest.mark.parametrize("name,source,advice", [
    pytest.param("lens_bibliometrix.csv", "lens_csv", "export the same search from Scopus", id="lens-no-affiliations"),
    pytest.param("scopus_ris_no_addresses_paperweight.txt", "scopus_ris", "Affiliations", id="scopus-ris-citation-only"),
    pytest.param("wos_excel_no_addresses_staples.xls", "wos_table", "Full Record", id="wos-excel-addresses-empty"),
    pytest.param("wos_plain_thomson_neurobib.txt", "wos_plain", "Full Record", id="wos-plain-no-c1"),
])
def test_an_export_without_addresses_is_refused_with_what_to_export(name, source, advice):
    result = read_file((EXPORTS / name).read_bytes(), "papers", file_name=name)
    assert result.source == source and not result.ok
    message = result.errors[0].message_in("en")
    assert "holds no addresses" in message and advice in message
    assert "住所" in result.errors[0].message_in("ja")


@pytest.mark.parametrize("data,dataset,key", [
    pytest.param(b'{"results": [{"title": "x"}]}', "papers", "imp.looks_like.json", id="json-not-openalex"),
    pytest.param(b'<?xml version="1.0"?><PubmedArticleSet></PubmedArticleSet>', "papers", "imp.looks_like.xml",
                 id="pubmed-xml"),
    pytest.param("年度,区分,人数,国\n2023,受入,5,中国\n".encode(), "papers", "imp.looks_like.table",
                 id="a-mobility-table-given-as-papers"),
    pytest.param(b"TY  - JOUR\nPY  - 2020\nAD  - Tohoku Univ, Japan\nER  -\n", "mobility",
                 "imp.bibliographic_for_other", id="ris-given-as-mobility"),
])
def test_an_unrecognised_file_says_what_it_looks_like_and_what_is_expected(data, dataset, key):
    result = read_file(data, dataset)
    assert [p.key for p in result.errors] == [key]
    assert "{" not in result.errors[0].message_in("ja") and "{" not in result.errors[0].message_in("en")


def test_openalex_json_and_jsonl_read_the_same_works():
    works = [{"id": "https://openalex.org/W1", "doi": "https://doi.org/10.1/X", "publication_year": 2023,
              "cited_by_count": 4, "authorships": [
                  {"countries": ["JP"], "institutions": [{"display_name": "Tohoku University", "country_code": "JP"}]},
                  {"countries": ["US"], "institutions": [{"display_name": "MIT", "country_code": "US"}]}]},
             {"id": "https://openalex.org/W2", "publication_year": 2024, "cited_by_count": 0,
              "authorships": [{"countries": ["JP"], "institutions": []}]}]
    page = read_file(json.dumps({"meta": {}, "results": works}).encode(), "papers")
    lines = read_file("\n".join(json.dumps(w) for w in works).encode(), "papers")
    for result in (page, lines):
        assert result.source == "openalex_json" and result.ok, [str(p) for p in result.errors]
        frame = result.frame.reset_index(drop=True)
        assert list(frame["countries"]) == ["JPN;USA", "JPN"] and list(frame["citations"]) == [4, 0]
        assert frame.loc[0, "institutions"] == "Tohoku University|JPN;Massachusetts Institute of Technology|USA"
        assert list(frame["id"]) == ["W1", "W2"]


def test_dimensions_csv_reads_countries_of_research_organizations():
    text = ('"About the data: Exported on Sep 30, 2026. Criteria: Tohoku University."\n'
            '"Rank","Publication ID","DOI","Title","PubYear","Authors","Research Organizations - standardized",'
            '"Country of Research organization","Times cited"\n'
            '"1","pub.1000000001","10.1/a","A","2023","A; B; C","Tohoku University; MIT","Japan; United States","12"\n'
            '"2","pub.1000000002","10.1/b","B","2023","D","Tohoku University","Japan","0"\n')
    result = read_file(text.encode(), "papers")
    assert result.source == "dimensions_csv" and result.ok and result.exported == "Sep 30, 2026"
    frame = result.frame.reset_index(drop=True)
    assert list(frame["countries"]) == ["JPN;USA", "JPN"] and list(frame["author_count"]) == [3, 1]
    assert list(frame["citations"]) == [12, 0]


def test_ids_are_normalised_once():
    from kpi.ingest.ids import normalise_id

    assert pd.Series(["https://doi.org/10.1/ABC", "doi: 10.1/abc", "10.1/Abc", "https://openalex.org/W9",
                      "2-s2.0-8500", "WOS:0001"]).map(normalise_id).tolist() == [
        "10.1/abc", "10.1/abc", "10.1/abc", "W9", "2-s2.0-8500", "WOS:0001"]


def test_the_wos_excel_export_saved_as_csv_reads_the_same(tmp_path):
    """No genuine 'saved as CSV' WoS export was found: the genuine .xls written out as CSV by Python here."""
    rows = CalamineWorkbook.from_path(str(EXPORTS / "wos_excel_2021_payne.xls")).get_sheet_by_index(0).to_python()
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[str(int(c)) if isinstance(c, float) and c.is_integer() else c for c in row]
                                  for row in rows])
    from_csv = read_file(buffer.getvalue().encode("utf-8-sig"), "papers")
    from_xls = read_file((EXPORTS / "wos_excel_2021_payne.xls").read_bytes(), "papers")
    assert from_csv.source == from_xls.source == "wos_table"
    assert imported(from_csv) == imported(from_xls)
