"""Japanese and English labels, period labels (FY2024 / 2024年度（令和6年度）) and number formats."""

from __future__ import annotations

import math

from metrics.periods import era_year

LANGS = ("en", "ja")

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"en": "Tohoku University International Strategy KPIs", "ja": "東北大学 国際戦略 KPI"},
    "app_subtitle": {"en": "Vision 2030 · Priority Strategy 17: International Collaboration",
                     "ja": "東北大学ビジョン2030 重点戦略17「国際協働 〜 さらなる卓越に向けた戦略的パートナーシップ」"},
    "language": {"en": "Language", "ja": "言語"},
    "overview": {"en": "Overview", "ja": "概要"},
    "mobility": {"en": "Student mobility", "ja": "学生交流"},
    "research": {"en": "Research collaboration", "ja": "国際共同研究"},
    "partnerships": {"en": "Partnerships", "ja": "協定・パートナー"},
    "data": {"en": "Data", "ja": "データ"},
    "pillar_education": {"en": "Education", "ja": "教育"},
    "pillar_research": {"en": "Research", "ja": "研究"},
    "pillar_industry": {"en": "Industry Co-Creation", "ja": "産学共創"},
    "pillar_community": {"en": "Community Collaboration", "ja": "社会・地域連携"},
    "pillar_filter": {"en": "Pillars", "ja": "柱"},
    "latest": {"en": "Latest", "ja": "最新値"},
    "vs_previous": {"en": "vs {period}", "ja": "{period}比"},
    "target": {"en": "Target", "ja": "目標"},
    "target_line": {"en": "Target {value} in {period}", "ja": "目標 {value}（{period}）"},
    "no_target": {"en": "No target set", "ja": "目標未設定"},
    "expected_now": {"en": "Glide path for {period}: {value}", "ja": "{period}の計画値: {value}"},
    "progress": {"en": "{pct} of target", "ja": "目標の{pct}"},
    "actual": {"en": "Actual", "ja": "実績"},
    "glide_path": {"en": "Glide path", "ja": "計画線"},
    "status": {"en": "Status", "ja": "状況"},
    "status_achieved": {"en": "Achieved", "ja": "達成"},
    "status_on_track": {"en": "On track", "ja": "順調"},
    "status_at_risk": {"en": "At risk", "ja": "要注意"},
    "status_off_track": {"en": "Off track", "ja": "遅れ"},
    "status_no_data": {"en": "No data", "ja": "データなし"},
    "status_no_target": {"en": "No target", "ja": "目標なし"},
    "status_rules": {"en": "Status rules: achieved when the target is met; on track at or above the glide path; "
                           "at risk within {pct} below it; off track further below or when the target year has passed "
                           "(mirrored for indicators where lower is better).",
                     "ja": "判定基準：目標値に到達＝達成、計画線以上＝順調、計画線を下回るが{pct}以内＝要注意、"
                           "それ以上下回る、または目標年度を過ぎて未達＝遅れ（減少が望ましい指標は逆）。"},
    "source": {"en": "Source", "ja": "出典"},
    "as_of": {"en": "data as of revision {revision}, {date}", "ja": "リビジョン{revision}（{date}）時点のデータ"},
    "illustrative": {"en": "Illustrative data, not university figures", "ja": "例示用データ（大学の公表値ではありません）"},
    "download_csv": {"en": "Download CSV", "ja": "CSVをダウンロード"},
    "no_data_loaded": {"en": "No data is loaded yet. Run `kpi load-sample` or import a file with `kpi import`.",
                       "ja": "データがまだありません。`kpi load-sample` を実行するか `kpi import` で取り込んでください。"},
    "empty_selection": {"en": "Nothing matches the current filters.", "ja": "選択した条件に該当するデータがありません。"},
    "direction": {"en": "Direction", "ja": "区分"},
    "inbound": {"en": "Inbound", "ja": "受入"},
    "outbound": {"en": "Outbound", "ja": "派遣"},
    "students": {"en": "Students", "ja": "学生数"},
    "fiscal_year": {"en": "Fiscal year", "ja": "年度"},
    "year": {"en": "Year", "ja": "年"},
    "country": {"en": "Country/region", "ja": "国・地域"},
    "school": {"en": "School", "ja": "部局"},
    "status_col": {"en": "Status", "ja": "身分"},
    "degree": {"en": "Degree-seeking", "ja": "正規生"},
    "non_degree": {"en": "Non-degree", "ja": "非正規生"},
    "all": {"en": "All", "ja": "すべて"},
    "years": {"en": "Years", "ja": "期間"},
    "by_year": {"en": "Students by fiscal year", "ja": "年度別学生数"},
    "by_country": {"en": "Top countries and regions", "ja": "国・地域別（上位）"},
    "by_school": {"en": "By school", "ja": "部局別"},
    "by_status": {"en": "By status", "ja": "身分別"},
    "top_n": {"en": "Countries shown", "ja": "表示する国・地域の数"},
    "papers": {"en": "Papers", "ja": "論文数"},
    "intl_papers": {"en": "Internationally co-authored", "ja": "国際共著"},
    "domestic_papers": {"en": "Domestic only", "ja": "国内のみ"},
    "share": {"en": "International share (%)", "ja": "国際共著率（%）"},
    "papers_by_year": {"en": "Papers by publication year", "ja": "出版年別論文数"},
    "share_by_year": {"en": "International co-authorship share", "ja": "国際共著論文率"},
    "partner_countries": {"en": "Top co-authoring countries and regions", "ja": "共著相手の国・地域（上位）"},
    "partners": {"en": "Partner institutions", "ja": "協定校数"},
    "agreements": {"en": "Agreements", "ja": "協定数"},
    "level": {"en": "Level", "ja": "協定区分"},
    "university": {"en": "University-level", "ja": "大学間"},
    "department": {"en": "Department-level", "ja": "部局間"},
    "partners_by_year": {"en": "Active partners on 31 March, by fiscal year", "ja": "年度末（3月31日）時点の協定校数"},
    "partners_map": {"en": "Partner institutions by country/region, {period}", "ja": "国・地域別の協定校数（{period}）"},
    "partners_by_country": {"en": "Partners by country/region", "ja": "国・地域別協定校数"},
    "revisions": {"en": "Revisions", "ja": "更新履歴"},
    "loaded": {"en": "What is loaded", "ja": "読み込まれているデータ"},
    "rows": {"en": "Rows", "ja": "行数"},
    "periods": {"en": "Periods", "ja": "期間"},
    "sources": {"en": "Sources", "ja": "出典"},
    "dataset": {"en": "Dataset", "ja": "データセット"},
    "indicators_registry": {"en": "Indicators", "ja": "指標一覧"},
    "definition": {"en": "Definition", "ja": "定義"},
    "unit": {"en": "Unit", "ja": "単位"},
    "storage_error": {"en": "The database cannot be read: {error}", "ja": "データベースを読み込めません: {error}"},
    "retry": {"en": "Retry", "ja": "再試行"},
    "write_failed": {"en": "Nothing was stored: the database refused the change ({error}).",
                     "ja": "保存されませんでした。データベースが変更を拒否しました（{error}）。"},
    "kpi_detail": {"en": "Indicator detail", "ja": "指標の詳細"},
    "indicator": {"en": "Indicator", "ja": "指標"},
    "value": {"en": "Value", "ja": "値"},
    "period": {"en": "Period", "ja": "期間"},
    "change": {"en": "Change", "ja": "増減"},
    "no_previous": {"en": "no earlier period", "ja": "前期なし"},
    "upload": {"en": "Upload", "ja": "アップロード"},
    "indicator_page": {"en": "Indicator", "ja": "指標"},
    "targets_page": {"en": "Targets", "ja": "目標"},
    "using_profile": {"en": "Columns mapped with the saved profile “{name}” for files from this source.",
                      "ja": "この出所のファイル用に保存したプロファイル「{name}」で列を対応づけました。"},
    "profile_name": {"en": "Save this mapping as a profile named", "ja": "この対応をプロファイルとして保存（名前）"},
    "save_profile": {"en": "Save profile", "ja": "プロファイルを保存"},
    "profile_saved": {"en": "Profile “{name}” saved; the next file with these headers will use it.",
                      "ja": "プロファイル「{name}」を保存しました。同じ見出しの次のファイルに使います。"},
    "storing": {"en": "Storing rows…", "ja": "行を保存しています…"},
    "download_pptx": {"en": "Slides (PowerPoint)", "ja": "スライド（PowerPoint）"},
    "download_pdf": {"en": "Report (PDF)", "ja": "レポート（PDF）"},
    "present": {"en": "Present", "ja": "プレゼン"},
    "previous": {"en": "Previous", "ja": "前へ"},
    "next": {"en": "Next", "ja": "次へ"},
    "slide_of": {"en": "{n} / {total}", "ja": "{n} / {total}"},
    "frozen": {"en": "Frozen at revision {revision}: uploads during the meeting do not change these slides.",
               "ja": "リビジョン{revision}で固定：会議中のアップロードはこのスライドに反映されません。"},
    "exit_presentation": {"en": "Exit", "ja": "終了"},
    "edit_targets": {"en": "Edit targets", "ja": "目標の編集"},
    "save_targets": {"en": "Save targets", "ja": "目標を保存"},
    "row": {"en": "Row", "ja": "行"},
    "projection": {"en": "Trend projection", "ja": "趨勢による予測"},
    "interval": {"en": "80% prediction interval", "ja": "80%予測区間"},
    "required_growth": {"en": "Growth needed", "ja": "必要な伸び"},
    "historical_growth": {"en": "Growth, last 5 years", "ja": "過去5年の伸び"},
    "per_year": {"en": "{pct} a year", "ja": "年{pct}"},
    "probability": {"en": "Chance of meeting the target (trend)", "ja": "目標達成の見込み（趨勢）"},
    "too_few_points": {"en": "Too few data points ({n}) for a trend projection; at least {min} are needed.",
                       "ja": "データ点が少なすぎるため（{n}点）趨勢予測は行いません（{min}点以上必要）。"},
    "what_if": {"en": "What if it grows by … a year", "ja": "年あたりの伸び率を仮定すると"},
    "what_if_result": {"en": "At {pct} a year the target is reached in {period}.",
                       "ja": "年{pct}の伸びなら目標到達は{period}。"},
    "what_if_never": {"en": "At {pct} a year the target is not reached within {years} years.",
                      "ja": "年{pct}の伸びでは{years}年以内に目標に到達しません。"},
    "summary": {"en": "Summary", "ja": "概況"},
    "peers": {"en": "Peer institutions are drawn in grey.", "ja": "灰色は比較対象大学の値です。"},
    "analyst_only": {"en": "Uploading and rolling back are for analysts. Enter the analyst password.",
                     "ja": "アップロードとロールバックは分析担当者のみ行えます。分析担当者パスワードを入力してください。"},
    "no_password_configured": {"en": "No analyst password is configured (set analyst_password in Streamlit secrets or "
                                     "KPI_ANALYST_PASSWORD), so uploads are disabled.",
                               "ja": "分析担当者パスワードが設定されていないため、アップロードは無効です"
                                     "（Streamlit secrets の analyst_password または KPI_ANALYST_PASSWORD を設定）。"},
    "password": {"en": "Analyst password", "ja": "分析担当者パスワード"},
    "analyst_only_sso": {"en": "Uploading and rolling back are for analysts. Sign in with your university account.",
                         "ja": "アップロードとロールバックは分析担当者のみ行えます。大学のアカウントでサインインしてください。"},
    "sign_in_sso": {"en": "Sign in with university account", "ja": "大学アカウントでサインイン"},
    "not_an_analyst": {"en": "{email} is signed in but is not on the analysts' list.",
                       "ja": "{email} でサインイン中ですが、分析担当者として登録されていません。"},
    "signed_in_as": {"en": "Signed in as analyst {email}.", "ja": "分析担当者 {email} としてサインイン中です。"},
    "sign_in": {"en": "Sign in", "ja": "サインイン"},
    "sign_out": {"en": "Sign out", "ja": "サインアウト"},
    "wrong_password": {"en": "Wrong password.", "ja": "パスワードが違います。"},
    "signed_in": {"en": "Signed in as analyst.", "ja": "分析担当者としてサインイン中です。"},
    "choose_file": {"en": "CSV or tab-delimited export", "ja": "CSVまたはタブ区切りのファイル"},
    "encoding": {"en": "Encoding", "ja": "文字コード"},
    "auto": {"en": "Detect", "ja": "自動判定"},
    "constant_for_file": {"en": "{column} for the whole file (when the file has no such column)",
                          "ja": "ファイル全体の{column}（ファイルに列がない場合）"},
    "not_constant": {"en": "(from the file)", "ja": "（ファイルの列を使う）"},
    "detected": {"en": "Detected: {encoding}, {layout} layout, header on line {line}, {rows} rows",
                 "ja": "判定結果: {encoding}、{layout}形式、見出しは{line}行目、{rows}行"},
    "mapping": {"en": "Column mapping", "ja": "列の対応"},
    "errors_found": {"en": "{n} error(s): nothing can be stored until the file is corrected.",
                     "ja": "{n}件のエラーがあります。修正するまで保存できません。"},
    "warnings": {"en": "Warnings", "ja": "警告"},
    "preview": {"en": "Preview of the normalised rows", "ja": "正規化後の行のプレビュー"},
    "diff": {"en": "What changes", "ja": "変更内容"},
    "diff_rows": {"en": "{added} rows added, {removed} rows removed", "ja": "{added}行を追加、{removed}行を削除"},
    "diff_none": {"en": "No KPI value changes.", "ja": "KPI の値に変化はありません。"},
    "mode": {"en": "Mode", "ja": "方式"},
    "append": {"en": "Append", "ja": "追加"},
    "replace": {"en": "Replace", "ja": "置換"},
    "note": {"en": "Note", "ja": "メモ"},
    "commit": {"en": "Commit", "ja": "確定"},
    "committed": {"en": "Stored as revision {revision}.", "ja": "リビジョン{revision}として保存しました。"},
    "rollback": {"en": "Roll back", "ja": "ロールバック"},
    "rollback_to": {"en": "Restore the dataset to its state right after revision", "ja": "次のリビジョン直後の状態に戻す"},
    "rolled_back": {"en": "Restored as revision {revision}.", "ja": "リビジョン{revision}として復元しました。"},
}

