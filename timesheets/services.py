"""Writes on time confirmations: the participant confirms or disputes a month's
attendance (recorded by the supervisor or manager), the manager resolves a dispute.

Each write checks the acting user itself (placements.selectors.placement_write_check):
recording takes the right to write the placement's attendance (its manager or a
current supervisor); resolving a dispute takes the manager.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.history import save_with_history
from participants.policy import Relation
from placements.models import Attendance, Placement
from placements.sections import PlacementSection
from placements.selectors import attendance_today, placement_write_check
from placements.services import AttendanceEntry, attendance_record_week

from .models import TimeConfirmation
from .selectors import (
    ConfirmationState,
    attendance_digest,
    control_code,
    month_end,
    state_of,
)

#: The longest comment on a confirmation or a decision, in characters.
COMMENT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class AttendanceCorrection:
    """A disputed day as the manager corrects it (attendance_record_week's rules)."""

    attended_hours: Decimal
    absence_reason: str = ""


def _month_rows(placement: Placement, first_day: date) -> list[tuple]:
    return list(
        Attendance.objects.filter(
            placement=placement, date__range=(first_day, month_end(first_day))
        ).values_list("date", "planned_hours", "attended_hours", "absence_reason")
    )


def _comment_clean(comment: str, *, field: str, required: bool) -> str:
    text = (comment or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError({field: _("Write what the participant says is wrong.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                field: _("A comment is at most %(count)s characters (this one has %(length)s).")
                % {"count": COMMENT_MAX_LENGTH, "length": len(text)}
            }
        )
    return text


def time_confirmation_validate(
    *, placement: Placement, month: date, channel: str, disputed_days: Collection[date]
) -> None:
    """The checks on the month, the channel and the disputed days."""
    if month.day != 1:
        raise ValidationError({"month": _("A month starts on its first day.")})
    if channel == TimeConfirmation.Channel.E_ID:
        raise ValidationError(
            {
                "channel": _(
                    "Self-service with e-ID is not available yet: record it on paper or on screen."
                )
            }
        )
    if channel not in TimeConfirmation.Channel.values:
        raise ValidationError({"channel": _("Choose how the participant confirmed.")})
    last_day = month_end(month)
    if (
        placement.start_date is None
        or placement.start_date > last_day
        or (placement.actual_end is not None and placement.actual_end < month)
    ):
        raise ValidationError({"month": _("The placement has no days in this month.")})
    if month > attendance_today():
        raise ValidationError({"month": _("A month is confirmed once it has begun.")})
    for day in disputed_days:
        if not month <= day <= last_day:
            raise ValidationError(
                {"disputed_days": _("%(day)s is not in this month.") % {"day": day}}
            )


@transaction.atomic
def time_confirmation_record(
    *,
    placement: Placement,
    month: date,
    channel: str,
    seen: str,
    acting_user: User,
    disputed_days: Collection[date] = (),
    comment: str = "",
) -> TimeConfirmation:
    """Record the participant's confirmation of a month's attendance, or their dispute
    of some of its days (with a comment), as the participant gave it.

    ``seen`` proves what the participant confirmed: on screen, the digest of the
    attendance the screen showed; on paper, the control code printed on the signed
    sheet. Attendance changed since then is refused (show or print the month again).
    A month confirmed again replaces the earlier confirmation (its history keeps it)
    once attendance has changed; an open dispute is resolved by the manager first.
    """
    placement_write_check(
        user=acting_user, placements=[placement], sections=(PlacementSection.ATTENDANCE,)
    )
    days = sorted(set(disputed_days))
    time_confirmation_validate(
        placement=placement, month=month, channel=channel, disputed_days=days
    )
    text = _comment_clean(comment, field="comment", required=bool(days))
    digest = attendance_digest(_month_rows(placement, month))
    if channel == TimeConfirmation.Channel.PAPER:
        if (seen or "").strip().upper() != control_code(digest):
            raise ValidationError(
                {
                    "seen": _(
                        "The control code does not match the attendance recorded now: "
                        "attendance changed after the sheet was printed. Print the month "
                        "again and let the participant sign the new sheet."
                    )
                }
            )
    elif seen != digest:
        raise ValidationError(
            _("The attendance changed while it was shown: show the month again and confirm it.")
        )
    existing = (
        TimeConfirmation.objects.select_for_update()
        .filter(placement=placement, month=month)
        .first()
    )
    if existing is not None:
        if existing.open_dispute:
            raise ValidationError(_("The month has a dispute waiting for the manager's decision."))
        if state_of(existing, digest) != ConfirmationState.OUTDATED:
            raise ValidationError(
                _("The month is already confirmed; it is confirmed again if attendance changes.")
            )
    confirmation = existing or TimeConfirmation(
        placement=placement, data_key_id=placement.data_key_id, month=month
    )
    confirmation.status = (
        TimeConfirmation.Status.DISPUTED if days else TimeConfirmation.Status.CONFIRMED
    )
    confirmation.channel = channel
    confirmation.recorded_by = acting_user
    confirmation.recorded_at = timezone.now()
    confirmation.digest = digest
    confirmation.disputed_days = [day.isoformat() for day in days]
    confirmation.comment = text
    confirmation.resolution = ""
    confirmation.resolved_by = None
    confirmation.resolved_at = None
    confirmation.resolution_comment = ""
    reason = "time disputed" if days else "time confirmed"
    try:
        with transaction.atomic():  # a savepoint: the month's first answer, twice at once
            save_with_history(confirmation, user=acting_user, reason=f"{reason} ({channel})")
    except IntegrityError:
        if existing is not None:
            raise
        raise ValidationError(
            _("Someone recorded this month's answer a moment ago: show the month again.")
        ) from None
    return confirmation


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def time_dispute_resolve(
    *,
    confirmation: TimeConfirmation,
    resolution: str,
    comment: str,
    acting_user: User,
    corrections: Mapping[date, AttendanceCorrection] | None = None,
) -> TimeConfirmation:
    """The manager's decision on a disputed month: the attendance is kept as recorded,
    or corrected (``corrections``, written by attendance_record_week with its rules and
    history, or corrected already on the grid). A corrected month no longer matches
    the confirmation, so the participant confirms it again."""
    placement = confirmation.placement
    placement_write_check(user=acting_user, placements=[placement], relation=Relation.MANAGER)
    if not confirmation.open_dispute:
        raise ValidationError(_("There is no dispute waiting for a decision on this month."))
    if resolution not in TimeConfirmation.Resolution.values:
        raise ValidationError(
            {"resolution": _("Choose whether the attendance is corrected or kept.")}
        )
    text = _comment_clean(comment, field="resolution_comment", required=False)
    if not text:
        raise ValidationError({"resolution_comment": _("Write the reason for the decision.")})
    corrections = dict(corrections or {})
    if resolution == TimeConfirmation.Resolution.KEPT and corrections:
        raise ValidationError(_("Attendance kept as recorded takes no corrections."))
    last_day = month_end(confirmation.month)
    if any(not confirmation.month <= day <= last_day for day in corrections):
        raise ValidationError(_("A corrected day must be in the disputed month."))
    if corrections:
        if placement.unit is None:
            raise ValidationError(_("The placement has no unit to record attendance at."))
        notes = dict(
            (row.date, row.note)
            for row in Attendance.objects.filter(
                placement=placement, date__in=list(corrections)
            ).select_related("data_key")
        )
        weeks: dict[date, list[AttendanceEntry]] = {}
        for day, correction in sorted(corrections.items()):
            weeks.setdefault(_monday(day), []).append(
                AttendanceEntry(
                    placement_id=placement.pk,
                    date=day,
                    attended_hours=correction.attended_hours,
                    absence_reason=correction.absence_reason,
                    note=notes.get(day, ""),
                )
            )
        for week_start, entries in weeks.items():
            attendance_record_week(
                unit=placement.unit, week_start=week_start, entries=entries, acting_user=acting_user
            )
    elif resolution == TimeConfirmation.Resolution.CORRECTED:
        if attendance_digest(_month_rows(placement, confirmation.month)) == confirmation.digest:
            raise ValidationError(
                _(
                    "Nothing is corrected: enter the right hours for the days, "
                    "or keep the attendance."
                )
            )
    confirmation.resolution = resolution
    confirmation.resolved_by = acting_user
    confirmation.resolved_at = timezone.now()
    confirmation.resolution_comment = text
    save_with_history(
        confirmation,
        user=acting_user,
        reason=f"time dispute resolved ({resolution})",
        update_fields=["resolution", "resolved_by", "resolved_at", "resolution_comment"],
    )
    return confirmation
