"""Outcome statistics, computed in the database.

A report is a constant number of queries whatever the number of participants
(eight; pinned by tests/reports/test_queries.py):

1. placements grouped by every breakdown at once (programme, gender, age
   band, education, labour-market status, target-group flags), with
   conditional aggregation for started / active / ended and each exit outcome;
2. follow-ups of the period's exits, grouped the same way and by kind;
3. attendance hours in the period, summed per placement, then grouped the
   same way and by unit (the attendance table by programme and unit);
4. the first and latest assessment score per placement and area (correlated
   subqueries), grouped the same way and by area;
5. time in programme: quartiles per breakdown with window functions;
6–8. the labels of areas, units and enterprises.

The grouped rows are at most one per combination of codes, never one per
participant; they are rolled up per breakdown in Python. The unit is a group
key of the attendance only: with it, every combination of codes repeats for
each of the thousands of units of a national data set, and the other queries
returned about one row per placement (docs/performance.md).

Definitions (documented for funders in the report itself):

* The counting unit is the *placement* (a participant's stint in one
  programme); a participant in two programmes in the period counts in both.
* In the period = started on or before its last day and not ended before its
  first day. Started = start date in the period. Active = still running at the
  end of the period. Ended = ended in the period (its exit is the outcome).
* Age band = the placement's start year minus the birth year (the record holds
  only the birth year; a participant is counted in the band of the year they
  started, so the band is stable across reports).
* Target groups (they overlap): disability or reduced working capacity, foreign
  background, newly arrived, youth (under 30 at start), none of these.
* Follow-ups are those of the exits in the period; due = due by the report
  date (or already made); coverage = made ÷ due.
* Progress: per area, the latest score up to the end of the period minus the
  first score, for placements in the period with at least two assessments.
* Quartiles use the same definition as PostgreSQL's ``percentile_cont``
  (linear interpolation between closest ranks). They are computed portably:
  ``ROW_NUMBER()`` and ``COUNT()`` windows over each breakdown's partitions
  pick only the (at most six) rows at the quartile positions in SQL; the
  interpolation between those rows is done in Python. SQLite has no
  percentile aggregate, and fetching every duration would move one row per
  placement out of the database.
"""

from datetime import date
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Unit
from casework.due import follow_up_counts_as_due
from casework.models import Assessment, FollowUp, Item, Outcome, Score
from participants.models import EducationLevel, Gender, LabourMarketStatus
from placements.models import Attendance, Placement, Programme

from .routing import reporting
from .scope import Period


class AgeBand:
    UNDER_18 = "under_18"
    AGE_18_29 = "18_29"
    AGE_30_54 = "30_54"
    AGE_55_PLUS = "55_plus"
    choices = (
        (UNDER_18, _("Under 18")),
        (AGE_18_29, _("18–29")),
        (AGE_30_54, _("30–54")),
        (AGE_55_PLUS, _("55 and over")),
    )
    YOUTH = (UNDER_18, AGE_18_29)


class TargetGroup:
    DISABILITY = "disability"
    FOREIGN_BACKGROUND = "foreign_background"
    NEWLY_ARRIVED = "newly_arrived"
    YOUTH = "youth"
    NONE = "none"
    choices = (
        (DISABILITY, _("Disability or reduced working capacity")),
        (FOREIGN_BACKGROUND, _("Foreign background")),
        (NEWLY_ARRIVED, _("Newly arrived")),
        (YOUTH, _("Youth (under 30 at start)")),
        (NONE, _("None of these")),
    )


#: Breakdowns of every measure, in report order: key → (label, categories).
DIMENSIONS: dict[str, tuple] = {
    "gender": (_("Gender"), tuple(Gender.choices)),
    "age_band": (_("Age band"), AgeBand.choices),
    "education": (_("Education level"), tuple(EducationLevel.choices)),
    "target_group": (_("Target group"), TargetGroup.choices),
    "labour_market_status": (_("Labour-market status at entry"), LabourMarketStatus.choices),
    "programme": (_("Programme"), tuple(Programme.choices)),
}