# Column headers of displayed tables (downloads keep the contract's names, which the importer reads back).
COLUMN_LABELS_JA = {
    "dataset": "データセット", "rows": "行数", "first": "最初", "last": "最後", "sources": "出典", "source": "出典",
    "revision": "リビジョン", "action": "操作", "created_at": "日時", "user": "ユーザー", "file_name": "ファイル名",
    "row_count": "行数", "note": "メモ", "restores": "復元元", "id": "ID", "pillar": "柱", "name_en": "名称（英）",
    "name_ja": "名称", "unit": "単位", "period_kind": "期間の種類", "method": "計算方法", "filter": "条件",
    "direction": "区分", "definition_ja": "定義", "indicator": "指標", "period": "期間", "period_label": "期間（表示）",
    "value": "値", "numerator": "分子", "denominator": "分母", "target": "目標", "glide_path": "計画値",
    "status": "状況", "year": "年", "total": "論文数", "international": "国際共著", "share": "国際共著率（%）",
    "fiscal_year": "年度", "country": "国・地域", "school": "部局", "students": "学生数", "partner": "協定校",
    "level": "協定区分", "start_date": "締結日", "end_date": "終了日", "baseline_period": "基準年度",
    "baseline_value": "基準値", "target_period": "目標年度", "target_value": "目標値", "milestones": "中間目標",
    "glide": "計画線", "owner": "担当", "severity": "種別", "line": "行", "column": "列", "message": "内容",
    "before": "変更前", "after": "変更後",
}
COLUMN_LABELS_EN = {"definition_en": "definition", "period_label": "period (label)", "glide_path": "glide path",
                    "created_at": "time", "file_name": "file", "row_count": "rows", "fiscal_year": "fiscal year",
                    "start_date": "start date", "end_date": "end date", "baseline_period": "baseline period",
                    "baseline_value": "baseline value", "target_period": "target period",
                    "target_value": "target value"}


