"""Reads for the auditor's screens: the access log, flags, change history, extract.

The audit app imports no domain app above ``accounts`` (users, organisations,
memberships: who acted, in which role). The participant and the records that
belong to them are known through ``audit.registry``, where the domain apps
register them at start-up, so the import graph stays one-way.

Flags (computed in the database, one annotated query per page):

- ``out_of_hours``: outside the working schedule ``AUDIT_WORKING_SCHEDULE``
  (default Monday to Friday 07–19) in Europe/Stockholm: a day it does not
  list (by default Saturday and Sunday) is out of hours all day.
- ``bulk``: the user opened more than ``AUDIT_BULK_PARTICIPANTS_PER_HOUR``
  (default 100) distinct participants in the hour up to this event (a sliding
  window, counted by a correlated subquery on the (user_id, occurred_at) index).
  Lists count every person they show (25 a page), so the default is four full
  list pages: a manager's ordinary look through the list is not flagged, a
  walk through the whole register is.
- ``access_change``: a membership was requested, granted or approved (who gave
  whom access, at the auditor's organisation).
- ``no_relationship``: the participant exists and the user has, *now*, neither
  an unexpired relationship grant on them (supervisor, former supervisor in
  the grace period, case officer — grants are made and revoked with the
  relationship) nor a current manager membership at their enterprise. Events
  by auditors are not flagged: reading the log is their role. "Now" is
  deliberate: the flag asks "should this person still be looking?"; an
  access during a relationship that has since ended is flagged too, which the
  auditor resolves by looking at the history.
"""

import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.lookups import InSubqueryFirst
from accounts.models import Membership, Organisation, Role, User
from accounts.roles import organisations_with_role

from . import registry
from .models import AccessEvent

AUDITOR = "auditor"
MANAGER = "manager"


def auditor_organisations(user) -> list:
    return organisations_with_role(user, AUDITOR)


#: ISO weekday (1 = Monday) → working hours (from, to) in local time; days not
#: listed have none. ``AUDIT_WORKING_SCHEDULE`` overrides it (docs/audit.md).
DEFAULT_SCHEDULE = "mon-fri 07-19"
_DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


def parse_schedule(text: str) -> dict[int, tuple[int, int]]:
    """``"mon-fri 07-19, sat 10-16"`` → {1: (7, 19), …, 6: (10, 16)}; raises ValueError."""
    schedule: dict[int, tuple[int, int]] = {}
    for part in filter(None, (chunk.strip() for chunk in text.lower().split(","))):
        days, hours = part.split()
        first, _dash, last = days.partition("-")
        start, end = (int(hour) for hour in hours.split("-"))
        if not 0 <= start < end <= 24:
            raise ValueError(f"working hours {hours!r}: from must be before to, within 0-24")
        for day in range(_DAYS[first], _DAYS[last or first] + 1):
            schedule[day] = (start, end)
    return schedule


def working_schedule() -> dict[int, tuple[int, int]]:
    """The working days and hours; anything outside them is flagged "out of hours"."""
    text = getattr(settings, "AUDIT_WORKING_SCHEDULE", "") or DEFAULT_SCHEDULE
    try:
        return parse_schedule(text)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"AUDIT_WORKING_SCHEDULE {text!r}: {error}") from error


def _out_of_hours() -> Q:
    within = Q(local_weekday=0)  # no ISO weekday is 0: an empty schedule flags everything
    for day, (start, end) in working_schedule().items():
        within |= Q(local_weekday=day, local_hour__gte=start, local_hour__lt=end)
    return ~within


def bulk_threshold() -> int:
    return int(getattr(settings, "AUDIT_BULK_PARTICIPANTS_PER_HOUR", 100))


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(settings, "AUDIT_LOCAL_TIME_ZONE", "Europe/Stockholm"))


# --- the access log ------------------------------------------------------------------


