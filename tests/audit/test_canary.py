"""No name, personnummer or note text reaches an audit table or the log."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audit.events import record_access
from audit.sealing import seal_pending, verify_chain
from audit.triggers import TABLES
from casework.services import progress_note_add
from tests.accounts.signin_helpers import sign_in
from tests.factories import make_active_placement, make_participant, valid_identity_number

pytestmark = pytest.mark.django_db

GIVEN, FAMILY, NOTE = "Kanariefågel", "Xyzzyson", "Kanarietext hemlig anteckning"


def dump_audit_tables() -> str:
    text = []
    with connection.cursor() as cursor:
        for table in (*TABLES, "audit_purgeflag"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            for row in cursor.fetchall():
                text.extend(
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, bytes | memoryview)
                    else str(value)
                    for value in row
                )
    return "\n".join(text)


def test_no_canary_in_audit_tables_or_logs(
    client, rf, caplog, enterprise, unit, manager, supervisor, auditor
):
    caplog.set_level(logging.DEBUG)
    number = valid_identity_number(1984)
    participant = make_participant(
        organisation=enterprise,
        acting_user=manager,
        given_name=GIVEN,
        family_name=FAMILY,
        personal_identity_number=number,
    )
    placement = make_active_placement(
        participant=participant, unit=unit, supervisors=[supervisor], acting_user=manager
    )
    progress_note_add(placement=placement, kind="observation", text=NOTE, acting_user=supervisor)
    request = rf.get("/", {"q": GIVEN})
    request.user = manager
    record_access(request, action="search", section="identity", result_count=1)
    record_access(request, action="view", participant_id=participant.pk, section="identity")

    sign_in(client, manager)
    for name, kwargs in [
        ("participants:detail", {"participant_id": participant.pk}),
        ("participants:notes", {"participant_id": participant.pk}),
        ("placements:detail", {"placement_id": placement.pk}),
        ("participants:list", {}),
    ]:
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        client.get(url, {"q": GIVEN} if not kwargs else {})
    client.logout()
    sign_in(client, auditor)
    client.get(reverse("audit:events"), {"participant": str(participant.pk)})
    client.get(reverse("audit:participant_history", args=[participant.pk]))
    extract = client.get(reverse("audit:participant_extract", args=[participant.pk]))
    seal_pending(now=timezone.now() + timedelta(minutes=5))
    assert verify_chain().ok

    canaries = [GIVEN, FAMILY, NOTE, number, number.replace("-", ""), number[2:]]
    dumped = dump_audit_tables()
    assert str(participant.pk.hex) in dumped or str(participant.pk) in dumped  # not vacuous
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'exc_text', '')}"
        for record in caplog.records
    )
    for canary in canaries:
        assert canary not in dumped, f"canary {canary!r} in an audit table"
        assert canary not in logged, f"canary {canary!r} in the log"
        assert canary.encode() not in extract.content
