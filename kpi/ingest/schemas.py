"""The data contract, written once: one column table per dataset, used by the importer, storage, CLI, app and docs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandera.pandas as pa

# Kinds of column and how the importer reads their cells.
#   fiscal_year: 2024 / FY2024 / 2024年度 / 令和6年度 / R6;  year: calendar year;  count: integer >= 0
#   number: any real;  date: 2024-04-01 / 2024/4/1 / 令和6年4月1日;  enum: one of ``choices``
#   country: name or code -> ISO alpha-3;  countries: ';'-separated list of those;  text: as is
#   milestones: 'year:value;year:value', checked strictly (metrics.milestones)
#   milestones: "year:value;year:value", checked strictly


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool
    description: str
    aliases: tuple[str, ...] = ()
    choices: dict[str, str] = field(default_factory=dict)  # accepted spelling -> stored value


DIRECTION = {"inbound": "inbound", "outbound": "outbound", "受入": "inbound", "受入れ": "inbound",
             "受け入れ": "inbound", "派遣": "outbound", "in": "inbound", "out": "outbound"}
STATUS = {"degree": "degree", "non_degree": "non_degree", "non-degree": "non_degree", "正規生": "degree",
          "非正規生": "non_degree", "degree-seeking": "degree"}
LEVEL = {"university": "university", "department": "department", "大学間": "university", "部局間": "department",
         "university-level": "university", "department-level": "department"}
TREND = {"up": "up", "down": "down", "増加": "up", "減少": "down"}
GLIDE = {"linear": "linear", "compound": "compound", "直線": "linear", "複利": "compound"}
BASIS = {"published": "published", "illustrative": "illustrative", "公表": "published", "公表値": "published",
         "例示": "illustrative", "例示値": "illustrative", "仮置き": "illustrative",
         "試算": "illustrative", "試算値": "illustrative", "仮の値": "illustrative"}
# Levels as student-statistics tables (学生数調) name them; 博士前期/後期 are the master's/doctoral stages.
LEVEL_OF_STUDY = {
    "undergraduate": "undergraduate", "学部": "undergraduate", "学部学生": "undergraduate", "学士課程": "undergraduate",
    "学部生": "undergraduate", "bachelor": "undergraduate", "bachelor's": "undergraduate",
    "masters": "masters", "master's": "masters", "master": "masters", "修士": "masters", "修士課程": "masters",
    "博士前期課程": "masters", "博士課程（前期）": "masters", "博士課程前期": "masters",
    "doctoral": "doctoral", "doctorate": "doctoral", "phd": "doctoral", "博士": "doctoral", "博士課程": "doctoral",
    "博士後期課程": "doctoral", "博士課程（後期）": "doctoral", "博士課程後期": "doctoral",
    "professional": "professional", "専門職": "professional", "専門職学位課程": "professional",
    "専門職大学院": "professional", "professional degree": "professional",
    "research_student": "research_student", "research student": "research_student", "研究生": "research_student",
    "non-degree research student": "research_student",
}
# Staff categories as personnel tables (職員数調) name them.
STAFF_CATEGORY = {
    "professor": "professor", "教授": "professor",
    "associate_professor": "associate_professor", "associate professor": "associate_professor",
    "准教授": "associate_professor",
    "lecturer": "lecturer", "講師": "lecturer", "senior lecturer": "lecturer",
    "assistant_professor": "assistant_professor", "assistant professor": "assistant_professor",
    "助教": "assistant_professor",
    "research_associate": "research_associate", "助手": "research_associate", "research associate": "research_associate",
    "researcher": "researcher", "研究員": "researcher", "特任研究員": "researcher", "postdoc": "researcher",
    "postdoctoral researcher": "researcher", "博士研究員": "researcher", "学術研究員": "researcher",
}
SOURCE = Column("source", "text", False, "Where the figures come from (a citation or 'Illustrative').",
                ("出典", "Source", "データ出典"))

DATASETS: dict[str, tuple[Column, ...]] = {
    "mobility": (
        Column("fiscal_year", "fiscal_year", True, "Fiscal year (April–March).", ("年度", "Fiscal Year", "FY", "Year")),
        Column("direction", "enum", True, "inbound (受入) or outbound (派遣).",
               ("区分", "受入・派遣", "受入派遣", "Direction"), DIRECTION),
        Column("students", "count", True, "Number of students (integer ≥ 0).",
               ("人数", "学生数", "Students", "Count", "Number")),
        Column("country", "country", False, "Country or region (ISO 3166-1 alpha-3 after import).",
               ("国・地域", "国名", "国", "地域", "Country", "Region", "Country/Region", "Nationality", "国籍")),
        Column("school", "text", False, "School, faculty or graduate school.", ("部局", "School", "Faculty", "研究科")),
        Column("status", "enum", False, "degree (正規生) or non_degree (非正規生).",
               ("身分", "在籍区分", "Status"), STATUS),
        SOURCE,
    ),
    "papers": (
        Column("id", "text", True, "Scopus EID (else DOI) or Web of Science UT; a repeated id counts once.",
               ("EID", "UT", "UT (Unique WOS ID)", "UT (Unique ID)", "ID", "PMID", "Publication ID", "DOI")),
        Column("year", "year", True, "Calendar publication year.", ("Year", "PY", "出版年", "年", "Publication Year",
                                                                   "publication_year", "PubYear")),
        Column("countries", "countries", True, "Affiliation countries separated by ';' (names or codes); derived "
               "from Scopus 'Affiliations' or Web of Science 'C1' when absent.",
               ("Countries", "Affiliation countries", "国", "国・地域")),
        Column("institutions", "institutions", False, "The paper's affiliated institutions with their countries, "
               "'Institution|ISO3' separated by ';' (for the research network); derived from Web of Science 'C3', "
               "else the institution part of Scopus 'Affiliations' / WoS 'C1', named by data/institution_aliases.csv.",
               ("Institutions", "所属機関", "機関")),
        Column("citations", "count", False, "Citations as counted on the export day (Scopus 'Cited by', WoS 'TC' "
               "(Core Collection), OpenAlex 'cited_by_count', Dimensions 'Times cited'): a snapshot, not field-normalised.",
               ("Cited by", "TC", "Times Cited, WoS Core", "cited_by_count", "Times cited", "Citing Works Count",
                "Z9", "Times Cited, All Databases", "被引用数")),
        Column("author_count", "count", False, "Number of authors (counted from the export's author list), for "
               "single-authored papers and fractional counting.", ("著者数",)),
        SOURCE,
    ),
    "agreements": (
        Column("partner", "text", True, "Partner institution.", ("協定校名", "協定校", "Partner", "Institution",
                                                                  "相手機関", "大学名")),
        Column("country", "country", True, "Country or region of the partner.",
               ("国・地域", "国名", "国", "Country", "Region", "Country/Region")),
        Column("level", "enum", True, "university (大学間) or department (部局間).", ("協定区分", "区分", "Level"), LEVEL),
        Column("start_date", "date", True, "Date the agreement took effect.", ("締結日", "Start date", "Start",
                                                                                "発効日", "開始日")),
        Column("end_date", "date", False, "Last day in force; empty when open-ended.",
               ("有効期限", "終了日", "End date", "End", "Expiry", "Expiry date")),
        SOURCE,
    ),
    "indicators": (
        Column("indicator", "text", True, "Indicator id from data/indicator_registry.csv.", ("Indicator", "指標")),
        Column("fiscal_year", "fiscal_year", True, "Fiscal year (or calendar year for calendar indicators).",
               ("年度", "Fiscal Year", "FY", "Year", "Period")),
        Column("value", "number", False, "The value, or leave empty and give numerator and denominator.",
               ("Value", "値", "件数", "数")),
        Column("numerator", "number", False, "Numerator of a ratio.", ("Numerator", "分子")),
        Column("denominator", "number", False, "Denominator of a ratio (> 0).", ("Denominator", "分母")),
        Column("institution", "text", False, "Another institution's value, for peer comparison.",
               ("Institution", "大学", "機関")),
        SOURCE,
    ),
    "targets": (
        Column("indicator", "text", True, "Indicator id from data/indicator_registry.csv.", ("Indicator", "指標")),
        Column("baseline_period", "fiscal_year", False, "Baseline period (year); empty where the source states none.",
               ("Baseline period", "基準年度")),
        Column("baseline_value", "number", False, "Value at the baseline.", ("Baseline value", "基準値")),
        Column("target_period", "fiscal_year", False, "Target period (year), after the baseline. Leave empty only for "
               "a published target whose source states no year: it is shown, never judged against a plan.",
               ("Target period", "目標年度")),
        Column("target_value", "number", True, "Target value.", ("Target value", "目標値")),
        Column("milestones", "milestones", False, "Optional milestones 'year:value;year:value'.", ("Milestones", "中間目標")),
        Column("direction", "enum", True, "up (higher is better) or down.", ("Direction", "方向"), TREND),
        Column("glide", "enum", False, "linear (straight line, the default, for counts) or compound (steady growth rate).",
               ("Glide", "Glide path", "計画線"), GLIDE),
        Column("owner", "text", False, "The unit that owns the KPI and its target: a 部局 or an office.",
               ("Owner", "担当", "担当部局", "担当部署", "Owner unit", "Unit")),
        Column("owner_person", "text", False, "Optionally, the person in that unit who answers for it.",
               ("Owner person", "担当者", "Contact", "Person")),
        Column("basis", "enum", False, "published (a figure the university or a plan has published; cite it in "
               "source) or illustrative (a placeholder). Empty: illustrative unless the source names a publication.",
               ("Basis", "根拠", "区分（公表・例示）"), BASIS),
        SOURCE,
    ),
    "enrolment": (
        Column("fiscal_year", "fiscal_year", True, "Fiscal year of the census day (1 May), e.g. 令和5年度 or "
               "2023年5月1日現在.", ("年度", "調査年度", "Fiscal Year", "FY", "Year", "基準日", "As of", "現在")),
        Column("study_level", "enum", True, "undergraduate (学部), masters (修士・博士前期), doctoral (博士・博士後期), "
               "professional (専門職学位課程) or research_student (研究生).",
               ("課程", "区分", "学生区分", "課程区分", "Level", "Level of study", "Programme", "Program"),
               LEVEL_OF_STUDY),
        Column("students", "count", True, "All students enrolled at that level on 1 May.",
               ("学生数", "在籍者数", "在学者数", "合計", "総数", "計", "Students", "Total", "Total students",
                "Enrolment", "Enrollment")),
        Column("intl_students", "count", False, "Of them, international students (留学生).",
               ("留学生", "留学生数", "うち留学生", "外国人留学生", "外国人留学生数", "うち外国人留学生",
                "International", "International students", "Foreign students")),
        Column("school", "text", False, "School, faculty or graduate school.",
               ("部局", "学部・研究科", "研究科", "学部等", "School", "Faculty")),
        SOURCE,
    ),
    "staff": (
        Column("fiscal_year", "fiscal_year", True, "Fiscal year of the census day (1 May).",
               ("年度", "調査年度", "Fiscal Year", "FY", "Year", "基準日", "As of", "現在")),
        Column("category", "enum", True, "professor (教授), associate_professor (准教授), lecturer (講師), "
               "assistant_professor (助教), research_associate (助手) or researcher (研究員).",
               ("職名", "職種", "区分", "職位", "Category", "Position", "Rank", "Title"), STAFF_CATEGORY),
        Column("headcount", "count", True, "All staff in that category on 1 May (1 on a per-person row).",
               ("人数", "合計", "総数", "計", "教員数", "職員数", "Total", "Staff", "Headcount", "Number")),
        Column("foreign_staff", "count", False, "Of them, foreign nationals (外国人); leave empty when nationality is given.",
               ("外国人", "外国人数", "うち外国人", "外国人教員", "外国人教員数", "Foreign", "Foreign nationals",
                "International", "International staff")),
        Column("nationality", "country", False, "Nationality of a per-person row (foreign unless Japan).",
               ("国籍", "Nationality", "Citizenship")),
        Column("school", "text", False, "School, faculty, graduate school or institute.",
               ("部局", "所属", "研究科", "School", "Faculty", "Department")),
        SOURCE,
    ),
}

# What the office records about the KPIs, stored and rolled back like data (kpi.store.notes) but never uploaded as
# files: a check-in is one analyst's note on a KPI for a period, with an optional status of their own (shown beside
# the evaluator's verdict, never instead of it); an event is a dated annotation drawn on the KPI charts.
CHECKIN_STATUS = {s: s for s in ("on_track", "at_risk", "behind", "achieved", "missed")}
NOTES: dict[str, tuple[Column, ...]] = {
    "checkins": (
        Column("indicator", "text", True, "Indicator id."),
        Column("period", "fiscal_year", False, "The period the note is about."),
        Column("note", "text", True, "Why, what is being done, by when."),
        Column("status", "enum", False, "The analyst's own status, shown as such.", (), CHECKIN_STATUS),
        Column("due", "date", False, "By when the action should show."),
        Column("author", "text", True, "Who recorded it."),
        Column("recorded_at", "text", True, "When (ISO 8601, UTC)."),
    ),
    "events": (
        Column("event_date", "date", True, "The day it happened."),
        Column("label", "text", True, "What happened (an agreement signed, a programme launched)."),
        Column("indicator", "text", False, "The KPI it concerns; empty: drawn on every KPI chart."),
        Column("author", "text", True, "Who recorded it."),
        Column("recorded_at", "text", True, "When (ISO 8601, UTC)."),
    ),
}

# Datasets whose rows may come as one column per category instead of a category column (学部,修士課程,博士課程
# side by side): the category column and, for each category header, which count column its cells fill. A header
# naming a category plus a marker (学部うち留学生, Professor (foreign)) fills the second count column.
WIDE_CATEGORY = {"enrolment": ("study_level", "students", "intl_students"),
                 "staff": ("category", "headcount", "foreign_staff")}
# The count column a wide-by-year file fills (one column per fiscal year).
WIDE_YEAR_VALUE = {"mobility": "students", "indicators": "value", "enrolment": "students", "staff": "headcount"}
SUBSET_MARKERS = ("うち留学生", "うち外国人", "留学生", "外国人", "international", "foreign", "(international)",
                  "(foreign)")

# The slices a file is made of, besides its constant columns (kpi.store.plan): "replace" replaces exactly the slices
# present in the file (an inbound FY2023 file replaces inbound FY2023, never outbound or other years), and an
# append into a slice already stored is refused.
REPLACE_KEYS = {"mobility": ("direction", "fiscal_year"), "papers": ("year",), "agreements": ("level",),
                "indicators": ("indicator", "institution", "fiscal_year"), "targets": ("indicator",),
                "enrolment": ("study_level", "fiscal_year"), "staff": ("category", "fiscal_year")}

# Bibliographic exports: headers from which a paper's id and countries are derived when the contract's are absent.
AFFILIATION_HEADERS = ("Affiliations", "C1", "Addresses")
INSTITUTION_HEADERS = ("C3", "Affiliations", "C1", "Addresses")  # WoS C3 names organisations outright
DOI_HEADERS = ("DOI", "DI")

STORED_TYPES = {"fiscal_year": "int64", "year": "int64", "count": "int64", "number": "float64",
                "date": "datetime64[ns]", "enum": "str", "country": "str", "countries": "str", "text": "str",
                "institutions": "str", "milestones": "str"}


def columns_of(dataset: str) -> tuple[Column, ...]:
    if dataset in NOTES:
        return NOTES[dataset]
    if dataset not in DATASETS:
        raise KeyError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[dataset]


def pandera_schema(dataset: str) -> pa.DataFrameSchema:
    """The stored form of a dataset as a pandera schema: the last check before anything is written."""
    columns = {}
    for col in columns_of(dataset):
        checks = []
        if col.kind == "count":
            checks.append(pa.Check.ge(0))
        if col.kind == "enum":
            checks.append(pa.Check.isin(sorted(set(col.choices.values()))))
        if col.kind == "country":
            checks.append(pa.Check.str_matches(r"^[A-Z]{3}$"))
        columns[col.name] = pa.Column(STORED_TYPES[col.kind], checks=checks, nullable=not col.required,
                                      required=col.required)
    checks = []
    if dataset == "indicators":
        checks.append(pa.Check(lambda df: df["value"].notna() | (df["numerator"].notna() & df["denominator"].gt(0)),
                               element_wise=False, error="each row needs a value, or a numerator and a denominator > 0"))
    if dataset == "targets":
        checks.append(pa.Check(lambda df: df["target_period"].isna() | df["baseline_period"].isna()
                               | (df["target_period"] > df["baseline_period"]), element_wise=False,
                               error="target period must come after the baseline period"))
        checks.append(pa.Check(lambda df: df["target_period"].isna() | (df["baseline_period"].notna()
                                                                       & df["baseline_value"].notna()),
                               element_wise=False, error="a target with a year needs a baseline period and value"))
    for name, (_, whole, part) in WIDE_CATEGORY.items():
        if dataset == name:
            checks.append(pa.Check(lambda df, w=whole, p=part: df[p].isna() | (df[p] <= df[w]), element_wise=False,
                                   error=f"{part} cannot exceed {whole}"))
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False)


def contract_markdown() -> str:
    """The contract as Markdown tables (the README's data contract section is generated from this)."""
    lines = []
    for dataset, cols in DATASETS.items():
        lines += [f"### `{dataset}`", "", "| column | required | kind | meaning | also accepted headers |",
                  "|---|---|---|---|---|"]
        for col in cols:
            aliases = ", ".join(col.aliases)
            lines.append(f"| `{col.name}` | {'yes' if col.required else 'no'} | {col.kind} | {col.description} | {aliases} |")
        lines.append("")
    return "\n".join(lines)


def _heading(text: str) -> str:
    """A header compared as the importer compares it: case, spaces and full/half width ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def guess_dataset(header: list[str], *, chosen: str) -> str | None:
    """The dataset a file's header fits better than ``chosen`` (a mobility table imported as papers), or None.

    A dataset fits when the header names each of its required columns that a file must carry (by name or alias;
    choice columns may be set for the whole file, so they do not count against it). Of the datasets that fit, the
    one naming the most of its columns wins; ``chosen`` itself, or no fit at all, gives None.
    """
    named = {_heading(cell) for cell in header if str(cell).strip()}
    if not named:
        return None
    scores = {}
    for dataset, columns in DATASETS.items():
        found = {col.name for col in columns if {_heading(a) for a in (col.name, *col.aliases)} & named}
        needed = {col.name for col in columns if col.required and col.kind != "enum"}
        if needed and needed <= found:
            scores[dataset] = len(found) / len(columns)
    if not scores:
        return None
    best = max(scores, key=scores.get)
    return None if best == chosen or scores.get(chosen, 0) >= scores[best] else best
