"""One rule for what falls due (casework.due): the answers, and no second copy."""

import re
from datetime import date
from pathlib import Path

import pytest

from casework.due import (
    DueState,
    due_state,
    follow_up_due_dates,
    is_overdue,
    review_due_on,
)

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 5, 10)


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (None, None),
        (date(2026, 5, 9), DueState.OVERDUE),
        (date(2026, 5, 10), DueState.SOON),
        (date(2026, 5, 17), DueState.SOON),
        (date(2026, 5, 18), None),
    ],
)
def test_due_state(due_on, expected):
    assert due_state(due_on, today=TODAY) == expected
    assert is_overdue(due_on, today=TODAY) == (expected == DueState.OVERDUE)


def test_review_due_on():
    start, last, next_on = date(2026, 1, 1), date(2026, 3, 1), date(2026, 4, 1)
    assert review_due_on(next_review_on=next_on, last_review_on=last, start_date=start) == next_on
    assert review_due_on(next_review_on=None, last_review_on=last, start_date=start) == date(
        2026, 5, 30
    )
    assert review_due_on(next_review_on=None, last_review_on=None, start_date=start) == date(
        2026, 4, 1
    )
    assert review_due_on(next_review_on=None, last_review_on=None, start_date=None) is None


def test_follow_up_due_dates():
    assert sorted(follow_up_due_dates(exit_on=date(2026, 8, 31)).values()) == [
        date(2026, 9, 28),
        date(2027, 2, 28),
    ]


#: What would be a second copy of the rule: the intervals, or a comparison of a
#: due date with a day, written outside casework/due.py.
SECOND_COPY = re.compile(
    r"REVIEW_INTERVAL_DAYS\s*=|REVIEW_DUE_WITHIN_DAYS\s*=|FOLLOW_UP_DUE_WITHIN_DAYS\s*="
    r"|FOLLOW_UP_DAYS\s*=|DUE_SOON_DAYS\s*=|next_review_on__lte|review_base__lte"
    r"|(?<!\w)due_on__lte?\b|planned_end__lte?\b"
    r"|review_due_on\s*<|due_on\s*<\s*today|planned_end\s*<\s*today"
)
SCANNED = ("accounts", "casework", "desk", "notifications", "placements", "reports", "referrals")


def test_the_due_rule_has_one_home():
    offenders = []
    for app in SCANNED:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "casework" / "due.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SECOND_COPY.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
