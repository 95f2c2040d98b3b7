"""Events of other apps that become notifications. Connected in ``apps.py``.

Each receiver runs after the event's transaction has committed, so a failing
notification never undoes the event it tells of.
"""

from django.db import transaction
from django.urls import reverse

from placements.models import Placement
from referrals.selectors import enterprise_managers, placement_parties

from .kinds import Kind
from .services import notify


def referral_sent(*, recipients, url, **kwargs) -> None:
    notify(kind=Kind.REFERRAL_RECEIVED, recipients=recipients, url=url)


def referral_answered(*, recipients, url, **kwargs) -> None:
    notify(kind=Kind.REFERRAL_ANSWERED, recipients=recipients, url=url)


def case_message_posted(*, recipients, url, **kwargs) -> None:
    notify(kind=Kind.MESSAGE_RECEIVED, recipients=recipients, url=url)


def plan_submitted(*, placement: Placement, acting_user, **kwargs) -> None:
    """The placement's case officer decides on the plan."""
    case_officer = placement.case_officer
    if case_officer is None or case_officer.pk == acting_user.pk:
        return
    notify(
        kind=Kind.PLAN_SUBMITTED,
        recipients=[case_officer],
        url=reverse("placements:plan_decide", kwargs={"placement_id": placement.pk}),
    )


def plan_decided(*, placement: Placement, acting_user, approved: bool, **kwargs) -> None:
    """The enterprise's side of the placement (supervisors, managers) hears the answer."""
    recipients = [
        user
        for user in placement_parties(placement=placement)
        if user.pk not in (acting_user.pk, placement.case_officer_id)
    ]
    notify(
        kind=Kind.PLAN_APPROVED if approved else Kind.PLAN_CHANGES_REQUESTED,
        recipients=recipients,
        url=reverse("placements:detail", kwargs={"placement_id": placement.pk}),
    )


def access_changed(*, membership, change: str, acting_user, **kwargs) -> None:
    """A membership request waits for a manager of the organisation (four eyes)."""
    if change != "requested":
        return

    def tell() -> None:
        notify(
            kind=Kind.MEMBERSHIP_AWAITING_APPROVAL,
            recipients=[
                user
                for user in enterprise_managers(enterprise_id=membership.organisation_id)
                if user.pk not in (acting_user.pk, membership.user_id)
            ],
            url=reverse("memberships:pending"),
        )

    # robust: the membership is saved; a failed notification is logged, not raised.
    transaction.on_commit(tell, robust=True)
