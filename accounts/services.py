"""Writes about users: second-factor devices, recovery codes, sessions, deactivation."""

import binascii
import logging
import re
from base64 import b32decode, b32encode
from datetime import date
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from encryption.blind_index import blind_index

from .models import CONTENT_ROLES, Membership, Organisation, Role, User
from .otp import totp_secret_store
from .signals import access_changed

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"

_TOTP_CODE = re.compile(r"^\d{6}$")
_RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")
#: Characters of a stored recovery-code digest (django-otp's StaticToken.token).
RECOVERY_DIGEST_LENGTH = 16


def _normalise_code(code: str) -> str:
    """Drop the spaces and hyphens people type, and ignore case."""
    return re.sub(r"[\s-]", "", code).lower()


@transaction.atomic
def totp_device_create(
    *, user: User, confirmed: bool, secret_base32: str | None = None, replace: bool = False
) -> tuple[TOTPDevice, str]:
    """Create the user's TOTP device and return it with its secret in base32.

    Unconfirmed (abandoned) enrolments are always removed. A user who already
    has a confirmed device keeps it unless ``replace`` is true: an enrolment
    must never silently add a second way in. ``secret_base32`` lets the demo
    seed reuse a known secret; otherwise a random 160-bit key is generated.
    """
    existing = TOTPDevice.objects.select_for_update().filter(user=user)
    if existing.filter(confirmed=True).exists() and not replace:
        raise ValidationError(_("This user already has an authenticator app."))
    existing.delete()
    # django-otp's default key (random) stays in its column as a decoy; the
    # secret is stored encrypted (accounts.otp).
    device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=confirmed)
    if secret_base32:
        cleaned = re.sub(r"\s", "", secret_base32).upper()
        try:
            key = b32decode(cleaned + "=" * (-len(cleaned) % 8))
        except binascii.Error as error:
            raise ValidationError(_("The TOTP secret is not valid base32.")) from error
        if len(key) < 16:
            raise ValidationError(_("The TOTP secret must be at least 128 bits."))
        secret_hex = key.hex()
    else:
        secret_hex = random_hex(20)
    device.full_clean()
    device.save()
    totp_secret_store(device=device, secret_hex=secret_hex)
    return device, b32encode(device.bin_key).decode("ascii").rstrip("=")


@transaction.atomic
def totp_enrolment_start(*, user: User) -> tuple[TOTPDevice, str]:
    """The user's pending (unconfirmed) TOTP device, created if there is none.

    Reusing the pending device keeps the QR code stable across page reloads.
    """
    pending = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if pending is None:
        return totp_device_create(user=user, confirmed=False)
    return pending, b32encode(pending.bin_key).decode("ascii").rstrip("=")


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Confirm an enrolment with a code from the app; the code is consumed."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed:
        raise ValidationError(_("This authenticator app is already confirmed."))
    code = _normalise_code(code)
    if not _TOTP_CODE.match(code) or not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    return True


def recovery_code_digest(*, user_id, code: str) -> str:
    """What is stored for a recovery code: a keyed digest, never the code.

    HMAC-SHA256 under the blind-index key (purpose ``recovery-code``, so it can
    never equal a personnummer index), over the user's id and the normalised
    code, cut to the 16 characters of django-otp's token column (64 bits; the
    code itself has 40). A copy of the database alone gives no usable code,
    and no offline guessing without the key. django-otp looks the digest up
    and throttles failures as it does for a plain token.
    """
    return blind_index(f"{user_id}|{_normalise_code(code)}", purpose="recovery-code")[
        :RECOVERY_DIGEST_LENGTH
    ]


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new single-use ones.

    Returns the codes to show once; only their digests are stored.
    """
    StaticDevice.objects.select_for_update().filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_digest(user_id=user.pk, code=code))
        for code in codes
    )
    return sorted(codes)


def second_factor_verify(*, user: User, code: str) -> Device | None:
    """Check a TOTP code or a recovery code; return the device that accepted it.

    Each code works once: TOTP refuses a time step at or before the last one
    used (``TOTPDevice.last_t``), a recovery code is deleted when used, and
    both devices throttle repeated failures.
    """
    code = _normalise_code(code)
    if _TOTP_CODE.match(code):
        candidates = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    elif _RECOVERY_CODE.match(code):
        candidates = StaticDevice.objects.devices_for_user(user, confirmed=True)
        code = recovery_code_digest(user_id=user.pk, code=code)
    else:
        return None
    for device in candidates:
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def user_has_totp_device(*, user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def user_has_second_factor(*, user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def user_sessions_end(*, user: User) -> int:
    """Delete every stored session of the user; return how many there were.

    Database-backed session engines (``db``, ``cached_db``) can be searched
    per user. A pure cache engine (Redis) cannot: there the sessions stay in
    the cache until their idle timeout, but they are already dead, because
    ``AuthenticationMiddleware`` refuses any session of an inactive user and
    a changed password invalidates the session hash.
    """
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        logger.warning(
            "Sessions of user %s left to expire: %s cannot be searched per user.",
            user.pk,
            settings.SESSION_ENGINE,
        )
        return 0
    session_model = store_class.get_model_class()
    user_key = user._meta.pk.value_to_string(user)
    ended = 0
    # Session data is encoded, so a per-user lookup must decode each live session.
    # Fine for this system's size (hundreds of users); revisit above that.
    for session in session_model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == user_key:
            store_class(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, user: User, acting_user: User) -> User:
    """Deactivate the user and end all their sessions at once.

    ``acting_user`` is who asked (an administrator); the caller's access rule
    decides who may.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Sessions are deleted inside the transaction: if that fails, the user
    # stays active and the caller sees the error rather than a half-done job.
    user_sessions_end(user=user)
    return user


