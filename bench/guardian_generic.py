"""Guardian's generic object-permission path, for the lists' side-by-side ratio (bench only).

Stegvis keeps participant and placement grants in guardian's *direct*
foreign-key tables (``ParticipantUserObjectPermission``,
``PlacementUserObjectPermission``). The ``…:generic_guardian`` variants measure
the same list as an application on guardian's *generic* table would run it:

- the same grants (the current ones; the generic table has no expiry) are
  copied into ``guardian_userobjectpermission`` for the same users, with
  ``object_pk = str(pk)`` as ``assign_perm`` stores it (once per data set);
- the visibility filter keeps the product's shape (manager by enterprise,
  supervisor and case officer through their grants) but takes the granted ids
  from guardian's own ``get_objects_for_user(user, perm, klass=Model.objects.all(),
  accept_global_perms=False, use_groups=False)``, forced onto the generic
  table: guardian picks a direct table by itself whenever the model has one, so
  its model lookup is patched to answer ``UserObjectPermission``. The SQL is
  guardian's, unchanged: the content type through ``auth_permission``, the
  codename, ``pk IN (SELECT CAST(object_pk AS uuid) …)`` on PostgreSQL or
  ``REPLACE(object_pk, '-', '')`` on SQLite, and its ``klass`` filter
  (``CAST(CAST(object_pk AS uuid) AS varchar) IN (SELECT CAST(id AS varchar)
  FROM participants_participant)`` on PostgreSQL, ``REPLACE`` on both sides on
  SQLite);
- ``…:generic_guardian_10x`` measures it again with nine times as many rows
  again in the generic table, granted to *other* users on real participants and
  placements (a production generic table holds every user's grants on every
  model), inserted before and deleted after that variant, outside the timing.
"""

import random
from contextlib import contextmanager
from unittest import mock

from bench.data import analyze

#: guardian's generic table of user permissions.
GENERIC_TABLE = "guardian_userobjectpermission"
GET_OBJECTS_OPTIONS = {"accept_global_perms": False, "use_groups": False}
PADDING_FACTOR = 10


def _sources():
    from participants.models import Participant, ParticipantUserObjectPermission
    from placements.models import Placement, PlacementUserObjectPermission

    return (
        (Participant, ParticipantUserObjectPermission),
        (Placement, PlacementUserObjectPermission),
    )


def _current(source):
    from django.db.models import Q
    from django.utils import timezone

    grants = source.objects.all()
    if any(field.name == "expires_on" for field in source._meta.get_fields()):
        today = timezone.localdate()
        grants = grants.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return grants


def generic_grants_ensure(log=print) -> int:
    """Copy the current direct-table grants into guardian's generic table (once per data set)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from guardian.models import UserObjectPermission

    expected = sum(_current(source).count() for _model, source in _sources())
    existing = UserObjectPermission.objects.count()
    sample = UserObjectPermission.objects.values_list("object_pk", flat=True).first()
    # Earlier bench versions stored SQLite's 32-digit hex; guardian stores str(pk).
    if existing == expected and (sample is None or "-" in sample):
        return existing
    log(f"bench: copying {expected} grants into guardian's generic table (object_pk = str(pk))")
    with transaction.atomic():
        UserObjectPermission.objects.all()._raw_delete(UserObjectPermission.objects.db)
        for model, source in _sources():
            content_type = ContentType.objects.get_for_model(model)
            rows = _current(source).values_list("user_id", "permission_id", "content_object_id")
            batch = []
            for user_id, permission_id, object_id in rows.iterator(chunk_size=5000):
                batch.append(
                    UserObjectPermission(
                        user_id=user_id,
                        permission_id=permission_id,
                        content_type=content_type,
                        object_pk=str(object_id),
                    )
                )
                if len(batch) >= 5000:
                    UserObjectPermission.objects.bulk_create(batch)
                    batch = []
            UserObjectPermission.objects.bulk_create(batch)
    analyze(GENERIC_TABLE)
    return UserObjectPermission.objects.count()


@contextmanager
def _generic_table_forced():
    """Make guardian use its generic tables although the model has direct ones."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    with (
        mock.patch(
            "guardian.shortcuts.get_user_obj_perms_model", lambda obj=None: UserObjectPermission
        ),
        mock.patch(
            "guardian.shortcuts.get_group_obj_perms_model", lambda obj=None: GroupObjectPermission
        ),
    ):
        yield


