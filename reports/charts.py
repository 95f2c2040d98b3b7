"""Server-rendered SVG bar charts for the report page.

No inline styles or scripts (the CSP forbids them): presentation attributes and
classes only. Each chart has a ``<title>`` and ``<desc>`` and is followed on
the page by a data table with the same numbers, for screen readers.
"""

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 260
CHART_WIDTH = 640
VALUE_WIDTH = 70


@dataclass
class Bar:
    label: str
    value: float
    display: str


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> SafeString:
    """A horizontal bar chart as inline SVG markup."""
    height = max(len(bars), 1) * (BAR_HEIGHT + GAP) + GAP
    largest = max((bar.value for bar in bars), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        format_html(
            '<svg class="chart" role="img" aria-labelledby="{0}-title {0}-desc" '
            'viewBox="0 0 {1} {2}" width="{1}" height="{2}" xmlns="http://www.w3.org/2000/svg">'
            '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>',
            chart_id,
            CHART_WIDTH,
            height,
            title,
            description,
        )
    ]
    for index, bar in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = max(round(span * (bar.value or 0) / largest, 1), 0)
        parts.append(
            format_html(
                '<g class="bar"><text x="{0}" y="{1}" text-anchor="end" font-size="13">{2}</text>'
                '<rect x="{3}" y="{4}" width="{5}" height="{6}" fill="#2f6f8f">'
                "<title>{2}: {7}</title></rect>"
                '<text x="{8}" y="{1}" font-size="13">{7}</text></g>',
                LABEL_WIDTH - 8,
                y + BAR_HEIGHT - 6,
                bar.label,
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                bar.display,
                LABEL_WIDTH + width + 6,
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant markup
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - parts are escaped


def percent(value) -> str:
    return "–" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def report_charts(report: dict) -> list[dict]:
    """The charts of the report page, each with its data table rows."""
    from casework.models import Outcome

    from .statistics import DIMENSIONS

    charts = []
    outcomes = report["outcomes"]["all"]
    bars = [
        Bar(str(label), outcomes["counts"][code], str(outcomes["counts"][code]))
        for code, label in Outcome.choices
    ]
    charts.append(
        {
            "id": "chart-outcomes",
            "title": "exit_outcomes",
            "bars": bars,
        }
    )
    # By programme: a bar per programme and unit would not fit a page at scale;
    # the table below the chart has the programme-and-unit rows.
    _title, programmes = DIMENSIONS["programme"]
    attendance = report["attendance"]["by"]["programme"]
    charts.append(
        {
            "id": "chart-attendance",
            "title": "attendance",
            "bars": [
                Bar(str(label), attendance[code]["rate"] or 0, percent(attendance[code]["rate"]))
                for code, label in programmes
                if code in attendance
            ],
        }
    )
    _label, categories = DIMENSIONS["gender"]
    counts = report["counts"]["by"]["gender"]
    charts.append(
        {
            "id": "chart-gender",
            "title": "gender",
            "bars": [
                Bar(
                    str(label),
                    counts.get(code, {}).get("in_period", 0),
                    str(counts.get(code, {}).get("in_period", 0)),
                )
                for code, label in categories
            ],
        }
    )
    return charts


def render(chart: dict, *, title: str, description: str) -> SafeString:
    return bar_chart(chart_id=chart["id"], title=title, description=description, bars=chart["bars"])


__all__ = ["Bar", "bar_chart", "escape", "render", "report_charts"]
