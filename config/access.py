"""The access table: every URL pattern of the project, and who may use it.

One place, enforced by ``AccessTableMiddleware`` (below) before any
view runs; ``tests/accounts/test_access_table.py`` walks the URLconf so that a
new URL without a rule fails the build. Object-level visibility (404 for a
participant the user may not see) is the selectors' job; this table answers
403 for a function the user's roles lack.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.cache import add_never_cache_headers

from accounts.models import Role
from accounts.roles import current_roles


@dataclass(frozen=True)
class Rule:
    """Who may use a URL.

    ``public``: no sign-in. Otherwise the user must be signed in (and verified
    with a second factor where the roles see person data); if ``roles`` is
    non-empty, the user must hold one of them in a current membership.
    """

    roles: frozenset[str] = field(default_factory=frozenset)
    public: bool = False
    staff: bool = False
    shows_person_data: bool = False
    #: Sign-in flow pages a signed-in user reaches before the second factor.
    before_second_factor: bool = False
    description: str = ""


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


ANY_SIGNED_IN = frozenset()
PERSON_ROLES = roles(Role.SUPERVISOR, Role.MANAGER, Role.CASE_OFFICER)

#: URL name (with namespace) → rule. ``prefix:*`` covers a whole namespace.
ACCESS_TABLE: dict[str, Rule] = {
    "login": Rule(public=True, description="sign-in form"),
    "logout": Rule(public=True, description="sign out (POST)"),
    "set_language": Rule(public=True, description="language switch"),
    "health": Rule(public=True, description="health check for load balancers (no data)"),
    "home": Rule(roles=ANY_SIGNED_IN, description="home page per role"),
    "admin:*": Rule(roles=roles(Role.ADMIN), staff=True, description="system administration"),
}

# --- Sign-in flow and re-authentication (accounts.views_signin) -------------
ACCESS_TABLE.update(
    {
        "signin_verify": Rule(before_second_factor=True, description="second factor: code"),
        "signin_enrol": Rule(
            before_second_factor=True, description="second factor: set up the authenticator app"
        ),
        "signin_recovery_codes": Rule(description="new recovery codes, shown once"),
        "signin_recovery_codes_regenerate": Rule(
            description="replace the recovery codes (POST, after re-authentication)"
        ),
        "reauth": Rule(description="confirm password and code before a bulk export"),
    }
)
# --- end sign-in flow --------------------------------------------------------

# --- Audit review (desk.views.audit) -----------------------------------------------
# The auditor (data-protection officer) of an organisation; scoped to that
# organisation by audit.review. The event list shows ids only (and records an
# access event when filtered to one participant); history and extract concern
# one participant's record and record one access event each.
ACCESS_TABLE.update(
    {
        "audit:events": Rule(
            roles=roles(Role.AUDITOR),
            # Names it shows are access events, one per person (zero on an empty page),
            # so it is not one of the one-event person-data views.
            description="access log with participants' names (each an access event), "
            "filters (a name or personal identity number by POST) and flags",
        ),
        "audit:participant_history": Rule(
            roles=roles(Role.AUDITOR),
            shows_person_data=True,
            description="change history of a participant's records (field names, no content)",
        ),
        "audit:participant_extract": Rule(
            roles=roles(Role.AUDITOR),
            shows_person_data=True,
            description="access extract PDF for handing to the participant",
        ),
    }
)
# --- end audit review --------------------------------------------------------

# --- Access requests (desk.views.memberships) ---------------------------------------------
# A manager approves or refuses the pending memberships at their enterprise
# (accounts.services checks who may decide: never the member or the one who asked).
ACCESS_TABLE.update(
    {
        "memberships:pending": Rule(
            roles=roles(Role.MANAGER),
            description="access requests at the manager's enterprise (POST: decide)",
        ),
    }
)
# --- end access requests -------------------------------------------------------------------

# --- Daily screens: placements, attendance, reviews, follow-ups, home -------------------
_MANAGER = roles(Role.MANAGER)
_CASE_OFFICER = roles(Role.CASE_OFFICER)
_ENTERPRISE_STAFF = roles(Role.MANAGER, Role.SUPERVISOR)
ACCESS_TABLE.update(
    {
        # The home page shows the user's own work lists (names for person roles).
        "home": Rule(roles=ANY_SIGNED_IN, shows_person_data=True, description="home page per role"),
        "placements:list": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="placements, filtered"
        ),
        "placements:detail": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="one placement"
        ),
        "placements:referral_create": Rule(
            roles=_MANAGER, shows_person_data=True, description="register a referral"
        ),
        "placements:start": Rule(
            roles=_MANAGER, shows_person_data=True, description="start a placement"
        ),
        "placements:plan_edit": Rule(
            roles=_ENTERPRISE_STAFF, shows_person_data=True, description="edit, submit the plan"
        ),
        "placements:plan_decide": Rule(
            roles=_CASE_OFFICER, shows_person_data=True, description="approve the plan or not"
        ),
        "placements:pause": Rule(
            roles=_MANAGER, shows_person_data=True, description="pause a placement"
        ),
        "placements:resume": Rule(
            roles=_MANAGER, shows_person_data=True, description="resume a placement"
        ),
        "placements:supervisors": Rule(
            roles=_MANAGER, shows_person_data=True, description="change supervisors"
        ),
        "placements:change_unit": Rule(
            roles=_MANAGER, shows_person_data=True, description="move to another unit"
        ),
        # Where the menu's "Attendance" leads: the user's units (one unit: its week).
        "units:attendance": Rule(
            roles=_ENTERPRISE_STAFF, description="the units whose attendance the user records"
        ),
        "units:attendance_week": Rule(
            roles=_ENTERPRISE_STAFF, shows_person_data=True, description="unit-week attendance"
        ),
        "placements:attendance_month_pdf": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="monthly attendance PDF"
        ),
        # The participant confirms their time (timesheets): recorded by the enterprise's
        # staff who record attendance; the case officer reads the state on the PDF.
        "units:time_month": Rule(
            roles=_ENTERPRISE_STAFF,
            shows_person_data=True,
            description="a unit's month: each participant's time confirmation",
        ),
        "placements:time_confirm": Rule(
            roles=_ENTERPRISE_STAFF,
            shows_person_data=True,
            description="record the participant's confirmation or dispute of a month",
        ),
        "units:time_disputes": Rule(
            roles=_MANAGER, shows_person_data=True, description="disputed attendance to decide"
        ),
        "placements:time_dispute": Rule(
            roles=_MANAGER, shows_person_data=True, description="decide on a disputed month"
        ),
        "placements:review_create": Rule(
            roles=_CASE_OFFICER, shows_person_data=True, description="record a review"
        ),
        "placements:reviews_due": Rule(
            roles=_CASE_OFFICER, shows_person_data=True, description="reviews due"
        ),
        "placements:end": Rule(
            roles=_MANAGER, shows_person_data=True, description="end with an exit outcome"
        ),
        "participants:follow_ups_due": Rule(
            roles=_ENTERPRISE_STAFF, shows_person_data=True, description="follow-ups due"
        ),
        "participants:follow_up_record": Rule(
            roles=_ENTERPRISE_STAFF, shows_person_data=True, description="record a follow-up"
        ),
    }
)
# --- end daily screens -------------------------------------------------------------------


# --- Outcome reports and anonymised exports (desk.views.reports) ----------------------
# Aggregates only, no person-level data. The named report (small cells possible) is
# for managers of the enterprises; the anonymised export for analysts (funders) and
# managers. Exports are visible to their creator only; every download is audited.
_REPORTS = roles(Role.MANAGER)
_EXPORTS = roles(Role.MANAGER, Role.ANALYST)
ACCESS_TABLE.update(
    {
        # The analyst sees the anonymised (disclosure-controlled) tables of the
        # enterprises that share statistics with their funder; files: the export.
        "reports:outcome": Rule(
            roles=_EXPORTS, description="outcome report (analyst: anonymised tables)"
        ),
        "reports:outcome_pdf": Rule(roles=_REPORTS, description="outcome report as PDF"),
        "reports:outcome_csv": Rule(roles=_REPORTS, description="outcome report as CSV"),
        "reports:outcome_xlsx": Rule(roles=_REPORTS, description="outcome report as XLSX"),
        "reports:export_list": Rule(roles=_EXPORTS, description="my anonymised exports"),
        "reports:export_create": Rule(
            roles=_EXPORTS, description="request an anonymised export (re-authentication)"
        ),
        "reports:export_status": Rule(roles=_EXPORTS, description="export status"),
        "reports:export_progress": Rule(roles=_EXPORTS, description="export progress (htmx)"),
        "reports:export_download": Rule(roles=_EXPORTS, description="download an export file"),
    }
)
# --- end outcome reports -------------------------------------------------------------------

# --- Participant screens and progress (desk.views.participants, desk.views.progress) ---
_WRITES_PROGRESS = roles(Role.MANAGER, Role.SUPERVISOR)
ACCESS_TABLE.update(
    {
        "participants:list": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="participants: search, filter"
        ),
        "participants:detail": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="one participant's record"
        ),
        "participants:create": Rule(
            roles=roles(Role.MANAGER), shows_person_data=True, description="register a participant"
        ),
        "participants:edit": Rule(
            roles=roles(Role.MANAGER), shows_person_data=True, description="edit the record"
        ),
        "participants:history": Rule(
            roles=roles(Role.MANAGER), shows_person_data=True, description="change history"
        ),
        "participants:notes": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="progress notes"
        ),
        "participants:note_add": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="write a progress note"
        ),
        "participants:goals": Rule(roles=PERSON_ROLES, shows_person_data=True, description="goals"),
        "participants:goal_add": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="add a goal"
        ),
        "participants:goal_status": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="change a goal's status"
        ),
        "participants:assessments": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="assessments, journey chart"
        ),
        "participants:assessment_add": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="score an assessment"
        ),
    }
)
# --- end participant screens and progress --------------------------------------------------


# --- Documents on the record (desk.views.documents) ------------------------------------------
# Which documents a user sees is the field policy's (documents.sections: a medical
# certificate is health data); deleting is for the enterprise's managers.
ACCESS_TABLE.update(
    {
        "participants:documents": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="documents: list, upload form"
        ),
        "participants:document_upload": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="upload a document (POST)"
        ),
        "participants:document_download": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="download a document"
        ),
        "participants:document_delete": Rule(
            roles=roles(Role.MANAGER), shows_person_data=True, description="delete a document"
        ),
    }
)
# --- end documents ---------------------------------------------------------------------------
# --- Consents and the participant's own copy (desk.views.consents, desk.views.subject_copy) ---
# Consents: read by the participant's manager and supervisors, recorded and
# withdrawn by the manager (participants.policy, section "consents"). The copy
# of a person's data (Art. 15 and 20) is produced by the participant's manager
# or the enterprise's data-protection officer (the auditor role), after
# re-authentication; every page records an access event.
_SUBJECT_COPY = roles(Role.MANAGER, Role.AUDITOR)
ACCESS_TABLE.update(
    {
        "participants:consents": Rule(
            roles=_ENTERPRISE_STAFF, shows_person_data=True, description="consents held"
        ),
        "participants:consent_add": Rule(
            roles=_MANAGER, shows_person_data=True, description="record a consent"
        ),
        "participants:consent_withdraw": Rule(
            roles=_MANAGER, shows_person_data=True, description="withdraw a consent"
        ),
        "participants:subject_copies": Rule(
            roles=_SUBJECT_COPY,
            shows_person_data=True,
            description="the participant's copies of their data",
        ),
        "participants:subject_copy_create": Rule(
            roles=_SUBJECT_COPY,
            shows_person_data=True,
            description="produce a copy of the participant's data (re-authentication)",
        ),
        "participants:subject_copy_status": Rule(
            roles=_SUBJECT_COPY, shows_person_data=True, description="a copy's status"
        ),
        "participants:subject_copy_progress": Rule(
            roles=_SUBJECT_COPY, shows_person_data=True, description="a copy's progress (htmx)"
        ),
        "participants:subject_copy_download": Rule(
            roles=_SUBJECT_COPY,
            shows_person_data=True,
            description="download the copy (re-authentication; expires)",
        ),
    }
)
# --- end consents and the participant's own copy -----------------------------------------


# --- Referrals from agencies and messages on a placement (desk.views.referrals, .messages) ---
# A case officer sends referrals and sees those they sent; the enterprise's manager
# answers those sent to the enterprise (referrals.selectors: 404 for any other).
# Messages are read and written by the placement's parties now (section "messages").
_REFERRALS = roles(Role.MANAGER, Role.CASE_OFFICER)
ACCESS_TABLE.update(
    {
        "referrals:list": Rule(
            roles=_REFERRALS, shows_person_data=True, description="my referrals / referrals waiting"
        ),
        # GET is an empty form; "Find" (POST) records a search event, sending a write.
        "referrals:create": Rule(roles=_CASE_OFFICER, description="send a referral"),
        "referrals:detail": Rule(
            roles=_REFERRALS, shows_person_data=True, description="a referral and its thread"
        ),
        "referrals:accept": Rule(
            roles=_MANAGER, shows_person_data=True, description="accept: plan the placement"
        ),
        "referrals:request_information": Rule(
            roles=_MANAGER, shows_person_data=True, description="ask for more information"
        ),
        "referrals:decline": Rule(
            roles=_MANAGER, shows_person_data=True, description="decline with a reason"
        ),
        "referrals:supplement": Rule(
            roles=_CASE_OFFICER, shows_person_data=True, description="answer with more information"
        ),
        "referrals:withdraw": Rule(
            roles=_CASE_OFFICER, shows_person_data=True, description="withdraw a referral"
        ),
        "placements:messages": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="messages on a placement"
        ),
    }
)
# --- end referrals and messages ------------------------------------------------------------

# --- Addresses of the earlier URL scheme (desk.moved): permanent redirects ------------------
# A redirect shows nothing but the new address. The goal and follow-up redirects look
# the object up through its permission-scoped selector (404 when not visible), so they
# need the roles that may see it.
ACCESS_TABLE.update(
    {
        "moved:*": Rule(roles=ANY_SIGNED_IN, description="permanent redirect to the new address"),
        "moved:goal_status": Rule(
            roles=_WRITES_PROGRESS,
            shows_person_data=True,
            description="redirect to a goal's new address (found through the selector)",
        ),
        "moved:follow_up_record": Rule(
            roles=_ENTERPRISE_STAFF,
            shows_person_data=True,
            description="redirect to a follow-up's new address (found through the selector)",
        ),
    }
)
# --- end earlier addresses -------------------------------------------------------------------


# --- Erasure and retention (desk.views.erasure) --------------------------------------------
# A manager requests an erasure and reviews records due for retention; the enterprise's
# data-protection officer (role auditor) decides on erasures. The list and a request's
# page show ids and codes only; the manager's pages about one record show the name.
# Enterprise scope: erasure.selectors (404); four eyes and the legal basis: erasure.services.
_ERASURE_ROLES = roles(Role.MANAGER, Role.AUDITOR)
ACCESS_TABLE.update(
    {
        "erasure:list": Rule(
            roles=_ERASURE_ROLES, description="erasures awaiting approval, latest decisions"
        ),
        "erasure:detail": Rule(
            roles=_ERASURE_ROLES, description="one erasure request and its legal-basis check"
        ),
        "erasure:decide": Rule(
            roles=roles(Role.AUDITOR), description="approve (erase) or reject a request (POST)"
        ),
        "erasure:request": Rule(
            roles=roles(Role.MANAGER), shows_person_data=True, description="request an erasure"
        ),
        "erasure:hold_add": Rule(
            roles=roles(Role.MANAGER),
            shows_person_data=True,
            description="record a funder's retention requirement",
        ),
        "erasure:retention": Rule(
            roles=roles(Role.MANAGER), shows_person_data=True, description="records due for review"
        ),
        "erasure:retention_decide": Rule(
            roles=roles(Role.MANAGER),
            shows_person_data=True,
            description="confirm erasure or keep longer, with a reason",
        ),
        "erasure:retention_policy": Rule(
            roles=roles(Role.MANAGER), description="the enterprise's retention periods"
        ),
    }
)
# --- end erasure and retention --------------------------------------------------------------

# --- Notifications (desk.views.notifications) -----------------------------------------------
# Every signed-in user has their own; notifications.selectors reads only the user's own
# (another's answers 404). A notification is a kind and a link, no person data: the item
# it links to has its own rule.
ACCESS_TABLE.update(
    {
        "notifications:list": Rule(roles=ANY_SIGNED_IN, description="the user's notifications"),
        "notifications:open": Rule(
            roles=ANY_SIGNED_IN, description="mark one read and go to its item (POST)"
        ),
        "notifications:read_all": Rule(
            roles=ANY_SIGNED_IN, description="mark all the user's notifications read (POST)"
        ),
        "notifications:preferences": Rule(
            roles=ANY_SIGNED_IN, description="in Stegvis only, or also by e-mail, per kind"
        ),
    }
)
# --- end notifications ----------------------------------------------------------------------


# --- Funded projects and funder files (desk.views.funding) ----------------------------------
# The enterprise's manager only (funding.selectors: 404 for another enterprise's project).
# Producing and downloading a file need a recent re-authentication; the download is for
# the manager who produced it, until it expires.
ACCESS_TABLE.update(
    {
        "funding:list": Rule(roles=_MANAGER, description="the enterprise's funded projects"),
        "funding:new": Rule(roles=_MANAGER, description="register a funded project"),
        "funding:detail": Rule(
            roles=_MANAGER,
            shows_person_data=True,
            description="a project: its placements, completeness, files",
        ),
        "funding:placement_add": Rule(
            roles=_MANAGER, shows_person_data=True, description="put a placement in the project"
        ),
        "funding:membership": Rule(
            roles=_MANAGER,
            shows_person_data=True,
            description="data at entry and on leaving of one placement in a project",
        ),
        "funding:preflight": Rule(
            roles=_MANAGER, shows_person_data=True, description="pre-flight check of a file"
        ),
        "funding:file_create": Rule(
            roles=_MANAGER, description="produce a funder file (re-authentication)"
        ),
        "funding:file_status": Rule(
            roles=_MANAGER, shows_person_data=True, description="a funder file's status"
        ),
        "funding:file_progress": Rule(
            roles=_MANAGER, description="a funder file's progress (htmx)"
        ),
        "funding:file_download": Rule(
            roles=_MANAGER,
            shows_person_data=True,
            description="download a funder file (re-authentication; expires)",
        ),
    }
)
# --- end funded projects ----------------------------------------------------------------------


class Refusal(StrEnum):
    SIGN_IN = "sign-in"
    SECOND_FACTOR = "second-factor"
    DENIED = "denied"


def refusal(rule: Rule, user) -> Refusal | None:
    """Why the rule turns the user away, or None when it admits them.

    The middleware's one decision, shared with the main menu (``may_open``) so
    that a link is shown exactly when its page would open.
    """
    if rule.public:
        return None
    if not user.is_authenticated:
        return Refusal.SIGN_IN
    # Every role needs the second factor: even the analyst and the admin can
    # reach person data or grant themselves access to it.
    if not rule.before_second_factor and not user.is_verified():
        return Refusal.SECOND_FACTOR
    if rule.staff and not user.is_staff:
        return Refusal.DENIED
    if rule.roles and not (current_roles(user) & rule.roles):
        return Refusal.DENIED
    return None


def may_open(user, view_name: str) -> bool:
    """Whether the access table admits the user to the URL name (objects aside)."""
    rule = rule_for(view_name)
    return rule is not None and refusal(rule, user) is None


def rule_for(view_name: str | None) -> Rule | None:
    if not view_name:
        return None
    if view_name in ACCESS_TABLE:
        return ACCESS_TABLE[view_name]
    namespace, _sep, _name = view_name.rpartition(":")
    while namespace:
        wildcard = ACCESS_TABLE.get(f"{namespace}:*")
        if wildcard is not None:
            return wildcard
        namespace, _sep, _name = namespace.rpartition(":")
    return None


class AccessTableMiddleware:
    """Default deny: a URL without a rule is refused, loudly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        rule = getattr(request, "access_rule", None)
        if rule is None or not rule.public:
            # Pages behind sign-in may hold person data: never cache them.
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        rule = rule_for(match.view_name if match else None)
        if rule is None:
            if settings.DEBUG:
                raise ImproperlyConfigured(
                    f"URL {match.view_name if match else request.path!r} has no rule in "
                    "config.access.ACCESS_TABLE"
                )
            raise PermissionDenied("no access rule")
        request.access_rule = rule
        match refusal(rule, request.user):
            case Refusal.SIGN_IN:
                return redirect_to_login(request.get_full_path())
            case Refusal.SECOND_FACTOR:
                return redirect_to_login(request.get_full_path(), login_url="signin_verify")
            case Refusal.DENIED:
                raise PermissionDenied
        return None
