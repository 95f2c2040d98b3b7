"""The demo data set: fictional social enterprises in Dalarna, their people and casework.

Everything is generated; no real person or organisation record is in it. Phone
numbers come from the range PTS reserves for fiction (070-174 06 05 – 99), email
addresses use example.org.

Determinism: the random choices come from ``random.Random(seed)`` and a Faker
(``sv_SE``) instance seeded with the same seed, and every date is placed
relative to *today*, so the demo always has running placements, recent
attendance and follow-ups coming due. The same seed on the same day therefore
gives the same data set (ids, timestamps and ciphertexts differ: they are
random by design); on another day the dates move with the calendar.

Rows are written through the bulk paths (``demo.bulk``), a few hundred
participants at a time, with the services' own checks, so history, data keys
and validation are the same as in production.
"""

import base64
import string
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from random import Random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum import luhn

from accounts.models import Membership, Organisation, Role, Unit, User
from accounts.services import totp_device_create
from audit.history import bulk_create_tracked, save_with_history
from casework.due import add_months
from casework.models import Assessment, FollowUp, Goal, ProgressNote, Review
from casework.services import DEFAULT_AREAS, instrument_ensure_default
from participants.identity import normalise_identity_number
from participants.models import Consent, Gender, Participant
from participants.services import ParticipantInput, consent_template_save
from placements.models import Attendance, Placement, PlacementPause, Programme
from placements.services import AttendanceEntry
from referrals.models import Agreement
from referrals.services import ReferralPerson, referral_create, referral_request_information
from timesheets.models import TimeConfirmation
from timesheets.selectors import attendance_digest, control_code, month_end
from timesheets.services import time_confirmation_record

from .bulk import (
    AssessmentInput,
    ExitInput,
    FollowUpFinding,
    GoalInput,
    ProgressNoteInput,
    ReviewInput,
    assessment_bulk_create,
    attendance_bulk_create,
    consent_bulk_create,
    exit_bulk_create,
    goal_bulk_create,
    participant_bulk_create,
    placement_bulk_create,
    progress_note_bulk_create,
    review_bulk_create,
)
from .catalogue import (
    AGE_BANDS,
    AGENCIES,
    ASSESSMENT_COMMENTS,
    CONSENT_WORDINGS,
    COUNTY,
    EDUCATION,
    ENTERPRISES,
    EXIT_COMMENTS,
    FOREIGN_FAMILY,
    FOREIGN_GIVEN_MEN,
    FOREIGN_GIVEN_WOMEN,
    FUNDER,
    GENDERS,
    GOALS,
    LABOUR_MARKET,
    NOTE_KINDS,
    NOTES,
    OUTCOMES,
    PAUSE_REASONS,
    PLAN_GOALS,
    PLAN_SUPPORT,
    PLAN_TASKS,
    POSTCODE_PREFIX,
    PROGRAMMES,
    REFERRAL_REASONS,
    REVIEWS,
    SCHEDULES,
    STATUSES,
    SUPPORT_NEEDS,
    EnterpriseSpec,
)
from .projects import build_funded_projects

DEFAULT_PARTICIPANTS = 60
DEFAULT_SEED = 2026
CHUNK = 500
PROGRESS_EVERY = 1000
ADMIN_GROUP = "Systemadministratörer"


@dataclass
class DemoCredential:
    username: str
    password: str
    role: str
    organisation: str
    totp_secret: str | None = None


@dataclass
class DemoStaff:
    """The seeded users of one organisation, by role."""

    organisation: Organisation
    users: dict


# --- small helpers -------------------------------------------------------------


def _weighted(rng: Random, table):
    values = [value for value, _weight in table]
    weights = [weight for _value, weight in table]
    return rng.choices(values, weights=weights)[0]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum())


def _fiction_phone(rng: Random) -> str:
    # PTS sets 070-174 06 05 to 070-174 06 99 aside for use in fiction.
    return f"070-174 06 {rng.randint(5, 99):02d}"


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _weekdays_between(first: date, last: date, weekdays: str):
    day = first
    while day <= last:
        if str(day.isoweekday()) in weekdays:
            yield day
        day += timedelta(days=1)


