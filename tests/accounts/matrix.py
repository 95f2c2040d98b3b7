"""The access matrix: a scenario built through the services, the URLconf walked,
kwargs built for every pattern, and the status each user should get.

Used by ``test_matrix.py`` (statuses, identical 404s, no person data in URLs)
and ``test_canaries.py`` (no forbidden text in any response a user can get).

Relationships of the scenario (``Scenario.related``): object key → users who
may use it. A user whose role is in the URL's rule but who is not related to
the object gets 404; a role outside the rule gets 403; anonymous gets the
sign-in page. Exceptions, each with a reason, are in ``EXCEPTIONS``.
"""

import base64
import io
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import Membership, Organisation, Role, User
from accounts.reauth import REAUTH_AT
from casework.models import FollowUp, ProgressNote
from casework.services import (
    assessment_record,
    goal_add,
    instrument_ensure_default,
    placement_end,
    progress_note_add,
)
from config.access import Rule, rule_for
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import notify
from placements.services import AttendanceEntry, attendance_record_week, membership_end
from referrals.selectors import referral_url
from reports.models import ReportExport
from reports.scope import Period
from reports.service import export_produce
from tests.accounts.signin_helpers import sign_in
from tests.accounts.test_access_table import walk as access_table_walk
from tests.factories import (
    OrganisationFactory,
    UnitFactory,
    make_active_placement,
    make_participant,
    user_with_role,
)

# --- Canaries: distinctive text that must never reach a user who may not read it ------
# Plain ASCII letters and digits: HTML escaping, CSV quoting and PDF string
# encoding leave them as they are, so a byte search finds them.
NAME_P1 = "Kanarieettnamn"
NAME_P2 = "Kanarietvanamn"
NAME_P3 = "Kanarietrenamn"
NAME_P4 = "Kanariefyranamn"
INTERNAL_P1 = "Internkanarie1note"
INTERNAL_P2 = "Internkanarie2note"
INTERNAL_P3 = "Internkanarie3note"
INTERNAL_P4 = "Internkanarie4note"
SHARED_P1 = "Delatkanarie1note"
SHARED_P2 = "Delatkanarie2note"
HEALTH_P1 = "Halsokanarie1detalj"
HEALTH_P2 = "Halsokanarie2detalj"
HEALTH_P3 = "Halsokanarie3detalj"
HEALTH_P4 = "Halsokanarie4detalj"
GOAL_P1 = "Malkanarie1text"
#: A person referred by case officer X to enterprise A, not yet accepted.
NAME_R1 = "Kanarieremissnamn"
REASON_R1 = "Remisskanarie1skal"
ALL_CANARIES = frozenset(
    {
        NAME_P1,
        NAME_P2,
        NAME_P3,
        INTERNAL_P1,
        INTERNAL_P2,
        INTERNAL_P3,
        SHARED_P1,
        SHARED_P2,
        HEALTH_P1,
        HEALTH_P2,
        HEALTH_P3,
        GOAL_P1,
        NAME_P4,
        INTERNAL_P4,
        HEALTH_P4,
        NAME_R1,
        REASON_R1,
    }
)
P1_CANARIES = frozenset({NAME_P1, INTERNAL_P1, SHARED_P1, HEALTH_P1, GOAL_P1})
P2_CANARIES = frozenset({NAME_P2, INTERNAL_P2, SHARED_P2, HEALTH_P2})
P3_CANARIES = frozenset({NAME_P3, INTERNAL_P3, HEALTH_P3})
P4_CANARIES = frozenset({NAME_P4, INTERNAL_P4, HEALTH_P4})
#: The referral: its sender and the enterprise's manager read it, nobody else.
R1_CANARIES = frozenset({NAME_R1, REASON_R1})

#: What each user may read; every other canary is forbidden to them.
READABLE: dict[str, frozenset[str]] = {
    "manager_a": P1_CANARIES | P3_CANARIES | P4_CANARIES | R1_CANARIES,
    "supervisor_a": P1_CANARIES,
    # A former supervisor in the grace period reads the record and the notes, not health.
    "supervisor_a_grace": frozenset({NAME_P4, INTERNAL_P4}),
    # The case officer: identity, shared notes and goals; no internal notes, and
    # no health details without the participant's consent to share with the agency.
    "case_officer_x": frozenset({NAME_P1, SHARED_P1, GOAL_P1}) | R1_CANARIES,
    "manager_b": P2_CANARIES,
    "supervisor_b": P2_CANARIES,
    # The auditor reads the names of their organisation's participants in the access
    # log, the change history and the access extract; each name shown is itself an
    # access event (tests/audit/test_review_names.py). No content beyond the name.
    "auditor_a": frozenset({NAME_P1, NAME_P3, NAME_P4}),
}

