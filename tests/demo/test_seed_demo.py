"""seed_demo: the promised organisations, users, states and casework, deterministic
for a seed on a given day, with working credentials and history."""

import base64
import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max, Min
from django.test import RequestFactory, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Organisation, Role, Unit, User
from casework.models import Assessment, Exit, FollowUp, Goal, ProgressNote, Review, Score
from encryption import keycache
from participants.identity import normalise_identity_number
from participants.models import Participant
from placements.models import Attendance, Placement

# Messages are checked in English; Swedish is covered by tests/test_translations.py.
pytestmark = pytest.mark.usefixtures("english")

PARTICIPANTS = 12
SEED = 7


def seed(tmp_path, *, participants=PARTICIPANTS, seed_value=SEED):
    credentials = tmp_path / "credentials.json"
    call_command(
        "seed_demo",
        participants=participants,
        seed=seed_value,
        credentials=credentials,
        stdout=io.StringIO(),
    )
    return credentials


def digest() -> str:
    """Decrypted names and numbers, coded fields and row counts, independent of ids."""
    participants = list(Participant.objects.all())
    keycache.prefetch(participant.data_key_id for participant in participants)
    people = sorted(
        (
            participant.given_name,
            participant.family_name,
            participant.personal_identity_number,
            participant.gender,
            participant.birth_year,
            participant.education_level,
            participant.labour_market_status,
            participant.municipality,
            participant.has_disability,
            participant.foreign_background,
            participant.newly_arrived,
        )
        for participant in participants
    )
    placements = sorted(
        Placement.objects.values_list(
            "status", "programme", "referred_on", "start_date", "actual_end", "weekdays"
        ),
        key=str,
    )
    counts = [
        model.objects.count()
        for model in (
            Attendance,
            ProgressNote,
            Goal,
            Assessment,
            Score,
            Review,
            Exit,
            FollowUp,
            User,
            Unit,
        )
    ]
    absences = sorted(Attendance.objects.values_list("date", "absence_reason", "attended_hours"))
    payload = repr((people, placements, counts, absences)).encode()
    return hashlib.sha256(payload).hexdigest()


@pytest.fixture
def seeded(db, tmp_path):
    return seed(tmp_path)


def test_organisations_units_and_users(seeded):
    enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    assert enterprises.count() == 3
    assert Organisation.objects.filter(kind=Organisation.Kind.AGENCY).count() == 2
    assert Organisation.objects.filter(kind=Organisation.Kind.FUNDER).count() == 1
    for enterprise in enterprises:
        assert 2 <= enterprise.units.count() <= 4
        assert set(enterprise.memberships.values_list("role", flat=True)) == {
            Role.SUPERVISOR,
            Role.MANAGER,
            Role.AUDITOR,
        }
    for agency in Organisation.objects.filter(kind=Organisation.Kind.AGENCY):
        assert list(agency.memberships.values_list("role", flat=True)) == [Role.CASE_OFFICER]
    funder = Organisation.objects.get(kind=Organisation.Kind.FUNDER)
    assert sorted(funder.memberships.values_list("role", flat=True)) == [Role.ADMIN, Role.ANALYST]
    # One user per role per organisation, and one administrator overall.
    pairs = list(Membership.objects.values_list("organisation_id", "role"))
    assert len(pairs) == len(set(pairs)) == User.objects.count()
    admin = User.objects.get(memberships__role=Role.ADMIN)
    assert admin.is_staff and not admin.is_superuser
    assert admin.has_perm("accounts.change_organisation")
    assert not admin.has_perm("participants.view_participant")


def test_participants_placements_and_casework(seeded):
    assert Participant.objects.count() == PARTICIPANTS
    for participant in Participant.objects.all():
        normalise_identity_number(participant.personal_identity_number)
        assert participant.given_name and participant.family_name
    assert set(Placement.objects.values_list("status", flat=True)) == set(Placement.Status.values)
    span = Attendance.objects.aggregate(first=Min("date"), last=Max("date"))
    assert span["last"] - span["first"] >= timedelta(days=183)
    absences = set(Attendance.objects.values_list("absence_reason", flat=True))
    assert {"", "sick", "holiday"} <= absences
    for attendance in Attendance.objects.select_related("placement"):
        assert attendance.placement.is_scheduled_on(attendance.date)
    assert set(ProgressNote.objects.values_list("visibility", flat=True)) == {
        ProgressNote.Visibility.INTERNAL,
        ProgressNote.Visibility.SHARED,
    }
    assert Goal.objects.exists()
    assert Review.objects.exists()
    assert Assessment.objects.filter(kind=Assessment.Kind.INTAKE).exists()
    assert Assessment.objects.filter(kind=Assessment.Kind.PERIODIC).exists()
    assert Score.objects.count() == 7 * Assessment.objects.count()
    ended = Placement.objects.filter(status=Placement.Status.ENDED)
    assert Exit.objects.count() == ended.count() > 0
    assert FollowUp.objects.count() == 2 * Exit.objects.count()
    assert FollowUp.objects.filter(done_at__isnull=False).exists()