def demo_exists() -> bool:
    return Organisation.objects.filter(
        kind=Organisation.Kind.ENTERPRISE, name=ENTERPRISES[0].name
    ).exists()


def _password(rng: Random, user: User) -> str:
    """A 16-character password from the seeded generator that the validators accept."""
    alphabet = "".join(char for char in string.ascii_letters + string.digits if char not in "0O1lI")
    while True:
        password = "".join(rng.choice(alphabet) for _ in range(16))
        if not any(char.isdigit() for char in password) or password.isdigit():
            continue
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


# --- the generator -------------------------------------------------------------


class DemoBuilder:
    def __init__(self, *, participants: int, seed: int, today: date, progress: Callable) -> None:
        self.count = participants
        # Deterministic on purpose (demo passwords included): never used outside the demo.
        self.seed = seed
        self.rng = Random(seed)  # noqa: S311
        self.consent_rng = Random(seed + 21)  # noqa: S311
        self.fake = Faker("sv_SE")
        self.fake.seed_instance(seed)
        self.today = today
        self.yesterday = today - timedelta(days=1)
        self.progress = progress
        self.credentials: list[DemoCredential] = []
        self.identity_numbers: set[str] = set()
        self.enterprises: list[tuple[EnterpriseSpec, Organisation, list[Unit]]] = []
        self.staff: dict[str, DemoStaff] = {}
        self.agencies: list[tuple[Organisation, float]] = []
        self.instrument = None
        self.paused_on: dict = {}
        self.forced: set = set()

    # --- organisations and users ---------------------------------------------
    def _user(self, *, slug: str, role: str, organisation: Organisation, admin: User | None):
        username = "admin" if role == Role.ADMIN else f"{slug}.{role}"
        female = self.rng.random() < 0.5
        user = User(
            username=username,
            first_name=self.fake.first_name_female() if female else self.fake.first_name_male(),
            last_name=self.fake.last_name(),
            email=f"{username}@example.org",
            is_staff=role == Role.ADMIN,
            is_superuser=False,
        )
        password = _password(self.rng, user)
        user.set_password(password)
        user.save()
        # A confirmed authenticator, so demo users can sign in at once; the
        # secret goes to the credentials file for an app or a script.
        seeded_key = bytes(self.rng.getrandbits(8) for _ in range(20))
        _device, totp_secret = totp_device_create(
            user=user,
            confirmed=True,
            secret_base32=base64.b32encode(seeded_key).decode("ascii"),
        )
        # Seeded in force (approved): the four-eyes approval is for real access.
        membership = Membership(
            user=user,
            organisation=organisation,
            role=role,
            active_from=date(2020, 1, 1),
            approved_at=timezone.now(),
        )
        save_with_history(membership, user=admin or user, reason="demo data: membership")
        self.credentials.append(
            DemoCredential(
                username=username,
                password=password,
                role=role,
                organisation=organisation.name,
                totp_secret=totp_secret,
            )
        )
        self.staff.setdefault(slug, DemoStaff(organisation, {})).users[role] = user
        return user

    def build_organisations(self) -> None:
        funder = Organisation.objects.create(
            kind=Organisation.Kind.FUNDER,
            name=FUNDER[1],
            municipality=FUNDER[2],
            county=COUNTY,
        )
        # The region hosts the shared installation, so the administrator sits there.
        admin = self._user(slug=FUNDER[0], role=Role.ADMIN, organisation=funder, admin=None)
        self._admin_permissions(admin)
        self._user(slug=FUNDER[0], role=Role.ANALYST, organisation=funder, admin=admin)
        for spec in ENTERPRISES:
            enterprise = Organisation.objects.create(
                kind=Organisation.Kind.ENTERPRISE,
                name=spec.name,
                municipality=spec.municipality,
                county=COUNTY,
            )
            enterprise.statistics_shared_with.add(funder)
            units = Unit.objects.bulk_create(
                [
                    Unit(organisation=enterprise, name=name, trade=trade)
                    for name, trade in spec.units
                ]
            )
            for role in (Role.MANAGER, Role.SUPERVISOR, Role.AUDITOR):
                self._user(slug=spec.slug, role=role, organisation=enterprise, admin=admin)
            self.enterprises.append((spec, enterprise, units))
        for slug, name, municipality, share in AGENCIES:
            agency = Organisation.objects.create(
                kind=Organisation.Kind.AGENCY, name=name, municipality=municipality, county=COUNTY
            )
            self._user(slug=slug, role=Role.CASE_OFFICER, organisation=agency, admin=admin)
            self.agencies.append((agency, share))
        self.admin = admin
        self.funder = funder
        self.instrument = instrument_ensure_default(acting_user=admin)
        for purpose, (title, wording) in CONSENT_WORDINGS.items():
            consent_template_save(purpose=purpose, title=title, wording=wording, acting_user=admin)

    def _admin_permissions(self, admin: User) -> None:
        """The administrator manages organisations, users and instruments, not casework."""
        group, _created = Group.objects.get_or_create(name=ADMIN_GROUP)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["accounts", "casework", "participants", "referrals"],
                content_type__model__in=[
                    "user",
                    "organisation",
                    "unit",
                    "membership",
                    "instrument",
                    "item",
                    "consenttemplate",
                    "agreement",
                ],
                codename__regex=r"^(add|change|view)_",
            )
        )
        admin.groups.add(group)

    # --- participants --------------------------------------------------------
    def _identity_number(self, birth: date, gender: str, coordination: bool) -> str:
        while True:
            day = birth.day + (60 if coordination else 0)
            serial = self.rng.randrange(1, 1000)
            if gender == Gender.WOMAN:
                serial -= serial % 2  # even third digit: registered as a woman
            elif gender == Gender.MAN:
                serial |= 1
            serial = max(serial, 2)
            stem = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
            number = f"{birth.year}{birth.month:02d}{day:02d}-{serial:03d}"
            number += luhn.calc_check_digit(stem)
            normalised = normalise_identity_number(number)
            if normalised not in self.identity_numbers:
                self.identity_numbers.add(normalised)
                return number

    def _participant_input(self, spec: EnterpriseSpec) -> ParticipantInput:
        rng, fake = self.rng, self.fake
        gender = _weighted(rng, GENDERS)
        low, high = _weighted(rng, AGE_BANDS)
        age = rng.randint(low, high)
        birth = self.today - timedelta(days=365 * age + rng.randint(0, 364) + age // 4)
        foreign = rng.random() < 0.35
        newly_arrived = foreign and rng.random() < 0.35
        coordination = newly_arrived and rng.random() < 0.3
        female = gender == Gender.WOMAN or (gender != Gender.MAN and rng.random() < 0.5)
        if foreign and rng.random() < 0.7:
            given = rng.choice(FOREIGN_GIVEN_WOMEN if female else FOREIGN_GIVEN_MEN)
            family = rng.choice(FOREIGN_FAMILY)
        else:
            given = fake.first_name_female() if female else fake.first_name_male()
            family = fake.last_name()
        municipality = rng.choice(spec.home_municipalities)
        postcode = f"{POSTCODE_PREFIX[municipality]} {rng.randint(30, 99)}"
        education = _weighted(rng, EDUCATION)
        if rng.random() < 0.75:
            email = f"{_ascii(given)}.{_ascii(family)}{rng.randint(1, 99)}@example.org"
        else:
            email = ""
        emergency = (
            f"{fake.first_name()} {family}, {_fiction_phone(rng)}" if rng.random() < 0.7 else ""
        )
        return ParticipantInput(
            given_name=given,
            family_name=family,
            personal_identity_number=self._identity_number(birth, gender, coordination),
            gender=gender,
            birth_year=birth.year,
            labour_market_status=_weighted(rng, LABOUR_MARKET),
            education_level=education,
            municipality=municipality,
            phone=_fiction_phone(rng),
            email=email,
            address=f"{fake.street_address()}\n{postcode} {municipality}",
            emergency_contact=emergency,
            support_needs=rng.choice(SUPPORT_NEEDS),
            has_disability=rng.random() < 0.35,
            foreign_background=foreign,
            newly_arrived=newly_arrived,
            protected_identity=rng.random() < 0.01,
        )

    # --- placements ----------------------------------------------------------
    def _placement(self, participant: Participant, units: list[Unit], status: str, forced: bool):
        rng, today = self.rng, self.today
        agency_roll = rng.random()
        agency = None
        threshold = 0.0
        for candidate, share in self.agencies:
            threshold += share
            if agency_roll < threshold:
                agency = candidate
                break
        case_officer = self._case_officer(agency) if agency else None
        weekdays, daily = _weighted(rng, SCHEDULES)
        placement = Placement(
            participant=participant,
            data_key_id=participant.data_key_id,
            programme=_weighted(rng, PROGRAMMES),
            referring_organisation=agency,
            case_officer=case_officer,
            hours_per_week=Decimal(daily * len(weekdays)),
            weekdays=weekdays,
            status=status,
        )
        if status == Placement.Status.REFERRED:
            placement.referred_on = today - timedelta(days=rng.randint(1, 30))
            placement.proposed_start = today + timedelta(days=rng.randint(7, 35))
            return placement
        placement.unit = rng.choice(units)
        placement.plan_goals = rng.choice(PLAN_GOALS)
        placement.plan_tasks = rng.choice(PLAN_TASKS)
        placement.plan_support = rng.choice(PLAN_SUPPORT)
        if status == Placement.Status.PLANNED:
            placement.referred_on = today - timedelta(days=rng.randint(10, 45))
            placement.proposed_start = today + timedelta(days=rng.randint(3, 30))
            if agency and rng.random() < 0.6:
                placement.plan_status = Placement.PlanStatus.SUBMITTED
                placement.plan_submitted_at = _at(today - timedelta(days=rng.randint(1, 7)), 10)
            return placement
        if status == Placement.Status.ACTIVE:
            start = today - timedelta(days=240 if forced else rng.randint(14, 240))
        elif status == Placement.Status.PAUSED:
            start = today - timedelta(days=rng.randint(60, 240))
            self.paused_on[placement.pk] = today - timedelta(days=rng.randint(7, 40))
        else:
            start = today - timedelta(days=400 if forced else rng.randint(90, 420))
            length = 150 if forced else rng.randint(45, 210)
            placement.actual_end = min(start + timedelta(days=length), self.yesterday)
        if forced:
            self.forced.add(placement.pk)
        placement.start_date = start
        placement.referred_on = start - timedelta(days=rng.randint(7, 40))
        placement.proposed_start = start
        planned_end = add_months(start, rng.choice((6, 6, 9, 12)))
        while status != Placement.Status.ENDED and planned_end < today:
            planned_end = add_months(planned_end, 3)
        placement.planned_end = planned_end
        if case_officer is not None:
            placement.plan_status = Placement.PlanStatus.APPROVED
            placement.plan_submitted_at = _at(start - timedelta(days=6), 9)
            placement.plan_decided_at = _at(start - timedelta(days=3), 14)
            placement.plan_decided_by = case_officer
        return placement

    def _case_officer(self, agency: Organisation) -> User:
        for staff in self.staff.values():
            if staff.organisation == agency:
                return staff.users[Role.CASE_OFFICER]
        raise LookupError(agency)

    def _last_day(self, placement: Placement) -> date | None:
        """The last day with casework: the end, the day before a pause, or yesterday."""
        if placement.start_date is None:
            return None
        if placement.actual_end is not None:
            return placement.actual_end
        if placement.pk in self.paused_on:
            return self.paused_on[placement.pk] - timedelta(days=1)
        return self.yesterday

    # --- attendance ----------------------------------------------------------
    def _attendance(self, placement: Placement, last: date) -> list[AttendanceEntry]:
        rng = self.rng
        sick_rate = rng.uniform(0.02, 0.14)
        summer_start = rng.choice((27, 28, 29))
        daily = placement.daily_hours
        half = (daily / 2).quantize(Decimal("0.5"))
        entries = []
        sick_spell = 0
        for day in _weekdays_between(placement.start_date, last, placement.weekdays):
            week = day.isocalendar()[1]
            reason, attended = "", daily
            if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day <= 6):
                reason, attended = Attendance.AbsenceReason.HOLIDAY, Decimal(0)
            elif summer_start <= week < summer_start + 3:
                reason, attended = Attendance.AbsenceReason.HOLIDAY, Decimal(0)
            else:
                roll = rng.random()
                if sick_spell > 0 or roll < sick_rate:
                    sick_spell = sick_spell - 1 if sick_spell > 0 else rng.randint(0, 3)
                    reason, attended = Attendance.AbsenceReason.SICK, Decimal(0)
                elif roll < sick_rate + 0.02:
                    reason, attended = Attendance.AbsenceReason.VALID_LEAVE, Decimal(0)
                elif roll < sick_rate + 0.035:
                    reason, attended = Attendance.AbsenceReason.INVALID, Decimal(0)
                elif roll < sick_rate + 0.11:
                    attended = half  # left early or came late
            entries.append(
                AttendanceEntry(
                    placement_id=placement.pk,
                    date=day,
                    attended_hours=attended,
                    absence_reason=reason,
                    planned_hours=daily,
                )
            )
        return entries

    # --- casework ------------------------------------------------------------
    def _notes(self, placement: Placement, last: date, staff: DemoStaff, out: dict) -> None:
        rng = self.rng
        day = placement.start_date + timedelta(days=rng.randint(1, 10))
        while day <= last:
            kind = _weighted(rng, NOTE_KINDS)
            author = staff.users[Role.MANAGER if rng.random() < 0.2 else Role.SUPERVISOR]
            visibility = (
                ProgressNote.Visibility.SHARED
                if placement.case_officer_id and rng.random() < 0.4
                else ProgressNote.Visibility.INTERNAL
            )
            out.setdefault(author, []).append(
                ProgressNoteInput(
                    placement=placement,
                    on=day,
                    kind=kind,
                    text=rng.choice(NOTES[kind]),
                    visibility=visibility,
                )
            )
            day += timedelta(days=rng.randint(10, 24))

    def _goals(self, placement: Placement, last: date | None, out: list) -> None:
        rng = self.rng
        begin = placement.start_date or placement.proposed_start
        for text in rng.sample(GOALS, rng.randint(2, 3)):
            target = begin + timedelta(days=rng.randint(60, 180))
            status, achieved = Goal.Status.OPEN, None
            if last is not None:
                roll = rng.random()
                done = placement.status == Placement.Status.ENDED
                if roll < (0.45 if done else 0.2) and last > placement.start_date:
                    status = Goal.Status.ACHIEVED
                    span = (last - placement.start_date).days
                    achieved = placement.start_date + timedelta(days=rng.randint(1, span))
                elif roll < (0.65 if done else 0.25):
                    status = Goal.Status.DROPPED
                elif roll < 0.8:
                    status = Goal.Status.IN_PROGRESS
            out.append(
                GoalInput(
                    placement=placement,
                    text=text,
                    target_date=target,
                    status=status,
                    achieved_on=achieved,
                )
            )

    def _assessments(self, placement: Placement, last: date, out: list) -> None:
        rng = self.rng
        baseline = {area.code: rng.randint(2, 6) for area in DEFAULT_AREAS}
        monthly_gain = rng.uniform(0.0, 0.6)
        days = [min(placement.start_date + timedelta(days=rng.randint(0, 10)), last)]
        while days[-1] + timedelta(days=90) <= last:
            days.append(days[-1] + timedelta(days=90))
        ended = placement.status == Placement.Status.ENDED
        if ended and days[-1] < last:
            days.append(last)
        for position, day in enumerate(days):
            months = (day - placement.start_date).days / 30
            scores = {
                code: max(1, min(10, round(start + monthly_gain * months + rng.uniform(-1, 1))))
                for code, start in baseline.items()
            }
            if position == 0:
                kind = Assessment.Kind.INTAKE
            elif ended and position == len(days) - 1:
                kind = Assessment.Kind.EXIT
            else:
                kind = Assessment.Kind.PERIODIC
            out.append(
                AssessmentInput(
                    placement=placement,
                    on=day,
                    kind=kind,
                    scores=scores,
                    comment=rng.choice(ASSESSMENT_COMMENTS),
                )
            )

    def _reviews(self, placement: Placement, last: date, out: dict) -> None:
        rng = self.rng
        day = placement.start_date + timedelta(days=42)
        ended = placement.status == Placement.Status.ENDED
        while day <= last:
            next_day = day + timedelta(days=90)
            final = ended and next_day > last
            decision = (
                Review.Decision.END
                if final
                else (
                    Review.Decision.CHANGE_PLAN if rng.random() < 0.15 else Review.Decision.CONTINUE
                )
            )
            out.setdefault(placement.case_officer, []).append(
                ReviewInput(
                    placement=placement,
                    on=day,
                    summary=rng.choice(REVIEWS),
                    decision=decision,
                    next_review_on=None if final else next_day,
                )
            )
            day = next_day

    def _exit(self, placement: Placement, staff: DemoStaff) -> ExitInput:
        rng = self.rng
        outcome = _weighted(rng, OUTCOMES)
        findings = []
        now = timezone.now()
        forced = placement.pk in self.forced
        for kind, due in (
            (FollowUp.Kind.DAY_28, placement.actual_end + timedelta(days=28)),
            (FollowUp.Kind.MONTH_6, add_months(placement.actual_end, 6)),
        ):
            done_at = _at(due + timedelta(days=rng.randint(0, 14)), 10)
            if due > self.today or done_at > now or (rng.random() > 0.85 and not forced):
                continue
            if rng.random() < 0.7:
                found = (
                    outcome if outcome in FollowUp.Status.values else FollowUp.Status.NOT_REACHED
                )
            else:
                found = rng.choice(FollowUp.Status.values)
            findings.append(
                FollowUpFinding(
                    kind=kind,
                    status_found=found,
                    done_at=done_at,
                    done_by=staff.users[Role.MANAGER],
                    note="Uppföljning per telefon.",
                )
            )
        return ExitInput(
            placement=placement,
            outcome=outcome,
            comment=rng.choice(EXIT_COMMENTS),
            findings=tuple(findings),
        )

    # --- the whole set -------------------------------------------------------
    def build_participants(self) -> None:
        rng = self.rng
        # Every state appears even in a small demo: the first five are fixed,
        # and the first active and ended ones reach far enough back for six
        # months of attendance and both follow-ups.
        fixed = [
            Placement.Status.ENDED,
            Placement.Status.ACTIVE,
            Placement.Status.PAUSED,
            Placement.Status.PLANNED,
            Placement.Status.REFERRED,
        ]
        plan = []
        for position in range(self.count):
            enterprise_index = (
                position % len(self.enterprises)
                if position < len(fixed)
                else rng.choices(
                    range(len(self.enterprises)),
                    weights=[spec.share for spec, _org, _units in self.enterprises],
                )[0]
            )
            status = fixed[position] if position < len(fixed) else _weighted(rng, STATUSES)
            plan.append((enterprise_index, status, position < 2))
        done = 0
        for enterprise_index, (spec, enterprise, units) in enumerate(self.enterprises):
            mine = [(status, forced) for index, status, forced in plan if index == enterprise_index]
            for offset in range(0, len(mine), CHUNK):
                chunk = mine[offset : offset + CHUNK]
                self._build_chunk(spec, enterprise, units, chunk)
                before, done = done, done + len(chunk)
                if done // PROGRESS_EVERY > before // PROGRESS_EVERY or done == self.count:
                    self.progress(f"{done}/{self.count}")

    def _build_chunk(self, spec, enterprise, units, chunk) -> None:
        staff = self.staff[spec.slug]
        manager, supervisor = staff.users[Role.MANAGER], staff.users[Role.SUPERVISOR]
        records = [self._participant_input(spec) for _status in chunk]
        participants = participant_bulk_create(
            organisation=enterprise, records=records, acting_user=manager
        )
        placements = [
            self._placement(participant, units, status, forced)
            for participant, (status, forced) in zip(participants, chunk, strict=True)
        ]
        supervisors = {
            placement.pk: [supervisor] for placement in placements if placement.start_date
        }
        placement_bulk_create(placements=placements, supervisors=supervisors, acting_user=manager)
        # Each paused placement's pause, with its reason (not drawn from the random
        # sequence, so the rest of the demo stays what the seed made before pauses).
        pauses = [
            PlacementPause(
                placement=placement,
                data_key_id=placement.data_key_id,
                paused_on=self.paused_on[placement.pk],
                reason=PAUSE_REASONS[index % len(PAUSE_REASONS)],
                paused_by=manager,
            )
            for index, placement in enumerate(placements)
            if placement.pk in self.paused_on
        ]
        bulk_create_tracked(pauses, user=manager, reason="placement paused")
        attendance: list[AttendanceEntry] = []
        notes: dict = {}
        goals: list[GoalInput] = []
        assessments: list[AssessmentInput] = []
        reviews: dict = {}
        exits: list[ExitInput] = []
        for placement in placements:
            last = self._last_day(placement)
            if placement.status != Placement.Status.REFERRED:
                self._goals(placement, last, goals)
            if last is None or last < placement.start_date:
                continue
            attendance.extend(self._attendance(placement, last))
            self._notes(placement, last, staff, notes)
            self._assessments(placement, last, assessments)
            if placement.case_officer_id:
                self._reviews(placement, last, reviews)
            if placement.status == Placement.Status.ENDED:
                exits.append(self._exit(placement, staff))
        attendance_bulk_create(placements=placements, entries=attendance, acting_user=supervisor)
        for author, author_notes in notes.items():
            progress_note_bulk_create(records=author_notes, acting_user=author)
        goal_bulk_create(records=goals, acting_user=supervisor)
        assessment_bulk_create(
            instrument=self.instrument, records=assessments, acting_user=supervisor
        )
        for case_officer, officer_reviews in reviews.items():
            review_bulk_create(records=officer_reviews, acting_user=case_officer)
        exit_bulk_create(records=exits, acting_user=manager)
        consent_bulk_create(consents=self._consents(placements), acting_user=manager)

    def _consents(self, placements: list[Placement]) -> list[Consent]:
        """Consents as they are given at intake, some withdrawn since (their own random
        stream, so the rest of the demo stays as it was)."""
        rng = self.consent_rng
        consents: list[Consent] = []
        for placement in placements:
            given = (placement, placement.referred_on, consents)
            self._consent(*given, Consent.Purpose.PROCESSING)
            if placement.referring_organisation is not None and rng.random() < 0.7:
                self._consent(
                    *given,
                    Consent.Purpose.SHARE_WITH_AGENCY,
                    withdraw_share=0.15,
                    agency=placement.referring_organisation,
                )
            if rng.random() < 0.5:
                self._consent(
                    *given,
                    Consent.Purpose.SHARE_WITH_FUNDER,
                    withdraw_share=0.1,
                    funder=self.funder,
                    recipient_system="SUS",
                )
            if rng.random() < 0.4:
                self._consent(*given, Consent.Purpose.MEDIA, withdraw_share=0.25)
            if rng.random() < 0.8:
                self._consent(*given, Consent.Purpose.CONTACT_AFTER_EXIT, withdraw_share=0.05)
        return consents

    def _consent(
        self, placement, given_on: date, out: list, purpose: str, *, withdraw_share=0.0, **recipient
    ) -> None:
        rng = self.consent_rng
        withdrawn_at = None
        if rng.random() < withdraw_share and given_on < self.yesterday:
            days = (self.yesterday - given_on).days
            withdrawn_at = _at(given_on + timedelta(days=rng.randint(1, days)), 15)
        participant = placement.participant
        out.append(
            Consent(
                participant=participant,
                data_key_id=participant.data_key_id,
                purpose=purpose,
                given_at=_at(given_on, 10),
                withdrawn_at=withdrawn_at,
                evidence=f"Undertecknad blankett, akt {rng.randint(1000, 9999)}",
                **recipient,
            )
        )

    # --- referrals from agencies ----------------------------------------------
    def build_referrals(self) -> None:
        """Every agency has an agreement with every enterprise; the first enterprise has
        two referrals waiting and one where it asked for more information."""
        rng = Random(self.rng.random())  # noqa: S311 (demo data, deterministic)
        for agency, _share in self.agencies:
            for _spec, enterprise, _units in self.enterprises:
                Agreement.objects.create(
                    agency=agency,
                    enterprise=enterprise,
                    valid_from=date(2020, 1, 1),
                    reference=f"Avtal {agency.municipality} {enterprise.municipality}",
                )
        spec, enterprise, units = self.enterprises[0]
        manager = self.staff[spec.slug].users[Role.MANAGER]
        asks = (False, False, True)
        for number, asked in enumerate(asks):
            agency = self.agencies[number % len(self.agencies)][0]
            case_officer = self._case_officer(agency)
            person = self._participant_input(spec)
            referral = referral_create(
                acting_user=case_officer,
                agency=agency,
                enterprise=enterprise,
                unit=units[number % len(units)],
                programme=rng.choice(
                    [Programme.WORK_TRAINING, Programme.VOCATIONAL_REHABILITATION]
                ),
                decision_number=f"{agency.name[:2].upper()}-{self.today.year}-{1000 + number}",
                hours_per_week=rng.choice([10, 15, 20]),
                wanted_start=self.today + timedelta(days=14 + 7 * number),
                wanted_end=self.today + timedelta(days=14 + 7 * number + 182),
                person=ReferralPerson(
                    given_name=person.given_name,
                    family_name=person.family_name,
                    personal_identity_number=person.personal_identity_number,
                    gender=person.gender,
                    labour_market_status=person.labour_market_status,
                    phone=person.phone,
                    email=person.email,
                ),
                reason=rng.choice(REFERRAL_REASONS),
                goals=rng.choice(PLAN_GOALS),
                contact=f"{case_officer.get_full_name()}, {_fiction_phone(rng)}",
            )
            if asked:
                referral_request_information(
                    referral=referral,
                    acting_user=manager,
                    message="Hur många timmar per dag orkar personen i början?",
                )

    def build_time_confirmations(self) -> None:
        """Last month's time confirmed by participants of running placements (at most
        six): the first disputes a day (waiting for its manager's decision), the second
        signed the paper sheet, the others confirmed on screen (docs/attendance.md)."""
        month = (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        last_day = month_end(month)
        managers = {
            enterprise.pk: self.staff[spec.slug].users[Role.MANAGER]
            for spec, enterprise, _units in self.enterprises
        }
        placements = Placement.objects.filter(
            status=Placement.Status.ACTIVE, start_date__lt=month
        ).select_related("participant")
        number = 0
        for placement in placements.order_by("start_date", "pk"):
            rows = list(
                Attendance.objects.filter(
                    placement=placement, date__range=(month, last_day)
                ).values_list("date", "planned_hours", "attended_hours", "absence_reason")
            )
            if not rows or number == 6:
                continue
            digest = attendance_digest(rows)
            paper, disputed = number == 1, number == 0
            time_confirmation_record(
                placement=placement,
                month=month,
                channel=(
                    TimeConfirmation.Channel.PAPER if paper else TimeConfirmation.Channel.ON_SCREEN
                ),
                seen=control_code(digest) if paper else digest,
                disputed_days=[rows[0][0]] if disputed else [],
                comment="Jag var där hela dagen, inte som det står." if disputed else "",
                acting_user=managers[placement.participant.organisation_id],
            )
            number += 1


def seed_demo(
    *,
    participants: int = DEFAULT_PARTICIPANTS,
    seed: int = DEFAULT_SEED,
    today: date,
    progress: Callable[[str], None] = lambda message: None,
) -> list[DemoCredential]:
    """Create the demo data set in one transaction; returns the demo users' credentials."""
    if settings.DJANGO_ENV == "production":
        raise RuntimeError("The demo data set is never created in production.")
    builder = DemoBuilder(participants=participants, seed=seed, today=today, progress=progress)
    with transaction.atomic():
        builder.build_organisations()
        builder.build_participants()
        builder.build_referrals()
        build_funded_projects(builder)
        builder.build_time_confirmations()
    return builder.credentials


def credentials_as_json(credentials: list[DemoCredential]) -> list[dict]:
    return [asdict(credential) for credential in credentials]