#: (view name, user key, object key) → canaries that one response may hold beyond
#: READABLE, with the reason. The data-protection officer (auditor) reads no record,
#: but the copy of a participant's data they produced is that record, for handing over.
ALSO_READABLE: dict[tuple[str, str, str], frozenset[str]] = {
    ("participants:subject_copy_download", "auditor_a", "SC2"): P1_CANARIES,
}


@dataclass
class Scenario:
    users: dict[str, User | None]
    objects: dict[str, object]
    #: object key → user keys related to it (may use it where the role allows).
    related: dict[str, frozenset[str]]
    #: user key → how the test client signs in: "verified", "password_only", "anonymous".
    sign_in: dict[str, str]
    today: date
    clients: dict[str, Client] = field(default_factory=dict)
    devices: dict[str, object] = field(default_factory=dict)

    def client(self, user_key: str) -> Client:
        if user_key not in self.clients:
            self.clients[user_key] = self.fresh_client(user_key)
        return self.clients[user_key]

    def fresh_client(self, user_key: str) -> Client:
        client = Client()
        how = self.sign_in[user_key]
        if how == "verified" and user_key not in self.devices:
            self.devices[user_key] = sign_in(client, self.users[user_key])
        elif how == "verified":
            # Signed out by a POST: the same device again (admin URLs name it by pk).
            client.force_login(self.users[user_key])
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = self.devices[user_key].persistent_id
            session.save()
        elif how == "password_only":
            client.force_login(self.users[user_key])
        self.clients[user_key] = client
        return client

    def forbidden(self, user_key: str) -> frozenset[str]:
        return ALL_CANARIES - READABLE.get(user_key, frozenset())


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def build_scenario() -> Scenario:
    """Two enterprises, two agencies, a funder, one user per role and relationship.

    Everything person-related goes through the services, so grants, history
    and encryption are real. The caller points ``EXPORTS_ROOT`` at a temporary folder.
    """
    today = timezone.localdate()
    grace = settings.SUPERVISOR_READ_GRACE_DAYS
    kind = Organisation.Kind
    enterprise_a = OrganisationFactory(kind=kind.ENTERPRISE, name="Matrisen A ek för")
    enterprise_b = OrganisationFactory(kind=kind.ENTERPRISE, name="Matrisen B ek för")
    agency_x = OrganisationFactory(kind=kind.AGENCY, name="Agency X")
    agency_y = OrganisationFactory(kind=kind.AGENCY, name="Agency Y")
    funder = OrganisationFactory(kind=kind.FUNDER, name="Funder F")
    enterprise_a.statistics_shared_with.add(funder)
    enterprise_b.statistics_shared_with.add(funder)
    unit_a = UnitFactory(organisation=enterprise_a, name="Unit A")
    unit_b = UnitFactory(organisation=enterprise_b, name="Unit B")

    users = {
        "manager_a": user_with_role(Role.MANAGER, enterprise_a, username="m_manager_a"),
        "supervisor_a": user_with_role(Role.SUPERVISOR, enterprise_a, username="m_supervisor_a"),
        "supervisor_a_none": user_with_role(
            Role.SUPERVISOR, enterprise_a, username="m_supervisor_a_none"
        ),
        "supervisor_a_ended": user_with_role(
            Role.SUPERVISOR, enterprise_a, username="m_supervisor_a_ended"
        ),
        "supervisor_a_grace": user_with_role(
            Role.SUPERVISOR, enterprise_a, username="m_supervisor_a_grace"
        ),
        "auditor_a": user_with_role(Role.AUDITOR, enterprise_a, username="m_auditor_a"),
        "manager_b": user_with_role(Role.MANAGER, enterprise_b, username="m_manager_b"),
        "supervisor_b": user_with_role(Role.SUPERVISOR, enterprise_b, username="m_supervisor_b"),
        "case_officer_x": user_with_role(Role.CASE_OFFICER, agency_x, username="m_officer_x"),
        "case_officer_y": user_with_role(Role.CASE_OFFICER, agency_y, username="m_officer_y"),
        "analyst_f": user_with_role(Role.ANALYST, funder, username="m_analyst_f"),
        "admin": user_with_role(Role.ADMIN, enterprise_a, username="m_admin", is_staff=True),
        "former_manager_a": user_with_role(
            Role.MANAGER, enterprise_a, username="m_former_manager_a"
        ),
        "anonymous": None,
    }
    manager_a, manager_b = users["manager_a"], users["manager_b"]
    users["manager_a_no_second_factor"] = manager_a

    def participant(organisation, acting_user, given_name, health):
        return make_participant(
            organisation=organisation,
            acting_user=acting_user,
            given_name=given_name,
            family_name="Matrisdottir",
            support_needs=f"Needs quiet work. {health}",
            phone="070-000 00 00",
        )

    p1 = participant(enterprise_a, manager_a, NAME_P1, HEALTH_P1)
    p2 = participant(enterprise_b, manager_b, NAME_P2, HEALTH_P2)
    p3 = participant(enterprise_a, manager_a, NAME_P3, HEALTH_P3)
    p4 = participant(enterprise_a, manager_a, NAME_P4, HEALTH_P4)

    start = monday(today) - timedelta(weeks=8)
    pl1 = make_active_placement(
        participant=p1,
        unit=unit_a,
        supervisors=[users["supervisor_a"]],
        acting_user=manager_a,
        start_date=start,
        agency=agency_x,
        case_officer=users["case_officer_x"],
    )
    pl2 = make_active_placement(
        participant=p2,
        unit=unit_b,
        supervisors=[users["supervisor_b"]],
        acting_user=manager_b,
        start_date=start,
    )
    ended_on = today - timedelta(days=grace + 10)
    pl3 = make_active_placement(
        participant=p3,
        unit=unit_a,
        supervisors=[users["supervisor_a_ended"]],
        acting_user=manager_a,
        start_date=monday(ended_on) - timedelta(weeks=12),
    )
    # Ended a few days ago: its supervisor reads (only) in the grace period.
    pl4 = make_active_placement(
        participant=p4,
        unit=unit_a,
        supervisors=[users["supervisor_a_grace"]],
        acting_user=manager_a,
        start_date=start,
    )

    instrument = instrument_ensure_default(acting_user=manager_a)
    scores = {item.code: 5 for item in instrument.items.all()}
    notes = [
        (pl1, users["supervisor_a"], INTERNAL_P1, ProgressNote.Visibility.INTERNAL),
        (pl1, users["supervisor_a"], SHARED_P1, ProgressNote.Visibility.SHARED),
        (pl2, users["supervisor_b"], INTERNAL_P2, ProgressNote.Visibility.INTERNAL),
        (pl2, users["supervisor_b"], SHARED_P2, ProgressNote.Visibility.SHARED),
        (pl3, manager_a, INTERNAL_P3, ProgressNote.Visibility.INTERNAL),
        (pl4, users["supervisor_a_grace"], INTERNAL_P4, ProgressNote.Visibility.INTERNAL),
    ]
    for placement, author, text, visibility in notes:
        progress_note_add(
            placement=placement,
            text=f"Observed at work. {text}",
            kind=ProgressNote.Kind.OBSERVATION,
            visibility=visibility,
            on=placement.start_date + timedelta(days=1),
            acting_user=author,
        )
    goal_1 = goal_add(placement=pl1, text=f"Work a full day. {GOAL_P1}", acting_user=manager_a)
    goal_2 = goal_add(placement=pl2, text="Work a full day.", acting_user=manager_b)
    for placement, author in ((pl1, users["supervisor_a"]), (pl2, users["supervisor_b"])):
        assessment_record(
            placement=placement,
            instrument=instrument,
            scores=scores,
            kind="intake",
            on=placement.start_date,
            acting_user=author,
        )
        attendance_record_week(
            unit=placement.unit,
            week_start=placement.start_date,
            entries=[
                AttendanceEntry(
                    placement_id=placement.pk,
                    date=placement.start_date + timedelta(days=offset),
                    attended_hours=Decimal(4),
                )
                for offset in range(5)
            ],
            acting_user=author,
        )
    exit_3 = placement_end(
        placement=pl3, ended_on=ended_on, outcome="employed", acting_user=manager_a
    )
    follow_up_3 = FollowUp.objects.filter(exit=exit_3).order_by("due_on").first()
    exit_4 = placement_end(
        placement=pl4, ended_on=today - timedelta(days=3), outcome="studies", acting_user=manager_a
    )
    follow_up_4 = FollowUp.objects.filter(exit=exit_4).order_by("due_on").first()

    documents = documents_for_matrix(p1, p2, manager_a, manager_b)

    admin_permissions(users["admin"])
    former = Membership.objects.get(user=users["former_manager_a"])
    membership_end(membership=former, ended_on=today - timedelta(days=1), acting_user=manager_a)

    period = Period.from_months(f"{today.year}-01", f"{today:%Y-%m}")
    exports = {}
    for key, role in (("export_manager_a", Role.MANAGER), ("export_analyst_f", Role.ANALYST)):
        owner = users[key.removeprefix("export_")]
        export = ReportExport.objects.create(
            created_by=owner,
            created_role=role,
            anonymised=True,
            parameters={
                "period": period.code,
                "organisation_ids": [str(enterprise_a.pk)],
                "threshold": 5,
                "rounding": False,
            },
        )
        export_produce(export=export)
        export.refresh_from_db()
        exports[key] = export

    consents, copies = consents_and_copies(users, p1, p2, manager_a, manager_b)

    # An erasure awaiting the data-protection officer (P3's placement has ended).
    from erasure.services import erasure_request

    erasure_p3 = erasure_request(
        participant=p3, ground="participant_request", acting_user=manager_a
    )

    referral_r1 = referral_for_matrix(agency_x, enterprise_a, users["case_officer_x"])
    funding = funding_for_matrix(enterprise_a, enterprise_b, funder, pl1, manager_a, manager_b)

    # A notification each for the manager and the case officer, about the referral: a
    # notification is its recipient's own, so everyone else gets 404.
    notifications = {}
    for key, user_key, kind in (
        ("N1", "manager_a", Kind.REFERRAL_RECEIVED),
        ("N2", "case_officer_x", Kind.REFERRAL_ANSWERED),
    ):
        notify(kind=kind, recipients=[users[user_key]], url=referral_url(referral_r1))
        notifications[key] = Notification.objects.filter(recipient=users[user_key]).latest("pk")

    objects = {
        **funding,
        "R1": referral_r1,
        **notifications,
        **consents,
        **copies,
        "ER3": erasure_p3,
        "P1": p1,
        "P2": p2,
        "P3": p3,
        "P4": p4,
        "PL1": pl1,
        "PL2": pl2,
        "PL3": pl3,
        "PL4": pl4,
        "UA": unit_a,
        "UB": unit_b,
        "G1": goal_1,
        "G2": goal_2,
        "FU3": follow_up_3,
        "FU4": follow_up_4,
        **exports,
        **documents,
        "enterprise_a": enterprise_a,
        "agency_x": agency_x,
    }
    related = {
        # The auditor's relationship is their organisation (audit review URLs only).
        "P1": frozenset({"manager_a", "supervisor_a", "case_officer_x", "auditor_a"}),
        "P2": frozenset({"manager_b", "supervisor_b"}),
        "P3": frozenset({"manager_a", "auditor_a"}),
        "P4": frozenset({"manager_a", "supervisor_a_grace", "auditor_a"}),
        "PL1": frozenset({"manager_a", "supervisor_a", "case_officer_x"}),
        "PL2": frozenset({"manager_b", "supervisor_b"}),
        "PL3": frozenset({"manager_a"}),
        "PL4": frozenset({"manager_a", "supervisor_a_grace"}),
        "UA": frozenset({"manager_a", "supervisor_a"}),
        "UB": frozenset({"manager_b", "supervisor_b"}),
        "G1": frozenset({"manager_a", "supervisor_a", "case_officer_x"}),
        "G2": frozenset({"manager_b", "supervisor_b"}),
        "FU3": frozenset({"manager_a"}),
        "FU4": frozenset({"manager_a", "supervisor_a_grace"}),
        "export_manager_a": frozenset({"manager_a"}),
        "export_analyst_f": frozenset({"analyst_f"}),
        "D1": frozenset({"manager_a", "supervisor_a", "case_officer_x"}),
        "D2": frozenset({"manager_b", "supervisor_b"}),
        # A consent is withdrawn by the participant's manager (the role rule refuses others).
        "C1": frozenset({"manager_a", "supervisor_a"}),
        "C2": frozenset({"manager_b", "supervisor_b"}),
        # A copy of a participant's data is opened by the user who asked for it.
        "SC1": frozenset({"manager_a"}),
        "SC2": frozenset({"auditor_a"}),
        # The erasure request: the enterprise's managers and data-protection officer.
        "ER3": frozenset({"manager_a", "auditor_a"}),
        # A referral: the case officer who sent it and the enterprise's managers.
        "R1": frozenset({"manager_a", "case_officer_x"}),
        # A notification: its recipient only.
        "N1": frozenset({"manager_a"}),
        "N2": frozenset({"case_officer_x"}),
        # Funded projects: the enterprise's managers; a file, the manager who produced it.
        "FP1": frozenset({"manager_a"}),
        "FP2": frozenset({"manager_b"}),
        "MP1": frozenset({"manager_a"}),
        "FF1": frozenset({"manager_a"}),
    }
    sign_in_how = {key: "verified" for key in users}
    sign_in_how["anonymous"] = "anonymous"
    sign_in_how["manager_a_no_second_factor"] = "password_only"
    scenario = Scenario(
        users=users, objects=objects, related=related, sign_in=sign_in_how, today=today
    )
    for user_key in users:  # second-factor devices exist before URLs are built
        scenario.client(user_key)
    return scenario


