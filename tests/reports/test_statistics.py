"""Every statistic of the outcome report against hand-computed values (see data.py)."""

from decimal import Decimal

import pytest

from reports.scope import Period
from reports.statistics import outcome_report
from tests.reports.data import AS_OF

PERIOD = Period.parse("2026-01:2026-06")


@pytest.fixture
def report(dataset):
    return outcome_report(period=PERIOD, organisation_ids=[dataset.enterprise.pk], as_of=AS_OF)


def by_slug(report, values):
    slugs = {area["code"]: area["slug"] for area in report["progress"]["areas"]}
    return {slugs[code]: value for code, value in values.items()}


def test_period():
    assert (PERIOD.start.isoformat(), PERIOD.end.isoformat()) == ("2026-01-01", "2026-06-30")


def test_counts(report):
    assert report["counts"]["all"] == {"in_period": 5, "started": 4, "active": 2, "ended": 3}
    gender = report["counts"]["by"]["gender"]
    assert gender["woman"] == {"in_period": 2, "started": 1, "active": 0, "ended": 2}
    assert gender["man"] == {"in_period": 1, "started": 1, "active": 0, "ended": 1}
    assert gender["non_binary"] == {"in_period": 1, "started": 1, "active": 1, "ended": 0}
    assert gender["not_stated"] == {"in_period": 1, "started": 1, "active": 1, "ended": 0}
    age = report["counts"]["by"]["age_band"]
    assert {band: v["in_period"] for band, v in age.items()} == {
        "under_18": 1,
        "18_29": 1,
        "30_54": 2,
        "55_plus": 1,
    }
    education = report["counts"]["by"]["education"]
    assert {code: v["in_period"] for code, v in education.items()} == {
        "isced_0_2": 2,
        "isced_3_4": 1,
        "isced_5_8": 1,
        "unknown": 1,
    }
    target = report["counts"]["by"]["target_group"]
    assert {code: v["in_period"] for code, v in target.items()} == {
        "disability": 1,
        "foreign_background": 2,
        "newly_arrived": 1,
        "youth": 2,
        "none": 2,
    }
    assert target["foreign_background"]["started"] == 1
    lms = report["counts"]["by"]["labour_market_status"]
    assert {code: v["in_period"] for code, v in lms.items()} == {
        "long_term_unemployed": 1,
        "unemployed": 1,
        "inactive": 2,
        "employed": 1,
    }
    programme = report["counts"]["by"]["programme"]
    assert programme["work_training"] == {"in_period": 3, "started": 3, "active": 1, "ended": 2}
    assert programme["internship"] == {"in_period": 2, "started": 1, "active": 1, "ended": 1}


def test_time_in_programme(report):
    durations = report["time_in_programme"]
    # Ended in the period: 56, 91 and 182 days.
    assert durations["all"] == {"n": 3, "q1": 73.5, "median": 91.0, "q3": 136.5}
    assert durations["by"]["gender"]["woman"] == {"n": 2, "q1": 87.5, "median": 119.0, "q3": 150.5}
    assert durations["by"]["gender"]["man"] == {"n": 1, "q1": 91.0, "median": 91.0, "q3": 91.0}
    assert durations["by"]["programme"]["work_training"]["median"] == 73.5
    assert durations["by"]["target_group"]["youth"]["median"] == 136.5
    assert "none" not in durations["by"]["target_group"]  # P3 and P5 have not ended
    assert durations["by"]["age_band"]["under_18"]["median"] == 182.0


def test_attendance(report):
    attendance = report["attendance"]
    # In the period: 14 + 20 + 12 + 16 + 19 attended of 5 × 20 planned.
    assert attendance["all"] == {
        "planned": Decimal("100.00"),
        "attended": Decimal("81.00"),
        "rate": 0.81,
    }
    rows = {(row["programme"], row["unit_label"]): row for row in attendance["by_programme_unit"]}
    assert rows[("work_training", "Caféet")]["rate"] == round(53 / 60, 4)
    assert rows[("internship", "Bageriet")]["rate"] == 0.7
    assert len(rows) == 2  # the other enterprise's workshop is out of scope
    assert attendance["by"]["gender"]["woman"]["rate"] == 0.75
    assert attendance["by"]["programme"]["internship"]["attended"] == Decimal("28.00")


