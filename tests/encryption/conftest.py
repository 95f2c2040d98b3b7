"""Builders for encryption tests: a record with every encrypted field filled in,
made through the services."""

import io
from base64 import b32encode
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from accounts.models import TOTPSecret
from accounts.services import totp_device_create
from casework.models import FollowUp, Outcome, Review
from casework.services import (
    assessment_record,
    follow_up_record,
    goal_add,
    placement_end,
    progress_note_add,
    review_record,
)
from documents.services import document_upload
from encryption import keycache
from participants.models import Consent
from participants.services import consent_record
from placements.services import (
    AttendanceEntry,
    attendance_record_week,
    placement_pause,
    placement_plan_decide,
    placement_plan_submit,
    placement_plan_update,
    placement_resume,
)
from referrals.services import case_message_post
from tests.documents.files import text_pdf
from tests.factories import UserFactory, make_active_placement, make_participant
from timesheets.services import time_dispute_resolve

START = date(2026, 1, 5)  # a Monday


@dataclass
class FullRecord:
    """One participant with every encrypted field of every model filled in."""

    participant: object
    placement: object
    #: The participant's rows (under the participant's data key, with history).
    rows: list = field(default_factory=list)
    #: Rows encrypted under a data key of their own, without history (a user's TOTP secret).
    own_key_rows: list = field(default_factory=list)
    #: (model label, field name) -> the plaintext written
    values: dict = field(default_factory=dict)
    canaries: list[str] = field(default_factory=list)
    #: Another person's data in the same database (a referral not yet accepted):
    #: encrypted at rest like the record, but not part of the record (it outlives
    #: the record's erasure).
    other_canaries: list[str] = field(default_factory=list)