# --- memberships: four eyes for access to participant content ---------------------------


def _announce(*, membership: Membership, change: str, acting_user: User) -> None:
    if not access_changed.has_listeners(Membership):
        raise ImproperlyConfigured("no app records access changes: refusing to change access")
    access_changed.send(
        sender=Membership, membership=membership, change=change, acting_user=acting_user
    )


def _open_roles(user: User) -> set[str]:
    """Roles the user holds or has asked for (approved or pending, not ended)."""
    today = timezone.localdate()
    return set(
        Membership.objects.filter(user=user)
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=today))
        .values_list("role", flat=True)
    )


def membership_request_validate(
    *, user: User, organisation: Organisation, role: str, acting_user: User
) -> None:
    """The rules a new membership must meet (the admin form shows them as errors)."""
    if not Membership.objects.current().filter(user=acting_user, role=Role.ADMIN).exists():
        raise PermissionDenied(_("Only an administrator can give users roles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    kind = Membership.ROLE_ORGANISATION_KIND.get(role)
    if kind is not None and organisation.kind != kind:
        raise ValidationError(
            {
                "organisation": _("This role belongs at an organisation of the kind “%(kind)s”.")
                % {"kind": Organisation.Kind(kind).label}
            }
        )
    held = _open_roles(user)
    if role in CONTENT_ROLES and Role.ADMIN in held:
        raise ValidationError(
            {"role": _("An administrator cannot also hold a role that sees participants.")}
        )
    if role == Role.ADMIN and held & CONTENT_ROLES:
        raise ValidationError(
            {"role": _("A user with a role that sees participants cannot be an administrator.")}
        )
    if role in CONTENT_ROLES and user.pk == acting_user.pk:
        raise ValidationError(_("Nobody can give themselves access to participants."))


@transaction.atomic
def membership_request(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    acting_user: User,
    active_from: date | None = None,
) -> Membership:
    """Give a user a role at an organisation.

    A role that sees participant content (manager, supervisor, case officer) is
    created *pending*: it grants nothing until a second person approves it
    (:func:`membership_approve`). Other roles take effect at once. The
    administrator role and the content roles are never held by one user, and
    nobody asks for content access for themselves. Every change is announced
    (``accounts.signals.access_changed``) for the audit log.
    """
    membership_request_validate(
        user=user, organisation=organisation, role=role, acting_user=acting_user
    )
    membership = Membership(
        user=user,
        organisation=organisation,
        role=role,
        active_from=active_from or timezone.localdate(),
        requested_by=acting_user,
        approved_at=None if role in CONTENT_ROLES else timezone.now(),
    )
    membership.full_clean()
    membership._history_user = acting_user
    membership._change_reason = (
        "membership requested" if role in CONTENT_ROLES else "membership granted"
    )
    membership.save()
    _announce(
        membership=membership,
        change="requested" if role in CONTENT_ROLES else "granted",
        acting_user=acting_user,
    )
    return membership


@transaction.atomic
def membership_approve(*, membership: Membership, acting_user: User) -> Membership:
    """The second person approves a pending membership: another administrator, or a
    manager of the organisation it is at; never the member or the one who asked."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.approved_at is not None:
        raise ValidationError(_("This membership is already approved."))
    if membership.active_to is not None:
        raise ValidationError(_("This membership has ended."))
    _check_second_person(membership=membership, acting_user=acting_user)
    membership.approved_by = acting_user
    membership.approved_at = timezone.now()
    membership._history_user = acting_user
    membership._change_reason = "membership approved"
    membership.save(update_fields=["approved_by", "approved_at"])
    _announce(membership=membership, change="approved", acting_user=acting_user)
    return membership


def _check_second_person(*, membership: Membership, acting_user: User) -> None:
    if acting_user.pk in (membership.user_id, membership.requested_by_id):
        raise PermissionDenied(
            _("A second person must approve: not the member, not the one who asked.")
        )
    roles_of_approver = {
        (m.organisation_id, m.role) for m in Membership.objects.current().filter(user=acting_user)
    }
    is_admin = any(role == Role.ADMIN for _organisation, role in roles_of_approver)
    manages_it = (membership.organisation_id, Role.MANAGER) in roles_of_approver
    if not (is_admin or manages_it):
        raise PermissionDenied(
            _("Only an administrator or a manager of the organisation can approve.")
        )


@transaction.atomic
def membership_refuse(*, membership: Membership, acting_user: User) -> Membership:
    """The second person refuses a pending membership: it ends without ever being
    in force (``active_to`` set, never approved). Same people as may approve."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.approved_at is not None:
        raise ValidationError(_("This membership is already approved."))
    if membership.active_to is not None:
        raise ValidationError(_("This membership has ended."))
    _check_second_person(membership=membership, acting_user=acting_user)
    membership.active_to = max(membership.active_from, timezone.localdate())
    membership._history_user = acting_user  # type: ignore[attr-defined]
    membership._change_reason = "membership refused"  # type: ignore[attr-defined]
    membership.save(update_fields=["active_to"])
    _announce(membership=membership, change="refused", acting_user=acting_user)
    return membership