def funding_for_matrix(enterprise_a, enterprise_b, funder, pl1, manager_a, manager_b) -> dict:
    """A project at each enterprise; P1's placement in A's; a file A's manager produced."""
    from funding.files import funder_file_produce
    from funding.models import FileKind, ProjectKind
    from funding.services import (
        ProjectInput,
        funder_file_request,
        project_create,
        project_placement_add,
    )

    projects = {}
    for key, enterprise, manager in (
        ("FP1", enterprise_a, manager_a),
        ("FP2", enterprise_b, manager_b),
    ):
        projects[key] = project_create(
            enterprise=enterprise,
            data=ProjectInput(
                kind=ProjectKind.ESF,
                name=f"Project {key}",
                reference=key,
                funder=funder,
                starts_on=date(2020, 1, 1),
                obligations=(FileKind.ESF_PARTICIPANTS,),
            ),
            acting_user=manager,
        )
    membership = project_placement_add(
        project=projects["FP1"], placement=pl1, joined_on=pl1.start_date, acting_user=manager_a
    )
    month = pl1.start_date.replace(day=1)
    funder_file = funder_file_request(
        project=projects["FP1"],
        kind=FileKind.ESF_PARTICIPANTS,
        first_month=month,
        last_month=month,
        acting_user=manager_a,
    )
    funder_file_produce(funder_file=funder_file)
    return {**projects, "MP1": membership, "FF1": funder_file}


