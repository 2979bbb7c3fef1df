"""Property tests: generated Scopus, Web of Science and Japanese-table files are counted exactly; no bytes raise."""

import csv
import io
from collections import defaultdict

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kpi.ingest.importer import read_file
from metrics.compute import papers_by_year

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# (how Scopus writes it, how Web of Science writes it, abroad?)
COUNTRIES = [("Japan", "Japan", False), ("United States", "USA", True), ("China", "Peoples R China", True),
             ("United Kingdom", "England", True), ("South Korea", "South Korea", True), ("Turkey", "Turkiye", True),
             ("United Arab Emirates", "U Arab Emirates", True), ("Taiwan", "Taiwan", True),
             ("Viet Nam", "Vietnam", True), ("Georgia", "Rep of Georgia", True)]

free_text = st.text(alphabet=st.sampled_from(list("abc XYZ,;\"'\t\n-.2087S15東北")), max_size=40)
wos_text = st.text(alphabet=st.sampled_from(list("abc XYZ,;\"'-.2087S15東北")), max_size=40)  # no tab, no newline
institution = st.sampled_from(["Tohoku University", "Harvard Univ", "Inst Mat Res, Dept Phys", "KAIST",
                               "Univ \"Quoted\" Lab", "Peking Univ, Sch Phys"])
record = st.fixed_dictionaries({
    "year": st.integers(1990, 2025),
    "affiliations": st.lists(st.tuples(institution, st.integers(0, len(COUNTRIES) - 1)), max_size=4),
    "title": free_text, "wos_title": wos_text,
    "pages": st.sampled_from([("2087", "2101"), ("S15", "S19"), ("1", "12"), ("", "")]),
})
records = st.lists(record, min_size=1, max_size=12)


def expected(recs, repeats) -> dict[int, tuple[int, int]] | str:
    if not any(rec["affiliations"] for rec in recs):
        return "imp.addresses_empty"  # a file with no address anywhere is refused, whatever the format
    per_year = defaultdict(lambda: [0, 0])
    for rec in recs:
        per_year[rec["year"]][0] += 1
        per_year[rec["year"]][1] += any(COUNTRIES[c][2] for _, c in rec["affiliations"])
    return {year: tuple(v) for year, v in per_year.items()}


def counted(result) -> dict[int, tuple[int, int]] | str:
    if not result.ok and [p.key for p in result.errors] == ["imp.addresses_empty"]:
        return "imp.addresses_empty"
    assert result.ok, [str(p) for p in result.errors[:5]]
    return {int(r.year): (int(r.total), int(r.international)) for r in papers_by_year(result.frame).itertuples()}


def with_repeats(recs, repeats):
    return recs + [recs[i % len(recs)] for i in repeats]


@SETTINGS
@given(records, st.lists(st.integers(0, 11), max_size=3))
def test_scopus_shaped_files_are_counted_exactly(recs, repeats):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["Authors", "Title", "Year", "Source title", "Page start", "Page end", "Affiliations", "Abstract",
                     "Document Type", "Source", "EID"])
    rows = with_repeats(list(enumerate(recs)), repeats)
    for number, rec in rows:
        affiliations = "; ".join(f"{name}, Somewhere, {COUNTRIES[c][0]}" for name, c in rec["affiliations"])
        writer.writerow(["A.", rec["title"], rec["year"], "J", *rec["pages"], affiliations, rec["title"] * 2,
                         "Article", "Scopus", f"2-s2.0-{85000000000 + number}"])
    result = read_file(("\ufeff" + buffer.getvalue()).encode(), "papers")
    assert result.source == "scopus_csv"
    assert counted(result) == expected(recs, repeats)


@SETTINGS
@given(records, st.lists(st.integers(0, 11), max_size=3), st.sampled_from(["utf-16-le", "utf-8-sig", "utf-8"]))
def test_wos_tab_shaped_files_are_counted_exactly(recs, repeats, encoding):
    tags = ["PT", "AU", "TI", "AB", "C1", "PY", "VL", "BP", "EP", "UT"]
    lines = ["\t".join(tags)]
    for number, rec in with_repeats(list(enumerate(recs)), repeats):
        c1 = "; ".join(f"[Author, A] {name}, City, {COUNTRIES[c][1]}" for name, c in rec["affiliations"])
        lines.append("\t".join(["J", "Author, A", rec["wos_title"], rec["wos_title"] + ", ,", c1, str(rec["year"]),
                                rec["pages"][0], *rec["pages"], f"WOS:{number:015d}"]))
    data = ("\ufeff" if encoding != "utf-8" else "") + "\r\n".join(lines) + "\r\n"
    result = read_file(data.encode(encoding), "papers")
    assert result.source == "wos_tab"
    assert counted(result) == expected(recs, repeats)