def test_exit_outcomes(report):
    outcomes = report["outcomes"]["all"]
    assert outcomes["ended"] == 3
    assert {code: n for code, n in outcomes["counts"].items() if n} == {
        "employed": 1,
        "studies": 1,
        "job_seeking": 1,
    }
    assert outcomes["work_or_studies"] == 2
    assert outcomes["work_or_studies_share"] == 0.6667
    by_programme = report["outcomes"]["by"]["programme"]
    assert by_programme["work_training"]["work_or_studies_share"] == 1.0
    assert by_programme["internship"]["work_or_studies_share"] == 0.0
    assert report["outcomes"]["by"]["gender"]["woman"]["counts"]["job_seeking"] == 1


def test_follow_ups(report):
    day_28 = report["follow_ups"]["day_28"]["all"]
    assert (day_28["due"], day_28["done"], day_28["coverage"]) == (3, 3, 1.0)
    assert {s: n for s, n in day_28["statuses"].items() if n} == {
        "employed": 1,
        "studies": 1,
        "not_reached": 1,
    }
    month_6 = report["follow_ups"]["month_6"]["all"]
    assert (month_6["due"], month_6["done"], month_6["coverage"]) == (3, 2, 0.6667)
    assert {s: n for s, n in month_6["statuses"].items() if n} == {
        "employed_subsidised": 1,
        "job_seeking": 1,
    }
    assert report["follow_ups"]["month_6"]["by"]["gender"]["man"]["coverage"] == 0.0


def test_progress(report):
    progress = by_slug(report, report["progress"]["all"])
    # P1, P2 and P5 were assessed twice or more up to the end of the period.
    assert progress["work_skills"] == {
        "n": 3,
        "mean_change": 0.0,
        "improved": 1,
        "improved_share": 0.3333,
    }
    assert progress["motivation"] == {
        "n": 3,
        "mean_change": 1.33,
        "improved": 2,
        "improved_share": 0.6667,
    }
    for area in ("job_seeking", "stability", "basic_skills", "cooperation"):
        assert progress[area] == {
            "n": 3,
            "mean_change": 0.67,
            "improved": 1,
            "improved_share": 0.3333,
        }
    assert progress["health"] == {"n": 3, "mean_change": 0.0, "improved": 0, "improved_share": 0.0}
    woman = by_slug(report, report["progress"]["by"]["gender"]["woman"])
    assert woman["health"]["mean_change"] == 0.0 and woman["work_skills"]["mean_change"] == 2.0


def test_esf_indicators(report):
    rows = {row["key"]: row["values"] for row in report["esf"]["rows"]}
    assert rows["participants"] == {
        "woman": 1,
        "man": 1,
        "non_binary": 1,
        "not_stated": 1,
        "total": 4,
    }
    assert rows["lms_long_term_unemployed"]["woman"] == 1
    assert rows["lms_inactive"] == {
        "woman": 0,
        "man": 0,
        "non_binary": 1,
        "not_stated": 0,
        "total": 1,
    }
    assert rows["age_30_54"]["total"] == 2 and rows["age_under_18"]["total"] == 0
    assert rows["education_isced_5_8"]["non_binary"] == 1
    assert rows["disability"]["woman"] == 1 and rows["disability"]["total"] == 1
    assert rows["foreign_background"] == {
        "woman": 0,
        "man": 1,
        "non_binary": 0,
        "not_stated": 0,
        "total": 1,
    }
    assert rows["leaving_education"]["man"] == 1
    assert rows["leaving_job_seeking"]["woman"] == 1
    assert rows["leaving_employed"]["woman"] == 1 and rows["leaving_employed"]["total"] == 1
    assert rows["employed_6_months"] == {
        "woman": 1,
        "man": 0,
        "non_binary": 0,
        "not_stated": 0,
        "total": 1,
    }


def test_scope_is_respected(dataset):
    both = outcome_report(
        period=PERIOD,
        organisation_ids=[dataset.enterprise.pk, dataset.other_enterprise.pk],
        as_of=AS_OF,
    )
    assert both["counts"]["all"]["in_period"] == 6
    assert [org["name"] for org in both["organisations"]] == [
        "Kaffekvarnen ASF",
        "Snickeriet i Mora",
    ]