def referral_for_matrix(agency, enterprise, case_officer):
    """Case officer X refers a person to enterprise A (an agreement allows it)."""
    from participants.models import Gender, LabourMarketStatus
    from referrals.models import Agreement
    from referrals.services import ReferralPerson, referral_create
    from tests.factories import valid_identity_number

    today = timezone.localdate()
    Agreement.objects.create(agency=agency, enterprise=enterprise, valid_from=today)
    return referral_create(
        acting_user=case_officer,
        agency=agency,
        enterprise=enterprise,
        programme="work_training",
        hours_per_week=20,
        wanted_start=today + timedelta(days=7),
        person=ReferralPerson(
            given_name=NAME_R1,
            family_name="Remissdottir",
            personal_identity_number=valid_identity_number(),
            gender=Gender.WOMAN,
            labour_market_status=LabourMarketStatus.UNEMPLOYED,
        ),
        reason=f"Needs a calm start. {REASON_R1}",
    )


def documents_for_matrix(p1, p2, manager_a, manager_b) -> dict:
    """A decision on P1 and one on P2 (the Dokument tab's URLs are about them)."""
    import io

    from documents.services import document_upload
    from tests.documents.files import text_pdf

    return {
        key: document_upload(
            participant=participant,
            file=io.BytesIO(text_pdf("Beslut")),
            file_name="beslut.pdf",
            kind="decision",
            document_date=timezone.localdate(),
            acting_user=acting_user,
        )
        for key, participant, acting_user in (("D1", p1, manager_a), ("D2", p2, manager_b))
    }


