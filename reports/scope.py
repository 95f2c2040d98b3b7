"""Which enterprises a user may report on.

Managers report on the enterprises they manage. Analysts (funders) see only the
enterprises that chose to share their statistics with the analyst's funder
(``Organisation.statistics_shared_with``), and only in anonymised form.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from accounts.roles import organisations_with_role


def reportable_organisation_ids(*, user: User, anonymised: bool) -> set:
    """Enterprise ids the user may report on: the named report or the anonymised export."""
    if not user.is_authenticated or not user.is_active:
        return set()
    managed = set(organisations_with_role(user, Role.MANAGER))
    if not anonymised:
        return managed
    funders = organisations_with_role(user, Role.ANALYST)
    shared = set()
    if funders:
        shared = set(
            Organisation.objects.filter(
                kind=Organisation.Kind.ENTERPRISE, statistics_shared_with__in=funders
            ).values_list("id", flat=True)
        )
    return managed | shared


def reportable_organisations(*, user: User, anonymised: bool) -> list[Organisation]:
    ids = reportable_organisation_ids(user=user, anonymised=anonymised)
    return list(Organisation.objects.filter(id__in=ids, kind=Organisation.Kind.ENTERPRISE))


def scope_resolve(*, user: User, requested_ids, anonymised: bool) -> list:
    """The requested enterprise ids, all of them allowed; or every allowed one if none asked.

    Asking for one the user may not report on is refused as a whole (fail
    closed), so a forged id cannot widen the report.
    """
    allowed = reportable_organisation_ids(user=user, anonymised=anonymised)
    if not allowed:
        raise PermissionDenied(_("You may not report on any enterprise."))
    requested = {str(value) for value in (requested_ids or []) if str(value).strip()}
    if not requested:
        return sorted(allowed, key=str)
    allowed_by_text = {str(value): value for value in allowed}
    if not requested <= set(allowed_by_text):
        raise PermissionDenied(_("You may not report on one of the chosen enterprises."))
    return sorted((allowed_by_text[value] for value in requested), key=str)


@dataclass(frozen=True)
class Period:
    """Whole months, first to last inclusive (reports are never finer than a month)."""

    first_month: date
    last_month: date

    @property
    def start(self) -> date:
        return self.first_month

    @property
    def end(self) -> date:
        """The last day of the last month."""
        from casework.due import add_months

        return add_months(self.last_month, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.first_month:%Y-%m} – {self.last_month:%Y-%m}"

    @property
    def code(self) -> str:
        return f"{self.first_month:%Y-%m}:{self.last_month:%Y-%m}"

    @classmethod
    def from_months(cls, first: str, last: str) -> "Period":
        try:
            first_month = _month(first)
            last_month = _month(last)
        except ValueError:
            raise ValidationError(_("Enter months as YYYY-MM.")) from None
        if last_month < first_month:
            raise ValidationError(_("The period cannot end before it starts."))
        if (last_month.year - first_month.year) * 12 + last_month.month - first_month.month > 119:
            raise ValidationError(_("The period can be at most ten years."))
        return cls(first_month=first_month, last_month=last_month)

    @classmethod
    def parse(cls, text: str) -> "Period":
        """``YYYY-MM:YYYY-MM`` (or a single ``YYYY-MM``)."""
        first, _sep, last = (text or "").partition(":")
        return cls.from_months(first.strip(), (last or first).strip())


def _month(text: str) -> date:
    year, _sep, month = text.partition("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(text)
    return date(int(year), int(month), 1)
