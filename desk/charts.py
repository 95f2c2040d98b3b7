"""The journey chart: each area's assessment scores over time, as SVG geometry.

Only numbers are computed here; ``templates/desk/progress/_journey_chart.html``
draws them (server-rendered SVG, no script, numbers not localised). One row per
area: its label, a line of the scores along a common time axis, and first →
latest with the change.
"""

from dataclasses import dataclass, field
from datetime import date

from casework.models import Assessment, Instrument, Item

WIDTH = 720
ROW_HEIGHT = 56
PLOT_LEFT = 230
PLOT_RIGHT = 590
BAND_TOP = 8
BAND_HEIGHT = 40
AXIS_HEIGHT = 28


@dataclass(frozen=True)
class Point:
    on: date
    value: int
    x: float
    y: float


@dataclass
class AreaJourney:
    item: Item
    points: list[Point] = field(default_factory=list)
    offset: int = 0  # y of the row's top edge

    @property
    def first(self) -> Point | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> int | None:
        if not self.points:
            return None
        return self.points[-1].value - self.points[0].value

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)

    @property
    def midpoint_y(self) -> float:
        return self.offset + BAND_TOP + BAND_HEIGHT / 2

    @property
    def band_top(self) -> float:
        return self.offset + BAND_TOP

    def y_for(self, value: int) -> float:
        span = (self.item.max_score - self.item.min_score) or 1
        share = (value - self.item.min_score) / span
        return round(self.offset + BAND_TOP + BAND_HEIGHT * (1 - share), 1)


@dataclass
class JourneyChart:
    instrument: Instrument
    dates: list[date]
    areas: list[AreaJourney]
    #: The assessments in the order of each area's points (the data table's columns).
    assessments: list[Assessment] = field(default_factory=list)

    width: int = WIDTH
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    band_height: int = BAND_HEIGHT

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def height(self) -> int:
        return len(self.areas) * ROW_HEIGHT + AXIS_HEIGHT

    @property
    def axis_y(self) -> int:
        return len(self.areas) * ROW_HEIGHT + 18

    @property
    def first_date(self) -> date | None:
        return self.dates[0] if self.dates else None

    @property
    def latest_date(self) -> date | None:
        return self.dates[-1] if self.dates else None


def _x_for(on: date, first: date, latest: date) -> float:
    if latest == first:
        return (PLOT_LEFT + PLOT_RIGHT) / 2
    share = (on - first).days / (latest - first).days
    return round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * share, 1)


def journey_charts(assessments: list[Assessment]) -> list[JourneyChart]:
    """One chart per instrument, from assessments in date order with scores prefetched."""
    by_instrument: dict = {}
    for assessment in assessments:
        by_instrument.setdefault(assessment.instrument_id, []).append(assessment)
    charts = []
    for rows in by_instrument.values():
        dates = sorted({assessment.date for assessment in rows})
        items: dict = {}
        for assessment in rows:
            for score in assessment.scores.all():
                items.setdefault(score.item_id, score.item)
        areas = {
            item_id: AreaJourney(item=item, offset=position * ROW_HEIGHT)
            for position, (item_id, item) in enumerate(
                sorted(items.items(), key=lambda pair: pair[1].position)
            )
        }
        ordered = sorted(rows, key=lambda row: (row.date, str(row.pk)))
        for assessment in ordered:
            for score in assessment.scores.all():
                area = areas[score.item_id]
                area.points.append(
                    Point(
                        on=assessment.date,
                        value=score.value,
                        x=_x_for(assessment.date, dates[0], dates[-1]),
                        y=area.y_for(score.value),
                    )
                )
        charts.append(
            JourneyChart(
                instrument=rows[0].instrument,
                dates=dates,
                areas=list(areas.values()),
                assessments=ordered,
            )
        )
    return charts