def consents_and_copies(users, p1, p2, manager_a, manager_b) -> tuple[dict, dict]:
    """A consent on P1 and P2 (photos: no sharing, so the canaries stay as they are),
    and a copy of P1's data asked for by its manager and one by the auditor."""
    from participants.services import consent_record
    from subject_copy.models import SubjectCopy
    from subject_copy.services import subject_copy_produce

    consents = {
        "C1": consent_record(participant=p1, purpose="media", acting_user=manager_a),
        "C2": consent_record(participant=p2, purpose="media", acting_user=manager_b),
    }
    copies = {}
    for key, user_key, role in (("SC1", "manager_a", "manager"), ("SC2", "auditor_a", "auditor")):
        copy = SubjectCopy.objects.create(
            participant=p1, requested_by=users[user_key], requested_role=role
        )
        copies[key] = subject_copy_produce(copy=copy)
    return consents, copies


def admin_permissions(user: User) -> None:
    """What the administrator gets in the demo data (demo.builder): organisations,
    units, users, memberships and instruments; no deleting, no other model."""
    group = Group.objects.create(name="matrix administrators")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["accounts", "casework", "participants"],
            content_type__model__in=[
                "user",
                "organisation",
                "unit",
                "membership",
                "instrument",
                "consenttemplate",
            ],
            codename__regex=r"^(add|change|view)_",
        )
    )
    user.groups.add(group)


# --- Walking the URLconf and building kwargs ------------------------------------------