def test_history_rows_name_a_user(seeded):
    for model in (Participant, Placement, Attendance, ProgressNote, Assessment, Exit, FollowUp):
        rows = model.history.all()
        assert rows.count() >= model.objects.count() > 0
        assert not rows.filter(history_user__isnull=True).exists(), model.__name__
    supervisor = User.objects.get(username="falun.supervisor")
    assert Attendance.history.filter(history_user=supervisor).exists()


def test_supervisors_and_case_officers_get_grants(seeded):
    placement = (
        Placement.objects.filter(status=Placement.Status.ACTIVE)
        .select_related("participant")
        .first()
    )
    supervisor = placement.supervisor_assignments.get().supervisor
    assert supervisor.has_perm("placements.view_placement", placement)
    assert supervisor.has_perm("participants.view_participant", placement.participant)


def test_credentials_file_and_passwords(seeded):
    rows = json.loads(seeded.read_text(encoding="utf-8"))
    assert len(rows) == User.objects.count()
    for row in rows:
        assert set(row) == {"username", "password", "role", "organisation", "totp_secret"}
        device = TOTPDevice.objects.get(user__username=row["username"], confirmed=True)
        assert base64.b32decode(row["totp_secret"] + "=" * (-len(row["totp_secret"]) % 8)) == (
            device.bin_key
        )
        assert len(row["password"]) >= 12
        request = RequestFactory().post("/login/")  # django-axes needs the request
        user = authenticate(request, username=row["username"], password=row["password"])
        assert user is not None and user.username == row["username"]
        assert Membership.objects.filter(
            user=user, role=row["role"], organisation__name=row["organisation"]
        ).exists()


@pytest.mark.django_db
def test_same_seed_same_data(tmp_path):
    digests = []
    for run in range(2):
        with transaction.atomic():
            seed(tmp_path / str(run))
            digests.append(digest())
            transaction.set_rollback(True)  # the next run starts from an empty database
    assert Participant.objects.count() == 0
    assert digests[0] == digests[1]
    with transaction.atomic():
        seed(tmp_path / "other", seed_value=SEED + 1)
        assert digest() != digests[0]
        transaction.set_rollback(True)


def test_second_run_changes_nothing(seeded, tmp_path, capsys):
    before = (Participant.objects.count(), User.objects.count())
    call_command("seed_demo", participants=5, credentials=tmp_path / "again.json")
    assert "already present" in capsys.readouterr().out
    assert (Participant.objects.count(), User.objects.count()) == before
    assert not (tmp_path / "again.json").exists()


@pytest.mark.django_db
def test_refuses_in_production(tmp_path):
    with (
        override_settings(DJANGO_ENV="production"),
        pytest.raises(CommandError, match="production"),
    ):
        call_command("seed_demo", participants=1, credentials=tmp_path / "c.json")
    assert not Organisation.objects.exists()
    assert not (tmp_path / "c.json").exists()


def test_show_demo_credentials(seeded, capsys):
    call_command("show_demo_credentials", str(seeded))
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out
    assert "falun.supervisor" in out
    row = json.loads(seeded.read_text(encoding="utf-8"))[0]
    assert row["password"] in out


def test_show_demo_credentials_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No credentials file"):
        call_command("show_demo_credentials", str(tmp_path / "missing.json"))


def test_agreements_and_referrals_waiting(seeded):
    from referrals.models import Agreement, Referral

    agencies = Organisation.objects.filter(kind=Organisation.Kind.AGENCY).count()
    enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).count()
    assert Agreement.objects.count() == agencies * enterprises
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == ["more_information", "sent", "sent"]
    assert Referral.objects.values("enterprise").distinct().count() == 1


def test_last_month_confirmed_and_one_day_disputed(seeded):
    from timesheets.models import TimeConfirmation

    confirmations = TimeConfirmation.objects.all()
    assert confirmations.count() >= 2
    assert confirmations.filter(channel="paper").count() == 1
    assert confirmations.filter(status="disputed", resolution="").count() == 1