def guardian_granted_q(user, perm: str, model):
    """The filter guardian's generic ``get_objects_for_user`` puts on ``model``, as a Q.

    It is the WHERE clause of guardian's own queryset, taken as it is, so it
    can be combined with the enterprise conditions the way the product's
    ``Q(pk__in=…)`` is.
    """
    from django.db.models import Q
    from guardian.shortcuts import get_objects_for_user

    with _generic_table_forced():
        granted = get_objects_for_user(user, perm, klass=model.objects.all(), **GET_OBJECTS_OPTIONS)
    return Q(granted.query.where)


def generic_participant_visible_q(user):
    """participants.selectors._visible_q with the grants read through guardian's generic path."""
    from django.db.models import Exists, Q

    from accounts.models import Role
    from accounts.roles import organisations_with_role
    from participants import selectors
    from participants.models import Participant

    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    return (
        Q(organisation_id__in=managed)
        | (
            guardian_granted_q(user, "participants.view_participant", Participant)
            & Q(organisation_id__in=supervised_at)
        )
        | (
            guardian_granted_q(user, "participants.follow_participant", Participant)
            & Exists(selectors._referred_by(agencies))
        )
    )


def generic_placement_visible_q(user):
    """placements.selectors._visible_q with the grants read through guardian's generic path."""
    from django.db.models import Q

    from accounts.models import Role
    from accounts.roles import organisations_with_role
    from placements.models import Placement

    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    return (
        Q(participant__organisation_id__in=managed)
        | (
            guardian_granted_q(user, "placements.view_placement", Placement)
            & Q(participant__organisation_id__in=supervised_at)
        )
        | (
            guardian_granted_q(user, "placements.review_placement", Placement)
            & Q(referring_organisation_id__in=agencies)
        )
    )


@contextmanager
def generic_guardian_tables():
    """The lists' visibility filters read guardian's generic table instead of the direct ones."""
    with (
        mock.patch("participants.selectors._visible_q", generic_participant_visible_q),
        mock.patch("placements.selectors._visible_q", generic_placement_visible_q),
    ):
        yield


def generic_matches_direct(user) -> tuple[int, int]:
    """How many participants the user sees through the direct and through the generic path."""
    from participants.selectors import participant_list_for

    direct = set(participant_list_for(user=user).values_list("pk", flat=True))
    with generic_guardian_tables():
        generic = set(participant_list_for(user=user).values_list("pk", flat=True))
    if direct != generic:
        raise AssertionError(
            f"generic path sees {len(generic)} participants, direct {len(direct)} for {user}"
        )
    return len(direct), len(generic)


@contextmanager
def generic_padding(*, factor: int = PADDING_FACTOR, measured_users=(), log=print):
    """(factor − 1) × the generic table's rows more, for other users, removed afterwards."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import Max
    from guardian.models import UserObjectPermission

    from accounts.models import User

    base = UserObjectPermission.objects.count()
    wanted = base * (factor - 1)
    last_id = UserObjectPermission.objects.aggregate(last=Max("id"))["last"] or 0
    excluded = {user.pk for user in measured_users}
    users = sorted(pk for pk in User.objects.values_list("pk", flat=True) if pk not in excluded)
    taken = set(UserObjectPermission.objects.values_list("user_id", "permission_id", "object_pk"))
    chooser = random.Random(2026)  # noqa: S311 (bench data, not security)
    targets = []
    for model, _source in _sources():
        content_type = ContentType.objects.get_for_model(model)
        permissions = list(
            Permission.objects.filter(content_type=content_type).values_list("pk", flat=True)
        )
        object_pks = [str(pk) for pk in model.objects.values_list("pk", flat=True)]
        targets.append((content_type, permissions, object_pks))
    log(f"bench: padding guardian's generic table with {wanted} grants for other users")
    rows = []
    while len(rows) < wanted:
        content_type, permissions, object_pks = chooser.choice(targets)
        key = (chooser.choice(users), chooser.choice(permissions), chooser.choice(object_pks))
        if key in taken:
            continue
        taken.add(key)
        rows.append(
            UserObjectPermission(
                user_id=key[0], permission_id=key[1], content_type=content_type, object_pk=key[2]
            )
        )
    with transaction.atomic():
        UserObjectPermission.objects.bulk_create(rows, batch_size=5000)
    analyze(GENERIC_TABLE)
    try:
        yield UserObjectPermission.objects.count()
    finally:
        padding = UserObjectPermission.objects.filter(id__gt=last_id)
        padding._raw_delete(padding.db)
        analyze(GENERIC_TABLE)
