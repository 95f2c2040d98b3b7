"""Record access events. If the event cannot be written, the request fails:
callers record before they render, and nothing here catches a database error."""

import uuid

from django.utils import timezone

from .models import AccessEvent

REQUEST_FLAG = "_stegvis_access_events"


def client_address(request) -> str | None:
    # The socket peer; proxies are trusted only through the configured
    # proxy count (same rule as the lockout), never a raw header.
    return request.META.get("REMOTE_ADDR") or None


def _role_and_organisation(user, relations) -> tuple[str, uuid.UUID | None]:
    from accounts.roles import current_memberships

    relation_roles = {
        "manager": "manager",
        "supervisor": "supervisor",
        "former_supervisor": "supervisor",
        "case_officer": "case_officer",
        "auditor": "auditor",
    }
    wanted = [
        relation_roles[relation] for relation in sorted(relations) if relation in relation_roles
    ]
    memberships = current_memberships(user) if user is not None else []
    for role in wanted:
        for membership in memberships:
            if membership.role == role:
                return role, membership.organisation_id
    if memberships:
        return memberships[0].role, memberships[0].organisation_id
    return "", None


def record_access(
    request,
    *,
    action: str,
    participant_id=None,
    section: str = "",
    object_type: str = "",
    object_id=None,
    relations=(),
    result_count: int | None = None,
) -> AccessEvent | None:
    """Write one access event for this request and action (once per request,
    so included fragments and repeated calls do not duplicate it)."""
    events = record_access_many(
        request,
        action=action,
        participant_ids=[participant_id],
        section=section,
        object_type=object_type,
        object_id=object_id,
        relations=relations,
        result_count=result_count,
    )
    return events[0] if events else None


def record_access_many(
    request,
    *,
    action: str,
    participant_ids,
    section: str = "",
    object_type: str = "",
    object_id=None,
    relations=(),
    result_count: int | None = None,
) -> list[AccessEvent]:
    """``record_access`` for many participants at once: one event each, one INSERT.

    Same fields and the same once-per-request rule as ``record_access``; used
    where one screen shows several people (the attendance grid), so that each
    person's access extract lists it.
    """
    done = request.__dict__.setdefault(REQUEST_FLAG, set())
    user = request.user if request.user.is_authenticated else None
    role, organisation_id = _role_and_organisation(user, relations)
    now = timezone.now()
    events, keys = [], []
    for participant_id in dict.fromkeys(participant_ids):
        key = (action, str(participant_id or ""), section, object_type, str(object_id or ""))
        if key in done:
            continue
        keys.append(key)
        events.append(
            AccessEvent(
                occurred_at=now,
                user_id=user.pk if user else None,
                role=role,
                organisation_id=organisation_id,
                participant_id=participant_id,
                section=section,
                object_type=object_type,
                object_id=str(object_id) if object_id else "",
                action=action,
                ip_address=client_address(request),
                request_id=getattr(request, "request_id", ""),
                result_count=result_count,
            )
        )
    created = AccessEvent.objects.bulk_create(events) if events else []
    done.update(keys)
    return created


def record_shown(
    request,
    *,
    participant_ids,
    object_type: str,
    action: str = "view",
    section: str = "list",
    relations=(),
    result_count: int | None = None,
) -> list[AccessEvent]:
    """The access events of a page that shows several people (a list, a search,
    home cards, a person picker): one event for the page itself (no participant,
    with the result count, as before) and one per participant shown, all written
    with one INSERT.

    So each person's access extract lists every page that showed them, and the
    auditor's "many participants in an hour" flag counts them. Pass exactly the
    participants the page shows (the current page of a list, not the whole
    result).
    """
    shown = [participant_id for participant_id in participant_ids if participant_id]
    return record_access_many(
        request,
        action=action,
        participant_ids=[None, *shown],
        section=section,
        object_type=object_type,
        relations=relations,
        result_count=result_count,
    )


def record_access_change(sender, *, membership, change: str, acting_user, **kwargs) -> AccessEvent:
    """One event for a membership requested, granted or approved (accounts.signals).

    The event is about the organisation the membership is at, so that
    organisation's auditor sees it (flagged): who gave whom which access. No
    request is at hand (admin actions and commands alike), so no address.
    """
    from accounts.roles import current_memberships

    memberships = current_memberships(acting_user) if acting_user is not None else []
    return AccessEvent.objects.create(
        occurred_at=timezone.now(),
        user_id=acting_user.pk if acting_user is not None else None,
        role=memberships[0].role if memberships else "",
        organisation_id=membership.organisation_id,
        section=change,
        object_type=f"membership:{membership.role}",
        object_id=str(membership.pk),
        action=AccessEvent.Action.ACCESS_CHANGE,
    )
