"""How a bulk path refuses a row: ``Row N: <message>``, rows counted from 1."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def row_error(position: int, error: ValidationError | str) -> ValidationError:
    """The refusal of row ``position``: its first message (one row, one message)."""
    message = error if isinstance(error, str) else error.messages[0]
    return ValidationError(_("Row %(row)s: %(message)s") % {"row": position, "message": message})
