"""The data contract, written once: one column table per dataset, used by the importer, storage, CLI, app and docs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

# Kinds of column and how the importer reads their cells.
#   fiscal_year: 2024 / FY2024 / 2024年度 / 令和6年度 / R6;  year: calendar year;  count: integer >= 0
#   number: any real;  date: 2024-04-01 / 2024/4/1 / 令和6年4月1日;  enum: one of ``choices``
#   country: name or code -> ISO alpha-3;  countries: ';'-separated list of those;  text: as is


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
               ("EID", "UT", "UT (Unique WOS ID)", "ID", "DOI")),
        Column("year", "year", True, "Calendar publication year.", ("Year", "PY", "出版年", "年")),
        Column("countries", "countries", True, "Affiliation countries separated by ';' (names or codes); derived "
               "from Scopus 'Affiliations' or Web of Science 'C1' when absent.",
               ("Countries", "Affiliation countries", "国", "国・地域")),
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
        Column("baseline_period", "fiscal_year", True, "Baseline period (year).", ("Baseline period", "基準年度")),
        Column("baseline_value", "number", True, "Value at the baseline.", ("Baseline value", "基準値")),
        Column("target_period", "fiscal_year", True, "Target period (year), after the baseline.",
               ("Target period", "目標年度")),
        Column("target_value", "number", True, "Target value.", ("Target value", "目標値")),
        Column("milestones", "text", False, "Optional milestones 'year:value;year:value'.", ("Milestones", "中間目標")),
        Column("direction", "enum", True, "up (higher is better) or down.", ("Direction", "方向"), TREND),
        Column("glide", "enum", False, "linear (straight line, the default, for counts) or compound (steady growth rate).",
               ("Glide", "Glide path", "計画線"), GLIDE),
        Column("owner", "text", False, "Who owns the target.", ("Owner", "担当")),
        SOURCE,
    ),
}

# What "replace" replaces besides the file's constant columns: stored rows sharing these columns' values with the
# file (a corrected FY2023 file replaces FY2023, not the whole history).
REPLACE_KEYS = {"mobility": ("fiscal_year",), "papers": ("year",), "agreements": (),
                "indicators": ("indicator", "fiscal_year"), "targets": ("indicator",)}

# Bibliographic exports: headers from which a paper's id and countries are derived when the contract's are absent.
AFFILIATION_HEADERS = ("Affiliations", "C1", "Addresses")
DOI_HEADERS = ("DOI", "DI")

STORED_TYPES = {"fiscal_year": "int64", "year": "int64", "count": "int64", "number": "float64",
                "date": "datetime64[ns]", "enum": "str", "country": "str", "countries": "str", "text": "str"}


def columns_of(dataset: str) -> tuple[Column, ...]:
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
        checks.append(pa.Check(lambda df: df["target_period"] > df["baseline_period"], element_wise=False,
                               error="target period must come after the baseline period"))
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