def column_labels(columns, lang: str) -> dict[str, str]:
    table = COLUMN_LABELS_JA if lang == "ja" else COLUMN_LABELS_EN
    return {c: table.get(c, c) for c in columns}


UNITS_JA = {"students": "人", "programs": "件", "institutions": "校", "agreements": "件", "papers": "本",
            "projects": "件", "events": "件", "percent": "%"}

STATUS_ICONS = {"achieved": "★", "on_track": "▲", "at_risk": "◆", "off_track": "▼", "no_data": "○", "no_target": "－"}


def t(key: str, lang: str, **fields) -> str:
    entry = TEXT.get(key)
    text = entry.get(lang, entry["en"]) if entry else key
    return text.format(**fields) if fields else text


def fiscal_year_label(year: int, lang: str) -> str:
    """FY2024 / 2024年度（令和6年度）."""
    if lang == "ja":
        era, number = era_year(int(year))
        return f"{year}年度（{era}{'元' if number == 1 else number}年度）"
    return f"FY{year}"


def period_label(year: int, period_kind: str, lang: str, *, short: bool = False) -> str:
    """A fiscal-year or calendar-year label; ``short`` drops the era for chart axes."""
    if period_kind == "fiscal":
        if short and lang == "ja":
            return f"{year}年度"
        return fiscal_year_label(year, lang)
    return f"{year}年" if lang == "ja" else str(year)


def format_value(value: float | None, unit: str, lang: str, *, signed: bool = False) -> str:
    """2,145 / 2,145人 / 36.8% ; ``signed`` for changes (+3.4%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "+" if signed and value > 0 else ""
    if unit == "percent":  # a change of a percentage is in percentage points
        return f"{sign}{value:,.1f} {'ポイント' if lang == 'ja' else 'pt'}" if signed else f"{value:,.1f}%"
    number = f"{sign}{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{sign}{value:,.1f}"
    return f"{number}{UNITS_JA.get(unit, '')}" if lang == "ja" else number


def format_percent(value: float | None, *, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{'+' if signed and value > 0 else ''}{value:,.1f}%"


def status_label(status: str, lang: str) -> str:
    """Icon and word together, so status never depends on colour alone."""
    return f"{STATUS_ICONS.get(status, '')} {t('status_' + status, lang)}"


def indicator_name(registry, indicator: str, lang: str) -> str:
    return str(registry.loc[indicator, "name_ja" if lang == "ja" else "name_en"])
