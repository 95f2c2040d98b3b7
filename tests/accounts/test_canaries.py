"""Canaries: an internal note, a health detail and a participant's name never
reach a user who may not read them — in HTML, PDF, CSV, XLSX or export files.

Every URL of the matrix is fetched as every user of ``tests/accounts/matrix.py``;
each user's forbidden canaries (``Scenario.forbidden``) are searched in the
raw bytes, in every deflated PDF stream and in every file of a zip (XLSX).
The positive controls show that the same search finds each canary where it
is allowed, so the test can fail.
"""

import logging
from collections import Counter

import pytest
from django.urls import reverse

from audit.extract import extract_pdf
from participants.services import consent_record
from reports.exports import SheetTable, to_csv, to_xlsx
from tests.accounts import matrix

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet_request_log():
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def scenario(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return matrix.build_scenario()


def _kind(response) -> str:
    content_type = response.get("Content-Type", "").split(";")[0]
    disposition = response.get("Content-Disposition", "")
    for suffix in (".pdf", ".csv", ".xlsx", ".json", ".zip"):
        if suffix in disposition:
            return suffix[1:]
    return {"application/pdf": "pdf", "text/csv": "csv", "text/html": "html"}.get(
        content_type, content_type or "empty"
    )


def _probes(scenario) -> list[tuple[str, str, str, dict]]:
    """Requests with parameters that try to reach participants the user may not see:
    (user, method, url, data). The search terms are not canaries (a page may echo
    the user's own term); the names of the participants found would be."""
    objects = scenario.objects
    participants = reverse("participants:list")
    terms = ["Matrisdottir"] + [objects[key].personal_identity_number for key in ("P1", "P2", "P3")]
    return [
        (user_key, "post", participants, {"q": term})
        for user_key in scenario.users
        for term in terms
    ] + [
        ("manager_a", "get", participants, {"unit": str(objects["UB"].pk)}),
        ("supervisor_a", "get", reverse("placements:list"), {"unit": str(objects["UB"].pk)}),
        ("auditor_a", "get", reverse("audit:events"), {"participant": str(objects["P2"].pk)}),
        ("manager_a", "get", reverse("reports:outcome"), {"period_from": "2020-01"}),
        ("manager_a", "get", participants, {"supervisor": str(scenario.users["supervisor_b"].pk)}),
    ]


def test_no_response_a_user_can_get_holds_a_canary_they_may_not_read(scenario):
    leaks, kinds = [], Counter()
    for case in matrix.cases(scenario):
        for user_key in scenario.users:
            method, response = matrix.fetch(scenario, case, user_key)
            body = matrix.body_bytes(response)
            also = matrix.ALSO_READABLE.get((case.view_name, user_key, case.object_key))
            found = matrix.canaries_in(body, scenario.forbidden(user_key) - (also or frozenset()))
            if found:
                leaks.append((method, case.view_name, case.object_key, user_key, sorted(found)))
            if response.status_code == 200:
                kinds[_kind(response)] += 1
    for user_key, method, url, data in _probes(scenario):
        response = getattr(scenario.client(user_key), method)(url, data)
        found = matrix.canaries_in(matrix.body_bytes(response), scenario.forbidden(user_key))
        if found:
            leaks.append((method.upper(), url, data, user_key, sorted(found)))
    assert leaks == [], "canaries leaked:\n" + "\n".join(map(str, leaks))
    # The walk fetched each kind of document at least once (else the search proved nothing).
    for kind in ("html", "pdf", "csv", "xlsx", "zip"):
        assert kinds[kind] > 0, (kind, kinds)


def _fetch(scenario, user_key: str, view_name: str, **kwargs) -> bytes:
    response = scenario.client(user_key).get(reverse(view_name, kwargs=kwargs))
    assert response.status_code == 200, (view_name, user_key, response.status_code)
    return matrix.body_bytes(response)


def test_allowed_users_see_the_canaries(scenario):
    """Positive controls: where the policy allows, the same search finds each canary."""
    objects = scenario.objects
    p1, p2, p3 = (objects[key].pk for key in ("P1", "P2", "P3"))
    found = matrix.canaries_in
    assert found(
        _fetch(scenario, "manager_a", "participants:detail", participant_id=p1),
        {matrix.NAME_P1, matrix.HEALTH_P1},
    ) == {matrix.NAME_P1, matrix.HEALTH_P1}
    assert found(
        _fetch(scenario, "manager_a", "participants:notes", participant_id=p1),
        {matrix.INTERNAL_P1, matrix.SHARED_P1},
    ) == {matrix.INTERNAL_P1, matrix.SHARED_P1}
    assert found(
        _fetch(scenario, "manager_a", "participants:detail", participant_id=p3),
        {matrix.NAME_P3, matrix.HEALTH_P3},
    ) == {matrix.NAME_P3, matrix.HEALTH_P3}
    assert found(
        _fetch(scenario, "manager_b", "participants:detail", participant_id=p2),
        {matrix.NAME_P2, matrix.HEALTH_P2},
    ) == {matrix.NAME_P2, matrix.HEALTH_P2}
    assert found(
        _fetch(scenario, "manager_b", "participants:notes", participant_id=p2), {matrix.INTERNAL_P2}
    ) == {matrix.INTERNAL_P2}
    assert found(
        _fetch(scenario, "supervisor_a", "participants:notes", participant_id=p1),
        {matrix.INTERNAL_P1},
    ) == {matrix.INTERNAL_P1}
    # The case officer reads the shared note and the goal, not the internal note.
    officer_notes = _fetch(scenario, "case_officer_x", "participants:notes", participant_id=p1)
    assert found(officer_notes, matrix.P1_CANARIES) == {matrix.NAME_P1, matrix.SHARED_P1}
    officer_goals = _fetch(scenario, "case_officer_x", "participants:goals", participant_id=p1)
    assert matrix.GOAL_P1 in found(officer_goals, matrix.P1_CANARIES)
    # The monthly attendance PDF names the participant (uncompressed streams).
    today = scenario.today
    pdf = _fetch(
        scenario,
        "manager_a",
        "placements:attendance_month_pdf",
        placement_id=objects["PL1"].pk,
        year=today.year,
        month=today.month,
    )
    assert pdf.startswith(b"%PDF")
    assert found(pdf, {matrix.NAME_P1}) == {matrix.NAME_P1}


def test_case_officer_sees_health_only_with_consent(scenario):
    """The health canary is withheld for lack of consent, not by accident."""
    objects = scenario.objects
    url = reverse("participants:detail", kwargs={"participant_id": objects["P1"].pk})
    client = scenario.client("case_officer_x")
    assert matrix.HEALTH_P1 not in matrix.canaries_in(client.get(url).content, {matrix.HEALTH_P1})
    consent_record(
        participant=objects["P1"],
        purpose="share_with_agency",
        agency=objects["agency_x"],
        acting_user=scenario.users["manager_a"],
    )
    assert matrix.canaries_in(client.get(url).content, {matrix.HEALTH_P1}) == {matrix.HEALTH_P1}


def test_the_search_reads_compressed_pdfs_zips_and_csv():
    """The scanners find a canary inside a deflated PDF stream, an XLSX and a CSV."""
    canary = matrix.NAME_P2
    pdf = extract_pdf(participant_id="00000000", enterprise_name=canary, lines=[])
    assert b"FlateDecode" in pdf and canary.encode() not in pdf  # only deflated shows it
    assert matrix.canaries_in(pdf, {canary}) == {canary}
    tables = [SheetTable(key="t", title="Table", header=["Enterprise"], rows=[[canary]])]
    xlsx = to_xlsx(tables)
    assert canary.encode() not in xlsx  # compressed: only the unzipped XML shows it
    assert matrix.canaries_in(xlsx, {canary}) == {canary}
    assert matrix.canaries_in(to_csv(tables), {canary}) == {canary}
