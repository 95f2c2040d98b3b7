"""The access matrix: every URL × every user × (own enterprise | other enterprise |
no relationship | ended relationship) answers what the access table and the
relationship say, with zero unauthorised 2xx; a hidden object answers the same
404 as a missing one; no person data in URLs.

The scenario and the expectations are in ``tests/accounts/matrix.py``.
"""

import logging
import re
import uuid

import pytest
from django.urls.converters import IntConverter, SlugConverter, UUIDConverter

from desk.urls import IsoDateConverter
from tests.accounts import matrix

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet_request_log():
    # Thousands of expected 403s and 404s; server errors (ERROR) still show.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def scenario(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return matrix.build_scenario()


def test_every_url_every_user_answers_as_the_rule_and_relationship_say(scenario):
    wrong, unauthorised_success, seen = [], [], set()
    counts = {"allowed": 0, 403: 0, 404: 0, "sign-in": 0, "any": 0, "refused": 0}
    all_cases = list(matrix.cases(scenario))
    for case in all_cases:
        for user_key in scenario.users:
            expectation = matrix.expected(scenario, case, user_key)
            method, response = matrix.fetch(scenario, case, user_key)
            seen.add((case.url, user_key))
            counts[expectation] += 1
            row = (method, case.view_name, case.object_key, user_key, response.status_code)
            if not matrix.matches(expectation, response):
                wrong.append((*row, f"expected {expectation}"))
            if matrix.is_unauthorised_success(expectation, response):
                unauthorised_success.append(row)
            location = response.get("Location", "")
            assert not matrix.canaries_in(location.encode(), matrix.ALL_CANARIES), row
    assert unauthorised_success == [], "unauthorised 2xx:\n" + "\n".join(
        map(str, unauthorised_success)
    )
    assert wrong == [], f"{len(wrong)} answers differ from the matrix:\n" + "\n".join(
        map(str, wrong)
    )
    exercised = {
        (case.view_name, user_key, case.object_key)
        for case in all_cases
        for user_key in scenario.users
    }
    stale = set(matrix.EXCEPTIONS) - exercised
    assert stale == set(), f"exceptions for URLs, users or objects that no longer exist: {stale}"
    # Positive controls: the matrix exercised each kind of answer.
    assert all(counts[kind] > 0 for kind in ("allowed", 403, 404, "sign-in")), counts
    print(f"matrix: {len(seen)} URL × user × object cells, {counts}")


def _headers(response) -> dict:
    # The time (Date, Expires: now), the request id and the CSP nonce differ per request.
    varying = {"date", "expires", "x-request-id", "content-security-policy"}
    return {key.lower(): value for key, value in response.items() if key.lower() not in varying}


def test_hidden_object_answers_the_same_404_as_a_missing_one(scenario):
    compared = 0
    different = []
    for case in matrix.cases(scenario):
        if not case.object_key:
            continue
        object_id = str(scenario.objects[case.object_key].pk)
        assert object_id in case.url
        missing_id = str(uuid.uuid4())
        missing_url = case.url.replace(object_id, missing_id)
        for user_key in scenario.users:
            if matrix.expected(scenario, case, user_key) != matrix.HIDDEN:
                continue
            _method, hidden = matrix.fetch(scenario, case, user_key)
            _method, missing = matrix.fetch(
                scenario, matrix.Case(case.view_name, case.rule, missing_url, ""), user_key
            )
            assert missing.status_code == 404, (case.view_name, user_key, missing.status_code)
            hidden_body = matrix.body_bytes(hidden)
            missing_body = matrix.body_bytes(missing)
            assert object_id.encode() not in hidden_body
            assert missing_id.encode() not in missing_body
            if (hidden.status_code, hidden_body, _headers(hidden)) != (
                missing.status_code,
                missing_body,
                _headers(missing),
            ):
                different.append(
                    (
                        case.view_name,
                        case.object_key,
                        user_key,
                        {
                            key: (value, _headers(missing).get(key))
                            for key, value in _headers(hidden).items()
                            if _headers(missing).get(key) != value
                        },
                        hidden_body == missing_body,
                    )
                )
            compared += 1
    assert different == [], f"hidden objects distinguishable from missing ones: {different}"
    # Every kind of object URL had hidden cells to compare.
    assert compared > 100, compared


#: Converters that cannot carry a name or a personal identity number.
SAFE_CONVERTERS = (UUIDConverter, IntConverter, IsoDateConverter, SlugConverter)
#: str/path parameters that are not about a person, and why.
FREE_TEXT_PARAMETERS = {
    "filename": "export files are named by the export service (see the canary test)",
    "object_id": "admin: organisations, units, users, memberships (uuids); no participant model",
    "id": "admin: a user's uuid (password change)",
    "content_type_id": "admin: view on site",
    "app_label": "admin: app index",
    "url": "admin: catch-all that redirects",
}
PERSON_LIKE = re.compile(
    r"name|person|pnr|ssn|identity|birth|email|phone|address|given|family", re.IGNORECASE
)


def test_no_person_data_in_urls(scenario):
    for view_name, _pattern, parameters, _route in matrix.walk():
        for name, converter in parameters.items():
            # "filename": an export's own file name; the reversed URLs are checked below.
            if name != "filename":
                assert not PERSON_LIKE.search(name), f"{view_name}: parameter {name!r}"
            if not isinstance(converter, SAFE_CONVERTERS):
                assert name in FREE_TEXT_PARAMETERS, (
                    f"{view_name}: free-text parameter {name!r} ({type(converter).__name__}); "
                    "use a uuid, a date or a number, or explain it in FREE_TEXT_PARAMETERS"
                )
    identity_numbers = {
        scenario.objects[key].personal_identity_number for key in ("P1", "P2", "P3")
    }
    forms = set()
    for number in identity_numbers:
        digits = re.sub(r"\D", "", number)
        forms |= {number, digits, digits[-10:], f"{digits[2:8]}-{digits[-4:]}"}
    urls = [case.url for case in matrix.cases(scenario)]
    assert len(urls) > 100
    for url in urls:
        assert not matrix.canaries_in(url.encode(), matrix.ALL_CANARIES), url
        assert not any(form in url for form in forms), url
    # The positive control: the check would see a name in a URL.
    assert matrix.canaries_in(f"/deltagare/{matrix.NAME_P1}/".encode(), matrix.ALL_CANARIES)
