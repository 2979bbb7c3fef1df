"""The PDF's vector charts: plotly colours read right, and a chart's labels, legend and alt text land in the PDF."""

import shutil
import subprocess

import pandas as pd
import pytest

from kpi.publish import pdf_chart
from kpi.views import chart_spec


@pytest.mark.parametrize("value,rgb,alpha", [
    pytest.param("#0072B2", (0, 114, 178), 1.0, id="hex"),
    pytest.param("rgba(86,180,233,0.25)", (86, 180, 233), 0.25, id="rgba"),
    pytest.param("rgb(1, 2, 3)", (1, 2, 3), 1.0, id="rgb"),
    pytest.param("white", (255, 255, 255), 1.0, id="named"),
    pytest.param(None, (0, 0, 0), 1.0, id="none-is-the-default"),
])
def test_plotly_colours(value, rgb, alpha):
    assert pdf_chart.colour(value) == (rgb, alpha)


def trend(values):
    series = pd.DataFrame({"period": list(range(2018, 2018 + len(values))), "value": values})
    return chart_spec.kpi(series, unit="students", period_kind="fiscal", lang="en",
                          target=pd.Series({"target": 3000.0, "target_period": 2030}), shocks=(2020,))


def report(fig, alt: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    pdf_chart.draw(pdf, fig, x=15, y=20, width=180, height=110, alt_text=alt, title="International students")
    return bytes(pdf.output())


@pytest.mark.parametrize("values", [
    pytest.param([1800.0, 1900.0, 1500.0, 1600.0, 2145.0], id="a-series"),
    pytest.param([1800.0, None, float("nan"), 2000.0], id="gaps"),
    pytest.param([0.0], id="one-point"),
    pytest.param([-5.0, -1e12], id="negative-and-huge"),
])
def test_any_series_draws_as_one_tagged_figure(values):
    data = report(trend(values), "Chart of international students")
    assert data.startswith(b"%PDF")
    assert data.count(b"/Figure") == 1 and b"/Alt (Chart of international students)" in data


@pytest.mark.system
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test")
def test_labels_and_legend_are_text_in_the_pdf(tmp_path):
    path = tmp_path / "chart.pdf"
    path.write_bytes(report(trend([1800.0, 1900.0, 1500.0, 1600.0, 2145.0]), "alt"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for label in ("Actual", "Target", "FY2022", "2,000", "FY2030"):
        assert label in text, (label, text)
