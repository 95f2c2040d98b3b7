"""The access table: every URL pattern of the project, and who may use it.

One place, enforced by ``accounts.middleware.AccessTableMiddleware`` before any
view runs; ``tests/accounts/test_access_table.py`` walks the URLconf so that a
new URL without a rule fails the build. Object-level visibility (404 for a
participant the user may not see) is the selectors' job; this table answers
403 for a function the user's roles lack.
"""

from dataclasses import dataclass, field

from .models import Role


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

# --- Audit review (audit.views; issue 5) -------------------------------------
# The auditor (data-protection officer) of an organisation; scoped to that
# organisation by audit.review. The event list shows ids only (and records an
# access event when filtered to one participant); history and extract concern
# one participant's record and record one access event each.
ACCESS_TABLE.update(
    {
        "audit:events": Rule(
            roles=roles(Role.AUDITOR), description="access log with filters and flags"
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

# --- Daily screens (issue 6): placements, attendance, reviews, follow-ups, home ----------
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
        "placements:attendance_week": Rule(
            roles=_ENTERPRISE_STAFF, shows_person_data=True, description="unit-week attendance"
        ),
        "placements:attendance_month_pdf": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="monthly attendance PDF"
        ),
        "casework:review_create": Rule(
            roles=_CASE_OFFICER, shows_person_data=True, description="record a review"
        ),
        "casework:reviews_due": Rule(
            roles=_CASE_OFFICER, shows_person_data=True, description="reviews due"
        ),
        "casework:placement_end": Rule(
            roles=_MANAGER, shows_person_data=True, description="end with an exit outcome"
        ),
        "casework:follow_ups_due": Rule(
            roles=_ENTERPRISE_STAFF, shows_person_data=True, description="follow-ups due"
        ),
        "casework:follow_up_record": Rule(
            roles=_ENTERPRISE_STAFF, shows_person_data=True, description="record a follow-up"
        ),
    }
)
# --- end daily screens -------------------------------------------------------------------


# --- Outcome reports and anonymised exports (casework.views_reports; issue 7) -------------
# Aggregates only, no person-level data. The named report (small cells possible) is
# for managers of the enterprises; the anonymised export for analysts (funders) and
# managers. Exports are visible to their creator only; every download is audited.
_REPORTS = roles(Role.MANAGER)
_EXPORTS = roles(Role.MANAGER, Role.ANALYST)
ACCESS_TABLE.update(
    {
        "casework:report": Rule(roles=_REPORTS, description="outcome report with charts"),
        "casework:report_pdf": Rule(roles=_REPORTS, description="outcome report as PDF"),
        "casework:report_csv": Rule(roles=_REPORTS, description="outcome report as CSV"),
        "casework:report_xlsx": Rule(roles=_REPORTS, description="outcome report as XLSX"),
        "casework:export_list": Rule(roles=_EXPORTS, description="my anonymised exports"),
        "casework:export_create": Rule(
            roles=_EXPORTS, description="request an anonymised export (re-authentication)"
        ),
        "casework:export_status": Rule(roles=_EXPORTS, description="export status"),
        "casework:export_progress": Rule(roles=_EXPORTS, description="export progress (htmx)"),
        "casework:export_download": Rule(roles=_EXPORTS, description="download an export file"),
    }
)
# --- end outcome reports -------------------------------------------------------------------

# --- Participant screens and progress (issue 6: casework.views_participants, views_progress) ---
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
        "casework:notes": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="progress notes"
        ),
        "casework:note_add": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="write a progress note"
        ),
        "casework:goals": Rule(roles=PERSON_ROLES, shows_person_data=True, description="goals"),
        "casework:goal_add": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="add a goal"
        ),
        "casework:goal_status": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="change a goal's status"
        ),
        "casework:assessments": Rule(
            roles=PERSON_ROLES, shows_person_data=True, description="assessments, journey chart"
        ),
        "casework:assessment_add": Rule(
            roles=_WRITES_PROGRESS, shows_person_data=True, description="score an assessment"
        ),
    }
)
# --- end participant screens and progress --------------------------------------------------


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
