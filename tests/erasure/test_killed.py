"""An erasure whose process is killed half-way (SIGKILL, after the live rows are
deleted and before their history) leaves the record untouched.

Runs on PostgreSQL: the second process needs a database it can open, and the
SQLite test database is in memory. On SQLite the same interruption is simulated
in-process (test_erasure.test_interrupted_erasure_leaves_the_record_untouched).
"""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from encryption import keycache
from encryption.models import DataKey
from encryption.services import verify_all
from erasure import services
from erasure.models import ErasureRequest
from participants.models import Participant

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a second process opens the test database; SQLite's is in memory",
)

SCRIPT = """
import os, signal, django
django.setup()
from accounts.models import User
from erasure import services
from erasure.models import ErasureRequest

services._midway_hook = lambda: os.kill(os.getpid(), signal.SIGKILL)
services.erasure_approve(
    erasure=ErasureRequest.objects.get(pk=os.environ["ERASURE_ID"]),
    acting_user=User.objects.get(pk=os.environ["APPROVER_ID"]),
)
"""


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_killed_erasure_leaves_the_record_untouched(record_builder, manager, auditor):
    record = record_builder("A")
    before = verify_all()
    erasure = services.erasure_request(
        participant=record.participant, ground="participant_request", acting_user=manager
    )
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": url,
        "ERASURE_ID": str(erasure.pk),
        "APPROVER_ID": str(auditor.pk),
    }
    process = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
        capture_output=True,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()[-2000:]
    keycache.forget()
    participant = Participant.objects.get(pk=record.participant.pk)
    assert participant.given_name == "Kanarie-A-given-åäö"
    assert participant.placements.count() == 1
    assert DataKey.objects.get(pk=participant.data_key_id).destroyed_at is None
    after = verify_all()
    assert after.failures == [] and after.values == before.values
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    # And the erasure then runs to the end.
    services.erasure_approve(erasure=erasure, acting_user=auditor)
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert verify_all().failures == []