def walk() -> Iterator[tuple]:
    """(view name, pattern, parameters, full route) for every URL pattern.

    The URLconf walker of ``test_access_table`` (an unnamed pattern is called
    ``namespace:dotted.view.path``), with each pattern's parameters.
    """
    for pattern, view_name, route in access_table_walk(get_resolver()):
        yield view_name, pattern, _parameters(pattern.pattern), route
    for resolver_route in _resolver_routes(get_resolver()):
        assert not _parameters(resolver_route.pattern), (
            f"{resolver_route.pattern}: parameters in an include() prefix are not supported "
            "by the matrix; extend tests/accounts/matrix.py"
        )


def _resolver_routes(resolver: URLResolver) -> Iterator[URLResolver]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield entry
            yield from _resolver_routes(entry)


def _url(view_name: str, pattern: URLPattern, route: str, kwargs: dict) -> str:
    if pattern.name:
        return reverse(view_name, kwargs=kwargs)
    # An unnamed pattern cannot be reversed: fill its route.
    if isinstance(pattern.pattern, RegexPattern):
        filled = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(kwargs[match[1]]), route)
        return filled.replace("^", "").replace("$", "").replace("\\Z", "")
    converters = pattern.pattern.converters
    return re.sub(
        r"<(?:\w+:)?(\w+)>", lambda match: converters[match[1]].to_url(kwargs[match[1]]), route
    )


