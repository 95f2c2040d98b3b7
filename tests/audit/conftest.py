"""Helpers for the audit tests: events in bulk, raw SQL, triggers switched off."""

import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from audit import triggers
from audit.models import AccessEvent
from tests.accounts.signin_helpers import sign_in
from tests.factories import user_with_role


def make_events(count: int, *, age=timedelta(hours=1), at=None, participant_id=None, **fields):
    """``count`` events written ``age`` ago (older than the sealing lag), or ``at``."""
    when = at or timezone.now() - age
    return AccessEvent.objects.bulk_create(
        [
            AccessEvent(
                occurred_at=when + timedelta(microseconds=index),
                user_id=fields.get("user_id", uuid.uuid4()),
                role=fields.get("role", "manager"),
                organisation_id=fields.get("organisation_id"),
                participant_id=participant_id or uuid.uuid4(),
                section=fields.get("section", "identity"),
                action=fields.get("action", AccessEvent.Action.VIEW),
                ip_address="192.0.2.1",
                request_id=uuid.uuid4().hex,
            )
            for index in range(count)
        ]
    )


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


@contextmanager
def triggers_off():
    """Tamper tests play the attacker who can run SQL: drop the triggers for
    the block and reinstall them (both are DDL inside the test's transaction
    on SQLite and PostgreSQL, so a failure rolls back with the test)."""
    triggers.uninstall(connection)
    try:
        yield
    finally:
        triggers.install(connection)


@pytest.fixture
def auditor_client(client, auditor):
    sign_in(client, auditor)
    return client


@pytest.fixture
def other_auditor(other_enterprise):
    return user_with_role(Role.AUDITOR, other_enterprise, username="other_auditor")
