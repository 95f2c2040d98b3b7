"""The monthly attendance PDF shows the participant's confirmation of the month."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from placements.selectors import attendance_month_for
from reports.attendance import attendance_month_pdf
from tests.test_swedish_pages import pdf_text
from timesheets.selectors import time_confirmations_of_months
from timesheets.services import time_dispute_resolve

from .conftest import MONTH, confirm, record_week

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 1, 6)


def text_of(placement, user, **kwargs) -> str:
    report = attendance_month_for(user=user, placement_id=placement.pk, year=2026, month=1)
    with translation.override("sv"):
        content = attendance_month_pdf(
            report=report, show_identity=True, generated_by=user, **kwargs
        )
    return "\n".join(pdf_text(content))


def test_a_month_not_confirmed(january, manager):
    text = text_of(january, manager)
    assert "Deltagarens bekräftelse" in text
    assert "Ej bekräftad" in text
    assert "Kontrollkod" in text


def test_a_confirmed_month_says_who_when_and_how(january, supervisor, case_officer):
    confirmation = confirm(january, supervisor)
    text = text_of(january, case_officer)  # the case officer reads the state here
    assert "Bekräftad" in text
    assert "På skärmen, handledare närvarande" in text
    assert supervisor.get_full_name() in text
    assert confirmation.recorded_at.astimezone().strftime("%Y-%m-%d") in text


def test_a_disputed_month_flags_its_days_without_the_comment(january, supervisor, manager):
    confirmation = confirm(january, supervisor, disputed_days=[TUESDAY], comment="Kommentarkanarie")
    text = text_of(january, manager)
    assert "Bestridd" in text
    assert "2026-01-06" in text
    assert "Kommentarkanarie" not in text
    time_dispute_resolve(
        confirmation=confirmation, resolution="kept", comment="Stämmer", acting_user=manager
    )
    assert "Närvaron behållen som registrerad" in text_of(january, manager)


def test_a_change_after_the_confirmation_reads_outdated(january, supervisor, manager):
    confirm(january, supervisor)
    record_week(january, manager, changes={TUESDAY: (0, "sick")})
    assert "Inaktuell – närvaron ändrad efter bekräftelsen" in text_of(january, manager)


def test_a_caller_with_the_months_passes_them_in(january, supervisor, manager):
    confirm(january, supervisor)
    found = time_confirmations_of_months([january], [MONTH])[(january.pk, MONTH)]
    report = attendance_month_for(user=manager, placement_id=january.pk, year=2026, month=1)
    with CaptureQueriesContext(connection) as queries, translation.override("sv"):
        content = attendance_month_pdf(
            report=report, show_identity=False, generated_by=manager, confirmation=found
        )
    assert not [query for query in queries if "timesheets_" in query["sql"]]
    assert "Bekräftad" in "\n".join(pdf_text(content))
