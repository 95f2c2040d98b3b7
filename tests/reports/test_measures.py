"""Rates and measures of the anonymised export: only for groups of at least the
threshold, and not when an earlier release to the same recipient published the
same measure for a group a few members larger or smaller."""

from placements.models import Programme
from reports.anonymised import _measure_tables

THRESHOLD = 5


def report(in_period: int, durations: int, progress: int) -> dict:
    code = Programme.WORK_TRAINING
    return {
        "counts": {"by": {"programme": {code: {"in_period": in_period}}}},
        "attendance": {"by": {"programme": {code: {"rate": 0.8125}}}},
        "time_in_programme": {
            "by": {"programme": {code: {"n": durations, "q1": 70, "median": 91, "q3": 140}}}
        },
        "progress": {
            "areas": [{"code": "work", "slug": "work", "label": "Work"}],
            "all": {"work": {"n": progress, "mean_change": 1.25}},
        },
    }


def measures(tables) -> tuple[list, list]:
    programme, progress = tables
    row = programme["row_codes"].index(Programme.WORK_TRAINING)
    return programme["cells"][row], progress["cells"][0]


def test_measures_of_small_groups_are_withheld():
    groups: dict = {}
    programme, progress = measures(_measure_tables(report(4, 9, 4), THRESHOLD, (), groups))
    assert programme == [None, None, None, None] and progress == [None]
    assert groups == {}
    programme, progress = measures(_measure_tables(report(5, 10, 5), THRESHOLD, (), groups))
    assert programme == [81, 10, 13, 20] and progress == [1.2]
    code = Programme.WORK_TRAINING
    assert groups == {f"attendance/{code}": 5, f"weeks/{code}": 10, "progress/work": 5}


def test_a_measure_of_a_group_a_few_members_from_an_earlier_one_is_withheld():
    code = Programme.WORK_TRAINING
    earlier = [{f"attendance/{code}": 20, f"weeks/{code}": 20, "progress/work": 20}]
    # Two more members than in the earlier release: their values would show.
    programme, progress = measures(_measure_tables(report(22, 22, 22), THRESHOLD, earlier))
    assert programme == [None, None, None, None] and progress == [None]
    # The same group, or one at least the threshold larger, is published.
    programme, progress = measures(_measure_tables(report(20, 25, 20), THRESHOLD, earlier))
    assert programme == [81, 10, 13, 20] and progress == [1.2]