#: Exit outcomes that count as "in work or studies".
WORK_OR_STUDIES = (
    Outcome.EMPLOYED,
    Outcome.EMPLOYED_SUBSIDISED,
    Outcome.SELF_EMPLOYED,
    Outcome.STUDIES,
)
EMPLOYED = (Outcome.EMPLOYED, Outcome.EMPLOYED_SUBSIDISED, Outcome.SELF_EMPLOYED)
FOLLOW_UP_KINDS = tuple(FollowUp.Kind.values)
FOLLOW_UP_STATUSES = tuple(FollowUp.Status.values)

GROUP_FIELDS = (
    "g_programme",
    "g_gender",
    "g_age_band",
    "g_education",
    "g_labour_market_status",
    "g_disability",
    "g_foreign_background",
    "g_newly_arrived",
)


class DaysBetween(Func):
    """Whole days from the second date to the first, as an integer, on both databases."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _age_expression(prefix: str):
    return ExtractYear(f"{prefix}start_date") - F(f"{prefix}participant__birth_year")


def group_annotations(prefix: str = "") -> dict:
    """Breakdown codes of a placement reached through ``prefix``."""
    age = _age_expression(prefix)
    return {
        "g_programme": F(f"{prefix}programme"),
        "g_gender": F(f"{prefix}participant__gender"),
        "g_age_band": Case(
            When(LessThan(age, 18), then=Value(AgeBand.UNDER_18)),
            When(LessThan(age, 30), then=Value(AgeBand.AGE_18_29)),
            When(LessThan(age, 55), then=Value(AgeBand.AGE_30_54)),
            default=Value(AgeBand.AGE_55_PLUS),
            output_field=CharField(),
        ),
        "g_education": F(f"{prefix}participant__education_level"),
        "g_labour_market_status": F(f"{prefix}participant__labour_market_status"),
        "g_disability": F(f"{prefix}participant__has_disability"),
        "g_foreign_background": F(f"{prefix}participant__foreign_background"),
        "g_newly_arrived": F(f"{prefix}participant__newly_arrived"),
    }


def categories_of(group: dict, dimension: str) -> list[str]:
    """The categories of ``dimension`` a grouped row belongs to (target groups overlap)."""
    if dimension == "target_group":
        found = [
            code
            for code, flag in (
                (TargetGroup.DISABILITY, group["g_disability"]),
                (TargetGroup.FOREIGN_BACKGROUND, group["g_foreign_background"]),
                (TargetGroup.NEWLY_ARRIVED, group["g_newly_arrived"]),
                (TargetGroup.YOUTH, group["g_age_band"] in AgeBand.YOUTH),
            )
            if flag
        ]
        return found or [TargetGroup.NONE]
    return [group[f"g_{dimension}"]]


def _add(target: dict, row: dict, measures) -> None:
    for measure in measures:
        target[measure] = target.get(measure, 0) + (row.get(measure) or 0)


def collapse(rows: list[dict], keys, measures) -> list[dict]:
    """Sum ``measures`` of rows that agree on ``keys`` (drops the other group keys)."""
    merged: dict = {}
    for row in rows:
        key = tuple(row[name] for name in keys)
        target = merged.get(key)
        if target is None:
            merged[key] = target = dict(zip(keys, key, strict=True))
        _add(target, row, measures)
    return list(merged.values())


def rollup(rows: list[dict], measures, dimension: str | None, extra_key: str | None = None):
    """Sum ``measures`` of grouped rows per category of ``dimension`` (None: one total)."""
    result: dict = {}
    for row in rows:
        keys = [None] if dimension is None else categories_of(row, dimension)
        for key in keys:
            bucket = result.setdefault(key, {})
            if extra_key is not None:
                bucket = bucket.setdefault(row[extra_key], {})
            _add(bucket, row, measures)
    return result[None] if dimension is None and None in result else result


def _share(part, whole) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def _in_period_placements(*, period: Period, organisation_ids, prefix: str = "") -> Q:
    p = prefix
    return (
        Q(**{f"{p}participant__organisation_id__in": list(organisation_ids)})
        & Q(**{f"{p}start_date__isnull": False, f"{p}start_date__lte": period.end})
        & (Q(**{f"{p}actual_end__isnull": True}) | Q(**{f"{p}actual_end__gte": period.start}))
    )


# --- the grouped queries ------------------------------------------------------


def placement_groups(*, period: Period, organisation_ids) -> list[dict]:
    ended = Q(status=Placement.Status.ENDED, actual_end__lte=period.end)
    outcome_counts = {
        f"outcome_{code}": Count("pk", filter=ended & Q(exit__outcome=code))
        for code in Outcome.values
    }
    return list(
        Placement.objects.filter(
            _in_period_placements(period=period, organisation_ids=organisation_ids)
        )
        .annotate(**group_annotations())
        .values(*GROUP_FIELDS)
        .annotate(
            in_period=Count("pk"),
            started=Count("pk", filter=Q(start_date__gte=period.start)),
            active=Count("pk", filter=Q(actual_end__isnull=True) | Q(actual_end__gt=period.end)),
            ended=Count("pk", filter=ended),
            **outcome_counts,
        )
        .order_by()
    )


def follow_up_groups(*, period: Period, organisation_ids, as_of: date) -> list[dict]:
    done = Q(done_at__isnull=False)
    status_counts = {
        f"status_{code}": Count("pk", filter=done & Q(status_found=code))
        for code in FOLLOW_UP_STATUSES
    }
    return list(
        FollowUp.objects.filter(
            exit__placement__participant__organisation_id__in=list(organisation_ids),
            exit__date__gte=period.start,
            exit__date__lte=period.end,
        )
        .annotate(**group_annotations("exit__placement__"))
        .values(*GROUP_FIELDS, "kind")
        .annotate(
            exits=Count("pk"),
            due=Count("pk", filter=follow_up_counts_as_due(as_of)),
            done=Count("pk", filter=done),
            **status_counts,
        )
        .order_by()
    )


def attendance_groups(*, period: Period, organisation_ids) -> list[dict]:
    """Planned and attended hours in the period, per breakdown and unit.

    Summed per placement first (two correlated sums read through the
    ``(placement, date)`` index), then grouped: the grouping sorts one row per
    placement instead of every day of attendance (five million rows at
    100,000 participants), which kept the report's SQL from growing faster
    than the data on SQLite (docs/performance.md).
    """
    days = Attendance.objects.filter(
        placement_id=OuterRef("pk"), date__gte=period.start, date__lte=period.end
    )

    def hours(column: str) -> Subquery:
        return Subquery(
            days.values("placement_id").annotate(total=Sum(column)).values("total"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )

    return list(
        # Every placement of the enterprises with a day in the period, as when
        # the days themselves were grouped (not only those "in the period" by
        # their dates: a day recorded outside them still counts).
        Placement.objects.filter(
            Exists(days), participant__organisation_id__in=list(organisation_ids)
        )
        .annotate(
            **group_annotations(),
            g_unit=F("unit_id"),
            placement_planned=hours("planned_hours"),
            placement_attended=hours("attended_hours"),
        )
        .values(*GROUP_FIELDS, "g_unit")
        .annotate(
            planned=Sum("placement_planned"),
            attended=Sum("placement_attended"),
            placements=Count("pk"),
        )
        .order_by()
    )


def progress_groups(*, period: Period, organisation_ids) -> list[dict]:
    until_end = Assessment.objects.filter(date__lte=period.end)
    latest = (
        until_end.filter(placement_id=OuterRef("assessment__placement_id"))
        .order_by("-date", "-id")
        .values("id")[:1]
    )
    first = (
        until_end.filter(placement_id=OuterRef("assessment__placement_id"))
        .order_by("date", "id")
        .values("id")[:1]
    )
    first_of_outer = (
        until_end.filter(placement_id=OuterRef(OuterRef("assessment__placement_id")))
        .order_by("date", "id")
        .values("id")[:1]
    )
    first_value = Score.objects.filter(
        item_id=OuterRef("item_id"), assessment_id=Subquery(first_of_outer)
    ).values("value")[:1]
    return list(
        Score.objects.filter(
            _in_period_placements(
                period=period, organisation_ids=organisation_ids, prefix="assessment__placement__"
            ),
            assessment_id=Subquery(latest),
        )
        .exclude(assessment_id=Subquery(first))
        .annotate(first_value=Subquery(first_value), **group_annotations("assessment__placement__"))
        .filter(first_value__isnull=False)
        .values(*GROUP_FIELDS, "item_id")
        .annotate(
            n=Count("pk"),
            change=Sum(F("value") - F("first_value")),
            improved=Count("pk", filter=Q(value__gt=F("first_value"))),
        )
        .order_by()
    )


#: Partitions for the quartiles: name → expression (None: everyone).
def _duration_partitions() -> dict:
    age = _age_expression("")
    youth = Case(When(LessThan(age, 30), then=Value(True)), default=Value(False))
    none = Case(
        When(
            Q(participant__has_disability=False)
            & Q(participant__foreign_background=False)
            & Q(participant__newly_arrived=False)
            & Q(LessThan(age, 30)),
            then=Value(False),
        ),
        When(
            Q(participant__has_disability=False)
            & Q(participant__foreign_background=False)
            & Q(participant__newly_arrived=False),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    annotations = group_annotations()
    return {
        "all": None,
        "gender": annotations["g_gender"],
        "age_band": annotations["g_age_band"],
        "education": annotations["g_education"],
        "labour_market_status": annotations["g_labour_market_status"],
        "programme": annotations["g_programme"],
        "tg_" + TargetGroup.DISABILITY: annotations["g_disability"],
        "tg_" + TargetGroup.FOREIGN_BACKGROUND: annotations["g_foreign_background"],
        "tg_" + TargetGroup.NEWLY_ARRIVED: annotations["g_newly_arrived"],
        "tg_" + TargetGroup.YOUTH: youth,
        "tg_" + TargetGroup.NONE: none,
    }


def quartile_positions(n: int) -> dict[str, tuple[int, int]]:
    """1-based ranks around each quartile (as percentile_cont interpolates)."""
    return {
        "q1": (1 + (n - 1) // 4, 1 + (n + 2) // 4),
        "median": (1 + (n - 1) // 2, 1 + n // 2),
        "q3": (1 + 3 * (n - 1) // 4, 1 + 3 * n // 4),
    }


def _interpolate(n: int, values: dict[int, int]) -> dict:
    result: dict = {"n": n}
    for name, fraction in (("q1", 0.25), ("median", 0.5), ("q3", 0.75)):
        position = 1 + fraction * (n - 1)
        low, high = quartile_positions(n)[name]
        result[name] = round(values[low] + (position - low) * (values[high] - values[low]), 2)
    return result


def duration_quartiles(*, period: Period, organisation_ids) -> dict:
    """Days from start to end of the placements ended in the period: n, q1, median, q3."""
    partitions = _duration_partitions()
    windows = {}
    selected = Q()
    for name, expression in partitions.items():
        partition_by = [] if expression is None else [expression]
        windows[f"rn_{name}"] = Window(
            RowNumber(), partition_by=partition_by, order_by=[F("days").asc(), F("pk").asc()]
        )
        windows[f"n_{name}"] = Window(Count("pk"), partition_by=partition_by)
        rank, count = F(f"rn_{name}"), F(f"n_{name}")
        selected |= (
            Q(**{f"rn_{name}": Value(1) + (count - 1) / 4})
            | Q(**{f"rn_{name}": Value(1) + (count + 2) / 4})
            | Q(**{f"rn_{name}": Value(1) + (count - 1) / 2})
            | Q(**{f"rn_{name}": Value(1) + count / 2})
            | Q(**{f"rn_{name}": Value(1) + 3 * (count - 1) / 4})
            | Q(**{f"rn_{name}": Value(1) + 3 * count / 4})
        )
        del rank
    keys = {
        f"k_{name}": expression for name, expression in partitions.items() if expression is not None
    }
    rows = (
        Placement.objects.filter(
            _in_period_placements(period=period, organisation_ids=organisation_ids),
            status=Placement.Status.ENDED,
            actual_end__lte=period.end,
        )
        .annotate(days=DaysBetween(F("actual_end"), F("start_date")), **keys)
        .annotate(**windows)
        .filter(selected)
        .values("days", *keys, *windows)
    )
    ranks: dict = {}
    for row in rows:
        for name in partitions:
            n, rank = row[f"n_{name}"], row[f"rn_{name}"]
            wanted = {position for pair in quartile_positions(n).values() for position in pair}
            if rank in wanted:
                key = None if name == "all" else row[f"k_{name}"]
                ranks.setdefault((name, key), (n, {}))[1][rank] = row["days"]
    result: dict = {"all": None, "by": {dimension: {} for dimension in DIMENSIONS}}
    for (name, key), (n, values) in ranks.items():
        quartiles = _interpolate(n, values)
        if name == "all":
            result["all"] = quartiles
        elif name.startswith("tg_"):
            if key:
                result["by"]["target_group"][name[3:]] = quartiles
        else:
            result["by"][name][key] = quartiles
    return result


# --- the report ------------------------------------------------------------


def _count_measures(row: dict) -> dict:
    return {
        "in_period": row.get("in_period", 0),
        "started": row.get("started", 0),
        "active": row.get("active", 0),
        "ended": row.get("ended", 0),
    }


def _outcome_measures(row: dict) -> dict:
    counts = {code: row.get(f"outcome_{code}", 0) for code in Outcome.values}
    ended = sum(counts.values())
    in_work_or_studies = sum(counts[code] for code in WORK_OR_STUDIES)
    return {
        "ended": ended,
        "counts": counts,
        "work_or_studies": in_work_or_studies,
        "work_or_studies_share": _share(in_work_or_studies, ended),
    }


def _attendance_measures(row: dict) -> dict:
    planned = row.get("planned") or Decimal(0)
    attended = row.get("attended") or Decimal(0)
    return {"planned": planned, "attended": attended, "rate": _share(attended, planned)}


def _follow_up_measures(row: dict) -> dict:
    statuses = {code: row.get(f"status_{code}", 0) for code in FOLLOW_UP_STATUSES}
    return {
        "exits": row.get("exits", 0),
        "due": row.get("due", 0),
        "done": row.get("done", 0),
        "coverage": _share(row.get("done", 0), row.get("due", 0)),
        "statuses": statuses,
    }


def _progress_measures(row: dict) -> dict:
    n = row.get("n", 0)
    return {
        "n": n,
        "mean_change": round(row["change"] / n, 2) if n else None,
        "improved": row.get("improved", 0),
        "improved_share": _share(row.get("improved", 0), n),
    }


def _per_dimension(rows, measures, shape, extra_key=None) -> dict:
    by = {}
    for dimension in DIMENSIONS:
        rolled = rollup(rows, measures, dimension, extra_key)
        if extra_key is None:
            by[dimension] = {key: shape(values) for key, values in rolled.items()}
        else:
            by[dimension] = {
                key: {inner: shape(values) for inner, values in bucket.items()}
                for key, bucket in rolled.items()
            }
    return by


PLACEMENT_MEASURES = ("in_period", "started", "active", "ended") + tuple(
    f"outcome_{code}" for code in Outcome.values
)
FOLLOW_UP_MEASURES = ("exits", "due", "done") + tuple(
    f"status_{code}" for code in FOLLOW_UP_STATUSES
)


def outcome_report(*, period: Period, organisation_ids, as_of: date | None = None) -> dict:
    """Every statistic of the outcome report as plain dicts (see the module docstring).

    Read from the report replica when one is configured.
    """
    with reporting():
        return _outcome_report(period=period, organisation_ids=organisation_ids, as_of=as_of)


def _outcome_report(*, period: Period, organisation_ids, as_of: date | None) -> dict:
    as_of = as_of or timezone.localdate()
    organisation_ids = list(organisation_ids)
    placements = placement_groups(period=period, organisation_ids=organisation_ids)
    follow_ups = follow_up_groups(period=period, organisation_ids=organisation_ids, as_of=as_of)
    attendance = attendance_groups(period=period, organisation_ids=organisation_ids)
    progress = progress_groups(period=period, organisation_ids=organisation_ids)
    durations = duration_quartiles(period=period, organisation_ids=organisation_ids)
    item_ids = {row["item_id"] for row in progress}
    areas = [
        {"code": str(item.pk), "label": item.label, "slug": item.code}
        for item in Item.objects.filter(pk__in=item_ids).order_by("instrument__code", "position")
    ]
    unit_ids = {row["g_unit"] for row in attendance}
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    organisations = [
        {"id": str(pk), "name": name}
        for pk, name in Organisation.objects.filter(pk__in=organisation_ids)
        .order_by("name")
        .values_list("pk", "name")
    ]
    for row in progress:
        row["item_id"] = str(row["item_id"])

    kinds = {}
    for kind in FOLLOW_UP_KINDS:
        rows = [row for row in follow_ups if row["kind"] == kind]
        total = rollup(rows, FOLLOW_UP_MEASURES, None)
        kinds[kind] = {
            "all": _follow_up_measures(total or {}),
            "by": _per_dimension(rows, FOLLOW_UP_MEASURES, _follow_up_measures),
        }

    programme_labels = dict(Programme.choices)
    by_programme_unit = {}
    for row in attendance:
        key = (row["g_programme"], row["g_unit"])
        _add(by_programme_unit.setdefault(key, {}), row, ("planned", "attended"))
    attendance_by_programme_unit = [
        {
            "programme": programme,
            "programme_label": str(programme_labels.get(programme, programme)),
            "unit": str(unit),
            "unit_label": units.get(unit, ""),
            **_attendance_measures(values),
        }
        for (programme, unit), values in sorted(
            by_programme_unit.items(), key=lambda item: (item[0][0], units.get(item[0][1], ""))
        )
    ]

    progress_total = rollup(progress, ("n", "change", "improved"), None, "item_id")
    report = {
        "period": period.code,
        "period_label": period.label,
        "as_of": as_of.isoformat(),
        "organisations": organisations,
        "counts": {
            "all": _count_measures(rollup(placements, PLACEMENT_MEASURES, None) or {}),
            "by": _per_dimension(placements, PLACEMENT_MEASURES, _count_measures),
        },
        "time_in_programme": durations,
        "attendance": {
            "all": _attendance_measures(rollup(attendance, ("planned", "attended"), None) or {}),
            "by": _per_dimension(
                collapse(attendance, GROUP_FIELDS, ("planned", "attended")),
                ("planned", "attended"),
                _attendance_measures,
            ),
            "by_programme_unit": attendance_by_programme_unit,
        },
        "outcomes": {
            "all": _outcome_measures(rollup(placements, PLACEMENT_MEASURES, None) or {}),
            "by": _per_dimension(placements, PLACEMENT_MEASURES, _outcome_measures),
        },
        "follow_ups": kinds,
        "progress": {
            "areas": areas,
            "all": {
                item: _progress_measures(values) for item, values in (progress_total or {}).items()
            },
            "by": _per_dimension(
                progress, ("n", "change", "improved"), _progress_measures, "item_id"
            ),
        },
        "groups": {"placements": placements, "follow_ups": follow_ups},
    }
    report["esf"] = esf_indicators(placements, follow_ups)
    return report


ESF_GENDERS = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY)


def _by_gender(rows, predicate, measure: str) -> dict:
    values = {code: 0 for code in Gender.values}
    for row in rows:
        if predicate(row):
            values[row["g_gender"]] += row.get(measure) or 0
    values["total"] = sum(values[code] for code in Gender.values)
    return values


def esf_indicators(placements: list[dict], follow_ups: list[dict]) -> dict:
    """ESF+ common indicators by woman / man / non-binary (and not stated, and total).

    Participants = placements started in the period; "upon leaving" = exits in
    the period; "six months after leaving" = the 6-month follow-ups of those
    exits that found the person employed (with or without subsidy, or self-employed).
    """
    rows = []

    def add(key, label, values):
        rows.append({"key": key, "label": str(label), "values": values})

    add(
        "participants",
        _("Participants (started)"),
        _by_gender(placements, lambda r: True, "started"),
    )
    for code, label in LabourMarketStatus.choices:
        add(
            f"lms_{code}",
            label,
            _by_gender(placements, lambda r, c=code: r["g_labour_market_status"] == c, "started"),
        )
    for code, label in AgeBand.choices:
        add(
            f"age_{code}",
            label,
            _by_gender(placements, lambda r, c=code: r["g_age_band"] == c, "started"),
        )
    for code in (EducationLevel.ISCED_0_2, EducationLevel.ISCED_3_4, EducationLevel.ISCED_5_8):
        add(
            f"education_{code}",
            EducationLevel(code).label,
            _by_gender(placements, lambda r, c=code: r["g_education"] == c, "started"),
        )
    add(
        "disability",
        _("With disability"),
        _by_gender(placements, lambda r: r["g_disability"], "started"),
    )
    add(
        "foreign_background",
        _("With a foreign background"),
        _by_gender(placements, lambda r: r["g_foreign_background"], "started"),
    )
    leaving = {
        "leaving_education": ((Outcome.STUDIES,), _("In education or training upon leaving")),
        "leaving_job_seeking": ((Outcome.JOB_SEEKING,), _("Job seeking upon leaving")),
        "leaving_employed": (EMPLOYED, _("Employed, including self-employed, upon leaving")),
    }
    for key, (codes, label) in leaving.items():
        values = {code: 0 for code in Gender.values}
        for outcome in codes:
            part = _by_gender(placements, lambda r: True, f"outcome_{outcome}")
            for gender in Gender.values:
                values[gender] += part[gender]
        values["total"] = sum(values[code] for code in Gender.values)
        add(key, label, values)
    six_months = [row for row in follow_ups if row["kind"] == FollowUp.Kind.MONTH_6]
    values = {code: 0 for code in Gender.values}
    for status in EMPLOYED:
        part = _by_gender(six_months, lambda r: True, f"status_{status}")
        for gender in Gender.values:
            values[gender] += part[gender]
    values["total"] = sum(values[code] for code in Gender.values)
    add(
        "employed_6_months",
        _("Employed, including self-employed, six months after leaving"),
        values,
    )
    return {
        "columns": [{"code": code, "label": str(Gender(code).label)} for code in Gender.values],
        "rows": rows,
    }


def dimension_categories() -> list[dict]:
    return [
        {
            "key": key,
            "label": str(label),
            "categories": [{"code": code, "label": str(name)} for code, name in categories],
        }
        for key, (label, categories) in DIMENSIONS.items()
    ]