def build_full_record(
    *, tag: str, enterprise, unit, manager, supervisor, agency, case_officer, instrument
) -> FullRecord:
    """Every encrypted field gets a distinct canary text containing ``tag``."""

    def canary(name: str) -> str:
        return f"Kanarie-{tag}-{name}-åäö"

    pnr = {"A": "19811218-9876", "B": "19850704-1237", "C": "19900101-0017"}.get(tag)
    participant = make_participant(
        organisation=enterprise,
        acting_user=manager,
        given_name=canary("given"),
        family_name=canary("family"),
        phone=canary("phone"),
        email=canary("email"),
        address=canary("address"),
        emergency_contact=canary("emergency"),
        support_needs=canary("support"),
        **({"personal_identity_number": pnr} if pnr else {}),
    )
    record = FullRecord(participant=participant, placement=None)
    for name in (
        "given_name",
        "family_name",
        "phone",
        "email",
        "address",
        "emergency_contact",
        "support_needs",
    ):
        record.values[("participants.Participant", name)] = getattr(participant, name)
    record.values[("participants.Participant", "personal_identity_number")] = (
        participant.personal_identity_number
    )
    digits = participant.personal_identity_number.replace("-", "")
    record.canaries += [digits, digits[2:], participant.personal_identity_number]
    record.canaries += [f"{digits[2:8]}-{digits[8:]}"]

    consent = consent_record(
        participant=participant,
        purpose=Consent.Purpose.PROCESSING,
        acting_user=manager,
        evidence=canary("evidence"),
    )
    record.values[("participants.Consent", "evidence")] = canary("evidence")
    with time_machine.travel(START + timedelta(days=30), tick=False):
        placement = make_active_placement(
            participant=participant,
            unit=unit,
            supervisors=[supervisor],
            acting_user=manager,
            agency=agency,
            case_officer=case_officer,
            start_date=START,
        )
        placement_plan_update(
            placement=placement,
            goals=canary("plan_goals"),
            tasks=canary("plan_tasks"),
            support=canary("plan_support"),
            acting_user=manager,
        )
        placement_plan_submit(placement=placement, acting_user=manager)
        placement_plan_decide(
            placement=placement,
            approve=False,
            acting_user=case_officer,
            comment=canary("plan_comment"),
        )
        for name in ("plan_goals", "plan_tasks", "plan_support", "plan_comment"):
            record.values[("placements.Placement", name)] = canary(name)
        attendance = attendance_record_week(
            unit=unit,
            week_start=START,
            entries=[
                AttendanceEntry(
                    placement_id=placement.pk,
                    date=START,
                    attended_hours=Decimal("4"),
                    note=canary("attendance"),
                )
            ],
            acting_user=supervisor,
        )
        record.values[("placements.Attendance", "note")] = canary("attendance")
        placement_pause(
            placement=placement,
            reason=canary("pause"),
            on=START + timedelta(days=4),
            acting_user=manager,
        )
        placement_resume(placement=placement, on=START + timedelta(days=5), acting_user=manager)
        pause = placement.pauses.get()
        record.values[("placements.PlacementPause", "reason")] = canary("pause")
        note = progress_note_add(
            placement=placement,
            text=canary("note"),
            kind="observation",
            acting_user=supervisor,
            on=START + timedelta(days=1),
        )
        record.values[("casework.ProgressNote", "text")] = canary("note")
        goal = goal_add(placement=placement, text=canary("goal"), acting_user=supervisor)
        record.values[("casework.Goal", "text")] = canary("goal")
        assessment = assessment_record(
            placement=placement,
            instrument=instrument,
            scores={item.code: 5 for item in instrument.items.all()},
            kind="intake",
            acting_user=supervisor,
            on=START + timedelta(days=2),
            comment=canary("assessment"),
        )
        record.values[("casework.Assessment", "comment")] = canary("assessment")
        review = review_record(
            placement=placement,
            summary=canary("review"),
            decision=Review.Decision.CONTINUE,
            acting_user=case_officer,
            on=START + timedelta(days=3),
        )
        record.values[("casework.Review", "summary")] = canary("review")
        exit_record = placement_end(
            placement=placement,
            ended_on=START + timedelta(days=20),
            outcome=Outcome.STUDIES,
            acting_user=manager,
            comment=canary("exit"),
        )
        record.values[("casework.Exit", "comment")] = canary("exit")
    follow_up = FollowUp.objects.filter(exit=exit_record).order_by("due_on").first()
    follow_up_record(
        follow_up=follow_up,
        status_found=FollowUp.Status.values[0],
        acting_user=manager,
        note=canary("follow_up"),
    )
    record.values[("casework.FollowUp", "note")] = canary("follow_up")
    document = document_upload(
        participant=participant,
        file=io.BytesIO(text_pdf()),
        file_name=canary("file") + ".pdf",
        kind="medical_certificate",
        document_date=START,
        description=canary("document"),
        acting_user=manager,
    )
    record.values[("documents.Document", "description")] = canary("document")
    record.values[("documents.Document", "file_name")] = canary("file") + ".pdf"
    record.values[("documents.Document", "file_key")] = document.file_key
    # A user's second factor: its secret is encrypted like the record (hex,
    # as django-otp would have stored it; its base32 form is a canary too).
    secret = canary("totp").encode()[:20].ljust(20, b"#")
    device, secret_base32 = totp_device_create(
        user=UserFactory(username=f"totp-{tag}"),
        confirmed=True,
        secret_base32=b32encode(secret).decode(),
    )
    record.values[("accounts.TOTPSecret", "key")] = secret.hex()
    record.canaries += [secret_base32]
    message = case_message_post(placement=placement, body=canary("message"), acting_user=manager)
    record.values[("referrals.CaseMessage", "body")] = canary("message")
    time_confirmation = _time_confirmation(placement, manager, canary)
    record.values[("timesheets.TimeConfirmation", "comment")] = canary("time")
    record.values[("timesheets.TimeConfirmation", "resolution_comment")] = canary("decision")
    referral, referral_rows = _referral(tag, enterprise, agency, case_officer, record)
    project_placement = _project_placement(enterprise, placement, manager, record, canary)
    record.placement = placement
    record.rows = [participant, consent, placement, *attendance, pause, note, goal, assessment]
    record.rows += [review]
    record.rows += [exit_record, follow_up, document, message, time_confirmation]
    record.rows += [project_placement]
    record.own_key_rows = [TOTPSecret.objects.get(device=device), *referral_rows]
    record.canaries += [
        value for value in record.values.values() if value not in record.other_canaries
    ]
    record.canaries += [f"Kanarie-{tag}"]
    keycache.forget()
    return record


