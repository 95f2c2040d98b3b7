"""Erasure end to end: four eyes, the legal basis, crypto-shredding of every copy,
all-or-nothing, stored files, and released statistics left as they were."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent
from encryption import keycache
from encryption.fields import REGISTRY
from encryption.models import DataKey
from encryption.services import verify_all
from erasure import files, services
from erasure.models import ErasureRequest, RetentionHold
from participants.models import Participant
from participants.services import participant_update
from tests.encryption.test_raw_bytes import all_rows_as_bytes, find_canaries
from tests.factories import OrganisationFactory, make_participant, user_with_role

pytestmark = pytest.mark.django_db


def _request(participant, manager, ground=ErasureRequest.Ground.PARTICIPANT_REQUEST):
    return services.erasure_request(
        participant=participant, ground=ground, note="Asked in writing", acting_user=manager
    )


def _history_canary(record, manager):
    """A value that only a history row holds: written, then overwritten."""
    participant = Participant.objects.get(pk=record.participant.pk)
    old = "Kanarie-history-only-phone"
    participant_update(participant=participant, acting_user=manager, phone=old)
    participant = Participant.objects.get(pk=record.participant.pk)
    participant_update(participant=participant, acting_user=manager, phone="070-123 45 67")
    record.canaries.append(old)
    return old


def _rows_under(data_key_id) -> int:
    return sum(model._base_manager.filter(data_key_id=data_key_id).count() for model in REGISTRY)


def _raw_image() -> bytes:
    if connection.vendor == "sqlite":
        return connection.connection.serialize()
    return all_rows_as_bytes()


def _ciphertexts(data_key_id) -> list[bytes]:
    """Every encrypted value under the key, as stored (live and history rows)."""
    found = []
    for model, fields in REGISTRY.items():
        names = [field.name for field in fields]
        rows = model._base_manager.filter(data_key_id=data_key_id).values_list(*names)
        found += [bytes(value) for row in rows for value in row if value is not None]
    return found


def test_crypto_shredding_canary(record_builder, manager, auditor):
    kept = record_builder("B")
    erased = record_builder("A")
    _history_canary(erased, manager)
    key_id = erased.participant.data_key_id
    wrapped = bytes(DataKey.objects.get(pk=key_id).wrapped)
    ciphertexts = _ciphertexts(key_id)
    assert len(ciphertexts) > 20
    # Before: the rows and their history are there, as ciphertext only.
    assert _rows_under(key_id) > 20
    image = _raw_image()
    assert find_canaries(image, erased.canaries[-12:]) == []  # never plaintext at rest
    assert wrapped in image and ciphertexts[0] in image  # the scan sees stored bytes

    erasure = _request(erased.participant, manager)
    services.erasure_approve(erasure=erasure, acting_user=auditor)

    # After: no row under the key, no key row, no key in the per-thread cache.
    assert _rows_under(key_id) == 0
    assert not DataKey.objects.filter(pk=key_id).exists()
    assert key_id not in keycache._entries()
    assert key_id.int not in keycache._unwrapped()
    image = _raw_image()
    assert wrapped not in image, "the wrapped data key is still in the database"
    left = [value for value in ciphertexts if value in image]
    assert left == [], f"{len(left)} ciphertexts of the erased record are still stored"
    assert find_canaries(image, erased.canaries) == []
    assert not Participant.objects.filter(pk=erased.participant.pk).exists()
    # The other participant still decrypts, and the whole database verifies.
    other = Participant.objects.get(pk=kept.participant.pk)
    assert other.given_name == "Kanarie-B-given-åäö"
    report = verify_all()
    assert report.failures == []
    assert report.shredded == 0  # nothing left under a destroyed key: the rows are gone
    # The access log keeps an erase event with the bare id.
    event = AccessEvent.objects.get(action=AccessEvent.Action.ERASE)
    assert event.participant_id == erased.participant.pk
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.ERASED and erasure.note == ""


def test_sqlite_file_is_scanned_page_by_page(record_builder, manager, auditor):
    """On SQLite the freed pages are overwritten (secure_delete), not just unlinked."""
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite database image; PostgreSQL is scanned column by column")
    erased = record_builder("A")
    key_id = erased.participant.data_key_id
    ciphertexts = _ciphertexts(key_id)
    services.erasure_approve(erasure=_request(erased.participant, manager), acting_user=auditor)
    image = connection.connection.serialize()
    assert [value for value in ciphertexts if value[:40] in image] == []


def test_second_approval_by_the_requester_is_refused(participant, manager, enterprise, english):
    # The requester holds the data-protection officer role too: still refused.
    from accounts.models import Membership

    Membership.objects.create(user=manager, organisation=enterprise, role=Role.AUDITOR)
    manager._current_memberships = None
    erasure = _request(participant, manager)
    with pytest.raises(ValidationError, match="cannot decide on it: a second person must"):
        services.erasure_approve(erasure=erasure, acting_user=manager)
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_the_database_refuses_requester_as_decider(participant, manager):
    erasure = _request(participant, manager)
    erasure.status = ErasureRequest.Status.REJECTED
    erasure.decided_by = manager
    erasure.decided_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        erasure.save()


def test_only_the_data_protection_officer_decides(participant, manager, supervisor, enterprise):
    erasure = _request(participant, manager)
    other_manager = user_with_role(Role.MANAGER, enterprise, username="second_manager")
    for user in (supervisor, other_manager):
        with pytest.raises(PermissionDenied):
            services.erasure_approve(erasure=erasure, acting_user=user)
    other_enterprise = OrganisationFactory(kind="enterprise", name="Another ASF")
    foreign_auditor = user_with_role(Role.AUDITOR, other_enterprise, username="foreign_dpo")
    with pytest.raises(PermissionDenied):
        services.erasure_approve(erasure=erasure, acting_user=foreign_auditor)


def test_only_a_manager_of_the_enterprise_requests(participant, supervisor, auditor):
    for user in (supervisor, auditor):
        with pytest.raises(PermissionDenied):
            _request(participant, user)


def test_an_active_placement_is_refused_with_the_reason(placement, manager, english):
    with pytest.raises(ValidationError, match="placement that has not ended \\(active since"):
        _request(placement.participant, manager)


def test_a_funders_retention_requirement_is_refused_with_its_date(
    participant, manager, funder, english
):
    until = timezone.localdate() + timedelta(days=400)
    services.retention_hold_add(
        participant=participant,
        funder=funder,
        keep_until=until,
        basis="ESF+ project 2024/0012",
        acting_user=manager,
    )
    message = f"must be kept for Region Dalarna until {until.isoformat()}"
    with pytest.raises(ValidationError, match=message):
        _request(participant, manager)


def test_a_requirement_that_came_after_the_request_stops_the_approval(
    participant, manager, auditor, funder, english
):
    erasure = _request(participant, manager)
    RetentionHold.objects.create(
        participant=participant,
        funder=funder,
        keep_until=timezone.localdate() + timedelta(days=10),
        basis="ESF+",
        recorded_by=manager,
    )
    with pytest.raises(ValidationError, match="must be kept for"):
        services.erasure_approve(erasure=erasure, acting_user=auditor)
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_rejection_needs_a_reason_and_keeps_the_record(participant, manager, auditor, english):
    erasure = _request(participant, manager)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.erasure_reject(erasure=erasure, reason=" ", acting_user=auditor)
    services.erasure_reject(erasure=erasure, reason="Funder audit pending", acting_user=auditor)
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.REJECTED and erasure.note == ""
    assert Participant.objects.get(pk=participant.pk).given_name
    with pytest.raises(ValidationError, match="already been decided"):
        services.erasure_approve(erasure=erasure, acting_user=auditor)


def test_one_pending_request_per_record(participant, manager, english):
    _request(participant, manager)
    with pytest.raises(ValidationError, match="already awaiting approval"):
        _request(participant, manager)


def test_interrupted_erasure_leaves_the_record_untouched(
    record_builder, manager, auditor, monkeypatch
):
    record = record_builder("A")
    before = verify_all()
    erasure = _request(record.participant, manager)

    class Killed(BaseException):
        """Stands for the process dying between the live rows and the history rows."""

    def die():
        raise Killed

    monkeypatch.setattr(services, "_midway_hook", die)
    with pytest.raises(Killed):
        services.erasure_approve(erasure=erasure, acting_user=auditor)
    keycache.forget()
    participant = Participant.objects.get(pk=record.participant.pk)
    assert participant.given_name == "Kanarie-A-given-åäö"
    assert DataKey.objects.get(pk=participant.data_key_id).destroyed_at is None
    after = verify_all()
    assert after.failures == [] and after.values == before.values
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.ERASE).exists()


def test_stored_files_are_deleted_after_the_erasure(
    participant, manager, auditor, tmp_path, django_capture_on_commit_callbacks
):
    mine, theirs = tmp_path / "own-copy.pdf", tmp_path / "someone-else.pdf"
    mine.write_bytes(b"%PDF package")
    theirs.write_bytes(b"%PDF other")

    def collector(participant_id):
        return [mine] if participant_id == participant.pk else [theirs]

    files.register(collector)
    try:
        erasure = _request(participant, manager)
        with django_capture_on_commit_callbacks() as callbacks:
            services.erasure_approve(erasure=erasure, acting_user=auditor)
        assert mine.exists()  # deleted only once the erasure has committed
        assert len(callbacks) == 1
        callbacks[0]()
    finally:
        files.unregister(collector)
    assert not mine.exists() and theirs.exists()
    erasure.refresh_from_db()
    assert erasure.pending_files == [] and erasure.files_removed_at is not None


def test_a_collector_that_fails_stops_the_erasure(participant, manager, auditor):
    def broken(participant_id):
        raise OSError("storage offline")

    files.register(broken)
    try:
        with pytest.raises(OSError, match="storage offline"):
            services.erasure_approve(erasure=_request(participant, manager), acting_user=auditor)
    finally:
        files.unregister(broken)
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_a_file_left_behind_is_deleted_by_the_sweep(participant, manager, auditor, tmp_path):
    stored = tmp_path / "export.csv"
    stored.write_bytes(b"x")
    files.register(collector := lambda participant_id: [stored])
    try:
        erasure = _request(participant, manager)
        services.erasure_approve(erasure=erasure, acting_user=auditor)  # on-commit never runs
    finally:
        files.unregister(collector)
    assert stored.exists()
    assert services.files_sweep() == 0
    assert not stored.exists()


def test_released_statistics_do_not_change(
    settings, tmp_path, record_builder, manager, auditor, enterprise
):
    from reports.models import ReportExport
    from reports.service import export_produce

    settings.EXPORTS_ROOT = tmp_path / "exports"
    record = record_builder("A")
    make_participant(organisation=enterprise, acting_user=manager)
    export = ReportExport.objects.create(
        created_by=manager,
        created_role=Role.MANAGER,
        parameters={
            "period": "2026-01:2026-02",
            "organisation_ids": [str(enterprise.pk)],
            "threshold": 3,  # the smallest a release allows (reports.Release)
            "rounding": False,
        },
    )
    export_produce(export=export)
    export.refresh_from_db()
    folder = settings.EXPORTS_ROOT / str(export.pk)

    def digests():
        return {
            name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in export.files
        }

    before = digests()
    assert before
    services.erasure_approve(erasure=_request(record.participant, manager), acting_user=auditor)
    assert digests() == before
    assert ReportExport.objects.get(pk=export.pk).status == ReportExport.Status.DONE


def test_erased_participants_appear_nowhere(record_builder, manager, auditor, login, client):
    record = record_builder("A")
    pnr = record.participant.personal_identity_number
    services.erasure_approve(erasure=_request(record.participant, manager), acting_user=auditor)
    login(manager)
    detail = client.get(reverse("participants:detail", args=[record.participant.pk]))
    assert detail.status_code == 404
    pages = [
        client.get(reverse("home")),
        client.get(reverse("participants:list")),
        client.post(reverse("participants:list"), {"q": pnr}),
        client.get(reverse("placements:list")),
        client.get(reverse("erasure:retention")),
    ]
    # The search box shows the term searched for; nothing else may hold a value.
    not_searched = [canary for canary in record.canaries if not canary[:1].isdigit()]
    for page in pages:
        assert page.status_code == 200
        assert find_canaries(page.content, not_searched) == []
    assert pages[2].context["page"].paginator.count == 0


@pytest.mark.parametrize("who", ["supervisor", "auditor", "other_manager"])
def test_retention_services_refuse_users_who_do_not_manage_the_enterprise(
    who, request, participant, funder, manager
):
    user = request.getfixturevalue(who)
    today = timezone.localdate()
    calls = [
        lambda: services.retention_extend(
            participant=participant,
            due_on=today,
            until=today + timedelta(days=9),
            reason="x",
            acting_user=user,
        ),
        lambda: services.retention_confirm(participant=participant, due_on=today, acting_user=user),
        lambda: services.retention_hold_add(
            participant=participant, funder=funder, keep_until=today, basis="x", acting_user=user
        ),
        lambda: services.retention_policy_update(
            organisation=participant.organisation,
            years_after_end=1,
            years_without_placement=1,
            acting_user=user,
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not ErasureRequest.objects.exists() and not RetentionHold.objects.exists()