@dataclass
class EventFilter:
    participant_id: uuid.UUID | None = None
    username: str = ""
    date_from: object = None
    date_to: object = None
    action: str = ""
    flagged_only: bool = False


def _in_scope(organisation_ids: list) -> Q:
    """Events by the organisation's members, or about its participants.

    The participants are read first (accounts.lookups): as a plain ``IN`` inside
    the ``OR``, PostgreSQL tested every event of every organisation against
    them, so the page and its count grew with the whole log.
    """
    participant = registry.subject().model
    return Q(organisation_id__in=organisation_ids) | Q(
        InSubqueryFirst(
            F("participant_id"),
            participant.objects.filter(organisation_id__in=organisation_ids).values("pk"),
        )
    )


def _with_flags(events: QuerySet) -> QuerySet:
    subject = registry.subject()
    zone = local_zone()
    window = (
        AccessEvent.objects.filter(
            user_id=OuterRef("user_id"),
            participant_id__isnull=False,
            occurred_at__gt=OuterRef("occurred_at") - timedelta(hours=1),
            occurred_at__lte=OuterRef("occurred_at"),
        )
        .order_by()
        .values("user_id")
        .annotate(participants=Count("participant_id", distinct=True))
        .values("participants")
    )
    related = subject.relationship(OuterRef("user_id"), OuterRef("participant_id"))
    exists = Exists(subject.model.objects.filter(pk=OuterRef("participant_id")))
    return events.annotate(
        local_hour=ExtractHour("occurred_at", tzinfo=zone),
        local_weekday=ExtractIsoWeekDay("occurred_at", tzinfo=zone),
        participants_in_hour=Coalesce(Subquery(window, output_field=IntegerField()), Value(0)),
    ).annotate(
        flag_out_of_hours=Case(
            When(_out_of_hours(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        flag_bulk=ExpressionWrapper(
            Q(participants_in_hour__gt=bulk_threshold()), output_field=BooleanField()
        ),
        flag_access_change=ExpressionWrapper(
            Q(action=AccessEvent.Action.ACCESS_CHANGE), output_field=BooleanField()
        ),
        flag_no_relationship=ExpressionWrapper(
            exists & ~related & ~Q(role=AUDITOR), output_field=BooleanField()
        ),
    )


def event_list_for_auditor(*, user, event_filter: EventFilter) -> QuerySet:
    """The auditor's organisation's events, newest first (flags: ``with_flags``)."""
    organisation_ids = auditor_organisations(user)
    if not organisation_ids:
        return AccessEvent.objects.none()
    events = AccessEvent.objects.filter(_in_scope(organisation_ids))
    if event_filter.participant_id:
        events = events.filter(participant_id=event_filter.participant_id)
    if event_filter.username:
        events = events.filter(
            user_id__in=User.objects.filter(username=event_filter.username).values("pk")
        )
    zone = local_zone()
    if event_filter.date_from:
        events = events.filter(
            occurred_at__gte=datetime.combine(event_filter.date_from, time.min, tzinfo=zone)
        )
    if event_filter.date_to:
        events = events.filter(
            occurred_at__lt=datetime.combine(
                event_filter.date_to + timedelta(days=1), time.min, tzinfo=zone
            )
        )
    if event_filter.action:
        events = events.filter(action=event_filter.action)
    if event_filter.flagged_only:
        events = _with_flags(events).filter(
            Q(flag_out_of_hours=True)
            | Q(flag_bulk=True)
            | Q(flag_no_relationship=True)
            | Q(flag_access_change=True)
        )
    return events.order_by("-occurred_at", "-id")


FLAGS = (
    "flag_out_of_hours",
    "flag_bulk",
    "flag_no_relationship",
    "flag_access_change",
    "participants_in_hour",
)


def with_flags(events: list[AccessEvent]) -> list[AccessEvent]:
    """The three flags (and the hour's participant count) set on one page of events.

    One query over the page's ids. Computed with the page query, PostgreSQL
    planned the flag subqueries for every event in scope and hashed them over
    whole tables (every participant, every grant), which grew with the
    database rather than with the page (docs/performance.md).
    """
    if not events:
        return events
    rows = {
        row["pk"]: row
        for row in _with_flags(AccessEvent.objects.filter(pk__in=[e.pk for e in events]))
        .order_by()
        .values("pk", *FLAGS)
    }
    for event in events:
        for name in FLAGS:
            setattr(event, name, rows[event.pk][name])
    return events


def names_for(events: list[AccessEvent]) -> tuple[dict, dict]:
    """Users' names (else usernames) and organisation names for one page (two queries)."""
    user_ids = {event.user_id for event in events if event.user_id}
    organisation_ids = {event.organisation_id for event in events if event.organisation_id}
    users = {
        pk: f"{first} {last}".strip() or username
        for pk, username, first, last in User.objects.filter(pk__in=user_ids).values_list(
            "pk", "username", "first_name", "last_name"
        )
    }
    organisations = dict(
        Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name")
    )
    return users, organisations


def participant_for_auditor(*, user, participant_id):
    """The participant (id and enterprise only) if it is in the auditor's organisation."""
    found = (
        registry.subject()
        .model.objects.filter(pk=participant_id, organisation_id__in=auditor_organisations(user))
        .select_related("organisation")
        .only("id", "organisation_id", "organisation__name")
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- change history ----------------------------------------------------------------

#: Fields whose values are never shown: encrypted content, keys, blind indexes.
NEVER_SHOWN = frozenset({"data_key", "personal_identity_index"})
BOOKKEEPING = frozenset({"id", "created_at", "updated_at"})
CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
CHANGE_LABELS = {"created": _("Created"), "changed": _("Changed"), "deleted": _("Deleted")}


@dataclass
class FieldChange:
    name: str
    label: str
    old: object = None
    new: object = None
    shown: bool = False


@dataclass
class ChangeEntry:
    when: datetime
    model_label: str
    model_name: str
    object_id: str
    change_type: str
    user_id: object
    reason: str
    fields: list[FieldChange] = field(default_factory=list)


def _encrypted_names(model) -> set[str]:
    from encryption.fields import EncryptedTextField

    return {f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}


def _field_changes(model, row, previous, encrypted: set[str]) -> list[FieldChange]:
    fields = {f.name: f for f in model._meta.concrete_fields}
    names: dict[str, tuple] = {}
    if previous is None:
        for name in fields:
            if name in BOOKKEEPING:
                continue
            value = row.__dict__.get(fields[name].attname)
            if value not in (None, ""):
                names[name] = (None, value)
    else:
        delta = row.diff_against(previous, excluded_fields=sorted(encrypted | BOOKKEEPING))
        for change in delta.changes:
            names[change.field] = (change.old, change.new)
        for name in encrypted:
            # Equal ciphertext means an unchanged value. Different ciphertext
            # may still hold the same value (a save re-encrypts what a form or
            # full_clean() assigned again), so compare the plaintexts here,
            # in the server: only the field's name reaches the auditor.
            attname = fields[name].attname
            if bytes(row.__dict__.get(attname) or b"") != bytes(
                previous.__dict__.get(attname) or b""
            ) and getattr(row, name) != getattr(previous, name):
                names[name] = (None, None)
    changes = []
    for name in sorted(names):
        shown = name not in encrypted and name not in NEVER_SHOWN
        old, new = names[name] if shown else (None, None)
        changes.append(
            FieldChange(
                name=name,
                # A field without its own verbose name shows its attribute name
                # ("recorded by"): translated here where the catalogue has it.
                label=gettext(str(fields[name].verbose_name)),
                old=old,
                new=new,
                shown=shown,
            )
        )
    return changes


def change_history(*, participant_id) -> list[ChangeEntry]:
    """Every history row of the participant's records, newest first, with field names.

    A fixed number of queries (the data key, one per registered history
    source), whatever the number of rows. Owner ids are subqueries, so the same
    statements run whether or not the participant has placements or assessments.
    """
    # The participant's data key, so that comparing encrypted values costs
    # no query per row (every row of their records uses this one key).
    from encryption import keycache
    from encryption.models import DataKey

    for data_key in DataKey.objects.filter(
        pk__in=registry.subject().model.objects.filter(pk=participant_id).values("data_key_id")
    ):
        keycache.remember(data_key)
    entries: list[ChangeEntry] = []
    for source in registry.history_sources():
        model, label = source.model, source.label
        history_model = model.history.model
        encrypted = _encrypted_names(model)
        owner_ids = registry.owner_ids(source.owner, participant_id)
        rows = history_model.objects.filter(**{f"{source.lookup}__in": owner_ids}).order_by(
            "id", "history_date"
        )
        previous_by_object: dict = {}
        for row in rows:
            previous = previous_by_object.get(row.id)
            entries.append(
                ChangeEntry(
                    when=row.history_date,
                    model_label=label,
                    model_name=str(model._meta.verbose_name),
                    object_id=str(row.id),
                    change_type=CHANGE_TYPES.get(row.history_type, row.history_type),
                    user_id=row.history_user_id,
                    reason=row.history_change_reason or "",
                    fields=[]
                    if row.history_type == "-"
                    else _field_changes(model, row, previous, encrypted),
                )
            )
            previous_by_object[row.id] = row
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


# --- the access extract ------------------------------------------------------------


@dataclass
class ExtractLine:
    when: datetime
    organisation: str
    role: str
    action: str
    what: str


def extract_lines(*, participant_id, describe=None) -> list[ExtractLine]:
    """Every access to and change of one participant's record, oldest first.

    Only rows that carry this participant's id (events) or belong to their
    records (history); three queries plus the history sources. ``describe``
    (section, object type, result count) → text names what was read.
    """
    events = list(AccessEvent.objects.filter(participant_id=participant_id).order_by("id"))
    changes = change_history(participant_id=participant_id)
    enterprise_id = (
        registry.subject()
        .model.objects.filter(pk=participant_id)
        .values_list("organisation_id", flat=True)
    ).first()
    # Who made each change: their role and organisation, preferring the
    # participant's enterprise, from memberships (one query).
    change_users = {change.user_id for change in changes if change.user_id}
    roles_by_user: dict = {}
    for user_id, organisation_id, role in Membership.objects.filter(
        user_id__in=change_users
    ).values_list("user_id", "organisation_id", "role"):
        current = roles_by_user.get(user_id)
        if current is None or organisation_id == enterprise_id:
            roles_by_user[user_id] = (organisation_id, role)
    organisation_ids = {event.organisation_id for event in events} | {
        organisation_id for organisation_id, _role in roles_by_user.values()
    }
    names = dict(
        Organisation.objects.filter(pk__in=organisation_ids - {None}).values_list("pk", "name")
    )
    role_labels = dict(Role.choices)
    action_labels = dict(AccessEvent.Action.choices)
    lines = [
        ExtractLine(
            when=event.occurred_at,
            organisation=names.get(event.organisation_id, ""),
            role=str(role_labels.get(event.role, event.role)),
            action=str(action_labels.get(event.action, event.action)),
            what=(
                describe(event.section, event.object_type, event.result_count)
                if describe
                else event.section or event.object_type
            ),
        )
        for event in events
    ]
    for change in changes:
        organisation_id, role = roles_by_user.get(change.user_id, (None, ""))
        lines.append(
            ExtractLine(
                when=change.when,
                organisation=names.get(organisation_id, ""),
                role=str(role_labels.get(role, role)),
                action=str(CHANGE_LABELS.get(change.change_type, change.change_type)),
                what=change.model_name,
            )
        )
    lines.sort(key=lambda line: line.when)
    return lines
