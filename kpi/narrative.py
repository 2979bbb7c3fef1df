"""Written summaries generated from the numbers by templates (no language model), in Japanese and English."""

from __future__ import annotations

import math

import pandas as pd

from kpi.i18n import format_percent, format_value, indicator_name, period_label, status_label
from metrics.forecast import HORIZON

STATUS_ORDER = ("achieved", "on_track", "at_risk", "off_track", "no_data", "no_target")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


def kpi_sentence(row, registry: pd.DataFrame, lang: str) -> str:
    """e.g. International students: 2,145 in FY2023, +3.4% on the year, 72% of the FY2030 target; at the growth
    of the last five years (+1.5% a year) the target is reached in FY2046 (▼ Off track)."""
    name = indicator_name(registry, row["indicator"], lang)
    if _missing(row["period"]):
        return f"{name}：データなし。" if lang == "ja" else f"{name}: no data yet."
    kind, unit = row["period_kind"], row["unit"]
    period = period_label(int(row["period"]), kind, lang)
    value = format_value(row["value"], unit, lang)
    parts_en = [f"{name}: {value} in {period}"]
    parts_ja = [f"{name}：{period}は{value}"]
    if not _missing(row["previous_value"]):
        change = (format_value(row["change"], unit, lang, signed=True) if unit == "percent"
                  else format_percent(row["change_pct"], signed=True))
        parts_en.append(f"{change} on the previous period")
        parts_ja[-1] += f"（前期比{change}）"
    if _missing(row["target_period"]):
        return ("、".join(parts_ja) + "。目標は未設定です。") if lang == "ja" else (", ".join(parts_en) + "; no target set.")
    target_period = period_label(int(row["target_period"]), kind, lang)
    progress = format_percent(row["progress_pct"])
    status = status_label(row["status"], lang)
    growth = row["historical_growth"]
    reach = row["reach_year"]
    required = row["required_growth"]
    if lang == "ja":
        text = "、".join(parts_ja) + f"、{target_period}目標の{progress}。"
        if not _missing(required) and row["status"] != "achieved":
            text += f"目標達成に必要な伸びは年{format_percent(100 * required, signed=True)}"
            if not _missing(growth):
                text += f"、過去5年の実績は年{format_percent(100 * growth, signed=True)}"
            text += "。"
        if row["status"] != "achieved" and not _missing(growth):
            text += (f"この伸びが続くと目標到達は{period_label(int(reach), kind, lang)}。" if not _missing(reach)
                     else f"この伸びでは{HORIZON}年以内に目標に到達しません。")
        return text + f"（{status}）"
    text = ", ".join(parts_en) + f", {progress} of the {target_period} target"
    if not _missing(required) and row["status"] != "achieved":
        text += f"; it needs {format_percent(100 * required, signed=True)} a year"
        if not _missing(growth):
            text += f" against {format_percent(100 * growth, signed=True)} a year over the last five years"
    if row["status"] != "achieved" and not _missing(growth):
        text += (f"; at that growth the target is reached in {period_label(int(reach), kind, lang)}" if not _missing(reach)
                 else f"; at that growth the target is not reached within {HORIZON} years")
    return text + f" ({status})."


def strategy_sentence(summary: pd.DataFrame, lang: str) -> str:
    """One line for the whole strategy: how many KPIs stand where."""
    counts = summary["status"].value_counts()
    with_target = int(sum(counts.get(s, 0) for s in ("achieved", "on_track", "at_risk", "off_track")))
    parts = [(s, int(counts.get(s, 0))) for s in STATUS_ORDER if counts.get(s, 0)]
    if lang == "ja":
        listed = "、".join(f"{status_label(s, lang)} {n}件" for s, n in parts)
        return f"KPI {len(summary)}件のうち目標に対して評価できるのは{with_target}件：{listed}。"
    listed = ", ".join(f"{n} {status_label(s, lang)}" for s, n in parts)
    return f"Of {len(summary)} KPIs, {with_target} can be judged against a target: {listed}."
