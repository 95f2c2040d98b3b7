"""What the auditor's screens show about people and events, in words.

The audit app stores codes (role, section, object type) and ids; it imports no
domain app. The desk knows the domain: here the codes become Swedish labels and
participant ids become names (decrypted for the participants of the auditor's
organisation only, and each name shown is an access event of the caller's).
"""

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from accounts.models import Role
from audit import review
from participants.models import Participant
from participants.policy import RULES
from participants.selectors import participants_matching

#: Screens and objects named in access events (the sections come from the policy).
WHAT_LABELS = {
    "access_log": gettext_lazy("Access log"),
    "access_extract": gettext_lazy("Access extract"),
    "outcome_report": gettext_lazy("Outcome report"),
    "export": gettext_lazy("Anonymised export"),
    "list": gettext_lazy("Participant list"),
    "overview": gettext_lazy("Record overview"),
    "home": pgettext_lazy("main menu", "Home"),
    "placement": gettext_lazy("Placement"),
    "placement_list": gettext_lazy("Placement list"),
    "unit": gettext_lazy("Unit attendance"),
    "referral_form": gettext_lazy("Referral form"),
    "reviews_due": gettext_lazy("Reviews due"),
    "follow_ups_due": gettext_lazy("Follow-ups due"),
    "follow_up": gettext_lazy("Follow-up"),
    "requested": gettext_lazy("requested"),
    "granted": gettext_lazy("granted"),
    "approved": gettext_lazy("approved"),
    "membership": gettext_lazy("Membership"),
}


def role_label(code: str) -> str:
    return str(dict(Role.choices).get(code, code)) if code else ""


def _label(code: str) -> str:
    if code in WHAT_LABELS:
        return str(WHAT_LABELS[code])
    if code in RULES:
        return str(RULES[code].label)
    kind, separator, rest = code.partition(":")
    if separator and kind in WHAT_LABELS:
        return f"{WHAT_LABELS[kind]}: {role_label(rest)}"
    return code


def what_label(section: str, object_type: str = "", result_count=None) -> str:
    """ "Deltagarlista, 26 personer" for section "list" with 26 results, and so on."""
    parts = []
    for code in (section, object_type):
        label = _label(code) if code else ""
        if label and label not in parts:
            parts.append(label)
    text = ", ".join(parts)
    if result_count is not None:
        count = ngettext("%(count)s person", "%(count)s people", result_count) % {
            "count": result_count
        }
        text = f"{text}, {count}" if text else count
    return text


def describe_events(events) -> None:
    """Set ``what`` and ``role_label`` on each event of a page."""
    for event in events:
        event.what = what_label(event.section, event.object_type, event.result_count)
        event.role_label = role_label(event.role)


def _in_auditor_scope(user):
    return Participant.objects.filter(organisation_id__in=review.auditor_organisations(user))


def participant_names_for_auditor(*, user, participant_ids) -> dict:
    """Participant id → full name, for those in the auditor's organisation (one query)."""
    ids = {pk for pk in participant_ids if pk}
    if not ids:
        return {}
    participants = (
        _in_auditor_scope(user)
        .filter(pk__in=ids)
        .select_related("data_key")
        .only("id", "given_name", "family_name", "data_key")
    )
    return {participant.pk: participant.full_name for participant in participants}


def participants_matching_for_auditor(*, user, term: str) -> list:
    """(id, name) of the auditor's organisation's participants matching a name or number."""
    matched = participants_matching(_in_auditor_scope(user), term)
    names = participant_names_for_auditor(
        user=user, participant_ids=matched.values_list("pk", flat=True)
    )
    return sorted(names.items(), key=lambda item: (item[1].casefold(), str(item[0])))


def schedule_label(schedule: dict[int, tuple[int, int]]) -> str:
    """{1: (7, 19), …, 5: (7, 19)} → "mån–fre 07–19"; runs of days with the same hours."""
    runs: list[list] = []
    for day in sorted(schedule):
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == schedule[day]:
            runs[-1][1] = day
        else:
            runs.append([day, day, schedule[day]])
    parts = []
    for first, last, (start, end) in runs:
        days = str(WEEKDAYS_ABBR[first - 1])
        if last != first:
            days += f"–{WEEKDAYS_ABBR[last - 1]}"
        parts.append(f"{days} {start:02d}–{end:02d}")
    return ", ".join(parts) or _("no working hours")


def no_match_message() -> str:
    return _("No participant of your organisation matches.")
