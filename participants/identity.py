"""Swedish personal identity numbers (personnummer) and co-ordination numbers
(samordningsnummer), validated with python-stdnum.

python-stdnum validates personnummer; a samordningsnummer is the same number
with 60 added to the day of birth, so its date is checked by giving stdnum the
number with the day shifted back, and its check digit with stdnum's Luhn over
the number as written.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import personnummer
from stdnum.util import isdigits

from encryption.blind_index import blind_index

BLIND_INDEX_PURPOSE = "personal-identity-number"
COORDINATION_DAY_OFFSET = 60


def normalise_identity_number(value: str) -> str:
    """The 12-digit form (YYYYMMDDNNNN) of a valid number, or a ValidationError.

    Accepts ``YYMMDD-NNNN``, ``YYMMDD+NNNN`` (aged 100 or more),
    ``YYYYMMDDNNNN`` and ``YYYYMMDD-NNNN``.
    """
    invalid = ValidationError(
        _("Enter a valid personal identity number or co-ordination number, e.g. 19121212-1212."),
        code="invalid_identity_number",
    )
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("A personal identity number is required."), code="required")
    try:
        compact = personnummer.compact(text)
        if len(compact) not in (11, 13) or compact[-5] not in "-+":
            raise invalid
        digits = compact[:-5] + compact[-4:]
        # str.isdigit() also accepts other Unicode digits (e.g. "²"), which int()
        # then refuses; stdnum's isdigits takes ASCII 0-9 only.
        if not isdigits(digits):
            raise invalid
        day = int(compact[-7:-5])
        if day > COORDINATION_DAY_OFFSET:
            shifted = f"{compact[:-7]}{day - COORDINATION_DAY_OFFSET:02d}{compact[-5:]}"
            birth_date = personnummer.get_birth_date(shifted)
            luhn.validate(digits[-10:])
        else:
            personnummer.validate(compact)
            birth_date = personnummer.get_birth_date(compact)
    except StdnumError:
        raise invalid from None
    if birth_date > timezone.localdate():
        raise invalid
    return f"{birth_date.year:04d}"[:2] + digits[-10:]


def format_identity_number(normalised: str) -> str:
    """``YYYYMMDD-NNNN`` for display."""
    return f"{normalised[:8]}-{normalised[8:]}"


def mask_identity_number(number: str) -> str:
    """The number with its last four digits hidden ("19121212-••••"): the birth date only."""
    return f"{number[:-4]}••••" if len(number) > 4 else "••••"


def is_coordination_number(normalised: str) -> bool:
    return int(normalised[6:8]) > COORDINATION_DAY_OFFSET


def identity_index(normalised: str) -> str:
    """Blind index of a normalised number, for exact lookup and uniqueness."""
    return blind_index(normalised, purpose=BLIND_INDEX_PURPOSE)
