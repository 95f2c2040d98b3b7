"""Every history change reason a service writes is shown in Swedish.

A reason is stored as a fixed English phrase and shown through
``audit.reasons.reason_label``; a phrase missing from ``KNOWN`` would reach the
history pages and the access extract in English.
"""

import re
from pathlib import Path

import pytest
from django.utils import translation

from audit.reasons import KNOWN, PREFIXES, reason_label
from casework.models import Goal
from referrals.models import ReferralMessage
from timesheets.models import TimeConfirmation

ROOT = Path(__file__).resolve().parents[2]
NOT_PRODUCT = {"tests", "bench", "migrations", ".venv", "var", "node_modules", "build"}
LITERAL = re.compile(r'\breason="([^"]+)"')
FORMATTED = re.compile(r'\breason=f"([^"]+)"')

#: The reasons built with an f-string, each with every value it can take. A new
#: f-string reason fails ``test_every_formatted_reason_is_enumerated`` until added.
FORMATTED_REASONS = {
    "referral {kind}": [f"referral {kind}" for kind in ReferralMessage.Kind.values],
    "{reason} ({channel})": [
        f"{reason} ({channel})"
        for reason in ("time confirmed", "time disputed")
        for channel in TimeConfirmation.Channel.values
    ],
    "time dispute resolved ({resolution})": [
        f"time dispute resolved ({resolution})" for resolution in TimeConfirmation.Resolution.values
    ],
    "goal {status}": [f"goal {status}" for status in Goal.Status.values],
    # The prefix is translated; what follows is the user's own free text.
    "attendance cleared: {clear_reason}": [],
}


def product_sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if not parts & NOT_PRODUCT:
            yield path


def literal_reasons() -> set[str]:
    found = set()
    for path in product_sources():
        found.update(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def is_known(reason: str) -> bool:
    if reason in KNOWN:
        return True
    prefix, separator, rest = reason.partition(": ")
    return bool(separator) and prefix in PREFIXES and rest in KNOWN


def test_the_scan_finds_the_services_reasons():
    found = literal_reasons()
    assert len(found) > 30
    assert {"placement started", "referral sent", "message posted"} <= found


def test_every_formatted_reason_is_enumerated():
    found = set()
    for path in product_sources():
        found.update(FORMATTED.findall(path.read_text(encoding="utf-8")))
    assert found == set(FORMATTED_REASONS)


@pytest.mark.parametrize(
    "reason",
    sorted(literal_reasons() | {r for rs in FORMATTED_REASONS.values() for r in rs}),
)
def test_each_reason_is_known_and_shown_in_swedish(reason):
    assert is_known(reason), f"add {reason!r} to audit.reasons.KNOWN and translate it"
    with translation.override("sv"):
        assert reason_label(reason) != reason