def _time_confirmation(placement, manager, canary):
    """A disputed month, its comment and the manager's decision (both encrypted)."""
    from tests.timesheets.conftest import confirm

    dispute = confirm(
        placement, manager, disputed_days=[START + timedelta(days=1)], comment=canary("time")
    )
    return time_dispute_resolve(
        confirmation=dispute, resolution="kept", comment=canary("decision"), acting_user=manager
    )


def _project_placement(enterprise, placement, manager, record, canary):
    """The placement in a funded project: its special-category answers are encrypted."""
    import uuid

    from audit.history import save_with_history
    from funding.services import ProjectInput, project_create, project_placement_add
    from tests.factories import OrganisationFactory

    tag = uuid.uuid4().hex[:8]  # plain names: no canary in them
    funder = OrganisationFactory(kind="funder", name=f"Finansiär {tag}")
    project = project_create(
        enterprise=enterprise,
        data=ProjectInput(
            kind="esf", name=f"Projekt {tag}", reference=tag, funder=funder, starts_on=START
        ),
        acting_user=manager,
    )
    membership = project_placement_add(
        project=project, placement=placement, joined_on=START, acting_user=manager
    )
    # Canaries in place of the codes, so the raw bytes can be searched for them.
    for name in (
        "disability",
        "foreign_background",
        "third_country_national",
        "minority",
        "homeless",
    ):
        setattr(membership, name, canary(f"pp-{name}"))
        record.values[("funding.ProjectPlacement", name)] = canary(f"pp-{name}")
    save_with_history(membership, user=manager, reason="project entry recorded")
    return membership


def _referral(tag, enterprise, agency, case_officer, record):
    """A referral of another person to the enterprise: encrypted under its own key."""

    def canary(name: str) -> str:
        value = f"Remisskanarie-{tag}-{name}-åäö"
        record.other_canaries.append(value)
        return value

    from participants.models import Gender, LabourMarketStatus
    from referrals.models import Agreement, ReferralMessage
    from referrals.services import ReferralConsentInput, ReferralPerson, referral_create
    from tests.factories import valid_identity_number

    Agreement.objects.get_or_create(agency=agency, enterprise=enterprise, valid_from=START)
    number = valid_identity_number()
    texts = {
        name: canary(f"referral-{name}")
        for name in ("given_name", "family_name", "phone", "email", "reason", "goals", "contact")
    }
    referral = referral_create(
        acting_user=case_officer,
        agency=agency,
        enterprise=enterprise,
        programme="work_training",
        hours_per_week=20,
        wanted_start=START + timedelta(days=400),
        person=ReferralPerson(
            given_name=texts["given_name"],
            family_name=texts["family_name"],
            personal_identity_number=number,
            gender=Gender.MAN,
            labour_market_status=LabourMarketStatus.UNEMPLOYED,
            phone=texts["phone"],
            email=texts["email"],
        ),
        reason=texts["reason"],
        goals=texts["goals"],
        contact=texts["contact"],
        consents=[
            ReferralConsentInput(
                purpose="processing",
                given_at=referral_given_at(),
                evidence=canary("referral-evidence"),
            )
        ],
    )
    for name, value in texts.items():
        record.values[("referrals.Referral", name)] = value
    record.values[("referrals.Referral", "personal_identity_number")] = (
        referral.personal_identity_number
    )
    record.other_canaries.append(referral.personal_identity_number)
    record.values[("referrals.ReferralConsent", "evidence")] = canary("referral-evidence")
    message = ReferralMessage.objects.get(referral=referral)
    message.body = canary("referral-thread")
    message.save()
    record.values[("referrals.ReferralMessage", "body")] = canary("referral-thread")
    return referral, [referral, referral.consents.get(), message]


def referral_given_at():
    from django.utils import timezone

    return timezone.now() - timedelta(days=1)


@pytest.fixture
def record_builder(enterprise, unit, manager, supervisor, agency, case_officer, instrument):
    def build(tag: str) -> FullRecord:
        return build_full_record(
            tag=tag,
            enterprise=enterprise,
            unit=unit,
            manager=manager,
            supervisor=supervisor,
            agency=agency,
            case_officer=case_officer,
            instrument=instrument,
        )

    return build


@pytest.fixture
def full_record(record_builder):
    return record_builder("A")