def _parameters(pattern) -> dict:
    """Parameter name → converter (RoutePattern) or None (regex group)."""
    if isinstance(pattern, RoutePattern):
        return dict(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return dict.fromkeys(pattern.regex.groupindex)
    raise AssertionError(f"unknown pattern type {type(pattern)!r}")


#: Parameters that name the object the URL is about: name → object keys to try.
OBJECT_PARAMETERS: dict[str, tuple[str, ...]] = {
    "participant_id": ("P1", "P2", "P3", "P4"),
    "placement_id": ("PL1", "PL2", "PL3", "PL4"),
    "unit_id": ("UA", "UB"),
    "goal_id": ("G1", "G2"),
    "follow_up_id": ("FU3", "FU4"),
    "export_id": ("export_manager_a", "export_analyst_f"),
    "document_id": ("D1", "D2"),
    "consent_id": ("C1", "C2"),
    "copy_id": ("SC1", "SC2"),
    "erasure_id": ("ER3",),
    "referral_id": ("R1",),
    "notification_id": ("N1", "N2"),
    "project_id": ("FP1", "FP2"),
    "membership_id": ("MP1",),
    "file_id": ("FF1",),
}


def _admin_model(route: str):
    """The registered model an admin route (``/admin/<app>/<model>/…``) is about."""
    for model in admin.site._registry:
        if route.startswith(f"/admin/{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def _admin_object_id(scenario: Scenario, route: str, _obj) -> str:
    model = _admin_model(route) or Organisation  # admin:view_on_site
    found = model._default_manager.order_by("pk").first()
    if found is not None:
        return str(found.pk)
    return str(uuid.uuid4()) if model._meta.pk.get_internal_type() == "UUIDField" else "999999"


def _participant_of(obj) -> uuid.UUID:
    """The participant a goal (through its placement) or a follow-up belongs to."""
    placement = getattr(obj, "placement", None)
    return placement.participant_id if placement is not None else obj.participant_id


#: Parameters derived from the object (or the scenario): name → builder(scenario, route, obj).
COMPANION_PARAMETERS: dict[str, Callable] = {
    "year": lambda scenario, route, obj: scenario.today.year,
    "month": lambda scenario, route, obj: scenario.today.month,
    "week": lambda scenario, route, obj: monday(scenario.today),
    "filename": lambda scenario, route, export: export.files[0],
    # The admin site (the admin role only; no participant content is registered).
    "object_id": _admin_object_id,
    "pk": _admin_object_id,
    "id": _admin_object_id,
    "app_label": lambda scenario, route, obj: "accounts",
    "content_type_id": lambda scenario, route, obj: (
        ContentType.objects.get_for_model(Organisation).pk
    ),
    "url": lambda scenario, route, obj: "accounts/organisation",
}


@dataclass(frozen=True)
class Case:
    view_name: str
    rule: Rule
    url: str
    #: The object the URL is about ("" for none).
    object_key: str


class UnknownParameter(Exception):
    pass


def cases(scenario: Scenario) -> Iterator[Case]:
    """Every named URL, reversed once per object it can be about."""
    for view_name, pattern, parameters, route in walk():
        rule = rule_for(view_name)
        assert rule is not None, f"{view_name} has no rule (see test_access_table)"
        object_parameters = [name for name in parameters if name in OBJECT_PARAMETERS]
        unknown = [
            name
            for name in parameters
            if name not in OBJECT_PARAMETERS and name not in COMPANION_PARAMETERS
        ]
        if unknown:
            raise UnknownParameter(
                f"URL {view_name!r} has parameters {unknown} the access matrix cannot build: "
                "add a builder to OBJECT_PARAMETERS (an object the URL is about, with its "
                "related users in build_scenario) or COMPANION_PARAMETERS in "
                "tests/accounts/matrix.py"
            )
        # A URL about an object inside a participant's record (a goal, a follow-up) names
        # the participant too: the inner object is what the URL is about, and the
        # participant id comes from it.
        if set(object_parameters) - {"participant_id"} and "participant_id" in object_parameters:
            object_parameters.remove("participant_id")
        # Likewise a placement in a project, or a file, names its project.
        if set(object_parameters) - {"project_id"} and "project_id" in object_parameters:
            object_parameters.remove("project_id")
        assert len(object_parameters) <= 1, (
            f"{view_name}: more than one object parameter {object_parameters}; "
            "extend tests/accounts/matrix.py"
        )
        object_keys = OBJECT_PARAMETERS[object_parameters[0]] if object_parameters else ("",)
        for object_key in object_keys:
            obj = scenario.objects.get(object_key)
            kwargs = {}
            for name in parameters:
                if name in object_parameters:
                    kwargs[name] = obj.pk
                elif name == "participant_id":
                    kwargs[name] = _participant_of(obj)
                elif name == "project_id":
                    kwargs[name] = obj.project_id
                else:
                    kwargs[name] = COMPANION_PARAMETERS[name](scenario, route, obj)
            # An address of the earlier scheme answers as the address it moved to does.
            moved_to = getattr(pattern.callback, "moved_to", None)
            if moved_to is not None:
                rule = rule_for(moved_to)
            yield Case(view_name, rule, _url(view_name, pattern, route, kwargs), object_key)


# --- Expectations ----------------------------------------------------------------------

SIGN_IN = "sign-in"  # a redirect to the sign-in page (or to its second-factor step)
DENIED = 403
HIDDEN = 404
ALLOWED = "allowed"  # a page or a redirect: status below 400
ANY = "any"  # public pages and the sign-in flow: not part of the matrix's claims
#: Django's admin refuses a model the administrator may not manage with 403, or
#: first redirects (an unknown object id, the bare object URL): anything but 2xx.
REFUSED = "refused"

#: (view name, user key, object key) → (expected, why). The rule plus the
#: relationship decide everything else; these are functions the relationship
#: lacks (403) and answers that are correct for another reason.
EXCEPTIONS: dict[tuple[str, str, str], tuple[object, str]] = {
    ("admin:autocomplete", "admin", ""): (
        DENIED,
        "Django's autocomplete answers 403 to a request without its field parameters",
    ),
    ("admin:view_on_site", "admin", ""): (
        HIDDEN,
        "an organisation has no page outside the admin (no get_absolute_url)",
    ),
    **{
        (view_name, "supervisor_a_grace", object_key): (
            DENIED,
            "a former supervisor reads in the grace period but writes nothing",
        )
        for view_name, object_key in (
            ("participants:note_add", "P4"),
            ("participants:goal_add", "P4"),
            ("participants:assessment_add", "P4"),
            ("placements:plan_edit", "PL4"),
            ("participants:follow_up_record", "FU4"),
            ("moved:note_add", "P4"),
            ("moved:goal_add", "P4"),
            ("moved:assessment_add", "P4"),
            ("moved:follow_up_record", "FU4"),
            ("participants:document_upload", "P4"),
        )
    },
    ("placements:time_confirm", "supervisor_a_grace", "PL4"): (
        DENIED,
        "a former supervisor reads the attendance but records no confirmation",
    ),
    ("placements:messages", "supervisor_a_grace", "PL4"): (
        DENIED,
        "messages are for the placement's parties now, not a former supervisor",
    ),
    ("participants:consents", "supervisor_a_grace", "P4"): (
        DENIED,
        "a former supervisor does not read the consents (participants.policy)",
    ),
}


def expected(scenario: Scenario, case: Case, user_key: str) -> object:
    rule = case.rule
    if (case.view_name, user_key, case.object_key) in EXCEPTIONS:
        return EXCEPTIONS[(case.view_name, user_key, case.object_key)][0]
    if rule.public:
        return ANY
    how = scenario.sign_in[user_key]
    if how == "anonymous":
        return SIGN_IN
    if rule.before_second_factor:
        return ANY
    if how == "password_only":
        return SIGN_IN
    user = scenario.users[user_key]
    if rule.staff and not user.is_staff:
        return DENIED
    if rule.roles:
        from accounts.roles import current_roles

        user = User.objects.get(pk=user.pk)  # the role cache lives on the instance
        if not current_roles(user) & rule.roles:
            return DENIED
    if case.object_key and user_key not in scenario.related[case.object_key]:
        return HIDDEN
    if case.view_name.startswith("admin:"):
        return _admin_expected(user, case)
    return ALLOWED


#: Admin views and the model permission each needs (Django's admin checks them).
_ADMIN_ACTIONS = {
    "_changelist": ("view", "change"),
    "_change": ("view", "change"),
    "_history": ("view", "change"),
    "RedirectView": ("view", "change"),
    "_add": ("add",),
    "_delete": ("delete",),
    "_config": ("change",),
    "_qrcode": ("change",),
    "_password_change": ("change",),
}


def _admin_expected(user: User, case: Case) -> object:
    """The admin site's own model permissions: a model the administrator may not manage is 403."""
    path = case.url.removeprefix("/")
    model = _admin_model("/" + path)
    if model is None:
        return ALLOWED
    for suffix, actions in _ADMIN_ACTIONS.items():
        if case.view_name.endswith(suffix):
            label = model._meta.app_label
            name = model._meta.model_name
            if any(user.has_perm(f"{label}.{action}_{name}") for action in actions):
                return ALLOWED
            return REFUSED
    return ALLOWED


def matches(expectation, response) -> bool:
    status = response.status_code
    if expectation == ANY:
        return status < 500
    if expectation == REFUSED:
        return not 200 <= status < 300 and status < 500
    if expectation == ALLOWED:
        return status < 400
    if expectation == SIGN_IN:
        login = reverse(settings.LOGIN_URL)
        verify = reverse("signin_verify")
        return status == 302 and response.url.split("?")[0] in (login, verify)
    return status == expectation


def is_unauthorised_success(expectation, response) -> bool:
    """A 2xx where the user should have been refused."""
    return expectation in (DENIED, HIDDEN, SIGN_IN, REFUSED) and 200 <= response.status_code < 300


#: Views where an empty POST would end the session (the client signs in again after).
SESSION_ENDING = {"logout", "admin:logout"}


def _follow_moved(case: Case, client, response):
    """For an address of the earlier scheme: its permanent redirect (301 for GET, 308
    otherwise), then the answer of the new address with the same method."""
    if not case.view_name.startswith("moved:") or response.status_code not in (301, 308):
        return response
    method = response.request["REQUEST_METHOD"]
    assert response.status_code == (301 if method == "GET" else 308), (case.view_name, method)
    if method == "GET":
        return client.get(response["Location"])
    return client.post(response["Location"], {})


def _confirm_identity_if_asked(client, response, send):
    """An export asks for password and code again (accounts.reauth), and only of a user
    the access table let through: confirm as the user would, then ask again, so the
    walk reads the file itself."""
    if response.status_code != 302 or response.url.split("?")[0] != reverse("reauth"):
        return response
    session = client.session
    session[REAUTH_AT] = timezone.now().timestamp()
    session.save()
    return send()


def fetch(scenario: Scenario, case: Case, user_key: str) -> tuple[str, object]:
    """GET the URL; when GET is not allowed (405), POST an empty body. (method, response)"""
    client = scenario.client(user_key)
    response = _follow_moved(case, client, client.get(case.url))
    response = _confirm_identity_if_asked(
        client, response, lambda: _follow_moved(case, client, client.get(case.url))
    )
    if response.status_code != 405:
        return "GET", response
    response = _follow_moved(case, client, client.post(case.url, {}))
    if case.view_name in SESSION_ENDING or case.rule.public:
        scenario.fresh_client(user_key)
    return "POST", response


def body_bytes(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def readable_texts(content: bytes) -> list[bytes]:
    """The raw bytes and, for PDFs and zips (XLSX), what they hold uncompressed."""
    texts = [content]
    if content.startswith(b"%PDF"):
        for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", content, re.DOTALL):
            filters, data = match.group(1), match.group(2)
            try:
                if b"/ASCII85Decode" in filters:
                    data = base64.a85decode(data.strip().removesuffix(b"~>"))
                if b"/FlateDecode" in filters:
                    data = zlib.decompressobj().decompress(data)
            except (ValueError, zlib.error):
                continue  # a stream that is not text (an image): the raw bytes are searched
            texts.append(data)
    elif content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                texts.extend(readable_texts(archive.read(name)))
    return texts


def canaries_in(content: bytes, canaries) -> set[str]:
    texts = readable_texts(content)
    return {canary for canary in canaries if any(canary.encode() in text for text in texts)}