@SETTINGS
@given(records)
def test_wos_plain_text_shaped_files_are_counted_exactly(recs):
    # a plain-text file with no C1 line at all is an export without addresses, refused with that reason
    assume(any(rec["affiliations"] for rec in recs))
    out = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    for number, rec in enumerate(recs):
        out += ["PT J", "AU Author, A", f"TI {rec['wos_title'].strip() or 'Untitled'}"]
        addresses = [f"[Author, A] {name}, City, {COUNTRIES[c][1]}." for name, c in rec["affiliations"]]
        if addresses:
            out += ["C1 " + addresses[0]] + ["   " + a for a in addresses[1:]]
        out += [f"PY {rec['year']}", f"BP {rec['pages'][0]}", f"UT WOS:{number:015d}", "ER", ""]
    out.append("EF")
    result = read_file("\n".join(out).encode(), "papers")
    assert result.source == "wos_plain"
    assert counted(result) == expected(recs, [])


japanese_row = st.fixed_dictionaries({
    "year": st.sampled_from([("令和5年度", 2023), ("2023年度", 2023), ("FY2022", 2022), ("R4", 2022), ("H30年度", 2018)]),
    "direction": st.sampled_from([("受入", "inbound"), ("派遣", "outbound")]),
    "country": st.sampled_from(["中国", "大韓民国", "その他", "不明", "Viet Nam", "Turkiye", "無国籍"]),
    "students": st.integers(0, 20_000),
    "note": free_text,
})


@SETTINGS
@given(st.lists(japanese_row, min_size=1, max_size=15), st.booleans())
def test_japanese_tables_are_summed_exactly(rows, with_title):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if with_title:
        writer.writerow(["令和6年度 外国人留学生数（5月1日現在）", "", "", "", ""])
        writer.writerow([])
    writer.writerow(["年度", "区分", "国・地域", "人数", "備考"])
    for row in rows:
        writer.writerow([row["year"][0], row["direction"][0], row["country"], f"{row['students']:,}",
                         row["note"].replace("\n", " ")])
    result = read_file(buffer.getvalue().encode("utf-8-sig"), "mobility")
    assert result.ok, [str(p) for p in result.errors[:5]]
    want = defaultdict(int)
    for row in rows:
        want[(row["year"][1], row["direction"][1])] += row["students"]
    got = result.frame.groupby(["fiscal_year", "direction"])["students"].sum().to_dict()
    assert {k: int(v) for k, v in got.items()} == dict(want)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["mobility", "papers", "agreements", "indicators", "targets"]))
def test_no_bytes_make_the_importer_raise(data, dataset):
    result = read_file(data, dataset)
    assert not any(p.key == "imp.internal" for p in result.errors), [str(p) for p in result.errors]
    if result.ok:
        assert len(result.frame) > 0


cell = st.text(alphabet=st.sampled_from(list("年度区分人数受入派遣2023,\"\t\n\r ;-１abc\x00")), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell, max_size=6), max_size=8), st.sampled_from(["mobility", "papers", "agreements"]))
def test_no_table_of_awkward_cells_makes_the_importer_raise(rows, dataset):
    text = "年度,区分,人数,国・地域,協定校名,締結日,id,year,countries\n" + "\n".join(",".join(r) for r in rows)
    result = read_file(text.encode(), dataset)
    assert not any(p.key == "imp.internal" for p in result.errors), [str(p) for p in result.errors]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("aZ09-/.:　 \t\nＥ１ﾃﾞ")), max_size=8), min_size=1, max_size=30,
                unique=True), st.booleans())
def test_vectorised_text_reading_equals_the_cell_by_cell_reading(cells, record_id):
    import pandas as pd

    from kpi.ingest.importer import CellError, _parse_record_id, _parse_text, _parse_texts

    parsed, failures = _parse_texts(pd.Index(cells), record_id=record_id, required=True, name="id")
    for number, cell in enumerate(cells):
        try:  # parse_column reads a blank cell as missing before any parser sees it
            value = (_parse_record_id if record_id else _parse_text)(cell) if cell.strip() else None
            key = None if value else "imp.missing"
        except CellError as exc:
            value, key = None, exc.key
        assert (parsed[number] or None, failures.get(number, (None,))[0]) == (value or None, key), cell
