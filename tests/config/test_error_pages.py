"""Error pages carry no traceback and no personal data (DEBUG is off outside development)."""

import pytest
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def failing_view(request):
    # Not a name the test data's Faker can produce: a family name alone becomes a
    # canary of the session-wide log check (tests/conftest.py) when a test leaves
    # the given name empty, and this message does reach the error log.
    raise RuntimeError("Canary Qxzwbyson 19850101-1234 support needs")


urlpatterns = [path("boom/", failing_view, name="boom"), *project_urlpatterns]


@pytest.mark.urls("tests.config.test_error_pages")
@pytest.mark.django_db
def test_server_error_page_shows_no_traceback_or_data(settings):
    from config.access import ACCESS_TABLE, Rule

    settings.DEBUG = False
    ACCESS_TABLE["boom"] = Rule(public=True, description="test only")
    try:
        client = Client(raise_request_exception=False)
        response = client.get("/boom/")
    finally:
        del ACCESS_TABLE["boom"]
    assert response.status_code == 500
    body = response.content.decode()
    assert "Canary" not in body
    assert "19850101-1234" not in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body


def test_production_profile_turns_debug_off():
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.config.test_production import production_env

    result = subprocess.run(  # noqa: S603 - our own settings module
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; "
            "django.setup(); print(settings.DEBUG)",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env={**production_env(), "DJANGO_DEBUG": "1", "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
