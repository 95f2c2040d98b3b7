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
