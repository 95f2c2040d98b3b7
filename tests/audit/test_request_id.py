"""X-Request-ID: taken from a trusted proxy only, and only as a plain token."""

import re

import pytest

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")
PROXY_ID = "0f2c1b8e9d7a4c3b8e1f2a3b4c5d6e7f"


def request_id(client, incoming: str) -> str:
    return client.get("/login/", headers={"x-request-id": incoming})["X-Request-ID"]


def test_without_a_trusted_proxy_a_clients_request_id_is_replaced(client, settings):
    settings.PROXY_COUNT = 0
    answered = request_id(client, PROXY_ID)
    assert answered != PROXY_ID
    assert GENERATED.fullmatch(answered)


def test_behind_a_trusted_proxy_its_request_id_is_kept(client, settings):
    settings.PROXY_COUNT = 1
    assert request_id(client, PROXY_ID) == PROXY_ID
    assert request_id(client, "7c9e6679-7425-40de-944b-e07fc1f90ae7") == (
        "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    )


@pytest.mark.parametrize(
    "incoming",
    ["", "short", "x" * 65, "has spaces in it", "abc/../../etc", PROXY_ID + "\n", "åäöåäöåäö"],
)
def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, settings, incoming):
    settings.PROXY_COUNT = 1
    answered = request_id(client, incoming)
    assert answered != incoming
    assert GENERATED.fullmatch(answered)
